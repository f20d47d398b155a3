"""What the import's bulk writes must keep true while they skip per-row work (issue 17, speed):

- customers inserted in batches are in the search index (SQLite feeds its FTS5 index once per batch
  instead of through the insert trigger; the trigger is back afterwards, also after a dry run or an
  import that stops halfway), and a laptop's capture triggers still record every imported row;
- products are written in batches, each as the catalogue's own command writes one (audit included),
  a category made only for a product that is accepted;
- `insert_rows` stores exactly what peewee's own conversions give, and the faster text folding and
  cleaning give what they gave before."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.models import AuditEntry, Customer, FollowUpPlan, Product, ProductCategory, Sale, db
from app.models.base import insert_rows
from app.models.customers import fold_for_search, fold_key
from app.models.dialect import CUSTOMER_SEARCH_INDEX
from app.models.enums import CustomerKind
from app.services import customers as svc
from app.services.customers import CustomerInput
from app.services.imports import ImportKind, ImportOptions, open_for_import, run_import
from app.services.imports import customers as customer_import
from app.services.imports import products as product_import
from app.services.imports.running import IMPORT_CACHE_KIB
from app.services.inputs import clean_text
from app.services.sales import catalog
from app.services.sales.catalog import ProductInput
from tests.imports.files import write_csv
from tests.laptops import make_laptop, outbox

HEADER = ["Código", "Razón social", "NIF", "Teléfono", "Población"]
COUNT = customer_import._BATCH * 2 + 7  # three batches
LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def run(kind, path, **options):
    opts = ImportOptions(kind, **options)
    return run_import(open_for_import(path, opts), opts)


def customers_file(tmp_path, count: int = COUNT, start: int = 0):
    rows = [HEADER]
    for i in range(start, start + count):
        number = 20_000_000 + i
        city = "Logroño" if i % 2 else "Ávila"
        rows.append([f"{i:05d}", f"Peña Núñez {i}", f"{number}{LETTERS[number % 23]}", f"6{i:08d}", city])
    return write_csv(tmp_path / f"clientes-{start}.csv", rows)


def _search(text: str) -> set[str]:
    return {row.code for row in svc.search_customers(text, limit=100_000)}


def _index_is_sound() -> None:
    """SQLite: the FTS5 index agrees with the customer rows, and its insert trigger is there."""
    if db.obj.__class__.__name__ != "SqliteDatabase":
        return
    db.execute_sql(
        f"INSERT INTO {CUSTOMER_SEARCH_INDEX} ({CUSTOMER_SEARCH_INDEX}) VALUES ('integrity-check')"
    )
    triggers = {
        name for (name,) in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    }
    assert f"{CUSTOMER_SEARCH_INDEX}_insert" in triggers


def test_imported_customers_are_found_by_the_search(database, tmp_path):
    svc.create_customer(CustomerInput(code="A-1", name="Peña Alta", city="Soria"), None)
    summary = run(ImportKind.CUSTOMERS, customers_file(tmp_path))
    assert summary.created == COUNT
    _index_is_sound()
    assert _search("pena nunez") == {f"{i:05d}" for i in range(COUNT)}
    assert _search("logrono") == {f"{i:05d}" for i in range(COUNT) if i % 2}
    assert _search("pena") == {f"{i:05d}" for i in range(COUNT)} | {"A-1"}
    assert _search(f"nunez {COUNT - 1}") == {f"{COUNT - 1:05d}"}
    assert _search("600000123") == {"00123"}
    # The trigger works again for the customers saved afterwards, one by one.
    svc.create_customer(CustomerInput(code="A-2", name="Zoilo Ruiz", city="Cuenca"), None)
    assert _search("zoilo") == {"A-2"}
    _index_is_sound()


def test_a_dry_run_and_an_import_that_stops_halfway_leave_the_index_as_it_was(database, tmp_path):
    path = customers_file(tmp_path)
    dry = run(ImportKind.CUSTOMERS, path, dry_run=True)
    assert dry.created == COUNT and not Customer.select().exists()
    _index_is_sound()

    def stop(done: int) -> None:
        if done > customer_import._BATCH:  # after a batch was written
            raise KeyboardInterrupt

    options = ImportOptions(ImportKind.CUSTOMERS)
    with pytest.raises(KeyboardInterrupt):
        run_import(open_for_import(path, options), options, progress=stop)
    assert not Customer.select().exists()
    _index_is_sound()
    assert _search("pena") == set()
    run(ImportKind.CUSTOMERS, path)
    assert len(_search("pena")) == COUNT
    _index_is_sound()


def test_an_import_updating_and_creating_keeps_the_index_in_step(database, tmp_path):
    run(ImportKind.CUSTOMERS, customers_file(tmp_path, count=10))
    rows = [HEADER, ["00003", "Zapatería Ibáñez", f"20000003{LETTERS[20000003 % 23]}", "600000003", "Haro"]]
    rows += [[f"{i:05d}", f"Óptica {i}", "", "", "Jaén"] for i in range(10, 20)]
    summary = run(ImportKind.CUSTOMERS, write_csv(tmp_path / "cambios.csv", rows))
    assert (summary.created, summary.updated, summary.rejected) == (10, 1, 0), summary.rejections
    assert _search("ibanez") == {"00003"}
    assert "00003" not in _search("pena")
    assert _search("optica jaen") == {f"{i:05d}" for i in range(10, 20)}
    _index_is_sound()


@pytest.mark.sqlite_only("a laptop is an SQLite file with capture triggers")
def test_a_laptop_captures_every_imported_customer(database, tmp_path):
    make_laptop()
    run(ImportKind.CUSTOMERS, customers_file(tmp_path))
    uids = {uid for (uid,) in Customer.select(Customer.uid).tuples()}
    inserts = [(table, uid) for table, uid, op in outbox() if op == "insert" and table == "customer"]
    assert len(inserts) == COUNT and {uid for _table, uid in inserts} == uids
    _index_is_sound()
    assert len(_search("pena nunez")) == COUNT


def test_the_audit_entries_of_a_bulk_import_name_their_records_uids(database, tmp_path):
    run(ImportKind.CUSTOMERS, customers_file(tmp_path, count=5))
    rows = [PRODUCT_HEADER, ["REF-1", "Lavadora", "Lavadoras", "", "", ""]]
    run(ImportKind.PRODUCTS, write_csv(tmp_path / "p.csv", rows))
    sales = [
        ["Nº factura", "Fecha", "Cliente", "Referencia", "Nº serie"],
        ["F-1", "02/11/2026", "00001", "REF-1", "S1"],
    ]
    run(ImportKind.SALES, write_csv(tmp_path / "v.csv", sales), follow_ups=False)
    for model, entity in ((Customer, "customer"), (Product, "product"), (Sale, "sale")):
        uids = dict(model.select(model.id, model.uid).tuples())
        audited = {
            entity_id: uid
            for entity_id, uid in AuditEntry.select(AuditEntry.entity_id, AuditEntry.entity_uid)
            .where((AuditEntry.entity == entity) & (AuditEntry.action == "create"))
            .tuples()
        }
        assert audited == uids and all(audited.values()), entity


@pytest.mark.sqlite_only("the page cache is SQLite's")
def test_an_import_writes_with_a_large_page_cache_and_puts_it_back(database, tmp_path, monkeypatch):
    def cache() -> int:
        return db.execute_sql("PRAGMA cache_size").fetchone()[0]

    before = cache()
    during: list[int] = []
    finish = customer_import.CustomerImporter.finish

    def finishing(importer) -> None:
        during.append(cache())
        finish(importer)

    monkeypatch.setattr(customer_import.CustomerImporter, "finish", finishing)
    run(ImportKind.CUSTOMERS, customers_file(tmp_path, count=3))
    assert during == [-max(IMPORT_CACHE_KIB, -before)] and cache() == before


# --- products -----------------------------------------------------------------------------------

PRODUCT_HEADER = ["Referencia", "Descripción", "Familia", "Garantía (meses)", "PVP", "Con número de serie"]
PRODUCTS = product_import._BATCH + 20  # two batches


def test_products_are_written_in_batches_as_the_catalogue_writes_them(database, tmp_path, monkeypatch):
    batches: list[int] = []
    original = catalog.create_validated_products

    def counted(rows, acting_rep_id=None):
        batches.append(len(rows))
        return original(rows, acting_rep_id)

    monkeypatch.setattr(catalog, "create_validated_products", counted)
    rows = [PRODUCT_HEADER]
    for i in range(PRODUCTS):
        family = "Lavadoras" if i % 2 else "Frigoríficos"
        rows.append([f"REF-{i:04d}", f"Modelo {i}", family, "36", f"{100 + i},50", "sí" if i % 3 else "no"])
    rows.append(["MAL-1", "Garantía imposible", "Secadoras", "999", "10", "sí"])  # refused: no Secadoras made
    rows.append(["MAL-2", "", "Hornos", "", "", ""])  # refused: no name
    summary = run(ImportKind.PRODUCTS, write_csv(tmp_path / "articulos.csv", rows))
    assert (summary.created, summary.rejected) == (PRODUCTS, 2)
    assert [r.row for r in summary.rejections] == [PRODUCTS + 2, PRODUCTS + 3]
    assert batches == [product_import._BATCH, 20]
    assert {c.name for c in ProductCategory.select()} == {"Lavadoras", "Frigoríficos"}
    for category in ProductCategory.select():  # made as the catalogue makes one: its default plans
        assert FollowUpPlan.select().where(FollowUpPlan.category == category).count() == 2

    # Each product and its audit entry as create_product makes them.
    made = catalog.create_product(
        ProductInput(
            sku="REF-X",
            name="Modelo 7",
            category_id=Product.get(Product.sku == "REF-0007").category_id,
            warranty_months=36,
            price=Decimal("107.50"),
            serialised=True,
        )
    )
    imported = Product.get(Product.sku == "REF-0007")
    by_command = Product.get_by_id(made)
    fields = ("name", "category_id", "warranty_months", "price", "serialised", "active")
    assert [getattr(imported, f) for f in fields] == [getattr(by_command, f) for f in fields]
    assert len(imported.uid) == 32 and imported.uid != by_command.uid

    def audited(product):
        entry = AuditEntry.get((AuditEntry.entity == "product") & (AuditEntry.entity_id == product.id))
        return entry.action, entry.changes.replace(product.sku, "SKU")

    assert audited(imported) == audited(by_command)

    # Imported again: unchanged, nothing written.
    batches.clear()
    again = run(ImportKind.PRODUCTS, write_csv(tmp_path / "otra-vez.csv", rows[: PRODUCTS + 1]))
    assert (again.created, again.unchanged) == (0, PRODUCTS) and batches == []


def test_a_new_category_is_made_once_for_its_first_accepted_product(database, tmp_path):
    rows = [
        PRODUCT_HEADER,
        ["A-1", "", "Hornos", "", "", ""],  # refused first
        ["A-2", "Horno", "Hornos", "", "", ""],
        ["A-3", "Horno grande", "hornos", "", "", ""],
        ["A-4", "Placa", "Placas", "12", "", ""],
    ]
    summary = run(ImportKind.PRODUCTS, write_csv(tmp_path / "hornos.csv", rows))
    assert (summary.created, summary.rejected) == (3, 1)
    categories = {c.code: c.id for c in ProductCategory.select()}
    assert set(categories) == {"HORNOS", "PLACAS"}
    assert {p.sku: p.category_id for p in Product.select()} == {
        "A-2": categories["HORNOS"],
        "A-3": categories["HORNOS"],
        "A-4": categories["PLACAS"],
    }


# --- the faster paths give what the plain ones gave -----------------------------------------------


def test_insert_rows_stores_what_peewees_conversions_give(database):
    customer = Customer(code="C-1", name="Peña", kind=CustomerKind.COMPANY, tax_id=None, archived=False)
    customer.search_text = "c-1 | pena"
    insert_rows(Customer, [customer])
    stored = Customer.get(Customer.code == "C-1")
    assert (stored.kind, stored.tax_id, stored.archived, stored.uid) == (
        CustomerKind.COMPANY,
        None,
        False,
        customer.uid,
    )
    category = ProductCategory.create(code="X", name="X")
    insert_rows(Product, [Product(sku="P", name="P", category=category, price=Decimal("12.5"), serialised=0)])
    product = Product.get(Product.sku == "P")
    assert (product.category_id, Decimal(product.price), product.serialised) == (
        category.id,
        Decimal("12.50"),
        False,
    )


def _fold_reference(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _clean_reference(value: object) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if not text.isascii():
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", "", text).strip()


@given(st.text())
def test_folding_for_the_search_is_what_it_was(text):
    assert fold_for_search(text) == _fold_reference(text)


# Every category, surrogates and control characters included (st.text() leaves surrogates out).
@given(st.text(alphabet=st.characters(exclude_categories=())) | st.sampled_from(["\ud83d", " \x00x\x85 "]))
def test_cleaning_text_is_what_it_was(text):
    assert clean_text(text) == _clean_reference(text)


def _fold_key_reference(text: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


@given(st.text() | st.text(alphabet=st.characters(max_codepoint=127)))
def test_keying_identifiers_is_what_it_was(text):
    assert fold_key(text) == _fold_key_reference(text)
