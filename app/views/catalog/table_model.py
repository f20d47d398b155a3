"""The products of one category as a table model.

A category holds tens of products, not thousands, so the rows are read at once (filtered and
ordered in SQL by `catalog.list_products`) instead of in batches like the customer list.
Inactive products stay listed, greyed and in italics: they are kept for the sales that have them.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont, QGuiApplication, QPalette

from app.i18n import N_, _, format_money, format_number, ngettext
from app.services.sales import catalog
from app.services.sales.recording import ProductRow

ParentIndex = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole

SKU, NAME, WARRANTY, PRICE, SERIALISED, ACTIVE = range(6)
HEADERS = (N_("SKU"), N_("Name"), N_("Warranty"), N_("Price"), N_("Serial numbers"), N_("Active"))
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTRE = Qt.AlignmentFlag.AlignCenter | Qt.AlignmentFlag.AlignVCenter


def warranty_months_text(months: int) -> str:
    if months == 0:
        return _("No warranty")
    return ngettext("{count} month", "{count} months", months).format(count=format_number(months))


class ProductTableModel(QAbstractTableModel):
    """Products of a category (or of every category), whose SKU or name contains a text."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[ProductRow] = []
        self._category_id: int | None = None
        self._text = ""

    def set_filter(self, category_id: int | None, text: str = "") -> None:
        self._category_id, self._text = category_id, text
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = catalog.list_products(
            include_inactive=True, category_id=self._category_id, text=self._text
        )
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self.endResetModel()

    def product(self, row: int) -> ProductRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, product_id: int) -> int:
        return next((r for r, p in enumerate(self._rows) if p.id == product_id), -1)

    # --- Qt ---------------------------------------------------------------------

    def rowCount(self, parent: ParentIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ParentIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(HEADERS[section])
            if role == Qt.ItemDataRole.TextAlignmentRole and section in (WARRANTY, PRICE):
                return int(_RIGHT)
        return None

    def data(self, index: ParentIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        product, column = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self._text_of(product, column)
            if role == Qt.ItemDataRole.ToolTipRole and not product.active:
                return _("{text} — inactive: no longer offered in new sales").format(text=text)
            return text
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (WARRANTY, PRICE):
                return int(_RIGHT)
            if column in (SERIALISED, ACTIVE):
                return int(_CENTRE)
            return None
        if role == Qt.ItemDataRole.ForegroundRole and not product.active:
            return QBrush(
                QGuiApplication.palette().color(
                    QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText
                )
            )
        if role == Qt.ItemDataRole.FontRole and not product.active:
            font = QFont()
            font.setItalic(True)
            return font
        if role == ID_ROLE:
            return product.id
        return None

    @staticmethod
    def _text_of(product: ProductRow, column: int) -> str:
        if column == SKU:
            return product.sku
        if column == NAME:
            return product.name
        if column == WARRANTY:
            return warranty_months_text(product.warranty_months)
        if column == PRICE:
            return format_money(product.price)
        if column == SERIALISED:
            return _("Yes") if product.serialised else _("No")
        if column == ACTIVE:
            return _("Yes") if product.active else _("No")
        return ""
