"""A laptop that has worked alone joins the office (`postventa sync --join`, issue 16): its records
reach the office as new, the office's catalog and reps keep their identity, a customer the office
already has is merged with its differing details as conflicts, numbers become the office's with the
laptop's as aliases, and nothing is lost or duplicated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.cli import EXIT_OK, EXIT_USAGE
from app.models import Case, Customer, Product, ProductCategory, Rep, Sale, WarrantyReturn, db
from app.models.database import close_database, open_database, open_office
from app.models.enums import CaseKind, ContactChannel, ReturnReason
from app.services import cases
from app.services.customers import CustomerInput, create_customer
from app.services.returns.workflow import open_return
from app.services.sales.recording import SaleLineInput, record_sale
from app.sync import engine
from app.sync import laptop as laptop_side
from app.sync.conflicts import open_conflicts
from app.sync.engine import SyncError, synchronise
from app.sync.joining import join_office
from tests.server_office import Office, run_cli
from tests.sync.test_crashes import SimulatedCrash, crash_at

pytestmark = pytest.mark.postgresql_only("the office of a sync is a PostgreSQL server")


def _office(office: Office, sql: str, params=()):
    with office.admin() as admin, admin.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _sync(path: Path, url: str) -> None:
    open_database(str(path), create=False)
    server = open_office(url)
    try:
        synchronise(db.obj, server)
    finally:
        server.close()
        close_database()


def _work_alone(path: Path, office: Office) -> dict:
    """A database that has worked alone: one rep (the person who will log in), the office's product
    under the same SKU, a customer the office has (same tax id, another phone), one whose code the
    office gives someone else, a new one with a sale, a return and a complaint."""
    [(sku, category_code, serialised)] = _office(
        office,
        "SELECT p.sku, c.code, p.serialised FROM product p JOIN product_category c ON c.id = p.category_id"
        " WHERE p.active ORDER BY p.id LIMIT 1",
    )
    [(twin_code, twin_tax_id, twin_phone)] = _office(
        office,
        "SELECT code, tax_id, phone FROM customer WHERE rep_id = %s AND tax_id IS NOT NULL ORDER BY id LIMIT 1",
        (office.rep_id,),
    )
    [(taken_code,)] = _office(
        office, "SELECT code FROM customer WHERE code <> %s ORDER BY id LIMIT 1", (twin_code,)
    )
    today = dt.date.today()
    open_database(str(path))
    try:
        rep = Rep.create(code="YO", name="Yo misma")
        category = ProductCategory.create(code=category_code, name="Mi categoría")
        product = Product.create(
            sku=sku, name="Mi nombre del producto", category=category, serialised=serialised
        )
        twin = create_customer(
            CustomerInput(
                code="C-TWIN", name="Otro nombre", tax_id=twin_tax_id, phone="+34 699 000 111", rep_id=rep.id
            ),
            rep.id,
        )
        clash = create_customer(
            CustomerInput(code=taken_code, name="Nadie Igual Nunca", rep_id=rep.id), rep.id
        )
        new = create_customer(CustomerInput(code="C-77001", name="Talleres Nuevos", rep_id=rep.id), rep.id)
        line = SaleLineInput(product.id, 1, 100, ["SN-ALONE-1"] if serialised else [])
        sale = Sale.get_by_id(
            record_sale(new, rep.id, today - dt.timedelta(days=20), today - dt.timedelta(days=19), [line])
        )
        unit = sale.lines[0].units[0]
        opened = WarrantyReturn.get_by_id(
            open_return(unit.id, ReturnReason.FAILURE_IN_USE, "No enciende", today, rep.id)
        )
        case = Case.get_by_id(
            cases.receive_case(CaseKind.COMPLAINT, new, ContactChannel.EMAIL, today, "Tardaron", rep.id)
        )
        return {
            "sku": sku,
            "twin_code": twin_code,
            "twin_phone": twin_phone,
            "twin_uid": Customer.get_by_id(twin).uid,
            "clash_uid": Customer.get_by_id(clash).uid,
            "new_uid": Customer.get_by_id(new).uid,
            "sale": (sale.uid, sale.number),
            "return": (opened.uid, opened.number),
            "case": (case.uid, case.number),
        }
    finally:
        close_database()


@pytest.mark.parametrize(
    "crash", [None, "join-halfway", "join-prepared", "push-sent", "push-committed", "pull-halfway"]
)
def test_a_database_that_worked_alone_joins_the_office_without_losing_or_duplicating(
    office, tmp_path, monkeypatch, crash
):
    alone = tmp_path / "alone.sqlite3"
    made = _work_alone(alone, office)
    customers_before = _office(office, "SELECT count(*) FROM customer")[0][0]

    if crash is None:
        joined = join_office(alone, office.url_of(office.rep))
        assert (joined.merged_customers, joined.recoded_customers, joined.renumbered) == (1, 1, 3)
        assert joined.sync.refused == 0
        assert joined.backup.exists()
    else:  # cut short, then run again: prepared in one transaction, or an ordinary sync to finish
        crash_at(monkeypatch, crash)
        with pytest.raises(SimulatedCrash):
            join_office(alone, office.url_of(office.rep))
        monkeypatch.setattr(engine, "crash_point", lambda name: None)
        open_database(str(alone), create=False)
        joined_before = laptop_side.is_laptop(db.obj)
        close_database()
        assert joined_before == (crash != "join-halfway")
        if joined_before:
            _sync(alone, office.url_of(office.rep))
        else:
            join_office(alone, office.url_of(office.rep))
    # One new customer and the recoded one; the twin is the office's customer, not a second one.
    assert _office(office, "SELECT count(*) FROM customer")[0][0] == customers_before + 2
    assert _office(office, "SELECT code FROM customer WHERE uid = %s", (made["new_uid"],)) == [("C-77001",)]
    [(recoded,)] = _office(
        office, "SELECT code FROM customer WHERE name = 'Nadie Igual Nunca' AND rep_id = %s", (office.rep_id,)
    )
    assert recoded.startswith("C-") and "L" not in recoded
    # The twin's phone differs: a conflict with both values, the office's kept meanwhile.
    assert _office(
        office,
        "SELECT kind, column_name, laptop_value, office_value FROM sync_conflict WHERE table_name = 'customer'"
        " AND column_name = 'phone'",
    ) == [("conflict", "phone", '"+34 699 000 111"', f'"{made["twin_phone"]}"')]
    assert _office(office, "SELECT count(*) FROM product WHERE sku = %s", (made["sku"],)) == [(1,)]
    # Numbers: the office's next in each series, the laptop's kept as the alias.
    for table, (_uid, number) in (
        ("sale", made["sale"]),
        ("warranty_return", made["return"]),
        ('"case"', made["case"]),
    ):
        [(final, alias, owner)] = _office(
            office,
            f"SELECT r.number, r.provisional_number, c.rep_id FROM {table} r JOIN customer c ON c.id = r.customer_id"
            " WHERE r.provisional_number = %s",
            (number,),
        )
        assert "L0" not in final and alias == number and owner == office.rep_id
    # The laptop: a laptop of the office now, nothing left to send, the office's numbers and names.
    open_database(str(alone), create=False)
    try:
        assert laptop_side.is_laptop(db.obj) and laptop_side.pending_count(db.obj) == 0
        twin = Customer.get(Customer.code == made["twin_code"])  # the office's customer, its values
        assert twin.phone == made["twin_phone"] and twin.name != "Otro nombre"
        assert not Customer.select().where(Customer.code == "C-TWIN").exists()
        assert {Sale.get(Sale.uid == made["sale"][0]).provisional_number} == {made["sale"][1]}
        assert Product.select().where(Product.sku == made["sku"]).count() == 1
        assert sorted(c.column for c in open_conflicts()) == ["name", "phone"]  # each detail that differs
    finally:
        close_database()


def test_join_refuses_a_missing_file_a_laptop_and_init_with_join(office, tmp_path, monkeypatch, capsys):
    with pytest.raises(SyncError, match="--init"):
        join_office(tmp_path / "nothing.sqlite3", office.url_of(office.rep))
    both = ("sync", "--init", "--join", "--db", str(tmp_path / "x.sqlite3"), "--server", office.url)
    with pytest.raises(SystemExit) as usage:
        run_cli(monkeypatch, capsys, *both)
    assert usage.value.code == EXIT_USAGE and "--join" in capsys.readouterr().err
    alone = tmp_path / "alone.sqlite3"
    _work_alone(alone, office)
    code, out, err = run_cli(
        monkeypatch,
        capsys,
        "sync",
        "--join",
        "--json",
        "--db",
        str(alone),
        "--server",
        office.url_of(office.rep),
    )
    assert code == EXIT_OK, err
    assert '"merged_customers": 1' in out
    code, _out, err = run_cli(
        monkeypatch, capsys, "sync", "--join", "--db", str(alone), "--server", office.url_of(office.rep)
    )
    assert code != EXIT_OK and "without --join" in err
