"""The cases dialogs as `postventa screenshots` shows them, opened on real cases where they need one."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from app.models.enums import CaseKind, CaseStage
from app.services.cases import CaseFilter, list_cases, suggested_solution
from app.views.cases.dialogs import (
    AnalysisDialog,
    AnswerDialog,
    CloseCaseDialog,
    ForwardDialog,
    MediationDialog,
    MediationOutcomeDialog,
    NewCaseDialog,
    ProposalDialog,
)
from app.views.pages.base import AppContext


def _first(kind: CaseKind, stage: CaseStage):
    rows = list_cases(CaseFilter(kind=kind, stage=stage), limit=1)
    return rows[0] if rows else None


def case_dialog_builders(context: AppContext) -> list[tuple[str, Callable[[], QWidget]]]:
    builders: list[tuple[str, Callable[[], QWidget]]] = [("dialog-case-new", lambda: NewCaseDialog(None))]
    K, S = CaseKind, CaseStage
    for name, kind, stage, build in [
        ("dialog-case-analysis", K.COMPLAINT, S.RECEPTION, AnalysisDialog),
        ("dialog-case-proposal", K.COMPLAINT, S.ANALYSIS, ProposalDialog),
        ("dialog-case-answer", K.COMPLAINT, S.SERVICE, AnswerDialog),
        ("dialog-case-mediation", K.COMPLAINT, S.INTERNAL_NEGOTIATION, MediationDialog),
        ("dialog-case-close", K.COMPLAINT, S.SERVICE, CloseCaseDialog),
        ("dialog-case-mediation-outcome", K.CLAIM, S.EXTERNAL_MEDIATION, MediationOutcomeDialog),
        ("dialog-case-forward", K.SUGGESTION, S.ACKNOWLEDGED, ForwardDialog),
    ]:
        row = _first(kind, stage)
        if row is not None:
            if build is ProposalDialog:
                suggested = suggested_solution(row.category)
                builders.append(
                    (
                        name,
                        lambda row=row, suggested=suggested: ProposalDialog(None, row, suggested=suggested),
                    )
                )
            else:
                builders.append((name, lambda build=build, row=row: build(None, row)))
    return builders
