"""The customer 360° view: everything known about one customer, tab by tab."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDate, QDateTime, QMargins, Qt, QTime
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_datetime, format_money, format_number, format_percent
from app.markup import escape
from app.services.customers import Customer360, SaleSummary, SoldUnitRow, customer_360
from app.services.customers.value import CustomerValue, customer_value
from app.services.permissions import UNRESTRICTED, Permissions
from app.services.reporting.satisfaction import SurveyRow, customer_trend
from app.services.sales.warranty import warranty_text
from app.views.customers.actions import RETURN, CustomerActions, CustomerTarget
from app.views.customers.customer_dialog import LANGUAGE_LABELS
from app.views.customers.delivery_date_dialog import DeliveryDateDialog
from app.views.customers.table_model import SEGMENT_COLOURS
from app.views.dialogs import BaseDialog, plain_label
from app.views.events import FOLLOW_UPS, SALES
from app.views.operations import Operation
from app.views.pages.base import empty_state_label
from app.views.rights import gate

OK_COLOUR = "#2e7d32"
LATE_COLOUR = "#b00020"


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("Yes") if value else _("No")


Cell = str | tuple[str, str]  # text, or (text, colour)


MAX_COLUMN_WIDTH = 200


def fit_columns(table, stretch_column: int) -> None:
    """Columns sized to their contents but capped, so the stretching column keeps room to show its text."""
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for column in range(header.count()):
        if column != stretch_column:
            table.setColumnWidth(column, min(table.columnWidth(column), MAX_COLUMN_WIDTH))
    header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)


def read_only_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    numeric: Sequence[int] = (),
    stretch: int = -1,
) -> QTableWidget:
    """A non-editable table sized to its contents; `numeric` columns align right, `stretch` fills."""
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            text, colour = cell if isinstance(cell, tuple) else (cell, "")
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if c in numeric:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if colour:
                item.setForeground(QBrush(QColor(colour)))
            table.setItem(r, c, item)
    fit_columns(table, stretch % len(headers))
    return table


def list_or_empty(
    headers: Sequence[str], rows: Sequence[Sequence[Cell]], empty_text: str, **options
) -> QWidget:
    """The table, or a plain sentence saying there is nothing yet."""
    return read_only_table(headers, rows, **options) if rows else empty_state_label(empty_text)


def trend_text(surveys: Sequence[SurveyRow]) -> str:
    """The last answered satisfaction against the one before it, with an arrow."""
    if not surveys:
        return _("No surveys yet")
    last = surveys[-1]
    if len(surveys) == 1:
        return _("{score} of 5 (only one survey)").format(score=format_number(last.satisfaction))
    previous = surveys[-2].satisfaction
    if last.satisfaction > previous:
        text = _("▲ better: {score} of 5 on {date} (before: {previous})")
    elif last.satisfaction < previous:
        text = _("▼ worse: {score} of 5 on {date} (before: {previous})")
    else:
        text = _("= steady: {score} of 5 on {date} (before: {previous})")
    return text.format(
        score=format_number(last.satisfaction),
        date=format_date(last.taken_on),
        previous=format_number(previous),
    )


def trend_chart(surveys: Sequence[SurveyRow]) -> QChartView | None:
    """A small line of the satisfaction scores (1–5) over time; None with fewer than two answers."""
    if len(surveys) < 2:
        return None
    series = QLineSeries()
    series.setPointsVisible(True)
    series.setMarkerSize(7)
    series.setColor(QColor("#1976d2"))

    def moment(day: dt.date) -> QDateTime:
        return QDateTime(QDate(day.year, day.month, day.day), QTime(12, 0))

    for survey in surveys:
        series.append(float(moment(survey.taken_on).toMSecsSinceEpoch()), float(survey.satisfaction))
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.legend().hide()
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.addSeries(series)
    dates = QDateTimeAxis()
    dates.setFormat("MMM yyyy" if (surveys[-1].taken_on - surveys[0].taken_on).days > 90 else "dd MMM")
    dates.setTickCount(min(len(surveys), 6))
    chart.addAxis(dates, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(dates)
    margin = dt.timedelta(days=max(2, (surveys[-1].taken_on - surveys[0].taken_on).days // 20))
    dates.setRange(moment(surveys[0].taken_on - margin), moment(surveys[-1].taken_on + margin))
    scores = QValueAxis()
    scores.setRange(0.5, 5.5)
    scores.setTickType(QValueAxis.TickType.TicksDynamic)
    scores.setTickAnchor(1)
    scores.setTickInterval(1)
    scores.setLabelFormat("%d")
    chart.addAxis(scores, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(scores)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(170)
    return view


class Customer360Dialog(BaseDialog):
    """Read-only overview of one customer: summary, sales and units, follow-ups, checks, returns, cases, surveys."""

    ASKS_BEFORE_DISCARDING = False  # shows data; its own dialogs gather it

    def __init__(
        self,
        parent: QWidget | None,
        customer_id: int,
        today: dt.date | None = None,
        *,
        acting_rep_id: int | None = None,
        permissions: Permissions = UNRESTRICTED,
    ):
        """`permissions`: who is looking (a rep changes the delivery of their or their customer's sales)."""
        super().__init__(parent)
        self._customer_id = customer_id
        self._today = today or dt.date.today()
        self._acting_rep_id = acting_rep_id
        self._permissions = permissions
        self._sales_table: QTableWidget | None = None
        self._delivery_button: QPushButton | None = None
        self._units_table: QTableWidget | None = None
        self._load()
        detail = self._view.detail
        self.setWindowTitle(_("Customer 360° view: {name}").format(name=detail.name))
        self.resize(980, 620)
        self.setMinimumWidth(960)  # every tab title visible, in Spanish too

        self._tabs = QTabWidget()
        self._fill_tabs()
        self._actions = CustomerActions(
            self,
            self._target,
            acting_rep_id=acting_rep_id,
            permissions=permissions,
            on_done=lambda _action: self.reload(),
            unit=lambda: unit.id if (unit := self.selected_unit()) is not None else None,
            personal_data=True,
        )
        action_row = QHBoxLayout()
        for button in self._actions.buttons():
            action_row.addWidget(button)
        action_row.addStretch(1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bottom_row = QHBoxLayout()  # the person's data, away from the everyday actions
        for button in self._actions.personal_data_buttons():
            bottom_row.addWidget(button)
        bottom_row.addStretch(1)
        bottom_row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(self._header())
        layout.addLayout(action_row)
        layout.addWidget(self._tabs, 1)
        layout.addLayout(bottom_row)

    @property
    def actions(self) -> CustomerActions:
        """Schedule, open a case or return, run a check, reassign: on this customer."""
        return self._actions

    def _target(self) -> CustomerTarget:
        detail = self._view.detail
        return CustomerTarget(
            detail.id,
            detail.name,
            detail.rep_id,
            has_units=bool(self._view.units),
            code=detail.code,
            erased=self._view.erased,
        )

    def _fill_tabs(self) -> None:
        self._add_tab(self._summary_tab(), _("Summary"), None)
        self._add_tab(self._sales_tab(), _("Sales and units"), len(self._view.sales))
        self._add_tab(self._follow_ups_tab(), _("Follow-ups"), len(self._view.follow_ups))
        self._add_tab(self._checks_tab(), _("Usage checks"), len(self._view.usage_checks))
        self._add_tab(self._returns_tab(), _("Returns"), len(self._view.returns))
        self._add_tab(self._cases_tab(), _("Cases"), len(self._view.cases))
        self._add_tab(self._surveys_tab(), _("Surveys"), len(self._view.surveys))

    def reload(self) -> None:
        """Read the customer again and rebuild the tabs, keeping the open tab and the chosen sale."""
        tab = self._tabs.currentIndex()
        sale = self.selected_sale()
        self._load()
        self._sales_table = self._delivery_button = self._units_table = None
        self._tabs.blockSignals(True)
        while self._tabs.count():
            page = self._tabs.widget(0)
            self._tabs.removeTab(0)
            page.deleteLater()
        self._fill_tabs()
        self._tabs.setCurrentIndex(max(tab, 0))
        self._tabs.blockSignals(False)
        if sale is not None:
            self.select_sale(sale.id)
        self._subtitle.setText(self._header_facts())  # a reassignment changes the rep
        self._actions.update()

    def _load(self) -> None:
        self._view = customer_360(self._customer_id, self._today)
        self._value = customer_value(self._customer_id, self._today)
        self._trend = [s for s in customer_trend(self._customer_id) if s.satisfaction is not None]
        self.trend_chart: QChartView | None = None

    @property
    def value(self) -> CustomerValue:
        return self._value

    @property
    def view(self) -> Customer360:
        return self._view

    @property
    def tabs(self) -> QTabWidget:
        return self._tabs

    def _add_tab(self, widget: QWidget, title: str, count: int | None) -> None:
        self._tabs.addTab(widget, title if not count else f"{title} ({format_number(count)})")

    def _header_facts(self) -> str:
        """Code, kind, city and rep, under the name."""
        detail = self._view.detail
        facts = [detail.code, detail.kind.label]
        if detail.city:
            facts.append(detail.city)
        if detail.rep_name:
            facts.append(_("Rep: {name}").format(name=detail.rep_name))
        return " · ".join(facts)

    def _header(self) -> QHBoxLayout:
        detail = self._view.detail
        title = plain_label(detail.name, wrap=True, selectable=True)
        title.setObjectName("customerName")
        title.setStyleSheet("font-size: 18px; font-weight: 600;")
        subtitle = self._subtitle = plain_label(self._header_facts(), wrap=True)
        subtitle.setStyleSheet("color: palette(dark);")
        column = QVBoxLayout()
        column.addWidget(title)
        column.addWidget(subtitle)
        row = QHBoxLayout()
        if detail.segment:
            badge = QLabel(detail.segment.value)
            badge.setToolTip(detail.segment.label)
            badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
            badge.setFixedSize(40, 40)
            badge.setStyleSheet(
                f"background: {SEGMENT_COLOURS[detail.segment]}; color: white; border-radius: 8px;"
                " font-size: 20px; font-weight: 700;"
            )
            row.addWidget(badge)
        row.addLayout(column, 1)
        if detail.archived:
            archived = QLabel(_("Archived"))
            archived.setStyleSheet("color: white; background: #757575; border-radius: 4px; padding: 3px 8px;")
            row.addWidget(archived, 0, Qt.AlignmentFlag.AlignTop)
        return row

    # --- tabs ---------------------------------------------------------------

    def _summary_tab(self) -> QWidget:
        view, detail = self._view, self._view.detail
        contact = QGroupBox(_("Contact"))
        form = QFormLayout(contact)
        address = ", ".join(
            part
            for part in (
                detail.address,
                " ".join(p for p in (detail.postal_code, detail.city) if p),
                detail.province,
            )
            if part
        )
        consent = (
            _("Yes, since {date}").format(date=format_date(detail.consent_date))
            if detail.contact_consent and detail.consent_date
            else yes_no(detail.contact_consent)
        )
        for label, value in [
            (_("Tax ID"), detail.tax_id),
            (_("E-mail"), detail.email),
            (_("Phone"), detail.phone),
            (_("Mobile"), detail.mobile),
            (_("Address"), f"{address} ({detail.country})" if address else detail.country),
            (_("Preferred channel"), detail.preferred_channel.label),
            (_("Language"), _(LANGUAGE_LABELS.get(detail.language, detail.language))),
            (_("Contact consent"), consent),
            (_("Needs"), ", ".join(detail.need_tags)),
        ]:
            form.addRow(label, self._value_label(value))
        form.addRow(_("Notes"), self._notes_view(detail.notes))

        figures = QGroupBox(_("Key figures"))
        numbers = QFormLayout(figures)
        overdue = view.overdue_follow_ups
        satisfaction = (
            _("{score} of 5").format(score=format_number(view.average_satisfaction, 1))
            if view.average_satisfaction is not None
            else _("No surveys yet")
        )
        overdue_label = _("Overdue follow-ups")
        for label, value in [
            (_("Sales"), format_number(len(view.sales))),
            (
                _("Units under warranty"),
                _("{under} of {total}").format(
                    under=format_number(view.units_under_warranty), total=format_number(len(view.units))
                ),
            ),
            (_("Planned follow-ups"), format_number(view.planned_follow_ups)),
            (overdue_label, format_number(overdue)),
            (_("Open cases"), format_number(view.open_cases)),
            (_("Open returns"), format_number(view.open_returns)),
            (_("Average satisfaction"), satisfaction),
            (_("Satisfaction trend"), trend_text(self._trend)),
            (_("Customer since"), format_date(detail.created_at)),
        ]:
            value_label = self._value_label(value)
            if label is overdue_label and overdue:
                value_label.setStyleSheet(f"color: {LATE_COLOUR}; font-weight: 600;")
            numbers.addRow(label, value_label)

        page = QWidget()
        row = QHBoxLayout(page)
        row.addWidget(contact, 3)
        right = QVBoxLayout()
        right.addWidget(self._value_box())
        right.addWidget(figures)
        right.addStretch(1)
        row.addLayout(right, 2)
        return page

    def _value_box(self) -> QGroupBox:
        """Historical, annual and projected value, the segment and how they are computed."""
        value, detail = self._value, self._view.detail
        box = QGroupBox(_("Customer value"))
        form = QFormLayout(box)
        historical = self._value_label(format_money(value.historical))
        if value.refunds:
            historical.setToolTip(
                _("Sales {sales} − refunds and credits {refunds}").format(
                    sales=format_money(value.revenue), refunds=format_money(value.refunds)
                )
            )
        self.value_labels = {
            "historical": historical,
            "annual": self._value_label(
                _("{amount} a year (over {years} years)").format(
                    amount=format_money(value.annual), years=format_number(value.years, 1)
                )
                if value.first_sale_on
                else format_money(value.annual)
            ),
            "projected": self._value_label(
                _("{amount} ({years} more years)").format(
                    amount=format_money(value.projected), years=format_number(value.expected_remaining_years)
                )
            ),
            "segment": self._value_label(
                _("{segment}, computed on {date}").format(
                    segment=detail.segment.label, date=format_date(detail.segment_computed_on)
                )
                if detail.segment and detail.segment_computed_on
                else detail.segment.label
                if detail.segment
                else _("Not computed yet")
            ),
        }
        form.addRow(_("Historical value"), self.value_labels["historical"])
        form.addRow(_("Annual value"), self.value_labels["annual"])
        form.addRow(_("Projected lifetime value"), self.value_labels["projected"])
        form.addRow(_("Segment"), self.value_labels["segment"])
        self.formula_label = plain_label(value.formula)
        self.formula_label.setWordWrap(True)
        self.formula_label.setStyleSheet("color: palette(dark); font-size: 11px;")
        self.formula_label.hide()
        how = QLabel('<a href="#">{}</a>'.format(escape(_("How is this computed?"))))
        how.setToolTip(value.formula)
        how.linkActivated.connect(lambda _link: self.formula_label.setVisible(self.formula_label.isHidden()))
        form.addRow(how)
        form.addRow(self.formula_label)
        return box

    @staticmethod
    def _value_label(text: str) -> QLabel:
        return plain_label(text or "—", wrap=True, selectable=True)

    @staticmethod
    def _notes_view(text: str) -> QWidget:
        """The customer's notes as typed; long notes scroll instead of stretching the window."""
        if not text.strip():
            return plain_label("—")
        view = QPlainTextEdit(text)
        view.setObjectName("customerNotes")
        view.setReadOnly(True)
        view.setFrameShape(QFrame.Shape.NoFrame)
        view.viewport().setAutoFillBackground(False)
        lines = min(max(text.count("\n") + 1, 2), 6)
        view.setFixedHeight(view.fontMetrics().lineSpacing() * lines + 12)
        return view

    def _sales_tab(self) -> QWidget:
        view = self._view
        if not view.sales:
            return empty_state_label(_("No sales recorded for this customer yet."))
        sales = read_only_table(
            [_("Number"), _("Sale date"), _("Delivered"), _("Rep"), _("Lines"), _("Total")],
            [
                [
                    s.number,
                    format_date(s.sold_on),
                    format_date(s.delivered_on) if s.delivered_on else (_("Not yet"), LATE_COLOUR),
                    s.rep_name,
                    format_number(s.lines),
                    format_money(s.total),
                ]
                for s in view.sales
            ],
            numeric=(4, 5),
            stretch=3,
        )
        units = list_or_empty(
            [
                _("Product"),
                _("Serial number"),
                _("Qty"),
                _("Sale"),
                _("Delivered"),
                _("Warranty ends"),
                _("Warranty"),
                _("Status"),
            ],
            [
                [
                    u.product_name,
                    u.serial_number or "—",
                    format_number(u.quantity),
                    u.sale_number,
                    format_date(u.delivered_on),
                    format_date(u.warranty_ends_on),
                    (
                        warranty_text(u.warranty),
                        "" if u.warranty is None else OK_COLOUR if u.warranty.under_warranty else LATE_COLOUR,
                    ),
                    u.status.label,
                ]
                for u in view.units
            ],
            _("No sold units."),
            numeric=(2,),
            stretch=0,
        )
        sales.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._sales_table = sales
        self._delivery_button = QPushButton(_("Set delivery date…"))
        self._delivery_button.setToolTip(
            _("Record or correct when the chosen sale was delivered: warranties and follow-ups start from it")
        )
        self._delivery_button.setEnabled(False)
        self._delivery_button.clicked.connect(self._on_delivery_button_clicked)
        sales.itemSelectionChanged.connect(self._on_sales_item_selection_changed)
        sales.doubleClicked.connect(lambda _index: self._on_delivery_button_clicked())
        heading = QHBoxLayout()
        heading.addWidget(QLabel(_("Sales")), 1)
        heading.addWidget(self._delivery_button)
        self._units_table = units if isinstance(units, QTableWidget) else None
        self._return_button = QPushButton(_("Open warranty return…"))
        self._return_button.setToolTip(_("Open a warranty return (RMA) for the chosen unit"))
        self._return_button.setEnabled(False)
        self._return_button.clicked.connect(self._on_return_button_clicked)
        if self._units_table is not None:
            self._units_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            self._units_table.itemSelectionChanged.connect(
                lambda: self._return_button.setEnabled(self.selected_unit() is not None)
            )
        units_heading = QHBoxLayout()
        units_heading.addWidget(QLabel(_("Sold units and warranty")), 1)
        units_heading.addWidget(self._return_button)
        page = QWidget()
        column = QVBoxLayout(page)
        column.addLayout(heading)
        column.addWidget(sales, 2)
        column.addLayout(units_heading)
        column.addWidget(units, 3)
        return page

    # --- a warranty return for a unit ---------------------------------------------------------

    def selected_unit(self) -> SoldUnitRow | None:
        table = self._units_table
        if table is None:
            return None
        rows = {index.row() for index in table.selectionModel().selectedRows()}
        return self._view.units[min(rows)] if rows else None

    def _on_return_button_clicked(self) -> None:
        if self.selected_unit() is not None:
            self._actions.trigger(RETURN)

    # --- the delivery date of a sale -------------------------------------------------------

    def selected_sale(self) -> SaleSummary | None:
        table = self._sales_table
        if table is None:
            return None
        rows = {index.row() for index in table.selectionModel().selectedRows()}
        return self._view.sales[min(rows)] if rows else None

    def select_sale(self, sale_id: int) -> bool:
        row = next((r for r, s in enumerate(self._view.sales) if s.id == sale_id), -1)
        if self._sales_table is None or row < 0:
            return False
        self._sales_table.selectRow(row)
        return True

    def select_unit(self, unit_id: int) -> bool:
        row = next((r for r, u in enumerate(self._view.units) if u.id == unit_id), -1)
        if self._units_table is None or row < 0:
            return False
        self._units_table.selectRow(row)
        self._units_table.scrollToItem(self._units_table.item(row, 0))
        return True

    def show_sale_or_unit(self, sale_id: int | None, unit_id: int | None) -> None:
        """The sales tab with the sale and/or the unit chosen; nothing changes when both are None."""
        if sale_id is None and unit_id is None:
            return
        if self._sales_table is not None:
            self._tabs.setCurrentIndex(self._tabs.indexOf(self._sales_table.parentWidget()))
        if sale_id is not None:
            self.select_sale(sale_id)
        if unit_id is not None:
            self.select_unit(unit_id)

    @property
    def delivery_button(self) -> QPushButton | None:
        """The sales tab's button that opens the delivery date; None when the customer has no sales."""
        return self._delivery_button

    def _delivery_refusal(self, sale: SaleSummary) -> str | None:
        return self._permissions.change_refusal(sale.rep_id, self._view.detail.rep_id)

    def _on_sales_item_selection_changed(self) -> None:
        if self._delivery_button is not None:
            sale = self.selected_sale()
            refusal = self._delivery_refusal(sale) if sale is not None else None
            gate(self._delivery_button, refusal, enabled=sale is not None)

    def _on_delivery_button_clicked(self) -> None:
        sale = self.selected_sale()
        if sale is None or self._delivery_refusal(sale) is not None:  # a double click on another's
            return
        done = Operation(
            _("Set delivery date"),
            lambda: DeliveryDateDialog.ask(self, sale, acting_rep_id=self._acting_rep_id),
            lambda saved: {SALES, FOLLOW_UPS} if saved is not None else (),  # None: cancelled
        ).run(self)
        if done and done.value is not None:
            self.reload()

    def _follow_ups_tab(self) -> QWidget:
        return list_or_empty(
            [_("When"), _("Type"), _("Purpose"), _("State"), _("Outcome"), _("Rep"), _("Notes")],
            [
                [
                    format_datetime(f.scheduled_at),
                    f.kind.label,
                    f.purpose.label,
                    (_("Overdue"), LATE_COLOUR) if f.overdue else f.state.label,
                    f.outcome.label if f.outcome else "",
                    f.rep_name,
                    f.notes.replace("\n", " "),
                ]
                for f in self._view.follow_ups
            ],
            _("No follow-ups planned or done for this customer yet."),
        )

    def _checks_tab(self) -> QWidget:
        return list_or_empty(
            [
                _("Started"),
                _("Completed"),
                _("Checklist"),
                _("Product"),
                _("Serial number"),
                _("Score"),
                _("Result"),
            ],
            [
                [
                    format_datetime(c.started_at),
                    format_datetime(c.completed_at) if c.completed_at else c.status.label,
                    c.checklist,
                    c.product_name,
                    c.serial_number or "—",
                    format_percent(c.score, 0) if c.score is not None else "",
                    ""
                    if c.passed is None
                    else (_("Passed"), OK_COLOUR)
                    if c.passed
                    else (_("Failed"), LATE_COLOUR),
                ]
                for c in self._view.usage_checks
            ],
            _("No correct-use checks run with this customer yet."),
            numeric=(5,),
            stretch=2,
        )

    def _returns_tab(self) -> QWidget:
        return list_or_empty(
            [
                _("Number"),
                _("Reported"),
                _("Product"),
                _("Serial number"),
                _("Reason"),
                _("Warranty"),
                _("State"),
                _("Closed"),
            ],
            [
                [
                    r.number,
                    format_date(r.reported_on),
                    r.product_name,
                    r.serial_number or "—",
                    r.reason.label,
                    _("Under warranty") if r.under_warranty else _("Out of warranty"),
                    r.state.label,
                    format_date(r.closed_on),
                ]
                for r in self._view.returns
            ],
            _("No warranty returns for this customer."),
            stretch=2,
        )

    def _cases_tab(self) -> QWidget:
        return list_or_empty(
            [_("Number"), _("Type"), _("Received"), _("Category"), _("Stage"), _("Closed")],
            [
                [
                    c.number,
                    c.kind.label,
                    format_date(c.received_on),
                    c.category.label if c.category else "",
                    c.stage.label,
                    format_date(c.closed_on),
                ]
                for c in self._view.cases
            ],
            _("No complaints, claims, suggestions or compliments from this customer."),
            stretch=3,
        )

    def _surveys_tab(self) -> QWidget:
        table = list_or_empty(
            [_("Date"), _("Satisfaction (1–5)"), _("Recommend (0–10)"), _("Main cause"), _("Comment")],
            [
                [
                    format_date(s.taken_on),
                    format_number(s.satisfaction) if s.satisfaction is not None else "",
                    format_number(s.recommend) if s.recommend is not None else "",
                    s.cause.label if s.cause else "",
                    s.comment.replace("\n", " "),
                ]
                for s in self._view.surveys
            ],
            _("No satisfaction surveys taken with this customer yet."),
            numeric=(1, 2),
        )
        self.trend_chart = trend_chart(self._trend)
        if self.trend_chart is None:
            return table
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(6, 6, 6, 6)
        heading = QLabel(_("Satisfaction over time: {trend}").format(trend=trend_text(self._trend)))
        heading.setStyleSheet("font-weight: 600;")
        column.addWidget(heading)
        column.addWidget(self.trend_chart, 2)
        column.addWidget(table, 3)
        return page

    @classmethod
    def show_customer(
        cls,
        parent: QWidget | None,
        customer_id: int,
        today: dt.date | None = None,
        *,
        acting_rep_id: int | None = None,
        permissions: Permissions = UNRESTRICTED,
        sale_id: int | None = None,
        unit_id: int | None = None,
    ) -> None:
        """Open the 360° view of a customer and wait until it is closed; on the sales tab with the
        sale or unit chosen when one is given (a search hit)."""
        dialog = cls(parent, customer_id, today, acting_rep_id=acting_rep_id, permissions=permissions)
        dialog.show_sale_or_unit(sale_id, unit_id)
        dialog.answer(lambda dialog: None, always=True)
