"""The pages of the main window, in sidebar order.

Each entry builds its page from the context; pages are imported when built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QStyle, QWidget

from app.i18n import N_
from app.views.pages.base import AppContext, Page


@dataclass(frozen=True)
class PageSpec:
    key: str  # stable: remembered as the last page
    title: str  # N_() marked, translated at display
    icon: QStyle.StandardPixmap
    build: Callable[[AppContext, QWidget | None], Page]


def _dashboard(context: AppContext, parent: QWidget | None) -> Page:
    from app.views.dashboard.page import DashboardPage

    return DashboardPage(context, parent)


def _agenda(context: AppContext, parent: QWidget | None) -> Page:
    from app.views.agenda.page import AgendaPage

    return AgendaPage(context, parent)


def _cases(context: AppContext, parent: QWidget | None) -> Page:
    from app.views.cases.page import CasesPage

    return CasesPage(context, parent)


def _returns(context: AppContext, parent: QWidget | None) -> Page:
    from app.views.returns.page import ReturnsPage

    return ReturnsPage(context, parent)


def _checks(context: AppContext, parent: QWidget | None) -> Page:
    from app.views.checks.page import UsageChecksPage

    return UsageChecksPage(context, parent)


def _customers(context: AppContext, parent: QWidget | None) -> Page:
    from app.views.customers.page import CustomerListPage

    return CustomerListPage(context, parent)


def _charters(context: AppContext, parent: QWidget | None) -> Page:
    from app.views.charters.page import ChartersPage

    return ChartersPage(context, parent)


def _reports(context: AppContext, parent: QWidget | None) -> Page:
    from app.views.reports.page import ReportsPage

    return ReportsPage(context, parent)


def _conflicts(context: AppContext, parent: QWidget | None) -> Page:
    from app.views.conflicts.page import ConflictsPage

    return ConflictsPage(context, parent)


SP = QStyle.StandardPixmap
PAGES: list[PageSpec] = [
    PageSpec("dashboard", N_("Dashboard"), SP.SP_ComputerIcon, _dashboard),
    PageSpec("agenda", N_("Agenda"), SP.SP_FileDialogDetailedView, _agenda),
    PageSpec("customers", N_("Customers"), SP.SP_DirHomeIcon, _customers),
    PageSpec("checks", N_("Usage checks"), SP.SP_DialogApplyButton, _checks),
    PageSpec("returns", N_("Warranty returns"), SP.SP_BrowserReload, _returns),
    PageSpec("cases", N_("Cases"), SP.SP_MessageBoxWarning, _cases),
    PageSpec("charters", N_("Service charters"), SP.SP_FileDialogContentsView, _charters),
    PageSpec("reports", N_("Reports"), SP.SP_FileIcon, _reports),
    # A laptop's sync conflicts (issue 16); on a database that does not sync, why there are none.
    PageSpec("conflicts", N_("Conflicts"), SP.SP_DriveNetIcon, _conflicts),
]
