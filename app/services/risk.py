"""Loyalty-programme candidates and customers at risk (seed 001's loyalty process, seed 004's retention).

Both lists look only at non-archived A/B customers (the stored segment, see value.compute_segments).

At risk, with the reasons:
- NO_RECENT_PURCHASE: the days since the last purchase exceed the customer's usual interval, the
  median gap in days between their distinct purchase dates; with a single purchase date the
  interval is DEFAULT_INTERVAL_DAYS (365).
- LOW_SATISFACTION: the last answered satisfaction score is ≤ 2 (LOW_SATISFACTION_MAX).
- DETRACTOR: the last answered recommendation score is 0–6 (an NPS detractor).
- OPEN_CLAIM: a complaint or claim not closed yet.

Loyalty candidates: last answered satisfaction ≥ 4 or average satisfaction ≥ 4, and no open
complaint or claim.

Per-customer figures (last purchase, purchase gaps, last scores, averages, open claims, value)
are SQL aggregates / window functions; Python only assembles one row per customer.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import Decimal

from peewee import fn

from app.i18n import N_
from app.models import Case, Customer, Sale, SatisfactionSurvey, db
from app.models.enums import CaseKind, Choice, Segment
from app.services.value import money, net_value_query

# Settings (module defaults; to move into CompanySettings).
DEFAULT_INTERVAL_DAYS = 365
LOW_SATISFACTION_MAX = 2
GOOD_SATISFACTION_MIN = 4
DETRACTOR_MAX = 6

VALUABLE = (Segment.A, Segment.B)
CLAIM_KINDS = (CaseKind.COMPLAINT, CaseKind.CLAIM)


class RiskReason(Choice):
    NO_RECENT_PURCHASE = "no_purchase", N_("No purchase for longer than usual")
    LOW_SATISFACTION = "low_satisfaction", N_("Low satisfaction last time")
    DETRACTOR = "detractor", N_("Would not recommend us last time (detractor)")
    OPEN_CLAIM = "open_claim", N_("Open complaint or claim")


@dataclass(frozen=True)
class CustomerRiskRow:
    customer_id: int
    code: str
    name: str
    segment: Segment
    value: Decimal  # historical net value
    last_purchase_on: dt.date | None
    usual_interval_days: float | None
    last_satisfaction: int | None
    last_recommend: int | None
    average_satisfaction: float | None
    open_claims: int
    reasons: tuple[RiskReason, ...] = ()


def _valuable():
    return Customer.segment.in_(VALUABLE) & (Customer.archived == False)  # noqa: E712


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _last_scores(column_name: str) -> dict[int, int]:
    """The latest answered score of `column_name` per valuable customer (window function)."""
    survey = SatisfactionSurvey._meta.table_name
    customer = Customer._meta.table_name
    sql = f"""
        SELECT customer_id, {column_name} FROM (
            SELECT s.customer_id, s.{column_name},
                   ROW_NUMBER() OVER (PARTITION BY s.customer_id ORDER BY s.taken_on DESC, s.id DESC) AS rn
            FROM {survey} s JOIN {customer} c ON c.id = s.customer_id
            WHERE s.{column_name} IS NOT NULL AND c.segment IN ('A', 'B') AND c.archived = 0
        ) WHERE rn = 1"""
    return dict(db.execute_sql(sql).fetchall())


def _usual_intervals() -> dict[int, float]:
    """Median gap (days) between distinct purchase dates per valuable customer with ≥ 2 dates."""
    sale = Sale._meta.table_name
    customer = Customer._meta.table_name
    sql = f"""
        SELECT customer_id, julianday(sold_on) - julianday(
                   LAG(sold_on) OVER (PARTITION BY customer_id ORDER BY sold_on))
        FROM (SELECT DISTINCT s.customer_id, s.sold_on FROM {sale} s
              JOIN {customer} c ON c.id = s.customer_id
              WHERE c.segment IN ('A', 'B') AND c.archived = 0)"""
    gaps: dict[int, list[float]] = {}
    for cid, gap in db.execute_sql(sql):
        if gap is not None:
            gaps.setdefault(cid, []).append(gap)
    return {cid: float(statistics.median(values)) for cid, values in gaps.items()}


def _profiles() -> list[CustomerRiskRow]:
    customers = list(
        Customer.select(Customer.id, Customer.code, Customer.name, Customer.segment).where(_valuable()).tuples()
    )
    values = dict(net_value_query().where(Customer.segment.in_(VALUABLE)).tuples())
    last_purchase = dict(
        Sale.select(Sale.customer, fn.MAX(Sale.sold_on)).join(Customer).where(_valuable()).group_by(Sale.customer).tuples()
    )
    intervals = _usual_intervals()
    last_sat = _last_scores("satisfaction")
    last_rec = _last_scores("recommend")
    averages = dict(
        SatisfactionSurvey.select(SatisfactionSurvey.customer, fn.AVG(SatisfactionSurvey.satisfaction))
        .join(Customer)
        .where(_valuable() & SatisfactionSurvey.satisfaction.is_null(False))
        .group_by(SatisfactionSurvey.customer)
        .tuples()
    )
    claims = dict(
        Case.select(Case.customer, fn.COUNT(Case.id))
        .join(Customer)
        .where(_valuable() & Case.kind.in_(CLAIM_KINDS) & Case.closed_on.is_null())
        .group_by(Case.customer)
        .tuples()
    )
    rows = []
    for cid, code, name, segment in customers:
        last = _date(last_purchase.get(cid))
        rows.append(
            CustomerRiskRow(
                customer_id=cid,
                code=code,
                name=name,
                segment=segment,
                value=money(values.get(cid)),
                last_purchase_on=last,
                usual_interval_days=intervals.get(cid, DEFAULT_INTERVAL_DAYS if last else None),
                last_satisfaction=last_sat.get(cid),
                last_recommend=last_rec.get(cid),
                average_satisfaction=float(averages[cid]) if cid in averages else None,
                open_claims=claims.get(cid, 0),
            )
        )
    return rows


def _reasons(row: CustomerRiskRow, today: dt.date) -> tuple[RiskReason, ...]:
    reasons = []
    if row.last_purchase_on is not None and (today - row.last_purchase_on).days > row.usual_interval_days:
        reasons.append(RiskReason.NO_RECENT_PURCHASE)
    if row.last_satisfaction is not None and row.last_satisfaction <= LOW_SATISFACTION_MAX:
        reasons.append(RiskReason.LOW_SATISFACTION)
    if row.last_recommend is not None and row.last_recommend <= DETRACTOR_MAX:
        reasons.append(RiskReason.DETRACTOR)
    if row.open_claims:
        reasons.append(RiskReason.OPEN_CLAIM)
    return tuple(reasons)


def _by_value(rows: list[CustomerRiskRow]) -> list[CustomerRiskRow]:
    return sorted(rows, key=lambda r: (-r.value, r.code))


def customers_at_risk(today: dt.date) -> list[CustomerRiskRow]:
    """A/B customers with at least one reason, most valuable first."""
    result = []
    for row in _profiles():
        reasons = _reasons(row, today)
        if reasons:
            result.append(CustomerRiskRow(**{**row.__dict__, "reasons": reasons}))
    return _by_value(result)


def loyalty_candidates() -> list[CustomerRiskRow]:
    """A/B customers with good satisfaction (last or average ≥ 4) and no open claim, most valuable first."""
    return _by_value(
        [
            row
            for row in _profiles()
            if not row.open_claims
            and (
                (row.last_satisfaction is not None and row.last_satisfaction >= GOOD_SATISFACTION_MIN)
                or (row.average_satisfaction is not None and row.average_satisfaction >= GOOD_SATISFACTION_MIN)
            )
        ]
    )
