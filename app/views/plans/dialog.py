"""The follow-up plans editor (Settings ▸ Follow-up plans…).

Left: the plans grouped by product category, one line per segment variant, with their state.
Right: the chosen plan's name, category, segment and its steps. Every rule — no steps, no
negative offset, one active plan per category and segment — is the service's; its messages
appear next to the field or the steps they concern, and the dialog keeps what was typed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, ngettext
from app.models import FollowUpPlan
from app.models.base import max_length
from app.models.enums import Segment
from app.services import undo
from app.services.followups import plans
from app.services.followups.plans import PlanRow, PlanStepInput
from app.services.permissions import Right
from app.views.dialogs import field_error_label
from app.views.events import SETTINGS, Change
from app.views.master_detail import ID_ROLE, MasterDetailDialog, muted
from app.views.pages.base import AppContext
from app.views.plans.steps_model import PURPOSE, PlanStepDelegate, PlanStepsTableModel, new_step
from app.views.rights import gate

VARIANT_LABELS = {
    None: N_("Standard"),
    Segment.A: N_("A customers"),
    Segment.B: N_("B customers"),
    Segment.C: N_("C customers"),
}
NO_SEGMENT_LABEL = N_("Every customer (standard)")
ALL_CATEGORIES_LABEL = N_("All categories")


def variant_label(segment: Segment | None) -> str:
    return _(VARIANT_LABELS[segment])


def category_label(name: str | None) -> str:
    return name or _(ALL_CATEGORIES_LABEL)


def plan_title(category_name: str | None, segment: Segment | None) -> str:
    """'Coffee machines – A customers'."""
    return _("{category} – {variant}").format(
        category=category_label(category_name), variant=variant_label(segment)
    )


class PlansDialog(MasterDetailDialog):
    """Create, edit, duplicate, switch on and off the follow-up plans."""

    ROWS_KEY = "steps"
    RIGHT = Right.PLANS

    def __init__(self, context: AppContext | None = None, parent: QWidget | None = None):
        super().__init__(context, parent, _("Follow-up plans"))
        self._categories: list[plans.CategoryRow] = []
        self._lay_out(self._build_list(), self._build_right(), (330, 770))
        self.setMinimumSize(920, 560)
        self.resize(1120, 660)
        self.reload()

    # --- building -----------------------------------------------------------------

    def _build_list(self) -> QWidget:
        self._records_tree("planTree", [_("Plan"), _("State")])

        self._new_button = QPushButton(_("New plan"))
        self._new_button.clicked.connect(self._on_new_button_clicked)
        self._duplicate_button = QPushButton(_("Duplicate as segment variant"))
        self._duplicate_button.setToolTip(
            _(
                "Copy the chosen plan for another customer segment, e.g. a visit for A customers where others get a call"
            )
        )
        self._duplicate_button.clicked.connect(self._on_duplicate_button_clicked)
        self._active_button = QPushButton(_("Deactivate"))
        self._active_button.clicked.connect(self._on_active_button_clicked)
        self._defaults_button = QPushButton(_("Install default plans"))
        self._defaults_button.setToolTip(
            _("A standard plan and an A-customer plan for every category that has none yet")
        )
        self._defaults_button.clicked.connect(self._on_defaults_button_clicked)

        buttons = QGridLayout()
        buttons.addWidget(self._new_button, 0, 0)
        buttons.addWidget(self._active_button, 0, 1)
        buttons.addWidget(self._duplicate_button, 1, 0, 1, 2)
        buttons.addWidget(self._defaults_button, 2, 0, 1, 2)

        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        caption = QLabel(_("Plans by product category"))
        caption.setStyleSheet("font-weight: 600;")
        column.addWidget(caption)
        column.addWidget(self._tree, 1)
        column.addLayout(buttons)
        holder.setMinimumWidth(280)
        return holder

    def _build_right(self) -> QWidget:
        self._right = QStackedWidget()
        self._right.addWidget(self._empty_state_page(_("Install default plans"), _("New plan")))
        self._right.addWidget(self._build_editor())
        return self._right

    def _build_editor(self) -> QWidget:
        self._heading = QLabel()
        self._heading.setTextFormat(Qt.TextFormat.PlainText)  # user text
        self._heading.setStyleSheet("font-size: 16px; font-weight: 600;")
        self._inactive_note = muted(QLabel(_("This plan is inactive: new sales do not use it.")))
        self._inactive_note.setStyleSheet("color: #8a5a00;")

        self._name = QLineEdit()
        self._name.setMaxLength(max_length(FollowUpPlan.name))
        self._name.setPlaceholderText(_("e.g. Coffee machines – standard"))
        self._category = QComboBox()
        self._segment = QComboBox()
        self._segment_values: list[Segment | None] = [None, *Segment]
        self._segment.addItem(_(NO_SEGMENT_LABEL))
        for segment in Segment:
            self._segment.addItem(segment.label)
        self._category_values: list[int | None] = []
        self._errors = {key: field_error_label(reserve=True) for key in ("name", "category_id", "segment")}

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, caption, widget, hint in (
            ("name", _("Name"), self._name, None),
            ("category_id", _("Product category"), self._category, None),
            (
                "segment",
                _("Customer segment"),
                self._segment,
                _("A segment variant replaces the standard plan for customers of that segment."),
            ),
        ):
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(widget)
            if hint:
                column.addWidget(muted(QLabel(hint)))
            column.addWidget(self._errors[key])
            label = QLabel(caption)
            label.setBuddy(widget)
            form.addRow(label, holder)

        self._rows_table(PlanStepsTableModel(self), "stepsTable")
        self._table.setItemDelegate(PlanStepDelegate(self._table))
        header = self._table.horizontalHeader()
        for column in range(self._rows_model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(PURPOSE, QHeaderView.ResizeMode.Stretch)
        page = self._editor_page(
            [self._heading, self._inactive_note],
            form,
            _("Steps"),
            _(
                "Each step counts days from the delivery or from the previous step; a date on a "
                "weekend or public holiday moves to the next working day. Double-click a cell to change it."
            ),
            (_("Add step"), _("Remove step")),
            _("Save plan"),
        )

        self._name.textEdited.connect(self._on_name_text_edited)
        self._category.currentIndexChanged.connect(self._on_header_changed)
        self._segment.currentIndexChanged.connect(self._on_header_changed)
        return page

    # --- loading --------------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        """Re-read plans and categories; keep the editor on `select_id` (default: the current plan)."""
        self._categories = plans.list_categories()
        self._records = {p.id: p for p in plans.list_plans()}
        self._fill_categories()
        self._fill_tree()
        self._show_first_or_empty(select_id)

    def _fill_categories(self) -> None:
        current = (
            self._category_values[self._category.currentIndex()]
            if self._category.currentIndex() >= 0
            else None
        )
        self._category.blockSignals(True)
        self._category.clear()
        self._category_values = [None]
        self._category.addItem(_("All categories (when a category has no plan of its own)"))
        for category in self._categories:
            self._category_values.append(category.id)
            self._category.addItem(category.name)
        self._category.setCurrentIndex(self._index_of(self._category_values, current))
        self._category.blockSignals(False)

    def _fill_tree(self) -> None:
        self._tree.blockSignals(True)
        self._tree.clear()
        groups: list[tuple[str | None, int | None]] = []
        if any(p.category_id is None for p in self._records.values()):
            groups.append((None, None))
        groups += [(c.name, c.id) for c in self._categories]
        for name, category_id in groups:
            group = self._add_group(category_label(name), category_id)
            members = [p for p in self._records.values() if p.category_id == category_id]
            for plan in members:
                count = len(plan.steps)
                tip = ngettext("{name} — {count} step", "{name} — {count} steps", count).format(
                    name=plan.name, count=count
                )
                texts = [variant_label(plan.segment), _("Active") if plan.active else _("Inactive")]
                self._add_record(group, texts, plan.id, tip, dimmed=not plan.active)
            if not members:
                self._add_hint(
                    group,
                    _("No plan yet"),
                    _(
                        "Sales of this category use the plan for all categories, if there is one. "
                        "Choose this line and press New plan to give it its own."
                    ),
                )
        self._tree.blockSignals(False)

    def _show_empty_state(self) -> None:
        super()._show_empty_state()
        if self._categories:
            text = _(
                "There are no follow-up plans yet. A plan says which calls and visits follow the "
                "delivery of a product category, so nobody is forgotten after a sale.\n\n"
                "Install the default plans for every category ({count}), or create your own."
            ).format(count=len(self._categories))
        else:
            text = _(
                "There are no follow-up plans yet, and no product categories to choose them for. "
                "Plans are chosen per product category: record products first, then install the "
                "default plans. You can also create a plan for all categories now."
            )
        self._empty_label.setText(text)
        gate(self._empty_defaults_button, self._refusal, enabled=bool(self._categories))

    def _load_record(self, plan: PlanRow) -> None:
        self._record_id = plan.id
        self._set_form(plan.name, plan.category_id, plan.segment, [s.to_input() for s in plan.steps])
        self._heading.setText(plan_title(plan.category_name, plan.segment))
        self._inactive_note.setVisible(not plan.active)
        self._saved_label.clear()

    def _start_new(
        self,
        category_id: int | None,
        segment: Segment | None,
        steps: list[PlanStepInput],
        heading: str,
    ) -> None:
        self._record_id = None
        self._select_in_tree(None)
        self._suggested_name = self._suggest_name(category_id, segment)
        self._set_form(self._suggested_name, category_id, segment, steps)
        self._heading.setText(heading)
        self._inactive_note.hide()
        self._saved_label.clear()
        self._update_buttons()
        self._name.setFocus()
        self._name.selectAll()

    def _set_form(
        self, name: str, category_id: int | None, segment: Segment | None, steps: list[PlanStepInput]
    ) -> None:
        for widget in (self._category, self._segment):
            widget.blockSignals(True)
        self._name.setText(name)
        self._category.setCurrentIndex(self._index_of(self._category_values, category_id))
        self._segment.setCurrentIndex(self._index_of(self._segment_values, segment))
        for widget in (self._category, self._segment):
            widget.blockSignals(False)
            gate(widget, self._refusal)
        self._name.setReadOnly(self._read_only)
        self._rows_model.set_steps(steps)
        self._start_editing()

    def _suggest_name(self, category_id: int | None, segment: Segment | None) -> str:
        name = next((c.name for c in self._categories if c.id == category_id), None)
        return plan_title(name, segment)[:120]

    # --- values -------------------------------------------------------------------------

    def values(self) -> tuple[str, int | None, Segment | None, list[PlanStepInput]]:
        """(name, category id, segment, steps) as the form holds them, not validated."""
        return (
            self._name.text(),
            self._category_values[self._category.currentIndex()] if self._category.count() else None,
            self._segment_values[self._segment.currentIndex()],
            self._rows_model.steps(),
        )

    @property
    def current_plan_id(self) -> int | None:
        """The plan in the editor; None for a new, unsaved plan or none at all."""
        return self._record_id

    @property
    def steps_model(self) -> PlanStepsTableModel:
        return self._rows_model

    @property
    def tree(self) -> QTreeWidget:
        return self._tree

    def field(self, key: str) -> QWidget:
        return {
            "name": self._name,
            "category_id": self._category,
            "segment": self._segment,
            "steps": self._table,
        }[key]

    def select_plan(self, plan_id: int) -> bool:
        """Show `plan_id` as if clicked in the list; False when the user kept editing."""
        return self._select_record(plan_id)

    def set_category(self, category_id: int | None) -> None:
        self._category.setCurrentIndex(self._index_of(self._category_values, category_id))

    def set_segment(self, segment: Segment | None) -> None:
        self._segment.setCurrentIndex(self._index_of(self._segment_values, segment))

    # --- saving -------------------------------------------------------------------------

    def unsaved_question(self) -> str:
        return _("The plan has changes that are not saved. Save them?")

    def changed_kinds(self) -> set[Change]:
        return {SETTINGS}

    def _undo_recorder(self) -> undo.Recorder | None:
        if self._record_id is None:
            return None
        return undo.for_plan(_("Edit follow-up plan"), self._record_id, self._acting_rep_id)

    def _write(self) -> tuple[int, str]:
        name, category_id, segment, steps = self.values()
        plan_id, recorder = self._record_id, self._recorder
        if plan_id is None:
            row = plans.create_plan(name, category_id, segment, steps, self._acting_rep_id)
        elif self._baseline is not None and (name, category_id, segment) == self._baseline[:3]:
            assert recorder is not None  # made by save() for an existing plan
            row = recorder.run(lambda: plans.update_plan_steps(plan_id, steps, self._acting_rep_id))
        else:
            assert recorder is not None
            row = recorder.run(
                lambda: plans.update_plan(plan_id, name, category_id, segment, steps, self._acting_rep_id)
            )
        return row.id, _("Plan saved.")

    # --- slots ----------------------------------------------------------------------------

    def _selected_category(self) -> int | None:
        """The category of the plan or group chosen in the list, else of the editor, else the first."""
        item = self._tree.currentItem()
        if item is not None:
            return item.data(1, ID_ROLE)
        if self._editing:
            return self.values()[1]
        return self._categories[0].id if self._categories else None

    def _free_segment(self, category_id: int | None, preferred: tuple[Segment | None, ...]) -> Segment | None:
        taken = {p.segment for p in self._records.values() if p.category_id == category_id and p.active}
        return next((s for s in preferred if s not in taken), preferred[0])

    def _on_new_button_clicked(self) -> None:
        if not self._resolve_unsaved():
            return
        category_id = self._selected_category()
        segment = self._free_segment(category_id, (None, *Segment))
        self._start_new(category_id, segment, [new_step()], _("New plan"))

    def _on_duplicate_button_clicked(self) -> None:
        if self._record_id is None or not self._resolve_unsaved():
            return
        plan = self._records[self._record_id]
        segment = self._free_segment(plan.category_id, tuple(Segment))
        self._start_new(
            plan.category_id,
            segment,
            [s.to_input() for s in plan.steps],
            _("New segment variant of {plan}").format(plan=plan_title(plan.category_name, plan.segment)),
        )

    def _on_active_button_clicked(self) -> None:
        if self._record_id is None or not self._resolve_unsaved():
            return
        plan = self._records.get(self._record_id)
        if plan is None:
            return
        if self._run_command(
            self._active_button.text(),
            lambda: plans.set_plan_active(plan.id, not plan.active, self._acting_rep_id),
        ):
            self.reload(plan.id)

    def _install_defaults(self) -> int:
        return plans.install_default_plans(self._acting_rep_id)

    def _defaults_outcome(self, created: int) -> tuple[str, str]:
        if created:
            text = ngettext(
                "{count} default plan was created.", "{count} default plans were created.", created
            ).format(count=created)
        elif not self._categories:
            text = _("No plans were created: there are no product categories yet.")
        else:
            text = _("No plans were created: every product category already has its default plans.")
        return _("Default plans"), text

    def _on_name_text_edited(self, _text: str) -> None:
        self._errors["name"].hide()
        self._update_buttons()

    def _on_header_changed(self) -> None:
        self._errors["category_id"].hide()
        self._errors["segment"].hide()
        if self._record_id is None and self._name.text() == self._suggested_name:
            _name, category_id, segment, _steps = self.values()
            self._suggested_name = self._suggest_name(category_id, segment)
            self._name.setText(self._suggested_name)
        self._update_buttons()

    # --- enabling -------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        plan = self._records.get(self._record_id) if self._record_id is not None else None
        gate(self._new_button, self._refusal)
        gate(self._duplicate_button, self._refusal, enabled=plan is not None)
        gate(self._active_button, self._refusal, enabled=plan is not None)
        self._active_button.setText(
            _("Activate") if plan is not None and not plan.active else _("Deactivate")
        )
        gate(self._defaults_button, self._refusal, enabled=bool(self._categories))
        dirty = self._is_dirty()
        gate(self._save_button, self._refusal)
        gate(self._revert_button, self._refusal, enabled=dirty or (self._editing and self._record_id is None))
        if dirty:
            self._saved_label.clear()
