"""Correct-use check lists and statistics: filtered, paged lists, checks due, most failed items."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, Case, fn

from app.i18n import _
from app.models import (
    CheckAnswer,
    CheckItem,
    CheckTemplate,
    Customer,
    FollowUp,
    Product,
    ProductCategory,
    Rep,
    SoldUnit,
    UsageCheck,
)
from app.models import now as wall_clock_now
from app.models.dialect import any_true
from app.models.enums import (
    CheckAnswerResult,
    CheckStatus,
    FollowUpPurpose,
    FollowUpState,
    UnitStatus,
)
from app.services.followups import (
    agenda_query,
    agenda_rows,
)
from app.services.followups.agenda import agenda_sort_keys
from app.services.sorting import ListSort, ordering

OK, NOT_OK, NA = CheckAnswerResult.OK, CheckAnswerResult.NOT_OK, CheckAnswerResult.NOT_APPLICABLE


# --- lists and statistics ------------------------------------------------------------------

RESULT_PASSED, RESULT_FAILED, RESULT_DRAFT = "passed", "failed", "draft"


@dataclass(frozen=True)
class CheckFilter:
    """Which checks a list shows. `result`: None (all), 'passed', 'failed' or 'draft'; the period
    [start, end] is on the completion day (the start day for drafts)."""

    result: str | None = None
    category_id: int | None = None
    product_id: int | None = None
    rep_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    customer_id: int | None = None
    sold_unit_id: int | None = None


@dataclass(frozen=True)
class CheckRow:
    id: int
    status: CheckStatus
    started_at: dt.datetime
    completed_at: dt.datetime | None
    score: float | None
    passed: bool | None
    customer_id: int
    customer_code: str
    customer_name: str
    sold_unit_id: int
    product_name: str
    serial_number: str
    category_name: str
    rep_name: str
    template_name: str
    template_version: int
    follow_up_id: int | None
    rep_id: int | None = None
    customer_rep_id: int | None = None  # with rep_id, who may change the check

    @property
    def when(self) -> dt.datetime:
        return self.completed_at or self.started_at


def result_text(status: CheckStatus, passed: bool | None) -> str:
    """A check's result in words: Draft, Passed or Failed (the list's column and the exports')."""
    if status is CheckStatus.DRAFT:
        return _("Draft")
    return _("Passed") if passed else _("Failed")


def _moment():
    return fn.COALESCE(UsageCheck.completed_at, UsageCheck.started_at)


def _filtered(query, f: CheckFilter):
    if f.result == RESULT_DRAFT:
        query = query.where(UsageCheck.status == CheckStatus.DRAFT)
    elif f.result in (RESULT_PASSED, RESULT_FAILED):
        query = query.where(
            (UsageCheck.status == CheckStatus.COMPLETED) & (UsageCheck.passed == (f.result == RESULT_PASSED))
        )
    if f.product_id is not None:
        query = query.where(SoldUnit.product == f.product_id)
    if f.category_id is not None:
        query = query.where(Product.category == f.category_id)
    if f.rep_id is not None:
        query = query.where(UsageCheck.rep == f.rep_id)
    if f.customer_id is not None:
        query = query.where(UsageCheck.customer == f.customer_id)
    if f.sold_unit_id is not None:
        query = query.where(UsageCheck.sold_unit == f.sold_unit_id)
    if f.start is not None:
        query = query.where(_moment() >= dt.datetime.combine(f.start, dt.time.min))
    if f.end is not None:
        query = query.where(_moment() < dt.datetime.combine(f.end + dt.timedelta(days=1), dt.time.min))
    return query


def _joined(query):
    return query.join_from(UsageCheck, SoldUnit, on=(UsageCheck.sold_unit == SoldUnit.id)).join_from(
        SoldUnit, Product, on=(SoldUnit.product == Product.id)
    )


def count_checks(f: CheckFilter = CheckFilter()) -> int:
    return _filtered(_joined(UsageCheck.select(fn.COUNT(UsageCheck.id))), f).scalar() or 0


def _check_sort_keys() -> dict:
    """What the checks list sorts by: its columns (the result: drafts, then failed, then passed)."""
    return {
        "date": _moment(),
        "customer": Customer.sort_key,  # the names' collation order (app.models.collation)
        "product": (Product.name, SoldUnit.serial_number),
        "checklist": (CheckTemplate.name, CheckTemplate.version),
        "rep": Rep.name,
        "result": Case(
            None,
            (((UsageCheck.status == CheckStatus.DRAFT), 0), ((UsageCheck.passed == False), 1)),  # noqa: E712 (SQL, not Python)
            2,
        ),
        "score": UsageCheck.score,
    }


def list_checks(
    f: CheckFilter = CheckFilter(), offset: int = 0, limit: int | None = None, sort: ListSort | None = None
) -> list[CheckRow]:
    """Checks newest first (completion, else start) or sorted by `sort` (a key of `_check_sort_keys`),
    filtered in SQL."""
    query = (
        _joined(
            UsageCheck.select(
                UsageCheck.id,
                UsageCheck.status,
                UsageCheck.started_at,
                UsageCheck.completed_at,
                UsageCheck.score,
                UsageCheck.passed,
                UsageCheck.customer,
                UsageCheck.sold_unit,
                UsageCheck.follow_up,
                UsageCheck.rep,
                Customer.rep.alias("customer_rep_id"),
                Customer.code.alias("customer_code"),
                Customer.name.alias("customer_name"),
                Product.name.alias("product_name"),
                SoldUnit.serial_number,
                ProductCategory.name.alias("category_name"),
                Rep.name.alias("rep_name"),
                CheckTemplate.name.alias("template_name"),
                CheckTemplate.version.alias("template_version"),
            )
        )
        .join_from(UsageCheck, Customer, on=(UsageCheck.customer == Customer.id))
        .join_from(Product, ProductCategory, JOIN.LEFT_OUTER, on=(Product.category == ProductCategory.id))
        .join_from(UsageCheck, Rep, JOIN.LEFT_OUTER, on=(UsageCheck.rep == Rep.id))
        .join_from(UsageCheck, CheckTemplate, on=(UsageCheck.template == CheckTemplate.id))
    )
    query = _filtered(query, f).order_by(
        *ordering(sort, _check_sort_keys(), (_moment().desc(), UsageCheck.id.desc()), UsageCheck.id)
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [
        CheckRow(
            r["id"],
            CheckStatus(r["status"]),
            r["started_at"],
            r["completed_at"],
            r["score"],
            r["passed"],
            r["customer"],
            r["customer_code"],
            r["customer_name"],
            r["sold_unit"],
            r["product_name"],
            r["serial_number"] or "",
            r["category_name"] or "",
            r["rep_name"] or "",
            r["template_name"],
            r["template_version"],
            r["follow_up"],
            rep_id=r["rep"],
            customer_rep_id=r["customer_rep_id"],
        )
        for r in query.dicts()
    ]


def unit_history(sold_unit_id: int) -> list[CheckRow]:
    return list_checks(CheckFilter(sold_unit_id=sold_unit_id))


def customer_history(customer_id: int) -> list[CheckRow]:
    return list_checks(CheckFilter(customer_id=customer_id))


def _due_query(rep_id: int | None, until: dt.datetime | None):
    query = agenda_query(rep_id, [FollowUpState.PLANNED], None, [FollowUpPurpose.USAGE_CHECK]).where(
        FollowUp.sold_unit.is_null(False)
    )
    if until is not None:
        query = query.where(FollowUp.scheduled_at < until)
    return query


def checks_due(
    rep_id: int | None = None,
    until: dt.datetime | None = None,
    offset: int = 0,
    limit: int | None = None,
    now: dt.datetime | None = None,
    sort: ListSort | None = None,
):
    """Planned correct-use follow-ups (from the plans or scheduled by hand), oldest first or sorted by
    `sort` (a key of the agenda's `agenda_sort_keys`), as agenda rows."""
    query = _due_query(rep_id, until)
    if sort is not None:
        query = query.order_by(
            *ordering(sort, agenda_sort_keys(), (), FollowUp.id, then=(FollowUp.scheduled_at,))
        )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return agenda_rows(query, now or wall_clock_now())


def count_checks_due(rep_id: int | None = None, until: dt.datetime | None = None) -> int:
    query = FollowUp.select(fn.COUNT(FollowUp.id)).where(
        (FollowUp.state == FollowUpState.PLANNED)
        & (FollowUp.purpose == FollowUpPurpose.USAGE_CHECK)
        & FollowUp.sold_unit.is_null(False)
    )
    if rep_id is not None:
        query = query.where(FollowUp.rep == rep_id)
    if until is not None:
        query = query.where(FollowUp.scheduled_at < until)
    return query.scalar() or 0


@dataclass(frozen=True)
class FailedItemRow:
    family: str
    template_name: str
    question: str
    critical: bool
    not_ok: int
    applicable: int  # answered OK or Not OK
    trained: int  # Not OK and trained on site

    @property
    def failure_rate(self) -> float:
        return self.not_ok / self.applicable if self.applicable else 0.0


@dataclass(frozen=True)
class TemplateFamily:
    family: str
    name: str  # the current (or latest) version's name


def template_families() -> list[TemplateFamily]:
    """Every checklist family with its latest name, by name (the most-failed table's choice)."""
    latest = (
        CheckTemplate.select(CheckTemplate.family, fn.MAX(CheckTemplate.version).alias("version"))
        .group_by(CheckTemplate.family)
        .alias("latest")
    )
    query = (
        CheckTemplate.select(CheckTemplate.family, CheckTemplate.name)
        .join(
            latest,
            on=((CheckTemplate.family == latest.c.family) & (CheckTemplate.version == latest.c.version)),
        )
        .order_by(CheckTemplate.name, CheckTemplate.family)
    )
    return [TemplateFamily(f, n) for f, n in query.tuples()]


def most_failed_items(
    start: dt.date | None = None,
    end: dt.date | None = None,
    family: str | None = None,
    limit: int | None = 50,
    *,
    category_id: int | None = None,
    rep_id: int | None = None,
) -> list[FailedItemRow]:
    """Items answered Not OK most often in checks finished in [start, end], per checklist family
    (the same question in several versions counts together). SQL GROUP BY, in two steps: the
    period's answers counted per item (read from the indexes alone: usage_check (status,
    completed_at, rep_id, …) and check_answer (check_id, item_id, result, trained_on_site),
    migration 10), then those few hundred items summed per family and question. Grouping the
    answers themselves by family and question read two more rows and sorted a text key per answer
    (a year of the 100k demo: 1.2 s → 0.45 s)."""
    per_item = (
        CheckAnswer.select(
            CheckAnswer.item.alias("item_id"),
            fn.SUM(Case(None, ((CheckAnswer.result == NOT_OK, 1),), 0)).alias("not_ok"),
            fn.SUM(Case(None, ((CheckAnswer.result.in_([OK, NOT_OK]), 1),), 0)).alias("applicable"),
            fn.SUM(
                Case(None, (((CheckAnswer.result == NOT_OK) & (CheckAnswer.trained_on_site == True), 1),), 0)  # noqa: E712 (peewee builds SQL from ==)
            ).alias("trained"),
        )
        .join(UsageCheck, on=(CheckAnswer.check == UsageCheck.id))
        .where(UsageCheck.status == CheckStatus.COMPLETED)
        .group_by(CheckAnswer.item)
    )
    if start is not None:
        per_item = per_item.where(UsageCheck.completed_at >= dt.datetime.combine(start, dt.time.min))
    if end is not None:
        per_item = per_item.where(
            UsageCheck.completed_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
        )
    if rep_id is not None:
        per_item = per_item.where(UsageCheck.rep == rep_id)
    counted = per_item.alias("counted")
    not_ok = fn.SUM(counted.c.not_ok)
    applicable = fn.SUM(counted.c.applicable)
    query = (
        CheckItem.select(
            CheckTemplate.family,
            fn.MAX(CheckTemplate.name).alias("template_name"),
            CheckItem.question,
            any_true(CheckItem.critical).alias("critical"),
            not_ok.alias("not_ok"),
            applicable.alias("applicable"),
            fn.SUM(counted.c.trained).alias("trained"),
        )
        .join(counted, on=(counted.c.item_id == CheckItem.id))
        .join_from(CheckItem, CheckTemplate, on=(CheckItem.template == CheckTemplate.id))
        .group_by(CheckTemplate.family, CheckItem.question)
        .having(not_ok > 0)
        .order_by(not_ok.desc(), (not_ok * 1.0 / applicable).desc(), CheckItem.question)
    )
    # The item's template says its family and category: filtering after counting is the same.
    if family:
        query = query.where(CheckTemplate.family == family)
    if category_id is not None:
        query = query.where(CheckTemplate.category == category_id)
    if limit is not None:
        query = query.limit(limit)
    return [
        FailedItemRow(
            r["family"],
            r["template_name"],
            r["question"],
            bool(r["critical"]),
            int(r["not_ok"]),
            int(r["applicable"]),
            int(r["trained"] or 0),
        )
        for r in query.dicts()
    ]


@dataclass(frozen=True)
class CheckUnitChoice:
    """One of the customer's sold units, offered when a check is started by hand."""

    id: int
    product_name: str
    serial_number: str
    status: UnitStatus
    has_checklist: bool


def units_to_check(customer_id: int) -> list[CheckUnitChoice]:
    """A customer's sold units (newest first), for starting a check by hand."""
    with_product = {
        p
        for (p,) in CheckTemplate.select(CheckTemplate.product)
        .where(
            (CheckTemplate.active == True) & CheckTemplate.product.is_null(False)  # noqa: E712
        )
        .tuples()
    }
    with_category = {
        c
        for (c,) in CheckTemplate.select(CheckTemplate.category)
        .where(
            (CheckTemplate.active == True) & CheckTemplate.product.is_null()  # noqa: E712
        )
        .tuples()
    }
    query = (
        SoldUnit.select(
            SoldUnit.id, Product.name, SoldUnit.serial_number, SoldUnit.status, Product.id, Product.category
        )
        .join(Product, on=(SoldUnit.product == Product.id))
        .where(SoldUnit.customer == customer_id)
        .order_by(SoldUnit.id.desc())
    )
    return [
        CheckUnitChoice(
            uid, name, serial or "", UnitStatus(status), pid in with_product or cat in with_category
        )
        for uid, name, serial, status, pid, cat in query.tuples()
    ]
