"""A commitment measured over its own population (case categories, product categories, channel), by
the indicator that fits it (usage checks after delivery, checks passed), and only over the part of the
period its charter version was in force (issue 20, item 3). Hand-built data, March 2026."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.models import (
    Case,
    CharterCommitment,
    CheckTemplate,
    Customer,
    Product,
    ProductCategory,
    Rep,
    Sale,
    SaleLine,
    ServiceCharter,
    SoldUnit,
    UsageCheck,
    WarrantyReturn,
)
from app.models.charters import scope_text
from app.models.enums import (
    CaseCategory,
    CaseKind,
    CaseStage,
    CharterIndicator,
    CharterPeriod,
    CharterType,
    CheckStatus,
    ContactChannel,
    ReturnReason,
    ReturnState,
)
from app.services.charters import (
    ChannelEntry,
    CharterInput,
    CommitmentInput,
    get_charter,
    save_charter,
    validate_charter,
)
from app.services.charters.indicators import Scope, charter_compliance, in_force_span, measure
from app.services.errors import ValidationError

CI = CharterIndicator
TODAY = dt.date(2026, 3, 31)
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
BILLING = Scope(case_categories=(CaseCategory.BILLING,))


def d(month: int, day: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


@pytest.fixture
def data(database):
    rep = Rep.create(code="R1", name="Ana")
    customer = Customer.create(code="C-1", name="Peña", rep=rep)
    clima = ProductCategory.create(code="clima", name="Climatización")
    cafe = ProductCategory.create(code="cafe", name="Cafeteras")
    products = {
        "clima": Product.create(sku="AC-1", name="Aire", category=clima),
        "cafe": Product.create(sku="CF-1", name="Cafetera", category=cafe),
    }
    template = CheckTemplate.create(family="f", name="Uso")
    numbers = iter(range(1, 100))

    def unit(code: str, delivered: dt.date) -> SoldUnit:
        n = next(numbers)
        sale = Sale.create(
            number=f"V-{n}", customer=customer, rep=rep, sold_on=delivered, delivered_on=delivered
        )
        line = SaleLine.create(sale=sale, product=products[code], quantity=1, unit_price=100)
        return SoldUnit.create(line=line, customer=customer, product=products[code], serial_number=f"SN{n}")

    clima_unit, cafe_unit = unit("clima", d(3, 2)), unit("cafe", d(3, 2))

    def case(category, channel, answered_after, sold_unit=None):
        received = d(3, 2)
        n = next(numbers)
        Case.create(
            number=f"REC-2026-{n:04d}",
            year=2026,
            sequence=n,
            kind=CaseKind.CLAIM,
            stage=CaseStage.RECEPTION,
            customer=customer,
            rep=rep,
            channel=channel,
            received_on=received,
            category=category,
            sold_unit=sold_unit,
            first_answer_on=received + dt.timedelta(days=answered_after)
            if answered_after is not None
            else None,
        )

    # Ten complaints and claims in March: two about billing (one answered late), eight others on time.
    case(CaseCategory.BILLING, ContactChannel.PHONE, 3)
    case(CaseCategory.BILLING, ContactChannel.EMAIL, 20)
    for _n in range(4):
        case(CaseCategory.PRODUCT_DEFECT, ContactChannel.PHONE, 2, clima_unit)
    for _n in range(4):
        case(CaseCategory.DELIVERY_DELAY, ContactChannel.IN_PERSON, 1, cafe_unit)

    # Returns: the clima unit's resolved in 5 days, the cafe unit's unresolved after 27.
    for n, (sold_unit, resolved) in enumerate(((clima_unit, d(3, 9)), (cafe_unit, None)), start=1):
        WarrantyReturn.create(
            number=f"RMA-2026-{n:04d}",
            year=2026,
            sequence=n,
            sold_unit=sold_unit,
            customer=customer,
            rep=rep,
            reason=ReturnReason.FAILURE_IN_USE,
            reported_on=d(3, 4),
            state=ReturnState.REPAIRED if resolved else ReturnState.RECEIVED,
            under_warranty=True,
            warranty_days=300,
            resolved_on=resolved,
        )

    # Usage checks: the clima unit checked 5 days after delivery (failed), the cafe unit 25 days after
    # (passed); a unit delivered on 29 March is still inside a 14-day deadline.
    def check(sold_unit, completed, passed, status=CheckStatus.COMPLETED):
        UsageCheck.create(
            template=template,
            sold_unit=sold_unit,
            customer=customer,
            rep=rep,
            status=status,
            started_at=completed,
            completed_at=completed if status is CheckStatus.COMPLETED else None,
            passed=passed if status is CheckStatus.COMPLETED else None,
        )

    check(clima_unit, dt.datetime(2026, 3, 7, 11), False)
    check(cafe_unit, dt.datetime(2026, 3, 27, 11), True)
    late = unit("clima", d(3, 29))
    check(late, dt.datetime(2026, 3, 30, 11), None, CheckStatus.DRAFT)  # a draft is no check done
    return {"rep": rep.id}


def test_a_commitment_scoped_to_billing_counts_only_billing_cases(data):
    everything = measure(CI.CLAIMS_ANSWERED, 10, *MARCH, today=TODAY)
    assert (everything.numerator, everything.denominator) == (9, 10)
    billing = measure(CI.CLAIMS_ANSWERED, 10, *MARCH, today=TODAY, scope=BILLING)
    assert (billing.numerator, billing.denominator) == (1, 2)
    assert billing.value == pytest.approx(50.0)


def test_channel_and_product_categories_narrow_the_population(data):
    by_phone = measure(CI.CLAIMS_ANSWERED, 10, *MARCH, today=TODAY, scope=Scope(channel=ContactChannel.PHONE))
    assert (by_phone.numerator, by_phone.denominator) == (5, 5)
    billing_by_email = Scope((CaseCategory.BILLING,), (), ContactChannel.EMAIL)
    assert measure(CI.CLAIMS_ANSWERED, 10, *MARCH, today=TODAY, scope=billing_by_email).denominator == 1
    coffee = Scope(product_categories=("cafe",))
    assert measure(CI.CLAIMS_ANSWERED, 10, *MARCH, today=TODAY, scope=coffee).denominator == 4
    returns = measure(CI.RETURNS_RESOLVED, 15, *MARCH, today=TODAY)
    assert (returns.numerator, returns.denominator) == (1, 2)
    clima_returns = measure(
        CI.RETURNS_RESOLVED, 15, *MARCH, today=TODAY, scope=Scope(product_categories=("clima",))
    )
    assert (clima_returns.numerator, clima_returns.denominator) == (1, 1)


def test_usage_checks_within_days_of_delivery_and_checks_passed(data):
    within = measure(CI.USAGE_CHECKS_AFTER_DELIVERY, 14, *MARCH, today=TODAY)
    # Three units delivered; the one of 29 March is still inside its 14 days (pending, not failed).
    assert (within.numerator, within.denominator) == (1, 2)
    assert measure(CI.USAGE_CHECKS_AFTER_DELIVERY, 30, *MARCH, today=TODAY).numerator == 2
    # On 20 April the third unit's deadline has passed without a completed check.
    assert measure(CI.USAGE_CHECKS_AFTER_DELIVERY, 14, *MARCH, today=d(4, 20)).denominator == 3
    clima = Scope(product_categories=("clima",))
    clima_within = measure(CI.USAGE_CHECKS_AFTER_DELIVERY, 14, *MARCH, today=TODAY, scope=clima)
    assert (clima_within.numerator, clima_within.denominator) == (1, 1)
    passed = measure(CI.CHECKS_PASSED, None, *MARCH, today=TODAY)
    assert (passed.numerator, passed.denominator) == (1, 2)
    assert measure(CI.CHECKS_PASSED, None, *MARCH, today=TODAY, scope=clima).numerator == 0


def _charter(valid_from: dt.date, valid_to: dt.date | None = None, **scope) -> ServiceCharter:
    charter = ServiceCharter.create(
        type=CharterType.FINANCING,
        title="Financiación",
        valid_from=valid_from,
        valid_to=valid_to,
        active=True,
    )
    CharterCommitment.create(
        charter=charter,
        position=1,
        text="Respondemos a las reclamaciones sobre financiación en {days} días.",
        indicator=CI.CLAIMS_ANSWERED,
        days=10,
        target=Decimal("95"),
        period=CharterPeriod.QUARTER,
        **scope,
    )
    return charter


def test_the_active_charter_measures_its_commitment_over_its_scope(data):
    _charter(d(1, 1), case_categories=scope_text(["billing"]))
    (row,) = charter_compliance(*MARCH, today=TODAY)
    assert row.scope == BILLING and row.in_force
    assert (row.measurement.numerator, row.measurement.denominator) == (1, 2)
    assert row.met is False


def test_a_period_partly_before_the_charter_counts_only_the_part_in_force(data):
    _charter(d(3, 3))  # in force from 3 March: the cases received on 2 March are left out
    Case.update(received_on=d(3, 5)).where(Case.category == CaseCategory.BILLING).execute()
    (row,) = charter_compliance(*MARCH, today=TODAY)
    assert (row.measured_from, row.measured_to) == (d(3, 3), d(3, 31))
    assert (row.measurement.numerator, row.measurement.denominator) == (1, 2)
    assert row.in_force and row.met is False


def test_a_period_wholly_outside_the_charter_is_not_in_force(data):
    _charter(d(1, 1))
    second_quarter_2025 = (d(4, 1, 2025), d(6, 30, 2025))
    (row,) = charter_compliance(*second_quarter_2025, today=TODAY)
    assert not row.in_force and row.met is None and row.measurement.value is None
    assert row.measured_from is None
    # A version that ended before the period is not in force either.
    assert in_force_span(*MARCH, d(1, 1), d(2, 28)) is None
    assert in_force_span(*MARCH, d(1, 1), d(3, 10)) == (d(3, 1), d(3, 10))


def test_the_dashboard_current_period_is_cut_at_the_charter_s_start(data):
    _charter(d(3, 3))  # quarterly: the quarter to date, from 3 March on
    (row,) = charter_compliance(None, None, today=TODAY)
    assert (row.measured_from, row.measured_to) == (d(3, 3), TODAY)
    (row,) = charter_compliance(None, None, today=d(3, 2))
    assert not row.in_force


def _input(**commitment) -> CharterInput:
    values = {
        "text": "Respondemos en {days} días.",
        "indicator": CI.CLAIMS_ANSWERED,
        "days": 10,
        "target": 95,
        "period": CharterPeriod.QUARTER,
        **commitment,
    }
    return CharterInput(
        type=CharterType.FINANCING,
        title="Financiación",
        valid_from=d(1, 1),
        channels=(ChannelEntry(ContactChannel.PHONE, "910 555 214"),),
        commitments=(CommitmentInput(**values),),
    )


def test_a_saved_scope_is_read_back(data):
    charter_id = save_charter(
        None,
        _input(
            case_categories=(CaseCategory.BILLING, CaseCategory.INFORMATION),
            product_categories=("cafe",),
            channel=ContactChannel.PHONE,
        ),
    )
    (row,) = get_charter(charter_id).commitments
    assert row.case_categories == (CaseCategory.BILLING, CaseCategory.INFORMATION)
    assert row.product_categories == ("cafe",) and row.channel is ContactChannel.PHONE
    stored = CharterCommitment.get(CharterCommitment.charter == charter_id)
    assert stored.case_categories == '["billing", "information"]'


@pytest.mark.parametrize(
    ("commitment", "words"),
    [
        ({"product_categories": ("nope",)}, "no product category nope"),
        (
            {"indicator": CI.RETURNS_RESOLVED, "case_categories": (CaseCategory.BILLING,)},
            "only complaints and claims",
        ),
        (
            {"indicator": CI.NPS, "days": None, "target": 30, "product_categories": ("cafe",)},
            "cannot be narrowed",
        ),
        ({"channel": "pigeon"}, "from the lists"),
    ],
)
def test_a_scope_the_indicator_cannot_take_is_refused(data, commitment, words):
    with pytest.raises(ValidationError) as refused:
        validate_charter(_input(**commitment))
    assert words in refused.value.errors["commitments.0.scope"]
    assert ServiceCharter.select().count() == 0


def test_the_dashboard_counts_a_charter_not_in_force_apart(data):
    from app.services.reporting.dashboard import charter_compliance_summary

    _charter(d(4, 1))  # in force from next month
    summary = charter_compliance_summary(None, TODAY)
    assert (summary.measured, summary.met, summary.not_in_force) == (0, 0, 1)
    assert summary.not_met == []


def test_every_indicator_code_fits_its_column():
    assert all(
        len(indicator.value) <= CharterCommitment.indicator.max_length for indicator in CharterIndicator
    )


def test_the_demo_charters_measure_their_own_population(database):
    from app.demo.generate import generate_demo

    generate_demo(customers=30, seed=7, today=dt.date(2026, 5, 20))
    financing = ServiceCharter.get(ServiceCharter.type == CharterType.FINANCING)
    cases = [c for c in financing.commitments if c.indicator in (CI.CLAIMS_ANSWERED, CI.COMPLAINTS_CLOSED)]
    assert len(cases) == 2 and all(Scope.of(c) == BILLING for c in cases)
    access = ServiceCharter.get(ServiceCharter.type == CharterType.PRODUCT_ACCESS)
    (usage,) = [c for c in access.commitments if "uso correcto" in c.text]
    assert (usage.indicator, usage.days) == (CI.USAGE_CHECKS_AFTER_DELIVERY, 30)
    # Every category with a checklist; the accessories (none) are left out.
    checked = {t.category.code for t in CheckTemplate.select() if t.category is not None}
    assert set(Scope.of(usage).product_categories) == checked and checked
    assert ProductCategory.select().count() > len(checked)
