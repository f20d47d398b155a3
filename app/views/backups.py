"""File ▸ Backups…: the open SQLite database's backups, "Back up now" and choosing one to restore.

Everything that reads or writes files runs in the background: the list opens each backup read-only
for its figures, a backup of a large database takes seconds. Restoring replaces the window's
database, so the dialog only asks and hands the chosen backup back; the application restores it and
reopens the window on the restored data (`app.views.app.Application`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_datetime, format_number, ngettext
from app.services import backups
from app.services.backups import BackupEntry
from app.views.dialogs import BaseDialog, confirm, plain_label
from app.views.errors import show_error
from app.views.rights import gate
from app.views.tasks import run_in_background

ParentIndex = QModelIndex | QPersistentModelIndex

MADE, KIND, SIZE, CUSTOMERS, ACTIVITY = range(5)
COLUMN_TITLES = (N_("Made"), N_("Why"), N_("Size"), N_("Customers"), N_("Last activity"))
NUMERIC_COLUMNS = (SIZE, CUSTOMERS)


def size_text(size: int) -> str:
    """A file size as people read it: "3,3 MB" in Spanish (the units are the same in both languages)."""
    if size < 1000:
        return f"{format_number(size)} B"
    if size < 1_000_000:
        return f"{format_number(size / 1000, 0)} kB"
    return f"{format_number(size / 1_000_000, 1)} MB"


class BackupsTableModel(QAbstractTableModel):
    """A database's backups, newest first, read whole in the background and handed over with `set_rows`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[BackupEntry] = []

    def set_rows(self, rows: list[BackupEntry]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> BackupEntry | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: ParentIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ParentIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMN_TITLES)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMN_TITLES):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMN_TITLES[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == MADE:
                return format_datetime(row.made_at)
            if column == KIND:
                return row.kind.label if row.kind is not None else "—"
            if column == SIZE:
                return size_text(row.size)
            if row.problem is not None:  # the figures could not be read: the reason says why
                return _("cannot be restored") if column == CUSTOMERS else ""
            if column == CUSTOMERS:
                return format_number(row.customers)
            return format_datetime(row.last_activity) or "—"
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMERIC_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.problem or str(row.path)
        return None


@dataclass(frozen=True)
class _Listing:
    entries: list[BackupEntry]
    folder_exists: bool


class BackupsDialog(BaseDialog):
    """The list, "Back up now", "Restore…" (returns the backup chosen) and the folder."""

    ASKS_BEFORE_DISCARDING = False  # shows files, gathers nothing

    def __init__(self, database: Path, folder: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Backups"))
        self._database = database
        self._folder = folder
        self.chosen: Path | None = None
        self._showing_problem = False  # the status line says why the selected backup cannot be restored
        self._listed = False

        layout = QVBoxLayout(self)
        intro = plain_label(
            _(
                "Backups of {database} in {folder}. One is made each day when Postventa starts or "
                "closes; 7 daily, 4 weekly and 12 monthly backups are kept, and copies taken before a "
                "restore or an upgrade for 30 days."
            ).format(database=database.name, folder=folder),
            wrap=True,
            selectable=True,
        )
        layout.addWidget(intro)

        self.model = BackupsTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.doubleClicked.connect(self._on_restore_clicked)
        layout.addWidget(self.table, 1)

        self.status = plain_label(_("Reading the backups…"), wrap=True)
        layout.addWidget(self.status)

        row = QHBoxLayout()
        self.back_up_button = QPushButton(_("&Back up now"))
        self.back_up_button.clicked.connect(self._on_back_up_clicked)
        self.restore_button = QPushButton(_("&Restore…"))
        self.restore_button.clicked.connect(self._on_restore_clicked)
        self.folder_button = QPushButton(_("Open &folder"))
        self.folder_button.clicked.connect(self._on_folder_clicked)
        for button in (self.back_up_button, self.restore_button, self.folder_button):
            row.addWidget(button)
        row.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row.addWidget(buttons)
        layout.addLayout(row)

        gate(self.restore_button, None, enabled=False)
        gate(self.folder_button, None, enabled=False)
        self.resize(760, 420)
        self.reload()

    # --- the list -----------------------------------------------------------------------------

    def reload(self) -> None:
        database, folder = self._database, self._folder
        run_in_background(
            lambda _progress: _Listing(backups.list_backups(database, folder), folder.is_dir()),
            self._on_listing_loaded,
            parent=self,
        )

    def _on_listing_loaded(self, listing: _Listing) -> None:
        self.model.set_rows(listing.entries)
        gate(self.folder_button, None, enabled=listing.folder_exists)
        if not listing.entries:
            self.status.setText(_("No backups of this database yet."))
        elif not self._listed:
            self.status.setText("")  # "Reading the backups…" is over; a later message stays
        self._listed = True
        if listing.entries:
            self.table.selectRow(0)
        self._on_table_selection_changed()

    def selected(self) -> BackupEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _on_table_selection_changed(self, *args) -> None:
        entry = self.selected()
        problem = entry.problem if entry is not None else None
        gate(self.restore_button, problem, enabled=entry is not None)
        if problem is not None:
            self.status.setText(problem)
        elif self._showing_problem:
            self.status.setText("")
        self._showing_problem = problem is not None

    # --- backing up ---------------------------------------------------------------------------

    def _on_back_up_clicked(self) -> None:
        database, folder = self._database, self._folder
        gate(self.back_up_button, None, enabled=False)
        self.status.setText(_("Backing up…"))
        run_in_background(
            lambda progress: backups.back_up(database, folder, progress=progress.report),
            self._on_backed_up,
            self._on_back_up_failed,
            parent=self,
        )

    def _on_backed_up(self, written: Path) -> None:
        gate(self.back_up_button, None)
        self.status.setText(_("Backup written: {name}").format(name=written.name))
        self.reload()

    def _on_back_up_failed(self, exc: BaseException) -> None:
        gate(self.back_up_button, None)
        self.status.setText("")
        show_error(self, exc)

    # --- restoring and the folder -------------------------------------------------------------

    def _on_restore_clicked(self, *args) -> None:
        entry = self.selected()
        if entry is None or entry.problem is not None:
            return
        question = ngettext(
            "Restore the backup made {made}?\n\nEverything in {database} is replaced by the backup's "
            "data ({customers} customer, last activity {activity}); what changed since is lost. A copy "
            "of the current data is kept in the backups folder first, and Postventa reopens on the "
            "restored data.",
            "Restore the backup made {made}?\n\nEverything in {database} is replaced by the backup's "
            "data ({customers} customers, last activity {activity}); what changed since is lost. A copy "
            "of the current data is kept in the backups folder first, and Postventa reopens on the "
            "restored data.",
            entry.customers or 0,
        ).format(
            made=format_datetime(entry.made_at),
            database=self._database.name,
            customers=format_number(entry.customers),
            activity=format_datetime(entry.last_activity) or "—",
        )
        if confirm(self, question, _("Restore a backup")):
            self.chosen = entry.path
            self.accept()

    def _on_folder_clicked(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._folder)))

    @classmethod
    def ask(cls, parent: QWidget | None, database: Path, folder: Path) -> Path | None:
        """The backup to restore, once confirmed; None when the dialog was closed."""
        return cls(database, folder, parent).answer(lambda dialog: dialog.chosen)
