"""The at-risk list expects a customer's next purchase from what they buy (issue 22): a product
category's replacement cycle, or the customer's own rhythm where the category has none; the list is
ordered by value × the weights of the reasons."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.models import ProductCategory, SatisfactionSurvey
from app.models.enums import Segment
from app.services.customers.risk import DAYS_PER_MONTH, RiskReason, at_risk, reasons_text
from tests.factories import customer, product, sale

TODAY = dt.date(2026, 11, 23)
R = RiskReason


@pytest.fixture
def shop(database):
    washer = product("WM-1", "WASH")
    coffee = product("CM-1", "COFFEE")
    capsules = product("CAP-1", "CONS")
    ProductCategory.update(replacement_months=96).where(ProductCategory.code == "WASH").execute()
    ProductCategory.update(replacement_months=60).where(ProductCategory.code == "COFFEE").execute()
    # CONS: no cycle, the customer's own rhythm.

    def person(code, purchases):
        c = customer(code, segment=Segment.A)
        for on, item, price in purchases:
            sale(c, on, (1, price), item=item)
        return c

    monthly = [dt.date(2026, m, 5) for m in range(1, 7)]  # January to June, then nothing
    # A washing machine two years ago and nothing since: not due for six more years.
    person("W1", [(dt.date(2024, 11, 1), washer, "900.00")])
    # Capsules every month until June: a month late by July, at risk now; low satisfaction too.
    c1 = person("C1", [(on, capsules, "50.00") for on in monthly])
    SatisfactionSurvey.create(customer=c1, taken_on=dt.date(2026, 6, 5), satisfaction=2)
    # A washing machine two years ago and capsules still every month: nothing late.
    person(
        "M1",
        [(dt.date(2024, 11, 1), washer, "700.00")]
        + [(dt.date(2026, m, 10), capsules, "10.00") for m in range(1, 12)],
    )
    # A washing machine nine years ago (its cycle is eight): the replacement is late.
    person("O1", [(dt.date(2017, 10, 1), washer, "800.00")])
    # The same, but a coffee machine bought since the washer was due: a customer who still buys.
    person("O2", [(dt.date(2017, 10, 1), washer, "800.00"), (dt.date(2026, 2, 1), coffee, "300.00")])
    return washer


def test_the_next_purchase_is_expected_from_what_the_customer_buys(shop):
    result = at_risk(TODAY)
    rows = {r.code: r for r in result.rows}
    assert set(rows) == {"C1", "O1"} and result.total == 2
    c1, o1 = rows["C1"], rows["O1"]
    assert c1.reasons == (R.NO_RECENT_PURCHASE, R.LOW_SATISFACTION)
    assert c1.next_purchase_expected_on == dt.date(2026, 7, 6)  # gaps 31, 28, 31, 30, 31: median 31
    assert o1.reasons == (R.NO_RECENT_PURCHASE,)
    assert o1.usual_interval_days == pytest.approx(96 * DAYS_PER_MONTH)
    assert o1.next_purchase_expected_on == dt.date(2025, 10, 1)
    assert reasons_text(o1) == "No purchase since 01/10/2017 (the next one was expected by 01/10/2025)"


def test_the_list_is_ordered_by_value_times_the_weights_of_the_reasons(shop):
    # C1: 300 × (late 1 + low satisfaction 2) = 900 comes before O1: 800 × (late 1) = 800.
    rows = at_risk(TODAY).rows
    assert [(r.code, r.value, r.risk) for r in rows] == [
        ("C1", Decimal("300.00"), Decimal("900.00")),
        ("O1", Decimal("800.00"), Decimal("800.00")),
    ]
    assert [r.code for r in at_risk(TODAY, limit=1).rows] == ["C1"]


def test_a_category_without_a_cycle_keeps_the_customers_own_rhythm(shop):
    ProductCategory.update(replacement_months=None).where(ProductCategory.code == "WASH").execute()
    rows = {r.code: r for r in at_risk(TODAY).rows}
    # One washer two years ago: the company's default interval (365 days) has passed.
    assert rows["W1"].reasons == (R.NO_RECENT_PURCHASE,)
    assert rows["W1"].usual_interval_days == 365
    assert "M1" not in rows  # still buying every month
