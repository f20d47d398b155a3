"""The agenda dialogs as `postventa screenshots` shows them, opened on a planned satisfaction call."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from app.models import FollowUp
from app.models.enums import FollowUpPurpose, FollowUpState
from app.services.followups import get_follow_up
from app.views.agenda.dialogs import (
    CancelFollowUpDialog,
    CompleteFollowUpDialog,
    FollowUpDialog,
    RescheduleDialog,
)
from app.views.pages.base import AppContext


def _sample_follow_up_id() -> int | None:
    """A planned follow-up, a satisfaction call if there is one (its dialog shows the scores)."""
    planned = FollowUp.select(FollowUp.id).where(FollowUp.state == FollowUpState.PLANNED)
    satisfaction = planned.where(FollowUp.purpose == FollowUpPurpose.SATISFACTION).order_by(
        FollowUp.scheduled_at
    )
    return satisfaction.limit(1).scalar() or planned.order_by(FollowUp.scheduled_at).limit(1).scalar()


def agenda_dialog_builders(context: AppContext) -> list[tuple[str, Callable[[], QWidget]]]:
    builders: list[tuple[str, Callable[[], QWidget]]] = [
        ("dialog-follow-up-new", lambda: FollowUpDialog(None))
    ]
    follow_up_id = _sample_follow_up_id()
    if follow_up_id is None:
        return builders
    row = get_follow_up(follow_up_id)
    return builders + [
        ("dialog-follow-up-complete", lambda: CompleteFollowUpDialog(None, row)),
        ("dialog-follow-up-reschedule", lambda: RescheduleDialog(None, row)),
        ("dialog-follow-up-cancel", lambda: CancelFollowUpDialog(None, row)),
    ]
