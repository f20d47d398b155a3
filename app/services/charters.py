"""Service charters: the active commitments that set deadlines elsewhere."""

from __future__ import annotations

from app.models import CharterCommitment, ServiceCharter
from app.models.enums import CharterIndicator


def commitment_days(indicator: CharterIndicator, default_days: int) -> int:
    """The N of "within N days" in an active charter's commitment for `indicator`, else `default_days`.

    With several active charters naming the indicator, the strictest (smallest N) applies.
    """
    days = (
        CharterCommitment.select(CharterCommitment.days)
        .join(ServiceCharter)
        .where(
            (ServiceCharter.active == True)  # noqa: E712 (peewee expression)
            & (CharterCommitment.indicator == indicator)
            & CharterCommitment.days.is_null(False)
        )
        .order_by(CharterCommitment.days)
        .limit(1)
        .scalar()
    )
    return days if days is not None else default_days
