"""Hand-built datasets that several test modules share.

A test module builds what it needs through these functions (wrapped in its own small fixture), never by
importing another test module. Each dataset is documented where it is built; the figures the tests assert
are worked out from it by hand. Only models and the stable service names are imported here, so the file
needs no Qt and survives moves inside app/services.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from decimal import Decimal
from pathlib import Path

from app.demo import generate_demo
from app.models import (
    Case,
    CaseProposal,
    CaseStageChange,
    CharterCommitment,
    CheckAnswer,
    CheckItem,
    CheckTemplate,
    Customer,
    FollowUp,
    Product,
    ProductCategory,
    Rep,
    ReturnStatusChange,
    Sale,
    SaleLine,
    SatisfactionSurvey,
    ServiceCharter,
    SoldUnit,
    UsageCheck,
    WarrantyReturn,
)
from app.models.database import close_database, open_database
from app.models.enums import (
    CaseCategory,
    CaseKind,
    CaseStage,
    CharterIndicator,
    CharterType,
    CheckAnswerResult,
    CheckStatus,
    ContactChannel,
    FollowUpKind,
    FollowUpPurpose,
    FollowUpState,
    ProposalAnswer,
    RepRole,
    ReturnReason,
    ReturnState,
    Segment,
    SolutionType,
)
from app.services.reps import create_rep

#: Customer text that must reach every document literally: accents, markup characters, quotes, the euro.
NASTY = 'Peña & <Hijos> "Ñandú" €'


# --- customers, products, sales and warranty returns (value, risk, satisfaction, dashboard) ---------------

_numbers = itertools.count(1)


def product(code: str = "P1", category: str = "CAT") -> Product:
    cat, _ = ProductCategory.get_or_create(code=category, defaults={"name": category})
    return Product.create(sku=code, name=code, category=cat)


def customer(code: str, archived: bool = False, **fields) -> Customer:
    return Customer.create(code=code, name=f"Customer {code}", archived=archived, **fields)


def sale(who: Customer, on: dt.date, *lines: tuple[int, str], item: Product | None = None) -> list[SoldUnit]:
    """A sale with (quantity, unit price) lines; returns one sold unit per line."""
    item = item or Product.select().first() or product()
    record = Sale.create(number=f"S-{next(_numbers)}", customer=who, sold_on=on, delivered_on=on)
    units = []
    for quantity, price in lines:
        line = SaleLine.create(sale=record, product=item, quantity=quantity, unit_price=Decimal(price))
        units.append(SoldUnit.create(line=line, customer=who, product=item, quantity=quantity))
    return units


def warranty_return(
    unit: SoldUnit, state: ReturnState, refund: str | None, on: dt.date, through=()
) -> WarrantyReturn:
    n = next(_numbers)
    record = WarrantyReturn.create(
        number=f"RMA-{on.year}-{n:04d}",
        year=on.year,
        sequence=n,
        sold_unit=unit,
        customer=unit.customer,
        reason=ReturnReason.FAILURE_IN_USE,
        reported_on=on,
        state=state,
        under_warranty=True,
        warranty_days=100,
        refund_amount=Decimal(refund) if refund is not None else None,
        resolved_on=on,
    )
    for target in (*through, state):
        ReturnStatusChange.create(warranty_return=record, to_state=target)
    return record


# --- the dashboard's world: today 23 November 2026, noon ------------------------------------------------

DASHBOARD_TODAY = dt.date(2026, 11, 23)
DASHBOARD_NOW = dt.datetime(2026, 11, 23, 12, 0)
_dashboard_numbers = itertools.count(1)


def _follow_up(who, rep, at, state=FollowUpState.PLANNED):
    FollowUp.create(
        customer=who,
        rep=rep,
        kind=FollowUpKind.CALL,
        purpose=FollowUpPurpose.COMMERCIAL,
        scheduled_at=at,
        state=state,
    )


def _a_return(who, rep, reported_on, state=ReturnState.REQUESTED):
    n = next(_dashboard_numbers)
    unit = sale(who, dt.date(2026, 1, 1), (1, "100.00"))[0]
    WarrantyReturn.create(
        number=f"RMA-2026-{n:04d}",
        year=2026,
        sequence=n,
        sold_unit=unit,
        customer=who,
        rep=rep,
        reason=ReturnReason.FAILURE_IN_USE,
        reported_on=reported_on,
        state=state,
        under_warranty=True,
        warranty_days=100,
    )


def _a_case(who, rep, received_on, closed_on=None, answered=None):
    n = next(_dashboard_numbers)
    Case.create(
        number=f"CASE-2026-{n:04d}",
        year=2026,
        sequence=n,
        kind=CaseKind.COMPLAINT,
        stage=CaseStage.RECEPTION,
        customer=who,
        rep=rep,
        channel=ContactChannel.PHONE,
        received_on=received_on,
        closed_on=closed_on,
        first_answer_on=answered,
    )


def build_dashboard_world() -> dict:
    """Three reps, six customers (one archived), follow-ups, returns and cases around 23 Nov 2026."""
    product()
    ana = create_rep("ANA", "Ana")
    bea = create_rep("BEA", "Bea")
    create_rep("BOSS", "Boss", RepRole.MANAGER)
    c1 = customer("C1", segment=Segment.A)
    c2 = customer("C2", segment=Segment.B)
    customer("C3", segment=Segment.C)
    customer("C4", segment=Segment.C)
    customer("C5")  # never segmented
    customer("C6", segment=Segment.A, archived=True)  # archived: not counted
    # Follow-ups: Ana has 2 planned today (one already past: also overdue), 1 done today, 1 overdue yesterday,
    # 1 tomorrow; Bea 1 planned today and 1 cancelled overdue (not counted).
    _follow_up(c1, ana.id, dt.datetime(2026, 11, 23, 9, 0))
    _follow_up(c1, ana.id, dt.datetime(2026, 11, 23, 17, 0))
    _follow_up(c1, ana.id, dt.datetime(2026, 11, 23, 10, 0), FollowUpState.DONE)
    _follow_up(c1, ana.id, dt.datetime(2026, 11, 22, 10, 0))
    _follow_up(c1, ana.id, dt.datetime(2026, 11, 24, 0, 0))
    _follow_up(c2, bea.id, dt.datetime(2026, 11, 23, 23, 59))
    _follow_up(c2, bea.id, dt.datetime(2026, 11, 1, 10, 0), FollowUpState.CANCELLED)
    # Returns: Ana 1 open overdue, 1 open recent, 1 closed old; Bea 1 open overdue.
    _a_return(c1, ana.id, DASHBOARD_TODAY - dt.timedelta(days=90))
    _a_return(c1, ana.id, DASHBOARD_TODAY)
    _a_return(c1, ana.id, DASHBOARD_TODAY - dt.timedelta(days=200), ReturnState.CLOSED)
    _a_return(c2, bea.id, DASHBOARD_TODAY - dt.timedelta(days=90), ReturnState.RECEIVED)
    # Cases: Ana 1 open overdue (unanswered for months), 1 open on time, 1 closed; Bea 1 open on time.
    _a_case(c1, ana.id, DASHBOARD_TODAY - dt.timedelta(days=120))
    _a_case(c1, ana.id, DASHBOARD_TODAY, answered=DASHBOARD_TODAY)
    _a_case(
        c1,
        ana.id,
        DASHBOARD_TODAY - dt.timedelta(days=120),
        closed_on=DASHBOARD_TODAY - dt.timedelta(days=100),
        answered=DASHBOARD_TODAY - dt.timedelta(days=119),
    )
    _a_case(c2, bea.id, DASHBOARD_TODAY - dt.timedelta(days=1))
    return {"ana": ana, "bea": bea}


def charter(active: bool, *commitments) -> None:
    """A customer-attention charter in force since 1 January of the dashboard's year (so every current
    period is measured whole); commitments are (indicator, target, period[, days])."""
    record = ServiceCharter.create(
        type=CharterType.CUSTOMER_ATTENTION,
        title="Attention",
        valid_from=DASHBOARD_TODAY.replace(month=1, day=1),
        active=active,
    )
    for position, (indicator, target, period, *days) in enumerate(commitments, 1):
        CharterCommitment.create(
            charter=record,
            position=position,
            text=f"We commit #{position}",
            indicator=indicator,
            target=target,
            period=period,
            days=days[0] if days else None,
        )


# --- the annual register of complaints and claims: 2026, today 23 November --------------------------------

REGISTER_TODAY = dt.date(2026, 11, 23)


def build_register_dataset() -> None:
    """Six complaints and claims in 2026 (four closed: accepted ×2, mediated, without agreement; two open),
    plus a suggestion, a compliment and a complaint of 2025 that the register leaves out.

    | number | type      | received | category | answered | closed | outcome                     |
    | 0001   | complaint | 10/01    | defect   | +2       | +10    | accepted (exchange)         |
    | 0002   | claim     | 25/01    | billing  | +5       | +20    | accepted in round 2 (50 €)  |
    | 0003   | claim     | 05/03    | defect   | +1       | +46    | mediation                   |
    | 0004   | complaint | 15/03    | staff    | +3       | +4     | closed without agreement    |
    | 0005   | suggestion, 0006 compliment: not in the register                               |
    | 0007   | claim     | 20/10    | delay    | +2       | open (34 days so far on 23/11)        |
    | 0008   | complaint | 01/11    | —        | open (22 days so far)  | open                  |
    """
    K, CH, CAT, A, SOL = CaseKind, ContactChannel, CaseCategory, ProposalAnswer, SolutionType

    def d(month: int, day: int, year: int = 2026) -> dt.date:
        return dt.date(year, month, day)

    nasty = Customer.create(code="C-00017", name=NASTY)
    other = Customer.create(code="C-00002", name="Ana Ruiz")

    def case(
        sequence,
        kind,
        customer,
        channel,
        received,
        category=None,
        answered=None,
        closed=None,
        stage=CaseStage.CLOSED,
        proposals=(),
        year=2026,
        **extra,
    ):
        c = Case.create(
            number=f"CASE-{year}-{sequence:04d}",
            year=year,
            sequence=sequence,
            kind=kind,
            stage=stage,
            customer=customer,
            channel=channel,
            received_on=received,
            category=category,
            first_answer_on=answered,
            closed_on=closed,
            **extra,
        )
        for round_, (solution, detail, amount, answer) in enumerate(proposals, start=1):
            CaseProposal.create(
                case=c,
                round=round_,
                proposed_on=answered or received,
                solution_type=solution,
                detail=detail,
                amount=amount,
                answer=answer,
            )
        return c

    case(
        1,
        K.COMPLAINT,
        nasty,
        CH.EMAIL,
        d(1, 10),
        CAT.PRODUCT_DEFECT,
        d(1, 12),
        d(1, 20),
        proposals=[(SOL.EXCHANGE, "A new unit <same model>", None, A.ACCEPTED)],
    )
    case(
        2,
        K.CLAIM,
        other,
        CH.POST,
        d(1, 25),
        CAT.BILLING,
        d(1, 30),
        d(2, 14),
        proposals=[
            (SOL.DISCOUNT, "5 % off", Decimal("20.00"), A.REJECTED),
            (SOL.DISCOUNT, "10 % off the next purchase", Decimal("50.00"), A.ACCEPTED),
        ],
    )
    case(
        3,
        K.CLAIM,
        nasty,
        CH.WEB,
        d(3, 5),
        CAT.PRODUCT_DEFECT,
        d(3, 6),
        d(4, 20),
        proposals=[
            (SOL.TECHNICAL_ASSISTANCE, "Repair", None, A.REJECTED),
            (SOL.GIFT, "A gift", Decimal("30.00"), A.REJECTED),
        ],
        mediation_body="Junta Arbitral de Consumo",
        mediation_on=d(4, 1),
        mediation_outcome="Refund of half the price",
    )
    case(
        4,
        K.COMPLAINT,
        other,
        CH.PHONE,
        d(3, 15),
        CAT.STAFF_CONDUCT,
        d(3, 18),
        d(3, 19),
        proposals=[(SOL.APOLOGY, "Letter", None, A.REJECTED)],
    )
    case(5, K.SUGGESTION, other, CH.WEB, d(2, 1), answered=d(2, 2), closed=d(2, 5))
    case(6, K.COMPLIMENT, nasty, CH.EMAIL, d(6, 1), answered=d(6, 2), closed=d(6, 3))
    case(
        7,
        K.CLAIM,
        other,
        CH.EMAIL,
        d(10, 20),
        CAT.DELIVERY_DELAY,
        d(10, 22),
        None,
        stage=CaseStage.SERVICE,
        proposals=[(SOL.APOLOGY, "Apology", None, A.PENDING)],
    )
    case(8, K.COMPLAINT, nasty, CH.IN_PERSON, d(11, 1), stage=CaseStage.RECEPTION)
    case(9, K.COMPLAINT, other, CH.EMAIL, d(12, 31, 2025), CAT.OTHER, d(1, 2), d(1, 5), year=2025)


# --- the activity report: March 2026, today 20 March ---------------------------------------------------

ACTIVITY_TODAY = dt.date(2026, 3, 20)
ACTIVITY_MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def build_activity_dataset() -> dict:
    """Two reps, follow-ups in every state, checks, returns with costs, cases, surveys, an active charter."""
    K, P, S, RS = FollowUpKind, FollowUpPurpose, FollowUpState, ReturnState
    OK, NOT_OK, NA = CheckAnswerResult.OK, CheckAnswerResult.NOT_OK, CheckAnswerResult.NOT_APPLICABLE

    def d(month: int, day: int) -> dt.date:
        return dt.date(2026, month, day)

    def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
        return dt.datetime(2026, month, day, hour, minute)

    ana = Rep.create(code="ANA", name="Ana García")
    bob = Rep.create(code="BOB", name="Bob Smith")
    customer = Customer(code="C-1", name=NASTY, rep=ana)
    customer.save()
    other = Customer(code="C-2", name="Lucía Martín", rep=bob)
    other.save()
    category = ProductCategory.create(code="WASH", name="Lavadoras")
    washer = Product.create(sku="LV-1", name="Lavadora X", category=category)
    sale = Sale.create(number="V-1", customer=customer, rep=ana, sold_on=d(1, 10), delivered_on=d(1, 12))
    line = SaleLine.create(sale=sale, product=washer, quantity=1, unit_price=Decimal("499.00"))
    units = [
        SoldUnit.create(line=line, customer=customer, product=washer, serial_number=f"SN-{n}")
        for n in range(6)
    ]

    def follow_up(rep, kind, purpose, when, state, completed=None, who=customer):
        return FollowUp.create(
            customer=who,
            rep=rep,
            kind=kind,
            purpose=purpose,
            scheduled_at=when,
            state=state,
            completed_at=completed,
        )

    # March (the period): 8 follow-ups.
    follow_up(ana, K.CALL, P.DELIVERY, at(3, 3), S.DONE, at(3, 3, 10, 10))
    follow_up(ana, K.CALL, P.DELIVERY, at(3, 5), S.MISSED)
    follow_up(ana, K.VISIT, P.USAGE_CHECK, at(3, 10), S.DONE, at(3, 12))
    follow_up(ana, K.CALL, P.SATISFACTION, at(3, 15), S.PLANNED)  # overdue
    follow_up(bob, K.CALL, P.COMMERCIAL, at(3, 18), S.CANCELLED, who=other)
    follow_up(bob, K.VISIT, P.USAGE_CHECK, at(3, 25), S.PLANNED, who=other)  # still to come
    follow_up(bob, K.CALL, P.SATISFACTION, at(3, 20, 9), S.PLANNED, who=other)  # today: not overdue yet
    follow_up(None, K.EMAIL, P.COMMERCIAL, at(3, 31, 23, 30), S.DONE, at(3, 19))
    # Previous period (February, the month before March) and outside both.
    follow_up(bob, K.CALL, P.DELIVERY, at(2, 28, 18), S.DONE, at(2, 28, 18, 5))
    follow_up(ana, K.CALL, P.DELIVERY, at(2, 10), S.MISSED)
    follow_up(ana, K.CALL, P.DELIVERY, at(4, 1, 0, 0), S.PLANNED)
    follow_up(ana, K.CALL, P.DELIVERY, at(1, 28, 23, 59), S.PLANNED)

    template = CheckTemplate.create(family="wash", name="Uso correcto: lavadoras", category=category)
    items = [
        CheckItem.create(template=template, position=1, question="Sabe programar un lavado", critical=True),
        CheckItem.create(template=template, position=2, question="Limpia el filtro"),
        CheckItem.create(template=template, position=3, question="La lavadora está nivelada"),
    ]

    def check(rep, completed, passed, score, answers, status=CheckStatus.COMPLETED):
        c = UsageCheck.create(
            template=template,
            sold_unit=units[0],
            customer=customer,
            rep=rep,
            status=status,
            started_at=completed,
            completed_at=completed if status is CheckStatus.COMPLETED else None,
            passed=passed,
            score=score,
        )
        for item, result in zip(items, answers, strict=False):
            CheckAnswer.create(check=c, item=item, result=result)

    check(ana, at(3, 3), True, 1.0, [OK, OK, NA])
    check(ana, at(3, 10), False, 0.5, [NOT_OK, OK])
    check(bob, at(3, 12), False, 1 / 3, [NOT_OK, NOT_OK, OK])
    check(bob, at(3, 25), True, 1.0, [OK, OK, OK])
    check(ana, at(3, 15), None, None, [NOT_OK], status=CheckStatus.DRAFT)  # a draft: not counted
    check(ana, at(2, 20), True, 1.0, [OK, OK, OK])  # previous period

    sequence = iter(range(1, 100))

    def warranty_return(rep, unit, reason, reported, state, resolved=None, resolution=None, **money):
        n = next(sequence)
        r = WarrantyReturn.create(
            number=f"RMA-2026-{n:04d}",
            year=2026,
            sequence=n,
            sold_unit=unit,
            customer=customer,
            rep=rep,
            reason=reason,
            reported_on=reported,
            state=state,
            under_warranty=True,
            warranty_days=300,
            resolved_on=resolved,
            **money,
        )
        ReturnStatusChange.create(warranty_return=r, to_state=RS.REQUESTED)
        if resolution is not None:
            ReturnStatusChange.create(warranty_return=r, from_state=RS.APPROVED, to_state=resolution)
        return r

    warranty_return(
        ana,
        units[1],
        ReturnReason.FAILURE_IN_USE,
        d(3, 2),
        RS.CLOSED,
        d(3, 12),
        RS.REPAIRED,
        cost_parts=Decimal("100.50"),
        cost_labour=Decimal("40.00"),
        cost_shipping=Decimal("9.50"),
    )
    warranty_return(
        ana,
        units[2],
        ReturnReason.DEFECT_ON_ARRIVAL,
        d(3, 5),
        RS.REFUNDED,
        d(3, 9),
        RS.REFUNDED,
        refund_amount=Decimal("499.00"),
        cost_shipping=Decimal("12.00"),
    )
    warranty_return(bob, units[3], ReturnReason.FAILURE_IN_USE, d(3, 15), RS.RECEIVED)
    warranty_return(None, units[4], ReturnReason.TRANSPORT_DAMAGE, d(3, 20), RS.CANCELLED)
    warranty_return(
        bob,
        units[5],
        ReturnReason.FAILURE_IN_USE,
        d(2, 10),
        RS.REPLACED,
        d(2, 20),
        RS.REPLACED,
        cost_parts=Decimal("50.00"),
    )

    case_numbers = iter(range(1, 100))

    def case(rep, kind, channel, received, category=None, answered=None, closed=None, answers=(), stages=()):
        n = next(case_numbers)
        c = Case.create(
            number=f"CASE-2026-{n:04d}",
            year=2026,
            sequence=n,
            kind=kind,
            stage=CaseStage.RECEPTION,
            customer=customer,
            rep=rep,
            channel=channel,
            received_on=received,
            category=category,
            first_answer_on=answered,
            closed_on=closed,
        )
        for round_, answer in enumerate(answers, start=1):
            CaseProposal.create(
                case=c,
                round=round_,
                proposed_on=received,
                solution_type=SolutionType.APOLOGY,
                answer=answer,
                answered_on=received,
            )
        for stage in stages:
            CaseStageChange.create(case=c, to_stage=stage)

    case(
        ana,
        CaseKind.COMPLAINT,
        ContactChannel.EMAIL,
        d(3, 2),
        CaseCategory.PRODUCT_DEFECT,
        d(3, 4),
        d(3, 12),
        [ProposalAnswer.ACCEPTED],
    )
    case(
        bob,
        CaseKind.CLAIM,
        ContactChannel.POST,
        d(3, 6),
        CaseCategory.BILLING,
        d(3, 16),
        None,
        [ProposalAnswer.REJECTED],
        [CaseStage.INTERNAL_NEGOTIATION],
    )
    case(ana, CaseKind.SUGGESTION, ContactChannel.WEB, d(3, 10), None, d(3, 11), d(3, 13))
    case(bob, CaseKind.COMPLAINT, ContactChannel.PHONE, d(2, 15), CaseCategory.OTHER, d(2, 16))

    for rep, taken, sat, rec in (
        (ana, d(3, 5), 5, 10),
        (ana, d(3, 12), 4, 8),
        (bob, d(3, 20), 2, 3),
        (bob, d(2, 25), 3, 9),
    ):
        SatisfactionSurvey.create(customer=customer, rep=rep, taken_on=taken, satisfaction=sat, recommend=rec)

    charter = ServiceCharter.create(
        type=CharterType.CUSTOMER_ATTENTION, title="Carta <atención> & más", valid_from=d(1, 1), active=True
    )
    CharterCommitment.create(
        charter=charter,
        position=1,
        text="Resolvemos las devoluciones en 7 días",
        indicator=CharterIndicator.RETURNS_RESOLVED,
        days=7,
        target=50,
    )
    CharterCommitment.create(
        charter=charter,
        position=2,
        text="Respondemos las reclamaciones en 5 días",
        indicator=CharterIndicator.CLAIMS_ANSWERED,
        days=5,
        target=90,
    )
    CharterCommitment.create(
        charter=charter,
        position=3,
        text="Llamamos tras cada entrega",
        indicator=CharterIndicator.FIRST_CONTACT_AFTER_DELIVERY,
        days=2,
        target=90,
    )
    old = ServiceCharter.create(type=CharterType.FINANCING, title="Vieja", valid_from=d(1, 1), active=False)
    CharterCommitment.create(
        charter=old, position=1, text="Old one", indicator=CharterIndicator.NPS, target=10
    )
    return {"ana": ana, "bob": bob, "customer": customer}


# --- figures that round: April 2026 against March, today 10 May (issue 20, items 1 and 2) ---------------

ROUNDING_TODAY = dt.date(2026, 5, 10)
ROUNDING_APRIL = (dt.date(2026, 4, 1), dt.date(2026, 4, 30))
# April: 35 follow-ups done on their day and 29 missed, 35/64 = 54.6875 % (truncated 54.6, half up 54.7);
# 8 surveys: satisfaction 33/8 = 4.125 (half up 4.13; half even and truncated 4.12), 7 of 8 scores 4–5
# (87.5 %), 3 promoters and 2 detractors: NPS 12.5 (half up +13; half even +12).
# March: 6 of 11 done (54.545… → 54.5 %); 15 surveys: satisfaction 62/15 = 4.133… (4.13), 13 of 15 scores
# 4–5 (86.666… → 86.7 %), 5 promoters and 3 detractors: NPS 13.33… (+13). So April and March show the
# same NPS and average although the exact values differ: the change is "=", no arrow.
ROUNDING_APRIL_SURVEYS = ((5, 10), (5, 9), (4, 9), (4, 8), (4, 7), (4, 8), (4, 3), (3, 5))
ROUNDING_MARCH_SURVEYS = (
    *[(5, 10)] * 4,
    (4, 9),
    *[(4, 8)] * 7,
    (4, 6),
    (3, 2),
    (3, 1),
)


def build_rounding_dataset() -> dict:
    """One rep's follow-ups and surveys in April and March 2026, and an active charter measuring them."""
    ana = Rep.create(code="ANA", name="Ana García")
    who = Customer.create(code="C-1", name="Lucía Martín", rep=ana)

    def follow_ups(month: int, done: int, missed: int) -> None:
        for n in range(done + missed):
            at = dt.datetime(2026, month, 1 + n % 28, 10, 0)
            FollowUp.create(
                customer=who,
                rep=ana,
                kind=FollowUpKind.CALL,
                purpose=FollowUpPurpose.DELIVERY,
                scheduled_at=at,
                state=FollowUpState.DONE if n < done else FollowUpState.MISSED,
                completed_at=at + dt.timedelta(hours=1) if n < done else None,
            )

    follow_ups(4, 35, 29)
    follow_ups(3, 6, 5)
    for month, answers in ((4, ROUNDING_APRIL_SURVEYS), (3, ROUNDING_MARCH_SURVEYS)):
        for n, (satisfaction, recommend) in enumerate(answers):
            SatisfactionSurvey.create(
                customer=who,
                rep=ana,
                taken_on=dt.date(2026, month, 1 + n),
                satisfaction=satisfaction,
                recommend=recommend,
            )
    # The commitments' sentences take their numbers from the targets ({target}).
    charter = ServiceCharter.create(
        type=CharterType.CUSTOMER_ATTENTION,
        title="Carta de atención",
        valid_from=dt.date(2026, 1, 1),
        active=True,
    )
    for position, (text, indicator, target) in enumerate(
        (
            (
                "Hacemos a tiempo al menos el {target} % de los seguimientos.",
                CharterIndicator.FOLLOW_UPS_ON_TIME,
                50,
            ),
            ("Nos recomiendan: NPS de al menos {target}.", CharterIndicator.NPS, 10),
            # 4.125 rounds to 4.13 but misses 4.13: printed with the digit that shows it (4.125).
            (
                "Satisfacción media de al menos {target} sobre 5.",
                CharterIndicator.AVERAGE_SATISFACTION,
                Decimal("4.13"),
            ),
        ),
        start=1,
    ):
        CharterCommitment.create(
            charter=charter, position=position, text=text, indicator=indicator, target=target
        )
    return {"ana": ana, "customer": who}


# --- demo database files (problems with the file itself) -----------------------------------------------


def demo_file(path: Path, customers: int = 40) -> Path:
    open_database(str(path))
    generate_demo(customers=customers, seed=1)
    close_database()
    assert not path.with_name(path.name + "-wal").exists()
    return path


def damage_table(path: Path, table: str) -> None:
    """Overwrite the root page of `table` with garbage, as a failing disk or a bad copy would."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(bytes([0x5A]) * page_size)


# --- every exportable list, a row or two each (tests of exports) ----------------------------------------

EXPORT_TODAY = dt.date(2026, 11, 23)
EXPORT_NOW = dt.datetime(2026, 11, 23, 12, 0)


def build_export_world() -> dict:
    """One rep (ANA) and three customers around 23 Nov 2026:

    - 00017, NASTY's name, a company of segment A, phone "+34 600 123 456": two washing machines at
      617.25 € sold on 10/01/2025 (value 1,234.50 €; no purchase since: at risk), a survey of 05/11/2026
      (satisfaction 2, recommendation 3, cause price, comment "=SUM(A1)"), an open claim received
      03/11/2026, a return requested 02/11/2026, a visit planned 24/11/2026 10:30 (45 minutes), a check
      finished 20/11/2026 09:15 with 87.5 %.
    - C-2, "Ramón Núñez", a person of segment B: one sale of 99.90 € on 01/11/2026, a survey of 10/11/2026
      (5 and 9): a loyalty candidate.
    - C-3, archived.
    """
    from app.models.enums import CaseSeries, CustomerKind, DissatisfactionCause

    ana = create_rep("ANA", "Ana Peña")
    category = ProductCategory.create(code="LAV", name="Lavadoras")
    washer = Product.create(sku="LAV-8", name="Lavadora 8 kg", category=category)
    first = Customer.create(
        code="00017",
        name=NASTY,
        kind=CustomerKind.COMPANY,
        tax_id="B12345674",
        phone="+34 600 123 456",
        email="pena@example.com",
        city="Logroño",
        rep=ana.id,
        segment=Segment.A,
    )
    second = Customer.create(code="C-2", name="Ramón Núñez", city="Madrid", rep=ana.id, segment=Segment.B)
    Customer.create(code="C-3", name="Archivado Antiguo", archived=True)
    unit = sale(first, dt.date(2025, 1, 10), (2, "617.25"), item=washer)[0]
    unit.serial_number = "LAV-0001"
    unit.save()
    sale(second, dt.date(2026, 11, 1), (1, "99.90"), item=washer)
    SatisfactionSurvey.create(
        customer=first,
        rep=ana.id,
        taken_on=dt.date(2026, 11, 5),
        satisfaction=2,
        recommend=3,
        cause=DissatisfactionCause.PRICE,
        comment="=SUM(A1)",
    )
    SatisfactionSurvey.create(
        customer=second,
        rep=ana.id,
        taken_on=dt.date(2026, 11, 10),
        satisfaction=5,
        recommend=9,
        comment="Muy bien",
    )
    Case.create(
        number="REC-2026-0001",
        year=2026,
        series=CaseSeries.of(CaseKind.CLAIM),
        sequence=1,
        kind=CaseKind.CLAIM,
        stage=CaseStage.RECEPTION,
        customer=first,
        rep=ana.id,
        channel=ContactChannel.EMAIL,
        received_on=dt.date(2026, 11, 3),
        customer_words="No centrifuga",
    )
    WarrantyReturn.create(
        number="RMA-2026-0001",
        year=2026,
        sequence=1,
        sold_unit=unit,
        customer=first,
        rep=ana.id,
        reason=ReturnReason.FAILURE_IN_USE,
        reported_on=dt.date(2026, 11, 2),
        state=ReturnState.REQUESTED,
        under_warranty=True,
        warranty_days=100,
    )
    FollowUp.create(
        customer=first,
        rep=ana.id,
        kind=FollowUpKind.VISIT,
        purpose=FollowUpPurpose.COMMERCIAL,
        scheduled_at=dt.datetime(2026, 11, 24, 10, 30),
        duration_minutes=45,
        notes="Llevar catálogo\x07",
    )
    template = CheckTemplate.create(family="wash", name="Uso correcto: lavadoras", category=category)
    UsageCheck.create(
        template=template,
        sold_unit=unit,
        customer=first,
        rep=ana.id,
        status=CheckStatus.COMPLETED,
        started_at=dt.datetime(2026, 11, 20, 9, 15),
        completed_at=dt.datetime(2026, 11, 20, 9, 15),
        passed=True,
        score=0.875,
    )
    return {"ana": ana, "first": first, "second": second}
