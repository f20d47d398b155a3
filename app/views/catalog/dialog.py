"""Products and categories (Settings ▸ Products and categories…).

Left: the product categories with how many products each has. Right: the chosen category's
products. Products are never deleted, only deactivated: the sales that have them keep them, and
the sale dialog no longer offers them. Every rule is app.services.catalog's; its messages appear
under the field they concern and the dialog keeps what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QItemSelectionModel, QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, current_locale, format_number, ngettext
from app.models import Product, ProductCategory
from app.models.base import max_length
from app.services.followups.plans import CategoryRow
from app.services.permissions import Right
from app.services.sales import catalog
from app.services.sales.catalog import MAX_REPLACEMENT_MONTHS, MAX_WARRANTY_MONTHS, ProductInput
from app.services.sales.recording import ProductRow
from app.views.catalog.table_model import NAME, ProductTableModel
from app.views.customers.sale_dialog import currency_affixes
from app.views.dialogs import BaseDialog, field_error_label, show_field_errors
from app.views.events import SALES
from app.views.operations import Operation
from app.views.pages.base import AppContext, empty_state_label
from app.views.rights import gate, refusal_note

CATEGORY_ID_ROLE = Qt.ItemDataRole.UserRole
NO_CATEGORIES_TEXT = N_("No categories yet: create one to start recording sales.")


def _muted(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(mid);")
    return label


class _FieldForm:
    """A QFormLayout whose fields each carry a red message underneath, keyed like the service's errors."""

    def __init__(self):
        self.layout = QFormLayout()
        self.layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.general = field_error_label()

    def add(
        self, key: str, caption: str, widget: QWidget, focus: QWidget | None = None, hint: str = ""
    ) -> None:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        if hint:
            column.addWidget(_muted(QLabel(hint)))
        error = field_error_label(reserve=True)
        column.addWidget(error)
        self.fields[key] = focus or widget
        self.errors[key] = error
        label = QLabel(caption)
        label.setBuddy(focus or widget)
        self.layout.addRow(label, holder)

    def show_errors(self, errors: dict[str, str]) -> None:
        show_field_errors(errors, self.errors, self.general, self.fields)

    def error_text(self, key: str) -> str:
        label = self.errors.get(key, self.general)
        return "" if label.isHidden() else label.text()


def _save_cancel(dialog: BaseDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class CategoryDialog(BaseDialog):
    """A new product category, or a category's code, name and replacement cycle (0 in the box: none)."""

    def __init__(
        self,
        parent: QWidget | None = None,
        category_id: int | None = None,
        *,
        acting_rep_id: int | None = None,
    ):
        super().__init__(parent)
        self._category_id = category_id
        self._acting_rep_id = acting_rep_id
        self._code = QLineEdit()
        self._code.setMaxLength(max_length(ProductCategory.code))
        self._code.setPlaceholderText(_("e.g. COFFEE"))
        self._name = QLineEdit()
        self._name.setMaxLength(max_length(ProductCategory.name))
        self._name.setPlaceholderText(_("e.g. Coffee machines"))
        self._form = _FieldForm()
        self._cycle = QSpinBox()
        self._cycle.setRange(0, MAX_REPLACEMENT_MONTHS)
        self._cycle.setSpecialValueText(_("No cycle"))
        self._cycle.setMinimumWidth(110)
        cycle_row = QHBoxLayout()
        cycle_row.setContentsMargins(0, 0, 0, 0)
        cycle_row.addWidget(self._cycle)
        cycle_row.addWidget(QLabel(_("months")))
        cycle_row.addStretch(1)
        cycle_holder = QWidget()
        cycle_holder.setLayout(cycle_row)
        self._form.add("code", _("Code"), self._code)
        self._form.add("name", _("Name"), self._name)
        self._form.add(
            "replacement_months",
            _("Replacement cycle"),
            cycle_holder,
            focus=self._cycle,
            hint=_(
                "How long its products last before a customer buys again (e.g. 96 for washing "
                "machines): the at-risk list expects the next purchase then. No cycle for consumables: "
                "the customer's own rhythm counts."
            ),
        )
        for key, edit in (("code", self._code), ("name", self._name)):
            edit.textEdited.connect(self._form.errors[key].hide)
        self._cycle.valueChanged.connect(self._form.errors["replacement_months"].hide)

        layout = QVBoxLayout(self)
        layout.addLayout(self._form.layout)
        if category_id is None:
            self.setWindowTitle(_("New product category"))
            layout.addWidget(
                _muted(
                    QLabel(
                        _(
                            "The new category gets the default follow-up plans (a standard one and one for "
                            "A customers); change them in Settings ▸ Follow-up plans."
                        )
                    )
                )
            )
        else:
            category = catalog.get_category(category_id)
            self.setWindowTitle(_("Edit category {name}").format(name=category.name))
            self._code.setText(category.code)
            self._name.setText(category.name)
            self._cycle.setValue(category.replacement_months or 0)
        layout.addWidget(self._form.general)
        layout.addWidget(_save_cancel(self))
        self.setMinimumWidth(460)

    def field(self, key: str) -> QWidget:
        return self._form.fields[key]

    def error_text(self, key: str) -> str:
        return self._form.error_text(key)

    @property
    def category_id(self) -> int | None:
        return self._category_id

    def _write(self) -> None:
        months = self._cycle.value() or None
        if self._category_id is None:
            self._category_id = catalog.create_category(
                self._code.text(), self._name.text(), self._acting_rep_id, replacement_months=months
            )
        else:
            catalog.update_category(
                self._category_id,
                self._code.text(),
                self._name.text(),
                self._acting_rep_id,
                replacement_months=months,
            )

    def accept(self) -> None:
        # The catalogue announces the change; a refusal stays beside its field.
        if Operation(_("Save category"), self._write, field_errors=self._form.show_errors).run(self):
            super().accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, category_id: int | None = None, *, acting_rep_id: int | None = None
    ) -> int | None:
        """Open the dialog; the saved category's id, or None when cancelled."""
        return cls(parent, category_id, acting_rep_id=acting_rep_id).answer(lambda dialog: dialog.category_id)


class ProductDialog(BaseDialog):
    """A new product (in `category_id` by default) or an existing one; Save stays until the service accepts."""

    def __init__(
        self,
        parent: QWidget | None = None,
        product_id: int | None = None,
        category_id: int | None = None,
        *,
        acting_rep_id: int | None = None,
    ):
        super().__init__(parent)
        self._product_id = product_id
        self._acting_rep_id = acting_rep_id

        self._category = QComboBox()
        for category in catalog.list_categories_with_counts():
            self._category.addItem(category.name, category.id)
        self._sku = QLineEdit()
        self._sku.setMaxLength(max_length(Product.sku))
        self._sku.setPlaceholderText(_("The product's reference, e.g. CM-200"))
        self._name = QLineEdit()
        self._name.setMaxLength(max_length(Product.name))
        self._warranty = QSpinBox()
        self._warranty.setRange(0, MAX_WARRANTY_MONTHS)
        self._warranty.setValue(24)
        self._warranty.setMinimumWidth(90)
        warranty_row = QHBoxLayout()
        warranty_row.setContentsMargins(0, 0, 0, 0)
        warranty_row.addWidget(self._warranty)
        warranty_row.addWidget(QLabel(_("months from the delivery")))
        warranty_row.addStretch(1)
        warranty_holder = QWidget()
        warranty_holder.setLayout(warranty_row)
        self._price = QDoubleSpinBox()
        self._price.setDecimals(2)
        self._price.setRange(0, 9_999_999_999.99)
        prefix, suffix = currency_affixes()
        self._price.setPrefix(prefix)
        self._price.setSuffix(suffix)
        self._price.setLocale(QLocale(current_locale()))  # decimal comma in Spanish
        self._price.setGroupSeparatorShown(True)
        self._price.setMinimumWidth(160)
        price_row = QHBoxLayout()
        price_row.setContentsMargins(0, 0, 0, 0)
        price_row.addWidget(self._price)
        price_row.addStretch(1)
        price_holder = QWidget()
        price_holder.setLayout(price_row)
        self._serialised = QCheckBox(_("Each item has its own serial number"))
        self._serialised.setChecked(True)
        self._serialised.setToolTip(
            _(
                "Serialised products get one sold unit per item; others one unit per sale line with its quantity."
            )
        )
        self._active = QCheckBox(_("Offered in new sales"))
        self._active.setChecked(True)

        self._form = _FieldForm()
        self._form.add("category_id", _("Category"), self._category)
        self._form.add("sku", _("SKU"), self._sku)
        self._form.add("name", _("Name"), self._name)
        self._form.add("warranty_months", _("Warranty"), warranty_holder, self._warranty)
        self._form.add(
            "price",
            _("Price"),
            price_holder,
            self._price,
            _("Suggested in the sale dialog; can be changed per sale."),
        )
        self._form.add("serialised", _("Serial numbers"), self._serialised)
        self._form.add("active", _("Active"), self._active)
        self._connect_error_clearing()

        layout = QVBoxLayout(self)
        layout.addLayout(self._form.layout)
        layout.addWidget(self._form.general)
        layout.addStretch(1)
        layout.addWidget(_save_cancel(self))
        self.setMinimumWidth(560)

        if product_id is None:
            self.setWindowTitle(_("New product"))
            self._category.setCurrentIndex(max(0, self._category.findData(category_id)))
        else:
            product = catalog.get_product(product_id)
            self.setWindowTitle(_("Edit product {sku}").format(sku=product.sku))
            self.set_values(ProductInput.from_row(product))

    def _connect_error_clearing(self) -> None:
        errors = self._form.errors
        self._category.currentIndexChanged.connect(errors["category_id"].hide)
        self._sku.textEdited.connect(errors["sku"].hide)
        self._name.textEdited.connect(errors["name"].hide)
        self._warranty.valueChanged.connect(errors["warranty_months"].hide)
        self._price.valueChanged.connect(errors["price"].hide)

    # --- values -------------------------------------------------------------------

    def set_values(self, data: ProductInput) -> None:
        self._category.setCurrentIndex(max(0, self._category.findData(data.category_id)))
        self._sku.setText(data.sku)
        self._name.setText(data.name)
        self._warranty.setValue(data.warranty_months)
        self._price.setValue(float(data.price))
        self._serialised.setChecked(data.serialised)
        self._active.setChecked(data.active)

    def values(self) -> ProductInput:
        """What the form holds now, as the service takes it (not validated)."""
        return ProductInput(
            sku=self._sku.text(),
            name=self._name.text(),
            category_id=self._category.currentData(),
            warranty_months=self._warranty.value(),
            price=Decimal(str(round(self._price.value(), 2))),
            serialised=self._serialised.isChecked(),
            active=self._active.isChecked(),
        )

    def field(self, key: str) -> QWidget:
        return self._form.fields[key]

    def error_text(self, key: str) -> str:
        """The message shown under a field ('general' for the rest), '' when there is none."""
        return self._form.error_text(key)

    @property
    def product_id(self) -> int | None:
        return self._product_id

    # --- saving ---------------------------------------------------------------------

    def _write(self) -> None:
        data = self.values()
        if self._product_id is None:
            self._product_id = catalog.create_product(data, self._acting_rep_id)
        else:
            catalog.update_product(self._product_id, data, self._acting_rep_id)

    def accept(self) -> None:
        # The catalogue announces the change; a refusal stays beside its field.
        if Operation(_("Save product"), self._write, field_errors=self._form.show_errors).run(self):
            super().accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        product_id: int | None = None,
        category_id: int | None = None,
        *,
        acting_rep_id: int | None = None,
    ) -> int | None:
        """Open the dialog; the saved product's id, or None when cancelled."""
        dialog = cls(parent, product_id, category_id, acting_rep_id=acting_rep_id)
        return dialog.answer(lambda dialog: dialog.product_id)


class CatalogDialog(BaseDialog):
    """Create and edit categories and products; switch products off and on."""

    ASKS_BEFORE_DISCARDING = False  # lists; its category and product dialogs ask

    def __init__(self, context: AppContext | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Products and categories"))
        rep = context.current_rep if context is not None else None
        self._acting_rep_id = rep.id if rep is not None else None
        # A rep reads the catalogue: every control that would change it is refused, saying why.
        self._refusal = context.refusal(Right.CATALOG) if context is not None else None
        self._categories: list[CategoryRow] = []
        self._changed = False

        self._right = QStackedWidget()
        self._right.addWidget(self._build_empty_state())
        self._right.addWidget(self._build_products())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_categories())
        splitter.addWidget(self._right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([300, 760])

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if self._refusal is not None:
            layout.addWidget(refusal_note(self._refusal))
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.setMinimumSize(900, 520)
        self.resize(1080, 620)

        self.reload()

    # --- building ---------------------------------------------------------------------

    def _build_categories(self) -> QWidget:
        self._tree = QTreeWidget()
        self._tree.setObjectName("categoryTree")
        self._tree.setColumnCount(2)
        self._tree.setHeaderLabels([_("Category"), _("Products")])
        self._tree.setRootIsDecorated(False)
        self._tree.setUniformRowHeights(True)
        self._tree.setStyleSheet("QTreeWidget::item { padding: 3px 0px; }")
        header = self._tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self._tree.currentItemChanged.connect(self._on_tree_current_item_changed)
        if self._refusal is None:
            self._tree.itemDoubleClicked.connect(lambda *_args: self._on_edit_category_button_clicked())

        self._new_category_button = QPushButton(_("New category"))
        self._new_category_button.clicked.connect(self._on_new_category_button_clicked)
        self._edit_category_button = QPushButton(_("Edit…"))
        self._edit_category_button.setToolTip(
            _("Change the chosen category's code, name or replacement cycle")
        )
        self._edit_category_button.clicked.connect(self._on_edit_category_button_clicked)
        row = QHBoxLayout()
        row.addWidget(self._new_category_button)
        row.addWidget(self._edit_category_button)

        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        caption = QLabel(_("Product categories"))
        caption.setStyleSheet("font-weight: 600;")
        column.addWidget(caption)
        column.addWidget(self._tree, 1)
        column.addLayout(row)
        holder.setMinimumWidth(260)
        return holder

    def _build_empty_state(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.addStretch(1)
        self._empty_label = empty_state_label(_(NO_CATEGORIES_TEXT))
        column.addWidget(self._empty_label)
        explanation = _muted(
            QLabel(
                _(
                    "A category groups products followed up the same way, e.g. Coffee machines; "
                    "each new category gets the default follow-up plans."
                )
            )
        )
        explanation.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        explanation.setContentsMargins(40, 0, 40, 0)
        column.addWidget(explanation)
        row = QHBoxLayout()
        row.addStretch(1)
        self._empty_new_button = QPushButton(_("New category"))
        self._empty_new_button.clicked.connect(self._on_new_category_button_clicked)
        gate(self._empty_new_button, self._refusal)
        row.addWidget(self._empty_new_button)
        row.addStretch(1)
        column.addSpacing(12)
        column.addLayout(row)
        column.addStretch(2)
        return page

    def _build_products(self) -> QWidget:
        self._heading = QLabel()
        self._heading.setTextFormat(Qt.TextFormat.PlainText)  # user text
        self._heading.setStyleSheet("font-size: 16px; font-weight: 600;")
        self._search = QLineEdit()
        self._search.setPlaceholderText(_("Filter by SKU or name"))
        self._search.setClearButtonEnabled(True)
        self._search.textChanged.connect(self._on_search_text_changed)
        self._search.setMinimumWidth(
            self._search.fontMetrics().horizontalAdvance(self._search.placeholderText()) + 50
        )
        top = QHBoxLayout()
        top.addWidget(self._heading, 1)
        top.addWidget(self._search)

        self._model = ProductTableModel(self)
        self._table = QTableView()
        self._table.setObjectName("productTable")
        self._table.setModel(self._model)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._table.setAlternatingRowColors(True)
        self._table.setWordWrap(False)
        self._table.verticalHeader().hide()
        header = self._table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self._table.selectionModel().currentRowChanged.connect(self._update_buttons)
        if self._refusal is None:
            self._table.doubleClicked.connect(lambda _index: self._on_edit_product_button_clicked())
        self._no_products = empty_state_label("")
        self._products_stack = QStackedWidget()
        self._products_stack.addWidget(self._table)
        self._products_stack.addWidget(self._no_products)

        self._new_product_button = QPushButton(_("New product"))
        self._new_product_button.clicked.connect(self._on_new_product_button_clicked)
        self._edit_product_button = QPushButton(_("Edit product…"))
        self._edit_product_button.clicked.connect(self._on_edit_product_button_clicked)
        self._active_button = QPushButton(_("Deactivate"))
        self._active_button.clicked.connect(self._on_active_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self._new_product_button)
        buttons.addWidget(self._edit_product_button)
        buttons.addWidget(self._active_button)
        buttons.addStretch(1)

        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(8, 0, 0, 0)
        column.addLayout(top)
        column.addWidget(self._products_stack, 1)
        column.addWidget(
            _muted(
                QLabel(
                    _(
                        "Products are never deleted: a deactivated product stays in the sales that have it "
                        "but is no longer offered in new sales."
                    )
                )
            )
        )
        column.addLayout(buttons)
        return page

    # --- loading ------------------------------------------------------------------------

    def reload(self, category_id: int | None = None, product_id: int | None = None) -> None:
        """Re-read categories and products; keep (or move) the selection."""
        current = category_id if category_id is not None else self.current_category_id()
        product_id = product_id if product_id is not None else self._selected_product_id()
        self._categories = catalog.list_categories_with_counts()
        self._tree.blockSignals(True)
        self._tree.clear()
        for category in self._categories:
            item = QTreeWidgetItem([category.name, format_number(category.product_count)])
            item.setData(0, CATEGORY_ID_ROLE, category.id)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            tip = _("Code: {code}").format(code=category.code)
            if category.replacement_months:
                tip += "\n" + ngettext(
                    "Replaced every {n} month", "Replaced every {n} months", category.replacement_months
                ).format(n=format_number(category.replacement_months))
            item.setToolTip(0, tip)
            item.setToolTip(1, tip)
            self._tree.addTopLevelItem(item)
        self._tree.blockSignals(False)
        if not self._categories:
            self._model.clear()
            self._right.setCurrentIndex(0)
            self._update_buttons()
            return
        ids = [c.id for c in self._categories]
        self._select_category(current if current in ids else ids[0])
        self._show_products(product_id)

    def _select_category(self, category_id: int) -> None:
        self._tree.blockSignals(True)
        for index in range(self._tree.topLevelItemCount()):
            item = self._tree.topLevelItem(index)
            if item.data(0, CATEGORY_ID_ROLE) == category_id:
                self._tree.setCurrentItem(item)
                break
        self._tree.blockSignals(False)

    def _show_products(self, product_id: int | None = None) -> None:
        category = self.current_category()
        if category is None:
            return
        self._right.setCurrentIndex(1)
        self._heading.setText(_("{name} ({code})").format(name=category.name, code=category.code))
        self._model.set_filter(category.id, self._search.text())
        if self._model.rowCount():
            self._products_stack.setCurrentIndex(0)
            row = self._model.row_of(product_id) if product_id is not None else -1
            self._table.selectionModel().setCurrentIndex(
                self._model.index(max(row, 0), 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        else:
            self._no_products.setText(
                _("No product matches “{text}”.").format(text=self._search.text())
                if self._search.text().strip()
                else _("No products in this category yet: add the first one with New product.")
            )
            self._products_stack.setCurrentIndex(1)
        self._update_buttons()

    # --- state ----------------------------------------------------------------------------

    def current_category_id(self) -> int | None:
        item = self._tree.currentItem()
        return item.data(0, CATEGORY_ID_ROLE) if item is not None else None

    def current_category(self) -> CategoryRow | None:
        category_id = self.current_category_id()
        return next((c for c in self._categories if c.id == category_id), None)

    def selected_product(self) -> ProductRow | None:
        if self._right.currentIndex() != 1 or self._products_stack.currentIndex() != 0:
            return None
        index = self._table.selectionModel().currentIndex()
        return self._model.product(index.row()) if index.isValid() else None

    def _selected_product_id(self) -> int | None:
        product = self.selected_product()
        return product.id if product is not None else None

    def select_category(self, category_id: int) -> None:
        self._select_category(category_id)
        self._show_products()

    def select_product(self, product_id: int) -> bool:
        row = self._model.row_of(product_id)
        if row < 0:
            return False
        self._table.selectionModel().setCurrentIndex(
            self._model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        return True

    @property
    def model(self) -> ProductTableModel:
        return self._model

    @property
    def tree(self) -> QTreeWidget:
        return self._tree

    def empty_state_text(self) -> str:
        """The sentence shown instead of the products, '' when products are listed."""
        if self._right.currentIndex() == 0:
            return self._empty_label.text()
        return self._no_products.text() if self._products_stack.currentIndex() == 1 else ""

    def _update_buttons(self, *_args) -> None:
        has_category = self.current_category_id() is not None
        product = self.selected_product()
        self._active_button.setText(
            _("Activate") if product is not None and not product.active else _("Deactivate")
        )
        if self._refusal is None:
            self._active_button.setToolTip(
                _("Offer this product in new sales again")
                if product is not None and not product.active
                else _("No longer offer this product in new sales; its sales keep it")
            )
        gate(self._new_category_button, self._refusal)
        gate(self._edit_category_button, self._refusal, enabled=has_category)
        gate(self._new_product_button, self._refusal, enabled=has_category)
        gate(self._edit_product_button, self._refusal, enabled=product is not None)
        gate(self._active_button, self._refusal, enabled=product is not None)

    def _run(self, label: str, ask: Callable[[], int | None]) -> int | None:
        """Run an editing dialog as an operation that changes sales; the id it saved, or None when
        it was cancelled or failed."""
        done = Operation(label, ask, lambda result: {SALES} if result is not None else ()).run(self)
        return done.value if done else None

    def _after_command(self, category_id: int | None = None, product_id: int | None = None) -> None:
        self._changed = True
        self.reload(category_id, product_id)

    # --- slots ------------------------------------------------------------------------------

    def _on_tree_current_item_changed(self, *_args) -> None:
        self._show_products()

    def _on_search_text_changed(self, _text: str) -> None:
        if self.current_category_id() is not None:
            self._show_products(self._selected_product_id())

    def _on_new_category_button_clicked(self) -> None:
        category_id = self._run(
            _("New category"), lambda: CategoryDialog.ask(self, acting_rep_id=self._acting_rep_id)
        )
        if category_id is not None:
            self._search.clear()
            self._after_command(category_id)

    def _on_edit_category_button_clicked(self) -> None:
        category_id = self.current_category_id()
        if category_id is None:
            return
        if (
            self._run(
                _("Edit category"),
                lambda: CategoryDialog.ask(self, category_id, acting_rep_id=self._acting_rep_id),
            )
            is not None
        ):
            self._after_command(category_id)

    def _on_new_product_button_clicked(self) -> None:
        category_id = self.current_category_id()
        if category_id is None:
            return
        product_id = self._run(
            _("New product"),
            lambda: ProductDialog.ask(self, None, category_id, acting_rep_id=self._acting_rep_id),
        )
        if product_id is not None:
            self._search.clear()
            self._after_command(catalog.get_product(product_id).category_id, product_id)

    def _on_edit_product_button_clicked(self) -> None:
        product = self.selected_product()
        if product is None:
            return
        if (
            self._run(
                _("Edit product"),
                lambda: ProductDialog.ask(self, product.id, acting_rep_id=self._acting_rep_id),
            )
            is not None
        ):
            # The product may have moved to another category: follow it there.
            self._search.clear()
            self._after_command(catalog.get_product(product.id).category_id, product.id)

    def _on_active_button_clicked(self) -> None:
        product = self.selected_product()
        if product is None:
            return
        label = _("Activate product") if not product.active else _("Deactivate product")
        if Operation(
            label,
            lambda: catalog.set_product_active(product.id, not product.active, self._acting_rep_id),
            {SALES},
        ).run(self):
            self._after_command(product.category_id, product.id)

    @classmethod
    def ask(cls, parent: QWidget | None, context: AppContext | None = None) -> bool:
        """Open the catalogue; True when a category or product was created or changed."""
        return cls(context, parent).answer(lambda dialog: dialog._changed, always=True)
