"""Cases: numbering, the stage table per type, the procedure's paths, deadlines and queries."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from app.demo import generate as demo
from app.models import (
    Case,
    CaseProposal,
    CaseStageChange,
    CharterCommitment,
    Customer,
    FollowUp,
    Product,
    ProductCategory,
    Sale,
    SaleLine,
    ServiceCharter,
    SoldUnit,
)
from app.models.enums import (
    CaseCategory,
    CaseKind,
    CaseStage,
    CharterIndicator,
    CharterType,
    ContactChannel,
    FollowUpPurpose,
    FollowUpState,
    ProposalAnswer,
    Severity,
    SolutionType,
)
from app.services import cases as svc
from app.services.cases import CaseAction, CaseFilter, ConfirmationRequired
from app.services.errors import DomainError, ValidationError
from app.services.reps import create_rep

S = CaseStage
DAY0 = dt.date(2026, 10, 1)
TODAY = dt.date(2026, 11, 23)


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


@pytest.fixture
def world(database):
    ana = create_rep("ANA", "Ana García")
    customer = Customer.create(code="C-1", name="Peña Hermanos", rep=ana.id)
    other = Customer.create(code="C-2", name="Bodegas Haro")
    category = ProductCategory.create(code="wash", name="Lavadoras")
    product = Product.create(sku="LV-1", name="Lavadora X", category=category, price=500)
    sale = Sale.create(number="S-1", customer=customer, rep=ana.id, sold_on=day(-30), delivered_on=day(-28))
    line = SaleLine.create(sale=sale, product=product, unit_price=500)
    unit = SoldUnit.create(line=line, customer=customer, product=product, serial_number="SN1")
    return {"ana": ana, "customer": customer, "other": other, "sale": sale, "unit": unit}


def receive(world, kind=CaseKind.COMPLAINT, channel=ContactChannel.EMAIL, on=DAY0, **kwargs) -> int:
    if kind is CaseKind.CLAIM:
        kwargs.setdefault("requested_compensation", "Quiero 100 euros")
    return svc.receive_case(kind, world["customer"].id, channel, on, "No funciona", world["ana"].id, **kwargs)


def stages(case_id: int) -> list[CaseStage]:
    query = CaseStageChange.select().where(CaseStageChange.case == case_id).order_by(CaseStageChange.id)
    return [h.to_stage for h in query]


def case(case_id: int) -> Case:
    return Case.get_by_id(case_id)


# --- reception and numbering ----------------------------------------------------------------


def test_cases_are_numbered_per_year_without_gaps(world):
    first = receive(world, on=dt.date(2025, 12, 30))
    second = receive(world, on=dt.date(2026, 1, 2))
    third = receive(world, kind=CaseKind.SUGGESTION, on=dt.date(2026, 1, 3))
    assert [case(i).number for i in (first, second, third)] == [
        "REC-2025-0001",
        "REC-2026-0001",
        "SUG-2026-0001",  # suggestions have their own series (tests/services/test_case_numbers.py)
    ]
    assert case(third).stage is S.RECEIVED and case(first).stage is S.RECEPTION
    assert stages(first) == [S.RECEPTION]
    assert case(first).rep_id == world["ana"].id


def test_a_claim_records_the_compensation_asked_for(world):
    with pytest.raises(ValidationError) as refused:
        svc.receive_case(CaseKind.CLAIM, world["customer"].id, ContactChannel.POST, DAY0, "Llegó roto", None)
    assert "requested_compensation" in refused.value.errors
    claim = receive(world, kind=CaseKind.CLAIM, channel=ContactChannel.POST)
    assert case(claim).requested_compensation == "Quiero 100 euros"
    complaint = receive(world, requested_compensation="ignored")
    assert case(complaint).requested_compensation == ""


@pytest.mark.parametrize("channel", [ContactChannel.PHONE, ContactChannel.IN_PERSON])
def test_a_claim_through_a_spoken_channel_asks_for_confirmation(world, channel):
    with pytest.raises(ConfirmationRequired):
        receive(world, kind=CaseKind.CLAIM, channel=channel)
    assert Case.select().count() == 0
    claim = receive(world, kind=CaseKind.CLAIM, channel=channel, confirm_spoken_claim=True)
    assert case(claim).kind is CaseKind.CLAIM
    # … or it is changed to a complaint, which needs no confirmation.
    assert case(receive(world, kind=CaseKind.COMPLAINT, channel=channel)).kind is CaseKind.COMPLAINT


def test_reception_refuses_bad_input(world):
    with pytest.raises(ValidationError) as refused:
        svc.receive_case(
            CaseKind.COMPLAINT, world["customer"].id, ContactChannel.EMAIL, DAY0, "  ", None, sold_unit_id=999
        )
    assert set(refused.value.errors) == {"customer_words", "sold_unit_id"}
    with pytest.raises(ValidationError) as refused:
        svc.receive_case(
            CaseKind.COMPLAINT,
            world["other"].id,
            ContactChannel.EMAIL,
            dt.date.today() + dt.timedelta(days=1),
            "x",
            None,
            sold_unit_id=world["unit"].id,
        )
    assert set(refused.value.errors) == {"received_on", "sold_unit_id"}


def test_the_unit_links_its_sale(world):
    case_id = receive(world, sold_unit_id=world["unit"].id)
    assert case(case_id).sale_id == world["sale"].id


# --- the stage grid -------------------------------------------------------------------------

ALLOWED = {
    "complaint": {
        (S.RECEPTION, S.ANALYSIS),
        (S.ANALYSIS, S.SERVICE),
        (S.SERVICE, S.INTERNAL_NEGOTIATION),
        (S.SERVICE, S.SATISFACTION),
        (S.INTERNAL_NEGOTIATION, S.EXTERNAL_MEDIATION),
        (S.INTERNAL_NEGOTIATION, S.SATISFACTION),
        (S.EXTERNAL_MEDIATION, S.CLOSED),
        (S.SATISFACTION, S.CLOSED),
    },
    "note": {(S.RECEIVED, S.ACKNOWLEDGED), (S.ACKNOWLEDGED, S.FORWARDED), (S.FORWARDED, S.CLOSED)},
}
GRID = [
    (kind, source, target) for kind in CaseKind for source, target in itertools.product(CaseStage, CaseStage)
]


@pytest.mark.parametrize(("kind", "source", "target"), GRID)
def test_the_stage_table_allows_exactly_the_procedure(kind, source, target):
    allowed = ALLOWED["complaint" if kind in svc.COMPLAINT_KINDS else "note"]
    assert svc.can_transition(kind, source, target) is ((source, target) in allowed)


def test_every_history_the_demo_generates_is_allowed():
    for stage, paths in demo._COMPLAINT_PATHS.items():
        for path, _weight in paths:
            for kind in svc.COMPLAINT_KINDS:
                assert svc.can_transition(kind, None, path[0])
                assert all(svc.can_transition(kind, a, b) for a, b in itertools.pairwise(path)), path
                assert path[-1] is stage
    for path in demo._NOTE_PATHS.values():
        for kind in svc.NOTE_KINDS:
            assert svc.can_transition(kind, None, path[0])
            assert all(svc.can_transition(kind, a, b) for a, b in itertools.pairwise(path)), path


def _walk_complaint_to(world, stage: CaseStage, kind=CaseKind.COMPLAINT) -> int:
    """A case driven through the commands to `stage`."""
    case_id = receive(world, kind=kind)
    rep = world["ana"].id
    plan = {
        S.ANALYSIS: [lambda: svc.analyse_case(case_id, CaseCategory.BILLING, Severity.LOW, rep, on=day(1))],
        S.SERVICE: [
            lambda: svc.propose_solution(
                case_id, SolutionType.APOLOGY, "Perdón", ContactChannel.EMAIL, rep, on=day(2)
            )
        ],
        S.INTERNAL_NEGOTIATION: [lambda: svc.record_answer(case_id, ProposalAnswer.REJECTED, rep, on=day(3))],
        S.EXTERNAL_MEDIATION: [
            lambda: svc.counter_propose(
                case_id, SolutionType.DISCOUNT, "10 %", ContactChannel.EMAIL, rep, amount=20, on=day(4)
            ),
            lambda: svc.record_answer(case_id, ProposalAnswer.REJECTED, rep, on=day(5)),
            lambda: svc.refer_to_mediation(case_id, "Junta Arbitral", "JAC-1", day(6), rep),
        ],
        S.CLOSED: [lambda: svc.close_after_mediation(case_id, "Laudo favorable", rep, on=day(20))],
    }
    for step in (S.ANALYSIS, S.SERVICE, S.INTERNAL_NEGOTIATION, S.EXTERNAL_MEDIATION, S.CLOSED):
        if case(case_id).stage is stage:
            break
        for command in plan[step]:
            command()
    return case_id


def _walk_note_to(world, stage: CaseStage, kind=CaseKind.SUGGESTION) -> int:
    case_id = receive(world, kind=kind)
    rep = world["ana"].id
    steps = [
        (S.ACKNOWLEDGED, lambda: svc.acknowledge_case(case_id, rep, on=day(1))),
        (S.FORWARDED, lambda: svc.forward_case(case_id, "Logística", rep, on=day(2))),
        (S.CLOSED, lambda: svc.close_note(case_id, "Se estudiará", rep, on=day(3))),
    ]
    for _target, command in steps:
        if case(case_id).stage is stage:
            break
        command()
    return case_id


@pytest.mark.parametrize(
    ("kind", "stage", "expected"),
    [
        (kind, stage, expected)
        for kind in svc.COMPLAINT_KINDS
        for stage, expected in [
            (S.RECEPTION, [CaseAction.ANALYSE]),
            (S.ANALYSIS, [CaseAction.PROPOSE]),
            (S.SERVICE, [CaseAction.RECORD_ANSWER]),
            (S.INTERNAL_NEGOTIATION, [CaseAction.COUNTER_PROPOSE, CaseAction.MEDIATE]),
            (S.EXTERNAL_MEDIATION, [CaseAction.CLOSE_MEDIATION]),
            (S.CLOSED, []),
        ]
    ]
    + [
        (kind, stage, expected)
        for kind in svc.NOTE_KINDS
        for stage, expected in [
            (S.RECEIVED, [CaseAction.ACKNOWLEDGE]),
            (S.ACKNOWLEDGED, [CaseAction.FORWARD]),
            (S.FORWARDED, [CaseAction.CLOSE_NOTE]),
            (S.CLOSED, []),
        ]
    ],
)
def test_only_the_actions_of_the_stage_are_allowed_and_the_others_are_refused(world, kind, stage, expected):
    walk = _walk_complaint_to if kind in svc.COMPLAINT_KINDS else _walk_note_to
    case_id = walk(world, stage, kind)
    assert case(case_id).stage is stage
    assert svc.allowed_actions(case_id) == expected
    rep = world["ana"].id
    commands = {
        CaseAction.ANALYSE: lambda: svc.analyse_case(case_id, CaseCategory.OTHER, Severity.LOW, rep),
        CaseAction.PROPOSE: lambda: svc.propose_solution(
            case_id, SolutionType.APOLOGY, "x", ContactChannel.EMAIL, rep
        ),
        CaseAction.RECORD_ANSWER: lambda: svc.record_answer(case_id, ProposalAnswer.ACCEPTED, rep),
        CaseAction.COUNTER_PROPOSE: lambda: svc.counter_propose(
            case_id, SolutionType.APOLOGY, "x", ContactChannel.EMAIL, rep
        ),
        CaseAction.MEDIATE: lambda: svc.refer_to_mediation(case_id, "OMIC", "", dt.date.today(), rep),
        CaseAction.CLOSE: lambda: svc.close_case(case_id, rep),
        CaseAction.CLOSE_MEDIATION: lambda: svc.close_after_mediation(case_id, "x", rep),
        CaseAction.FINISH: lambda: svc.finish_satisfaction(case_id, rep),
        CaseAction.ACKNOWLEDGE: lambda: svc.acknowledge_case(case_id, rep),
        CaseAction.FORWARD: lambda: svc.forward_case(case_id, "x", rep),
        CaseAction.CLOSE_NOTE: lambda: svc.close_note(case_id, "x", rep),
        CaseAction.OPEN_RETURN: lambda: svc.open_return_from_case(case_id, rep, opener=lambda *a, **k: 1),
    }
    history = stages(case_id)
    for action, command in commands.items():
        if action in expected:
            continue
        with pytest.raises(DomainError):
            command()
        assert case(case_id).stage is stage and stages(case_id) == history


# --- the paths of the procedure -------------------------------------------------------------


def test_accepted_at_first_proposal_closes_into_the_satisfaction_analysis(world):
    rep = world["ana"].id
    case_id = receive(world, sold_unit_id=world["unit"].id)
    suggested = svc.analyse_case(
        case_id, CaseCategory.PRODUCT_DEFECT, Severity.HIGH, rep, on=day(1), note="Avería"
    )
    assert suggested is SolutionType.TECHNICAL_ASSISTANCE
    svc.propose_solution(case_id, SolutionType.EXCHANGE, "Cambio", ContactChannel.PHONE, rep, on=day(2))
    assert case(case_id).first_answer_on == day(2) and case(case_id).agreed_channel is ContactChannel.PHONE
    with pytest.raises(DomainError, match="solution has been proposed and the customer has answered"):
        svc.close_case(case_id, rep, on=day(3))  # still waiting for the customer: the case stays open
    assert svc.record_answer(case_id, ProposalAnswer.ACCEPTED, rep, on=day(3)) is S.SERVICE
    assert svc.allowed_actions(case_id) == [CaseAction.CLOSE, CaseAction.OPEN_RETURN]
    opened = []
    assert svc.open_return_from_case(case_id, rep, opener=lambda *a, **k: opened.append((a, k)) or 77) == 77
    assert opened[0][0][0] == world["unit"].id and opened[0][1]["case_id"] == case_id
    result = svc.close_case(case_id, rep, on=day(5), satisfaction_days=7)
    assert result.stage is S.SATISFACTION and case(case_id).closed_on == day(5)
    follow_up = FollowUp.get_by_id(result.satisfaction_follow_up_id)
    assert follow_up.purpose is FollowUpPurpose.SATISFACTION and follow_up.case_id == case_id
    assert follow_up.scheduled_at.date() == day(12) and follow_up.state is FollowUpState.PLANNED
    assert svc.allowed_actions(case_id) == [CaseAction.FINISH, CaseAction.OPEN_RETURN]
    svc.finish_satisfaction(case_id, rep, on=day(12))
    assert stages(case_id) == [S.RECEPTION, S.ANALYSIS, S.SERVICE, S.SATISFACTION, S.CLOSED]
    detail = svc.get_case(case_id, today=TODAY)
    assert [p.answer for p in detail.proposals] == [ProposalAnswer.ACCEPTED]
    assert detail.timeline[1].note == "Avería" and detail.product_name == "Lavadora X"
    assert [f.id for f in detail.follow_ups] == [follow_up.id]


def test_the_survey_of_the_satisfaction_call_links_back_to_the_case(world):
    from app.models.enums import FollowUpOutcome
    from app.services import followups

    rep = world["ana"].id
    case_id = _walk_complaint_to(world, S.SERVICE)
    svc.record_answer(case_id, ProposalAnswer.ACCEPTED, rep, on=day(3))
    result = svc.close_case(case_id, rep, on=day(4))
    followups.complete_follow_up(
        result.satisfaction_follow_up_id,
        FollowUpOutcome.REACHED,
        "Bien",
        rep,
        5,
        9,
        dt.datetime(2026, 10, 12, 10),
    )
    surveys = svc.get_case(case_id).surveys
    assert [(s.satisfaction, s.recommend) for s in surveys] == [(5, 9)]


def test_rejected_then_agreed_in_internal_negotiation(world):
    rep = world["ana"].id
    case_id = _walk_complaint_to(world, S.INTERNAL_NEGOTIATION, CaseKind.CLAIM)
    assert svc.allowed_actions(case_id) == [CaseAction.COUNTER_PROPOSE, CaseAction.MEDIATE]
    with pytest.raises(ValidationError) as refused:
        svc.counter_propose(case_id, SolutionType.GIFT, "Un regalo", ContactChannel.EMAIL, rep, on=day(4))
    assert "amount" in refused.value.errors  # a gift or discount says how much
    svc.counter_propose(
        case_id, SolutionType.GIFT, "Un regalo", ContactChannel.EMAIL, rep, amount="30", on=day(4)
    )
    assert svc.allowed_actions(case_id) == [CaseAction.RECORD_ANSWER]
    svc.record_answer(case_id, ProposalAnswer.REJECTED, rep, on=day(5))
    svc.counter_propose(
        case_id, SolutionType.DISCOUNT, "Descuento", ContactChannel.EMAIL, rep, amount=50, on=day(6)
    )
    svc.record_answer(case_id, ProposalAnswer.ACCEPTED, rep, on=day(7))
    svc.close_case(case_id, rep, on=day(8))
    proposals = list(CaseProposal.select().where(CaseProposal.case == case_id).order_by(CaseProposal.round))
    assert [(p.round, p.answer) for p in proposals] == [
        (1, ProposalAnswer.REJECTED),
        (2, ProposalAnswer.REJECTED),
        (3, ProposalAnswer.ACCEPTED),
    ]
    assert proposals[2].amount == Decimal("50.00")
    assert stages(case_id) == [S.RECEPTION, S.ANALYSIS, S.SERVICE, S.INTERNAL_NEGOTIATION, S.SATISFACTION]


def test_no_agreement_goes_to_external_mediation_and_closes_with_its_outcome(world):
    rep = world["ana"].id
    case_id = _walk_complaint_to(world, S.EXTERNAL_MEDIATION)
    c = case(case_id)
    assert (c.mediation_body, c.mediation_reference, c.mediation_on) == ("Junta Arbitral", "JAC-1", day(6))
    with pytest.raises(ValidationError):
        svc.close_after_mediation(case_id, "  ", rep, on=day(9))
    result = svc.close_after_mediation(case_id, "Laudo: descuento del 10 %", rep, on=day(30))
    assert result.stage is S.CLOSED and case(case_id).closed_on == day(30)
    assert case(case_id).mediation_outcome == "Laudo: descuento del 10 %"
    assert FollowUp.get_by_id(result.satisfaction_follow_up_id).case_id == case_id
    assert stages(case_id)[-2:] == [S.EXTERNAL_MEDIATION, S.CLOSED]


def test_suggestions_are_acknowledged_forwarded_and_closed_with_the_response(world):
    case_id = _walk_note_to(world, S.CLOSED, CaseKind.COMPLIMENT)
    c = case(case_id)
    assert (c.first_answer_on, c.department, c.department_response, c.closed_on) == (
        day(1),
        "Logística",
        "Se estudiará",
        day(3),
    )
    assert stages(case_id) == [S.RECEIVED, S.ACKNOWLEDGED, S.FORWARDED, S.CLOSED]


def test_dates_before_the_reception_are_refused(world):
    rep = world["ana"].id
    case_id = receive(world, on=day(10))
    with pytest.raises(ValidationError, match="before the case was received"):
        svc.analyse_case(case_id, CaseCategory.OTHER, Severity.LOW, rep, on=day(9))
    svc.analyse_case(case_id, CaseCategory.OTHER, Severity.LOW, rep, on=day(10))
    with pytest.raises(ValidationError):
        svc.propose_solution(case_id, SolutionType.APOLOGY, "x", ContactChannel.EMAIL, rep, on=day(2))
    svc.propose_solution(case_id, SolutionType.APOLOGY, "x", ContactChannel.EMAIL, rep, on=day(11))
    with pytest.raises(ValidationError):
        svc.record_answer(case_id, ProposalAnswer.REJECTED, rep, on=day(5))
    note = _walk_note_to(world, S.RECEIVED)
    with pytest.raises(ValidationError):
        svc.acknowledge_case(note, rep, on=day(-1))
    assert case(case_id).stage is S.SERVICE and case(note).stage is S.RECEIVED


# --- deadlines and queries ------------------------------------------------------------------


def _charter(indicator: CharterIndicator, days: int) -> None:
    charter = ServiceCharter.create(
        type=CharterType.CUSTOMER_ATTENTION, title="Carta", valid_from=DAY0, active=True
    )
    CharterCommitment.create(charter=charter, position=1, text="x", indicator=indicator, days=days, target=95)


def _days(deadlines) -> tuple[int, int]:
    return deadlines.first_answer_days, deadlines.resolution_days


def test_deadlines_come_from_the_charter_else_the_defaults(world):
    assert _days(svc.case_deadlines()) == (10, 30)
    _charter(CharterIndicator.CLAIMS_ANSWERED, 5)
    _charter(CharterIndicator.COMPLAINTS_CLOSED, 20)
    assert _days(svc.case_deadlines()) == (5, 20)
    received = TODAY - dt.timedelta(days=6)
    case_id = receive(world, on=received)
    row = svc.get_case_row(case_id, today=TODAY)
    assert row.first_answer_due == received + dt.timedelta(days=5)
    assert row.resolution_due == received + dt.timedelta(days=20)
    assert row.days_open == 6 and row.overdue


def test_a_commitment_about_part_of_the_cases_sets_the_deadline_of_those_only(world):
    """Issue 20: a charter that answers billing complaints within 3 days and complaints about washers
    within 8 sets no first-answer deadline for the others (the default 10 days); a billing complaint
    about a washer takes the stricter 3."""
    charter = ServiceCharter.create(
        type=CharterType.CUSTOMER_ATTENTION, title="Carta", valid_from=DAY0, active=True
    )
    for position, (days, scope) in enumerate(
        ((3, {"case_categories": '["billing"]'}), (8, {"product_categories": '["wash"]'})), start=1
    ):
        CharterCommitment.create(
            charter=charter,
            position=position,
            text="x",
            indicator=CharterIndicator.CLAIMS_ANSWERED,
            days=days,
            target=95,
            **scope,
        )
    _charter(CharterIndicator.COMPLAINTS_CLOSED, 20)
    received = TODAY - dt.timedelta(days=5)
    cases = {}
    for name, category, unit in (
        ("billing", CaseCategory.BILLING, None),
        ("washer", CaseCategory.DELIVERY_DELAY, world["unit"].id),
        ("billing washer", CaseCategory.BILLING, world["unit"].id),
        ("other", CaseCategory.DELIVERY_DELAY, None),
    ):
        cases[name] = receive(world, on=received, sold_unit_id=unit)
        Case.update(category=category).where(Case.id == cases[name]).execute()
    assert _days(svc.case_deadlines()) == (10, 20)  # for a case no commitment is about
    due = {name: svc.get_case_row(case_id, today=TODAY).first_answer_due for name, case_id in cases.items()}
    assert due == {
        "billing": received + dt.timedelta(days=3),
        "washer": received + dt.timedelta(days=8),
        "billing washer": received + dt.timedelta(days=3),
        "other": received + dt.timedelta(days=10),
    }
    assert {svc.get_case_row(i, today=TODAY).resolution_due for i in cases.values()} == {
        received + dt.timedelta(days=20)
    }
    # The list's overdue filter (SQL) agrees with each row's own deadline.
    overdue = {row.id for row in svc.list_cases(CaseFilter(overdue_only=True), today=TODAY)}
    assert overdue == {cases["billing"], cases["billing washer"]}
    assert {i for i in cases.values() if svc.get_case_row(i, today=TODAY).overdue} == overdue
    later = TODAY + dt.timedelta(days=4)  # 9 days after reception: the washer's 8 have passed too
    overdue = {row.id for row in svc.list_cases(CaseFilter(overdue_only=True), today=later)}
    assert overdue == {cases["billing"], cases["billing washer"], cases["washer"]}


def test_overdue_is_derived_from_the_answer_and_resolution_targets(world):
    deadlines = svc.CaseDeadlines(10, 30)
    assert not svc.is_overdue(TODAY - dt.timedelta(days=10), None, None, TODAY, deadlines)
    assert svc.is_overdue(TODAY - dt.timedelta(days=11), None, None, TODAY, deadlines)
    assert not svc.is_overdue(TODAY - dt.timedelta(days=11), TODAY, None, TODAY, deadlines)
    assert svc.is_overdue(TODAY - dt.timedelta(days=31), TODAY, None, TODAY, deadlines)
    assert not svc.is_overdue(TODAY - dt.timedelta(days=31), TODAY, TODAY, TODAY, deadlines)


def test_list_filters_in_sql_and_pages(world):
    rep = world["ana"].id
    late = receive(world, on=TODAY - dt.timedelta(days=15))
    fresh = receive(world, kind=CaseKind.CLAIM, channel=ContactChannel.POST, on=TODAY - dt.timedelta(days=1))
    note = receive(world, kind=CaseKind.SUGGESTION, on=TODAY - dt.timedelta(days=40))
    svc.acknowledge_case(note, rep, on=TODAY - dt.timedelta(days=39))
    svc.analyse_case(fresh, CaseCategory.BILLING, Severity.HIGH, rep, on=TODAY)

    def ids(**kwargs):
        return [r.id for r in svc.list_cases(CaseFilter(**kwargs), today=TODAY)]

    assert ids() == [fresh, late, note]
    assert svc.count_cases(CaseFilter(), today=TODAY) == 3
    assert ids(kind=CaseKind.CLAIM) == [fresh]
    assert ids(stage=S.ACKNOWLEDGED) == [note]
    assert ids(category=CaseCategory.BILLING) == [fresh]
    assert ids(channel=ContactChannel.POST) == [fresh]
    assert ids(overdue_only=True) == [late, note]
    assert svc.count_cases(CaseFilter(overdue_only=True), today=TODAY) == 2
    assert ids(received_from=TODAY - dt.timedelta(days=20), received_to=TODAY - dt.timedelta(days=2)) == [
        late
    ]
    assert ids(rep_id=rep) == [fresh, late, note]
    assert ids(rep_id=rep + 100) == []
    assert ids(text="pena") == [fresh, late, note]  # accents ignored
    assert ids(text=case(late).number) == [late]
    page = svc.list_cases(CaseFilter(), today=TODAY, offset=1, limit=1)
    assert [r.id for r in page] == [late]


def test_the_warranty_return_opens_from_the_case(world):
    pytest.importorskip("app.services.returns")
    from app.models import WarrantyReturn

    unit = world["unit"]
    unit.warranty_ends_on = dt.date.today() + dt.timedelta(days=300)
    unit.save()
    rep = world["ana"].id
    received = dt.date.today() - dt.timedelta(days=5)
    case_id = receive(world, on=received, sold_unit_id=unit.id)
    svc.analyse_case(case_id, CaseCategory.PRODUCT_DEFECT, Severity.HIGH, rep)
    svc.propose_solution(case_id, SolutionType.RETURN, "Devolución", ContactChannel.EMAIL, rep)
    svc.record_answer(case_id, ProposalAnswer.ACCEPTED, rep)
    return_id = svc.open_return_from_case(case_id, rep)
    assert WarrantyReturn.get_by_id(return_id).case_id == case_id
    assert CaseAction.OPEN_RETURN not in svc.allowed_actions(case_id)  # one return per case
    assert svc.get_case(case_id).return_numbers == [WarrantyReturn.get_by_id(return_id).number]
