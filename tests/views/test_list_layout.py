"""Lists read and sort on a laptop (#22): every page's lists sort by a click on their header, in SQL
where they load lazily, and remember it; widths are declared by the models, kept per list and per
tab; no page scrolls sideways at 1280×720 or 1366×768; the selection moves on after an action; long
combos filter as you type; error labels keep their room."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLineEdit, QTableView, QVBoxLayout, QWidget

from app.demo import generate_demo
from app.services import reps
from app.views import dialogs
from app.views.agenda.dialogs import CancelFollowUpDialog
from app.views.agenda.page import OVERDUE, TODAY, AgendaPage
from app.views.agenda.table_model import PHONE, TIME
from app.views.cases.page import CasesPage
from app.views.checks.page import UsageChecksPage
from app.views.combos import filter_as_you_type
from app.views.customers import page as customers_module
from app.views.customers.page import AT_RISK, CustomerListPage
from app.views.dialogs import with_error_label
from app.views.pages.base import AppContext
from app.views.returns.page import ReturnsPage


@pytest.fixture
def demo(database):
    generate_demo(customers=40, seed=5)
    _overdue_calls(8)
    people = reps.list_reps()
    manager = next(r for r in people if r.is_manager)
    return AppContext(database=database, current_rep=manager)


def _overdue_calls(count: int) -> None:
    """Calls missed on the days before today, whatever day the tests run (the demo's own overdue
    follow-ups depend on the weekday)."""
    import datetime as dt

    from app.models import Customer
    from app.models.enums import FollowUpKind, FollowUpPurpose
    from app.services import followups

    active = Customer.select().where(Customer.archived == False).order_by(Customer.id)  # noqa: E712
    for days, customer in enumerate(active.limit(count), start=1):
        at = dt.datetime.combine(dt.date.today() - dt.timedelta(days=days), dt.time(9, 30))
        followups.schedule_follow_up(
            customer.id,
            FollowUpKind.CALL,
            FollowUpPurpose.COMMERCIAL,
            at,
            rep_id=customer.rep_id,
            confirm_past=True,
        )


def _settle(qtbot) -> None:
    from PySide6.QtCore import QThreadPool

    for _round in range(3):
        QThreadPool.globalInstance().waitForDone(10000)
        qtbot.wait(5)


def click_header(table: QTableView, column: int) -> None:
    header = table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


# (page, how to build it, its lists: (name, the table, switch to it))
Lists = Callable[[object], list[tuple[str, QTableView, Callable[[], None]]]]
PAGES: list[tuple[str, Callable[[AppContext], object], Lists]] = [
    (
        "agenda",
        lambda context: AgendaPage(context),
        lambda page: [
            ("today", page.table, lambda: page.show_view(TODAY)),
            ("overdue", page.table, lambda: page.show_view(OVERDUE)),
        ],
    ),
    (
        "customers",
        lambda context: CustomerListPage(context),
        lambda page: [("all", page.table, lambda: None)],
    ),
    (
        "customers-at-risk",
        lambda context: CustomerListPage(context),
        lambda page: [("at risk", page.risk_table, lambda: page.set_mode(AT_RISK))],
    ),
    ("cases", lambda context: CasesPage(context), lambda page: [("all", page.table, lambda: None)]),
    ("returns", lambda context: ReturnsPage(context), lambda page: [("open", page.table, lambda: None)]),
    (
        "checks",
        lambda context: UsageChecksPage(context),
        lambda page: [("done", page.table, lambda: None), ("due", page.due_table, lambda: None)],
    ),
]


def _sortable(table: QTableView) -> list[int]:
    model = table.model()
    columns = range(table.horizontalHeader().count())
    return [
        c for c in columns if getattr(model, "is_sortable", lambda c: True)(c) and not table.isColumnHidden(c)
    ]


def _texts(table: QTableView, column: int) -> list[str]:
    model = table.model()
    return [model.index(r, column).data() or "" for r in range(model.rowCount())]


@pytest.mark.parametrize(("name", "build", "lists"), PAGES, ids=[p[0] for p in PAGES])
def test_every_sortable_header_sorts_and_the_sort_is_remembered_across_a_rebuild(
    qtbot, demo, name, build, lists
):
    page = build(demo)
    qtbot.addWidget(page)
    page.resize(1280, 700)
    page.show()
    for list_name, table, switch in lists(page):
        switch()
        _settle(qtbot)
        assert table.isSortingEnabled(), list_name
        columns = _sortable(table)
        assert len(columns) >= 3, (list_name, columns)
        for column in columns:
            click_header(table, column)
            _settle(qtbot)
            header = table.horizontalHeader()
            assert header.sortIndicatorSection() == column, (list_name, column)
            model = table.model()
            if hasattr(model, "sort_column"):
                assert model.sort_column() == column, (list_name, column)
        # The last column clicked, then clicked again: descending.
        last = columns[-1]
        click_header(table, last)
        _settle(qtbot)
        assert table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    # A new page (the window rebuilt, or the next start) shows each list sorted as it was left.
    again = build(demo)
    qtbot.addWidget(again)
    again.show()
    for list_name, table, switch in lists(again):
        switch()
        _settle(qtbot)
        columns = _sortable(table)
        header = table.horizontalHeader()
        assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
            columns[-1],
            Qt.SortOrder.DescendingOrder,
        ), list_name
        model = table.model()
        if hasattr(model, "sort_column"):
            assert model.sort_column() == columns[-1], list_name


def test_the_agenda_sorts_in_sql_by_the_clicked_column(qtbot, demo):
    page = AgendaPage(demo)
    qtbot.addWidget(page)
    page.show_view(OVERDUE)
    model = page.model
    assert model.total_count() > 5
    click_header(page.table, PHONE)  # away from the time, then back: oldest first, then newest first
    assert model.sort_column() == PHONE
    click_header(page.table, TIME)
    times = [model.row_at(r).scheduled_at for r in range(model.rowCount())]
    assert times == sorted(times)
    click_header(page.table, TIME)
    times = [model.row_at(r).scheduled_at for r in range(model.rowCount())]
    assert times == sorted(times, reverse=True)


def test_a_click_on_a_column_that_does_not_sort_keeps_the_order(qtbot, demo):
    from app.views.customers.table_model import EMAIL, NAME

    page = CustomerListPage(demo)
    qtbot.addWidget(page)
    page.show()
    click_header(page.table, EMAIL)
    qtbot.waitUntil(lambda: page.table.horizontalHeader().sortIndicatorSection() == NAME)
    assert page.model.sort_column() == NAME


def test_the_agenda_tabs_keep_their_own_widths_remembered_for_the_next_page(qtbot, demo):
    page = AgendaPage(demo)
    qtbot.addWidget(page)
    page.show_view(TODAY)
    today_default = page.table.columnWidth(TIME)
    page.show_view(OVERDUE)
    overdue_default = page.table.columnWidth(TIME)
    assert overdue_default > today_default  # "02/12/2026 10:30" against "10:30"
    page.table.horizontalHeader().resizeSection(TIME, overdue_default + 37)  # as a drag does
    page.show_view(TODAY)
    assert page.table.columnWidth(TIME) == today_default
    page.show_view(OVERDUE)
    assert page.table.columnWidth(TIME) == overdue_default + 37

    again = AgendaPage(demo)
    qtbot.addWidget(again)
    again.show_view(OVERDUE)
    assert again.table.columnWidth(TIME) == overdue_default + 37
    again.show_view(TODAY)
    assert again.table.columnWidth(TIME) == today_default


def test_columns_start_at_least_as_wide_as_their_titles_and_never_from_the_rows(qtbot, demo):
    page = CasesPage(demo)
    qtbot.addWidget(page)
    header = page.table.horizontalHeader()
    for column in range(header.count()):
        if page.table.isColumnHidden(column) or header.sectionResizeMode(column).name == "Stretch":
            continue
        title = page.table.model().headerData(column, Qt.Orientation.Horizontal)
        assert header.sectionSize(column) >= header.fontMetrics().horizontalAdvance(title), title


def test_a_hidden_column_is_shown_from_the_header_menu_and_remembered(qtbot, demo):
    from app.views.cases.table_model import REP

    page = CasesPage(demo)
    qtbot.addWidget(page)
    assert page.table.isColumnHidden(REP)  # in the detail beside the list
    menu = page._layout.build_header_menu()
    action = next(a for a in menu.actions() if a.text() == "Rep")
    action.setChecked(True)
    assert not page.table.isColumnHidden(REP)
    assert page.table.columnWidth(REP) > 0
    again = CasesPage(demo)
    qtbot.addWidget(again)
    assert not again.table.isColumnHidden(REP)


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)])
def test_no_page_scrolls_its_lists_sideways_on_a_laptop_screen(qtbot, demo, size):
    from app.views.main_window import MainWindow
    from app.views.pages.registry import PAGES as WINDOW_PAGES

    window = MainWindow(demo)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    for spec in WINDOW_PAGES:
        page = window.show_page(spec.key)
        for suffix, switch in [("", lambda: None), *page.screenshot_views()]:
            switch()
            _settle(qtbot)
            scrolling = [
                type(view).__name__
                for view in page.findChildren(QAbstractItemView)
                if view.isVisible() and view.horizontalScrollBar().isVisible()
            ]
            assert scrolling == [], (spec.key, suffix, size)


def test_after_cancelling_an_overdue_follow_up_the_next_one_is_selected(qtbot, demo, monkeypatch):
    page = AgendaPage(demo)
    qtbot.addWidget(page)
    page.show_view(OVERDUE)
    model = page.model
    assert model.rowCount() >= 3
    first, second = model.row_at(0), model.row_at(1)
    page.select_follow_up(first.id)
    monkeypatch.setattr(CancelFollowUpDialog, "ask", classmethod(lambda cls, parent, row: "Not needed"))
    page.cancel_selected()
    assert model.row_of(first.id) < 0  # cancelled: no longer overdue
    assert page.selected_row() is not None and page.selected_row().id == second.id


def test_after_archiving_a_customer_the_next_one_is_selected(qtbot, demo, monkeypatch):
    page = CustomerListPage(demo)
    qtbot.addWidget(page)
    model = page.model
    first, second = model.row_at(0), model.row_at(1)
    page.select_customer(first.id)
    monkeypatch.setattr(customers_module, "confirm", lambda *args, **kwargs: True)
    page.toggle_archive_selected()
    assert model.row_of(first.id) < 0
    assert page.selected_customer().id == second.id


def test_the_agenda_moves_on_from_the_last_row_to_the_one_before(qtbot, demo, monkeypatch):
    page = AgendaPage(demo)
    qtbot.addWidget(page)
    page.show_view(OVERDUE)
    model = page.model
    while model.canFetchMore():
        model.fetchMore()
    last, before = model.row_at(model.rowCount() - 1), model.row_at(model.rowCount() - 2)
    page.select_follow_up(last.id)
    monkeypatch.setattr(CancelFollowUpDialog, "ask", classmethod(lambda cls, parent, row: "Not needed"))
    page.cancel_selected()
    assert page.selected_row().id == before.id


# --- combos ---------------------------------------------------------------------------------

HOLDERS: list[QWidget] = []


@pytest.fixture(autouse=True)
def _forget_holders():
    yield
    HOLDERS.clear()


def _combo(qtbot) -> tuple[QComboBox, QLineEdit]:
    holder = QWidget()
    HOLDERS.append(holder)  # alive until the test ends (qtbot closes it)
    qtbot.addWidget(holder)
    layout = QVBoxLayout(holder)
    combo = QComboBox()
    for number, name in enumerate(
        [
            "Lavadora carga frontal",
            "Frigorífico combi",
            "Cafetera espresso",
            "Lámpara Peña",
            "Frigorífico americano",
        ]
    ):
        combo.addItem(name, 100 + number)
    filter_as_you_type(combo)
    other = QLineEdit()
    layout.addWidget(combo)
    layout.addWidget(other)
    holder.show()
    return combo, other


def _offered(combo: QComboBox) -> list[str]:
    model = combo.completer().completionModel()
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_a_long_combo_offers_the_items_holding_every_typed_word_accents_ignored(qtbot):
    combo, _other = _combo(qtbot)
    combo.lineEdit().selectAll()
    QTest.keyClicks(combo.lineEdit(), "frigo")
    assert _offered(combo) == ["Frigorífico combi", "Frigorífico americano"]
    combo.lineEdit().selectAll()
    QTest.keyClicks(combo.lineEdit(), "pena lam")
    assert _offered(combo) == ["Lámpara Peña"]


def test_picking_an_offered_item_chooses_it(qtbot):
    combo, _other = _combo(qtbot)
    combo.lineEdit().selectAll()
    QTest.keyClicks(combo.lineEdit(), "americ")
    popup = combo.completer().popup()
    assert popup.isVisible()
    QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    assert combo.currentData() == 104


def test_text_naming_no_item_is_undone_when_leaving_the_combo(qtbot):
    combo, other = _combo(qtbot)
    combo.setCurrentIndex(2)
    combo.setFocus()
    combo.lineEdit().selectAll()
    QTest.keyClicks(combo.lineEdit(), "nothing like it")
    other.setFocus()
    combo.lineEdit().editingFinished.emit()  # offscreen focus changes do not always deliver it
    assert combo.currentIndex() == 2
    assert combo.currentText() == "Cafetera espresso"


# --- error labels --------------------------------------------------------------------------------


def test_an_error_under_a_field_does_not_move_the_fields_below(qtbot):
    holder = QWidget()
    qtbot.addWidget(holder)
    layout = QVBoxLayout(holder)
    first, error = with_error_label(QLineEdit())
    second = QLineEdit()
    layout.addWidget(first)
    layout.addWidget(second)
    layout.addStretch(1)
    holder.resize(400, 300)
    holder.show()
    qtbot.wait(5)
    before = second.geometry().top()
    error.setText("The name is required.")
    error.show()
    qtbot.wait(5)
    assert second.geometry().top() == before
    error.hide()
    qtbot.wait(5)
    assert second.geometry().top() == before
    assert dialogs.field_error_label().sizePolicy().retainSizeWhenHidden() is False  # general lines


def test_a_chosen_item_of_a_filtering_combo_reads_from_its_start(qtbot):
    combo = QComboBox()
    combo.addItems(
        ["Aerotermia 8 kW con depósito de ACS (CLI-004)", "Lavadora carga frontal 10 kg con vapor (LAV-002)"]
    )
    filter_as_you_type(combo)
    combo.resize(160, 30)
    qtbot.addWidget(combo)
    combo.show()
    combo.setCurrentIndex(1)
    assert combo.lineEdit().cursorPosition() == 0
