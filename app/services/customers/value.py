"""Customer value and ABC (Pareto) segmentation (DOMAIN §6, seed 002 §5.1.1).

Historical value = Σ quantity × unit_price over the customer's sale lines − Σ refund_amount of
their warranty returns that were refunded or credited (state REFUNDED/CREDITED, or a later state
reached through one of them, read from the status history; a NULL refund_amount counts 0).

Every figure is an SQL aggregate. The window, the thresholds and the expected remaining years are
company settings (app.services.company.CompanySettings); the constants below are their defaults.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from peewee import SQL, fn

from app.i18n import N_, _, format_date, format_number
from app.models import Customer, ReturnStatusChange, Sale, SaleLine, WarrantyReturn
from app.models.enums import ReturnState, Segment
from app.services import audit
from app.services.errors import DomainError, NotFoundError, ValidationError
from app.services.transactions import write_command, write_transaction

# Defaults of the company settings (CompanySettings.expected_remaining_years, abc_*).
EXPECTED_REMAINING_YEARS = 5
DEFAULT_WINDOW_MONTHS = 24
DEFAULT_A_THRESHOLD = 80
DEFAULT_B_THRESHOLD = 95
UPDATE_BATCH = 900  # ids per UPDATE … WHERE id IN (…): under SQLite's 999-variable limit

FORMULA_TEXT = N_(
    "Historical value = sales (quantity × unit price) − refunds and credits of warranty returns. "
    "Annual value = historical value ÷ years since the first sale (at least 1 year). "
    "Projected lifetime value = annual value × expected remaining years ({years})."
)

REFUND_STATES = (ReturnState.REFUNDED, ReturnState.CREDITED)
CENT = Decimal("0.01")


def money(value) -> Decimal:
    """An SQL sum (float, int or None) as a Decimal rounded to the cent."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENT)


def _settings():
    from app.services.company import load_company_settings

    return load_company_settings()


def expected_remaining_years() -> int:
    """The company setting used by the projected lifetime value."""
    return _settings().expected_remaining_years


def formula_text(years: int | None = None) -> str:
    """How the value figures are computed; `years` defaults to the company setting."""
    return _(FORMULA_TEXT).format(years=format_number(expected_remaining_years() if years is None else years))


def refunded_condition():
    """Returns whose refund/credit counts against the customer's value."""
    through = ReturnStatusChange.select(ReturnStatusChange.warranty_return).where(
        ReturnStatusChange.to_state.in_(REFUND_STATES)
    )
    return WarrantyReturn.refund_amount.is_null(False) & (
        WarrantyReturn.state.in_(REFUND_STATES) | WarrantyReturn.id.in_(through)
    )


def _refund_day():
    return fn.COALESCE(WarrantyReturn.resolved_on, WarrantyReturn.reported_on)


def net_value_query(start: dt.date | None = None, end: dt.date | None = None):
    """(customer_id, net value) of every non-archived customer with sales or refunds in [start, end].

    Sales count by sold_on; refunds by the return's resolution date (reported date when unset).
    One UNION ALL of two GROUP BY aggregates, summed per customer.
    """
    sales_where = True
    refund_where = refunded_condition()
    if start is not None:
        sales_where = (Sale.sold_on >= start) & (Sale.sold_on <= end)
        refund_where &= (_refund_day() >= start) & (_refund_day() <= end)
    sales = (
        SaleLine.select(
            Sale.customer.alias("cid"), fn.SUM(SaleLine.quantity * SaleLine.unit_price).alias("amount")
        )
        .join(Sale)
        .where(sales_where)
        .group_by(Sale.customer)
    )
    refunds = (
        WarrantyReturn.select(
            WarrantyReturn.customer.alias("cid"), fn.SUM(WarrantyReturn.refund_amount * -1).alias("amount")
        )
        .where(refund_where)
        .group_by(WarrantyReturn.customer)
    )
    both = sales.union_all(refunds).alias("v")
    total = fn.SUM(both.c.amount)
    return (
        Customer.select(Customer.id, total.alias("value"))
        .join(both, on=(Customer.id == both.c.cid))
        .where(Customer.archived == False)  # noqa: E712
        .group_by(Customer.id)
    )


@dataclass(frozen=True)
class CustomerValue:
    customer_id: int
    revenue: Decimal
    refunds: Decimal
    historical: Decimal
    first_sale_on: dt.date | None
    years: Decimal  # years counted for the annual value (≥ 1)
    annual: Decimal
    expected_remaining_years: int
    projected: Decimal
    formula: str


def customer_value(
    customer_id: int, today: dt.date, expected_remaining_years: int | None = None
) -> CustomerValue:
    """The customer's historical, annual and projected value (see FORMULA_TEXT).

    expected_remaining_years defaults to the company setting.
    """
    if expected_remaining_years is None:
        expected_remaining_years = _settings().expected_remaining_years
    if not Customer.select().where(Customer.id == customer_id).exists():
        raise NotFoundError(_("The customer no longer exists."))
    revenue, first = (
        SaleLine.select(fn.SUM(SaleLine.quantity * SaleLine.unit_price), fn.MIN(Sale.sold_on))
        .join(Sale)
        .where(Sale.customer == customer_id)
        .tuples()
        .get()
    )
    refunds = (
        WarrantyReturn.select(fn.SUM(WarrantyReturn.refund_amount))
        .where(refunded_condition() & (WarrantyReturn.customer == customer_id))
        .scalar()
    )
    revenue, refunds = money(revenue), money(refunds)
    historical = revenue - refunds
    if isinstance(first, str):
        first = dt.date.fromisoformat(first)
    days = (today - first).days if first else 0
    years = max(Decimal(days) / Decimal("365.25"), Decimal(1))
    annual = (historical / years).quantize(CENT)
    return CustomerValue(
        customer_id=customer_id,
        revenue=revenue,
        refunds=refunds,
        historical=historical,
        first_sale_on=first,
        years=years.quantize(Decimal("0.01")),
        annual=annual,
        expected_remaining_years=expected_remaining_years,
        projected=(annual * expected_remaining_years).quantize(CENT),
        formula=formula_text(expected_remaining_years),
    )


def validate_thresholds(a_threshold, b_threshold) -> None:
    """A < B ≤ 100, both > 0; errors keyed by field."""
    errors: dict[str, str] = {}
    if not isinstance(a_threshold, (int, float, Decimal)) or not 0 < a_threshold < 100:
        errors["a_threshold"] = _("The A threshold is a percentage above 0 and below 100.")
    if not isinstance(b_threshold, (int, float, Decimal)) or not 0 < b_threshold <= 100:
        errors["b_threshold"] = _("The B threshold is a percentage above 0 and up to 100.")
    if not errors and a_threshold >= b_threshold:
        errors["b_threshold"] = _("The B threshold must be greater than the A threshold.")
    if errors:
        raise ValidationError(errors)


def months_before(day: dt.date, months: int) -> dt.date:
    """The day `months` months before `day` (clamped to the month's end), plus one day: window start."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last)) + dt.timedelta(days=1)


@dataclass(frozen=True)
class SegmentSummary:
    computed_on: dt.date
    window_start: dt.date
    window_end: dt.date
    customers_considered: int  # non-archived customers, all of which received a segment
    customers_with_sales: int
    total_revenue: Decimal
    counts: dict[Segment, int] = field(default_factory=dict)
    revenue: dict[Segment, Decimal] = field(default_factory=dict)


def rank_segments(
    values: list[tuple[int, float]], total: float, a_threshold, b_threshold
) -> dict[int, Segment]:
    """Segments of customers sorted by value (desc), from the aggregated rows (one per customer).

    A customer is in A while the revenue of the customers *before* it is below a_threshold % of
    the total (so the one crossing the line is A), likewise B; customers with an equal value share
    the segment of the first of them; zero or negative values are C.
    """
    result: dict[int, Segment] = {}
    cumulative = 0.0
    previous_value, previous_segment = None, None
    for customer_id, value in values:
        if value is None or value <= 0:
            segment = Segment.C
        elif value == previous_value:
            segment = previous_segment
        else:
            share = 100.0 * cumulative / total
            segment = Segment.A if share < a_threshold else Segment.B if share < b_threshold else Segment.C
        result[customer_id] = segment
        cumulative += value or 0.0
        previous_value, previous_segment = value, segment
    return result


@write_command
def compute_segments(
    today: dt.date,
    window_months: int | None = None,
    a_threshold=None,
    b_threshold=None,
    acting_rep_id: int | None = None,
) -> SegmentSummary:
    """Recompute every non-archived customer's ABC segment over the last `window_months` months.

    The window and thresholds left None come from the company settings (abc_window_months,
    abc_a_threshold, abc_b_threshold).

    Net revenue in the window ranks the customers (one SQL aggregate). Customers without sales in
    the window, or with zero net revenue, are C. Archived customers keep whatever they had. A
    window without any sale raises DomainError and changes nothing.
    """
    if window_months is None or a_threshold is None or b_threshold is None:
        stored = _settings()
        window_months = stored.abc_window_months if window_months is None else window_months
        a_threshold = stored.abc_a_threshold if a_threshold is None else a_threshold
        b_threshold = stored.abc_b_threshold if b_threshold is None else b_threshold
    validate_thresholds(a_threshold, b_threshold)
    if not isinstance(window_months, int) or window_months < 1:
        raise ValidationError({"window_months": _("The window is at least one month.")})
    start = months_before(today, window_months)
    if not Sale.select().where((Sale.sold_on >= start) & (Sale.sold_on <= today)).exists():
        raise DomainError(
            _("There are no sales between {start} and {end}: the segments were not recomputed.").format(
                start=format_date(start), end=format_date(today)
            )
        )
    query = net_value_query(start, today)
    rows = [(cid, float(v or 0)) for cid, v in query.order_by(SQL("value").desc(), Customer.id).tuples()]
    total = sum(v for _cid, v in rows if v > 0)
    segments = rank_segments(rows, total, a_threshold, b_threshold) if total > 0 else {}

    counts = {s: 0 for s in Segment}
    revenue = {s: 0.0 for s in Segment}
    for cid, v in rows:
        segment = segments.get(cid, Segment.C)
        revenue[segment] += v
    by_segment: dict[Segment, list[int]] = {Segment.A: [], Segment.B: []}
    for cid, segment in segments.items():
        if segment in by_segment:
            by_segment[segment].append(cid)
    active = Customer.archived == False  # noqa: E712
    with write_transaction():
        considered = Customer.update(segment=Segment.C, segment_computed_on=today).where(active).execute()
        for segment, ids in by_segment.items():
            for i in range(0, len(ids), UPDATE_BATCH):
                Customer.update(segment=segment).where(Customer.id.in_(ids[i : i + UPDATE_BATCH])).execute()
        counts[Segment.A] = len(by_segment[Segment.A])
        counts[Segment.B] = len(by_segment[Segment.B])
        counts[Segment.C] = considered - counts[Segment.A] - counts[Segment.B]
        audit.record(
            "compute_segments",
            "customer",
            0,
            acting_rep_id,
            context={
                "window_start": start,
                "window_end": today,
                "a_threshold": a_threshold,
                "b_threshold": b_threshold,
                "counts": {s.value: n for s, n in counts.items()},
            },
        )
    return SegmentSummary(
        computed_on=today,
        window_start=start,
        window_end=today,
        customers_considered=considered,
        customers_with_sales=len(rows),
        total_revenue=money(sum(v for _cid, v in rows)),
        counts=counts,
        revenue={s: money(v) for s, v in revenue.items()},
    )


def segment_distribution() -> dict[Segment | None, int]:
    """Non-archived customers per stored segment (None: never computed)."""
    # COUNT(*), not COUNT(id): both engines then count from the (archived, segment) index alone.
    query = (
        Customer.select(Customer.segment, fn.COUNT(SQL("*")))
        .where(Customer.archived == False)  # noqa: E712
        .group_by(Customer.segment)
    )
    return {segment: count for segment, count in query.tuples()}
