"""Satisfaction surveys and their KPIs (DOMAIN §7): average, CSAT, NPS per month, rep, category.

CSAT = share (%) of answered satisfaction scores that are 4 or 5. NPS = promoters (9–10) −
detractors (0–6), as % of answered recommendation scores. A figure without answers is None,
never 0. Every figure is one SQL aggregate (GROUP BY).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, fn

from app.i18n import _
from app.models import (
    Case,
    Customer,
    FollowUp,
    Product,
    ProductCategory,
    Rep,
    SatisfactionSurvey,
    SoldUnit,
    WarrantyReturn,
)
from app.models.dialect import count_where, month_key
from app.models.enums import DissatisfactionCause, FollowUpOutcome
from app.services import audit
from app.services.errors import NotFoundError, ValidationError
from app.services.followups import validate_scores
from app.services.transactions import write_command, write_transaction

S = SatisfactionSurvey


@write_command
def record_survey(
    customer_id: int,
    satisfaction: int | None,
    recommend: int | None,
    comment: str,
    cause: DissatisfactionCause | None,
    acting_rep_id: int | None,
    *,
    taken_on: dt.date,
    follow_up_id: int | None = None,
    case_id: int | None = None,
    warranty_return_id: int | None = None,
) -> int:
    """Record a survey taken on a call, a case or a return; returns its id.

    Scores are validated by followups.validate_scores (the same rule as complete_follow_up,
    which creates the surveys of follow-ups); at least one score is required.
    """
    if satisfaction is None and recommend is None:
        raise ValidationError({"satisfaction": _("Give at least one score: satisfaction or recommendation.")})
    validate_scores(satisfaction, recommend, FollowUpOutcome.REACHED)
    if cause is not None and not isinstance(cause, DissatisfactionCause):
        try:
            cause = DissatisfactionCause(cause)
        except ValueError:
            raise ValidationError({"cause": _("Choose a cause from the list.")}) from None
    if not Customer.select().where(Customer.id == customer_id).exists():
        raise NotFoundError(_("The customer no longer exists."))
    with write_transaction():
        survey = S.create(
            customer=customer_id,
            rep=acting_rep_id,
            taken_on=taken_on,
            satisfaction=satisfaction,
            recommend=recommend,
            comment=(comment or "").strip(),
            cause=cause,
            follow_up=follow_up_id,
            case=case_id,
            warranty_return=warranty_return_id,
        )
        audit.record(
            "record_survey",
            "satisfaction_survey",
            survey.id,
            acting_rep_id,
            label=Customer.select(Customer.code).where(Customer.id == customer_id).scalar() or "",
            customer=customer_id,
            taken_on=taken_on,
            satisfaction=satisfaction,
            recommend=recommend,
            comment=survey.comment,
            cause=cause,
            case=case_id,
            warranty_return=warranty_return_id,
        )
    return survey.id


@dataclass(frozen=True)
class SatisfactionKpis:
    key: object  # None for the whole period; the month (date, 1st), rep id or category id otherwise
    surveys: int
    satisfaction_answers: int
    average: float | None
    satisfied: int  # 4–5
    csat: float | None  # %
    recommend_answers: int
    promoters: int
    detractors: int
    nps: float | None  # %, −100…100


def _kpi_columns():
    sat_answered = S.satisfaction.is_null(False)
    rec_answered = S.recommend.is_null(False)
    return [
        fn.COUNT(S.id),
        count_where(sat_answered),
        fn.AVG(S.satisfaction),
        count_where(S.satisfaction >= 4),
        count_where(rec_answered),
        count_where(S.recommend >= 9),
        count_where(S.recommend <= 6),
    ]


def _kpis(key, count, sat_n, avg, satisfied, rec_n, promoters, detractors) -> SatisfactionKpis:
    sat_n, satisfied, rec_n = sat_n or 0, satisfied or 0, rec_n or 0
    promoters, detractors = promoters or 0, detractors or 0
    return SatisfactionKpis(
        key=key,
        surveys=count or 0,
        satisfaction_answers=sat_n,
        average=float(avg) if avg is not None else None,
        satisfied=satisfied,
        csat=100.0 * satisfied / sat_n if sat_n else None,
        recommend_answers=rec_n,
        promoters=promoters,
        detractors=detractors,
        nps=100.0 * (promoters - detractors) / rec_n if rec_n else None,
    )


def _period(start: dt.date, end: dt.date, rep_id: int | None = None):
    condition = (S.taken_on >= start) & (S.taken_on <= end)
    if rep_id is not None:
        condition &= S.rep == rep_id
    return condition


def kpis(start: dt.date, end: dt.date, *, rep_id: int | None = None) -> SatisfactionKpis:
    """The figures of the surveys taken between start and end (inclusive), optionally by one rep."""
    row = S.select(*_kpi_columns()).where(_period(start, end, rep_id)).tuples().get()
    return _kpis(None, *row)


def kpis_per_month(start: dt.date, end: dt.date, *, rep_id: int | None = None) -> list[SatisfactionKpis]:
    """One row per month that has surveys (key = the 1st of the month), in date order."""
    month = month_key(S.taken_on)
    query = (
        S.select(month, *_kpi_columns()).where(_period(start, end, rep_id)).group_by(month).order_by(month)
    )
    return [_kpis(dt.date.fromisoformat(m + "-01"), *rest) for m, *rest in query.tuples()]


def kpis_per_rep(start: dt.date, end: dt.date) -> list[SatisfactionKpis]:
    """One row per rep who took surveys (key = rep id, None for surveys without a rep)."""
    query = S.select(S.rep, *_kpi_columns()).where(_period(start, end)).group_by(S.rep).order_by(S.rep)
    return [_kpis(rep, *rest) for rep, *rest in query.tuples()]


def category_of_survey():
    """The product category of the survey's unit (its follow-up's unit, else its return's unit).

    Returns (query joined with the aliases, category expression)."""
    fu_unit = SoldUnit.alias("fu_unit")
    fu_product = Product.alias("fu_product")
    wr_unit = SoldUnit.alias("wr_unit")
    wr_product = Product.alias("wr_product")
    category = fn.COALESCE(fu_product.category, wr_product.category)

    def joined(query):
        return (
            query.join_from(S, FollowUp, JOIN.LEFT_OUTER, on=(S.follow_up == FollowUp.id))
            .join_from(FollowUp, fu_unit, JOIN.LEFT_OUTER, on=(FollowUp.sold_unit == fu_unit.id))
            .join_from(fu_unit, fu_product, JOIN.LEFT_OUTER, on=(fu_unit.product == fu_product.id))
            .join_from(S, WarrantyReturn, JOIN.LEFT_OUTER, on=(S.warranty_return == WarrantyReturn.id))
            .join_from(WarrantyReturn, wr_unit, JOIN.LEFT_OUTER, on=(WarrantyReturn.sold_unit == wr_unit.id))
            .join_from(wr_unit, wr_product, JOIN.LEFT_OUTER, on=(wr_unit.product == wr_product.id))
        )

    return joined, category


def kpis_per_category(start: dt.date, end: dt.date) -> list[SatisfactionKpis]:
    """One row per product category (key = category id; None: surveys with no known product)."""
    joined, category = category_of_survey()
    query = joined(S.select(category, *_kpi_columns())).where(_period(start, end)).group_by(category)
    return sorted(
        (_kpis(cat, *rest) for cat, *rest in query.tuples()),
        key=lambda k: (k.key is None, k.key or 0),
    )


def category_names() -> dict[int, str]:
    return dict(ProductCategory.select(ProductCategory.id, ProductCategory.name).tuples())


def cause_counts(start: dt.date, end: dt.date) -> dict[DissatisfactionCause, int]:
    """How many surveys of the period named each cause of dissatisfaction (causes never named: absent)."""
    query = (
        S.select(S.cause, fn.COUNT(S.id))
        .where(_period(start, end) & S.cause.is_null(False))
        .group_by(S.cause)
    )
    return dict(query.tuples())


@dataclass(frozen=True)
class SurveyRow:
    id: int
    taken_on: dt.date
    satisfaction: int | None
    recommend: int | None
    comment: str
    cause: DissatisfactionCause | None
    rep_id: int | None
    follow_up_id: int | None
    case_id: int | None
    warranty_return_id: int | None
    case_number: str | None


def customer_trend(customer_id: int) -> list[SurveyRow]:
    """The customer's surveys in date order (oldest first), for the 360° view's trend."""
    query = (
        S.select(
            S.id,
            S.taken_on,
            S.satisfaction,
            S.recommend,
            S.comment,
            S.cause,
            S.rep,
            S.follow_up,
            S.case,
            S.warranty_return,
            Case.number,
        )
        .join_from(S, Case, JOIN.LEFT_OUTER, on=(S.case == Case.id))
        .where(S.customer == customer_id)
        .order_by(S.taken_on, S.id)
    )
    return [SurveyRow(*row) for row in query.tuples()]


@dataclass(frozen=True)
class SurveyListRow:
    """One survey of a period's list (the Reports page's export): who answered what, about what."""

    id: int
    taken_on: dt.date
    customer_id: int
    customer_code: str
    customer_name: str
    satisfaction: int | None
    recommend: int | None
    cause: DissatisfactionCause | None
    comment: str
    category_name: str  # the product category of the survey's unit ("" when no unit is known)
    case_number: str  # the case the survey closed ("" for none)
    return_number: str  # the warranty return it followed ("" for none)
    rep_name: str
    rep_id: int | None = None


def _survey_list_condition(start: dt.date | None, end: dt.date | None, rep_id: int | None):
    condition = S.id.is_null(False)
    if start is not None:
        condition &= S.taken_on >= start
    if end is not None:
        condition &= S.taken_on <= end
    if rep_id is not None:
        condition &= S.rep == rep_id
    return condition


def count_surveys(
    start: dt.date | None = None, end: dt.date | None = None, *, rep_id: int | None = None
) -> int:
    """How many surveys `list_surveys` lists for the same period and rep."""
    return S.select().where(_survey_list_condition(start, end, rep_id)).count()


def list_surveys(
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    rep_id: int | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[SurveyListRow]:
    """The surveys taken between start and end (inclusive; None: unbounded), by one rep or everyone's,
    newest first, with the customer, the product category, the case or return and the rep."""
    joined, category = category_of_survey()
    query = (
        joined(
            S.select(
                S.id,
                S.taken_on,
                S.customer,
                Customer.code,
                Customer.name,
                S.satisfaction,
                S.recommend,
                S.cause,
                S.comment,
                ProductCategory.name,
                Case.number,
                WarrantyReturn.number,
                Rep.name,
                S.rep,
            )
        )
        .join_from(S, Customer, on=(S.customer == Customer.id))
        .join_from(S, ProductCategory, JOIN.LEFT_OUTER, on=(ProductCategory.id == category))
        .join_from(S, Case, JOIN.LEFT_OUTER, on=(S.case == Case.id))
        .join_from(S, Rep, JOIN.LEFT_OUTER, on=(S.rep == Rep.id))
        .where(_survey_list_condition(start, end, rep_id))
        .order_by(S.taken_on.desc(), S.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return [
        SurveyListRow(
            id=survey_id,
            taken_on=taken_on,
            customer_id=customer_id,
            customer_code=code,
            customer_name=name,
            satisfaction=satisfaction,
            recommend=recommend,
            cause=DissatisfactionCause(cause) if cause else None,
            comment=comment or "",
            category_name=category_name or "",
            case_number=case_number or "",
            return_number=return_number or "",
            rep_name=rep_name or "",
            rep_id=survey_rep_id,
        )
        for (
            survey_id,
            taken_on,
            customer_id,
            code,
            name,
            satisfaction,
            recommend,
            cause,
            comment,
            category_name,
            case_number,
            return_number,
            rep_name,
            survey_rep_id,
        ) in query.tuples()
    ]
