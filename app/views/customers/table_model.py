"""The customer list as a lazily loaded table model: filter and sort happen in SQL."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.i18n import N_, _
from app.models.enums import Segment
from app.services.customers import CustomerRow, count_customers, search_customers
from app.views.list_layout import ColumnLayout
from app.views.table_models import BatchedTableModel

ID_ROLE = Qt.ItemDataRole.UserRole
SEGMENT_COLOURS = {Segment.A: "#2e7d32", Segment.B: "#1565c0", Segment.C: "#757575"}


@dataclass(frozen=True)
class _Column:
    title: str  # N_() marked, translated in headerData
    sort_key: str | None  # the key search_customers sorts by; None: not sortable


SEGMENT, CODE, NAME, KIND, TAX_ID, PHONE, EMAIL, CITY, REP = range(9)
COLUMNS = (
    _Column(N_("Seg."), "segment"),
    _Column(N_("Code"), "code"),
    _Column(N_("Name"), "name"),
    _Column(N_("Type"), None),
    _Column(N_("Tax ID"), None),
    _Column(N_("Phone"), None),
    _Column(N_("E-mail"), None),
    _Column(N_("City"), "city"),
    _Column(N_("Rep"), "rep"),
)


class CustomerTableModel(BatchedTableModel):
    """Customers matching a filter, fetched `batch_size` rows at a time as the view scrolls."""

    columns = ColumnLayout(
        widths=(3, 8, 26, 9, 10, 15, 17, 11, 13),  # the name takes what is left at 1280 px
        stretch=NAME,
        sort=(NAME, Qt.SortOrder.AscendingOrder),
    )

    def __init__(self, parent=None, batch_size: int = 100):
        super().__init__(parent, batch_size)
        self._text = ""
        self._include_archived = False
        self._rep_id: int | None = None
        self._need_tag: str | None = None
        self._segment: Segment | None = None
        self._loaded = False
        self._sort_column = NAME
        self._sort_order = Qt.SortOrder.AscendingOrder

    # --- what is shown ------------------------------------------------------

    def set_filter(
        self,
        text: str,
        include_archived: bool = False,
        rep_id: int | None = None,
        need_tag: str | None = None,
        segment: Segment | None = None,
    ) -> None:
        """Show the customers whose folded text contains every word of `text` (and who have the need
        tag / segment, when given); starts from the top."""
        wanted = (text, include_archived, rep_id, need_tag or None, segment)
        if self._loaded and wanted == (
            self._text,
            self._include_archived,
            self._rep_id,
            self._need_tag,
            self._segment,
        ):
            return
        self._text, self._include_archived, self._rep_id, self._need_tag, self._segment = wanted
        self._reload(self._batch_size)

    def _filters(self) -> dict:
        return {"need_tag": self._need_tag, "segment": self._segment}

    def _before_reload(self) -> None:
        self._loaded = True

    def _count(self) -> int:
        return count_customers(
            self._text, include_archived=self._include_archived, rep_id=self._rep_id, **self._filters()
        )

    def _fetch(self, offset: int, limit: int) -> list[CustomerRow]:
        return search_customers(
            self._text,
            include_archived=self._include_archived,
            rep_id=self._rep_id,
            **self._filters(),
            order_by=self.sort_key(),
            descending=self._sort_order == Qt.SortOrder.DescendingOrder,
            offset=offset,
            limit=limit,
        )

    @property
    def filter_text(self) -> str:
        return self._text

    @property
    def include_archived(self) -> bool:
        return self._include_archived

    @property
    def rep_id(self) -> int | None:
        return self._rep_id

    @property
    def need_tag(self) -> str | None:
        return self._need_tag

    @property
    def segment(self) -> Segment | None:
        return self._segment

    def customer_at(self, row: int) -> CustomerRow | None:
        return self.row_at(row)

    # --- sorting ------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS) or COLUMNS[column].sort_key is None:
            return  # the column cannot be sorted; keep the current order
        if column == self._sort_column and order == self._sort_order:
            return
        self._sort_column, self._sort_order = column, order
        if self._loaded:
            self._reload(self._batch_size)

    def sort_column(self) -> int:
        return self._sort_column

    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    def sort_key(self) -> str:
        """The key search_customers sorts the rows by (an export lists them in the same order)."""
        return COLUMNS[self._sort_column].sort_key or "name"

    @staticmethod
    def is_sortable(column: int) -> bool:
        return 0 <= column < len(COLUMNS) and COLUMNS[column].sort_key is not None

    # --- the model interface ------------------------------------------------

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMNS[section].title)
        if role == Qt.ItemDataRole.ToolTipRole:
            if section == SEGMENT:
                return _("Segment by customer value: A top, B middle, C low")
            if COLUMNS[section].sort_key is None:
                return _("This column cannot be sorted")
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == SEGMENT:
                return row.segment.label if row.segment else _("No segment computed yet")
            if row.archived:
                return _("Archived customer")
            return None
        if role == Qt.ItemDataRole.FontRole:
            if row.archived or column == SEGMENT:
                font = QFont()
                font.setItalic(row.archived)
                font.setBold(column == SEGMENT)
                return font
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == SEGMENT and row.segment:
                return QBrush(QColor("white"))
            if row.archived:
                return QBrush(
                    QGuiApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
                )
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == SEGMENT and row.segment:
                return QBrush(QColor(SEGMENT_COLOURS[row.segment]))
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == SEGMENT:
            return Qt.AlignmentFlag.AlignCenter
        return None

    @staticmethod
    def _display(row: CustomerRow, column: int) -> str:
        if column == SEGMENT:
            return row.segment.value if row.segment else ""
        if column == KIND:
            return row.kind.label
        if column == NAME and row.archived:
            return _("{name} (archived)").format(name=row.name)
        return {
            CODE: row.code,
            NAME: row.name,
            TAX_ID: row.tax_id,
            PHONE: row.phone,
            EMAIL: row.email,
            CITY: row.city,
            REP: row.rep_name,
        }[column]


class SegmentBadgeDelegate(QStyledItemDelegate):
    """Draws the segment letter as a small coloured badge instead of filling the whole cell."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        background = index.data(Qt.ItemDataRole.BackgroundRole)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not text or not isinstance(background, QBrush):
            super().paint(painter, option, index)
            return
        # Selection and focus as usual, without the cell's own background and text.
        plain = QStyleOptionViewItem(option)
        self.initStyleOption(plain, index)
        plain.text = ""
        plain.backgroundBrush = QBrush()
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, plain, painter, option.widget)
        side = min(option.rect.height() - 6, 22)
        badge = QRect(0, 0, side, side)
        badge.moveCenter(option.rect.center())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background)
        painter.drawRoundedRect(badge, 5, 5)
        font = QFont(option.font)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
