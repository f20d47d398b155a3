"""The audit log: each change names its record by number or code and keeps every changed field's
old and new value; personal data only there; read back newest first, filtered, in people's words;
exported to XLSX."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.i18n import using_language
from app.models import AuditEntry, Customer, FollowUp, ProductCategory, SoldUnit
from app.models.enums import (
    CaseCategory,
    CaseKind,
    ContactChannel,
    FollowUpKind,
    FollowUpPurpose,
    ReturnReason,
    ReturnState,
    Severity,
)
from app.outputs import OutputExistsError
from app.services import audit, cases, customers, followups, returns
from app.services.audit import AuditFilter
from app.services.reps import create_rep
from app.services.sales import SaleLineInput, record_sale
from tests.helpers import working_slot, working_slots

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def people(database):
    ana = create_rep("ANA", "Ana García")
    luis = create_rep("LUIS", "Luis Pérez")
    return {"ana": ana, "luis": luis}


def _customer(ana_id: int, code: str = "C-1") -> int:
    return customers.create_customer(
        customers.CustomerInput(
            code=code, name="Peña Hermanos", email="pena@example.com", phone="600111222", rep_id=ana_id
        ),
        ana_id,
    )


def _last(entity: str, action: str | None = None) -> AuditEntry:
    query = AuditEntry.select().where(AuditEntry.entity == entity)
    if action:
        query = query.where(AuditEntry.action == action)
    return query.order_by(AuditEntry.id.desc()).get()


def _changes(entry: AuditEntry) -> dict:
    return json.loads(entry.changes)


def test_a_customer_edit_keeps_old_and_new_values_and_names_no_one_in_free_text(people):
    ana, luis = people["ana"], people["luis"]
    customer_id = _customer(ana.id)
    created = _last("customer", "create")
    assert created.label == "C-1"
    assert _changes(created)["email"] == [None, "pena@example.com"]
    assert "Peña" not in created.details and "pena@" not in created.details

    data = customers.get_customer(customer_id).to_input()
    data.email = "info@pena.example"
    data.rep_id = luis.id
    customers.update_customer(customer_id, data, ana.id)

    entry = _last("customer", "update")
    assert (entry.rep_id, entry.label, entry.entity_id) == (ana.id, "C-1", customer_id)
    assert _changes(entry) == {"email": ["pena@example.com", "info@pena.example"], "rep": [ana.id, luis.id]}
    assert entry.details == ""
    with using_language("en"):
        [row] = audit.list_entries(AuditFilter(action="update"))
    assert set(row.changes) == {
        "E-mail: pena@example.com → info@pena.example",
        "Rep: Ana García → Luis Pérez",
    }
    assert (row.rep_name, row.action_label, row.entity_label, row.record) == (
        "Ana García",
        "Changed",
        "Customer",
        "C-1",
    )


def test_archiving_records_the_flag(people):
    customer_id = _customer(people["ana"].id)
    customers.archive_customer(customer_id, people["ana"].id)
    assert _changes(_last("customer", "archive")) == {"archived": [False, True]}


def test_a_case_analysis_records_stage_category_and_severity_and_the_proposal(people):
    ana = people["ana"]
    customer_id = _customer(ana.id)
    case_id = cases.receive_case(
        CaseKind.COMPLAINT, customer_id, ContactChannel.PHONE, TODAY, "The oven arrived broken", ana.id
    )
    number = _last("case", "create").label
    assert number.startswith("REC-")
    assert _changes(_last("case", "create"))["customer_words"] == [None, "The oven arrived broken"]

    cases.analyse_case(case_id, CaseCategory.PRODUCT_DEFECT, Severity.HIGH, ana.id, on=TODAY)
    entry = _last("case", "transition")
    assert entry.label == number
    changes = _changes(entry)
    assert changes["stage"] == ["reception", "analysis"]
    assert changes["category"] == [None, "defect"]
    assert changes["severity"] == [None, "high"]

    cases.propose_solution(
        case_id, "exchange", "A new oven next week", ContactChannel.PHONE, ana.id, on=TODAY
    )
    proposal = _last("case_proposal", "create")
    assert proposal.label == f"{number}/1"
    assert _changes(proposal)["solution_type"] == [None, "exchange"]
    assert _changes(proposal)["detail"] == [None, "A new oven next week"]
    assert json.loads(proposal.details) == {"case_id": case_id}

    with using_language("es"):
        analysis = audit.list_entries(AuditFilter(entity="case", action="transition"))[-1]
    assert "Categoría: — → Defecto del producto" in analysis.changes
    assert "Gravedad: — → Alta" in analysis.changes
    assert not any("defect" in line or "high" in line for line in analysis.changes)  # never the codes


@pytest.fixture
def unit(people):
    customer_id = _customer(people["ana"].id)
    category = ProductCategory.create(code="WASH", name="Lavadoras")
    from app.models import Product

    washer = Product.create(sku="LV-1", name="Lavadora X", category=category, warranty_months=24)
    line = SaleLineInput(washer.id, 1, Decimal("499.00"), ["SN-1"])
    record_sale(customer_id, people["ana"].id, dt.date(2026, 3, 1), dt.date(2026, 3, 2), [line])
    return SoldUnit.get(SoldUnit.serial_number == "SN-1").id


def test_a_return_state_change_records_old_and_new_state(people, unit):
    ana = people["ana"]
    return_id = returns.open_return(
        unit, ReturnReason.FAILURE_IN_USE, "It stopped", TODAY, ana.id, today=TODAY
    )
    number = _last("warranty_return", "create").label
    returns.advance_return(return_id, ReturnState.RECEIVED, ana.id, "Came by courier")
    entry = _last("warranty_return", "transition")
    assert entry.label == number
    assert _changes(entry)["state"] == ["requested", "received"]
    assert _changes(entry)["note"] == [None, "Came by courier"]
    returns.set_return_costs(return_id, "10", "0", "5.5", ana.id)
    costs = _changes(_last("warranty_return", "update"))
    assert {field: [Decimal(old), Decimal(new)] for field, (old, new) in costs.items()} == {
        "cost_parts": [0, 10],
        "cost_shipping": [0, Decimal("5.5")],
    }
    with using_language("en"):
        rows = audit.list_entries(AuditFilter(entity="warranty_return"))
    assert "State: Requested → Received" in rows[1].changes
    assert "Parts: €0.00 → €10.00" in rows[0].changes


def test_a_follow_up_reschedule_and_completion_record_old_and_new_values(people):
    ana = people["ana"]
    customer_id = _customer(ana.id)
    first, second = working_slots(2, days_ahead=20)
    follow_up_id = followups.schedule_follow_up(
        customer_id, FollowUpKind.CALL, FollowUpPurpose.DELIVERY, first, rep_id=ana.id, acting_rep_id=ana.id
    ).follow_up_id
    later = second.replace(hour=12, minute=30)
    followups.reschedule_follow_up(follow_up_id, later, acting_rep_id=ana.id)
    entry = _last("follow_up", "update")
    assert entry.label == "C-1"
    assert _changes(entry) == {"scheduled_at": [first.isoformat(), later.isoformat()]}
    with using_language("es"):
        [row] = audit.list_entries(AuditFilter(entity="follow_up", action="update"))
    shown = f"{first:%d/%m/%Y %H:%M} → {later:%d/%m/%Y %H:%M}"
    assert row.changes == (f"Fecha y hora: {shown}",)

    followups.complete_follow_up(follow_up_id, "reached", "All fine", ana.id, now=later)
    done = _changes(_last("follow_up", "transition"))
    assert done["state"] == ["planned", "done"]
    assert done["outcome"] == [None, "reached"]
    assert FollowUp.get_by_id(follow_up_id).notes.endswith("All fine")


def test_the_log_is_filtered_by_record_person_action_and_period(people):
    ana, luis = people["ana"], people["luis"]
    one = _customer(ana.id, "C-1")
    _customer(luis.id, "C-22")
    customers.archive_customer(one, luis.id)
    AuditEntry.update(at=dt.datetime(2026, 1, 10, 9, 0)).where(AuditEntry.entity_id == one).execute()

    def labels(**wanted) -> list[str]:
        return [row.record for row in audit.list_entries(AuditFilter(entity="customer", **wanted))]

    assert labels() == ["C-22", "C-1", "C-1"]  # newest first
    assert labels(text="c-2") == ["C-22"]
    assert labels(rep_id=luis.id) == ["C-22", "C-1"]
    assert labels(action="archive") == ["C-1"]
    assert audit.count_entries(AuditFilter(entity="case")) == 0
    assert labels(start=dt.date(2026, 1, 10), end=dt.date(2026, 1, 10)) == ["C-1", "C-1"]
    assert labels(end=dt.date(2026, 1, 9)) == []
    assert audit.count_entries(AuditFilter(entity="customer", rep_id=luis.id)) == 2
    assert audit.list_entries(AuditFilter(entity="customer"), offset=1, limit=1)[0].record == "C-1"
    assert [p.name for p in audit.people_in_log()] == ["Ana García", "Luis Pérez"]
    assert set(audit.actions_in_log()) == {"create", "archive"}


def test_entries_from_before_schema_8_are_still_readable(people):
    AuditEntry.create(
        action="update",
        entity="follow_up",
        entity_id=7,
        rep=people["ana"].id,
        details=json.dumps({"scheduled_at": "2026-02-03T10:00:00", "state": "done"}),
    )
    AuditEntry.create(
        action="transition",
        entity="case",
        entity_id=3,
        details=json.dumps({"from_stage": "reception", "to_stage": "analysis"}),
    )
    with using_language("en"):
        [follow_up_row] = audit.list_entries(AuditFilter(entity="follow_up"))
        [case_row] = audit.list_entries(AuditFilter(entity="case"))
    assert follow_up_row.record == "#7"
    assert set(follow_up_row.changes) == {"Date and time: 03/02/2026 10:00", "State: Done"}
    assert case_row.changes == ("Stage: Reception → Analysis",)


def _run_many_commands(people, unit) -> None:
    """Customers, catalogue, sales and their plans, a case to its closing, a return to its closing,
    follow-ups done and cancelled, settings: every kind of audited command."""
    from dataclasses import replace

    from app.services import company
    from app.services.sales import catalog

    ana, boss = people["ana"], people["boss"]
    customer_id = Customer.get(Customer.code == "C-1").id
    data = customers.get_customer(customer_id).to_input()
    data.notes = "Prefers mornings"
    data.need_tags = ["installation"]
    customers.update_customer(customer_id, data, ana.id)
    customers.archive_customer(customer_id, boss.id)
    customers.restore_customer(customer_id, boss.id)
    category_id = catalog.create_category("OVENS", "Hornos", boss.id)  # with its default plans
    product_id = catalog.create_product(
        catalog.ProductInput(sku="HO-1", name="Horno", category_id=category_id, price=Decimal("300")), boss.id
    )
    catalog.update_product(
        product_id,
        catalog.ProductInput(sku="HO-1", name="Horno Pro", category_id=category_id, price=Decimal("320")),
        boss.id,
    )
    catalog.set_product_active(product_id, False, boss.id)
    catalog.set_product_active(product_id, True, boss.id)
    sold = dt.date.today() - dt.timedelta(days=3)
    sale_id = record_sale(
        customer_id, ana.id, sold, None, [SaleLineInput(product_id, 1, Decimal("320"), ["H-1"])]
    )
    from app.services.sales import set_delivery_date

    set_delivery_date(sale_id, sold + dt.timedelta(days=1), ana.id)
    set_delivery_date(sale_id, sold + dt.timedelta(days=2), ana.id)

    case_id = cases.receive_case(
        CaseKind.CLAIM,
        customer_id,
        ContactChannel.EMAIL,
        TODAY,
        "Broken",
        ana.id,
        requested_compensation="100 €",
    )
    cases.analyse_case(case_id, CaseCategory.BILLING, Severity.LOW, ana.id, on=TODAY)
    cases.propose_solution(
        case_id, "discount", "10% off", ContactChannel.EMAIL, ana.id, amount="30", on=TODAY
    )
    cases.record_answer(case_id, "accepted", ana.id, on=TODAY, note="Happy")
    cases.close_case(case_id, ana.id, on=TODAY)

    return_id = returns.open_return(unit, ReturnReason.FAILURE_IN_USE, "Noise", TODAY, ana.id, today=TODAY)
    returns.advance_return(return_id, ReturnState.RECEIVED, ana.id)
    returns.advance_return(return_id, ReturnState.INSPECTED, ana.id, inspection_note="Motor")
    returns.advance_return(return_id, ReturnState.APPROVED, ana.id)
    returns.advance_return(return_id, ReturnState.REPAIRED, ana.id)
    returns.advance_return(return_id, ReturnState.RETURNED_TO_CUSTOMER, ana.id)
    returns.advance_return(return_id, ReturnState.CLOSED, ana.id)
    returns.set_return_costs(return_id, "12", "30", "0", ana.id)
    returns.set_returns_settings(boss.id, target=20, satisfaction=5)

    day = working_slot(9)
    call = followups.schedule_follow_up(
        customer_id, FollowUpKind.CALL, FollowUpPurpose.COMMERCIAL, day, rep_id=ana.id, acting_rep_id=ana.id
    ).follow_up_id
    followups.reschedule_follow_up(call, day + dt.timedelta(hours=2), acting_rep_id=ana.id)
    followups.complete_follow_up(call, "reached", "Fine", ana.id, satisfaction=4, recommend=9, now=day)
    visit = followups.schedule_follow_up(
        customer_id, FollowUpKind.VISIT, FollowUpPurpose.TRAINING, day, rep_id=ana.id, acting_rep_id=ana.id
    ).follow_up_id
    followups.cancel_follow_up(visit, "Customer away", ana.id)
    company.save_company_settings(replace(company.load_company_settings(), name="Hogar SL"), boss.id)


@pytest.fixture
def busy(people, unit):
    people["boss"] = create_rep("JEFA", "Marta Jefa")
    _run_many_commands(people, unit)


def test_every_change_recorded_shows_in_words(busy):
    unknown = set()
    for entity, action, changes, details in AuditEntry.select(
        AuditEntry.entity, AuditEntry.action, AuditEntry.changes, AuditEntry.details
    ).tuples():
        for field in [*json.loads(changes or "{}"), *json.loads(details or "{}")]:
            if audit.field_label(entity, field) == field.replace("_", " "):
                unknown.add((entity, field))
        if audit.action_label(action) == action:
            unknown.add((entity, action))
        if audit.entity_label(entity) == entity:
            unknown.add((entity, ""))
    assert unknown == set()
    # every entry about one record names it (settings and bulk commands have id 0)
    assert AuditEntry.select().where(AuditEntry.label == "", AuditEntry.entity_id != 0).count() == 0
    kinds = {e for (e,) in AuditEntry.select(AuditEntry.entity).distinct().tuples()}
    assert {
        "customer",
        "product",
        "sale",
        "case",
        "case_proposal",
        "warranty_return",
        "follow_up",
        "survey",
        "company_settings",
        "follow_up_plan",
        "product_category",
    } <= kinds
    with using_language("es"):
        shown = [line for row in audit.list_entries(AuditFilter(), limit=1000) for line in row.changes]
    codes = {"defect", "billing", "low", "discount", "accepted", "received", "inspected", "reached", "email"}
    assert not [line for line in shown if line.rsplit("→", 1)[-1].strip() in codes]


def test_personal_data_stays_in_the_changed_fields(busy):
    personal = ["Peña", "pena@example.com", "600111222", "Prefers mornings", "Broken", "Customer away"]
    for label, details in AuditEntry.select(AuditEntry.label, AuditEntry.details).tuples():
        assert not [text for text in personal if text in label or text in details]
    changes = " ".join(c for (c,) in AuditEntry.select(AuditEntry.changes).tuples())
    assert all(text in changes for text in ["Prefers mornings", "Broken", "Customer away"])


def test_export_to_xlsx_reads_back(people, tmp_path):
    ana = people["ana"]
    customer_id = _customer(ana.id)
    data = customers.get_customer(customer_id).to_input()
    data.city = "Ávila"
    customers.update_customer(customer_id, data, ana.id)
    target = tmp_path / "audit"
    with using_language("en"):
        written, count = audit.export_entries(AuditFilter(entity="customer"), target)
    assert written == tmp_path / "audit.xlsx" and count == 2
    sheet = load_workbook(written).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("When", "Who", "Action", "Record type", "Number or code", "Changes")
    assert rows[1][1:6] == ("Ana García", "Changed", "Customer", "C-1", "City: — → Ávila")
    assert isinstance(rows[1][0], dt.datetime)
    assert "E-mail: — → pena@example.com" in rows[2][5].split("\n")
    # The lists' export path: a bold frozen header with a filter, the changes wrapped one a line.
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:F3"
    assert sheet["A1"].font.b and sheet["F3"].alignment.wrap_text and not sheet["E3"].alignment.wrap_text
    with pytest.raises(OutputExistsError):
        audit.export_entries(AuditFilter(entity="customer"), written)
    with using_language("es"):  # the fields' and choices' labels in the user's language
        assert audit.export_entries(AuditFilter(entity="customer"), written, force=True)[1] == 2
    rows = list(load_workbook(written).active.iter_rows(values_only=True))
    assert rows[1][3:6] == ("Cliente", "C-1", "Población: — → Ávila")
