"""Search everything (Ctrl+K) in the window, and the Customers page's "My customers" filter."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit

from app.models import Customer
from app.models.enums import RepRole, ReturnState
from app.services import reps
from app.services.search import HitKind
from app.views.customers.customer_360 import Customer360Dialog
from app.views.customers.page import CustomerListPage
from app.views.pages.base import AppContext
from app.views.search import SearchDialog
from tests.factories import product, sale, warranty_return
from tests.views.test_main_window import make_window, press

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def shop(database):
    product("LV-1")
    pena = Customer.create(code="C-001", name="Peña Álvarez")
    ruiz = Customer.create(code="C-002", name="Talleres Ruiz")
    first = warranty_return(sale(pena, DAY, (1, "100.00"))[0], ReturnState.REQUESTED, None, DAY)
    second = warranty_return(sale(ruiz, DAY, (1, "100.00"))[0], ReturnState.CLOSED, None, DAY)
    return {"pena": pena, "ruiz": ruiz, "first": first, "second": second}


def _drive_with(monkeypatch, drive) -> None:
    """SearchDialog.exec runs `drive(dialog)` instead of a modal loop (the test types into it)."""

    def exec_(dialog: SearchDialog) -> int:
        dialog.show()
        drive(dialog)
        return dialog.result()

    monkeypatch.setattr(SearchDialog, "exec", exec_)


def _type(qtbot, dialog: SearchDialog, text: str) -> None:
    qtbot.keyClicks(dialog.search_box, text)
    qtbot.waitUntil(lambda: not dialog.searching and dialog.results.text == text, timeout=5000)


def test_ctrl_k_opens_the_search_typing_finds_a_return_and_enter_opens_it(qtbot, database, shop, monkeypatch):
    window = make_window(qtbot, database)
    number = shop["second"].number  # a closed return: hidden by the Returns page's default filter

    def drive(dialog: SearchDialog) -> None:
        _type(qtbot, dialog, number.lower())
        hit = dialog.current_hit()
        assert hit is not None and (hit.kind, hit.record_id) == (HitKind.RETURN, shop["second"].id)
        qtbot.keyClick(dialog.search_box, Qt.Key.Key_Return)

    _drive_with(monkeypatch, drive)
    press(window, Qt.Key.Key_K)
    page = window.current_page()
    assert page is window.page("returns")
    assert page.selected_detail() is not None and page.selected_detail().row.id == shop["second"].id
    selected = page.table.selectionModel().selectedRows()
    assert [page.model.row_at(index.row()).id for index in selected] == [shop["second"].id]


def test_typing_in_the_window_box_opens_the_search_with_that_text(qtbot, database, shop, monkeypatch):
    window = make_window(qtbot, database)
    seen = []

    def drive(dialog: SearchDialog) -> None:
        seen.append(dialog.search_box.text())
        dialog.reject()

    _drive_with(monkeypatch, drive)
    box = window.findChild(QLineEdit, "searchEverything")
    qtbot.keyClicks(box, "R")
    assert seen == ["R"]
    assert box.text() == ""  # the dialog took it
    assert window.current_page() is not window.page("returns")  # closed: nothing opened


def test_arrows_step_over_the_headings_enter_right_after_typing_opens_the_new_hit(qtbot, database, shop):
    dialog = SearchDialog(None)
    qtbot.addWidget(dialog)
    dialog.show()
    _type(qtbot, dialog, "rma-2026")
    hits = [h.record_id for h in dialog.results.hits]
    assert len(hits) == 2 and dialog.current_hit().record_id == hits[0]
    qtbot.keyClick(dialog.search_box, Qt.Key.Key_Down)
    assert dialog.current_hit().record_id == hits[1]
    qtbot.keyClick(dialog.search_box, Qt.Key.Key_Down)  # stays on the last
    assert dialog.current_hit().record_id == hits[1]
    qtbot.keyClick(dialog.search_box, Qt.Key.Key_Up)
    qtbot.keyClick(dialog.search_box, Qt.Key.Key_Up)
    assert dialog.current_hit().record_id == hits[0]
    # Enter before the search ran opens what the new text finds, not the hit shown before.
    dialog.search_box.setText(shop["second"].number)
    qtbot.keyClick(dialog.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=5000)
    assert dialog.current_hit().record_id == shop["second"].id


def test_no_matches_is_said_and_esc_closes(qtbot, database, shop):
    dialog = SearchDialog(None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "Type a name" in dialog.status_text()
    _type(qtbot, dialog, "zzz-nothing")
    assert dialog.results_list.count() == 0
    assert dialog.status_text() == "No matches for “zzz-nothing”."
    qtbot.keyClick(dialog.search_box, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected


def test_a_customer_hit_selects_it_and_a_sale_hit_opens_its_360_view_on_it(
    qtbot, database, shop, monkeypatch
):
    window = make_window(qtbot, database)
    customers = window.page("customers")
    customers.search_box.setText("something else")
    opened = []
    monkeypatch.setattr(
        Customer360Dialog, "show_customer", lambda parent, customer_id, **kw: opened.append((customer_id, kw))
    )
    hit = next(h for h in _search("ruiz") if h.kind is HitKind.CUSTOMER)
    window.open_search_hit(hit)
    assert window.current_page() is customers
    assert customers.selected_customer().id == shop["ruiz"].id
    assert opened == []
    sale_hit = next(h for h in _search(shop["first"].sold_unit.line.sale.number) if h.kind is HitKind.SALE)
    window.open_search_hit(sale_hit)
    assert customers.selected_customer().id == shop["pena"].id
    assert [(c, kw["sale_id"]) for c, kw in opened] == [(shop["pena"].id, sale_hit.record_id)]


def _search(text: str):
    from app.services.search import search_everything

    return search_everything(text).hits


# --- "My customers" ------------------------------------------------------------------------------


@pytest.fixture
def team(database):
    ana = reps.create_rep("ANA", "Ana García")
    luis = reps.create_rep("LUIS", "Luis Pérez")
    boss = reps.create_rep("BOSS", "Marta Jefa", role=RepRole.MANAGER)
    for code, rep in (("A1", ana), ("A2", ana), ("L1", luis), ("N1", None)):
        Customer.create(code=code, name=f"Customer {code}", rep=rep.id if rep else None)
    return {"ana": ana, "luis": luis, "boss": boss}


def _codes(page: CustomerListPage) -> list[str]:
    return sorted(page.model.customer_at(row).code for row in range(page.model.rowCount()))


def _page(qtbot, database, rep) -> CustomerListPage:
    page = CustomerListPage(AppContext(database=database, current_rep=rep))
    qtbot.addWidget(page)
    page.show()
    return page


def test_a_rep_ticks_my_customers_and_it_is_remembered(qtbot, database, team):
    page = _page(qtbot, database, team["ana"])
    assert page.mine_box.isVisible() and not page.owner_combo.isVisible()
    assert not page.mine_box.isChecked()  # off by default
    assert _codes(page) == ["A1", "A2", "L1", "N1"]
    page.mine_box.setChecked(True)
    assert _codes(page) == ["A1", "A2"]
    page.search_box.setText("L1")
    page._apply_filter()
    assert "assigned to Ana García" in page.empty_state_text()
    again = _page(qtbot, database, team["ana"])
    assert again.mine_box.isChecked() and _codes(again) == ["A1", "A2"]


def test_a_manager_picks_any_rep(qtbot, database, team):
    page = _page(qtbot, database, team["boss"])
    assert page.owner_combo.isVisible() and not page.mine_box.isVisible()
    assert _codes(page) == ["A1", "A2", "L1", "N1"]
    page.owner_combo.setCurrentIndex(page.owner_combo.findData(team["luis"].id))
    assert _codes(page) == ["L1"]
    again = _page(qtbot, database, team["boss"])
    assert again.owner_combo.currentData() == team["luis"].id and _codes(again) == ["L1"]
    again.owner_combo.setCurrentIndex(0)
    assert _codes(again) == ["A1", "A2", "L1", "N1"]


def test_a_search_hit_for_another_reps_customer_clears_my_customers(qtbot, database, team):
    page = _page(qtbot, database, team["ana"])
    page.mine_box.setChecked(True)
    luis_customer = Customer.get(Customer.code == "L1")
    assert page.show_customer(luis_customer.id)
    assert not page.mine_box.isChecked()
    assert page.selected_customer().id == luis_customer.id


def test_the_360_view_opens_on_the_sales_tab_with_the_sale_or_unit_chosen(qtbot, database, shop):
    unit = shop["first"].sold_unit
    dialog = Customer360Dialog(None, shop["pena"].id)
    qtbot.addWidget(dialog)
    dialog.show_sale_or_unit(None, unit.id)
    assert dialog.tabs.currentIndex() == 1  # "Sales and units"
    assert dialog.selected_unit() is not None and dialog.selected_unit().id == unit.id
    dialog.show_sale_or_unit(unit.line.sale.id, None)
    assert dialog.selected_sale() is not None and dialog.selected_sale().id == unit.line.sale.id
