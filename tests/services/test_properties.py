"""Property tests over the service commands (hypothesis).

Every command, fed random Unicode (control characters, NUL, lone surrogates, right-to-left and
emoji text, 10,000 characters), odd numbers and dates from 0001-01-01 to 9999-12-31, ends in
success or in the service's own error (app.services.errors.DomainError): never another exception.
After every example the invariants hold: states agree with their history, no sale without lines,
no unit without its product, serial numbers unique, return and case numbers gapless.

The default profile keeps the run short (CI). The long one (at least 200 generated examples per
command) runs with POSTVENTA_FUZZ=long; its tests are then marked slow:

    POSTVENTA_FUZZ=long QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/services/test_properties.py
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from peewee import JOIN, fn

from app.models import (
    Case,
    CaseStageChange,
    FollowUp,
    NeedTag,
    Product,
    ProductCategory,
    ReturnStatusChange,
    Sale,
    SaleLine,
    SatisfactionSurvey,
    SoldUnit,
    WarrantyReturn,
)
from app.models.enums import (
    CaseCategory,
    CaseKind,
    CheckAnswerResult,
    ContactChannel,
    CustomerKind,
    DissatisfactionCause,
    FollowUpKind,
    FollowUpOutcome,
    FollowUpPurpose,
    OutOfWarrantyReason,
    ProposalAnswer,
    ReturnReason,
    ReturnState,
    Severity,
    SolutionType,
)
from app.services import cases, checks, followups, returns
from app.services.checks import AnswerInput, ItemInput
from app.services.customers import CustomerInput, create_customer, update_customer
from app.services.errors import DomainError, ValidationError
from app.services.reps import create_rep
from app.services.sales import SaleLineInput, record_sale, set_delivery_date

LONG = os.environ.get("POSTVENTA_FUZZ", "").strip().lower() == "long"
_COMMON = dict(
    deadline=None,
    # One database per test function, shared by its examples: state accumulates, as in real use.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
settings.register_profile("postventa-ci", max_examples=12, derandomize=True, database=None, **_COMMON)
settings.register_profile("postventa-long", max_examples=250, **_COMMON)
FUZZ = settings.get_profile("postventa-long" if LONG else "postventa-ci")
pytestmark = [pytest.mark.slow] if LONG else []

TODAY = dt.date.today()  # services compare dates with the real today
NOW = dt.datetime.combine(TODAY, dt.time(10, 0))

# --- strategies ----------------------------------------------------------------------------

HUGE = "x" * 10_000
NASTY_TEXTS = [
    "",
    " ",
    " \t\n\r ",
    HUGE,
    "a\x00b",
    "\x00",
    "\x01\x02\x1b[31m\x7f\x9f",
    "\ud800",
    "a\udfffb",
    "مرحبا \u202eRTL\u202c שלום",
    "👨‍👩‍👧 😀🇪🇸",
    "Óptica",
    "ÓPTICA",
    "ǅ ß İ ﬁ ΣΑΣ",
    "<b>Pepe</b> & <script>x</script>",
    "'; DROP TABLE customer; --",
]
# Every code point, surrogates and unassigned ones included.
any_char = st.characters(exclude_categories=())
any_text = st.one_of(st.sampled_from(NASTY_TEXTS), st.text(any_char, max_size=40), st.text(max_size=10))
short_text = st.one_of(st.sampled_from(NASTY_TEXTS[:3] + NASTY_TEXTS[4:]), st.text(any_char, max_size=12))

EDGE_DATES = [
    dt.date.min,
    dt.date.max,
    dt.date(1999, 12, 31),
    dt.date(2000, 1, 1),
    dt.date(2206, 5, 1),
    TODAY,
    TODAY - dt.timedelta(days=30),
    TODAY + dt.timedelta(days=3),
]
any_date = st.one_of(st.sampled_from(EDGE_DATES), st.dates(), st.none())
EDGE_TIMES = [
    dt.datetime.min,
    dt.datetime.max,
    dt.datetime(9999, 12, 31, 23, 59),
    NOW,
    NOW + dt.timedelta(days=2),
]
any_datetime = st.one_of(st.sampled_from(EDGE_TIMES), st.datetimes(), st.none())

EDGE_INTS = [0, -1, 1, 2, 99_999, 10**6, -(2**63), 2**63, 10**30]
any_int = st.one_of(st.sampled_from(EDGE_INTS), st.integers(), st.booleans(), st.none())
small_int = st.one_of(st.sampled_from([0, -1, 1, 3, 7, 10**9]), st.integers(-5, 60), st.none())
any_amount = st.one_of(
    st.sampled_from(
        [
            Decimal("NaN"),
            Decimal("Infinity"),
            Decimal("-0.01"),
            Decimal("1e30"),
            Decimal("0.001"),
            "12,50",
            "abc",
            1.5,
            float("nan"),
            None,
            0,
            Decimal("19.99"),
        ]
    ),
    st.decimals(),
    st.integers(),
)


def mostly(usual, odd):
    """Three times in four a value a user would enter, else an odd one: so that examples get past
    the first validation and reach the writes, where the odd values of the other fields are."""
    return st.integers(0, 3).flatmap(lambda pick: odd if pick == 0 else usual)


def choice_of(enum_class):
    """A member, or something that is not one: an unknown code, a number, None."""
    return mostly(st.sampled_from(list(enum_class)), st.sampled_from(["zz", "", 42, None]))


def usual_text(*samples):
    return mostly(st.sampled_from(samples or ("Todo bien", "Peña Hermanos")), any_text)


near_date = st.integers(-400, 300).map(lambda days: TODAY + dt.timedelta(days=days))
near_time = st.integers(-200 * 24, 300 * 24).map(lambda hours: NOW + dt.timedelta(hours=hours))
usual_date = mostly(near_date, any_date)
usual_time = mostly(near_time, any_datetime)
usual_int = mostly(st.integers(1, 5), any_int)
usual_amount = mostly(st.sampled_from([Decimal("10"), Decimal("19.99"), 5]), any_amount)


# --- the world each test starts from -------------------------------------------------------


@pytest.fixture
def world(database):
    ana = create_rep("ANA", "Ana García")
    luis = create_rep("LUIS", "Luis Pérez")
    customer_id = create_customer(
        CustomerInput(
            code="C-1", name="Peña Hermanos", rep_id=ana.id, address="Calle Mayor 1", city="Madrid"
        ),
        None,
    )
    category = ProductCategory.create(code="WASH", name="Lavadoras")
    washer = Product.create(sku="LV-1", name="Lavadora X", category=category, warranty_months=24)
    cable = Product.create(sku="CB-1", name="Cable", category=category, warranty_months=12, serialised=False)
    delivered = TODAY - dt.timedelta(days=20)
    sale_id = record_sale(
        customer_id,
        ana.id,
        delivered,
        delivered,
        [
            SaleLineInput(washer.id, 3, Decimal("499"), ["SN-1", "SN-2", "SN-3"]),
            SaleLineInput(cable.id, 2, Decimal("5")),
        ],
    )
    units = [u.id for u in SoldUnit.select(SoldUnit.id).join(SaleLine).where(SaleLine.sale == sale_id)]
    template_id = checks.create_template(
        "Uso correcto",
        [ItemInput("Llena el depósito"), ItemInput("Sabe descalcificar", critical=True), ItemInput("Limpia")],
        category_id=category.id,
    )
    return {
        "ana": ana.id,
        "luis": luis.id,
        "customer": customer_id,
        "washer": washer.id,
        "cable": cable.id,
        "sale": sale_id,
        "units": units,
        "template": template_id,
    }


def attempt(command, *args, **kwargs):
    """Run a command: success, or a domain error whose message a user can read. Anything else fails."""
    try:
        return command(*args, **kwargs)
    except DomainError as error:
        assert str(error).strip(), f"{type(error).__name__} without a message"
        if isinstance(error, ValidationError):
            assert error.errors and all(m.strip() for m in error.errors.values())
        return None


# --- invariants ----------------------------------------------------------------------------


def assert_invariants() -> None:
    # No sale without lines; no unit without its product or line.
    bare = Sale.select(Sale.id).join(SaleLine, JOIN.LEFT_OUTER).where(SaleLine.id.is_null())
    assert not bare.exists(), "a sale without lines"
    orphans = SoldUnit.select().join(Product, JOIN.LEFT_OUTER).where(Product.id.is_null())
    assert not orphans.exists(), "a unit without its product"
    assert not SoldUnit.select().join(SaleLine, JOIN.LEFT_OUTER).where(SaleLine.id.is_null()).exists()

    # Serial numbers and sale numbers unique, whatever their case.
    serials = [
        s.casefold()
        for (s,) in SoldUnit.select(SoldUnit.serial_number)
        .where(SoldUnit.serial_number.is_null(False))
        .tuples()
    ]
    assert len(serials) == len(set(serials)), "a serial number sold twice"
    numbers = [n.casefold() for (n,) in Sale.select(Sale.number).tuples()]
    assert len(numbers) == len(set(numbers)), "a sale number used twice"
    tags = [t.casefold() for (t,) in NeedTag.select(NeedTag.name).tuples()]
    assert len(tags) == len(set(tags)), "a need tag stored twice"

    # Return numbers gapless per year; case numbers per series and year (complaints and claims
    # share the register's).
    for query in (
        WarrantyReturn.select(WarrantyReturn.year, WarrantyReturn.year, WarrantyReturn.sequence),
        Case.select(Case.series, Case.year, Case.sequence),
    ):
        per_year: dict[tuple, list[int]] = {}
        for series, year, sequence in query.tuples():
            per_year.setdefault((series, year), []).append(sequence)
        for year, sequences in per_year.items():
            assert sorted(sequences) == list(range(1, len(sequences) + 1)), (
                f"{query.model.__name__} numbers of {year}"
            )

    # A return's state is where its history leads, through allowed transitions only.
    for record in WarrantyReturn.select():
        history = list(
            ReturnStatusChange.select()
            .where(ReturnStatusChange.warranty_return == record.id)
            .order_by(ReturnStatusChange.id)
        )
        assert history and history[0].from_state is None
        for before, after in zip(history, history[1:], strict=False):
            assert after.from_state is before.to_state
            assert returns.can_transition(before.to_state, after.to_state)
        assert history[-1].to_state is record.state

    for record in Case.select():
        history = list(
            CaseStageChange.select().where(CaseStageChange.case == record.id).order_by(CaseStageChange.id)
        )
        assert history and history[0].from_stage is None
        for before, after in zip(history, history[1:], strict=False):
            assert after.from_stage is before.to_stage
            # from = to: a note kept with a step that stays in its stage
            assert after.to_stage is after.from_stage or cases.can_transition(
                record.kind, before.to_stage, after.to_stage
            )
        assert history[-1].to_stage is record.stage

    # One survey per follow-up at most; a follow-up done has its outcome.
    twice = (
        SatisfactionSurvey.select(SatisfactionSurvey.follow_up)
        .where(SatisfactionSurvey.follow_up.is_null(False))
        .group_by(SatisfactionSurvey.follow_up)
        .having(fn.COUNT(SatisfactionSurvey.id) > 1)
    )
    assert not twice.exists(), "two surveys for one follow-up"
    assert not FollowUp.select().where((FollowUp.state == "done") & FollowUp.outcome.is_null()).exists()


# --- customers -------------------------------------------------------------------------------

customer_inputs = st.builds(
    CustomerInput,
    code=mostly(
        st.from_regex(r"C-[0-9]{1,5}", fullmatch=True),
        st.one_of(st.sampled_from(["C-1", "", " ", "Ñ-1", "A" * 21]), short_text),
    ),
    kind=choice_of(CustomerKind),
    name=usual_text("Ana López", "Óptica Peña"),
    tax_id=mostly(
        st.sampled_from(["", "12345678Z", "X1234567L", "B12345678"]), st.one_of(st.just("ß"), short_text)
    ),
    email=mostly(st.sampled_from(["", "ana@example.com"]), short_text),
    phone=mostly(st.sampled_from(["", "600123456", "+34 91 555 12 34"]), short_text),
    mobile=mostly(st.just(""), short_text),
    address=usual_text("Calle Mayor 1"),
    postal_code=mostly(
        st.sampled_from(["", "28013", "52001", "01001"]),
        st.one_of(st.sampled_from(["53001", "00001", "999999", "1000-001", "SW1A 1AA"]), short_text),
    ),
    city=usual_text("Madrid", "Logroño"),
    province=usual_text("Madrid"),
    country=mostly(
        st.sampled_from(["ES", "es"]),
        st.one_of(st.sampled_from(["PT", "FR", "GB", "ÑÑ", "E", ""]), short_text),
    ),
    preferred_channel=choice_of(ContactChannel),
    language=mostly(st.sampled_from(["es", "en"]), st.one_of(st.sampled_from(["EN", "fr", ""]), short_text)),
    rep_id=mostly(st.sampled_from([None, 1, 2]), st.sampled_from([999, -1])),
    notes=usual_text("Cliente desde 2019"),
    contact_consent=st.booleans(),
    consent_date=usual_date,
    need_tags=st.lists(
        mostly(st.sampled_from(["Óptica", "óptica", "ÓPTICA", "Precio"]), short_text), max_size=4
    ),
)

EDGE_CUSTOMERS = [
    CustomerInput(code=f"E-{index}", name=text, notes=text, address=text, city=text, need_tags=[text])
    for index, text in enumerate(NASTY_TEXTS)
] + [
    CustomerInput(code="C-6", name="Ana", postal_code="999999"),
    CustomerInput(code="C-7", name="Ana", contact_consent=True, consent_date=dt.date.min),
    CustomerInput(code="C-8", name="Ana", contact_consent=True, consent_date=dt.date.max),
    CustomerInput(code="C-9", name="Ana", need_tags=["Óptica", "ÓPTICA"]),
]


def _with_examples(inputs, name):
    def decorate(test):
        for value in reversed(inputs):
            test = example(**{name: value})(test)
        return test

    return decorate


@FUZZ
@given(data=customer_inputs)
@_with_examples(EDGE_CUSTOMERS, "data")
def test_creating_a_customer_succeeds_or_is_refused(world, data):
    attempt(create_customer, data, world["ana"])
    assert_invariants()


@FUZZ
@given(data=customer_inputs)
@_with_examples(EDGE_CUSTOMERS, "data")
def test_editing_a_customer_succeeds_or_is_refused(world, data):
    attempt(update_customer, world["customer"], data, world["ana"])
    assert_invariants()


# --- sales -----------------------------------------------------------------------------------

sale_lines = st.lists(
    st.builds(
        SaleLineInput,
        product_id=mostly(st.sampled_from([1, 2]), st.just(999)),
        quantity=usual_int,
        unit_price=usual_amount,
        serial_numbers=mostly(
            st.just([]),
            st.lists(
                st.one_of(st.sampled_from(["SN-1", "sn-1", "SN-9", "ñ-1", "Ñ-1"]), short_text), max_size=3
            ),
        ),
        warranty_extension_months=mostly(
            st.sampled_from([0, 12]), st.one_of(small_int, st.sampled_from([10**6, 2**63]))
        ),
    ),
    min_size=0,
    max_size=3,
)


@FUZZ
@given(
    sold_on=usual_date,
    delivered_on=mostly(st.none(), usual_date),
    lines=sale_lines,
    notes=usual_text(""),
    number=mostly(
        st.none(), st.one_of(st.sampled_from(["Año-1", "AÑO-1", "año-1", "V-2026-00001"]), short_text)
    ),
)
@example(
    sold_on=dt.date.max,
    delivered_on=dt.date.max,
    lines=[SaleLineInput(1, 1, Decimal(1))],
    notes="",
    number=None,
)
@example(
    sold_on=dt.date.min, delivered_on=None, lines=[SaleLineInput(1, 1, Decimal(1))], notes="", number=None
)
@example(
    sold_on=dt.date(2206, 1, 1),
    delivered_on=None,
    lines=[SaleLineInput(2, 1, Decimal(1))],
    notes="",
    number=None,
)
@example(
    sold_on=TODAY, delivered_on=None, lines=[SaleLineInput(1, 99_999, Decimal(1))], notes="", number=None
)
@example(sold_on=TODAY, delivered_on=None, lines=[SaleLineInput(2, 2**63, Decimal(1))], notes="", number=None)
@example(
    sold_on=TODAY, delivered_on=None, lines=[SaleLineInput(1, 1, Decimal(1), ["sn-1"])], notes="", number=None
)
@example(
    sold_on=TODAY, delivered_on=None, lines=[SaleLineInput(2, 1, Decimal(1))], notes="\ud800", number="Año-1"
)
@example(
    sold_on=TODAY, delivered_on=None, lines=[SaleLineInput(2, 1, Decimal(1))], notes=HUGE, number="AÑO-1"
)
@example(
    sold_on=TODAY, delivered_on=None, lines=[SaleLineInput(1, 1, "abc", ["\x00"])], notes="", number="\x00"
)
def test_recording_a_sale_succeeds_or_is_refused(world, sold_on, delivered_on, lines, notes, number):
    attempt(record_sale, world["customer"], world["ana"], sold_on, delivered_on, lines, notes, number)
    assert_invariants()


@FUZZ
@given(delivered_on=usual_date)
@example(delivered_on=dt.date.max)
@example(delivered_on=dt.date.min)
def test_setting_a_delivery_date_succeeds_or_is_refused(world, delivered_on):
    attempt(set_delivery_date, world["sale"], delivered_on, world["ana"])
    assert_invariants()


# --- follow-ups ------------------------------------------------------------------------------

FOLLOW_UP_ACTIONS = ("reschedule", "cancel", "complete", "missed", "retry")


@FUZZ
@given(
    kind=choice_of(FollowUpKind),
    purpose=choice_of(FollowUpPurpose),
    when=usual_time,
    duration=mostly(st.sampled_from([15, 60]), any_int),
    text=usual_text(""),
    actions=st.lists(
        st.tuples(
            st.sampled_from(FOLLOW_UP_ACTIONS),
            usual_time,
            usual_text("Hablado con el cliente"),
            choice_of(FollowUpOutcome),
            mostly(st.integers(1, 5), small_int),
            mostly(st.integers(0, 10), small_int),
            choice_of(DissatisfactionCause),
        ),
        max_size=4,
    ),
)
@example(
    kind=FollowUpKind.CALL,
    purpose=FollowUpPurpose.DELIVERY,
    when=dt.datetime.max,
    duration=15,
    text="",
    actions=[],
)
@example(
    kind=FollowUpKind.VISIT,
    purpose=FollowUpPurpose.DELIVERY,
    when=NOW,
    duration=-1,
    text="\ud800",
    actions=[("reschedule", dt.datetime.max, "", None, None, None, None)],
)
@example(
    kind=FollowUpKind.CALL,
    purpose=FollowUpPurpose.DELIVERY,
    when=NOW,
    duration=15,
    text="a\x00b",
    actions=[
        ("complete", None, "\ud800", FollowUpOutcome.REACHED, 5, 10, DissatisfactionCause.PRICE),
        ("complete", None, "again", FollowUpOutcome.REACHED, 1, 0, None),
    ],
)
@example(
    kind=FollowUpKind.CALL,
    purpose=FollowUpPurpose.DELIVERY,
    when=NOW,
    duration=15,
    text=HUGE,
    actions=[
        ("complete", None, HUGE, FollowUpOutcome.NOT_REACHED, None, None, None),
        ("retry", dt.datetime.max, "", None, None, None, None),
    ],
)
@example(
    kind=FollowUpKind.CALL,
    purpose=FollowUpPurpose.DELIVERY,
    when=dt.datetime(9999, 12, 31, 10),
    duration=15,
    text="",
    actions=[
        ("complete", None, "", FollowUpOutcome.NOT_REACHED, None, None, None),
        ("retry", None, "", None, None, None, None),
    ],
)
@example(
    kind=FollowUpKind.CALL,
    purpose=FollowUpPurpose.DELIVERY,
    when=NOW,
    duration=15,
    text="",
    actions=[
        ("cancel", None, "\ud800", None, None, None, None),
        ("missed", None, "x", None, None, None, None),
    ],
)
def test_follow_up_actions_succeed_or_are_refused(world, kind, purpose, when, duration, text, actions):
    result = attempt(
        followups.schedule_follow_up,
        world["customer"],
        kind,
        purpose,
        when,
        duration_minutes=duration,
        place=text,
        notes=text,
        sold_unit_id=world["units"][0],
        confirm_past=True,
        acting_rep_id=world["ana"],
        now=NOW,
    )
    if result is not None:
        follow_up_id = result.follow_up_id
        for action, at, note, outcome, satisfaction, recommend, cause in actions:
            if action == "reschedule":
                attempt(followups.reschedule_follow_up, follow_up_id, at, confirm_past=True, now=NOW)
            elif action == "cancel":
                attempt(followups.cancel_follow_up, follow_up_id, note, world["ana"])
            elif action == "complete":
                attempt(
                    followups.complete_follow_up,
                    follow_up_id,
                    outcome,
                    note,
                    world["ana"],
                    satisfaction,
                    recommend,
                    NOW,
                    cause=cause,
                    schedule_retry=bool(satisfaction),
                )
            elif action == "missed":
                attempt(followups.mark_missed, follow_up_id, note, world["ana"], NOW)
            else:
                attempt(followups.retry_follow_up, follow_up_id, at, confirm_past=True, now=NOW)
    assert_invariants()


# --- correct-use checks ----------------------------------------------------------------------


@FUZZ
@given(
    unit=st.integers(0, 3),
    results=st.lists(st.one_of(choice_of(CheckAnswerResult), st.none()), min_size=3, max_size=4),
    notes=usual_text(""),
    present=usual_text("El cliente y su hija"),
    signature=st.one_of(st.none(), st.binary(max_size=20), st.just(b"\x89PNG\r\n\x1a\n" + b"\x00" * 8)),
    finish=st.booleans(),
    training_at=mostly(st.none(), usual_time),
)
@example(
    unit=0,
    results=[CheckAnswerResult.OK] * 3,
    notes="\ud800",
    present="\x00",
    signature=None,
    finish=True,
    training_at=None,
)
@example(
    unit=0,
    results=[CheckAnswerResult.NOT_OK] * 3,
    notes=HUGE,
    present=HUGE,
    signature=b"",
    finish=True,
    training_at=dt.datetime.max,
)
@example(
    unit=1,
    results=[CheckAnswerResult.NOT_OK] * 3,
    notes="",
    present="",
    signature=None,
    finish=True,
    training_at=dt.datetime.min,
)
@example(
    unit=3, results=["zz", 42, None], notes="", present="", signature=None, finish=True, training_at=None
)
def test_a_check_run_succeeds_or_is_refused(
    world, unit, results, notes, present, signature, finish, training_at
):
    unit_id = world["units"][unit]
    check_id = attempt(checks.start_check, unit_id, world["ana"], confirm_unit_status=True, now=NOW)
    if check_id is None:
        assert_invariants()
        return
    items = [a.item_id for a in checks.get_check(check_id).answers]
    answers = [AnswerInput(item, result, notes) for item, result in zip(items, results, strict=False)]
    attempt(checks.save_answers, check_id, answers, present, signature, notes, world["ana"])
    if finish:
        outcome = attempt(checks.finish_check, check_id, world["ana"], NOW)
        if outcome is not None and not outcome.passed:
            attempt(checks.schedule_training, check_id, world["ana"], at=training_at, now=NOW)
            if outcome.offer_case:
                attempt(checks.open_case_for_check, check_id, world["ana"], today=TODAY)
    assert_invariants()


# --- returns through their state machine ----------------------------------------------------

return_steps = st.lists(
    st.tuples(
        st.sampled_from(list(ReturnState)),
        usual_text("", "Recogida"),
        mostly(st.none(), any_text),
        mostly(
            st.sampled_from([None, "NEW-1", "new-1"]),
            st.one_of(st.sampled_from(["SN-1", "sn-2"]), short_text),
        ),
        usual_amount,
        mostly(st.none(), usual_time),
    ),
    max_size=6,
)
HAPPY_RETURN = [
    (ReturnState.RECEIVED, "", None, None, None, None),
    (ReturnState.INSPECTED, "", "Motor quemado", None, None, None),
    (ReturnState.APPROVED, "", None, None, None, None),
]


@FUZZ
@given(
    unit=st.integers(0, 3),
    reason=choice_of(ReturnReason),
    description=usual_text("No centrifuga"),
    reported_on=mostly(st.just(TODAY), usual_date),
    out_of_warranty=choice_of(OutOfWarrantyReason),
    steps=return_steps,
)
@example(
    unit=0,
    reason=ReturnReason.FAILURE_IN_USE,
    description="\ud800",
    reported_on=dt.date.min,
    out_of_warranty=None,
    steps=[],
)
@example(
    unit=0,
    reason=ReturnReason.FAILURE_IN_USE,
    description="x",
    reported_on=TODAY,
    out_of_warranty=None,
    steps=HAPPY_RETURN + [(ReturnState.REPLACED, "", None, "sn-2", None, None)],
)
@example(
    unit=1,
    reason=ReturnReason.FAILURE_IN_USE,
    description="x",
    reported_on=TODAY,
    out_of_warranty=None,
    steps=HAPPY_RETURN
    + [
        (ReturnState.REPLACED, "\x00", None, "\ud800", None, dt.datetime.max),
        (ReturnState.CLOSED, "", None, None, None, dt.datetime.max),
    ],
)
@example(
    unit=2,
    reason=ReturnReason.FAILURE_IN_USE,
    description=HUGE,
    reported_on=TODAY,
    out_of_warranty=None,
    steps=HAPPY_RETURN
    + [
        (ReturnState.REFUNDED, "", None, None, Decimal("NaN"), None),
        (ReturnState.REFUNDED, "", None, None, "1e30", None),
        (ReturnState.CREDITED, "", None, None, 2**63, None),
    ],
)
@example(
    unit=3,
    reason=ReturnReason.FAILURE_IN_USE,
    description="x",
    reported_on=TODAY,
    out_of_warranty=None,
    steps=[(ReturnState.CANCELLED, HUGE, None, None, None, dt.datetime.min)],
)
def test_a_return_through_its_states_succeeds_or_is_refused(
    world, unit, reason, description, reported_on, out_of_warranty, steps
):
    return_id = attempt(
        returns.open_return,
        world["units"][unit],
        reason,
        description,
        reported_on,
        world["ana"],
        out_of_warranty_reason=out_of_warranty,
        today=TODAY,
    )
    if return_id is not None:
        for target, note, inspection, serial, amount, at in steps:
            attempt(
                returns.advance_return,
                return_id,
                target,
                world["ana"],
                note,
                inspection_note=inspection,
                replacement_serial=serial,
                refund_amount=amount,
                at=at,
            )
        attempt(returns.set_return_costs, return_id, steps[0][4] if steps else 0, "1.50", -1, world["ana"])
    assert_invariants()


# --- cases through their state machine -------------------------------------------------------

case_steps = st.lists(
    st.tuples(
        st.sampled_from(list(cases.CaseAction)),
        choice_of(CaseCategory),
        choice_of(Severity),
        choice_of(SolutionType),
        choice_of(ContactChannel),
        choice_of(ProposalAnswer),
        usual_amount,
        usual_text("Acepta el descuento"),
        mostly(st.none(), usual_date),
        mostly(st.just(7), st.one_of(small_int, st.sampled_from([10**6, 2**40]))),
    ),
    max_size=7,
)
_A = cases.CaseAction


def _case_step(case_id, rep, step):
    action, category, severity, solution, channel, answer, amount, text, on, days = step
    if action is _A.ANALYSE:
        attempt(cases.analyse_case, case_id, category, severity, rep, note=text, on=on)
    elif action is _A.PROPOSE:
        attempt(
            cases.propose_solution, case_id, solution, text, channel, rep, amount=amount, on=on, note=text
        )
    elif action is _A.RECORD_ANSWER:
        attempt(cases.record_answer, case_id, answer, rep, on=on, note=text)
    elif action is _A.COUNTER_PROPOSE:
        attempt(cases.counter_propose, case_id, solution, text, channel, rep, amount=amount, on=on)
    elif action is _A.MEDIATE:
        attempt(cases.refer_to_mediation, case_id, text, text, on, rep, note=text)
    elif action is _A.CLOSE:
        attempt(cases.close_case, case_id, rep, on=on, note=text, satisfaction_days=days)
    elif action is _A.CLOSE_MEDIATION:
        attempt(cases.close_after_mediation, case_id, text, rep, on=on, note=text, satisfaction_days=days)
    elif action is _A.FINISH:
        attempt(cases.finish_satisfaction, case_id, rep, note=text, on=on)
    elif action is _A.ACKNOWLEDGE:
        attempt(cases.acknowledge_case, case_id, rep, on=on, note=text)
    elif action is _A.FORWARD:
        attempt(cases.forward_case, case_id, text, rep, on=on, note=text)
    elif action is _A.CLOSE_NOTE:
        attempt(cases.close_note, case_id, text, rep, on=on, note=text)
    else:
        attempt(cases.open_return_from_case, case_id, rep, today=TODAY)


def _step(action, **changes):
    values = dict(
        category=CaseCategory.PRODUCT_DEFECT,
        severity=Severity.HIGH,
        solution=SolutionType.DISCOUNT,
        channel=ContactChannel.PHONE,
        answer=ProposalAnswer.ACCEPTED,
        amount=Decimal("20"),
        text="ok",
        on=None,
        days=7,
    )
    values.update(changes)
    return (action, *values.values())


@FUZZ
@given(
    kind=choice_of(CaseKind),
    channel=choice_of(ContactChannel),
    received_on=mostly(st.just(TODAY), usual_date),
    words=usual_text("La lavadora hace ruido"),
    compensation=usual_text("", "Un descuento"),
    unit=st.one_of(st.none(), st.integers(0, 3), st.just(999)),
    steps=case_steps,
)
@example(
    kind=CaseKind.COMPLAINT,
    channel=ContactChannel.EMAIL,
    received_on=dt.date.min,
    words="\ud800",
    compensation="",
    unit=None,
    steps=[],
)
@example(
    kind=CaseKind.CLAIM,
    channel=ContactChannel.EMAIL,
    received_on=TODAY,
    words=HUGE,
    compensation="Un descuento\x00",
    unit=0,
    steps=[
        _step(_A.ANALYSE, text="\ud800"),
        _step(_A.PROPOSE, amount=Decimal("NaN")),
        _step(_A.PROPOSE, amount=Decimal("1e30")),
        _step(_A.PROPOSE, on=dt.date.max),
        _step(_A.PROPOSE),
        _step(_A.RECORD_ANSWER, answer=ProposalAnswer.REJECTED, text="No."),
        _step(_A.MEDIATE, text=HUGE),
        _step(_A.MEDIATE),
        _step(_A.CLOSE_MEDIATION, on=dt.date.max, days=2**40),
    ],
)
@example(
    kind=CaseKind.COMPLAINT,
    channel=ContactChannel.EMAIL,
    received_on=TODAY,
    words="x",
    compensation="",
    unit=0,
    steps=[
        _step(_A.ANALYSE),
        _step(_A.PROPOSE, solution=SolutionType.EXCHANGE),
        _step(_A.RECORD_ANSWER),
        _step(_A.OPEN_RETURN),
        _step(_A.CLOSE, days=10**6),
    ],
)
@example(
    kind=CaseKind.SUGGESTION,
    channel=ContactChannel.WEB,
    received_on=TODAY,
    words="👨‍👩‍👧",
    compensation="",
    unit=None,
    steps=[
        _step(_A.ACKNOWLEDGE, on=dt.date.max),
        _step(_A.ACKNOWLEDGE),
        _step(_A.FORWARD, text="\ud800"),
        _step(_A.CLOSE_NOTE, text=HUGE),
    ],
)
def test_a_case_through_its_stages_succeeds_or_is_refused(
    world, kind, channel, received_on, words, compensation, unit, steps
):
    unit_id = None if unit is None else (world["units"][unit] if unit < 4 else unit)
    case_id = attempt(
        cases.receive_case,
        kind,
        world["customer"],
        channel,
        received_on,
        words,
        world["ana"],
        sold_unit_id=unit_id,
        requested_compensation=compensation,
        confirm_spoken_claim=True,
    )
    if case_id is not None:
        for step in steps:
            _case_step(case_id, world["ana"], step)
    assert_invariants()
