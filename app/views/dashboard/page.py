"""The Dashboard page: tiles that lead to the filtered lists behind them, the ABC chart and customers at risk.

Everything loads in the background: the cheap figures in one task, the slower customers-at-risk
list in a second one, so the window never blocks. The page is the window's first: it is built from
Qt's widgets alone (the chart, QtCharts, once there are segments to draw) and the services it shows
are imported by the tasks that read them, off the way to the first paint (issue 19).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QMargins, QPoint, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_money, format_number, format_percent, ngettext
from app.markup import escape
from app.models.enums import Segment
from app.views.events import CASES, CHARTERS, CUSTOMERS, FOLLOW_UPS, RETURNS, SETTINGS, SURVEYS
from app.views.exports import SHORTCUT as EXPORT_SHORTCUT
from app.views.exports import export_button, export_list
from app.views.pages.base import AppContext, Page, empty_state_label
from app.views.tasks import run_in_background

if TYPE_CHECKING:
    from PySide6.QtCharts import QChart, QChartView

    from app.services.customers.risk import RiskList
    from app.services.reporting.dashboard import ComplianceSummary, DashboardSummary
    from app.services.reporting.satisfaction import SatisfactionKpis

# Tile → (page key, filters) handed to navigate_requested; the main window opens that page filtered.
NAVIGATION: dict[str, tuple[str, dict]] = {
    "follow_ups_today": ("agenda", {"view": "today"}),
    "follow_ups_overdue": ("agenda", {"view": "overdue"}),
    "returns_open": ("returns", {"open": True}),
    "returns_overdue": ("returns", {"overdue": True}),
    "cases_open": ("cases", {"open": True}),
    "cases_overdue": ("cases", {"overdue": True}),
    "satisfaction": ("reports", {"report": "satisfaction"}),
    "segments": ("customers", {}),
    "at_risk": ("customers", {"at_risk": True}),
    "compliance": ("charters", {}),
}
RED = "#c62828"
GREEN = "#2e7d32"


def dashboard_summary(rep_id: int | None, today: dt.date, now: dt.datetime) -> DashboardSummary:
    """The tiles' figures (run in the pool thread, which imports the reporting services)."""
    from app.services.reporting import dashboard

    return dashboard.dashboard_summary(rep_id, today, now)


def dashboard_risk(rep_id: int | None, today: dt.date) -> RiskList:
    """The most valuable customers at risk, as many as the table shows (in the pool thread)."""
    from app.services.reporting import dashboard

    return dashboard.dashboard_risk(rep_id, today, dashboard.RISK_ROWS)


def navigation_for(tile: str) -> tuple[str, dict]:
    """The page key and a fresh copy of the filters a tile leads to."""
    key, filters = NAVIGATION[tile]
    return key, dict(filters)


class _Clickable(QFrame):
    clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.click_position = QPoint()  # where the last click landed, in the frame's coordinates

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt)
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.click_position = event.position().toPoint()
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class Tile(_Clickable):
    """A big number, its caption and optional detail lines; clicking it opens the list behind it."""

    def __init__(self, key: str, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.setObjectName("dashboardTile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#dashboardTile { border: 1px solid palette(mid); border-radius: 6px; background: palette(base); }"
            "#dashboardTile:hover { border-color: palette(highlight); }"
        )
        self.setMinimumWidth(140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        self.number = QLabel("…")
        self.number.setObjectName("tileNumber")
        self.number.setStyleSheet("font-size: 30px; font-weight: 600;")
        self.caption = QLabel(caption)
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: palette(dark);")
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.hide()
        layout.addWidget(self.number)
        layout.addWidget(self.caption)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        self.setToolTip(_("Click to open the list"))

    def set_number(self, text: str, color: str | None = None) -> None:
        self.number.setText(text)
        style = "font-size: 30px; font-weight: 600;"
        self.number.setStyleSheet(style + (f" color: {color};" if color else ""))

    def set_detail(self, html: str) -> None:
        self.detail.setText(html)
        self.detail.setVisible(bool(html))


class OverdueLink(_Clickable):
    """The red "N overdue" line under an open-count tile: a click target of its own."""

    def __init__(self, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("")
        layout.addWidget(self.label)
        layout.addStretch(1)

    def set_count(self, n: int) -> None:
        self.label.setText(ngettext("{n} overdue", "{n} overdue", n).format(n=format_number(n)))
        self.label.setStyleSheet(
            f"color: {RED}; font-weight: 600; text-decoration: underline;" if n else "color: palette(dark);"
        )


def _arrow(current: float | None, previous: float | None) -> str:
    if current is None or previous is None or abs(current - previous) < 1e-9:
        return ""
    return (
        f' <span style="color:{GREEN}">▲</span>'
        if current > previous
        else f' <span style="color:{RED}">▼</span>'
    )


def satisfaction_lines(this: SatisfactionKpis | None, last: SatisfactionKpis | None) -> tuple[str, str]:
    """(big number, detail html) of the satisfaction tile."""
    if this is None:
        big = _("No surveys this month")
        if last is None:
            return big, _("None last month either")
        return big, _("Last month: CSAT {csat}, average {average}, NPS {nps}").format(
            csat=_or_dash(format_percent(_pct(last.csat), 0)),
            average=_or_dash(format_number(last.average, 1)),
            nps=_or_dash(format_number(last.nps, 0)),
        )

    def vs(current: float | None, previous: float | None, text: Callable[[float | None], str]) -> str:
        shown = _or_dash(text(current)) + _arrow(current, previous)
        if previous is not None:
            shown += " " + _("(last month {value})").format(value=text(previous))
        return shown

    from app.services.reporting.satisfaction import SatisfactionKpis

    prev = last or SatisfactionKpis(None, 0, 0, None, 0, None, 0, 0, 0, None)
    big = _or_dash(format_percent(_pct(this.csat), 0))
    lines = [
        _("CSAT") + ": " + vs(this.csat, prev.csat, lambda v: format_percent(_pct(v), 0)),
        _("Average") + ": " + vs(this.average, prev.average, lambda v: format_number(v, 1)),
        _("NPS") + ": " + vs(this.nps, prev.nps, lambda v: format_number(v, 0)),
    ]
    if last is None:
        lines.append(_("No surveys last month"))
    return big, "<br>".join(lines)


def _pct(value: float | None) -> float | None:
    return None if value is None else value / 100.0


def _or_dash(text: str) -> str:
    return text or "–"


class DashboardPage(Page):
    """Today's work and the state of after-sales at a glance; every tile opens the list behind it."""

    data_kinds = frozenset({FOLLOW_UPS, RETURNS, CASES, SURVEYS, CUSTOMERS, CHARTERS, SETTINGS})
    navigate_requested = Signal(str, dict)

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        today: Callable[[], dt.date] = dt.date.today,
        now: Callable[[], dt.datetime] = dt.datetime.now,
    ):
        super().__init__(context, parent)
        self._today, self._now = today, now
        self._generation = 0  # a result from an older load is dropped
        self._risk_generation = 0
        self.summary: DashboardSummary | None = None
        self.loading = False
        self.risk_loading = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(12)

        header = QHBoxLayout()
        self.title = QLabel(_("Dashboard"))
        self.title.setStyleSheet("font-size: 20px; font-weight: 600;")
        header.addWidget(self.title)
        self.scope = QLabel("")
        self.scope.setStyleSheet("color: palette(dark);")
        header.addWidget(self.scope)
        header.addStretch(1)
        self.status = QLabel(_("Loading…"))
        self.status.setObjectName("dashboardStatus")
        self.status.setStyleSheet("color: palette(dark); font-style: italic;")
        header.addWidget(self.status)
        layout.addLayout(header)

        # Tiles.
        self.tiles: dict[str, Tile] = {}
        self.overdue_links: dict[str, OverdueLink] = {}
        grid = QGridLayout()
        grid.setSpacing(10)
        specs = [
            ("follow_ups_today", _("Follow-ups today")),
            ("follow_ups_overdue", _("Overdue follow-ups")),
            ("returns_open", _("Open warranty returns")),
            ("cases_open", _("Open cases")),
            ("satisfaction", _("Satisfaction this month (CSAT)")),
            ("compliance", _("Charter commitments met")),
        ]
        for column, (key, caption) in enumerate(specs):
            tile = Tile(key, caption)
            tile.clicked.connect(lambda k=key: self._navigate(k))
            self.tiles[key] = tile
            grid.addWidget(tile, 0, column)
            grid.setColumnStretch(column, 2 if key in ("satisfaction", "compliance") else 1)
        self.tiles["compliance"].hide()  # shown once loaded, when a charter is active
        self.tiles["compliance"].setToolTip(
            _("Each commitment over its current period. Click to open the charters")
        )
        for open_key, overdue_key in (("returns_open", "returns_overdue"), ("cases_open", "cases_overdue")):
            link = OverdueLink(overdue_key)
            link.clicked.connect(lambda k=overdue_key: self._navigate(k))
            self.tiles[open_key].layout().insertWidget(2, link)
            self.overdue_links[overdue_key] = link
        layout.addLayout(grid)

        # ABC chart and customers at risk, side by side.
        lower = QHBoxLayout()
        lower.setSpacing(12)
        self.segments_box = _Clickable()
        self.segments_box.setToolTip(
            _("Click a bar to list that segment's customers, elsewhere to list them all")
        )
        self.segments_box.clicked.connect(self._on_segments_box_clicked)
        segments_layout = QVBoxLayout(self.segments_box)
        segments_layout.setContentsMargins(0, 0, 0, 0)
        segments_layout.addWidget(self._section_label(_("Customers by value segment (ABC)")))
        self.chart_stack = QStackedWidget()
        self.chart_stack.setMinimumSize(260, 260)  # the chart's, before it is built: no layout jump
        # The chart and its view are built with the first segments to draw (_chart_view).
        self.chart: QChart | None = None
        self.chart_view: QChartView | None = None
        self.chart_empty = empty_state_label(_("Segments not computed yet"))
        self.chart_loading = empty_state_label(_("Loading…"))
        self.chart_stack.addWidget(self.chart_loading)
        self.chart_stack.addWidget(self.chart_empty)
        segments_layout.addWidget(self.chart_stack, 1)
        lower.addWidget(self.segments_box, 2)

        risk_box = QVBoxLayout()
        self.risk_title = _Clickable()
        title_layout = QHBoxLayout(self.risk_title)
        title_layout.setContentsMargins(0, 0, 0, 0)
        title_layout.addWidget(self._section_label(_("Customers at risk")))
        self.risk_status = QLabel(_("Loading…"))
        self.risk_status.setStyleSheet("color: palette(dark); font-style: italic;")
        self.risk_status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.risk_status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        title_layout.addWidget(self.risk_status, 1)
        self.risk_export = export_button()
        self.risk_export.setToolTip(
            _(
                "Save every customer at risk (not only the most valuable shown here) as an Excel workbook or a CSV file ({key})"
            ).format(key=EXPORT_SHORTCUT)
        )
        self.risk_export.clicked.connect(self.export_list)
        title_layout.addWidget(self.risk_export)
        self.risk_title.setToolTip(_("Click to open the customer list"))
        self.risk_title.clicked.connect(lambda: self._navigate("at_risk"))
        risk_box.addWidget(self.risk_title)
        self.risk_table = QTableWidget(0, 4)
        self.risk_table.setHorizontalHeaderLabels([_("Customer"), _("Segment"), _("Value"), _("Reasons")])
        self.risk_table.verticalHeader().hide()
        self.risk_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.risk_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.risk_table.setWordWrap(True)
        header_view = self.risk_table.horizontalHeader()
        header_view.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header_view.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header_view.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header_view.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.risk_table.setMinimumHeight(260)
        self.risk_table.setMinimumWidth(320)
        self.risk_table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.risk_table.cellDoubleClicked.connect(self._open_risk_customer)
        self.risk_empty = empty_state_label(_("No valuable customer is at risk."))
        self.risk_stack = QStackedWidget()
        self.risk_stack.addWidget(self.risk_table)
        self.risk_stack.addWidget(self.risk_empty)
        risk_box.addWidget(self.risk_stack, 1)
        lower.addLayout(risk_box, 3)
        layout.addLayout(lower, 1)
        self._risk_ids: list[int] = []

    @staticmethod
    def _section_label(text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet("font-size: 15px; font-weight: 600;")
        return label

    # --- loading ------------------------------------------------------------------------

    def activate(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        self._load_summary()
        self._load_risk()

    def _rep_id(self) -> int | None:
        return None if self.context.is_manager else self.context.acting_rep_id

    def export_list(self) -> bool:
        """Every customer at risk (the customers page's At risk list), as XLSX or CSV."""
        from app.services import exports
        from app.services.exports import ListKind  # the lists' module, imported at the first export

        rep_id, today = self._rep_id(), self._today()
        export_list(self, ListKind.AT_RISK, lambda: exports.at_risk_table(today, rep_id=rep_id))
        return True

    def _load_summary(self) -> None:
        self._generation += 1
        generation = self._generation
        self.loading = True
        self.status.setText(_("Loading…"))
        self.status.show()
        rep_id, today, now = self._rep_id(), self._today(), self._now()
        self.scope.setText(
            _("Everyone")
            if rep_id is None
            else _("Your figures ({name})").format(name=self.context.current_rep.name)
        )

        def done(summary: DashboardSummary) -> None:
            if generation == self._generation:
                self._show_summary(summary)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.loading = False
                self.status.setText(_("Could not load the figures: {error}").format(error=exc))

        run_in_background(lambda _progress: dashboard_summary(rep_id, today, now), done, failed, parent=self)

    def _load_risk(self) -> None:
        self._risk_generation += 1
        generation = self._risk_generation
        self.risk_loading = True
        self.risk_status.setText(_("Loading…"))
        self.risk_status.show()
        today, rep_id = self._today(), self._rep_id()

        def done(result) -> None:
            if generation == self._risk_generation:
                self._show_risk(result.rows, result.total)

        def failed(exc: BaseException) -> None:
            if generation == self._risk_generation:
                self.risk_loading = False
                self.risk_status.setText(_("Could not load the list: {error}").format(error=exc))

        run_in_background(lambda _progress: dashboard_risk(rep_id, today), done, failed, parent=self)

    # --- showing --------------------------------------------------------------------------

    def _show_summary(self, summary: DashboardSummary) -> None:
        self.summary = summary
        self.loading = False
        self.status.hide()
        t = self.tiles
        t["follow_ups_today"].set_number(format_number(summary.follow_ups_today))
        t["follow_ups_overdue"].set_number(
            format_number(summary.follow_ups_overdue), RED if summary.follow_ups_overdue else None
        )
        t["returns_open"].set_number(format_number(summary.returns_open))
        self.overdue_links["returns_overdue"].set_count(summary.returns_overdue)
        t["cases_open"].set_number(format_number(summary.cases_open))
        self.overdue_links["cases_overdue"].set_count(summary.cases_overdue)
        big, detail = satisfaction_lines(summary.satisfaction_this_month, summary.satisfaction_last_month)
        sat = t["satisfaction"]
        sat.set_number(big)
        sat.number.setStyleSheet(
            "font-size: 30px; font-weight: 600;"
            if summary.satisfaction_this_month is not None
            else "font-size: 16px; font-weight: 600; color: palette(dark);"
        )
        # "No surveys this month" is a sentence, not a number: it wraps in a narrow tile.
        sat.number.setWordWrap(summary.satisfaction_this_month is None)
        sat.set_detail(detail)
        self._show_compliance(summary.compliance)
        self._show_segments(summary.segments)

    def _show_compliance(self, compliance: ComplianceSummary | None) -> None:
        tile = self.tiles["compliance"]
        tile.setVisible(compliance is not None)
        if compliance is None:
            return
        measured, met = compliance.measured, compliance.met
        if not measured and compliance.not_in_force == len(compliance.commitments):
            tile.set_number(_("Not in force"))
            tile.number.setStyleSheet("font-size: 16px; font-weight: 600; color: palette(dark);")
        elif not measured:
            tile.set_number(_("Nothing to measure yet"))
            tile.number.setStyleSheet("font-size: 16px; font-weight: 600; color: palette(dark);")
        else:
            tile.set_number(
                _("{met} of {measured}").format(met=format_number(met), measured=format_number(measured)),
                GREEN if met == measured else RED,
            )
        from app.services.charters import format_target
        from app.services.charters.indicators import format_measurement, indicator_text

        lines = []
        for status in compliance.not_met[:3]:
            shown = format_measurement(status.indicator, status.value, status.target)
            target = format_target(status.indicator, status.target)
            lines.append(
                f'<span style="color:{RED}">✗</span> '
                + escape(
                    _("{indicator}: {value} (target {target})").format(
                        indicator=indicator_text(status.indicator, status.days), value=shown, target=target
                    )
                )
            )
        if len(compliance.not_met) > 3:
            lines.append(escape(_("… and {n} more").format(n=format_number(len(compliance.not_met) - 3))))
        unmeasured = len(compliance.commitments) - measured - compliance.not_in_force
        if compliance.not_in_force:
            lines.append(
                escape(
                    ngettext(
                        "{n} commitment of a charter not in force in its period",
                        "{n} commitments of a charter not in force in their period",
                        compliance.not_in_force,
                    ).format(n=format_number(compliance.not_in_force))
                )
            )
        if unmeasured:
            lines.append(
                escape(
                    ngettext(
                        "{n} commitment with nothing to measure yet",
                        "{n} commitments with nothing to measure yet",
                        unmeasured,
                    ).format(n=format_number(unmeasured))
                )
            )
        tile.set_detail("<br>".join(lines))

    def _chart_view(self) -> tuple[QChart, QChartView]:
        """The ABC chart and its view, built the first time there are segments to draw."""
        if self.chart is None or self.chart_view is None:
            from PySide6.QtCharts import QChart, QChartView

            self.chart = QChart()
            self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
            self.chart.legend().hide()
            self.chart.setMargins(QMargins(4, 4, 4, 4))
            self.chart_view = QChartView(self.chart)
            self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
            self.chart_view.setMinimumSize(260, 260)
            self.chart_view.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            self.chart_stack.addWidget(self.chart_view)
        return self.chart, self.chart_view

    def _show_segments(self, segments: dict) -> None:
        if not any(segments.get(s, 0) for s in Segment):
            if self.chart is not None:
                self.chart.removeAllSeries()
                for axis in self.chart.axes():
                    self.chart.removeAxis(axis)
            self.chart_stack.setCurrentWidget(self.chart_empty)
            return
        from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QValueAxis

        chart, chart_view = self._chart_view()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        counts = [segments.get(s, 0) for s in Segment]
        bar_set = QBarSet(_("Customers"))
        bar_set.append([float(n) for n in counts])
        bar_set.setColor(QColor("#1976d2"))
        bar_set.setLabelColor(QColor("#000000"))
        series = QBarSeries()
        series.append(bar_set)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat("@value")
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append([str(s) for s in Segment])  # A, B, C
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        values = QValueAxis()
        values.setRange(0, max(counts) * 1.15 or 1)
        values.setLabelFormat("%d")
        values.applyNiceNumbers()
        chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(values)
        missing = segments.get(None, 0)
        chart.setTitle(
            ngettext("{n} customer without a segment", "{n} customers without a segment", missing).format(
                n=format_number(missing)
            )
            if missing
            else ""
        )
        self.chart_stack.setCurrentWidget(chart_view)

    def _show_risk(self, rows, total: int) -> None:
        self.risk_loading = False
        self._risk_ids = [r.customer_id for r in rows]
        if total > len(rows):
            self.risk_status.setText(
                _("{shown} most valuable of {total}").format(
                    shown=format_number(len(rows)), total=format_number(total)
                )
            )
        else:
            self.risk_status.setText(
                ngettext("{n} customer", "{n} customers", total).format(n=format_number(total))
                if total
                else ""
            )
        from app.services.customers.risk import reasons_text

        self.risk_table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            value_item = QTableWidgetItem(format_money(row.value))
            value_item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            segment_item = QTableWidgetItem(str(row.segment))
            segment_item.setToolTip(row.segment.label)
            segment_item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            reasons = "; ".join(reason.label for reason in row.reasons)
            reasons_item = QTableWidgetItem(reasons)
            reasons_item.setToolTip(reasons_text(row).replace("; ", "\n"))
            self.risk_table.setItem(i, 0, QTableWidgetItem(row.name))
            self.risk_table.setItem(i, 1, segment_item)
            self.risk_table.setItem(i, 2, value_item)
            self.risk_table.setItem(i, 3, reasons_item)
        self.risk_table.resizeRowsToContents()
        self.risk_stack.setCurrentWidget(self.risk_table if rows else self.risk_empty)

    # --- navigation -----------------------------------------------------------------------

    def _navigate(self, tile: str) -> None:
        key, filters = navigation_for(tile)
        self.navigate_requested.emit(key, filters)

    def segment_at(self, position: QPoint) -> Segment | None:
        """The segment whose bar is under `position` (segments_box coordinates), None elsewhere."""
        chart, chart_view = self.chart, self.chart_view
        if chart is None or chart_view is None or self.chart_stack.currentWidget() is not chart_view:
            return None
        series = chart.series()
        if not series:
            return None
        in_view = chart_view.mapFrom(self.segments_box, position)
        in_chart = chart.mapFromScene(chart_view.mapToScene(in_view))
        if not chart.plotArea().contains(in_chart):
            return None
        point = chart.mapToValue(in_chart, series[0])
        index = round(point.x())
        bars = series[0].barSets()[0]
        if not 0 <= index < len(Segment) or abs(point.x() - index) > series[0].barWidth() / 2:
            return None
        return list(Segment)[index] if 0 <= point.y() <= max(bars.at(index), 0) else None

    def _on_segments_box_clicked(self) -> None:
        segment = self.segment_at(self.segments_box.click_position)
        if segment is None:
            self._navigate("segments")
        else:
            self.navigate_requested.emit("customers", {"segment": segment.value})

    def _open_risk_customer(self, row: int, _column: int) -> None:
        if 0 <= row < len(self._risk_ids):
            self.open_customer(self._risk_ids[row])
