"""The panel beside the cases list: the case, its proposals, its timeline and the allowed actions."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_datetime, format_money, ngettext
from app.markup import escape
from app.models.enums import ProposalAnswer
from app.services.cases import CaseAction, CaseDetail
from app.views.agenda.table_model import OVERDUE_TEXT
from app.views.cases.table_model import deadline_text
from app.views.rights import gate

ACCEPTED_COLOUR = "#2e7d32"
REJECTED_COLOUR = "#b00020"


class CaseDetailPanel(QFrame):
    """Everything about the selected case; a button for each action its stage allows."""

    action_requested = Signal(str)  # a CaseAction's code
    open_customer_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("caseDetail")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._detail: CaseDetail | None = None
        self._header = QLabel()
        self._header.setTextFormat(Qt.TextFormat.RichText)
        self._header.setWordWrap(True)
        self._buttons = QHBoxLayout()
        self._buttons.setContentsMargins(0, 0, 0, 0)
        self._buttons.addStretch(1)
        self._action_buttons: dict[CaseAction, QPushButton] = {}
        self._customer_button = QPushButton(_("Customer 360°"))
        self._customer_button.setToolTip(_("Everything about the customer (Ctrl+I)"))
        self._customer_button.clicked.connect(self._on_customer_button_clicked)
        self._body = QLabel()
        self._body.setTextFormat(Qt.TextFormat.RichText)
        self._body.setWordWrap(True)
        self._body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 6, 0)
        column.addWidget(self._body)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(holder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        top = QHBoxLayout()
        top.addWidget(self._header, 1)
        top.addWidget(self._customer_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        layout.addLayout(self._buttons)
        layout.addWidget(scroll, 1)
        self.show_case(None, [], dt.date.today())

    # --- for the page and tests -----------------------------------------------------------

    def detail(self) -> CaseDetail | None:
        return self._detail

    def action_buttons(self) -> dict[CaseAction, QPushButton]:
        return dict(self._action_buttons)

    def text(self) -> str:
        """Everything shown, as rich text (for tests)."""
        return self._header.text() + "\n" + self._body.text()

    def show_case(
        self,
        detail: CaseDetail | None,
        actions: list[CaseAction],
        today: dt.date,
        refusal: str | None = None,
    ) -> None:
        """`refusal`: why the person may not change this case; its steps are shown disabled, saying why
        (opening a warranty return for it stays: that creates a new record)."""
        self._detail = detail
        self._set_actions(actions if detail is not None else [], refusal)
        self._customer_button.setVisible(detail is not None)
        if detail is None:
            self._header.setText(
                "<p style='color: palette(mid);'>"
                + escape(_("Select a case to see its history and what can be done next."))
                + "</p>"
            )
            self._body.setText("")
            return
        self._header.setText(self._header_html(detail, today))
        self._body.setText(self._body_html(detail))

    def _set_actions(self, actions: list[CaseAction], refusal: str | None) -> None:
        for button in self._action_buttons.values():
            self._buttons.removeWidget(button)
            button.hide()
            button.setParent(None)  # gone at once, not at the next turn of the event loop
            button.deleteLater()
        self._action_buttons = {}
        for index, action in enumerate(actions):
            button = QPushButton(action.label)
            button.setObjectName(f"caseAction_{action.value}")
            button.clicked.connect(lambda _checked=False, code=action.value: self.action_requested.emit(code))
            self._action_buttons[action] = button
            self._buttons.insertWidget(index, button)
            if action is not CaseAction.OPEN_RETURN:
                gate(button, refusal)
        if actions and self._action_buttons[actions[0]].isEnabled():
            self._action_buttons[actions[0]].setDefault(True)

    # --- the texts ------------------------------------------------------------------------

    @staticmethod
    def _header_html(detail: CaseDetail, today: dt.date) -> str:
        row = detail.row
        title = _("{number} – {kind}").format(number=row.number, kind=row.kind.label)
        stage = _("Stage: {stage}").format(stage=row.stage.label)
        deadline = deadline_text(row, today)
        if row.overdue:
            deadline = f"<span style='color: {OVERDUE_TEXT}; font-weight: 600;'>{escape(deadline)}</span>"
        else:
            deadline = escape(deadline)
        days = ngettext("{count} day open", "{count} days open", row.days_open).format(count=row.days_open)
        days = days if row.is_open else ""
        facts = " · ".join(p for p in (escape(stage), deadline, escape(days)) if p)
        return (
            f"<div style='font-size: 15px; font-weight: 600;'>{escape(title)}</div>"
            f"<div>{escape(row.customer_name)} ({escape(row.customer_code)})</div>"
            f"<div style='margin-top: 2px;'>{facts}</div>"
        )

    def _body_html(self, detail: CaseDetail) -> str:
        row = detail.row
        parts: list[str] = []

        def fact(caption: str, value: str) -> str:
            return f"<tr><td style='color: palette(dark); padding-right: 8px;'>{escape(caption)}</td><td>{value}</td></tr>"

        facts = [
            fact(
                _("Received"),
                escape(
                    _("{date} by {channel}").format(
                        date=format_date(row.received_on), channel=row.channel.label.lower()
                    )
                ),
            ),
        ]
        if row.rep_name:
            facts.append(fact(_("Rep"), escape(row.rep_name)))
        if row.category is not None:
            facts.append(fact(_("Category"), escape(row.category.label)))
        if row.severity is not None:
            facts.append(fact(_("Severity"), escape(row.severity.label)))
        if detail.suggested_solution is not None and not detail.proposals:
            facts.append(fact(_("Suggested solution"), escape(detail.suggested_solution.label)))
        if detail.product_name:
            product = detail.product_name
            if detail.serial_number:
                product = _("{product} (serial {serial})").format(
                    product=product, serial=detail.serial_number
                )
            facts.append(fact(_("Product"), escape(product)))
        if detail.sale_number:
            facts.append(fact(_("Sale"), escape(detail.sale_number)))
        if detail.agreed_channel is not None:
            facts.append(fact(_("Agreed channel"), escape(detail.agreed_channel.label)))
        if row.first_answer_on is not None:
            facts.append(fact(_("First answer"), escape(format_date(row.first_answer_on))))
        if row.closed_on is not None:
            facts.append(fact(_("Closed"), escape(format_date(row.closed_on))))
        if detail.return_numbers:
            facts.append(fact(_("Warranty return"), escape(", ".join(detail.return_numbers))))
        parts.append(f"<table cellspacing='0' cellpadding='1'>{''.join(facts)}</table>")

        words = escape(_("Customer's words"))
        parts.append(f"<p><b>{words}</b><br><i>“{escape(row.customer_words)}”</i></p>")
        if detail.requested_compensation:
            heading = escape(_("Compensation asked"))
            parts.append(f"<p><b>{heading}</b><br>{escape(detail.requested_compensation)}</p>")
        if detail.proposals:
            parts.append(self._proposals_html(detail))
        if detail.mediation_body:
            heading = escape(_("External mediation"))
            lines = [
                escape(
                    _("{body}, reference {reference}, since {date}").format(
                        body=detail.mediation_body,
                        reference=detail.mediation_reference or "—",
                        date=format_date(detail.mediation_on),
                    )
                )
            ]
            if detail.mediation_outcome:
                lines.append(escape(_("Outcome: {outcome}").format(outcome=detail.mediation_outcome)))
            parts.append(f"<p><b>{heading}</b><br>{'<br>'.join(lines)}</p>")
        if detail.department:
            heading = escape(_("Department"))
            text = escape(detail.department)
            if detail.department_response:
                text += "<br>" + escape(_("Response: {response}").format(response=detail.department_response))
            parts.append(f"<p><b>{heading}</b><br>{text}</p>")
        if detail.follow_ups or detail.surveys:
            parts.append(self._satisfaction_html(detail))
        parts.append(self._timeline_html(detail))
        return "".join(parts)

    @staticmethod
    def _proposals_html(detail: CaseDetail) -> str:
        heading = escape(_("Proposals"))
        rows = []
        for proposal in detail.proposals:
            title = _("{round}. {solution}").format(
                round=proposal.round, solution=proposal.solution_type.label
            )
            if proposal.amount is not None:
                title += " · " + format_money(proposal.amount)
            colour = {ProposalAnswer.ACCEPTED: ACCEPTED_COLOUR, ProposalAnswer.REJECTED: REJECTED_COLOUR}.get(
                proposal.answer, OVERDUE_TEXT if proposal.answer is ProposalAnswer.PENDING else "black"
            )
            answer = proposal.answer.label
            if proposal.answered_on is not None:
                answer = _("{answer} on {date}").format(answer=answer, date=format_date(proposal.answered_on))
            channel = proposal.channel.label.lower() if proposal.channel is not None else ""
            when = _("{date} by {channel}").format(date=format_date(proposal.proposed_on), channel=channel)
            rows.append(
                f"<p style='margin: 2px 0 6px 0;'><b>{escape(title)}</b> — {escape(when)}<br>"
                f"{escape(proposal.detail)}<br>"
                f"<span style='color: {colour}; font-weight: 600;'>{escape(answer)}</span></p>"
            )
        return f"<p style='margin-bottom: 2px;'><b>{heading}</b></p>{''.join(rows)}"

    @staticmethod
    def _satisfaction_html(detail: CaseDetail) -> str:
        heading = escape(_("Follow-ups and surveys"))
        lines = []
        for follow_up in detail.follow_ups:
            lines.append(
                escape(
                    _("{purpose}: {date} ({state})").format(
                        purpose=follow_up.purpose.label,
                        date=format_datetime(follow_up.scheduled_at),
                        state=follow_up.state.label.lower(),
                    )
                )
            )
        for survey in detail.surveys:
            scores = []
            if survey.satisfaction is not None:
                scores.append(_("satisfaction {score}/5").format(score=survey.satisfaction))
            if survey.recommend is not None:
                scores.append(_("would recommend {score}/10").format(score=survey.recommend))
            lines.append(
                escape(
                    _("Survey of {date}: {scores}").format(
                        date=format_date(survey.taken_on), scores=", ".join(scores) or "—"
                    )
                )
            )
        return f"<p><b>{heading}</b><br>{'<br>'.join(lines)}</p>"

    @staticmethod
    def _timeline_html(detail: CaseDetail) -> str:
        heading = escape(_("History"))
        rows = []
        for change in detail.timeline:
            who = f" · {escape(change.rep_name)}" if change.rep_name else ""
            note = (
                f"<br><span style='color: palette(dark);'>{escape(change.note)}</span>" if change.note else ""
            )
            # An entry that stays in its stage is a note typed with a step (an answer, a counter-proposal).
            title = (
                _("Note ({stage})").format(stage=change.to_stage.label)
                if change.from_stage is change.to_stage
                else change.to_stage.label
            )
            rows.append(
                f"<tr><td style='padding-right: 8px; white-space: nowrap;' valign='top'>"
                f"{escape(format_datetime(change.changed_at))}</td>"
                f"<td><b>{escape(title)}</b>{who}{note}</td></tr>"
            )
        return f"<p style='margin-bottom: 2px;'><b>{heading}</b></p><table cellspacing='0' cellpadding='2'>{''.join(rows)}</table>"

    def _on_customer_button_clicked(self) -> None:
        if self._detail is not None:
            self.open_customer_requested.emit(self._detail.row.customer_id)
