"""The customer search through the trigram index (schema 13, issue 19) finds exactly what the scan
of `search_text` found: accents, case, partial words, phones written with spaces or dashes, codes,
words of one or two characters (a scan still), and the index follows every change of a customer."""

from __future__ import annotations

import re

import pytest

from app.models import Customer, db, dialect
from app.models.customers import customer_search_text, fold_for_search
from app.models.dialect import CUSTOMER_SEARCH_INDEX, contains_folded
from app.models.sync_schema import BY_NAME, SYNCED_TABLES
from app.services import customers as svc
from app.services.customers import CustomerInput

# (code, name, city, phone, mobile, email, tax id)
CUSTOMERS = [
    ("C-1", "Peña Hermanos", "Logroño", "941 22 33 44", "", "pena@example.es", "B65410011"),
    ("C-2", "Zapatería Ruiz", "Madrid", "+34 600 123 456", "600-98-76-54", "", None),
    ("C-3", "Álvarez e Hijos", "Ávila", "920 111 222", "", "ALVAREZ@Example.ES", "A58818501"),
    ("C-4", "Bodegas Peñalba", "Haro", "941 99 88 77", "", "", None),
    ("C-10", "María José Núñez", "A Coruña", "981 000 111", "", "mjn@correo.gal", None),
    ("C-11", 'Óptica "El Faro" 100%', "Cádiz", "", "", "faro_optica@example.es", None),
    ("PX-77", "Straße Müller GmbH", "Ibiza", "", "", "", None),
    ("C-12", "Ana", "Jaén", "953 12 34 56", "", "", None),
]

TERMS = [
    "pena",  # accent-free spelling of Peña
    "PEÑA",
    "peñ",
    "logrono",
    "ÁVILA",
    "avi",  # partial word
    "maria jose",
    "nunez coruña",
    "600 123",  # a phone written with spaces: two words
    "600123456",  # its digits
    "600-98-76-54",  # dashes: also its digits
    "941",
    "22 33",  # two-character words: scanned
    "c-1",  # a code, and every code it begins
    "C-12",
    "px-7",
    "b654",  # the start of a tax ID
    "example.es",
    "strasse",  # ß folds to ss
    "müll",
    '"el faro"',  # quotes in a word
    '"',
    "100%",
    "faro_",
    "%",
    "_",
    "a",
    "an",
    "ana",
    "ana jaen",
    "zzz",
    "e hijos",
    "|",  # the separator between fields
]


def _make(code, name, city, phone, mobile, email, tax_id) -> CustomerInput:
    return CustomerInput(
        code=code, name=name, city=city, phone=phone, mobile=mobile, email=email, tax_id=tax_id or ""
    )


@pytest.fixture
def customers(database):
    return {row[0]: svc.create_customer(_make(*row), None) for row in CUSTOMERS}


def _scan(text: str) -> list[int]:
    """The search as it was before the index: every word a LIKE over search_text (a phone word
    also as its digits), archived customers left out, in the list's order (the names' collation key)."""
    query = Customer.select(Customer.id).where(~Customer.archived)
    for term in fold_for_search(text).split():
        condition = contains_folded(Customer.search_text, term)
        digits = re.sub(r"\D", "", term)
        if digits != term and len(digits) >= 3 and re.match(r"^[0-9 +\-().]+$", term):
            condition = condition | contains_folded(Customer.search_text, digits)
        query = query.where(condition)
    return [row.id for row in query.order_by(Customer.sort_key, Customer.id)]


def _python(text: str) -> set[int]:
    """The same, with no SQL at all: every word a substring of the folded text."""

    def spellings(term: str) -> list[str]:
        digits = re.sub(r"\D", "", term)
        phone = digits != term and len(digits) >= 3 and re.match(r"^[0-9 +\-().]+$", term)
        return [term, digits] if phone else [term]

    words = [spellings(term) for term in fold_for_search(text).split()]
    return {
        row.id
        for row in Customer.select().where(~Customer.archived)
        if all(any(s in row.search_text for s in word) for word in words)
    }


def _search(text: str) -> list[int]:
    return [row.id for row in svc.search_customers(text, limit=1000)]


@pytest.mark.parametrize("text", TERMS)
def test_search_finds_what_the_scan_found(customers, text):
    assert _search(text) == _scan(text)
    assert svc.count_customers(text) == len(_scan(text))


@pytest.mark.parametrize(("order_by", "key"), [("name", Customer.sort_key), ("code", Customer.code)])
@pytest.mark.parametrize("descending", [False, True])
def test_pages_in_each_order_are_the_scans_when_few_rows_of_the_order_are_walked(
    customers, monkeypatch, order_by, key, descending
):
    # PostgreSQL, when its plan walks the order's index, looks for a page among the first rows of
    # the order, then among all the matches (app.models.dialect.rows_of_ordered_search); its plan
    # for this small table never walks: taken as walking, with 3 rows walked, both ways answer here.
    monkeypatch.setattr(dialect, "ORDERED_WALK_ROWS", 3)
    monkeypatch.setattr(dialect, "_walks_an_index", lambda query, table: True)
    direction = (lambda column: column.desc()) if descending else (lambda column: column.asc())
    for text in ("a", "e", "es", "pena", "941", "ana", "zzz", ""):
        wanted = _python(text) if text else {row.id for row in Customer.select().where(~Customer.archived)}
        expected = [
            row.id
            for row in Customer.select(Customer.id)
            .where(Customer.id.in_(wanted or [0]))
            .order_by(direction(key), direction(Customer.id))
        ]
        pages = [
            [
                row.id
                for row in svc.search_customers(
                    text, order_by=order_by, descending=descending, offset=start, limit=2
                )
            ]
            for start in range(0, len(CUSTOMERS) + 2, 2)
        ]
        assert [customer_id for page in pages for customer_id in page] == expected, text


def test_the_dataset_covers_accents_case_partial_words_and_phones(customers):
    """The comparison above means something: the terms find the customers a person expects."""
    found = {text: {Customer.get_by_id(i).code for i in _search(text)} for text in TERMS}
    assert found["pena"] == found["PEÑA"] == {"C-1", "C-4"}
    assert found["avi"] == {"C-3"}
    assert found["maria jose"] == found["nunez coruña"] == {"C-10"}
    assert found["600 123"] == found["600123456"] == {"C-2"}
    assert found["600-98-76-54"] == {"C-2"}
    assert found["c-1"] == {"C-1", "C-10", "C-11", "C-12"}
    assert found["strasse"] == found["müll"] == {"PX-77"}
    assert found['"el faro"'] == found["100%"] == found["faro_"] == {"C-11"}
    assert found["ana jaen"] == {"C-12"}
    assert found["zzz"] == set()
    for text in TERMS:
        # Whatever the wildcards (a literal % or _), the separators or the quotes.
        assert set(_search(text)) == _python(text), text


def test_the_index_follows_edits_archiving_and_rows_written_by_sql(customers):
    """The index is kept in step by triggers, whoever writes: the service, an archive, and SQL
    as a sync pull writes it (an insert, an update of the text, a delete)."""
    svc.update_customer(
        customers["C-4"],
        _make("C-4", "Viñedos del Norte", "Haro", "941 99 88 77", "", "", None),
        None,
        expected_version=1,
    )
    assert _search("penalba") == []
    assert [Customer.get_by_id(i).code for i in _search("vinedos")] == ["C-4"]
    svc.archive_customer(customers["C-3"], None)
    assert _search("alvarez") == []
    assert _search("alvarez") == _scan("alvarez")

    text = customer_search_text(
        "C-90",
        "Cristalería Oñate",
        None,
        "",
        "",
        "",
        "Zumárraga",
    )
    with db.atomic():
        new_id = Customer.insert(
            code="C-90", name="Cristalería Oñate", city="Zumárraga", search_text=text
        ).execute()
    assert _search("onate zumarraga") == [new_id]
    Customer.update(search_text=fold_for_search("C-90 | Cristalería Goñi")).where(
        Customer.id == new_id
    ).execute()
    assert _search("onate") == []
    assert _search("goni") == [new_id]
    Customer.delete().where(Customer.id == new_id).execute()
    assert _search("goni") == []
    for text in TERMS:
        assert _search(text) == _scan(text), text


def test_the_index_is_each_machines_own():
    """Not a model: the sync neither sends it nor captures it on a laptop (its triggers are made
    from SYNCED_TABLES), and no synced table names it."""
    names = {table.name for table in SYNCED_TABLES}
    assert "customer" in names
    assert not any(name.startswith(CUSTOMER_SEARCH_INDEX) for name in names)
    assert CUSTOMER_SEARCH_INDEX not in BY_NAME


@pytest.mark.sqlite_only("the FTS5 table is SQLite's; PostgreSQL's index is checked below")
def test_sqlite_search_reads_the_trigram_index(customers):
    """A word of three characters or more is looked up in the FTS5 table, not scanned."""
    from app.services.customers.records import _search_conditions

    query = Customer.select(Customer.id)
    for condition in _search_conditions("peña", False, None):
        query = query.where(condition)
    sql, params = query.sql()
    plan = " ".join(str(row) for row in db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params).fetchall())
    assert f"SCAN {CUSTOMER_SEARCH_INDEX} VIRTUAL TABLE" in plan
    assert "SCAN customer" not in plan.replace(f"SCAN {CUSTOMER_SEARCH_INDEX}", "")
    # Integrity: the external-content index agrees with the customer rows.
    db.execute_sql(
        f"INSERT INTO {CUSTOMER_SEARCH_INDEX} ({CUSTOMER_SEARCH_INDEX}) VALUES ('integrity-check')"
    )


@pytest.mark.postgresql_only("pg_trgm is PostgreSQL's")
def test_postgresql_has_the_trigram_index(customers):
    found = db.execute_sql(
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'customer' AND indexname = 'customer_search_text_trgm'"
    ).fetchone()
    assert found is not None and "gin_trgm_ops" in found[0]
    with db.atomic():
        db.execute_sql("SET LOCAL enable_seqscan = off")  # 8 rows: the planner would rather scan
        plan = " ".join(
            row[0]
            for row in db.execute_sql(
                "EXPLAIN SELECT id FROM customer WHERE search_text LIKE %s", ("%pena%",)
            ).fetchall()
        )
    assert "customer_search_text_trgm" in plan


@pytest.mark.postgresql_only("the plans PostgreSQL chooses for the customer search")
def test_postgresql_walks_are_told_from_plans_through_the_trigram_index(customers):
    ordered = Customer.select(Customer.id).where(~Customer.archived).order_by(Customer.sort_key).limit(2)
    searched = ordered.where(contains_folded(Customer.search_text, "pena"))
    with db.atomic():
        db.execute_sql("SET LOCAL enable_seqscan = off")
        db.execute_sql("SET LOCAL enable_bitmapscan = off")
        assert dialect._walks_an_index(ordered, "customer")
        db.execute_sql("SET LOCAL enable_bitmapscan = on")
        db.execute_sql("SET LOCAL enable_indexscan = off")
        db.execute_sql("SET LOCAL enable_indexonlyscan = off")
        assert not dialect._walks_an_index(searched, "customer")
