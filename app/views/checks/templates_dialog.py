"""The correct-use checklists editor (Settings ▸ Checklists…).

Left: the current checklists grouped by product category, a category's own first, then the
products that override it; "Show retired versions" adds the older versions, read-only. Right:
the chosen checklist's name, what it is for (a category or one product) and its items. Saving an
existing checklist writes a new version; checks already done keep the version they used.
Every rule is the service's; its messages appear next to the field or under the items.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QFont, QFontMetrics, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.services import checks, plans, sales
from app.services.checks import ItemInput, TemplateRow
from app.services.errors import ValidationError
from app.views import dialogs
from app.views.checks.templates_model import CRITICAL, GUIDANCE, QUESTION, TemplateItemsTableModel
from app.views.dialogs import BaseDialog, field_error_label
from app.views.errors import show_error
from app.views.events import CHECKS, notify_changed
from app.views.pages.base import AppContext, empty_state_label

TEMPLATE_ID_ROLE = Qt.ItemDataRole.UserRole
CATEGORY, PRODUCT = 0, 1  # the scope combo's choices


class Unsaved(StrEnum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def ask_unsaved_changes(parent: QWidget | None) -> Unsaved:
    """Save, discard or keep editing the checklist's changes (tests replace this)."""
    answer = QMessageBox.question(
        parent,
        _("Unsaved changes"),
        _("The checklist has changes that are not saved. Save them?"),
        QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Save,
    )
    if answer == QMessageBox.StandardButton.Save:
        return Unsaved.SAVE
    if answer == QMessageBox.StandardButton.Discard:
        return Unsaved.DISCARD
    return Unsaved.CANCEL


def inform(parent: QWidget | None, title: str, text: str) -> None:
    """An information box (tests replace this)."""
    QMessageBox.information(parent, title, text)


def _muted(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(mid);")
    return label


def version_text(version: int) -> str:
    return _("version {number}").format(number=version)


class ChecklistTemplatesDialog(BaseDialog):
    """Create, edit (as new versions), retire and install the correct-use checklists."""

    def __init__(self, context: AppContext | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Correct-use checklists"))
        rep = context.current_rep if context is not None else None
        self._acting_rep_id = rep.id if rep is not None else None
        self._templates: dict[int, TemplateRow] = {}
        self._categories: list[plans.CategoryRow] = []
        self._products: list[sales.ProductRow] = []
        self._template_id: int | None = None  # in the editor; None: a new one (or none shown)
        self._editing = False
        self._baseline: tuple | None = None
        self._changed = False
        self._suggested_name = ""
        self._read_only = False

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_list())
        splitter.addWidget(self._build_right())
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([340, 800])

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.setMinimumSize(940, 580)
        self.resize(1160, 700)
        self.reload()

    # --- building -----------------------------------------------------------------

    def _build_list(self) -> QWidget:
        self._tree = QTreeWidget()
        self._tree.setObjectName("templateTree")
        self._tree.setColumnCount(2)
        self._tree.setHeaderLabels([_("Checklist"), _("Version")])
        self._tree.setRootIsDecorated(False)
        self._tree.setIndentation(14)
        self._tree.setUniformRowHeights(True)
        self._tree.setStyleSheet("QTreeWidget::item { padding: 3px 0px; }")
        header = self._tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self._tree.currentItemChanged.connect(self._on_tree_current_item_changed)

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
        page = QWidget()
        column = QVBoxLayout(page)
        column.addStretch(1)
        self._empty_label = empty_state_label("")
        column.addWidget(self._empty_label)
        row = QHBoxLayout()
        row.addStretch(1)
        self._empty_defaults_button = QPushButton(_("Install default checklists"))
        self._empty_defaults_button.clicked.connect(self._on_defaults_button_clicked)
        self._empty_new_button = QPushButton(_("New checklist"))
        self._empty_new_button.clicked.connect(self._on_new_button_clicked)
        row.addWidget(self._empty_defaults_button)
        row.addWidget(self._empty_new_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addStretch(2)
        self._right.addWidget(page)
        self._right.addWidget(self._build_editor())
        return self._right

    def _build_editor(self) -> QWidget:
        self._heading = QLabel()
        self._heading.setStyleSheet("font-size: 16px; font-weight: 600;")
        self._heading.setWordWrap(True)
        self._retired_note = QLabel(
            _("This version is retired and read-only: checks done with it keep it. Edit the current version instead.")
        )
        self._retired_note.setWordWrap(True)
        self._retired_note.setStyleSheet("color: #8a5a00;")

        self._name = QLineEdit()
        self._name.setMaxLength(checks.MAX_NAME)
        self._name.setPlaceholderText(_("e.g. Correct use: coffee machines"))
        self._scope = QComboBox()
        self._scope.addItem(_("A product category"))
        self._scope.addItem(_("One product (replaces its category's checklist)"))
        self._category = QComboBox()
        self._product = QComboBox()
        self._category_values: list[int | None] = []
        self._product_values: list[int | None] = []
        self._errors = {key: field_error_label() for key in ("name", "category_id", "product_id")}

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

        self._items_model = TemplateItemsTableModel(self)
        self._table = QTableView()
        self._table.setObjectName("itemsTable")
        self._table.setModel(self._items_model)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self._table.setAlternatingRowColors(True)
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
        title = self._items_model.headerData(GUIDANCE, Qt.Orientation.Horizontal)
        header.resizeSection(GUIDANCE, max(200, QFontMetrics(bold).horizontalAdvance(title) + 24))
        # Rows follow the Question column's width, once the layout (and a scroll bar) has settled.
        header.sectionResized.connect(lambda *args: QTimer.singleShot(0, self._fit_rows))
        self._table.selectionModel().currentRowChanged.connect(self._update_item_buttons)
        for signal in (self._items_model.rowsInserted, self._items_model.rowsRemoved, self._items_model.modelReset,
                       self._items_model.rowsMoved, self._items_model.dataChanged):
            signal.connect(self._update_item_buttons)

        self._add_button = QPushButton(_("Add item"))
        self._add_button.clicked.connect(self._on_add_button_clicked)
        self._remove_button = QPushButton(_("Remove item"))
        self._remove_button.clicked.connect(self._on_remove_button_clicked)
        self._up_button = QPushButton(_("Move up"))
        self._up_button.clicked.connect(lambda: self._move_item(-1))
        self._down_button = QPushButton(_("Move down"))
        self._down_button.clicked.connect(lambda: self._move_item(1))
        item_buttons = QVBoxLayout()
        for button in (self._add_button, self._remove_button, self._up_button, self._down_button):
            item_buttons.addWidget(button)
        item_buttons.addStretch(1)
        table_row = QHBoxLayout()
        table_row.addWidget(self._table, 1)
        table_row.addLayout(item_buttons)

        items_caption = QLabel(_("Items"))
        items_caption.setStyleSheet("font-weight: 600;")
        items_hint = _muted(
            QLabel(
                _(
                    "The rep answers each item OK, Not OK or Not applicable with the customer. A critical "
                    "item answered Not OK fails the check. Double-click a cell to change it."
                )
            )
        )
        self._items_error = field_error_label()
        self._items_error.setObjectName("itemsError")
        self._general_error = field_error_label()
        self._version_label = _muted(QLabel())
        self._version_label.setObjectName("versionLabel")
        self._saved_label = _muted(QLabel())

        self._revert_button = QPushButton(_("Discard changes"))
        self._revert_button.clicked.connect(self._on_revert_button_clicked)
        self._save_button = QPushButton(_("Save checklist"))
        self._save_button.setDefault(True)
        self._save_button.clicked.connect(self.save)
        save_row = QHBoxLayout()
        save_row.addWidget(self._saved_label, 1)
        save_row.addWidget(self._revert_button)
        save_row.addWidget(self._save_button)

        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(8, 0, 0, 0)
        column.addWidget(self._heading)
        column.addWidget(self._retired_note)
        column.addLayout(form)
        column.addSpacing(6)
        column.addWidget(items_caption)
        column.addWidget(items_hint)
        column.addLayout(table_row, 1)
        column.addWidget(self._items_error)
        column.addWidget(self._general_error)
        column.addWidget(self._version_label)
        column.addLayout(save_row)

        self._name.textEdited.connect(self._on_name_text_edited)
        self._scope.currentIndexChanged.connect(self._on_scope_changed)
        self._category.currentIndexChanged.connect(self._on_target_changed)
        self._product.currentIndexChanged.connect(self._on_target_changed)
        return page

    def _fit_rows(self) -> None:
        if self._table.isVisible():
            self._table.resizeRowsToContents()

    # --- loading --------------------------------------------------------------------

    def reload(self, select_template_id: int | None = None) -> None:
        """Re-read checklists, categories and products; keep the editor on `select_template_id`."""
        self._categories = plans.list_categories()
        self._products = sales.list_products(active_only=False)
        rows = checks.list_templates(include_old_versions=self._show_retired.isChecked())
        self._templates = {t.id: t for t in rows}
        self._fill_combos()
        self._fill_tree()
        target = select_template_id if select_template_id is not None else self._template_id
        if target is not None and target not in self._templates:
            try:
                self._templates[target] = checks.get_template(target)
            except Exception:  # noqa: BLE001 (gone: show something else)
                target = None
        if target is not None:
            self._select_in_tree(target)
            self._load_template(self._templates[target])
        elif self._editing and self._template_id is None:
            pass  # a new checklist being written stays
        elif order := self._ids_in_tree_order():
            self._select_in_tree(order[0])
            self._load_template(self._templates[order[0]])
        else:
            self._show_empty_state()
        self._update_buttons()

    def _fill_combos(self) -> None:
        for combo, values, entries in (
            (self._category, self._category_values, [(c.id, c.name) for c in self._categories]),
            (self._product, self._product_values,
             [(p.id, f"{p.name} ({p.sku})" if p.sku else p.name) for p in self._products]),
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
        muted = QGuiApplication.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)
        groups: list[tuple[int | None, str]] = [(c.id, c.name) for c in self._categories]
        if any(t.category_id is None for t in self._templates.values()):
            groups.append((None, _("Without category")))
        for category_id, name in groups:
            group = QTreeWidgetItem([name, ""])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = QFont(group.font(0))
            font.setBold(True)
            group.setFont(0, font)
            group.setData(1, TEMPLATE_ID_ROLE, category_id)
            self._tree.addTopLevelItem(group)
            group.setFirstColumnSpanned(True)
            members = [t for t in self._templates.values() if t.category_id == category_id]
            members.sort(key=lambda t: (t.product_id is not None, t.product_name.casefold(), t.family, t.version))
            for template in members:
                text = template.name
                if template.product_id is not None:
                    text = _("{product}: {name}").format(product=template.product_name, name=template.name)
                version = version_text(template.version)
                if not template.active:
                    version = _("{version}, retired").format(version=version)
                item = QTreeWidgetItem([text, version])
                item.setData(0, TEMPLATE_ID_ROLE, template.id)
                item.setData(1, TEMPLATE_ID_ROLE, category_id)
                count = len(template.items)
                tip = ngettext("{name} — {count} item", "{name} — {count} items", count).format(
                    name=template.name, count=count
                )
                item.setToolTip(0, tip)
                if not template.active:
                    italic = QFont(item.font(0))
                    italic.setItalic(True)
                    for column in (0, 1):
                        item.setForeground(column, QBrush(muted))
                        item.setFont(column, italic)
                group.addChild(item)
            if not members:
                hint = QTreeWidgetItem([_("No checklist yet"), ""])
                hint.setFlags(Qt.ItemFlag.ItemIsEnabled)
                hint.setForeground(0, QBrush(muted))
                hint.setData(1, TEMPLATE_ID_ROLE, category_id)
                italic = QFont(hint.font(0))
                italic.setItalic(True)
                hint.setFont(0, italic)
                hint.setToolTip(0, _("Choose this line and press New checklist to give the category one."))
                group.addChild(hint)
                hint.setFirstColumnSpanned(True)
            group.setExpanded(True)
        self._tree.blockSignals(False)

    def _ids_in_tree_order(self) -> list[int]:
        ids = []
        for top in range(self._tree.topLevelItemCount()):
            group = self._tree.topLevelItem(top)
            for child in range(group.childCount()):
                template_id = group.child(child).data(0, TEMPLATE_ID_ROLE)
                if template_id is not None:
                    ids.append(template_id)
        return ids

    def _tree_item_of(self, template_id: int) -> QTreeWidgetItem | None:
        for top in range(self._tree.topLevelItemCount()):
            group = self._tree.topLevelItem(top)
            for child in range(group.childCount()):
                if group.child(child).data(0, TEMPLATE_ID_ROLE) == template_id:
                    return group.child(child)
        return None

    def _select_in_tree(self, template_id: int | None) -> None:
        self._tree.blockSignals(True)
        item = self._tree_item_of(template_id) if template_id is not None else None
        if item is None:
            self._tree.setCurrentItem(None)
            self._tree.clearSelection()
        else:
            self._tree.setCurrentItem(
                item, 0, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )
            self._tree.scrollToItem(item)
        self._tree.blockSignals(False)

    def _show_empty_state(self) -> None:
        self._template_id, self._editing, self._baseline = None, False, None
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
        self._empty_defaults_button.setEnabled(bool(self._categories))
        self._empty_new_button.setEnabled(bool(self._categories or self._products))
        self._right.setCurrentIndex(0)

    def _load_template(self, template: TemplateRow) -> None:
        self._template_id = template.id
        scope = PRODUCT if template.product_id is not None else CATEGORY
        self._set_form(template.name, scope, template.category_id, template.product_id,
                       [i.to_input() for i in template.items], read_only=not template.active)
        self._heading.setText(template.applies_to or template.name)
        self._retired_note.setVisible(not template.active)
        if template.active:
            self._version_label.setText(
                _("This is version {number}. Saving creates version {next}; checks already done keep their version.")
                .format(number=template.version, next=template.version + 1)
            )
        else:
            self._version_label.setText(version_text(template.version).capitalize())
        self._saved_label.clear()

    def _start_new(self, category_id: int | None) -> None:
        self._template_id = None
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
        existing = self._template_id is not None
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
            widget.setEnabled(not existing)
        self._name.setReadOnly(read_only)
        self._show_scope(scope)
        self._items_model.set_items(items, read_only=read_only)
        self._read_only = read_only
        self._clear_errors()
        self._editing = not read_only
        self._baseline = self._snapshot()
        self._right.setCurrentIndex(1)
        if items:
            self._table.selectRow(0)
        self._update_item_buttons()

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

    @staticmethod
    def _index_of(values: list, value) -> int:
        try:
            return values.index(value)
        except ValueError:
            return 0 if values else -1

    # --- values -------------------------------------------------------------------------

    def values(self) -> tuple[str, int | None, int | None, list[ItemInput]]:
        """(name, category id, product id, items) as the form holds them; one of the ids is None."""
        scope = self._scope.currentIndex()
        category = self._category.currentIndex()
        product = self._product.currentIndex()
        category_id = self._category_values[category] if scope == CATEGORY and category >= 0 else None
        product_id = self._product_values[product] if scope == PRODUCT and product >= 0 else None
        return self._name.text(), category_id, product_id, self._items_model.items()

    def _snapshot(self) -> tuple:
        name, category_id, product_id, items = self.values()
        return (name, category_id, product_id, tuple(items))

    def has_unsaved_changes(self) -> bool:
        if not self._editing:
            return False
        self._commit_editor()
        return self._snapshot() != self._baseline

    @property
    def current_template_id(self) -> int | None:
        return self._template_id

    @property
    def items_model(self) -> TemplateItemsTableModel:
        return self._items_model

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
        return {"name": self._name, "scope": self._scope, "category_id": self._category,
                "product_id": self._product, "items": self._table}[key]

    def error_text(self, key: str) -> str:
        """The message shown for `name`, `category_id`, `product_id`, `items` or `general`; '' if none."""
        label = {"items": self._items_error, "general": self._general_error}.get(key) or self._errors[key]
        return label.text() if not label.isHidden() else ""

    def select_template(self, template_id: int) -> bool:
        """Show `template_id` as if clicked in the list; False when the user kept editing."""
        item = self._tree_item_of(template_id)
        if item is None:
            return False
        self._tree.setCurrentItem(item)
        return self._template_id == template_id

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
        self._on_add_button_clicked()

    def retire(self) -> None:
        self._on_retire_button_clicked()

    def install_defaults(self) -> None:
        self._on_defaults_button_clicked()

    # --- errors -------------------------------------------------------------------------

    def _clear_errors(self) -> None:
        for label in [*self._errors.values(), self._items_error, self._general_error]:
            label.hide()
            label.clear()
        self._items_model.clear_errors()

    def show_errors(self, errors: dict[str, str]) -> None:
        self._clear_errors()
        items, general = [], []
        first: QWidget | None = None
        for key, message in errors.items():
            if key == "category_id" and self._scope.currentIndex() == PRODUCT:
                key = "product_id"  # "there is already a checklist for it" concerns the product chosen
            if key in self._errors:
                self._errors[key].setText(message)
                self._errors[key].show()
                first = first or self.field(key)
            elif key == "items" or key.startswith("items."):
                items.append(message)
                first = first or self._table
            else:
                general.append(message)
        if items:
            self._items_error.setText("\n".join(items))
            self._items_error.show()
            self._items_model.set_errors(errors)
        if general:
            self._general_error.setText("\n".join(general))
            self._general_error.show()
        if first is not None:
            first.setFocus()

    # --- saving -------------------------------------------------------------------------

    def _commit_editor(self) -> None:
        """Let an open cell editor hand its value to the model."""
        if self._table.state() == QAbstractItemView.State.EditingState:
            current = self._table.currentIndex()
            self._table.setCurrentIndex(QModelIndex())
            self._table.setCurrentIndex(current)

    def save(self) -> bool:
        """Write the checklist through the service; False (errors shown, input kept) when refused."""
        if not self._editing:
            return True
        self._commit_editor()
        name, category_id, product_id, items = self.values()
        self._clear_errors()
        try:
            if self._template_id is None:
                new_id = checks.create_template(name, items, category_id=category_id, product_id=product_id,
                                                acting_rep_id=self._acting_rep_id)
                message = _("Checklist saved as version 1.")
            else:
                new_id = checks.update_template(self._template_id, name, items, self._acting_rep_id)
                message = _("Saved as version {number}.").format(number=checks.get_template(new_id).version)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return False
        except Exception as exc:  # noqa: BLE001 (every failure is shown, the input stays)
            show_error(self, exc)
            return False
        self._after_command()
        self.reload(select_template_id=new_id)
        self._saved_label.setText(message)
        return True

    def _after_command(self) -> None:
        self._changed = True
        notify_changed({CHECKS}, self)

    def _resolve_unsaved(self) -> bool:
        """True when the editor may show something else: nothing to save, saved, or discarded."""
        if not self.has_unsaved_changes():
            return True
        answer = ask_unsaved_changes(self)
        if answer is Unsaved.SAVE:
            return self.save()
        return answer is Unsaved.DISCARD

    def done(self, result: int) -> None:
        if not self._resolve_unsaved():
            return
        super().done(result)

    # --- slots ----------------------------------------------------------------------------

    def _on_tree_current_item_changed(self, current: QTreeWidgetItem | None, previous) -> None:
        template_id = current.data(0, TEMPLATE_ID_ROLE) if current is not None else None
        if template_id is None or template_id == self._template_id:
            return
        if not self._resolve_unsaved():
            self._select_in_tree(self._template_id)
            return
        template = self._templates.get(template_id)
        if template is None:
            self.reload(select_template_id=template_id)
            return
        self._select_in_tree(template_id)
        self._load_template(template)
        self._update_buttons()

    def _on_show_retired_toggled(self, _checked: bool) -> None:
        template_id = self._template_id
        current = self._templates.get(template_id) if template_id is not None else None
        if current is not None and not current.active and not self._show_retired.isChecked():
            self._template_id = None  # the retired version shown leaves the list
        self.reload()

    def _on_new_button_clicked(self) -> None:
        if not self._resolve_unsaved():
            return
        item = self._tree.currentItem()
        self._start_new(item.data(1, TEMPLATE_ID_ROLE) if item is not None else None)

    def _on_retire_button_clicked(self) -> None:
        template = self._templates.get(self._template_id) if self._template_id is not None else None
        if template is None or not template.active or not self._resolve_unsaved():
            return
        question = _(
            "Retire the checklist \u201c{name}\u201d? New checks of {target} will use its category's checklist, "
            "if there is one; checks already done keep their version."
        ).format(name=template.name, target=template.applies_to)
        if not dialogs.confirm(self, question, _("Retire checklist")):
            return
        try:
            checks.retire_template(template.id, self._acting_rep_id)
        except Exception as exc:  # noqa: BLE001 (shown to the user)
            show_error(self, exc)
            return
        self._after_command()
        self._template_id = None
        self._editing = False
        self.reload()
        self._saved_label.setText(_("Checklist retired."))

    def _on_defaults_button_clicked(self) -> None:
        if not self._resolve_unsaved():
            return
        try:
            created = checks.install_default_templates(acting_rep_id=self._acting_rep_id)
        except Exception as exc:  # noqa: BLE001 (shown to the user)
            show_error(self, exc)
            return
        if created:
            self._after_command()
            text = ngettext(
                "{count} default checklist was created.", "{count} default checklists were created.", created
            ).format(count=created)
        elif not self._categories:
            text = _("No checklists were created: there are no product categories yet.")
        else:
            text = _("No checklists were created: every product category already has one.")
        if self._editing and self._template_id is None:
            self._editing = False  # the discarded new checklist
        self.reload()
        inform(self, _("Default checklists"), text)

    def _on_revert_button_clicked(self) -> None:
        if self._template_id is not None and self._template_id in self._templates:
            self._load_template(self._templates[self._template_id])
        else:
            self._editing = False
            self.reload()

    def _on_name_text_edited(self, _text: str) -> None:
        self._errors["name"].hide()
        self._update_buttons()

    def _on_scope_changed(self, scope: int) -> None:
        self._show_scope(scope)
        self._on_target_changed()

    def _on_target_changed(self, *args) -> None:
        self._errors["category_id"].hide()
        self._errors["product_id"].hide()
        if self._template_id is None and self._editing and self._name.text() == self._suggested_name:
            _name, category_id, product_id, _items = self.values()
            scope = self._scope.currentIndex()
            self._suggested_name = self._suggest_name(scope, product_id if scope == PRODUCT else category_id)
            self._name.setText(self._suggested_name)
        self._update_buttons()

    def _on_add_button_clicked(self) -> None:
        if self._read_only:
            return
        current = self._table.currentIndex()
        row = current.row() + 1 if current.isValid() else self._items_model.rowCount()
        row = self._items_model.insert_item(row)
        self._items_error.hide()
        self._table.selectRow(row)
        self._table.setFocus()
        self._table.edit(self._items_model.index(row, QUESTION))

    def _on_remove_button_clicked(self) -> None:
        current = self._table.currentIndex()
        if self._read_only or not current.isValid():
            return
        self._items_model.remove_item(current.row())
        self._items_error.hide()
        if self._items_model.rowCount():
            self._table.selectRow(min(current.row(), self._items_model.rowCount() - 1))

    def _move_item(self, delta: int) -> None:
        current = self._table.currentIndex()
        if self._read_only or not current.isValid():
            return
        row = self._items_model.move_item(current.row(), delta)
        self._items_error.hide()
        self._table.selectRow(row)

    # --- enabling -------------------------------------------------------------------------

    def _update_item_buttons(self, *args) -> None:
        current = self._table.currentIndex()
        rows = self._items_model.rowCount()
        row = current.row() if current.isValid() else -1
        editable = not self._read_only
        self._add_button.setEnabled(editable)
        self._remove_button.setEnabled(editable and row >= 0)
        self._up_button.setEnabled(editable and row > 0)
        self._down_button.setEnabled(editable and 0 <= row < rows - 1)
        self._update_buttons()

    def _update_buttons(self) -> None:
        template = self._templates.get(self._template_id) if self._template_id is not None else None
        self._retire_button.setEnabled(template is not None and template.active)
        self._defaults_button.setEnabled(bool(self._categories))
        self._new_button.setEnabled(bool(self._categories or self._products))
        dirty = self._editing and self._snapshot() != self._baseline
        self._save_button.setEnabled(self._editing)
        self._revert_button.setEnabled(dirty or (self._editing and self._template_id is None))
        if dirty:
            self._saved_label.clear()

    # --- opening --------------------------------------------------------------------------

    @classmethod
    def ask(cls, parent: QWidget | None, context: AppContext | None = None) -> bool:
        """Open the editor; True when any checklist was created, changed or retired."""
        dialog = cls(context, parent)
        try:
            dialog.exec()
            return dialog._changed
        finally:
            dialog.deleteLater()


__all__ = ["CRITICAL", "ChecklistTemplatesDialog", "Unsaved", "ask_unsaved_changes", "inform"]
