"""Customer value and ABC segmentation against a hand-built dataset."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.models import Customer
from app.models.enums import ReturnState, Segment
from app.services.customers.value import compute_segments, customer_value, months_before, segment_distribution
from app.services.errors import DomainError, ValidationError
from tests.factories import customer, product, sale, warranty_return

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def valued(database):
    product()
    c = customer("C-1")
    units = sale(c, dt.date(2024, 1, 10), (2, "100.00"), (1, "50.00"))
    sale(c, dt.date(2026, 6, 1), (1, "300.00"))
    warranty_return(units[0], ReturnState.REFUNDED, "80.00", dt.date(2024, 3, 1))
    warranty_return(
        units[0],
        ReturnState.CLOSED,
        "20.00",
        dt.date(2024, 4, 1),
        through=(ReturnState.APPROVED, ReturnState.CREDITED),
    )
    # Repaired then closed: a stored amount without refund/credit does not count.
    warranty_return(
        units[1], ReturnState.CLOSED, "999.00", dt.date(2024, 5, 1), through=(ReturnState.REPAIRED,)
    )
    warranty_return(units[1], ReturnState.REFUNDED, None, dt.date(2024, 6, 1))  # no amount: 0
    return c


def test_historical_value_is_sales_minus_refunds_and_credits(valued):
    value = customer_value(valued.id, TODAY)
    assert value.revenue == Decimal("550.00")
    assert value.refunds == Decimal("100.00")
    assert value.historical == Decimal("450.00")
    assert value.first_sale_on == dt.date(2024, 1, 10)


def test_annual_and_projected_value(valued):
    value = customer_value(valued.id, TODAY, expected_remaining_years=5)
    years = Decimal((TODAY - dt.date(2024, 1, 10)).days) / Decimal("365.25")  # 1048 days
    assert value.annual == (Decimal(450) / years).quantize(Decimal("0.01")) == Decimal("156.83")
    assert value.projected == Decimal("784.15")
    assert "5" in value.formula


def test_annual_value_counts_at_least_one_year(database):
    c = customer("C-2")
    sale(c, dt.date(2026, 9, 1), (1, "120.00"))
    value = customer_value(c.id, TODAY, expected_remaining_years=3)
    assert value.years == Decimal("1.00")
    assert value.annual == Decimal("120.00")
    assert value.projected == Decimal("360.00")


def test_a_customer_without_sales_is_worth_zero(database):
    value = customer_value(customer("C-3").id, TODAY)
    assert (value.historical, value.annual, value.projected, value.first_sale_on) == (0, 0, 0, None)


@pytest.fixture
def pareto(database):
    """Net revenue in the window: 500, 200 (250 − 50 refund), 100, 100 (tie), 60, 40 = 1000."""
    product()
    day = dt.date(2026, 5, 1)
    c = {code: customer(code) for code in ("C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C10")}
    sale(c["C1"], day, (1, "500.00"))
    units = sale(c["C2"], day, (1, "250.00"))
    warranty_return(units[0], ReturnState.REFUNDED, "50.00", day)
    sale(c["C3"], day, (1, "100.00"))
    sale(c["C4"], day, (2, "50.00"))
    sale(c["C5"], day, (1, "60.00"))
    sale(c["C6"], day, (1, "40.00"))
    sale(c["C7"], day, (1, "0.00"))  # zero revenue
    sale(c["C8"], dt.date(2024, 11, 23), (1, "9000.00"))  # the day before the window
    c["C9"] = customer("C9", archived=True)
    sale(c["C9"], day, (1, "5000.00"))
    return {code: record.id for code, record in c.items()}


def segments_of(ids: dict[str, int]) -> dict[str, Segment | None]:
    return {code: Customer.get_by_id(i).segment for code, i in ids.items()}


def test_window_starts_the_day_after_24_months_back():
    assert months_before(TODAY, 24) == dt.date(2024, 11, 24)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 3, 1)


def test_abc_with_ties_zero_revenue_archived_and_no_sales(pareto):
    summary = compute_segments(TODAY)
    assert segments_of(pareto) == {
        "C1": Segment.A,
        "C2": Segment.A,
        "C3": Segment.A,
        "C4": Segment.A,  # tied with C3: same segment although 80 % was reached before it
        "C5": Segment.B,
        "C6": Segment.C,
        "C7": Segment.C,  # zero revenue
        "C8": Segment.C,  # sales only before the window
        "C10": Segment.C,  # no sales at all
        "C9": None,  # archived: excluded, untouched
    }
    assert summary.counts == {Segment.A: 4, Segment.B: 1, Segment.C: 4}
    assert summary.revenue == {
        Segment.A: Decimal("900.00"),
        Segment.B: Decimal("60.00"),
        Segment.C: Decimal("40.00"),
    }
    assert summary.total_revenue == Decimal("1000.00")
    assert summary.customers_considered == 9
    assert summary.window_start == dt.date(2024, 11, 24)
    assert Customer.get_by_id(pareto["C10"]).segment_computed_on == TODAY
    assert Customer.get_by_id(pareto["C9"]).segment_computed_on is None
    assert segment_distribution() == {Segment.A: 4, Segment.B: 1, Segment.C: 4}


def test_thresholds_are_parameters(pareto):
    summary = compute_segments(TODAY, a_threshold=50, b_threshold=70)
    # C1 (before 0 %) A; C2 (before 50 %) B; C3 (before 70 %) C and its tie C4 too.
    assert summary.counts == {Segment.A: 1, Segment.B: 1, Segment.C: 7}


@pytest.mark.parametrize(
    ("a", "b", "field"),
    [
        (80, 80, "b_threshold"),
        (90, 80, "b_threshold"),
        (0, 95, "a_threshold"),
        (80, 101, "b_threshold"),
        (-5, 95, "a_threshold"),
        (80, 0, "b_threshold"),
    ],
)
def test_thresholds_that_do_not_add_up_are_refused(pareto, a, b, field):
    with pytest.raises(ValidationError) as error:
        compute_segments(TODAY, a_threshold=a, b_threshold=b)
    assert field in error.value.errors
    assert set(segments_of(pareto).values()) == {None}


def test_a_window_without_sales_changes_nothing(database):
    product()
    c = customer("OLD", segment=Segment.B, segment_computed_on=dt.date(2020, 1, 1))
    sale(c, dt.date(2020, 1, 1), (1, "10.00"))
    with pytest.raises(DomainError, match="no sales"):
        compute_segments(TODAY)
    c = Customer.get_by_id(c.id)
    assert (c.segment, c.segment_computed_on) == (Segment.B, dt.date(2020, 1, 1))
    assert segment_distribution() == {Segment.B: 1}


# --- the settings ------------------------------------------------------------------------


def test_compute_segments_uses_the_company_settings(pareto):
    from dataclasses import replace

    from app.services.company import load_company_settings, save_company_settings

    save_company_settings(replace(load_company_settings(), abc_a_threshold=50, abc_b_threshold=70))
    summary = compute_segments(TODAY)  # same result as the explicit 50/70 above
    assert summary.counts == {Segment.A: 1, Segment.B: 1, Segment.C: 7}
    # A 12-month window: C8's sales (before the 24-month window) stay out, the start moves.
    save_company_settings(replace(load_company_settings(), abc_window_months=12))
    assert compute_segments(TODAY).window_start == dt.date(2025, 11, 24)


def test_projected_value_and_formula_use_the_expected_remaining_years_setting(valued):
    from dataclasses import replace

    from app.services.company import load_company_settings, save_company_settings

    save_company_settings(replace(load_company_settings(), expected_remaining_years=3))
    value = customer_value(valued.id, TODAY)
    assert value.expected_remaining_years == 3
    assert value.projected == (value.annual * 3).quantize(Decimal("0.01"))
    assert "expected remaining years (3)" in value.formula


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"abc_a_threshold": 95, "abc_b_threshold": 95}, {"abc_b_threshold"}),  # A ≥ B
        ({"abc_a_threshold": 96, "abc_b_threshold": 90}, {"abc_b_threshold"}),
        ({"abc_b_threshold": 101}, {"abc_b_threshold"}),  # over 100
        ({"abc_a_threshold": 100, "abc_b_threshold": 100}, {"abc_a_threshold"}),
        ({"abc_window_months": 0}, {"abc_window_months"}),
        ({"expected_remaining_years": 51}, {"expected_remaining_years"}),
        ({"risk_low_satisfaction_max": 5}, {"risk_low_satisfaction_max"}),
        ({"risk_default_interval_days": 0}, {"risk_default_interval_days"}),
    ],
)
def test_settings_that_do_not_add_up_are_refused_and_not_stored(database, changes, fields):
    from dataclasses import replace

    from app.services.company import load_company_settings, save_company_settings

    with pytest.raises(ValidationError) as error:
        save_company_settings(replace(load_company_settings(), **changes))
    assert set(error.value.errors) == fields
    stored = load_company_settings()
    assert (stored.abc_a_threshold, stored.abc_b_threshold, stored.abc_window_months) == (80, 95, 24)


def test_hand_edited_nonsense_falls_back_to_the_defaults(database):
    from app.models import CompanySetting
    from app.services.company import load_company_settings

    CompanySetting.create(key="abc_a_threshold", value="99")
    CompanySetting.create(key="abc_b_threshold", value="90")
    CompanySetting.create(key="expected_remaining_years", value="7")
    settings = load_company_settings()
    assert (settings.abc_a_threshold, settings.abc_b_threshold, settings.expected_remaining_years) == (
        80,
        95,
        7,
    )
