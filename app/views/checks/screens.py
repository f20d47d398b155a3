"""The check dialogs as `postventa screenshots` shows them, opened on a draft check (else any)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from app.models import UsageCheck
from app.models.enums import CheckStatus
from app.views.checks.dialog import CheckDialog, StartCheckDialog
from app.views.pages.base import AppContext


def _sample_check_id() -> int | None:
    """A draft with some answers if there is one (the dialog shows progress), else the latest check."""
    draft = UsageCheck.select(UsageCheck.id).where(UsageCheck.status == CheckStatus.DRAFT)
    return (
        draft.order_by(UsageCheck.started_at.desc()).limit(1).scalar()
        or UsageCheck.select(UsageCheck.id).order_by(UsageCheck.started_at.desc()).limit(1).scalar()
    )


def check_dialog_builders(context: AppContext) -> list[tuple[str, Callable[[], QWidget]]]:
    builders: list[tuple[str, Callable[[], QWidget]]] = [("dialog-check-new", lambda: StartCheckDialog(None))]
    check_id = _sample_check_id()
    if check_id is not None:
        builders.append(("dialog-check", lambda: CheckDialog(None, check_id, context.acting_rep_id)))
    return builders
