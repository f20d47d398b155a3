"""Every list the app shows, as a table to export: its columns, and its rows read through the same
service query the page uses (filters, order and rights alike), batch by batch. No Qt.

Each `<list>_table(...)` takes what the page filters by (the service's own filter object) and returns
a `Table` whose rows are read lazily while the file is written. `table_for` is the command line's
way in: a list kind, a rep, a period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from app.i18n import N_, _
from app.models.customers import fold_for_search
from app.models.enums import Choice, FollowUpState, Segment
from app.services.cases import CaseFilter, CaseRow, count_cases, list_cases
from app.services.checks import CheckFilter, CheckRow, count_checks, list_checks, result_text
from app.services.customers import CustomerRow, count_customers, search_customers
from app.services.customers.risk import CustomerRiskRow, at_risk, loyalty, reasons_text
from app.services.errors import ValidationError
from app.services.exports.tables import (
    Column,
    Table,
    date,
    datetime,
    integer,
    label,
    money,
    number,
    text,
    yes_no,
)
from app.services.followups.agenda import AgendaRow, AgendaWindow, agenda_batch, count_agenda
from app.services.reporting.satisfaction import SurveyListRow, count_surveys, list_surveys
from app.services.returns import ReturnFilter, ReturnRow, count_returns, list_returns

BATCH = 20_000  # rows read per query while the file is written (fewer, larger queries are faster)
DEFAULT_FOLLOW_UP_DAYS = 28  # the command line's follow-ups without --to: four weeks (as `postventa agenda`)


class ListKind(Choice):
    """The lists that can be exported; the codes are the command line's words."""

    CUSTOMERS = "customers", N_("Customers")
    FOLLOW_UPS = "followups", N_("Follow-ups")
    CHECKS = "checks", N_("Usage checks")
    RETURNS = "returns", N_("Warranty returns")
    CASES = "cases", N_("Cases")
    SURVEYS = "surveys", N_("Surveys")
    AT_RISK = "at-risk", N_("Customers at risk")
    LOYALTY = "loyalty", N_("Loyalty programme candidates")


def _batched(fetch: Callable[[int, int], Sequence[Any]], batch: int = BATCH) -> Iterator[Any]:
    """Every row of a paged service query, `batch` rows a query."""
    offset = 0
    while True:
        rows = fetch(offset, batch)
        yield from rows
        if len(rows) < batch:
            return
        offset += len(rows)


# --- customers --------------------------------------------------------------------------------------

CUSTOMER_COLUMNS: tuple[Column, ...] = (
    text(lambda r: r.code, N_("Code")),
    text(lambda r: r.name, N_("Name")),
    text(lambda r: r.kind.label, N_("Type")),
    text(lambda r: r.tax_id, N_("Tax ID")),
    text(lambda r: r.phone, N_("Phone")),
    text(lambda r: r.email, N_("E-mail")),
    text(lambda r: r.city, N_("City")),
    text(lambda r: r.rep_name, N_("Rep")),
    text(lambda r: label(r.segment), N_("Segment")),
    text(lambda r: yes_no(r.archived), N_("Archived")),
)


def customers_table(
    search: str = "",
    *,
    include_archived: bool = False,
    rep_id: int | None = None,
    need_tag: str | None = None,
    segment: Segment | None = None,
    order_by: str = "name",
    descending: bool = False,
) -> Table:
    """The customer list as the Customers page shows it: the same search words, filters and order."""
    filters: dict[str, Any] = dict(
        include_archived=include_archived, rep_id=rep_id, need_tag=need_tag, segment=segment
    )

    def fetch(offset: int, limit: int) -> list[CustomerRow]:
        return search_customers(
            search, **filters, order_by=order_by, descending=descending, offset=offset, limit=limit
        )

    return Table(
        ListKind.CUSTOMERS.label, CUSTOMER_COLUMNS, _batched(fetch), count_customers(search, **filters)
    )


# --- follow-ups -------------------------------------------------------------------------------------

FOLLOW_UP_COLUMNS: tuple[Column, ...] = (
    datetime(lambda r: r.scheduled_at, N_("Date and time")),
    integer(lambda r: r.duration_minutes, N_("Minutes")),
    text(lambda r: r.kind.label, N_("Kind")),
    text(lambda r: r.purpose.label, N_("Purpose")),
    text(lambda r: r.state.label, N_("State")),
    text(lambda r: label(r.outcome), N_("Outcome")),
    text(lambda r: yes_no(r.overdue), N_("Overdue")),
    integer(lambda r: r.attempt, N_("Attempt")),
    text(lambda r: r.customer_code, N_("Customer code")),
    text(lambda r: r.customer_name, N_("Customer")),
    text(lambda r: label(r.segment), N_("Segment")),
    text(lambda r: r.phone, N_("Phone")),
    text(lambda r: r.mobile, N_("Mobile")),
    text(lambda r: r.email, N_("E-mail")),
    text(lambda r: r.location, N_("Place")),
    text(lambda r: r.product_name, N_("Product")),
    text(lambda r: r.serial_number, N_("Serial number")),
    text(lambda r: r.rep_name, N_("Rep")),
    text(lambda r: r.notes, N_("Notes")),
    text(lambda r: r.cancel_reason, N_("Reason for cancelling")),
)


def follow_ups_table(window: AgendaWindow, now: dt.datetime) -> Table:
    """The agenda's follow-ups of a window (the page's view and filters), in the agenda's order."""

    def fetch(offset: int, limit: int) -> list[AgendaRow]:
        return agenda_batch(window, offset=offset, limit=limit, now=now)

    return Table(ListKind.FOLLOW_UPS.label, FOLLOW_UP_COLUMNS, _batched(fetch), count_agenda(window))


# --- usage checks -----------------------------------------------------------------------------------

CHECK_COLUMNS: tuple[Column, ...] = (
    datetime(lambda r: r.when, N_("Date")),
    text(lambda r: result_text(r.status, r.passed), N_("Result")),
    number(lambda r: None if r.score is None else r.score * 100, N_("Score (%)"), 0),
    text(lambda r: r.customer_code, N_("Customer code")),
    text(lambda r: r.customer_name, N_("Customer")),
    text(lambda r: r.product_name, N_("Product")),
    text(lambda r: r.serial_number, N_("Serial number")),
    text(lambda r: r.category_name, N_("Category")),
    text(lambda r: r.template_name, N_("Checklist")),
    integer(lambda r: r.template_version, N_("Version")),
    text(lambda r: r.rep_name, N_("Rep")),
)


def checks_table(filters: CheckFilter) -> Table:
    """The checks of the Usage checks page's filters, newest first."""

    def fetch(offset: int, limit: int) -> list[CheckRow]:
        return list_checks(filters, offset=offset, limit=limit)

    return Table(ListKind.CHECKS.label, CHECK_COLUMNS, _batched(fetch), count_checks(filters))


# --- warranty returns -------------------------------------------------------------------------------

RETURN_COLUMNS: tuple[Column, ...] = (
    text(lambda r: r.number, N_("Number")),
    date(lambda r: r.reported_on, N_("Requested")),
    text(lambda r: r.state.label, N_("State")),
    text(lambda r: r.customer_name, N_("Customer")),
    text(lambda r: r.product_name, N_("Product")),
    text(lambda r: r.serial_number, N_("Serial number")),
    text(lambda r: r.reason.label, N_("Reason")),
    text(lambda r: _("Under warranty") if r.under_warranty else _("Out of warranty"), N_("Warranty")),
    date(lambda r: r.due_on, N_("Due date")),
    date(lambda r: r.resolved_on, N_("Resolved on")),
    date(lambda r: r.closed_on, N_("Closed on")),
    integer(lambda r: r.days_open, N_("Days open")),
    text(lambda r: yes_no(r.overdue), N_("Overdue")),
    text(lambda r: r.rep_name, N_("Rep")),
)


def returns_table(filters: ReturnFilter, today: dt.date) -> Table:
    """The returns of the Warranty returns page's filters, newest request first."""

    def fetch(offset: int, limit: int) -> list[ReturnRow]:
        return list_returns(filters, offset=offset, limit=limit, today=today)

    return Table(ListKind.RETURNS.label, RETURN_COLUMNS, _batched(fetch), count_returns(filters, today))


# --- cases ------------------------------------------------------------------------------------------

CASE_COLUMNS: tuple[Column, ...] = (
    text(lambda r: r.number, N_("Number")),
    text(lambda r: r.kind.label, N_("Type")),
    text(lambda r: r.stage.label, N_("Stage")),
    date(lambda r: r.received_on, N_("Received")),
    text(lambda r: r.customer_code, N_("Customer code")),
    text(lambda r: r.customer_name, N_("Customer")),
    text(lambda r: r.channel.label, N_("Channel")),
    text(lambda r: label(r.category), N_("Category")),
    text(lambda r: label(r.severity), N_("Severity")),
    date(lambda r: r.first_answer_due, N_("First answer due")),
    date(lambda r: r.first_answer_on, N_("First answer")),
    date(lambda r: r.resolution_due, N_("Resolution due")),
    date(lambda r: r.closed_on, N_("Closed on")),
    integer(lambda r: r.days_open, N_("Days open")),
    text(lambda r: yes_no(r.overdue), N_("Overdue")),
    text(lambda r: r.rep_name, N_("Rep")),
    text(lambda r: r.customer_words, N_("Customer's words")),
)


def cases_table(filters: CaseFilter, today: dt.date) -> Table:
    """The cases of the Cases page's filters, newest reception first."""

    def fetch(offset: int, limit: int) -> list[CaseRow]:
        return list_cases(filters, today=today, offset=offset, limit=limit)

    return Table(ListKind.CASES.label, CASE_COLUMNS, _batched(fetch), count_cases(filters, today=today))


# --- satisfaction surveys ---------------------------------------------------------------------------

SURVEY_COLUMNS: tuple[Column, ...] = (
    date(lambda r: r.taken_on, N_("Date")),
    text(lambda r: r.customer_code, N_("Customer code")),
    text(lambda r: r.customer_name, N_("Customer")),
    integer(lambda r: r.satisfaction, N_("Satisfaction (1–5)")),
    integer(lambda r: r.recommend, N_("Recommendation (0–10)")),
    text(lambda r: label(r.cause), N_("Cause of dissatisfaction")),
    text(lambda r: r.comment, N_("Comment")),
    text(lambda r: r.category_name, N_("Category")),
    text(lambda r: r.case_number, N_("Case")),
    text(lambda r: r.return_number, N_("Return")),
    text(lambda r: r.rep_name, N_("Rep")),
)


def surveys_table(start: dt.date | None, end: dt.date | None, rep_id: int | None = None) -> Table:
    """The satisfaction surveys taken in the period (None: unbounded), by a rep or everyone's."""
    if start is not None and end is not None and end < start:
        raise ValidationError({"end": _("The end of the period is before its start.")})

    def fetch(offset: int, limit: int) -> list[SurveyListRow]:
        return list_surveys(start, end, rep_id=rep_id, offset=offset, limit=limit)

    total = count_surveys(start, end, rep_id=rep_id)
    return Table(ListKind.SURVEYS.label, SURVEY_COLUMNS, _batched(fetch), total)


# --- customers at risk and loyalty candidates -------------------------------------------------------

_RETENTION_COLUMNS: tuple[Column, ...] = (
    text(lambda r: r.code, N_("Code")),
    text(lambda r: r.name, N_("Name")),
    text(lambda r: r.segment.label, N_("Segment")),
    money(lambda r: r.value, N_("Value")),
    date(lambda r: r.last_purchase_on, N_("Last purchase")),
    number(lambda r: r.usual_interval_days, N_("Usual interval (days)"), 0),
    integer(lambda r: r.last_satisfaction, N_("Last satisfaction")),
    integer(lambda r: r.last_recommend, N_("Last recommendation")),
    number(lambda r: r.average_satisfaction, N_("Average satisfaction"), 1),
    integer(lambda r: r.open_claims, N_("Open complaints or claims")),
)
AT_RISK_COLUMNS = (*_RETENTION_COLUMNS, text(reasons_text, N_("Reasons")))
LOYALTY_COLUMNS = _RETENTION_COLUMNS


def _matching(rows: list[CustomerRiskRow], words: str) -> list[CustomerRiskRow]:
    """The rows whose code and name contain every word (accents and case ignored), as the page filters."""
    terms = fold_for_search(words).split()
    return [row for row in rows if all(t in fold_for_search(f"{row.code} {row.name}") for t in terms)]


def at_risk_table(today: dt.date, *, rep_id: int | None = None, search: str = "") -> Table:
    """Every customer at risk (the page lists the most valuable 500), most valuable first; `search`
    narrows it by code and name as the page's search box does."""
    rows = _matching(at_risk(today, rep_id=rep_id).rows, search)
    return Table(ListKind.AT_RISK.label, AT_RISK_COLUMNS, rows, len(rows))


def loyalty_table(*, rep_id: int | None = None, search: str = "") -> Table:
    """Every loyalty programme candidate, most valuable first (`search` as for at_risk_table)."""
    rows = _matching(loyalty(rep_id=rep_id).rows, search)
    return Table(ListKind.LOYALTY.label, LOYALTY_COLUMNS, rows, len(rows))


# --- the command line's way in ----------------------------------------------------------------------

PERIOD_KINDS = frozenset(
    {ListKind.FOLLOW_UPS, ListKind.CHECKS, ListKind.RETURNS, ListKind.CASES, ListKind.SURVEYS}
)


def table_for(
    kind: ListKind,
    *,
    rep_id: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date,
    now: dt.datetime,
) -> Table:
    """A whole list (every state), of one rep or everyone's, in a period where the list has dates:
    follow-ups by their date (default: from today, four weeks), checks by their day, returns by their
    request, cases by their reception, surveys by the day they were taken. Raises ValidationError for a
    period that ends before it starts or a period given to a list without dates."""
    if (start is not None or end is not None) and kind not in PERIOD_KINDS:
        raise ValidationError(
            {"period": _("The {list} list has no dates: leave out --from and --to.").format(list=kind.label)}
        )
    if start is not None and end is not None and end < start:
        raise ValidationError({"end": _("The end of the period is before its start.")})
    if kind is ListKind.CUSTOMERS:
        return customers_table(rep_id=rep_id)
    if kind is ListKind.FOLLOW_UPS:
        first = start or today
        last = end or first + dt.timedelta(days=DEFAULT_FOLLOW_UP_DAYS - 1)
        window = AgendaWindow(
            rep_id,
            dt.datetime.combine(first, dt.time.min),
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min),
            tuple(FollowUpState),
        )
        return follow_ups_table(window, now)
    if kind is ListKind.CHECKS:
        return checks_table(CheckFilter(rep_id=rep_id, start=start, end=end))
    if kind is ListKind.RETURNS:
        return returns_table(ReturnFilter(rep_id=rep_id, reported_from=start, reported_to=end), today)
    if kind is ListKind.CASES:
        return cases_table(CaseFilter(rep_id=rep_id, received_from=start, received_to=end), today)
    if kind is ListKind.SURVEYS:
        return surveys_table(start, end, rep_id)
    if kind is ListKind.AT_RISK:
        return at_risk_table(today, rep_id=rep_id)
    return loyalty_table(rep_id=rep_id)
