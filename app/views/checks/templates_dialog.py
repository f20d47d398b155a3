"""The correct-use checklists editor (Settings ▸ Checklists…).

Left: the current checklists grouped by product category, a category's own first, then the
products that override it; "Show retired versions" adds the older versions, read-only. Right:
the chosen checklist's name, what it is for (a category or one product) and its items. Saving an
existing checklist writes a new version; checks already done keep the version they used.
Every rule is the service's; its messages appear next to the field or under the items.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QCheckBox,
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

from app.i18n import _, ngettext
from app.models import CheckTemplate
from app.models.base import max_length
from app.services import checks, sales
from app.services.checks import ItemInput, TemplateRow
from app.services.errors import NotFoundError
from app.services.followups import plans
from app.services.permissions import Right
from app.views import dialogs
from app.views.checks.templates_model import CRITICAL, GUIDANCE, QUESTION, TemplateItemsTableModel
from app.views.combos import filter_as_you_type
from app.views.dialogs import field_error_label
from app.views.events import CHECKS, Change
from app.views.master_detail import ID_ROLE, MasterDetailDialog, muted
from app.views.pages.base import AppContext
from app.views.rights import gate

CATEGORY, PRODUCT = 0, 1  # the scope combo's choices


def version_text(version: int) -> str:
    return _("version {number}").format(number=version)


class ChecklistTemplatesDialog(MasterDetailDialog):
    """Create, edit (as new versions), retire and install the correct-use checklists."""

    ROWS_KEY = "items"
    NEW_ROW_EDIT_COLUMN = QUESTION
    RIGHT = Right.CHECK_TEMPLATES

    def __init__(self, context: AppContext | None = None, parent: QWidget | None = None):
        super().__init__(context, parent, _("Correct-use checklists"))
        self._categories: list[plans.CategoryRow] = []
        self._products: list[sales.ProductRow] = []
        self._lay_out(self._build_list(), self._build_right(), (340, 800))
        self.setMinimumSize(940, 580)
        self.resize(1160, 700)
        self.reload()

    # --- building -----------------------------------------------------------------

    def _build_list(self) -> QWidget:
        self._records_tree("templateTree", [_("Checklist"), _("Version")])

        self._show_retired = QCheckBox(_("Show retired versions"))
        self._show_retired.toggled.connect(self._on_show_retired_toggled)
        self._new_button = QPushButton(_("New checklist"))
        self._new_button.clicked.connect(self._on_new_button_clicked)
        self._retire_button = QPushButton(_("Retire"))
        self._retire_button.setToolTip(_("No new checks use it; checks already done keep it"))
        self._retire_button.clicked.connect(self._on_retire_button_clicked)
        self._defaults_button = QPushButton(_("Install default checklists"))
        self._defaults_button.setToolTip(_("A checklist for every product category that has none yet"))
        self._defaults_button.clicked.connect(self._on_defaults_button_clicked)

        grid = QGridLayout()
        grid.addWidget(self._new_button, 0, 0)
        grid.addWidget(self._retire_button, 0, 1)
        grid.addWidget(self._defaults_button, 1, 0, 1, 2)

        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        caption = QLabel(_("Checklists by product category"))
        caption.setStyleSheet("font-weight: 600;")
        caption.setWordWrap(True)
        column.addWidget(caption)
        column.addWidget(self._tree, 1)
        column.addWidget(self._show_retired)
        column.addLayout(grid)
        holder.setMinimumWidth(290)
        return holder

    def _build_right(self) -> QWidget:
        self._right = QStackedWidget()
        self._right.addWidget(self._empty_state_page(_("Install default checklists"), _("New checklist")))
        self._right.addWidget(self._build_editor())
        return self._right

    def _build_editor(self) -> QWidget:
        self._heading = QLabel()
        self._heading.setTextFormat(Qt.TextFormat.PlainText)  # user text
        self._heading.setStyleSheet("font-size: 16px; font-weight: 600;")
        self._heading.setWordWrap(True)
        self._retired_note = QLabel(
            _(
                "This version is retired and read-only: checks done with it keep it. Edit the current version instead."
            )
        )
        self._retired_note.setWordWrap(True)
        self._retired_note.setStyleSheet("color: #8a5a00;")

        self._name = QLineEdit()
        self._name.setMaxLength(max_length(CheckTemplate.name))
        self._name.setPlaceholderText(_("e.g. Correct use: coffee machines"))
        self._scope = QComboBox()
        self._scope.addItem(_("A product category"))
        self._scope.addItem(_("One product (replaces its category's checklist)"))
        self._category = QComboBox()
        self._product = filter_as_you_type(QComboBox())
        self._category_values: list[int | None] = []
        self._product_values: list[int | None] = []
        self._errors = {key: field_error_label(reserve=True) for key in ("name", "category_id", "product_id")}

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._category_caption = QLabel(_("Product category"))
        self._product_caption = QLabel(_("Product"))
        for key, label, widget in (
            ("name", QLabel(_("Name")), self._name),
            (None, QLabel(_("For")), self._scope),
            ("category_id", self._category_caption, self._category),
            ("product_id", self._product_caption, self._product),
        ):
            holder = QWidget()
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            box.addWidget(widget)
            if key:
                box.addWidget(self._errors[key])
            label.setBuddy(widget)
            form.addRow(label, holder)
            if key == "category_id":
                self._category_row = holder
            elif key == "product_id":
                self._product_row = holder

        self._rows_table(TemplateItemsTableModel(self), "itemsTable")
        self._table.setWordWrap(True)
        self._table.verticalHeader().setDefaultSectionSize(28)
        # Long questions wrap instead of being cut: each row is as tall as its text.
        self._table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self._table.horizontalHeader()
        header.setSectionResizeMode(QUESTION, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(GUIDANCE, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(CRITICAL, QHeaderView.ResizeMode.ResizeToContents)
        bold = QFont(header.font())
        bold.setBold(True)
        title = self._rows_model.headerData(GUIDANCE, Qt.Orientation.Horizontal)
        header.resizeSection(GUIDANCE, max(200, QFontMetrics(bold).horizontalAdvance(title) + 24))
        # Rows follow the Question column's width, once the layout (and a scroll bar) has settled.
        header.sectionResized.connect(lambda *args: QTimer.singleShot(0, self._fit_rows))
        self._version_label = muted(QLabel())
        self._version_label.setObjectName("versionLabel")
        page = self._editor_page(
            [self._heading, self._retired_note],
            form,
            _("Items"),
            _(
                "The rep answers each item OK, Not OK or Not applicable with the customer. A critical "
                "item answered Not OK fails the check. Double-click a cell to change it."
            ),
            (_("Add item"), _("Remove item")),
            _("Save checklist"),
            [self._version_label],
        )

        self._name.textEdited.connect(self._on_name_text_edited)
        self._scope.currentIndexChanged.connect(self._on_scope_changed)
        self._category.currentIndexChanged.connect(self._on_target_changed)
        self._product.currentIndexChanged.connect(self._on_target_changed)
        return page

    def _fit_rows(self) -> None:
        if self._table.isVisible():
            self._table.resizeRowsToContents()

    # --- loading --------------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        """Re-read checklists, categories and products; keep the editor on `select_id`."""
        self._categories = plans.list_categories()
        self._products = sales.list_products(active_only=False)
        rows = checks.list_templates(include_old_versions=self._show_retired.isChecked())
        self._records = {t.id: t for t in rows}
        self._fill_combos()
        self._fill_tree()
        target = select_id if select_id is not None else self._record_id
        if target is not None and target not in self._records:
            try:
                self._records[target] = checks.get_template(target)
            except NotFoundError:  # gone: show something else
                target = None
        self._show_first_or_empty(target)

    def _fill_combos(self) -> None:
        for combo, values, entries in (
            (self._category, self._category_values, [(c.id, c.name) for c in self._categories]),
            (
                self._product,
                self._product_values,
                [(p.id, f"{p.name} ({p.sku})" if p.sku else p.name) for p in self._products],
            ),
        ):
            current = values[combo.currentIndex()] if 0 <= combo.currentIndex() < len(values) else None
            combo.blockSignals(True)
            combo.clear()
            values.clear()
            for value, text in entries:
                values.append(value)
                combo.addItem(text)
            combo.setCurrentIndex(self._index_of(values, current))
            combo.blockSignals(False)

    def _fill_tree(self) -> None:
        self._tree.blockSignals(True)
        self._tree.clear()
        groups: list[tuple[int | None, str]] = [(c.id, c.name) for c in self._categories]
        if any(t.category_id is None for t in self._records.values()):
            groups.append((None, _("Without category")))
        for category_id, name in groups:
            group = self._add_group(name, category_id)
            members = [t for t in self._records.values() if t.category_id == category_id]
            members.sort(
                key=lambda t: (t.product_id is not None, t.product_name.casefold(), t.family, t.version)
            )
            for template in members:
                text = template.name
                if template.product_id is not None:
                    text = _("{product}: {name}").format(product=template.product_name, name=template.name)
                version = version_text(template.version)
                if not template.active:
                    version = _("{version}, retired").format(version=version)
                count = len(template.items)
                tip = ngettext("{name} — {count} item", "{name} — {count} items", count).format(
                    name=template.name, count=count
                )
                self._add_record(group, [text, version], template.id, tip, dimmed=not template.active)
            if not members:
                self._add_hint(
                    group,
                    _("No checklist yet"),
                    _("Choose this line and press New checklist to give the category one."),
                )
        self._tree.blockSignals(False)

    def _show_empty_state(self) -> None:
        super()._show_empty_state()
        if self._categories:
            text = _(
                "There are no correct-use checklists yet. A checklist lists what the rep verifies with "
                "the customer after delivery, item by item.\n\n"
                "Install the default checklists for every category ({count}), or create your own."
            ).format(count=len(self._categories))
        else:
            text = _(
                "There are no correct-use checklists yet, and no product categories to make them for. "
                "Record products first, then install the default checklists."
            )
        self._empty_label.setText(text)
        gate(self._empty_defaults_button, self._refusal, enabled=bool(self._categories))
        gate(self._empty_new_button, self._refusal, enabled=bool(self._categories or self._products))

    def _load_record(self, template: TemplateRow) -> None:
        self._record_id = template.id
        scope = PRODUCT if template.product_id is not None else CATEGORY
        self._set_form(
            template.name,
            scope,
            template.category_id,
            template.product_id,
            [i.to_input() for i in template.items],
            read_only=not template.active,
        )
        self._heading.setText(template.applies_to or template.name)
        self._retired_note.setVisible(not template.active)
        if template.active and self._refusal is None:
            self._version_label.setText(
                _(
                    "This is version {number}. Saving creates version {next}; checks already done keep their version."
                ).format(number=template.version, next=template.version + 1)
            )
        else:
            self._version_label.setText(version_text(template.version).capitalize())
        self._saved_label.clear()

    def _start_new(self, category_id: int | None) -> None:
        self._record_id = None
        self._select_in_tree(None)
        if category_id is None and self._categories:
            category_id = self._categories[0].id
        self._suggested_name = self._suggest_name(CATEGORY, category_id)
        self._set_form(self._suggested_name, CATEGORY, category_id, None, [ItemInput("")], read_only=False)
        self._heading.setText(_("New checklist"))
        self._retired_note.hide()
        self._version_label.setText(_("Saving creates version 1."))
        self._saved_label.clear()
        self._update_buttons()
        self._name.setFocus()
        self._name.selectAll()

    def _set_form(self, name, scope, category_id, product_id, items, read_only: bool) -> None:
        existing = self._record_id is not None
        read_only = read_only or self._refusal is not None
        for widget in (self._scope, self._category, self._product):
            widget.blockSignals(True)
        self._name.setText(name)
        self._scope.setCurrentIndex(scope)
        self._category.setCurrentIndex(self._index_of(self._category_values, category_id))
        self._product.setCurrentIndex(self._index_of(self._product_values, product_id))
        for widget in (self._scope, self._category, self._product):
            widget.blockSignals(False)
        # A checklist keeps what it is for: a new version changes only its name and items.
        for widget in (self._scope, self._category, self._product):
            gate(widget, self._refusal, enabled=not existing)
        self._name.setReadOnly(read_only)
        self._show_scope(scope)
        self._rows_model.set_items(items, read_only=read_only)
        self._read_only = read_only
        self._start_editing()

    def _show_scope(self, scope: int) -> None:
        for widget in (self._category_caption, self._category_row):
            widget.setVisible(scope == CATEGORY)
        for widget in (self._product_caption, self._product_row):
            widget.setVisible(scope == PRODUCT)

    def _suggest_name(self, scope: int, target_id: int | None) -> str:
        if scope == PRODUCT:
            name = next((p.name for p in self._products if p.id == target_id), "")
        else:
            name = next((c.name for c in self._categories if c.id == target_id), "").lower()
        return _("Correct use: {category}").format(category=name)[: checks.MAX_NAME] if name else ""

    # --- values -------------------------------------------------------------------------

    def values(self) -> tuple[str, int | None, int | None, list[ItemInput]]:
        """(name, category id, product id, items) as the form holds them; one of the ids is None."""
        scope = self._scope.currentIndex()
        category = self._category.currentIndex()
        product = self._product.currentIndex()
        category_id = self._category_values[category] if scope == CATEGORY and category >= 0 else None
        product_id = self._product_values[product] if scope == PRODUCT and product >= 0 else None
        return self._name.text(), category_id, product_id, self._rows_model.items()

    @property
    def current_template_id(self) -> int | None:
        return self._record_id

    @property
    def items_model(self) -> TemplateItemsTableModel:
        return self._rows_model

    @property
    def tree(self) -> QTreeWidget:
        return self._tree

    @property
    def show_retired_toggle(self) -> QCheckBox:
        return self._show_retired

    @property
    def version_label(self) -> QLabel:
        return self._version_label

    def field(self, key: str) -> QWidget:
        return {
            "name": self._name,
            "scope": self._scope,
            "category_id": self._category,
            "product_id": self._product,
            "items": self._table,
        }[key]

    def select_template(self, template_id: int) -> bool:
        """Show `template_id` as if clicked in the list; False when the user kept editing."""
        return self._select_record(template_id)

    def set_scope(self, scope: int, target_id: int) -> None:
        """Choose a category (CATEGORY) or a product (PRODUCT) for a new checklist."""
        self._scope.setCurrentIndex(scope)
        if scope == CATEGORY:
            self._category.setCurrentIndex(self._index_of(self._category_values, target_id))
        else:
            self._product.setCurrentIndex(self._index_of(self._product_values, target_id))

    def new_checklist(self) -> None:
        self._on_new_button_clicked()

    def add_item(self) -> None:
        self._add_row()

    def retire(self) -> None:
        self._on_retire_button_clicked()

    def install_defaults(self) -> None:
        self._on_defaults_button_clicked()

    # --- saving -------------------------------------------------------------------------

    def unsaved_question(self) -> str:
        return _("The checklist has changes that are not saved. Save them?")

    def changed_kinds(self) -> set[Change]:
        return {CHECKS}

    def _error_key(self, key: str) -> str:
        if key == "category_id" and self._scope.currentIndex() == PRODUCT:
            return "product_id"  # "there is already a checklist for it" concerns the product chosen
        return key

    def _write(self) -> tuple[int, str]:
        name, category_id, product_id, items = self.values()
        if self._record_id is None:
            new_id = checks.create_template(
                name, items, category_id=category_id, product_id=product_id, acting_rep_id=self._acting_rep_id
            )
            return new_id, _("Checklist saved as version 1.")
        new_id = checks.update_template(self._record_id, name, items, self._acting_rep_id)
        return new_id, _("Saved as version {number}.").format(number=checks.get_template(new_id).version)

    # --- slots ----------------------------------------------------------------------------

    def _on_show_retired_toggled(self, _checked: bool) -> None:
        template_id = self._record_id
        current = self._records.get(template_id) if template_id is not None else None
        if current is not None and not current.active and not self._show_retired.isChecked():
            self._record_id = None  # the retired version shown leaves the list
        self.reload()

    def _on_new_button_clicked(self) -> None:
        if not self._resolve_unsaved():
            return
        item = self._tree.currentItem()
        self._start_new(item.data(1, ID_ROLE) if item is not None else None)

    def _on_retire_button_clicked(self) -> None:
        template = self._records.get(self._record_id) if self._record_id is not None else None
        if template is None or not template.active or not self._resolve_unsaved():
            return
        question = _(
            "Retire the checklist \u201c{name}\u201d? New checks of {target} will use its category's checklist, "
            "if there is one; checks already done keep their version. This cannot be undone."
        ).format(name=template.name, target=template.applies_to)
        if not dialogs.confirm(self, question, _("Retire checklist")):
            return
        if not self._run_command(
            _("Retire checklist"), lambda: checks.retire_template(template.id, self._acting_rep_id)
        ):
            return
        self._record_id = None
        self._editing = False
        self.reload()
        self._saved_label.setText(_("Checklist retired."))

    def _install_defaults(self) -> int:
        return checks.install_default_templates(acting_rep_id=self._acting_rep_id)

    def _defaults_outcome(self, created: int) -> tuple[str, str]:
        if created:
            text = ngettext(
                "{count} default checklist was created.", "{count} default checklists were created.", created
            ).format(count=created)
        elif not self._categories:
            text = _("No checklists were created: there are no product categories yet.")
        else:
            text = _("No checklists were created: every product category already has one.")
        return _("Default checklists"), text

    def _on_name_text_edited(self, _text: str) -> None:
        self._errors["name"].hide()
        self._update_buttons()

    def _on_scope_changed(self, scope: int) -> None:
        self._show_scope(scope)
        self._on_target_changed()

    def _on_target_changed(self, *args) -> None:
        self._errors["category_id"].hide()
        self._errors["product_id"].hide()
        if self._record_id is None and self._editing and self._name.text() == self._suggested_name:
            _name, category_id, product_id, _items = self.values()
            scope = self._scope.currentIndex()
            self._suggested_name = self._suggest_name(scope, product_id if scope == PRODUCT else category_id)
            self._name.setText(self._suggested_name)
        self._update_buttons()

    # --- enabling -------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        template = self._records.get(self._record_id) if self._record_id is not None else None
        gate(self._retire_button, self._refusal, enabled=template is not None and template.active)
        gate(self._defaults_button, self._refusal, enabled=bool(self._categories))
        gate(self._new_button, self._refusal, enabled=bool(self._categories or self._products))
        dirty = self._is_dirty()
        gate(self._save_button, self._refusal, enabled=self._editing)
        gate(self._revert_button, self._refusal, enabled=dirty or (self._editing and self._record_id is None))
        if dirty:
            self._saved_label.clear()


__all__ = ["CRITICAL", "ChecklistTemplatesDialog"]
