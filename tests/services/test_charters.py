import datetime as dt

from app.models import CharterCommitment, ServiceCharter
from app.models.enums import CharterIndicator, CharterType
from app.services.charters import commitment_days


def charter(active: bool, days: int) -> None:
    c = ServiceCharter.create(type=CharterType.CUSTOMER_ATTENTION, title="Carta", valid_from=dt.date(2026, 1, 1), active=active)
    CharterCommitment.create(charter=c, position=1, text="x", indicator=CharterIndicator.RETURNS_RESOLVED, days=days, target=95)


def test_deadline_comes_from_the_strictest_active_charter_else_the_default(database):
    assert commitment_days(CharterIndicator.RETURNS_RESOLVED, 15) == 15
    charter(active=False, days=5)
    assert commitment_days(CharterIndicator.RETURNS_RESOLVED, 15) == 15
    charter(active=True, days=12)
    charter(active=True, days=10)
    assert commitment_days(CharterIndicator.RETURNS_RESOLVED, 15) == 10
    assert commitment_days(CharterIndicator.CLAIMS_ANSWERED, 7) == 7
