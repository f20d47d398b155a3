"""Render every page of the main window and the main dialogs to PNG (README, UI review)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from app.i18n import _
from app.models.database import open_database
from app.outputs import OutputError, write_output
from app.services import reps
from app.views.pages.base import AppContext

WINDOW_SIZE = (1280, 800)


def _settle() -> None:
    """Let background loads (dashboard) finish and deliver their results before the picture."""
    from PySide6.QtCore import QThreadPool

    app = QApplication.instance()
    for _round in range(3):
        app.processEvents()
        QThreadPool.globalInstance().waitForDone(30000)
        app.processEvents()


def _save(widget: QWidget, path: Path, force: bool) -> Path:
    """The widget as a PNG, through app.outputs (a temporary file renamed; `force`: replace a file)."""
    _settle()
    image = widget.grab()

    def save(temporary: Path) -> None:
        if not image.save(str(temporary), "PNG"):
            raise OSError(_("the image {path} could not be written").format(path=path))

    return write_output(path, ".png", save, force=force)


def _rep_dialog(people: list[reps.RepRow]) -> QWidget:
    """A rep's edit form, on a rep with hours of her own where the demo has one."""
    from app.views.reps import RepDialog

    return RepDialog(None, next((rep for rep in people if rep.own_hours is not None), people[0]))


def _dialog_builders(context: AppContext) -> list[tuple[str, Callable[[], QWidget]]]:
    """(file name, factory) for each main dialog, opened on real data where it needs some."""
    from app.views.catalog.dialog import CatalogDialog
    from app.views.checks.templates_dialog import ChecklistTemplatesDialog
    from app.views.first_run import FirstRunDialog, UserPickerDialog
    from app.views.plans.dialog import PlansDialog
    from app.views.preferences import PreferencesDialog
    from app.views.reps import RepsDialog

    builders: list[tuple[str, Callable[[], QWidget]]] = [
        ("dialog-first-run", lambda: FirstRunDialog()),
        ("dialog-user-picker", lambda: UserPickerDialog(None, context.current_rep)),
        ("dialog-preferences", lambda: PreferencesDialog(context)),
        ("dialog-catalog", lambda: CatalogDialog(context)),
        ("dialog-plans", lambda: PlansDialog(context)),
        ("dialog-checklists", lambda: ChecklistTemplatesDialog(context)),
        ("dialog-audit-log", lambda: _audit_log_dialog(context)),
        ("dialog-reps", lambda: RepsDialog(context)),
        ("dialog-error", _sample_error_dialog),
        ("dialog-recovery-key", _recovery_key_dialog),
        ("dialog-qt-file", _qt_file_dialog),
    ]
    people = reps.list_reps()
    if people:
        builders.append(("dialog-rep-edit", lambda: _rep_dialog(people)))
    database = context.database.path
    if database is not None:  # an office server is backed up on the server
        builders.append(("dialog-backups", lambda: _backups_dialog(database)))
    from app.views.agenda.screens import agenda_dialog_builders
    from app.views.cases.screens import case_dialog_builders
    from app.views.charters.screens import charter_dialog_builders
    from app.views.checks.screens import check_dialog_builders
    from app.views.customers.screens import customer_dialog_builders
    from app.views.imports.screens import import_dialog_builders
    from app.views.reports.screens import reports_dialog_builders
    from app.views.returns.screens import returns_dialog_builders

    return (
        builders
        + customer_dialog_builders(context)
        + agenda_dialog_builders(context)
        + case_dialog_builders(context)
        + returns_dialog_builders(context)
        + check_dialog_builders(context)
        + charter_dialog_builders(context)
        + reports_dialog_builders(context)
        + import_dialog_builders(context)
    )


def _audit_log_dialog(context: AppContext) -> QWidget:
    """The audit log with its newest entry chosen, its changes in full below the list."""
    from app.views.audit_log import AuditLogDialog

    dialog = AuditLogDialog(context)
    dialog.table.selectRow(0)
    return dialog


def _sample_error_dialog() -> QWidget:
    """The error dialog as a defect shows it: message, details, Copy details, Open log folder."""
    import sqlite3

    from app.views.errors import ErrorDialog

    try:
        raise sqlite3.OperationalError("disk I/O error")
    except sqlite3.OperationalError as exc:
        dialog = ErrorDialog(None, exc)
    dialog.details_button.setChecked(True)
    return dialog


def _backups_dialog(database: Path) -> QWidget:
    """File ▸ Backups… on a folder of its own holding one backup of the database, never this
    machine's backups folder."""
    from app.services import backups
    from app.views.backups import BackupsDialog

    folder = Path(tempfile.mkdtemp(prefix="postventa-backups-"))
    backups.back_up(database, folder)
    dialog = BackupsDialog(database, folder)
    # The copy holds the database's customers: it goes with the picture's dialog.
    dialog.destroyed.connect(lambda *args: shutil.rmtree(folder, ignore_errors=True))
    return dialog


def _recovery_key_dialog() -> QWidget:
    """The recovery key shown once after encrypting, for a key made for the picture (no database's)."""
    from app.models import cipher
    from app.views.encryption import RecoveryKeyDialog

    return RecoveryKeyDialog(cipher.recovery_key(cipher.new_key()), "portatil-ana.sqlite3")


def _qt_file_dialog() -> QWidget:
    """Qt's own save dialog (what Linux shows), to check it speaks the language.

    It opens on a folder of its own with one sample document, never on a folder of this machine's.
    """
    from PySide6.QtWidgets import QFileDialog

    folder = Path(tempfile.mkdtemp(prefix="postventa-file-dialog-"))
    (folder / _("Reports")).mkdir()
    (folder / "memo-2026.pdf").write_bytes(b"%PDF-1.4\n")
    dialog = QFileDialog(None, _("Save as…"), str(folder), "PDF (*.pdf)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.resize(900, 460)
    return dialog


def render_screenshots(target: str, out_dir: str, language: str, *, force: bool = False) -> list[Path]:
    """Write <lang>-NN-<page>.png for each page and <lang>-dialog-*.png; returns the paths.

    Without `force` a folder that already holds <lang>-*.png files is refused before anything is
    rendered (any of them may be one this run writes); with it, the PNG files this run writes replace
    those of the same name, and other files are left alone.
    """
    out = Path(out_dir)
    pattern = f"{language}-*.png"
    if not force and out.is_dir() and any(out.glob(pattern)):
        raise OutputError(
            _("{folder} already holds screenshots ({pattern}); add --force to replace them.").format(
                folder=out, pattern=pattern
            )
        )
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from app.views.app import apply_language, ensure_qapplication

    # Pictures must not depend on this user's remembered window sizes, nor change them.
    scratch = tempfile.mkdtemp(prefix="postventa-screenshots-")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, scratch)
    from app.views.main_window import MainWindow
    from app.views.pages.registry import PAGES

    ensure_qapplication()
    apply_language(language)
    info = open_database(target, create=False)
    people = reps.list_reps()
    # A manager sees everyone's work, which makes the fullest pictures.
    current = next((r for r in people if r.is_manager), people[0] if people else None)
    context = AppContext(database=info, current_rep=current)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    window = MainWindow(context)
    window.resize(*WINDOW_SIZE)
    window.show()
    for index, spec in enumerate(PAGES, start=1):
        page = window.show_page(spec.key)
        written.append(_save(window, out / f"{language}-{index:02d}-{spec.key}.png", force))
        for suffix, switch in page.screenshot_views():
            switch()
            written.append(_save(window, out / f"{language}-{index:02d}-{spec.key}-{suffix}.png", force))

    for name, build in _dialog_builders(context):
        dialog = build()
        dialog.show()
        written.append(_save(dialog, out / f"{language}-{name}.png", force))
        dialog.close()
        dialog.deleteLater()
    window.close()
    return written
