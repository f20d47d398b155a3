"""The catalogue of charter indicators, measured from the data (seed 000: commitments must be measurable).

Each indicator is one SQL aggregate over the period (inclusive). Share indicators count the items
whose deadline has passed by `today` or that met it already; an item still inside its deadline is
pending and left out, so a report on a period that just ended does not count it as a failure.

- First contact after delivery: sales delivered in the period; met when the customer was reached
  (a follow-up done with outcome "reached") on a day from the delivery to N working days after it
  (the company's holiday region). The working-day deadlines go into the query as a small table
  (one row per delivery day), so the count stays one aggregate.
- Claims answered / complaints closed: complaints and claims received in the period, first answer
  (closing) no more than N calendar days after reception — the same deadlines the cases page uses
  for both types (app.services.cases.case_deadlines).
- Returns resolved: warranty returns reported in the period (cancelled ones left out), resolved no
  more than N days after the report.
- Follow-ups on time: follow-ups scheduled in the period and not cancelled; met when done no later
  than N days (default 0) after the scheduled day. Missed ones and overdue planned ones fail.
- Average satisfaction and NPS: the surveys taken in the period (app.services.reporting.satisfaction).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from peewee import ValuesList, fn

from app.i18n import _, format_number, format_percent, format_signed, round_half_up
from app.models import Case, CharterCommitment, FollowUp, Sale, ServiceCharter, WarrantyReturn
from app.models.dialect import add_days, count_where, date_of, days_between
from app.models.enums import (
    CaseKind,
    CharterIndicator,
    CharterPeriod,
    CharterType,
    FollowUpOutcome,
    FollowUpState,
    ReturnState,
)
from app.services.followups.working_days import WorkingCalendar
from app.services.reporting import satisfaction

CI = CharterIndicator
SHARE_INDICATORS = frozenset(
    {
        CI.FIRST_CONTACT_AFTER_DELIVERY,
        CI.CLAIMS_ANSWERED,
        CI.COMPLAINTS_CLOSED,
        CI.RETURNS_RESOLVED,
        CI.FOLLOW_UPS_ON_TIME,
    }
)
# Indicators whose sentence has an N ("within N days"); for the others `days` is ignored.
DAYS_INDICATORS = frozenset(
    {
        CI.FIRST_CONTACT_AFTER_DELIVERY,
        CI.CLAIMS_ANSWERED,
        CI.COMPLAINTS_CLOSED,
        CI.RETURNS_RESOLVED,
    }
)
# FOLLOW_UPS_ON_TIME takes an optional tolerance in days; the scores take none.
OPTIONAL_DAYS_INDICATORS = frozenset({CI.FOLLOW_UPS_ON_TIME})
COMPLAINT_KINDS = (CaseKind.COMPLAINT, CaseKind.CLAIM)
# Places a measured value is shown with (shares as %). A near miss shows more (format_measurement), up to
# MAX_DECIMALS: targets have two decimals at most, so that tells the sides apart for any share of fewer
# than 10,000 items.
SHOWN_DECIMALS = {**dict.fromkeys(SHARE_INDICATORS, 1), CI.AVERAGE_SATISFACTION: 2, CI.NPS: 0}
MAX_DECIMALS = 6


@dataclass(frozen=True)
class Measurement:
    indicator: CharterIndicator
    days: int | None  # the N of "within N days" (None where the indicator has none)
    value: float | None  # % 0–100 for shares, 1–5 for the average, −100…100 for NPS; None: nothing to measure
    numerator: int | None  # shares: items that met the deadline; None for the average and NPS
    denominator: int  # items measured (deliveries, cases, returns, follow-ups, answers)


@dataclass(frozen=True)
class CommitmentCompliance:
    charter_id: int
    charter_title: str
    charter_type: CharterType
    commitment_id: int
    position: int
    text: str
    indicator: CharterIndicator
    days: int | None
    target: float
    period: CharterPeriod
    measurement: Measurement

    @property
    def met(self) -> bool | None:
        """Whether the measured value reaches the target; None when there was nothing to measure."""
        if self.measurement.value is None:
            return None
        return reaches(self.measurement.value, self.target)


def is_share(indicator: CharterIndicator) -> bool:
    return CharterIndicator(indicator) in SHARE_INDICATORS


def has_days(indicator: CharterIndicator) -> bool:
    """Whether the indicator needs its N ("within N days")."""
    return CharterIndicator(indicator) in DAYS_INDICATORS


def takes_days(indicator: CharterIndicator) -> bool:
    """Whether a number of days means anything for the indicator (required or optional)."""
    return CharterIndicator(indicator) in DAYS_INDICATORS | OPTIONAL_DAYS_INDICATORS


def indicator_text(indicator: CharterIndicator, days: int | None) -> str:
    """The indicator described for a reader, with its N filled in."""
    indicator = CharterIndicator(indicator)
    if days is not None and indicator in DAYS_INDICATORS:
        sentences = {
            CI.FIRST_CONTACT_AFTER_DELIVERY: _("Deliveries with a first contact within {days} working days"),
            CI.CLAIMS_ANSWERED: _("Complaints and claims answered within {days} days"),
            CI.COMPLAINTS_CLOSED: _("Complaints and claims closed within {days} days"),
            CI.RETURNS_RESOLVED: _("Warranty returns resolved within {days} days"),
        }
        return sentences[indicator].format(days=days)
    if indicator is CI.FOLLOW_UPS_ON_TIME and days:
        return _("Follow-ups done within {days} days of the scheduled day").format(days=days)
    return indicator.label


def reaches(value: float, target: Decimal | float) -> bool:
    """Whether a measured value meets its target, judged on the exact value, never on a rounded one."""
    return Decimal(repr(float(value))) >= Decimal(str(target))


def format_measurement(
    indicator: CharterIndicator, value: float | None, target: Decimal | float | None = None
) -> str:
    """A measured value as documents and screens show it: "94.9 %", "4.16", "+14"; "—" for none.

    Rounded half up like every figure (app.i18n.round_half_up). Given the target, with the extra
    digits it takes for the shown value to fall on the same side of the target as the exact one:
    94.96 % against ≥ 95 % reads 94.96 %, never a met-looking 95.0 %.
    """
    if value is None:
        return "—"
    indicator = CharterIndicator(indicator)
    decimals = SHOWN_DECIMALS.get(indicator, 2)
    if target is not None:
        met = reaches(value, target)
        limit = Decimal(str(target))
        while decimals < MAX_DECIMALS and (round_half_up(value, decimals) >= limit) != met:
            decimals += 1
    if indicator in SHARE_INDICATORS:
        return format_percent(round_half_up(value, decimals) / 100, decimals)
    if indicator is CI.NPS:
        return format_signed(value, decimals)
    return format_number(value, decimals)


def target_number(target: Decimal | float) -> str:
    """A target's number as written: "95", "4.2", "92.25" (no more decimals than it has)."""
    value = Decimal(str(target)).normalize()
    return format_number(value, max(0, -value.as_tuple().exponent))


# A commitment's sentence names its numbers by placeholder, so it can never contradict them: "at least
# {target}" prints the target as it is now, "within {days} days" the days.
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
PLACEHOLDERS = ("target", "days")


def sentence_problems(text: str, days: int | None) -> list[str]:
    """What is wrong with the placeholders of a commitment's sentence ([] when nothing)."""
    problems = []
    for name in dict.fromkeys(_PLACEHOLDER.findall(text)):
        if name not in PLACEHOLDERS:
            problems.append(
                _("{found} is not a number the sentence can show: write {{target}} or {{days}}.").format(
                    found="{" + name + "}"
                )
            )
        elif name == "days" and days is None:
            problems.append(_("the commitment has no number of days, so the sentence cannot show {days}."))
    return problems


def commitment_sentence(text: str, days: int | None, target: Decimal | float) -> str:
    """The commitment as printed: its placeholders replaced by the commitment's own target and days."""

    def number(match: re.Match) -> str:
        if match.group(1) == "target":
            return target_number(target)
        if match.group(1) == "days" and days is not None:
            return format_number(days)
        return match.group(0)  # refused when saved; an older text prints as written

    return _PLACEHOLDER.sub(number, text)


def current_period(period: CharterPeriod, today: dt.date) -> tuple[dt.date, dt.date]:
    """The commitment's period that contains `today`, from its first day to today."""
    period = CharterPeriod(period)
    if period is CharterPeriod.MONTH:
        return today.replace(day=1), today
    if period is CharterPeriod.QUARTER:
        first_month = 3 * ((today.month - 1) // 3) + 1
        return dt.date(today.year, first_month, 1), today
    return dt.date(today.year, 1, 1), today


def _share(indicator: CharterIndicator, days: int | None, met, measured) -> Measurement:
    met, measured = int(met or 0), int(measured or 0)
    value = 100.0 * met / measured if measured else None
    return Measurement(indicator, days, value, met, measured)


def _age(later, earlier):
    return days_between(later, earlier)


def _cases_within(indicator: CharterIndicator, days: int, start, end, rep_id, today) -> Measurement:
    done_on = Case.first_answer_on if indicator is CI.CLAIMS_ANSWERED else Case.closed_on
    met = done_on.is_null(False) & (_age(done_on, Case.received_on) <= days)
    measured = done_on.is_null(False) | (Case.received_on < today - dt.timedelta(days=days))
    query = Case.select(count_where(met), count_where(measured)).where(
        Case.kind.in_(COMPLAINT_KINDS) & (Case.received_on >= start) & (Case.received_on <= end)
    )
    if rep_id is not None:
        query = query.where(Case.rep == rep_id)
    return _share(indicator, days, *query.tuples().get())


def _returns_within(days: int, start, end, rep_id, today) -> Measurement:
    r = WarrantyReturn
    met = r.resolved_on.is_null(False) & (_age(r.resolved_on, r.reported_on) <= days)
    measured = r.resolved_on.is_null(False) | (r.reported_on < today - dt.timedelta(days=days))
    query = r.select(count_where(met), count_where(measured)).where(
        (r.state != ReturnState.CANCELLED) & (r.reported_on >= start) & (r.reported_on <= end)
    )
    if rep_id is not None:
        query = query.where(r.rep == rep_id)
    return _share(CI.RETURNS_RESOLVED, days, *query.tuples().get())


def _follow_ups_on_time(days: int | None, start, end, rep_id, today) -> Measurement:
    f = FollowUp
    tolerance = days or 0
    # Plain comparisons of the stored text, no date functions per row: this scans a year of follow-ups.
    late_from = add_days(f.scheduled_at, tolerance + 1)
    met = (f.state == FollowUpState.DONE) & (f.completed_at < late_from)
    measured = (f.state != FollowUpState.PLANNED) | (
        f.scheduled_at < dt.datetime.combine(today - dt.timedelta(days=tolerance), dt.time.min)
    )
    query = f.select(count_where(met), count_where(measured)).where(
        # IN rather than != lets SQLite walk the (state, scheduled_at) index.
        f.state.in_((FollowUpState.PLANNED, FollowUpState.DONE, FollowUpState.MISSED))
        & (f.scheduled_at >= dt.datetime.combine(start, dt.time.min))
        & (f.scheduled_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    )
    if rep_id is not None:
        query = query.where(f.rep == rep_id)
    return _share(CI.FOLLOW_UPS_ON_TIME, days, *query.tuples().get())


def _first_contacts(days: int, start, end, rep_id, today) -> Measurement:
    calendar = WorkingCalendar()

    def deadline(day: dt.date) -> dt.date:
        result = calendar.to_working_day(day)
        for _step in range(days):
            result = calendar.next_working_day(result)
        return result

    span = (end - start).days + 1
    rows = []
    for day in (start + dt.timedelta(days=n) for n in range(span)):
        due_day = deadline(day)
        rows.append((day.isoformat(), due_day.isoformat(), (due_day + dt.timedelta(days=1)).isoformat()))
    if not rows:
        return _share(CI.FIRST_CONTACT_AFTER_DELIVERY, days, 0, 0)
    deadlines = ValuesList(rows).cte("deadline", columns=("day", "due", "after_due"))
    # VALUES hold text: as days.
    day, due, after_due = date_of(deadlines.c.day), date_of(deadlines.c.due), date_of(deadlines.c.after_due)
    # Completed on a day from the delivery to the deadline, written as a range of the stored moment
    # (not the day of each one): the follow_up (customer_id, state, outcome, completed_at) index then
    # answers each sale with one seek, without reading the table (migration 10).
    contacted = FollowUp.select(FollowUp.id).where(
        (FollowUp.customer == Sale.customer)
        & (FollowUp.state == FollowUpState.DONE)
        & (FollowUp.outcome == FollowUpOutcome.REACHED)
        & (FollowUp.completed_at >= Sale.delivered_on)
        & (FollowUp.completed_at < after_due)
    )
    met = fn.EXISTS(contacted)
    # The deadline first: both engines stop at a true left side of OR, so the subquery runs a second
    # time only for the sales whose deadline is still ahead (a year of the 100k demo: 73,253 sales,
    # 1,390 subqueries instead of 73,253 for `measured`; about 0.9 s → 0.7 s on either engine).
    measured = (due < today.isoformat()) | met
    query = (
        Sale.select(count_where(met), count_where(measured))
        .join(deadlines, on=(Sale.delivered_on == day))
        .where((Sale.delivered_on >= start) & (Sale.delivered_on <= end))
        .with_cte(deadlines)
    )
    if rep_id is not None:
        query = query.where(Sale.rep == rep_id)
    return _share(CI.FIRST_CONTACT_AFTER_DELIVERY, days, *query.tuples().get())


def measure(
    indicator: CharterIndicator,
    days: int | None,
    start: dt.date,
    end: dt.date,
    *,
    rep_id: int | None = None,
    today: dt.date,
    kpis: satisfaction.SatisfactionKpis | None = None,
) -> Measurement:
    """The indicator's value over start…end (inclusive), for one rep or everyone. `kpis`: the
    surveys' figures of that period and rep when the caller has them already (the average and NPS
    are read from them)."""
    indicator = CharterIndicator(indicator)
    if indicator in DAYS_INDICATORS and days is None:
        raise ValueError(f"{indicator} needs a number of days")
    if indicator is CI.FIRST_CONTACT_AFTER_DELIVERY:
        return _first_contacts(days, start, end, rep_id, today)
    if indicator in (CI.CLAIMS_ANSWERED, CI.COMPLAINTS_CLOSED):
        return _cases_within(indicator, days, start, end, rep_id, today)
    if indicator is CI.RETURNS_RESOLVED:
        return _returns_within(days, start, end, rep_id, today)
    if indicator is CI.FOLLOW_UPS_ON_TIME:
        return _follow_ups_on_time(days, start, end, rep_id, today)
    if kpis is None:
        kpis = satisfaction.kpis(start, end, rep_id=rep_id)
    if indicator is CI.AVERAGE_SATISFACTION:
        return Measurement(indicator, None, kpis.average, None, kpis.satisfaction_answers)
    return Measurement(indicator, None, kpis.nps, None, kpis.recommend_answers)


def charter_compliance(
    start: dt.date | None,
    end: dt.date | None,
    *,
    rep_id: int | None = None,
    today: dt.date,
    charter_type: CharterType | None = None,
) -> list[CommitmentCompliance]:
    """Every commitment of the active charters measured over start…end.

    With start and end None, each commitment is measured over its own current period
    (month, quarter or year to date) — the dashboard's view.
    """
    query = (
        CharterCommitment.select(CharterCommitment, ServiceCharter)
        .join(ServiceCharter)
        .where(ServiceCharter.active == True)  # noqa: E712 (peewee expression)
        .order_by(ServiceCharter.type, CharterCommitment.position)
    )
    if charter_type is not None:
        query = query.where(ServiceCharter.type == charter_type)
    results = []
    measured: dict[tuple, Measurement] = {}  # charters often repeat an indicator: measure it once
    surveys: dict[tuple, satisfaction.SatisfactionKpis] = {}  # the average and NPS: one query a period
    for commitment in query:
        charter = commitment.charter
        days = commitment.days if takes_days(commitment.indicator) else None
        if start is None or end is None:
            period_start, period_end = current_period(commitment.period, today)
        else:
            period_start, period_end = start, end
        key = (commitment.indicator, days, period_start, period_end)
        if key not in measured:
            kpis = None
            if not is_share(commitment.indicator):
                if (period_start, period_end) not in surveys:
                    surveys[period_start, period_end] = satisfaction.kpis(
                        period_start, period_end, rep_id=rep_id
                    )
                kpis = surveys[period_start, period_end]
            measured[key] = measure(
                commitment.indicator, days, period_start, period_end, rep_id=rep_id, today=today, kpis=kpis
            )
        measurement = measured[key]
        results.append(
            CommitmentCompliance(
                charter_id=charter.id,
                charter_title=charter.title,
                charter_type=CharterType(charter.type),
                commitment_id=commitment.id,
                position=commitment.position,
                text=commitment_sentence(commitment.text, days, commitment.target),
                indicator=CharterIndicator(commitment.indicator),
                days=days,
                target=float(commitment.target),
                period=CharterPeriod(commitment.period),
                measurement=measurement,
            )
        )
    return results
