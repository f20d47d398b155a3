"""Warranty-return statistics for a period: states, reasons, resolutions, days and costs.

Every figure is an SQL aggregate over the returns *reported* in the period (inclusive), optionally
of one rep. The resolution of a return is the resolution state it entered (rejected, repaired,
replaced, refunded or credited; app.services.returns.RESOLUTION_STATES), read from its history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from peewee import fn

from app.models import Customer, Product, ReturnStatusChange, SoldUnit, WarrantyReturn
from app.models.dialect import days_between, when
from app.models.enums import ReturnReason, ReturnState
from app.services.returns import RESOLUTION_STATES

W = WarrantyReturn
_CENT = Decimal("0.01")


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(_CENT)


@dataclass(frozen=True)
class CostlyReturn:
    number: str
    reported_on: dt.date
    customer_name: str
    product_name: str
    state: ReturnState
    total_cost: Decimal  # parts + labour + shipping + refund


@dataclass(frozen=True)
class ReturnStatistics:
    start: dt.date
    end: dt.date
    total: int  # reported in the period
    by_state: dict[ReturnState, int]  # current state; states with returns only, enum order
    by_reason: dict[ReturnReason, int]  # reasons with returns only, enum order
    by_resolution: dict[ReturnState, int]  # resolution states reached, enum order
    resolved: int
    mean_days_to_resolve: float | None
    median_days_to_resolve: float | None
    cost_parts: Decimal
    cost_labour: Decimal
    cost_shipping: Decimal
    refunds: Decimal
    costliest: list[CostlyReturn]  # the returns that cost most (at most 5), for the memo

    @property
    def total_cost(self) -> Decimal:
        return self.cost_parts + self.cost_labour + self.cost_shipping + self.refunds


def _ordered(enum_class, counts: dict) -> dict:
    return {member: counts[member] for member in enum_class if counts.get(member)}


def return_statistics(start: dt.date, end: dt.date, *, rep_id: int | None = None) -> ReturnStatistics:
    """The figures of the warranty returns reported between start and end (inclusive)."""
    condition = (W.reported_on >= start) & (W.reported_on <= end)
    if rep_id is not None:
        condition &= W.rep == rep_id

    def counts(column) -> dict:
        return dict(W.select(column, fn.COUNT(W.id)).where(condition).group_by(column).tuples())

    states = counts(W.state)
    reasons = counts(W.reason)
    resolutions = dict(
        ReturnStatusChange.select(ReturnStatusChange.to_state, fn.COUNT(fn.DISTINCT(W.id)))
        .join(W, on=(ReturnStatusChange.warranty_return == W.id))
        .where(condition & ReturnStatusChange.to_state.in_(list(RESOLUTION_STATES)))
        .group_by(ReturnStatusChange.to_state)
        .tuples()
    )
    days = days_between(W.resolved_on, W.reported_on)
    resolved_condition = condition & W.resolved_on.is_null(False)
    resolved, mean_days, parts, labour, shipping, refunds = (
        W.select(
            fn.COUNT(W.resolved_on),
            fn.AVG(when(W.resolved_on.is_null(False), days)),
            fn.SUM(W.cost_parts),
            fn.SUM(W.cost_labour),
            fn.SUM(W.cost_shipping),
            fn.SUM(W.refund_amount),
        )
        .where(condition)
        .tuples()
        .get()
    )
    median = None
    if resolved:
        middle = (
            W.select(days)
            .where(resolved_condition)
            .order_by(days)
            .limit(2 - resolved % 2)
            .offset((resolved - 1) // 2)
        )
        values = [float(v) for (v,) in middle.tuples()]
        median = sum(values) / len(values)

    cost = W.cost_parts + W.cost_labour + W.cost_shipping + fn.COALESCE(W.refund_amount, 0)
    costliest = (
        W.select(W.number, W.reported_on, Customer.name, Product.name, W.state, cost)
        .join(Customer, on=(W.customer == Customer.id))
        .join_from(W, SoldUnit, on=(W.sold_unit == SoldUnit.id))
        .join(Product, on=(SoldUnit.product == Product.id))
        .where(condition & (cost > 0))
        .order_by(cost.desc(), W.number)
        .limit(5)
    )
    return ReturnStatistics(
        start=start,
        end=end,
        total=sum(states.values()),
        by_state=_ordered(ReturnState, states),
        by_reason=_ordered(ReturnReason, reasons),
        by_resolution=_ordered(ReturnState, resolutions),
        resolved=resolved or 0,
        mean_days_to_resolve=float(mean_days) if mean_days is not None else None,
        median_days_to_resolve=median,
        cost_parts=_money(parts),
        cost_labour=_money(labour),
        cost_shipping=_money(shipping),
        refunds=_money(refunds),
        costliest=[
            CostlyReturn(number, reported_on, customer, product, ReturnState(state), _money(total))
            for number, reported_on, customer, product, state, total in costliest.tuples()
        ],
    )
