"""The Customers page, its table model and the customer, sale and 360° dialogs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget

from app.models import Customer, Product, ProductCategory, Sale, SoldUnit
from app.models.enums import CustomerKind, Segment
from app.services import customers as customer_service
from app.services.customers import CustomerInput, create_customer
from app.services.reps import create_rep
from app.services.sales import SaleLineInput, record_sale
from app.views.customers import page as page_module
from app.views.customers.customer_360 import Customer360Dialog
from app.views.customers.customer_dialog import CustomerDialog
from app.views.customers.page import CustomerListPage
from app.views.customers.sale_dialog import SaleDialog
from app.views.customers.table_model import CODE, KIND, NAME, SEGMENT, TAX_ID, CustomerTableModel
from app.views.events import CUSTOMERS, SALES, app_events
from app.views.pages.base import AppContext


@pytest.fixture
def rep(database):
    return create_rep("ana", "Ana García")


@pytest.fixture
def context(database, rep):
    return AppContext(database=database, current_rep=rep)


@pytest.fixture
def customers(database, rep):
    ids = {}
    for code, name, city, segment in [
        ("C-1", "Peña Hermanos", "Logroño", Segment.A),
        ("C-2", "Zapatería Ruiz", "Madrid", None),
        ("C-3", "Bodegas Peñalba", "Haro", Segment.C),
        ("C-4", "Álvarez e Hijos", "Ávila", Segment.B),
    ]:
        ids[code] = create_customer(CustomerInput(code=code, name=name, city=city, rep_id=rep.id), rep.id)
        if segment:
            Customer.update(segment=segment).where(Customer.id == ids[code]).execute()
    return ids


@pytest.fixture
def make_page(qtbot, context):
    def make(**kwargs) -> CustomerListPage:
        page = CustomerListPage(context, **kwargs)
        qtbot.addWidget(page)
        page.resize(1000, 500)
        return page

    return make


def names(model: CustomerTableModel) -> list[str]:
    return [model.index(row, NAME).data() for row in range(model.rowCount())]


def many_customers(count: int) -> None:
    for n in range(count):
        create_customer(
            CustomerInput(code=f"M-{n:03d}", name=f"Many {n:03d}", kind=CustomerKind.COMPANY), None
        )


# --- the table model --------------------------------------------------------


def test_model_passes_the_model_tester(qtmodeltester, customers):
    customer_service.archive_customer(customers["C-2"], None)
    model = CustomerTableModel(batch_size=2)
    model.set_filter("", include_archived=True)
    assert model.rowCount() == 2 and model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)


def test_model_tester_on_an_empty_model(qtmodeltester, database):
    model = CustomerTableModel()
    model.reload()
    assert model.rowCount() == 0
    qtmodeltester.check(model)


def test_model_shows_labels_badges_and_archived_rows(customers):
    customer_service.archive_customer(customers["C-2"], None)
    model = CustomerTableModel()
    model.set_filter("", include_archived=True)
    assert model.headerData(NAME, Qt.Orientation.Horizontal) == "Name"
    assert model.headerData(TAX_ID, Qt.Orientation.Horizontal) == "Tax ID"
    peña = model.row_of(customers["C-1"])
    assert model.index(peña, KIND).data() == "Person"  # the label, not the code "person"
    assert model.index(peña, SEGMENT).data() == "A"
    assert model.index(peña, SEGMENT).data(Qt.ItemDataRole.ToolTipRole) == "A (top value)"
    assert model.index(peña, NAME).data(Qt.ItemDataRole.FontRole) is None
    archived = model.row_of(customers["C-2"])
    assert model.index(archived, NAME).data() == "Zapatería Ruiz (archived)"
    font = model.index(archived, CODE).data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.italic()
    assert model.index(archived, CODE).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(archived, SEGMENT).data() == ""


def test_model_sorts_in_sql_and_ignores_other_columns(customers):
    model = CustomerTableModel()
    model.reload()
    # the names' collation order: "Álvarez" with the A's, not after the Z's (issue 22)
    assert names(model) == ["Álvarez e Hijos", "Bodegas Peñalba", "Peña Hermanos", "Zapatería Ruiz"]
    model.sort(CODE, Qt.SortOrder.DescendingOrder)
    assert [model.index(r, CODE).data() for r in range(4)] == ["C-4", "C-3", "C-2", "C-1"]
    model.sort(SEGMENT, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, SEGMENT).data() for r in range(4)] == ["A", "B", "C", ""]
    model.sort(TAX_ID, Qt.SortOrder.AscendingOrder)  # not sortable: order unchanged
    assert (model.sort_column(), [model.index(r, SEGMENT).data() for r in range(4)]) == (
        SEGMENT,
        ["A", "B", "C", ""],
    )


def test_model_fetches_in_batches(database):
    many_customers(25)
    model = CustomerTableModel(batch_size=10)
    model.reload()
    assert (model.rowCount(), model.total_count()) == (10, 25)
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 20
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 25 and not model.canFetchMore(QModelIndex())
    assert names(model) == [f"Many {n:03d}" for n in range(25)]


# --- the page ---------------------------------------------------------------


def test_typing_in_the_search_box_filters_after_a_pause(qtbot, make_page, customers):
    page = make_page()
    assert page.model.rowCount() == 4
    qtbot.keyClicks(page.search_box, "pena")
    assert page.model.rowCount() == 4  # debounced: not yet on every keystroke
    qtbot.waitUntil(lambda: page.model.total_count() == 2, timeout=2000)
    assert names(page.model) == ["Bodegas Peñalba", "Peña Hermanos"]
    qtbot.keyClicks(page.search_box, " haro")
    qtbot.waitUntil(lambda: names(page.model) == ["Bodegas Peñalba"], timeout=2000)


def test_no_match_shows_an_explanation(qtbot, make_page, customers):
    page = make_page()
    assert page.empty_state_text() == ""
    qtbot.keyClicks(page.search_box, "nobody")
    qtbot.waitUntil(lambda: page.empty_state_text() != "", timeout=2000)
    assert "No customer matches “nobody”" in page.empty_state_text()
    assert "Show archived" in page.empty_state_text()
    page.search_box.clear()
    qtbot.waitUntil(lambda: page.empty_state_text() == "", timeout=2000)


def test_empty_database_invites_to_create_the_first_customer(make_page, database):
    page = make_page()
    assert "no customers yet" in page.empty_state_text()
    assert not page._edit_button.isEnabled() and page._new_button.isEnabled()


def test_lazy_loading_fetches_more_batches_when_scrolling(qtbot, make_page, database):
    many_customers(35)
    page = make_page(batch_size=10)
    page.show()
    qtbot.waitExposed(page)
    assert page.model.rowCount() == 10
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() >= 20, timeout=2000)
    assert page.model.rowCount() in (20, 30, 35)  # whole batches, never past the end
    assert names(page.model)[:20] == [f"Many {n:03d}" for n in range(20)]


def test_select_customer_loads_batches_until_found(make_page, database):
    many_customers(35)
    page = make_page(batch_size=10)
    last = Customer.get(Customer.code == "M-034").id
    assert page.select_customer(last)
    assert page.selected_customer().code == "M-034"
    assert page.model.rowCount() == 35


def test_focus_search(qtbot, make_page, customers):
    page = make_page()
    page.show()
    qtbot.waitExposed(page)
    page.table.setFocus()
    assert page.focus_search() is True
    qtbot.waitUntil(page.search_box.hasFocus, timeout=2000)


def _fill_new_customer(dialog: CustomerDialog, qtbot, email: str) -> None:
    dialog.field("name").clear()
    qtbot.keyClicks(dialog.field("name"), "Nuevo Cliente")
    dialog.field("email").clear()
    qtbot.keyClicks(dialog.field("email"), email)


def test_new_customer_through_the_page_and_dialog(qtbot, make_page, customers, monkeypatch, rep):
    page = make_page()
    attempts = []

    def drive(dialog: CustomerDialog) -> int:
        # First a wrong e-mail: the error appears under the field and the dialog stays open.
        _fill_new_customer(dialog, qtbot, "not-an-email")
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
        attempts.append((dialog.result(), dialog.error_text("email"), dialog.field("name").text()))
        dialog.field("email").clear()
        qtbot.keyClicks(dialog.field("email"), "nuevo@example.com")
        assert dialog.error_text("email") == ""  # editing the field clears its message
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
        return dialog.result()

    monkeypatch.setattr(CustomerDialog, "exec", drive)
    with qtbot.waitSignal(app_events().data_changed) as signal:
        assert page.create_new() is True
    assert attempts == [
        (
            QDialog.DialogCode.Rejected,
            "This is not a valid e-mail address (like name@example.com).",
            "Nuevo Cliente",
        )
    ]
    created = Customer.get(Customer.name == "Nuevo Cliente")
    # The suggested code follows C-4; a sales rep's new customers are theirs by default.
    assert (created.code, created.email, created.rep_id) == ("C-00005", "nuevo@example.com", rep.id)
    assert signal.args == [frozenset({CUSTOMERS}), page]
    assert page.selected_customer().id == created.id
    assert page.model.total_count() == 5


def test_sales_rep_is_the_default_rep_of_new_customers(qtbot, customers, rep):
    dialog = CustomerDialog(None, None, acting_rep_id=rep.id, default_rep_id=rep.id)
    qtbot.addWidget(dialog)
    assert dialog.values().rep_id == rep.id
    assert dialog.values().code == "C-00005"


def test_edit_dialog_keeps_input_and_shows_a_duplicate_code_next_to_the_field(qtbot, customers, rep):
    dialog = CustomerDialog(None, customers["C-1"], acting_rep_id=rep.id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.field("name").text() == "Peña Hermanos"
    dialog.field("code").setText("c-2")
    dialog.field("city").setText("Calahorra")
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error_text("code") == "Another customer already has the code C-2."
    assert dialog.field("city").text() == "Calahorra"
    assert Customer.get_by_id(customers["C-1"]).city == "Logroño"
    dialog.field("code").setText("C-1")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert Customer.get_by_id(customers["C-1"]).city == "Calahorra"


def test_edit_from_the_page_refreshes_the_row(qtbot, make_page, customers, monkeypatch, rep):
    page = make_page()
    page.select_customer(customers["C-2"])

    def ask(parent, customer_id, **kwargs):
        data = customer_service.get_customer(customer_id).to_input()
        data.name = "Ruiz Calzados"
        customer_service.update_customer(customer_id, data, kwargs["acting_rep_id"])
        return customer_id

    monkeypatch.setattr(CustomerDialog, "ask", staticmethod(ask))
    with qtbot.waitSignal(app_events().data_changed):
        page.edit_selected()
    assert page.selected_customer().name == "Ruiz Calzados"
    assert "Ruiz Calzados" in names(page.model)


def test_consent_date_follows_the_checkbox(qtbot, database):
    dialog = CustomerDialog(None)
    qtbot.addWidget(dialog)
    assert not dialog.field("consent_date").isEnabled()
    assert dialog.values().consent_date is None
    dialog.field("contact_consent").setChecked(True)
    assert dialog.field("consent_date").isEnabled()
    assert dialog.values().consent_date == dt.date.today()


def test_archive_asks_first_then_restore(qtbot, make_page, customers, monkeypatch, rep):
    page = make_page()
    page.select_customer(customers["C-1"])
    questions = []
    answer = False
    monkeypatch.setattr(page_module, "confirm", lambda parent, q: questions.append(q) or answer)

    page.toggle_archive_selected()
    assert len(questions) == 1 and "Archive Peña Hermanos?" in questions[0]
    assert not Customer.get_by_id(customers["C-1"]).archived

    answer = True
    with qtbot.waitSignal(app_events().data_changed) as signal:
        page.toggle_archive_selected()
    assert signal.args[0] == frozenset({CUSTOMERS})
    assert Customer.get_by_id(customers["C-1"]).archived
    assert "Peña Hermanos" not in names(page.model)
    assert page.selected_customer().name == "Zapatería Ruiz"  # the next one (#22)

    page.show_archived_box.setChecked(True)
    assert "Peña Hermanos (archived)" in names(page.model)
    page.select_customer(customers["C-1"])
    assert page._archive_button.text() == "Restore"
    assert not page._sale_button.isEnabled()
    page.toggle_archive_selected()
    assert "Restore Peña Hermanos?" in questions[-1]
    assert not Customer.get_by_id(customers["C-1"]).archived
    assert page.selected_customer().name == "Peña Hermanos"


def test_changes_elsewhere_refresh_the_page(make_page, customers):
    page = make_page()
    create_customer(CustomerInput(code="C-9", name="Aaron"), None)
    page.on_data_changed(frozenset({"cases"}), None)
    assert "Aaron" not in names(page.model)
    page.on_data_changed(frozenset({CUSTOMERS}), None)
    assert names(page.model)[0] == "Aaron"


def test_enter_and_double_click_open_the_360_view(qtbot, make_page, customers, monkeypatch):
    page = make_page()
    page.show()
    qtbot.waitExposed(page)
    opened = []
    monkeypatch.setattr(
        Customer360Dialog, "show_customer", staticmethod(lambda parent, cid, **kwargs: opened.append(cid))
    )
    page.select_customer(customers["C-3"])
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus, timeout=2000)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened == [customers["C-3"]]
    page.table.doubleClicked.emit(page.model.index(0, NAME))
    assert opened == [customers["C-3"], customers["C-3"]]


# --- recording a sale ---------------------------------------------------------


@pytest.fixture
def products(database):
    category = ProductCategory.create(code="k", name="Kitchen")
    return (
        Product.create(sku="OV", name="Oven", category=category, warranty_months=24, price=Decimal("899.00")),
        Product.create(sku="FI", name="Filter", category=category, serialised=False, price=Decimal("12.50")),
    )


def test_sale_dialog_records_lines_with_serials(qtbot, customers, products, rep):
    oven, filter_ = products
    dialog = SaleDialog(None, customers["C-1"], rep_id=rep.id, today=dt.date(2026, 3, 1))
    qtbot.addWidget(dialog)
    first = dialog.lines[0]
    first.product.setCurrentIndex(first.product.findData(oven.id))
    assert first.unit_price() == Decimal("899.00")  # the product's price by default
    first.quantity.setValue(2)
    first.serials.setPlainText("SN-1")
    second = dialog.add_line()
    second.product.setCurrentIndex(second.product.findData(filter_.id))
    assert not second.serials.isEnabled()

    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "Line 1: enter 2 serial numbers" in first.error.text() and first.error.isVisibleTo(dialog)
    assert Sale.select().count() == 0

    first.serials.setPlainText("SN-1,\nSN-2")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    sale = Sale.get_by_id(dialog.sale_id)
    assert (sale.rep_id, sale.sold_on, sale.delivered_on) == (rep.id, dt.date(2026, 3, 1), None)
    assert sorted(u.serial_number or "" for u in SoldUnit.select()) == ["", "SN-1", "SN-2"]


def test_record_sale_from_the_page(qtbot, make_page, customers, products, monkeypatch, rep):
    page = make_page()
    page.select_customer(customers["C-4"])
    calls, shown = [], []
    monkeypatch.setattr(
        SaleDialog,
        "ask",
        staticmethod(lambda parent, customer_id, rep_id=None: calls.append((customer_id, rep_id)) or 7),
    )
    monkeypatch.setattr(page_module, "show_scheduled_after_sale", lambda parent, rows: shown.append(rows))
    with qtbot.waitSignal(app_events().data_changed) as signal:
        page.record_sale_for_selected()
    assert calls == [(customers["C-4"], rep.id)]
    assert signal.args[0] == frozenset({SALES})
    assert page.selected_customer().id == customers["C-4"]
    assert shown == [[]]  # this sale (a stand-in) scheduled nothing: the dialog says so


def test_after_a_sale_its_scheduled_follow_ups_are_listed_and_open_in_the_agenda(
    qtbot, make_page, customers, products, monkeypatch, rep
):
    """Issue 21: after recording a sale the person sees what its plans scheduled, and can open
    the agenda at the first one's week with it selected."""
    from app.services.followups.plans import install_default_plans

    install_default_plans()
    oven, _filter = products
    page = make_page()
    page.select_customer(customers["C-4"])
    delivered = dt.date.today() + dt.timedelta(days=1)

    def record(parent, customer_id, rep_id=None):
        line = SaleLineInput(oven.id, 1, Decimal("899.00"), ["SN-AFTER-1"])
        return record_sale(customer_id, rep_id, dt.date.today(), delivered, [line])

    monkeypatch.setattr(SaleDialog, "ask", staticmethod(record))
    shown = []
    monkeypatch.setattr(
        page_module, "show_scheduled_after_sale", lambda parent, rows: shown.append(rows) or True
    )
    with qtbot.waitSignal(page.navigate_requested) as navigation:
        page.record_sale_for_selected()
    (rows,) = shown
    assert rows and all(row.customer_id == customers["C-4"] for row in rows)
    assert [row.scheduled_at for row in rows] == sorted(row.scheduled_at for row in rows)
    assert navigation.args == ["agenda", {"week_of": rows[0].scheduled_at.date(), "select": rows[0].id}]


# --- the 360° view ----------------------------------------------------------


def test_360_view_says_when_a_tab_is_empty(qtbot, customers):
    dialog = Customer360Dialog(None, customers["C-2"], dt.date(2026, 3, 15))
    qtbot.addWidget(dialog)
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles == [
        "Summary",
        "Sales and units",
        "Follow-ups",
        "Usage checks",
        "Returns",
        "Cases",
        "Surveys",
    ]
    for i in range(1, dialog.tabs.count()):
        page = dialog.tabs.widget(i)
        assert isinstance(page, QLabel) and page.text().startswith("No ")


def test_360_view_lists_units_with_their_warranty(qtbot, customers, products, rep):
    oven, _filter = products
    record_sale(
        customers["C-1"],
        rep.id,
        dt.date(2026, 1, 10),
        dt.date(2026, 1, 15),
        [SaleLineInput(oven.id, 1, Decimal("899"), ["SN-1"])],
    )
    dialog = Customer360Dialog(None, customers["C-1"], dt.date(2026, 3, 15))
    qtbot.addWidget(dialog)
    assert dialog.tabs.tabText(1) == "Sales and units (1)"
    tables = dialog.tabs.widget(1).findChildren(QTableWidget)
    units = next(t for t in tables if t.columnCount() == 8)
    row = [units.item(0, c).text() for c in range(units.columnCount())]
    assert row == [
        "Oven",
        "SN-1",
        "1",
        "V-2026-00001",
        "15/01/2026",
        "14/01/2028",
        "Under warranty (670 days left)",
        "In use",
    ]


def test_recompute_segments_in_the_background_shows_the_badges(qtbot, make_page, customers, products, rep):
    from app.models import Customer

    oven, _filter = products
    today = dt.date.today()
    record_sale(customers["C-1"], rep.id, today, today, [SaleLineInput(oven.id, 1, Decimal("899"), ["SN-A"])])
    page = make_page()
    with qtbot.waitSignal(app_events().data_changed, timeout=5000):
        page._segments_button.click()
    assert Customer.get_by_id(customers["C-1"]).segment.value == "A"
    assert "A: 1" in page._count.toolTip()


# --- the retention lists and the filters --------------------------------------------------

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def retention(customers, rep):
    """C-1 (A) last bought in 2020: at risk. C-4 (B) bought this month and rated us 5: a loyalty candidate.
    X-1 (A, another rep's customer) is at risk too but only a manager sees it."""
    from app.models import SatisfactionSurvey
    from tests.factories import product, sale

    product()
    sale(Customer.get_by_id(customers["C-1"]), dt.date(2020, 1, 1), (1, "900.00"))
    sale(Customer.get_by_id(customers["C-4"]), dt.date(2026, 11, 1), (1, "500.00"))
    SatisfactionSurvey.create(
        customer=customers["C-4"], taken_on=dt.date(2026, 11, 2), satisfaction=5, recommend=9
    )
    other = create_rep("luis", "Luis")
    x1 = create_customer(CustomerInput(code="X-1", name="Xilófonos", rep_id=other.id), other.id)
    Customer.update(segment=Segment.A).where(Customer.id == x1).execute()
    sale(Customer.get_by_id(x1), dt.date(2019, 1, 1), (1, "50.00"))
    return customers


def list_rows(page) -> list[list[str]]:
    table = page.risk_table
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_dashboard_at_risk_navigation_opens_the_reps_at_risk_list_with_readable_reasons(
    qtbot, make_page, retention
):
    page = make_page(today=lambda: TODAY)
    page.apply_navigation({"at_risk": True})
    assert page.mode == page_module.AT_RISK and page.mode_bar.currentIndex() == page_module.AT_RISK
    qtbot.waitUntil(lambda: not page.risk_loading, timeout=5000)
    assert list_rows(page) == [
        [
            "A",
            "C-1",
            "Peña Hermanos",
            "€900.00",
            "01/01/2020",
            "No purchase since 01/01/2020 (the next one was expected by 31/12/2020)",
        ],
    ]
    assert page._count.text() == "1 customer"
    assert page._mode_note.text() == "Your customers."
    assert page._risk_summary.isVisibleTo(page) and page._risk_summary.text() == (
        "1 A or B customer is at risk. Most at risk first: value × the weight of their reasons."
    )
    assert page._risk_summary.toolTip().splitlines()[0] == "Open complaint or claim: weight 3"
    assert page.show_archived_box.isHidden() and page._edit_button.isHidden()


def test_a_manager_sees_everyones_customers_at_risk(qtbot, database, retention):
    page = CustomerListPage(AppContext(database=database, current_rep=None), today=lambda: TODAY)
    qtbot.addWidget(page)
    page.apply_navigation({"at_risk": True})
    qtbot.waitUntil(lambda: not page.risk_loading, timeout=5000)
    assert [row[1] for row in list_rows(page)] == ["C-1", "X-1"]  # most valuable first


def test_loyalty_candidates_list_and_open_the_360_view(qtbot, make_page, retention, monkeypatch):
    opened = []
    monkeypatch.setattr(
        Customer360Dialog, "show_customer", staticmethod(lambda parent, cid, **kw: opened.append(cid))
    )
    page = make_page(today=lambda: TODAY)
    page.set_mode(page_module.LOYALTY)
    qtbot.waitUntil(lambda: not page.risk_loading, timeout=5000)
    assert list_rows(page) == [["B", "C-4", "Álvarez e Hijos", "€500.00", "5 of 5", "5.0 of 5"]]
    assert not page._open_button.isEnabled()
    page.risk_table.selectRow(0)
    assert page._open_button.isEnabled() and page._sale_button.isEnabled()
    page._open_button.click()
    assert opened == [retention["C-4"]]


def test_the_search_box_narrows_a_retention_list_and_the_empty_lists_explain(qtbot, database, retention):
    page = CustomerListPage(AppContext(database=database, current_rep=None), today=lambda: TODAY)
    qtbot.addWidget(page)
    page.set_mode(page_module.AT_RISK)
    qtbot.waitUntil(lambda: not page.risk_loading, timeout=5000)
    page.search_box.setText("xilofonos")  # accents ignored
    page._apply_filter()
    assert [page.risk_table.isRowHidden(r) for r in range(2)] == [True, False]
    Customer.update(segment=None).execute()
    page.refresh()
    qtbot.waitUntil(lambda: not page.risk_loading, timeout=5000)
    assert "not computed yet" in page.empty_state_text()


def test_navigation_without_filters_shows_every_customer(qtbot, make_page, retention):
    page = make_page(today=lambda: TODAY)
    page.set_mode(page_module.AT_RISK)
    qtbot.waitUntil(lambda: not page.risk_loading, timeout=5000)
    page.apply_navigation({})
    assert page.mode == page_module.ALL
    assert page.model.total_count() == 5
    assert not page.show_archived_box.isHidden()


def test_need_tag_and_segment_filters(qtbot, make_page, customers, rep):
    customer_service.update_customer(
        customers["C-3"],
        CustomerInput(
            code="C-3", name="Bodegas Peñalba", city="Haro", rep_id=rep.id, need_tags=["Needs installation"]
        ),
        rep.id,
    )
    create_customer(CustomerInput(code="C-5", name="Quesos Ortiz", need_tags=["Price sensitive"]), rep.id)
    page = make_page()
    tags = [page.tag_combo.itemText(i) for i in range(page.tag_combo.count())]
    assert tags == ["All needs", "Needs installation", "Price sensitive"]
    page.tag_combo.setCurrentIndex(1)
    assert names(page.model) == ["Bodegas Peñalba"]
    page.tag_combo.setCurrentIndex(0)
    page.apply_navigation({"segment": "A"})
    assert names(page.model) == ["Peña Hermanos"]
    assert page.segment_combo.currentData() == Segment.A
    page.tag_combo.setCurrentIndex(2)
    assert page.empty_state_text() == "No customer with the need “Price sensitive” in A (top value)."


def test_360_value_block_and_satisfaction_trend(qtbot, database):
    from app.models import SatisfactionSurvey
    from app.models.enums import ReturnState
    from tests.factories import customer, product, sale, warranty_return

    product()
    c = customer("V-1", segment=Segment.A, segment_computed_on=dt.date(2026, 11, 1))
    units = sale(c, dt.date(2024, 1, 10), (2, "100.00"), (1, "50.00"))
    sale(c, dt.date(2026, 6, 1), (1, "300.00"))
    warranty_return(units[0], ReturnState.REFUNDED, "80.00", dt.date(2024, 3, 1))
    for day, score in [(dt.date(2026, 1, 5), 4), (dt.date(2026, 3, 1), None), (dt.date(2026, 6, 1), 2)]:
        SatisfactionSurvey.create(customer=c, taken_on=day, satisfaction=score, recommend=7)
    dialog = Customer360Dialog(None, c.id, TODAY)
    qtbot.addWidget(dialog)
    texts = {key: label.text() for key, label in dialog.value_labels.items()}
    # 550 of sales − 80 refunded = 470; 1,048 days since 10/01/2024 = 2.87 years → 470 ÷ (1048 / 365.25) = 163.80.
    assert texts["historical"] == "€470.00"
    assert texts["annual"] == "€163.80 a year (over 2.9 years)"
    assert texts["projected"] == "€819.00 (5 more years)"  # 163.80 × 5
    assert texts["segment"] == "A (top value), computed on 01/11/2026"
    assert dialog.value_labels["historical"].toolTip() == "Sales €550.00 − refunds and credits €80.00"
    assert dialog.formula_label.isHidden() and "expected remaining years (5)" in dialog.formula_label.text()
    # The trend: the two answered scores, the last one lower.
    assert dialog.trend_chart is not None
    assert dialog.trend_chart.chart().series()[0].count() == 2
    surveys_tab = dialog.tabs.widget(dialog.tabs.count() - 1)
    headings = [label.text() for label in surveys_tab.findChildren(QLabel)]
    assert "Satisfaction over time: ▼ worse: 2 of 5 on 01/06/2026 (before: 4)" in headings


def test_segments_are_recomputed_in_the_background_after_sales(qtbot, make_page):
    from app.models import Customer
    from app.views.events import SALES
    from tests.factories import customer, sale

    today = dt.date(2026, 11, 23)
    big, middle, small = customer("V-1"), customer("V-2"), customer("V-3")
    sale(big, dt.date(2026, 10, 1), (1, "900.00"))
    sale(middle, dt.date(2026, 10, 2), (1, "60.00"))
    sale(small, dt.date(2026, 10, 3), (1, "40.00"))
    page = make_page(today=lambda: today)
    page._segments_timer.setInterval(10)
    page.on_data_changed(frozenset({SALES}), None)  # as the main window passes every change on
    page.on_data_changed(frozenset({SALES}), page)  # a burst of sales, some recorded on the page: one run
    qtbot.waitUntil(lambda: Customer.get_by_id(big.id).segment is not None, timeout=5000)
    qtbot.waitUntil(lambda: not page._recomputing, timeout=5000)
    # Revenue before each: 0 % → A, 90 % → B, 96 % → C.
    assert [Customer.get_by_id(c.id).segment for c in (big, middle, small)] == [
        Segment.A,
        Segment.B,
        Segment.C,
    ]
    assert page._count.toolTip().startswith("Segments recomputed")
