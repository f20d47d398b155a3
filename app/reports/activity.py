"""The activity report / memo (memoria de actividades): the figures of a period for a manager to sign.

Plain data in (app.services.reporting.activity.ActivityReport), a PDF out, through the shared template of
app.reports.base. A summary page with the headline figures beside the previous period's, then one
section per activity with tables and charts, and the service charters' compliance. Sections
without data say so in a sentence instead of printing empty tables or zeros. No Qt, no queries.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app import i18n
from app.i18n import (
    N_,
    _,
    format_date,
    format_money,
    format_number,
    format_percent,
    format_signed,
    pgettext,
    round_half_up,
    to_decimal,
)
from app.reports.base import (
    ACCENT,
    CONTENT_WIDTH,
    MUTED,
    RULE,
    data_table,
    escape,
    para,
    stylesheet,
    write_document,
)
from app.reports.charts import bars_by_category, horizontal_bars, labels_fit, lines_by_category
from app.services.charters import format_target
from app.services.reporting.activity import ActivityReport, Comparison
from app.services.reporting.followup_stats import StateCounts

GOOD = colors.HexColor("#2e7d32")
BAD = colors.HexColor("#c62828")
CHECK, CROSS = "✔", "✘"


# --- formats -------------------------------------------------------------------------------
# Every figure goes through one of these kinds, so a value prints the same on every page and the
# Change column is the difference of the values as printed (app.i18n.round_half_up: half up).


@dataclass(frozen=True)
class _Kind:
    scale: int  # shown value = value × scale (a 0–1 share is shown as a percentage)
    decimals: int
    text: Callable[[Decimal], str]  # a shown value as printed
    change: Callable[[Decimal], str]  # a difference of shown values, with its sign


def _points(difference: Decimal) -> str:
    return _("{value} pp").format(value=format_signed(difference, 1))


def _money_change(difference: Decimal) -> str:
    return ("+" if difference > 0 else "−") + format_money(abs(difference))


KINDS = {
    "count": _Kind(1, 0, lambda v: format_number(v, 0), lambda d: format_signed(d, 0)),
    "share": _Kind(100, 1, lambda v: format_percent(v / 100, 1), _points),  # 0–1
    "percent": _Kind(1, 1, lambda v: format_percent(v / 100, 1), _points),  # already 0–100
    "days": _Kind(1, 1, lambda v: format_number(v, 1), lambda d: format_signed(d, 1)),
    "score": _Kind(1, 2, lambda v: format_number(v, 2), lambda d: format_signed(d, 2)),
    "money": _Kind(1, 2, format_money, _money_change),
    "nps": _Kind(1, 0, lambda v: format_signed(v, 0), lambda d: format_signed(d, 0)),
}


def _shown(kind: str, value) -> Decimal | None:
    """The value as printed, as a number (None: no data)."""
    if value is None:
        return None
    return round_half_up(to_decimal(value) * KINDS[kind].scale, KINDS[kind].decimals)


def _show(kind: str, value) -> str:
    shown = _shown(kind, value)
    return "—" if shown is None else KINDS[kind].text(shown)


def _count(value) -> str:
    return _show("count", value or 0)


def _days(value: float | None) -> str:
    return _show("days", value)


def _rate(value: float | None) -> str:
    """A share 0–1 as a percentage."""
    return _show("share", value)


def _percent(value: float | None) -> str:
    """A value already in % (0–100)."""
    return _show("percent", value)


def _score(value: float | None) -> str:
    return _show("score", value)


def _nps(value: float | None) -> str:
    return _show("nps", value)


@dataclass(frozen=True)
class _Figure:
    label: str  # N_() text, translated at display
    attribute: str
    kind: str  # a key of KINDS
    better: int  # +1: higher is better; −1: lower is better; 0: neither


HEADLINE = (
    _Figure(N_("Follow-ups scheduled"), "follow_ups_scheduled", "count", 0),
    _Figure(N_("Follow-ups done"), "follow_ups_done", "count", +1),
    _Figure(N_("Follow-ups done of those due"), "follow_ups_done_rate", "share", +1),
    _Figure(N_("Follow-ups overdue"), "follow_ups_overdue", "count", -1),
    _Figure(N_("Correct-use checks completed"), "checks_completed", "count", +1),
    _Figure(N_("Checks passed"), "check_pass_rate", "share", +1),
    _Figure(N_("Warranty returns reported"), "returns_reported", "count", -1),
    _Figure(N_("Mean days to resolve a return"), "returns_mean_days_to_resolve", "days", -1),
    _Figure(N_("Cost of returns"), "returns_cost", "money", -1),
    _Figure(N_("Cases received"), "cases_received", "count", 0),
    _Figure(N_("Complaints and claims received"), "complaints_received", "count", -1),
    _Figure(N_("Mean days to the first answer"), "cases_mean_days_to_first_answer", "days", -1),
    _Figure(N_("Mean days to close a case"), "cases_mean_days_to_close", "days", -1),
    _Figure(N_("Average satisfaction (1–5)"), "average_satisfaction", "score", +1),
    _Figure(N_("CSAT (satisfied customers)"), "csat", "percent", +1),
    _Figure(N_("Net promoter score"), "nps", "nps", +1),
)


def _change(figure: _Figure, current, previous) -> tuple[str, object]:
    """The change between the values as printed ('▲ +12', '▼ −1,5 pp', '=' for none) and its colour."""
    now, before = _shown(figure.kind, current), _shown(figure.kind, previous)
    if now is None or before is None:
        return "—", MUTED
    difference = now - before
    if not difference:
        return "=", MUTED
    arrow = "▲" if difference > 0 else "▼"
    colour = MUTED if not figure.better else (GOOD if difference * figure.better > 0 else BAD)
    return f"{arrow} {KINDS[figure.kind].change(difference)}", colour


# --- building blocks -------------------------------------------------------------------------


def _period_text(start, end) -> str:
    return _("{start} – {end}").format(start=format_date(start), end=format_date(end))


def _report_period(data: ActivityReport) -> str:
    """The period measured, said to be in progress when it was cut at today."""
    text = _period_text(data.start, data.end)
    return _("{period} (in progress)").format(period=text) if data.in_progress else text


# What the previous period is, as the summary says it (translated at display).
COMPARED_WITH = {
    Comparison.SAME_LENGTH: N_("Compared with the previous period of the same length: {period}"),
    Comparison.MONTH: N_("Compared with the previous month: {period}"),
    Comparison.QUARTER: N_("Compared with the previous quarter: {period}"),
    Comparison.YEAR: N_("Compared with the previous year: {period}"),
    Comparison.MONTH_SO_FAR: N_("Compared with the same days of the previous month: {period}"),
    Comparison.QUARTER_SO_FAR: N_("Compared with the same days of the previous quarter: {period}"),
    Comparison.YEAR_SO_FAR: N_("Compared with the same days of the previous year: {period}"),
}


def _heading(text: str) -> Paragraph:
    return para(text, "Heading")


def _no_data(text: str) -> Paragraph:
    return Paragraph(f"<i>{escape(text)}</i>", stylesheet()["Body"])


def _facts(rows: Sequence[tuple[str, str]]) -> Table:
    """Label / value pairs in two columns, values right-aligned."""
    sheet = stylesheet()
    body = [
        [Paragraph(escape(label), sheet["Cell"]), Paragraph(escape(value), sheet["CellBoldRight"])]
        for label, value in rows
    ]
    table = Table(body, colWidths=[95 * mm, 35 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _block(*flowables) -> KeepTogether:
    return KeepTogether(list(flowables))


def _state_header() -> list[str]:
    # Counts of follow-ups (masculine plural in Spanish: "Realizados", "Fallidos"…), not one's state.
    return [
        _("Total"),
        pgettext("follow-ups counted", "Done"),
        pgettext("follow-ups counted", "Missed"),
        pgettext("follow-ups counted", "Cancelled"),
        pgettext("follow-ups counted", "Planned"),
        pgettext("follow-ups counted", "Overdue"),
        _("Done of due"),
    ]


def _state_cells(counts: StateCounts) -> list[str]:
    return [
        _count(counts.total),
        _count(counts.done),
        _count(counts.missed),
        _count(counts.cancelled),
        _count(counts.planned),
        _count(counts.overdue),
        _rate(counts.done_rate),
    ]


_STATE_WIDTHS = [15 * mm, 18 * mm, 16 * mm, 19 * mm, 20 * mm, 18 * mm, 18 * mm]


def _state_table(
    first: str, rows: Sequence[tuple[str, StateCounts]], total: StateCounts | None = None
) -> Table:
    body = [[label, *_state_cells(counts)] for label, counts in rows]
    if total is not None:
        body.append([_("Total"), *_state_cells(total)])
    table = data_table([first, *_state_header()], body, [None, *_STATE_WIDTHS], range(1, 8), compact=True)
    if total is not None:
        table.setStyle(TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT)]))
    return table


# --- the summary page --------------------------------------------------------------------------


def _summary(data: ActivityReport) -> list:
    sheet = stylesheet()
    story: list[Flowable] = [
        para(_("Activity report"), "Title"),
        para(_("Period: {period}").format(period=_report_period(data)), "Body"),
        para(
            _(COMPARED_WITH[data.comparison]).format(
                period=_period_text(data.previous_start, data.previous_end)
            ),
            "Small",
        ),
    ]
    if data.rep_name is not None:
        who = _(
            "Rep: {name} ({code}). Follow-ups, checks, returns, cases and surveys of this rep only."
        ).format(name=data.rep_name, code=data.rep_code)
    else:
        who = _("All reps.")
    story.append(para(who, "Body"))

    header = [_("Figure"), _("This period"), _("Previous period"), _("Change")]
    body = [
        [Paragraph(escape(h), sheet["CellBold" if i == 0 else "CellBoldRight"]) for i, h in enumerate(header)]
    ]
    for figure in HEADLINE:
        current = getattr(data.current, figure.attribute)
        previous = getattr(data.previous, figure.attribute)
        change, colour = _change(figure, current, previous)
        change_style = stylesheet()["CellRight"].clone("Change", textColor=colour)
        body.append(
            [
                Paragraph(escape(_(figure.label)), sheet["Cell"]),
                Paragraph(escape(_show(figure.kind, current)), sheet["CellBoldRight"]),
                Paragraph(escape(_show(figure.kind, previous)), sheet["CellRight"]),
                Paragraph(escape(change), change_style),
            ]
        )
    table = Table(body, colWidths=[CONTENT_WIDTH - 3 * 34 * mm, 34 * mm, 34 * mm, 34 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    note = _("“—”: no data to compute the figure. Rates of a period compare in percentage points (pp).")
    story.append(_block(_heading(_("Summary")), table, para(note, "Small")))  # never split across pages

    measured = [c for c in data.compliance if c.met is not None]
    if data.compliance:
        met = sum(1 for c in measured if c.met)
        not_in_force = sum(1 for c in data.compliance if not c.in_force)
        text = ngettext_commitments(met, len(measured), len(data.compliance), not_in_force)
        story += [_heading(_("Service charter")), para(text)]

    story += [
        Spacer(0, 14 * mm),
        _signature_block(),
        PageBreak(),
    ]
    return story


def ngettext_commitments(met: int, measured: int, total: int, not_in_force: int = 0) -> str:
    text = i18n.ngettext(
        "{met} of {measured} measured commitment met in the period.",
        "{met} of {measured} measured commitments met in the period.",
        measured,
    ).format(met=met, measured=measured)
    if not_in_force:
        text += " " + i18n.ngettext(
            "{n} commitment belongs to a charter not in force in the period.",
            "{n} commitments belong to a charter not in force in the period.",
            not_in_force,
        ).format(n=not_in_force)
    if total - not_in_force > measured:
        text += " " + i18n.ngettext(
            "{n} commitment had nothing to measure.",
            "{n} commitments had nothing to measure.",
            total - not_in_force - measured,
        ).format(n=total - not_in_force - measured)
    return text


def _signature_block() -> Table:
    sheet = stylesheet()
    cells: list[list[Any]] = [
        [
            Paragraph(escape(_("Prepared by")), sheet["Small"]),
            Paragraph(escape(_("Approved by")), sheet["Small"]),
        ],
        ["", ""],
        [
            Paragraph(escape(_("Signature and date")), sheet["Small"]),
            Paragraph(escape(_("Signature and date")), sheet["Small"]),
        ],
    ]
    table = Table(
        cells,
        colWidths=[CONTENT_WIDTH / 2 - 5 * mm, CONTENT_WIDTH / 2 - 5 * mm],
        rowHeights=[None, 16 * mm, None],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 1), (0, 1), 0.6, MUTED),
                ("LINEBELOW", (1, 1), (1, 1), 0.6, MUTED),
                ("LEFTPADDING", (1, 0), (1, -1), 10 * mm),
            ]
        )
    )
    return table


# --- sections ----------------------------------------------------------------------------------


def _follow_ups(data: ActivityReport) -> list:
    stats = data.follow_ups
    story: list[Flowable] = [_heading(_("Follow-ups"))]
    if not stats.totals.total:
        return story + [_no_data(_("No follow-ups were scheduled in the period."))]
    totals = stats.totals
    story.append(
        para(
            _(
                "{total} follow-ups were scheduled in the period: {done} done, {missed} missed, {cancelled} cancelled and "
                "{planned} still planned, {overdue} of them overdue (their day has passed). Overdue follow-ups are counted "
                "among the planned ones."
            ).format(
                total=_count(totals.total),
                done=_count(totals.done),
                missed=_count(totals.missed),
                cancelled=_count(totals.cancelled),
                planned=_count(totals.planned),
                overdue=_count(totals.overdue),
            )
        )
    )
    story.append(Spacer(0, 2 * mm))
    story.append(
        _block(
            para(_("By kind"), "CellBold"),
            _state_table(_("Kind"), [(k.label, c) for k, c in stats.by_kind.items()], totals),
        )
    )
    story.append(Spacer(0, 4 * mm))
    story.append(
        _block(
            para(_("By purpose"), "CellBold"),
            _state_table(_("Purpose"), [(p.label, c) for p, c in stats.by_purpose.items()], totals),
        )
    )
    story.append(Spacer(0, 3 * mm))
    purposes = list(stats.by_purpose.items())
    story.append(
        _block(
            para(_("Follow-ups done by purpose"), "Small"),
            horizontal_bars(
                [p.label for p, _c in purposes],
                [c.done for _p, c in purposes],
                width=CONTENT_WIDTH,
                value_format=lambda v: format_number(v, 0),
            ),
        )
    )
    story.append(Spacer(0, 4 * mm))
    story.append(
        _block(
            para(_("By rep"), "CellBold"),
            _state_table(
                _("Rep"),
                [(r.rep_name or _("(no rep)"), r.counts) for r in stats.by_rep],
                totals if len(stats.by_rep) > 1 else None,
            ),
        )
    )
    return story


def _checks(data: ActivityReport) -> list:
    checks = data.checks
    story = [CondPageBreak(60 * mm), _heading(_("Correct-use checks"))]
    if not checks.completed:
        return story + [_no_data(_("No correct-use checks were completed in the period."))]
    story.append(
        _facts(
            [
                (_("Checks completed"), _count(checks.completed)),
                (pgettext("checks counted", "Passed"), _count(checks.passed)),
                (pgettext("checks counted", "Failed"), _count(checks.failed)),
                (_("Pass rate"), _rate(checks.pass_rate)),
                (_("Mean score (items OK of applicable)"), _rate(checks.mean_score)),
            ]
        )
    )
    story.append(Spacer(0, 3 * mm))
    if not checks.failed_items:
        story.append(_no_data(_("No item was answered “Not OK” in the period.")))
        return story
    rows = [
        [
            item.template_name,
            item.question,
            CHECK if item.critical else "",
            _count(item.not_ok),
            _count(item.applicable),
            _rate(item.failure_rate),
            _count(item.trained),
        ]
        for item in checks.failed_items
    ]
    story.append(para(_("Items answered “Not OK” most often"), "CellBold"))
    story.append(
        data_table(
            [
                _("Checklist"),
                _("Item"),
                _("Critical"),
                _("Not OK"),
                _("Answered"),
                _("Failure rate"),
                _("Trained on site"),
            ],
            rows,
            [34 * mm, None, 17 * mm, 13 * mm, 18 * mm, 17 * mm, 17 * mm],
            (3, 4, 5, 6),
            compact=True,
        )
    )
    return story


def _counts_table(first: str, counts: dict, total: int, share_of: str) -> Table:
    rows = [[member.label, _count(n), _rate(n / total if total else None)] for member, n in counts.items()]
    return data_table([first, _("Number"), share_of], rows, [None, 25 * mm, 35 * mm], (1, 2))


def _returns(data: ActivityReport) -> list:
    r = data.returns
    story = [CondPageBreak(60 * mm), _heading(_("Warranty returns"))]
    if not r.total:
        return story + [_no_data(_("No warranty returns were reported in the period."))]
    facts = [
        (_("Returns reported"), _count(r.total)),
        (_("Resolved"), _count(r.resolved)),
    ]
    if r.resolved:
        facts += [
            (_("Mean days to resolve"), _days(r.mean_days_to_resolve)),
            (_("Median days to resolve"), _days(r.median_days_to_resolve)),
        ]
    story.append(_facts(facts))
    if not r.resolved:
        story.append(_no_data(_("None of them has been resolved yet, so there are no resolution times.")))
    story.append(Spacer(0, 4 * mm))
    story.append(
        _block(
            para(_("By current state"), "CellBold"),
            _counts_table(_("State"), r.by_state, r.total, _("Share")),
        )
    )
    story.append(Spacer(0, 4 * mm))
    reasons = list(r.by_reason.items())
    story.append(
        _block(
            para(_("By reason"), "CellBold"),
            horizontal_bars(
                [reason.label for reason, _n in reasons],
                [n for _r, n in reasons],
                width=CONTENT_WIDTH,
                value_format=lambda v: format_number(v, 0),
            ),
        )
    )
    story.append(_counts_table(_("Reason"), r.by_reason, r.total, _("Share")))
    story.append(Spacer(0, 4 * mm))
    if r.by_resolution:
        resolved_total = sum(r.by_resolution.values())
        story.append(
            _block(
                para(_("By resolution"), "CellBold"),
                _counts_table(_("Resolution"), r.by_resolution, resolved_total, _("Share of resolved")),
            )
        )
        story.append(Spacer(0, 4 * mm))
    if r.total_cost:
        story.append(
            _block(
                para(_("Costs"), "CellBold"),
                _facts(
                    [
                        (_("Parts"), format_money(r.cost_parts)),
                        (_("Labour"), format_money(r.cost_labour)),
                        (_("Shipping"), format_money(r.cost_shipping)),
                        (_("Refunds and credits"), format_money(r.refunds)),
                        (_("Total"), format_money(r.total_cost)),
                    ]
                ),
            )
        )
        story.append(Spacer(0, 4 * mm))
        if r.costliest:
            rows = [
                [
                    c.number,
                    format_date(c.reported_on),
                    c.customer_name,
                    c.product_name,
                    c.state.label,
                    format_money(c.total_cost),
                ]
                for c in r.costliest
            ]
            story.append(
                _block(
                    para(_("The returns that cost most"), "CellBold"),
                    data_table(
                        [_("Return"), _("Reported"), _("Customer"), _("Product"), _("State"), _("Cost")],
                        rows,
                        [28 * mm, 21 * mm, None, 32 * mm, 26 * mm, 22 * mm],
                        (5,),
                        compact=True,
                    ),
                )
            )
    else:
        story.append(_no_data(_("No costs were recorded for these returns.")))
    return story


def _nonzero(counts: dict) -> dict:
    return {k: n for k, n in counts.items() if n}


def _cases(data: ActivityReport) -> list:
    c = data.cases
    story = [CondPageBreak(60 * mm), _heading(_("Complaints, claims, suggestions and compliments"))]
    if not c.total:
        return story + [_no_data(_("No cases were received in the period."))]
    facts = [
        (_("Cases received"), _count(c.total)),
        (_("Complaints and claims"), _count(c.complaints)),
        (_("Answered"), _count(c.answered)),
    ]
    if c.answered:
        facts += [
            (_("Mean days to the first answer"), _days(c.mean_days_to_first_answer)),
            (_("Median days to the first answer"), _days(c.median_days_to_first_answer)),
        ]
    facts.append((pgettext("cases counted", "Closed"), _count(c.closed)))
    if c.closed:
        facts += [
            (_("Mean days to close"), _days(c.mean_days_to_close)),
            (_("Median days to close"), _days(c.median_days_to_close)),
        ]
    if c.complaints:
        if c.first_proposals_answered:
            facts.append(
                (
                    _("Accepted at the first proposal"),
                    f"{_rate(c.share_accepted_at_first_proposal)} ({_count(c.accepted_at_first_proposal)}/{_count(c.first_proposals_answered)})",
                )
            )
        facts += [
            (
                _("Escalated to internal negotiation"),
                f"{_rate(c.share_escalated_internal)} ({_count(c.escalated_internal)})",
            ),
            (
                _("Referred to external mediation"),
                f"{_rate(c.share_escalated_external)} ({_count(c.escalated_external)})",
            ),
        ]
    story.append(_facts(facts))
    story.append(Spacer(0, 4 * mm))
    story.append(
        _block(
            para(_("By type"), "CellBold"), _counts_table(_("Type"), _nonzero(c.by_kind), c.total, _("Share"))
        )
    )
    story.append(Spacer(0, 4 * mm))
    categories = _nonzero(c.by_category)
    if categories:
        analysed = sum(categories.values())
        story.append(
            _block(
                para(_("Complaints and claims by category"), "CellBold"),
                horizontal_bars(
                    [k.label for k in categories],
                    list(categories.values()),
                    width=CONTENT_WIDTH,
                    value_format=lambda v: format_number(v, 0),
                ),
            )
        )
        story.append(_counts_table(_("Category"), categories, analysed, _("Share of analysed")))
    elif c.complaints:
        story.append(_no_data(_("No complaint or claim has been analysed (given a category) yet.")))
    story.append(Spacer(0, 4 * mm))
    story.append(
        _block(
            para(_("By channel of reception"), "CellBold"),
            _counts_table(_("Channel"), _nonzero(c.by_channel), c.total, _("Share")),
        )
    )
    return story


def _month(day) -> str:
    return format_date(day, "LLLL yyyy").capitalize()


def _month_labels(days: Sequence[dt.date]) -> list[str]:
    """A monthly chart's labels: every month while they fit side by side, else each quarter, else each year."""
    every_month = "MMM" if len({d.year for d in days}) == 1 else "MM/yy"
    for first, pattern in ((range(1, 13), every_month), ((1, 4, 7, 10), "QQQ yy"), ((1,), "yyyy")):
        labels = [format_date(d, pattern) if d.month in first else "" for d in days]
        if labels_fit(labels, CONTENT_WIDTH):
            break
    return labels


def _satisfaction(data: ActivityReport) -> list:
    k = data.satisfaction
    story = [CondPageBreak(60 * mm), _heading(_("Customer satisfaction"))]
    if not k.surveys:
        return story + [_no_data(_("No satisfaction surveys were taken in the period."))]
    facts = [(_("Surveys"), _count(k.surveys))]
    if k.satisfaction_answers:
        facts += [
            (_("Average satisfaction (1–5)"), _score(k.average)),
            (_("CSAT (scores 4–5)"), _percent(k.csat)),
        ]
    if k.recommend_answers:
        facts += [
            (_("Net promoter score"), _nps(k.nps)),
            (_("Promoters / detractors"), f"{_count(k.promoters)} / {_count(k.detractors)}"),
        ]
    story.append(_facts(facts))
    months = data.satisfaction_months
    story.append(Spacer(0, 4 * mm))
    rows = [
        [_month(m.key), _count(m.surveys), _score(m.average), _percent(m.csat), _nps(m.nps)] for m in months
    ]
    story.append(
        _block(
            para(_("By month"), "CellBold"),
            data_table(
                [_("Month"), _("Surveys"), _("Average (1–5)"), _("CSAT"), _("NPS")],
                rows,
                [None, 28 * mm, 28 * mm, 28 * mm, 28 * mm],
                (1, 2, 3, 4),
            ),
        )
    )
    if len(months) > 1:
        labels = _month_labels([cast(dt.date, m.key) for m in months])  # a month's key is its first day
        story.append(Spacer(0, 4 * mm))
        story.append(
            _block(
                para(_("CSAT and NPS by month"), "Small"),
                lines_by_category(
                    labels,
                    [(_("CSAT"), [m.csat for m in months]), (_("NPS"), [m.nps for m in months])],
                    width=CONTENT_WIDTH,
                    value_min=-100,
                    value_max=100,
                    value_format=lambda v: format_number(v, 0),
                ),
            )
        )
        story.append(Spacer(0, 3 * mm))
        story.append(
            _block(
                para(_("Surveys by month"), "Small"),
                bars_by_category(
                    labels,
                    [(_("Surveys"), [m.surveys for m in months])],
                    width=CONTENT_WIDTH,
                    height=45 * mm,
                    value_format=lambda v: format_number(v, 0),
                ),
            )
        )
    return story


def _measured(item) -> str:
    from app.services.charters.indicators import format_measurement, is_share

    value = item.measurement.value
    if not item.in_force:
        return _("not in force")
    if value is None:
        return _("nothing to measure")
    text = format_measurement(item.indicator, value, item.target)
    if is_share(item.indicator) and item.measurement.numerator is not None:
        text += f" ({_count(item.measurement.numerator)}/{_count(item.measurement.denominator)})"
    return text


def _compliance(data: ActivityReport) -> list:
    from app.services.charters.indicators import indicator_text

    story = [CondPageBreak(60 * mm), _heading(_("Service charter compliance"))]
    if not data.compliance:
        return story + [_no_data(_("No service charter is active, so there are no commitments to measure."))]
    story.append(
        para(_("Every commitment of the active charters, measured over the period of this report."), "Small")
    )
    sheet = stylesheet()
    mark_styles = {
        True: sheet["CellBold"].clone("Met", textColor=GOOD, alignment=1, fontSize=11),
        False: sheet["CellBold"].clone("NotMet", textColor=BAD, alignment=1, fontSize=11),
        None: sheet["Cell"].clone("Unmeasured", textColor=MUTED, alignment=1),
    }
    charters: dict[int, list] = {}
    for item in data.compliance:
        charters.setdefault(item.charter_id, []).append(item)
    for items in charters.values():
        first = items[0]
        rows = []
        for item in items:
            notes = [indicator_text(item.indicator, item.days)]
            if item.population:
                notes.append(_("Only: {population}").format(population=item.population))
            commitment = Paragraph(
                escape(item.text)
                + "<br/><font size=7 color='#666666'>"
                + "<br/>".join(escape(note) for note in notes)
                + "</font>",
                sheet["Cell"],
            )
            mark = {True: CHECK, False: CROSS, None: "—"}[item.met]
            rows.append(
                [
                    commitment,
                    _measured(item),
                    format_target(item.indicator, item.target),
                    Paragraph(mark, mark_styles[item.met]),
                ]
            )
        table = data_table(
            [_("Commitment"), _("Measured"), _("Target"), _("Met")],
            rows,
            [None, 34 * mm, 22 * mm, 24 * mm],
            (1, 2),
        )
        # A charter's table stays with its title, and a short one whole on one page.
        heading = [para(f"{first.charter_title} — {first.charter_type.label}", "CellBold")]
        # A charter version is measured over the days of the period it was in force (the same for all
        # its commitments): said once, under its title.
        if not first.in_force:
            heading.append(
                para(_("The charter was not in force in this period: nothing is judged."), "Small")
            )
        elif (first.measured_from, first.measured_to) != (data.start, data.end):
            heading.append(
                para(
                    _(
                        "Measured from {start} to {end}, the part of the period the charter was in force."
                    ).format(start=format_date(first.measured_from), end=format_date(first.measured_to)),
                    "Small",
                )
            )
        story.append(Spacer(0, 2 * mm))
        story.append(_block(*heading, table))
    story.append(Spacer(0, 2 * mm))
    story.append(
        para(
            _(
                "{check} met · {cross} not met · — nothing to measure in the period, or the charter was not in force."
            ).format(check=CHECK, cross=CROSS),
            "Small",
        )
    )
    return story


def _story(data: ActivityReport) -> list:
    story = _summary(data)
    for section in (_follow_ups, _checks, _returns, _cases, _satisfaction, _compliance):
        story += section(data)
    return story


def build_activity_report(
    data: ActivityReport, path: str | os.PathLike, language: str | None = None, *, force: bool = False
) -> Path:
    """Write the activity report to `path` in `language` (default: the current one); `force`: replace a file."""

    def title() -> str:
        text = _("Activity report {period}").format(period=_report_period(data))
        return text if data.rep_name is None else _("{title} — {rep}").format(title=text, rep=data.rep_name)

    return write_document(
        path,
        language,
        company=data.company_name,
        title=title,
        logo_path=data.logo_path,
        issued_on=data.issued_on,
        story=lambda: _story(data),
        force=force,
    )
