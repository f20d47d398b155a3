"""The panel beside the agenda: everything needed for the selected call or visit, at hand."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from app.i18n import _, format_date, format_time
from app.markup import escape
from app.models.enums import FollowUpState
from app.services.followups import AgendaRow
from app.views.agenda.table_model import OVERDUE_TEXT, kind_text, lateness_text, product_text, state_text
from app.views.customers.table_model import SEGMENT_COLOURS


def _breakable(text: str) -> str:
    """An e-mail address that may wrap after '@' and '.' in a narrow panel."""
    return escape(text).replace("@", "@\u200b").replace(".", ".\u200b")


class AgendaDetailPanel(QFrame):
    """Customer, contact channels, what the follow-up is about and its state; links dial or write.

    A strip under the list: three columns (customer and contact, the follow-up, notes).
    """

    open_customer_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("agendaDetail")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._row: AgendaRow | None = None
        self._customer = self._column_label()
        self._follow_up = self._column_label()
        self._notes = self._column_label()
        self._open = QPushButton(_("Open customer 360°"))
        self._open.setToolTip(_("Everything about the customer (Ctrl+I)"))
        self._open.clicked.connect(self._on_open_clicked)
        columns = QHBoxLayout()
        columns.addWidget(self._customer, 4)
        columns.addWidget(self._follow_up, 4)
        columns.addWidget(self._notes, 3)
        holder = QWidget()
        holder.setLayout(columns)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(holder)
        side = QVBoxLayout()
        side.addStretch(1)
        side.addWidget(self._open)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 8, 6)
        layout.addWidget(scroll, 1)
        layout.addLayout(side)
        self.show_row(None, None)

    @staticmethod
    def _column_label() -> QLabel:
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        label.setOpenExternalLinks(True)
        label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        return label

    def row(self) -> AgendaRow | None:
        return self._row

    def text(self) -> str:
        """Everything shown, as rich text (for tests)."""
        return "\n".join(label.text() for label in (self._customer, self._follow_up, self._notes))

    def show_row(self, row: AgendaRow | None, now: dt.datetime | None) -> None:
        self._row = row
        self._open.setEnabled(row is not None)
        self._follow_up.setVisible(row is not None)
        self._notes.setVisible(row is not None)
        if row is None:
            self._customer.setText(
                "<p style='color: palette(mid);'>"
                + escape(_("Select a follow-up to see the customer and what it is about."))
                + "</p>"
            )
            self._follow_up.setText("")
            self._notes.setText("")
            return
        self._customer.setText(self._customer_html(row))
        self._follow_up.setText(self._follow_up_html(row, now))
        self._notes.setText(self._notes_html(row, now))

    @staticmethod
    def _customer_html(row: AgendaRow) -> str:
        badge = ""
        if row.segment is not None:
            badge = (
                f"<span style='background: {SEGMENT_COLOURS[row.segment]}; color: white; font-weight: 700;'>"
                f"&nbsp;{escape(row.segment.value)}&nbsp;</span>&nbsp;"
            )
        facts = [row.customer_code]
        if row.segment is not None:
            facts.append(row.segment.label)
        contact = []
        for number in (row.phone, row.mobile):
            if number:
                contact.append(f"☎ <a href='tel:{quote(number.replace(' ', ''))}'>{escape(number)}</a>")
        if row.email:
            contact.append(f"✉ <a href='mailto:{quote(row.email, safe='@.+-_')}'>{_breakable(row.email)}</a>")
        if row.address:
            contact.append(f"⌂ {escape(row.address)}")
        if not contact:
            missing = escape(_("No phone, e-mail or address on file."))
            contact.append(f"<span style='color: {OVERDUE_TEXT};'>{missing}</span>")
        return (
            f"<div style='font-size: 14px; font-weight: 600;'>{badge}{escape(row.customer_name)}</div>"
            f"<div style='color: palette(dark);'>{escape(' · '.join(facts))}</div>"
            f"<div style='margin-top: 4px;'>{'<br>'.join(contact)}</div>"
        )

    @staticmethod
    def _follow_up_html(row: AgendaRow, now: dt.datetime | None) -> str:
        start = (
            f"{format_date(row.scheduled_at, 'EEEE dd/MM/yyyy')} "
            f"{format_time(row.scheduled_at)}–{format_time(row.ends_at)}"
        )
        lines = [f"<b>{escape(kind_text(row))}</b> · {escape(row.purpose.label)}", escape(start)]
        if row.location:
            lines.append(escape(_("Place: {place}").format(place=row.location)))
        product = product_text(row)
        if product:
            lines.append(escape(_("Product: {product}").format(product=product)))
        if row.rep_name:
            lines.append(escape(_("Rep: {name}").format(name=row.rep_name)))
        return "<br>".join(lines)

    @staticmethod
    def _notes_html(row: AgendaRow, now: dt.datetime | None = None) -> str:
        state = escape(_("State: {state}").format(state=state_text(row)))
        if row.overdue:
            late = f"<br>{escape(lateness_text(row, now))}" if now is not None else ""
            state = f"<span style='color: {OVERDUE_TEXT}; font-weight: 600;'>{state}{late}</span>"
        parts = [state]
        if row.state is FollowUpState.CANCELLED and row.cancel_reason:
            parts.append(escape(_("Cancelled: {reason}").format(reason=row.cancel_reason)))
        if row.notes:
            heading = escape(_("Notes"))
            parts.append(f"<b>{heading}</b><br>{escape(row.notes)}")
        return "<br>".join(parts)

    def _on_open_clicked(self) -> None:
        if self._row is not None:
            self.open_customer_requested.emit(self._row.customer_id)
