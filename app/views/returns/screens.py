"""The returns dialogs as `postventa screenshots` shows them, opened on a received return."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from app.models import WarrantyReturn
from app.models.enums import ReturnState
from app.services.returns import get_return
from app.views.pages.base import AppContext
from app.views.returns.dialogs import AdvanceReturnDialog, OpenReturnDialog


def returns_dialog_builders(context: AppContext) -> list[tuple[str, Callable[[], QWidget]]]:
    builders: list[tuple[str, Callable[[], QWidget]]] = [
        ("dialog-return-open", lambda: OpenReturnDialog(None))
    ]
    return_id = (
        WarrantyReturn.select(WarrantyReturn.id)
        .where(WarrantyReturn.state == ReturnState.RECEIVED)
        .order_by(WarrantyReturn.reported_on)
        .limit(1)
        .scalar()
    )
    if return_id is None:
        return builders
    detail = get_return(return_id)
    return builders + [
        ("dialog-return-inspect", lambda: AdvanceReturnDialog(None, detail, ReturnState.INSPECTED))
    ]
