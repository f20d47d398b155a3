"""The activity report's charter compliance read back (issue 20, item 3): a scoped commitment prints
its own population's figure, a charter is measured over the days it was in force, and a period
before it says "not in force" instead of judging it."""

from __future__ import annotations

import datetime as dt

from app.models import Case
from app.models.charters import scope_text
from app.models.enums import CaseCategory
from app.reports.activity import build_activity_report
from app.services.reporting.activity import activity_report
from tests.reports.test_activity_report import text_of
from tests.services.test_charter_scope import TODAY, _charter, d, data  # noqa: F401 (the fixture)


def test_a_scoped_charter_in_force_for_part_of_the_period(data, tmp_path):  # noqa: F811
    _charter(d(3, 3), case_categories=scope_text(["billing"]))
    Case.update(received_on=d(3, 5)).where(Case.category == CaseCategory.BILLING).execute()
    report = activity_report(d(2, 1), d(3, 31), today=TODAY)
    text = text_of(build_activity_report(report, tmp_path / "activity.pdf", "en"))
    # The two billing claims only (one answered late), not the ten complaints and claims of March.
    assert "50.0 % (1/2)" in text and "Only: Billing" in text
    assert "Measured from 03/03/2026 to 31/03/2026, the part of the period the charter was in force." in text
    assert "0 of 1 measured commitment met in the period." in text


def test_a_period_before_the_charter_is_not_judged(data, tmp_path):  # noqa: F811
    _charter(d(1, 1))
    report = activity_report(dt.date(2025, 4, 1), dt.date(2025, 6, 30), today=TODAY)
    text = text_of(build_activity_report(report, tmp_path / "activity.pdf", "en"))
    assert "The charter was not in force in this period: nothing is judged." in text
    assert "not in force ≥ 95 %" in text
    assert "1 commitment belongs to a charter not in force in the period." in text
    assert "0 of 0 measured commitments met" in text
