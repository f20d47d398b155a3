"""The window withholds what the person may not change and says why on hover (issue 15, item 5).

On the office server a rep reads everything but changes only what is theirs or their customer's, and
never the company's settings, charters, plans, checklists or catalogue, nor who a customer belongs
to (app.services.permissions). Here the contexts carry those permissions on the SQLite test database:
the server's refusals themselves are tested on PostgreSQL (tests/test_cli_server.py); what is tested
here is that each control is disabled with the refusal as its tooltip for a rep, and left alone for a
manager and on a laptop's file (UNRESTRICTED).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from app.models import Customer, FollowUp, Product, ProductCategory, SoldUnit, UsageCheck
from app.models.enums import (
    CaseKind,
    CharterIndicator,
    CharterPeriod,
    CharterType,
    CheckStatus,
    ContactChannel,
    FollowUpKind,
    FollowUpPurpose,
    RepRole,
    ReturnReason,
    ReturnState,
)
from app.services import cases as case_service
from app.services import charters as charter_service
from app.services import checks, company
from app.services import returns as return_service
from app.services.cases import CaseAction
from app.services.checks import ItemInput
from app.services.followups import plans
from app.services.permissions import UNRESTRICTED, Permissions
from app.services.reps import create_rep, get_rep
from app.services.sales import SaleLineInput, record_sale
from app.views import settings
from app.views.agenda.page import TODAY as TODAY_VIEW
from app.views.agenda.page import WEEK, AgendaPage
from app.views.agenda.week_view import ID_ROLE
from app.views.cases.page import CasesPage
from app.views.catalog.dialog import CatalogDialog
from app.views.charters.page import ChartersPage
from app.views.checks.page import DUE, UsageChecksPage
from app.views.checks.templates_dialog import CRITICAL, ChecklistTemplatesDialog
from app.views.customers import page as customers_module
from app.views.customers.customer_360 import Customer360Dialog
from app.views.customers.customer_dialog import CustomerDialog
from app.views.customers.page import CustomerListPage
from app.views.pages.base import AppContext
from app.views.plans.dialog import PlansDialog
from app.views.preferences import PreferencesDialog
from app.views.returns.page import ReturnsPage
from app.views.rights import refusal_of

NOW = dt.datetime(2026, 11, 23, 11, 0)  # a Monday
TODAY = NOW.date()

COMPANY = "Only a manager can change the company settings."
CHARTERS = "Only a manager can change the service charters."
PLANS = "Only a manager can change the follow-up plans."
CHECKLISTS = "Only a manager can change the correct-use checklists."
CATALOG = "Only a manager can change the products and categories."
ASSIGNMENT = "Only a manager can assign customers to reps."
NOT_THEIRS = "Only its rep, its customer's rep or a manager can change this record."
LOGGED_IN = "On the office server you are the person you logged in as."
REFUSALS = (COMPANY, CHARTERS, PLANS, CHECKLISTS, CATALOG, ASSIGNMENT, NOT_THEIRS, LOGGED_IN)

WHO = ("rep", "manager", "laptop")


@pytest.fixture
def world(database):
    """Ana (a rep) and Luis (another rep) with a customer each, Marta the manager; on Luis's customer
    a follow-up, a usage-check visit, a case, a return and a draft check, all his; and a follow-up of
    Luis's on Ana's customer (hers to change: the customer is hers)."""
    ana = create_rep("ANA", "Ana García")
    luis = create_rep("LUIS", "Luis Pérez")
    boss = create_rep("JEFA", "Marta Jefa", RepRole.MANAGER)
    mine = Customer.create(code="C-1", name="Peña Hermanos", rep=ana.id, city="Madrid")
    theirs = Customer.create(code="C-2", name="Bodegas Haro", rep=luis.id, city="Haro")
    category = ProductCategory.create(code="coffee", name="Cafeteras")
    product = Product.create(sku="CAF-1", name="Barista Pro", category=category.id, warranty_months=24)

    def unit(customer: Customer, serial: str) -> SoldUnit:
        delivered = dt.date(2026, 11, 5)
        line = SaleLineInput(product.id, 1, Decimal(100), [serial])
        record_sale(customer.id, customer.rep_id, dt.date(2026, 11, 1), delivered, [line])
        return SoldUnit.get(SoldUnit.serial_number == serial)

    their_unit = unit(theirs, "SN-2")
    unit(mine, "SN-1")

    def follow_up(customer: Customer, rep, hour: int, **fields) -> FollowUp:
        return FollowUp.create(
            customer=customer.id,
            rep=rep.id,
            kind=fields.pop("kind", FollowUpKind.CALL),
            purpose=fields.pop("purpose", FollowUpPurpose.COMMERCIAL),
            scheduled_at=dt.datetime.combine(TODAY, dt.time(hour)),
            **fields,
        )

    checks.create_template("Correct use: coffee", [ItemInput("Fills the tank")], category_id=category.id)
    plans.install_default_plans(None)
    case_id = case_service.receive_case(
        CaseKind.COMPLAINT, theirs.id, ContactChannel.PHONE, TODAY, "It leaks", luis.id
    )
    return_id = return_service.open_return(
        their_unit.id, ReturnReason.FAILURE_IN_USE, "Leaks", TODAY, luis.id, today=TODAY
    )
    check_id = checks.start_check(their_unit.id, luis.id, now=NOW - dt.timedelta(days=1))
    charter_service.save_charter(
        None,
        charter_service.CharterInput(
            type=CharterType.CUSTOMER_ATTENTION,
            title="Attention",
            valid_from=dt.date(2026, 1, 1),
            channels=(charter_service.ChannelEntry(ContactChannel.PHONE, "+34 910 000 000", "9-14"),),
            procedure="p",
            principles="q",
            commitments=(
                charter_service.CommitmentInput(
                    "We answer claims", CharterIndicator.CLAIMS_ANSWERED, 10, 95, CharterPeriod.QUARTER
                ),
            ),
        ),
    )
    return {
        "ana": ana,
        "luis": luis,
        "boss": boss,
        "mine": mine,
        "theirs": theirs,
        "theirs_follow_up": follow_up(theirs, luis, 15),
        "luis_on_mine": follow_up(mine, luis, 16),
        "due_visit": follow_up(
            theirs,
            luis,
            17,
            kind=FollowUpKind.VISIT,
            purpose=FollowUpPurpose.USAGE_CHECK,
            sold_unit=their_unit.id,
        ),
        "case": case_id,
        "return": return_id,
        "check": check_id,
    }


def context_of(database, world, who: str) -> AppContext:
    """The context the window gets: a rep's or a manager's server login, or a laptop's file."""
    if who == "rep":
        ana = world["ana"]
        return AppContext(database, get_rep(ana.id), Permissions(role="rep", login="ana", rep_id=ana.id))
    if who == "manager":
        boss = world["boss"]
        return AppContext(
            database, get_rep(boss.id), Permissions(role="manager", login="jefa", rep_id=boss.id)
        )
    return AppContext(database, None, UNRESTRICTED)


@pytest.fixture
def make_context(database, world):
    return lambda who: context_of(database, world, who)


def refused(control, expected: str | None) -> bool:
    """`control` is disabled with `expected` as its tooltip (expected None: it is not refused at all)."""
    if expected is None:
        return refusal_of(control) is None and control.toolTip() not in REFUSALS
    return not control.isEnabled() and control.toolTip() == expected and refusal_of(control) == expected


# --- Settings ▸ Preferences ---------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_preferences_keep_the_company_settings_for_managers(qtbot, make_context, who):
    context = make_context(who)
    dialog = PreferencesDialog(context)
    qtbot.addWidget(dialog)
    company_fields = [
        dialog.company_name,
        dialog.company_tax_id,
        dialog.logo_edit,
        *dialog.prefix_edits.values(),
        dialog.country_combo,
        dialog.attempts_spin,
        dialog.training_spin,
        dialog.hours_start,
        dialog.capacity_spin,
        dialog.a_spin,
        dialog.interval_spin,
    ]
    expected = COMPANY if who == "rep" else None
    assert all(refused(field, expected) for field in company_fields)
    if who != "rep":
        assert all(field.isEnabled() for field in company_fields)
        assert dialog.attempts_spin.toolTip().startswith("A contact that is not reached")  # its own
    # This computer's preferences stay everyone's.
    assert (
        dialog.language_combo.isEnabled() and dialog.lead_spin.isEnabled() and dialog.tray_check.isEnabled()
    )
    # On the server the person is who they logged in as, manager or rep.
    assert refused(dialog.user_combo, LOGGED_IN if who != "laptop" else None)
    assert dialog.user_combo.isEnabled() is (who == "laptop")


def test_a_reps_ok_keeps_this_computers_preferences_and_leaves_the_company_alone(qtbot, make_context, world):
    dialog = PreferencesDialog(make_context("rep"))
    qtbot.addWidget(dialog)
    assert dialog.user_combo.currentData() == world["ana"].id  # who she logged in as
    dialog.lead_spin.setValue(42)
    dialog._on_buttons_accepted()
    assert dialog.result_value is not None and not dialog.result_value.user_changed
    assert dialog.result_value.rep.id == world["ana"].id
    assert settings.get(settings.REMINDER_LEAD_MINUTES) == 42
    assert company.load_company_settings() == dialog._stored  # nothing written, nothing refused


# --- Settings ▸ Products and categories, Follow-up plans, Correct-use checklists ------------------


@pytest.mark.parametrize("who", WHO)
def test_the_catalogue_opens_read_only_for_a_rep(qtbot, make_context, who):
    dialog = CatalogDialog(make_context(who))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select_product(Product.get(Product.sku == "CAF-1").id)
    expected = CATALOG if who == "rep" else None
    for button in (
        dialog._new_category_button,
        dialog._edit_category_button,
        dialog._new_product_button,
        dialog._edit_product_button,
        dialog._active_button,
    ):
        assert refused(button, expected), button.text()
        assert button.isEnabled() is (who != "rep")
    note = dialog.findChild(type(dialog._heading), "refusalNote")
    assert (note is not None and note.isVisible() and note.text() == CATALOG) is (who == "rep")
    if who != "rep":
        assert dialog._active_button.toolTip().startswith("No longer offer this product")


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("kind", ["plans", "checklists"])
def test_plans_and_checklists_open_read_only_for_a_rep(qtbot, make_context, who, kind):
    dialog = (PlansDialog if kind == "plans" else ChecklistTemplatesDialog)(make_context(who))
    qtbot.addWidget(dialog)
    dialog.show()
    refusal = (PLANS if kind == "plans" else CHECKLISTS) if who == "rep" else None
    buttons = [
        dialog._new_button,
        dialog._defaults_button,
        dialog._save_button,
        dialog._add_row_button,
        *([dialog._active_button, dialog._duplicate_button] if kind == "plans" else [dialog._retire_button]),
    ]
    for button in buttons:
        assert refused(button, refusal), button.text()
    if refusal is not None:
        assert all(not button.isEnabled() for button in buttons)
        assert dialog._name.isReadOnly()
        assert dialog._table.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
        assert not dialog.has_unsaved_changes()
        note = dialog.findChild(type(dialog._heading), "refusalNote")
        assert note is not None and note.isVisible() and note.text() == refusal
    else:
        assert dialog._new_button.isEnabled() and dialog._add_row_button.isEnabled()
        assert not dialog._name.isReadOnly()
        assert dialog.findChild(type(dialog._heading), "refusalNote") is None
    if kind == "checklists":  # the items' "critical" box cannot be ticked either
        flags = dialog.items_model.flags(dialog.items_model.index(0, CRITICAL))
        assert bool(flags & Qt.ItemFlag.ItemIsUserCheckable) is (refusal is None)


# --- Service charters ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_charters_are_read_and_printed_by_a_rep(qtbot, make_context, monkeypatch, who):
    from app.services.charters import indicators

    monkeypatch.setattr(
        indicators,
        "measure",
        lambda indicator, days, *a, **k: indicators.Measurement(indicator, days, None, None, 0),
    )
    page = ChartersPage(make_context(who), today=lambda: TODAY)
    qtbot.addWidget(page)
    editor = page.editor
    assert editor.current_charter_id() is not None
    expected = CHARTERS if who == "rep" else None
    for button in (
        page._new_button,
        page._empty_new_button,
        editor._save,
        editor._activate,
        editor._add_commitment,
    ):
        assert refused(button, expected), button.text()
    assert editor._preview.isEnabled()  # reps may print
    assert editor._title.isReadOnly() is (who == "rep")
    if who == "rep":
        assert editor._status.text().startswith(CHARTERS)
        before = editor.current_charter_id()
        assert page.create_new() and editor.current_charter_id() == before  # Ctrl+N: nothing new
        assert not editor.save()
    else:
        assert editor._save.toolTip() == "Save the charter (Ctrl+S)"


# --- Customers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_a_rep_edits_and_archives_only_their_customers(qtbot, make_context, world, who):
    page = CustomerListPage(make_context(who))
    qtbot.addWidget(page)
    assert page.select_customer(world["theirs"].id)
    expected = NOT_THEIRS if who == "rep" else None
    assert refused(page._edit_button, expected) and refused(page._archive_button, expected)
    assert page._edit_button.isEnabled() is (who != "rep")
    assert page._sale_button.isEnabled() and page._open_button.isEnabled()  # a sale is a new record
    assert page.select_customer(world["mine"].id)
    assert page._edit_button.isEnabled() and refused(page._edit_button, None)
    assert page._archive_button.isEnabled()


@pytest.mark.parametrize("who", WHO)
def test_a_reps_new_customer_is_theirs_and_the_rep_field_is_locked(
    qtbot, make_context, world, monkeypatch, who
):
    opened: list[CustomerDialog] = []

    def ask(parent, customer_id=None, **kwargs):
        dialog = CustomerDialog(parent, customer_id, **kwargs)
        qtbot.addWidget(dialog)
        opened.append(dialog)
        return None  # cancelled

    monkeypatch.setattr(customers_module.CustomerDialog, "ask", ask)
    page = CustomerListPage(make_context(who))
    qtbot.addWidget(page)
    assert page._new_button.isEnabled()
    page.create_new()
    rep_field = opened[-1].field("rep_id")
    assert refused(rep_field, ASSIGNMENT if who == "rep" else None)
    assert rep_field.isEnabled() is (who != "rep")
    if who == "rep":
        assert opened[-1].values().rep_id == world["ana"].id
    # Editing her own customer: the fields are hers to change, its rep is not.
    page.select_customer(world["mine"].id)
    page.edit_selected()
    assert refused(opened[-1].field("rep_id"), ASSIGNMENT if who == "rep" else None)
    assert opened[-1].field("name").isEnabled()


@pytest.mark.parametrize("who", WHO)
def test_a_rep_sets_the_delivery_date_only_of_their_customers_sales(qtbot, make_context, world, who):
    permissions = make_context(who).permissions
    for customer, expected in (
        (world["theirs"], NOT_THEIRS if who == "rep" else None),
        (world["mine"], None),
    ):
        dialog = Customer360Dialog(None, customer.id, TODAY, permissions=permissions)
        qtbot.addWidget(dialog)
        assert dialog.select_sale(dialog.view.sales[0].id)
        assert refused(dialog.delivery_button, expected)
        assert dialog.delivery_button.isEnabled() is (expected is None)


# --- Agenda ---------------------------------------------------------------------------------------------


def agenda(qtbot, context, view=TODAY_VIEW) -> AgendaPage:
    page = AgendaPage(context, clock=lambda: NOW)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.rep_filter.setCurrentIndex(page.rep_filter.findData(None))  # everyone's follow-ups
    page.show_view(view)
    return page


@pytest.mark.parametrize("who", WHO)
def test_a_rep_changes_only_their_follow_ups_or_their_customers(qtbot, make_context, world, who):
    page = agenda(qtbot, make_context(who))
    buttons = (page._complete_button, page._reschedule_button, page._cancel_button)
    assert page.select_follow_up(world["theirs_follow_up"].id)
    expected = NOT_THEIRS if who == "rep" else None
    assert all(refused(button, expected) for button in buttons)
    assert all(button.isEnabled() is (who != "rep") for button in buttons)
    menu = page.build_context_menu()
    changing = [a for a in menu.actions() if a.text() in ("Complete…", "Reschedule…", "Cancel…")]
    assert len(changing) == 3 and menu.toolTipsVisible()
    assert all(refused(action, expected) for action in changing)
    assert next(a for a in menu.actions() if a.text() == "Open customer 360°").isEnabled()
    assert page._new_button.isEnabled()  # scheduling one for any customer stays open
    # Luis's follow-up with Ana's customer is hers to change.
    assert page.select_follow_up(world["luis_on_mine"].id)
    assert all(button.isEnabled() and refused(button, None) for button in buttons)
    assert page._complete_button.toolTip() == "Log the outcome of the call or visit (Enter)"


@pytest.mark.parametrize("who", WHO)
def test_a_rep_cannot_drag_someone_elses_follow_up_in_the_week(qtbot, make_context, world, who):
    page = agenda(qtbot, make_context(who), WEEK)
    day = page.week_view.day_list(TODAY)
    items = {day.item(i).data(ID_ROLE): day.item(i) for i in range(day.count())}
    theirs = items[world["theirs_follow_up"].id]
    draggable = bool(theirs.flags() & Qt.ItemFlag.ItemIsDragEnabled)
    assert draggable is (who != "rep")
    assert (NOT_THEIRS in theirs.toolTip()) is (who == "rep")
    assert items[world["luis_on_mine"].id].flags() & Qt.ItemFlag.ItemIsDragEnabled
    # A drop reaching the page anyway moves nothing for the rep.
    page.move_follow_up_to_day(world["theirs_follow_up"].id, TODAY + dt.timedelta(days=1))
    moved = FollowUp.get_by_id(world["theirs_follow_up"].id).scheduled_at.date() != TODAY
    assert moved is (who != "rep")


# --- Cases, returns, checks -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_a_reps_steps_on_someone_elses_case_are_disabled(qtbot, make_context, world, who):
    page = CasesPage(make_context(who), today=lambda: TODAY)
    qtbot.addWidget(page)
    page.rep_filter.setCurrentIndex(page.rep_filter.findData(None))
    assert page.select_case(world["case"])
    buttons = page.detail_panel.action_buttons()
    assert CaseAction.ANALYSE in buttons
    expected = NOT_THEIRS if who == "rep" else None
    for action, button in buttons.items():
        assert refused(button, None if action is CaseAction.OPEN_RETURN else expected), action
    assert page._new_button.isEnabled()


@pytest.mark.parametrize("who", WHO)
def test_a_reps_steps_and_costs_on_someone_elses_return_are_disabled(qtbot, make_context, world, who):
    page = ReturnsPage(make_context(who), today=lambda: TODAY)
    qtbot.addWidget(page)
    page.rep_filter.setCurrentIndex(page.rep_filter.findData(None))
    assert page.select_return(world["return"])
    panel = page.detail_panel
    expected = NOT_THEIRS if who == "rep" else None
    assert panel.action_states()
    assert all(refused(panel.action_button(state), expected) for state in panel.action_states())
    assert refused(panel.save_costs_button, expected)
    assert panel.cost_edit("cost_parts").isReadOnly() is (who == "rep")
    if who == "rep":  # reaching the command anyway changes nothing (no dialog opens)
        page.advance_selected(panel.action_states()[0])
        page.save_costs({"cost_parts": Decimal(1), "cost_labour": Decimal(0), "cost_shipping": Decimal(0)})
        detail = return_service.get_return(world["return"], TODAY)
        assert (detail.row.state, detail.cost_parts) == (ReturnState.REQUESTED, 0)
    assert page._new_button.isEnabled()


@pytest.mark.parametrize("who", WHO)
def test_a_rep_resumes_only_their_drafts_and_runs_only_their_visits(qtbot, make_context, world, who):
    page = UsageChecksPage(make_context(who), clock=lambda: NOW)
    qtbot.addWidget(page)
    page.rep_filter.setCurrentIndex(page.rep_filter.findData(None))
    assert page.select_check(world["check"])
    expected = NOT_THEIRS if who == "rep" else None
    assert refused(page._open_button, expected)
    page.show_tab(DUE)
    page.due_table.selectRow(0)
    assert page.selected_due().id == world["due_visit"].id
    assert refused(page._run_button, expected)
    assert page._new_button.isEnabled()
    if who == "rep":  # Enter on the draft does nothing (no dialog opens)
        page.show_tab(0)
        page.select_check(world["check"])
        page.open_selected()
        assert UsageCheck.get_by_id(world["check"]).status is CheckStatus.DRAFT


# --- how it reads ----------------------------------------------------------------------------------------


def test_the_read_only_dialogs_read_well(qtbot, make_context, tmp_path):
    """Rendered offscreen for a person to look at (the PNGs stay in the test's folder)."""
    context = make_context("rep")
    for name, dialog in (
        ("catalog", CatalogDialog(context)),
        ("plans", PlansDialog(context)),
        ("checklists", ChecklistTemplatesDialog(context)),
        ("preferences", PreferencesDialog(context)),
    ):
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.grab().save(str(tmp_path / f"{name}.png"))
