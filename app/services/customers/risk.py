"""Loyalty-programme candidates and customers at risk (seed 001's loyalty process, seed 004's retention).

Both lists look only at non-archived A/B customers (the stored segment, see value.compute_segments),
and, given a rep, only at that rep's customers (Customer.rep).

At risk, with the reasons:
- NO_RECENT_PURCHASE: nothing bought since the next purchase was expected. What a customer buys
  says when that is (issue 22), counted from each kind of purchase:
  - a product category with a replacement cycle (ProductCategory.replacement_months: appliances
    8–10 years, coffee machines 5…): its last purchase plus the cycle (a month is 30.4375 days);
  - everything else (categories without a cycle, such as consumables): the last of those purchases
    plus the customer's usual interval, the median gap in days between their distinct purchase dates
    of it; with a single date, the company setting risk_default_interval_days (365 by default).
  The next purchase is expected at the earliest of these dates that is not before the last
  purchase (a date the customer has bought after was met). A washing machine bought two years ago
  expects nothing for years; capsules bought every month and then no more are late after a month.
- LOW_SATISFACTION: the last answered satisfaction score is ≤ the company setting
  risk_low_satisfaction_max (2 by default).
- DETRACTOR: the last answered recommendation score is 0–6 (an NPS detractor).
- OPEN_CLAIM: a complaint or claim not closed yet.

Loyalty candidates: last answered satisfaction ≥ 4 or average satisfaction ≥ 4, and none of the
satisfaction reasons above (open complaint or claim, low last score, detractor last time).

Order: by risk, the customer's net value × the sum of the weights of their reasons (RISK_WEIGHTS):
an open complaint or claim weighs 3 (a problem happening now), a detractor answer or a low
satisfaction score 2 each (said to us, recently), a late purchase 1 (a guess from dates). So a
customer worth 3,000 with a late purchase (3,000) comes after one worth 1,200 with an open claim
(3,600); equal risks by value, then code. Loyalty candidates: by value.

Each customer's profile (net value, last purchase, when the next was expected, last scores,
average, open claims) is computed by common table expressions (`_profiles_sql`) and stored in a
table of each machine's own (schema 17, app.models.dialect.create_customer_profiles) with a copy of
the customer's code, segment, archived flag and rep: recomputing 100,000 customers took 3–4 s per
reading, a stored profile is read in a scan. Triggers on what a profile is computed from (sales and
their lines, returns and their history, surveys, cases, a product's category, a category's cycle,
the company's default interval) mark the customer stale, whichever program writes (a command, an
import, a pull from the office); a reading first stores the stale customers' profiles
(`refresh_customer_profiles`) and computes, in the same statement as it reads the stored ones of
the customers not stale, those still stale (another writer held the database), so a list is always
what computing every profile gives. The reasons are SQL conditions, and the weighting, filtering, ordering and the
top-N limit happen in SQL too; a list cut at N counts the rest in a second statement. Python only
turns the returned rows into dataclasses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from peewee import JOIN, SQL, Table, fn

from app.i18n import N_, _, format_date, format_number, ngettext
from app.models import (
    Case,
    Customer,
    Product,
    ProductCategory,
    Sale,
    SaleLine,
    SatisfactionSurvey,
    WarrantyReturn,
    db,
)
from app.models.dialect import (
    CUSTOMER_PROFILE,
    CUSTOMER_PROFILE_COPIED,
    CUSTOMER_PROFILE_STALE,
    days_between_sql,
    placeholder,
    subquery_fence,
)
from app.models.enums import CaseKind, Choice, Segment
from app.services.customers.value import money, refunded_condition
from app.services.errors import DatabaseBusyError
from app.services.transactions import write_command

# Defaults of the company settings (CompanySettings.risk_default_interval_days, risk_low_satisfaction_max).
DEFAULT_INTERVAL_DAYS = 365
LOW_SATISFACTION_MAX = 2
GOOD_SATISFACTION_MIN = 4
DETRACTOR_MAX = 6

VALUABLE = (Segment.A, Segment.B)
CLAIM_KINDS = (CaseKind.COMPLAINT, CaseKind.CLAIM)
DAYS_PER_MONTH = 30.4375  # a replacement cycle in months, as days (365.25 / 12)


class RiskReason(Choice):
    NO_RECENT_PURCHASE = "no_purchase", N_("No purchase for longer than usual")
    LOW_SATISFACTION = "low_satisfaction", N_("Low satisfaction last time")
    DETRACTOR = "detractor", N_("Would not recommend us last time (detractor)")
    OPEN_CLAIM = "open_claim", N_("Open complaint or claim")


# How much each reason weighs in the order of the list (see the module's docstring).
RISK_WEIGHTS: dict[RiskReason, int] = {
    RiskReason.NO_RECENT_PURCHASE: 1,
    RiskReason.LOW_SATISFACTION: 2,
    RiskReason.DETRACTOR: 2,
    RiskReason.OPEN_CLAIM: 3,
}


@dataclass(frozen=True)
class CustomerRiskRow:
    customer_id: int
    code: str
    name: str
    segment: Segment
    value: Decimal  # historical net value
    last_purchase_on: dt.date | None
    # Days after the last purchase by which the next one was expected (see the module's docstring).
    usual_interval_days: float | None
    last_satisfaction: int | None
    last_recommend: int | None
    average_satisfaction: float | None
    open_claims: int
    reasons: tuple[RiskReason, ...] = ()
    risk: Decimal = Decimal("0")  # value × the weights of the reasons: the order of the list

    @property
    def next_purchase_expected_on(self) -> dt.date | None:
        if self.last_purchase_on is None or self.usual_interval_days is None:
            return None
        return self.last_purchase_on + dt.timedelta(days=round(self.usual_interval_days))


@dataclass(frozen=True)
class RiskList:
    rows: list[CustomerRiskRow]  # the first `limit` (all without a limit), most at risk first
    total: int  # how many customers the list has in all


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _risk_settings() -> tuple[int, int]:
    from app.services.company import load_company_settings

    settings = load_company_settings()
    return settings.risk_default_interval_days, settings.risk_low_satisfaction_max


def _sql(query) -> tuple[str, list]:
    sql, params = query.sql()
    return sql, list(params)


def _valuable(rep_id: int | None):
    """A/B customers not archived (a rep's only, given one): who the lists look at."""
    valuable = Customer.segment.in_(VALUABLE) & (Customer.archived == False)  # noqa: E712
    if rep_id is not None:
        valuable &= Customer.rep == rep_id
    return valuable


def _stale_customers(customers):
    """The customers matching `customers` (a condition on Customer, None: all) whose stored
    profile is stale (app.models.dialect.create_customer_profiles): their id, code and segment,
    read from the (small) table of stale customers first."""
    stale = Table(CUSTOMER_PROFILE_STALE, ("customer_id",)).bind(db)
    return (
        stale.select(Customer.id, Customer.code, Customer.segment)
        .join(Customer, JOIN.CROSS)
        .where(
            Customer.id == stale.customer_id
            if customers is None
            else (Customer.id == stale.customer_id) & customers
        )
    )


def _profiles_sql(customers, default_interval: int) -> tuple[str, list]:
    """WITH … SELECT of one profile row per customer of `customers` (a query of their id, code and
    segment; columns named as CustomerRiskRow; `interval`: days after the last purchase by which the
    next one was expected), computed from the sales, returns, surveys and cases.

    Per-customer figures are correlated subqueries that walk the (customer_id, …) indexes, which
    beats aggregating every customer's rows first; the median purchase gap needs two window
    passes over the valuable customers' purchase dates without a cycle. `spans` holds one row per
    kind of purchase (each cycled category, and the rest): its last date and how long it lasts.
    """
    v_sql, v_params = _sql(customers)
    ids_sql, ids_params = f"SELECT ids.id FROM ({v_sql}) AS ids", v_params
    refunds_sql, refunds_params = _sql(
        WarrantyReturn.select(
            WarrantyReturn.customer.alias("cid"), fn.SUM(WarrantyReturn.refund_amount).alias("amount")
        )
        .where(refunded_condition() & WarrantyReturn.customer.in_(SQL("(SELECT v.id FROM v)")))
        .group_by(WarrantyReturn.customer)
    )
    claim_kinds = [kind.value for kind in CLAIM_KINDS]
    t = {
        model: f'"{model._meta.table_name}"'
        for model in (Sale, SaleLine, Product, ProductCategory, SatisfactionSurvey, Case)
    }
    sale, line, survey, case = t[Sale], t[SaleLine], t[SatisfactionSurvey], t[Case]
    gap = days_between_sql("sold_on", "LAG(sold_on) OVER (PARTITION BY cid ORDER BY sold_on)")
    to_next = f"(s.span - {days_between_sql('lasts.last_on', 's.last_on')})"
    p = placeholder()
    sql = f"""
        WITH v AS ({v_sql}),
        refunds AS ({refunds_sql}),
        bought AS (SELECT DISTINCT s.customer_id AS cid, s.sold_on, pc.id AS category_id,
                          pc.replacement_months AS cycle
                   FROM {sale} s LEFT JOIN {line} l ON l.sale_id = s.id
                   LEFT JOIN {t[Product]} pr ON pr.id = l.product_id
                   LEFT JOIN {t[ProductCategory]} pc ON pc.id = pr.category_id
                   WHERE s.customer_id IN ({ids_sql})),
        days AS (SELECT DISTINCT cid, sold_on FROM bought WHERE cycle IS NULL),
        gaps AS (SELECT cid, {gap} AS gap FROM days),
        ranked AS (SELECT cid, gap, ROW_NUMBER() OVER (PARTITION BY cid ORDER BY gap) AS rn,
                   COUNT(*) OVER (PARTITION BY cid) AS n FROM gaps WHERE gap IS NOT NULL),
        medians AS (SELECT cid, AVG(gap) AS interval FROM ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2)
                    GROUP BY cid),
        spans AS (SELECT cid, MAX(sold_on) AS last_on, MAX(cycle) * {DAYS_PER_MONTH} AS span
                  FROM bought WHERE cycle IS NOT NULL GROUP BY cid, category_id
                  UNION ALL
                  SELECT days.cid, MAX(days.sold_on), COALESCE(MAX(medians.interval), {int(default_interval)})
                  FROM days LEFT JOIN medians ON medians.cid = days.cid GROUP BY days.cid),
        lasts AS (SELECT cid, MAX(last_on) AS last_on FROM spans GROUP BY cid),
        expected AS (SELECT s.cid, MIN({to_next}) AS interval FROM spans s JOIN lasts ON lasts.cid = s.cid
                     WHERE {to_next} >= 0 GROUP BY s.cid)
        SELECT v.id AS customer_id, v.code, v.segment,
               COALESCE((SELECT SUM(l.quantity * l.unit_price) FROM {sale} s JOIN {line} l ON l.sale_id = s.id
                         WHERE s.customer_id = v.id), 0) - COALESCE(refunds.amount, 0) AS value,
               (SELECT MAX(sold_on) FROM {sale} WHERE customer_id = v.id) AS last_purchase,
               expected.interval,
               (SELECT satisfaction FROM {survey} WHERE customer_id = v.id AND satisfaction IS NOT NULL
                ORDER BY taken_on DESC, id DESC LIMIT 1) AS last_satisfaction,
               (SELECT recommend FROM {survey} WHERE customer_id = v.id AND recommend IS NOT NULL
                ORDER BY taken_on DESC, id DESC LIMIT 1) AS last_recommend,
               (SELECT AVG(satisfaction) FROM {survey} WHERE customer_id = v.id) AS average_satisfaction,
               (SELECT COUNT(*) FROM {case} WHERE customer_id = v.id AND kind IN ({p}, {p}) AND closed_on IS NULL)
                   AS open_claims
        FROM v
        LEFT JOIN refunds ON refunds.cid = v.id
        LEFT JOIN expected ON expected.cid = v.id"""
    return sql, v_params + refunds_params + ids_params + claim_kinds


def _stored_profiles_sql(rep_id: int | None, default_interval: int) -> tuple[str, list]:
    """Every valuable customer's profile (columns as `_profiles_sql`): the stored ones, read from
    the profiles alone (they keep a copy of the customer's code, segment, archived and rep), and the
    stale ones (changed since they were stored, or never stored) computed here, so the answer is the
    same whatever the tables hold."""
    mark = placeholder()
    valuable = f"cp.segment IN ({', '.join(mark for _s in VALUABLE)}) AND cp.archived = {mark}"
    params: list = [segment.value for segment in VALUABLE] + [False]
    if rep_id is not None:
        valuable += f" AND cp.rep_id = {mark}"
        params.append(rep_id)
    live, live_params = _profiles_sql(_stale_customers(_valuable(rep_id)), default_interval)
    sql = (
        "SELECT cp.customer_id, cp.code, cp.segment, cp.value, cp.last_purchase,"
        " cp.expected_interval AS interval, cp.last_satisfaction, cp.last_recommend,"
        f" cp.average_satisfaction, cp.open_claims FROM {CUSTOMER_PROFILE} cp"
        f" WHERE {valuable} AND cp.default_interval = {int(default_interval)}"
        f" AND cp.customer_id NOT IN (SELECT customer_id FROM {CUSTOMER_PROFILE_STALE})"
        f" UNION ALL SELECT * FROM ({live}) AS live"
    )
    return sql, params + live_params


@write_command
def refresh_customer_profiles() -> int:
    """Store the profile of every stale customer (app.models.dialect.create_customer_profiles: the
    triggers list a customer there when something their profile is computed from changes); how many
    were stored. Rows computed with another default interval are made stale first (the setting
    changed while they were being computed)."""
    default_interval = _risk_settings()[0]
    mark = placeholder()
    stale, profile = CUSTOMER_PROFILE_STALE, CUSTOMER_PROFILE
    db.execute_sql(
        f"INSERT INTO {stale} (customer_id) SELECT customer_id FROM {profile} WHERE default_interval <> {mark}"
        f" AND customer_id NOT IN (SELECT customer_id FROM {stale})",
        [default_interval],
    )
    db.execute_sql(f"DELETE FROM {profile} WHERE customer_id IN (SELECT customer_id FROM {stale})")
    live, params = _profiles_sql(_stale_customers(None), default_interval)
    copied = ", ".join(CUSTOMER_PROFILE_COPIED)
    cursor = db.execute_sql(
        f"INSERT INTO {profile} (customer_id, {copied}, default_interval, value, last_purchase,"
        " expected_interval, last_satisfaction, last_recommend, average_satisfaction, open_claims)"
        f" SELECT p.customer_id, {', '.join(f'c.{column}' for column in CUSTOMER_PROFILE_COPIED)},"
        f" {int(default_interval)}, p.value, p.last_purchase, p.interval, p.last_satisfaction,"
        f" p.last_recommend, p.average_satisfaction, p.open_claims FROM ({live}) AS p"
        f' JOIN "{Customer._meta.table_name}" c ON c.id = p.customer_id',
        params,
    )
    db.execute_sql(f"DELETE FROM {stale}")
    return max(cursor.rowcount, 0)


def _store_stale_profiles() -> None:
    """Before a list is read: store the stale customers' profiles, when there are (after sales,
    surveys, cases… since the last reading). Another writer holding the database is not waited
    for: the list computes those profiles itself (`_stored_profiles_sql`)."""
    if not db.execute_sql(f"SELECT EXISTS (SELECT 1 FROM {CUSTOMER_PROFILE_STALE})").fetchone()[0]:
        return
    try:
        refresh_customer_profiles()
    except DatabaseBusyError:
        return


def _reason_sql() -> dict[RiskReason, str]:
    """Reason conditions over a profile row `p` (parameters: today, low maximum)."""
    mark = placeholder()
    since = days_between_sql(mark, "p.last_purchase")
    return {
        RiskReason.NO_RECENT_PURCHASE: f"(p.interval IS NOT NULL AND {since} > p.interval)",
        RiskReason.LOW_SATISFACTION: f"(p.last_satisfaction IS NOT NULL AND p.last_satisfaction <= {mark})",
        RiskReason.DETRACTOR: f"(p.last_recommend IS NOT NULL AND p.last_recommend <= {DETRACTOR_MAX})",
        RiskReason.OPEN_CLAIM: "(p.open_claims > 0)",
    }


def _listed(
    where: str,
    where_params: list,
    rep_id: int | None,
    limit: int | None,
    reasons: bool,
    default_interval: int,
) -> RiskList:
    """The profiles matching `where`, by risk (value × weights of their reasons), value, then code."""
    _store_stale_profiles()
    profiles, params = _stored_profiles_sql(rep_id, default_interval)
    reason_sql = _reason_sql()
    flags = ", ".join(
        f"CASE WHEN {condition} THEN 1 ELSE 0 END AS f{i}" if reasons else f"0 AS f{i}"
        for i, condition in enumerate(reason_sql.values())
    )
    weights = " + ".join(f"q.f{i} * {RISK_WEIGHTS[reason]}" for i, reason in enumerate(reason_sql))
    flag_params = where_params if reasons else []
    fence = subquery_fence()
    sql = (
        f"SELECT q.*, ROUND(q.value * ({weights}), 2) AS risk FROM ("
        f"SELECT p.*, {flags} FROM ({profiles}{fence}) AS p WHERE {where}{fence}) AS q "
        "ORDER BY risk DESC, ROUND(q.value, 2) DESC, q.code"
    )
    all_params = flag_params + params + where_params  # in the order the placeholders appear
    if limit is not None:
        sql += f" LIMIT {placeholder()}"
        all_params.append(limit)
    # The names of the rows listed only: reading every valuable customer's row for it would cost
    # more than the rest of the list (which reads the profiles alone).
    flag_columns = ", ".join(f"r.f{i}" for i in range(len(reason_sql)))
    sql = (
        "SELECT r.customer_id, r.code, c.name, r.segment, r.value, r.last_purchase, r.interval,"
        " r.last_satisfaction, r.last_recommend, r.average_satisfaction, r.open_claims,"
        f" {flag_columns}, r.risk FROM ({sql}) AS r"
        f' JOIN "{Customer._meta.table_name}" c ON c.id = r.customer_id'
        " ORDER BY r.risk DESC, ROUND(r.value, 2) DESC, r.code"
    )
    rows = []
    for row in db.execute_sql(sql, all_params).fetchall():
        (cid, code, name, segment, value, last, interval, last_sat, last_rec, average, claims) = row[:11]
        *flag_values, risk = row[11:]
        last = _date(last)
        rows.append(
            CustomerRiskRow(
                customer_id=cid,
                code=code,
                name=name,
                segment=Segment(segment),
                value=money(value),
                last_purchase_on=last,
                usual_interval_days=float(interval) if interval is not None else None,
                last_satisfaction=last_sat,
                last_recommend=last_rec,
                average_satisfaction=float(average) if average is not None else None,
                open_claims=claims,
                reasons=tuple(r for r, flag in zip(reason_sql, flag_values, strict=True) if flag)
                if reasons
                else (),
                risk=money(risk),
            )
        )
    total = len(rows)
    if limit and total == limit:
        # A list cut at `limit` counts the rest apart: counting in the same query (a window over
        # every row) keeps all the rows instead of the best `limit`, and costs twice as much.
        count_sql = f"SELECT COUNT(*) FROM ({profiles}{fence}) AS p WHERE {where}"
        (total,) = db.execute_sql(count_sql, params + where_params).fetchone()
    return RiskList(rows=rows, total=total)


def at_risk(today: dt.date, *, rep_id: int | None = None, limit: int | None = None) -> RiskList:
    """A/B customers with at least one reason, most at risk first (the first `limit` and the total).

    rep_id: only that rep's customers (None: everyone's).
    """
    default_interval, low_max = _risk_settings()
    where_params = [today.isoformat(), low_max]
    where = " OR ".join(_reason_sql().values())
    return _listed(where, where_params, rep_id, limit, True, default_interval)


def customers_at_risk(
    today: dt.date, *, rep_id: int | None = None, limit: int | None = None
) -> list[CustomerRiskRow]:
    """A/B customers with at least one reason, most at risk first."""
    return at_risk(today, rep_id=rep_id, limit=limit).rows


def loyalty(*, rep_id: int | None = None, limit: int | None = None) -> RiskList:
    """A/B customers with good satisfaction (last or average ≥ 4), most valuable first.

    Not while a satisfaction reason puts them at risk: an open claim, a low last score or a
    detractor answer last time (someone who would not recommend us is no programme candidate).
    """
    default_interval, low = _risk_settings()
    reason_sql = _reason_sql()
    where = (
        f"(p.last_satisfaction >= {GOOD_SATISFACTION_MIN} OR p.average_satisfaction >= {GOOD_SATISFACTION_MIN})"
        f" AND NOT {reason_sql[RiskReason.OPEN_CLAIM]} AND NOT {reason_sql[RiskReason.DETRACTOR]}"
        f" AND NOT {reason_sql[RiskReason.LOW_SATISFACTION]}"
    )
    return _listed(where, [low], rep_id, limit, False, default_interval)


def loyalty_candidates(*, rep_id: int | None = None, limit: int | None = None) -> list[CustomerRiskRow]:
    return loyalty(rep_id=rep_id, limit=limit).rows


def reason_text(row: CustomerRiskRow, reason: RiskReason) -> str:
    """One reason as a sentence with the customer's own figures, e.g. "No purchase since 3 Mar 2026 (…)"."""
    expected = row.next_purchase_expected_on
    if reason is RiskReason.NO_RECENT_PURCHASE and row.last_purchase_on is not None and expected is not None:
        return _("No purchase since {date} (the next one was expected by {expected})").format(
            date=format_date(row.last_purchase_on), expected=format_date(expected)
        )
    if reason is RiskReason.LOW_SATISFACTION and row.last_satisfaction is not None:
        return _("Low satisfaction last time ({score} of 5)").format(
            score=format_number(row.last_satisfaction)
        )
    if reason is RiskReason.DETRACTOR and row.last_recommend is not None:
        return _("Would not recommend us last time ({score} of 10)").format(
            score=format_number(row.last_recommend)
        )
    if reason is RiskReason.OPEN_CLAIM and row.open_claims:
        return ngettext(
            "{n} open complaint or claim", "{n} open complaints or claims", row.open_claims
        ).format(n=format_number(row.open_claims))
    return reason.label


def risk_list_summary(result: RiskList) -> str:
    """The line above the at-risk list: how many customers it shows, of how many, and in what order."""
    shown, total = len(result.rows), result.total
    if shown < total:
        count = _("The {shown} most at risk of {total} A and B customers at risk are shown.").format(
            shown=format_number(shown), total=format_number(total)
        )
    else:
        count = ngettext(
            "{total} A or B customer is at risk.", "{total} A and B customers are at risk.", total
        ).format(total=format_number(total))
    return count + " " + _("Most at risk first: value × the weight of their reasons.")


def risk_weights_text() -> str:
    """Each reason with its weight, one a line, heaviest first (the summary line's tooltip)."""
    ordered = sorted(RISK_WEIGHTS.items(), key=lambda item: -item[1])
    return "\n".join(
        _("{reason}: weight {weight}").format(reason=reason.label, weight=format_number(weight))
        for reason, weight in ordered
    )


def reasons_text(row: CustomerRiskRow) -> str:
    """Every reason of the row, readable, separated by semicolons."""
    return "; ".join(reason_text(row, reason) for reason in row.reasons)
