"""The sync's records and values in the user's words (app.sync.labels): a label for every synced table
and column, values as the user reads them, records by their names, conflicts as the Conflicts page
shows them. No Qt; any engine (a laptop's tables are made by hand, as on a laptop)."""

from __future__ import annotations

import datetime as dt

import pytest

from app import i18n
from app.models import Customer, FollowUp
from app.models.enums import FollowUpKind, FollowUpPurpose, ReturnState
from app.models.sync_schema import SYNCED_TABLES
from app.sync.conflicts import Choice, ConflictKind, ConflictRow
from app.sync.labels import (
    NOTHING,
    ValueKind,
    column_label,
    describe_conflict,
    describe_record,
    describe_value,
    has_label,
    table_label,
    value_kind,
)
from tests import factories


@pytest.fixture
def spanish():
    i18n.set_language("es")
    yield
    i18n.set_language("en")


@pytest.fixture
def records(database):
    """A customer with a phone call planned and a warranty return."""
    ana = Customer.create(code="C-00012", name="Ana López", phone="+34 600 000 001")
    call = FollowUp.create(
        customer=ana,
        kind=FollowUpKind.CALL,
        purpose=FollowUpPurpose.COMMERCIAL,
        scheduled_at=dt.datetime(2026, 11, 25, 9, 30),
    )
    unit = factories.sale(ana, dt.date(2026, 1, 10), (1, "300.00"))[0]
    rma = factories.warranty_return(unit, ReturnState.RECEIVED, None, dt.date(2026, 11, 2))
    return {"customer": ana, "call": call, "return": rma}


def test_every_synced_table_and_column_has_a_label_that_is_not_its_name():
    missing = [
        f"{table.name}.{column}"
        for table in SYNCED_TABLES
        for column in table.columns
        if not has_label(table.name, column)
    ]
    assert missing == []
    for table in SYNCED_TABLES:
        assert table_label(table.name) not in (table.name, "A record")
        for column in table.columns:
            label = column_label(table.name, column)
            assert label != column and "_" not in label, f"{table.name}.{column}: {label}"


def test_labels_reuse_the_forms_wording_so_their_translations_match(spanish):
    assert column_label("customer", "phone") == "Teléfono"
    assert column_label("follow_up", "scheduled_at") == i18n._("Planned for") != "Planned for"
    assert column_label("customer", "tax_id") == i18n._("Tax ID")
    assert table_label("warranty_return") == i18n._("Warranty return") != "Warranty return"


def test_values_read_as_the_user_reads_them(records):
    assert describe_value("follow_up", "scheduled_at", "2026-11-25 09:30:00") == "25/11/2026 09:30"
    assert describe_value("follow_up", "scheduled_at", "2026-11-25T09:30:00") == "25/11/2026 09:30"
    assert describe_value("sale", "sold_on", "2026-11-23") == "23/11/2026"
    assert describe_value("customer", "archived", 1) == "Yes"
    assert describe_value("customer", "contact_consent", False) == "No"
    assert describe_value("warranty_return", "state", "inspected") == "Inspected"
    assert describe_value("warranty_return", "refund_amount", "12.5") == "€12.50"
    assert describe_value("product", "warranty_months", 24) == "24 months"
    assert describe_value("customer", "language", "es") == "Spanish"
    assert describe_value("customer", "phone", None) == NOTHING
    assert describe_value("customer", "notes", "") == NOTHING
    assert describe_value("warranty_return", "state", "no-such-state") == "no-such-state"


def test_values_in_spanish(records, spanish):
    assert describe_value("follow_up", "scheduled_at", "2026-11-25 09:30:00") == "25/11/2026 09:30"
    assert describe_value("warranty_return", "state", "inspected") == ReturnState.INSPECTED.label
    assert describe_value("warranty_return", "refund_amount", "12.5") == "12,50\xa0€"
    assert describe_value("customer", "archived", True) == "Sí"


def test_a_reference_reads_as_the_record_it_points_to(records):
    ana = records["customer"]
    assert describe_value("follow_up", "customer_id", ana.uid) == "Ana López (C-00012)"
    assert describe_value("follow_up", "customer_id", "0" * 32) == "Customer (no longer in this database)"


def test_records_by_their_names(records):
    ana, call, rma = records["customer"], records["call"], records["return"]
    assert describe_record("customer", ana.uid) == "Ana López (C-00012)"
    assert describe_record("follow_up", call.uid) == "Phone call with Ana López, 25/11/2026 09:30"
    assert describe_record("warranty_return", rma.uid) == f"Warranty return {rma.number}"
    gone = describe_record("customer", "f" * 32, {"code": "C-90001", "name": "Nueva Clienta"})
    assert gone == "Nueva Clienta (C-90001) (no longer in this database)"
    assert describe_record("customer", "f" * 32) == "Customer (no longer in this database)"


def _conflict(**fields) -> ConflictRow:
    values = {
        "id": 7,
        "kind": ConflictKind.CONFLICT,
        "table": "customer",
        "row_uid": "",
        "column": "phone",
        "base": "+34 600 000 001",
        "mine": "+34 622 222 222",
        "theirs": "+34 611 111 111",
        "reason": "",
        "login": "mia",
        "created_at": "2026-11-23 10:42",
        "laptop": "L1",
    }
    return ConflictRow(**{**values, **fields})


def test_a_conflict_on_one_field_shows_the_three_values_and_offers_three_decisions(records):
    view = describe_conflict(_conflict(row_uid=records["customer"].uid), here="L1")
    assert (view.record, view.field, view.kind_label) == (
        "Ana López (C-00012)",
        "Phone",
        "Changed on both sides",
    )
    (line,) = view.lines
    assert (line.label, line.base, line.mine, line.theirs) == (
        "Phone",
        "+34 600 000 001",
        "+34 622 222 222",
        "+34 611 111 111",
    )
    assert view.choices == (Choice.MINE, Choice.THEIRS, Choice.TYPED)
    assert view.value_kind is ValueKind.TEXT and view.mine_value == "+34 622 222 222"
    assert view.laptop_heading == "This computer" and view.when == "23/11/2026 10:42"
    elsewhere = describe_conflict(_conflict(row_uid=records["customer"].uid), here="L2")
    assert (elsewhere.laptop_heading, elsewhere.laptop) == ("Laptop: mia", "mia's laptop")


def test_a_duplicate_is_explained_with_labels_and_can_only_be_let_go(records):
    reason = (
        'duplicate key value violates unique constraint "customer_tax_id" '
        "DETAIL:  Key (tax_id)=(B12345678) already exists."
    )
    row = {
        "code": "C-90001",
        "name": "Nueva Clienta",
        "tax_id": "B12345678",
        "search_text": "x",
        "uid": "f" * 32,
    }
    view = describe_conflict(
        _conflict(kind=ConflictKind.DUPLICATE, column=None, base=None, mine=row, theirs=None, reason=reason),
        here="L1",
    )
    assert "Tax ID (B12345678)" in view.explanation and "tax_id" not in view.explanation
    assert view.choices == (Choice.DISCARD,)
    assert [line.label for line in view.lines] == ["Code", "Name", "Tax ID"]  # bookkeeping left out
    assert "Nueva Clienta" in view.lost and "search" not in view.lost.lower()


def test_a_deletion_the_office_did_not_follow_says_the_record_stays(records):
    ana = records["customer"]
    view = describe_conflict(
        _conflict(
            kind=ConflictKind.DELETED,
            column=None,
            base={"name": "Ana López"},
            mine=None,
            theirs={"name": "Ana"},
            row_uid=ana.uid,
        ),
        here="L1",
    )
    assert view.choices == (Choice.MINE, Choice.DISCARD) and view.mine_deleted  # or delete it anyway
    assert "stays as the office has it" in view.lost


def test_typed_values_use_the_field_s_editor():
    assert value_kind("follow_up", "scheduled_at") is ValueKind.DATETIME
    assert value_kind("warranty_return", "refund_amount") is ValueKind.MONEY
    assert value_kind("charter_commitment", "target") is ValueKind.DECIMAL
    assert value_kind("customer", "notes") is ValueKind.LONG_TEXT
    assert value_kind("customer", "preferred_channel") is ValueKind.CHOICE
    assert value_kind("customer", "rep_id") is None  # a reference: keep one side
    assert value_kind("usage_check", "signature_png") is None


def test_a_rep_s_own_hours_read_as_times_of_day(spanish):
    """Schema 9's time columns, as either engine's JSON keeps them (SQLite's text, or Python)."""
    assert column_label("rep", "working_hours_start") == "Horario laboral desde"
    assert describe_value("rep", "working_hours_start", "08:00:00") == "08:00"
    assert describe_value("rep", "working_hours_end", dt.time(15, 30)) == "15:30"
    assert describe_value("rep", "working_hours_end", None) == NOTHING


def test_a_commitments_scope_is_shown_in_words_not_as_stored(database, spanish):
    from app.models import ProductCategory

    ProductCategory.create(code="WASH", name="Lavadoras")
    assert describe_value("charter_commitment", "case_categories", '["billing", "delay"]') == (
        "Facturación · Retraso en la entrega"
    )
    assert (
        describe_value("charter_commitment", "product_categories", '["WASH", "GONE"]') == "Lavadoras · GONE"
    )
    assert describe_value("charter_commitment", "channel", "phone") == "Teléfono"
    for column in ("case_categories", "product_categories", "channel"):  # empty: everything
        assert describe_value("charter_commitment", column, "" if column != "channel" else None) == "Todo"
