"""Customers: validation rules, commands with their audit trail, search and the 360° view."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from app.models import (
    AuditEntry,
    Case,
    Customer,
    FollowUp,
    NeedTag,
    Product,
    ProductCategory,
    SatisfactionSurvey,
)
from app.models.enums import (
    CaseKind,
    CaseStage,
    ContactChannel,
    CustomerKind,
    FollowUpKind,
    FollowUpPurpose,
    FollowUpState,
    Segment,
)
from app.services import customers as svc
from app.services.customers import CustomerInput, spanish_tax_id_is_valid
from app.services.errors import NotFoundError, ValidationError
from app.services.reps import create_rep
from app.services.sales import SaleLineInput, record_sale

TODAY = dt.date(2026, 3, 15)


@pytest.fixture
def rep(database):
    return create_rep("ana", "Ana García")


def make(code="C-1", name="Peña Hermanos", **fields) -> CustomerInput:
    return CustomerInput(code=code, name=name, **fields)


def errors_of(data: CustomerInput, customer_id: int | None = None) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        svc.validate_customer(data, customer_id, today=TODAY)
    return info.value.errors


# --- validation -------------------------------------------------------------


def test_code_and_name_are_required(database):
    errors = errors_of(make(code="  ", name=" "))
    assert set(errors) == {"code", "name"}
    assert errors["name"] == "The name is required."


def test_valid_input_is_tidied(database):
    data = svc.validate_customer(
        make(
            code=" c-7 ",
            name="  Ana   López ",
            tax_id="12.345.678-z",
            email=" a@b.es ",
            need_tags=["x", " X ", ""],
        ),
        today=TODAY,
    )
    assert (data.code, data.name, data.tax_id, data.email) == ("C-7", "Ana López", "12345678Z", "a@b.es")
    assert data.need_tags == ["x"]


@pytest.mark.parametrize("email", ["ana", "ana@", "ana@example", "a b@example.com", "@example.com"])
def test_bad_email_is_refused(database, email):
    assert "e-mail" in errors_of(make(email=email))["email"]


@pytest.mark.parametrize("phone", ["+34 600 12 34 56", "(91) 555-12.34", "600123456", "+44 20 7946 0958"])
def test_phone_formats_accepted(database, phone):
    svc.validate_customer(make(phone=phone, mobile=phone), today=TODAY)


@pytest.mark.parametrize(
    ("phone", "fragment"),
    [
        ("600 12 34", "between 9 and 15"),
        ("1234567890123456", "between 9 and 15"),
        ("600-12A-456", "only have"),
    ],
)
def test_bad_phones_are_refused(database, phone, fragment):
    errors = errors_of(make(phone=phone, mobile=phone))
    assert fragment in errors["phone"]
    assert fragment in errors["mobile"]


@pytest.mark.parametrize(
    "tax_id",
    ["12345678Z", "X1234567L", "Y2345678Z", "K1234567L", "Q2826000H", "A58818501", "B65410011", "P2807900B"],
)
def test_valid_spanish_tax_ids(tax_id):
    assert spanish_tax_id_is_valid(tax_id)


@pytest.mark.parametrize("tax_id", ["12345678A", "X1234567A", "B65410012", "I1234567A", "1234567Z", "ABC"])
def test_invalid_spanish_tax_ids(tax_id):
    assert not spanish_tax_id_is_valid(tax_id)


def test_spanish_tax_id_checked_only_for_spanish_customers(database):
    assert "NIF" in errors_of(make(tax_id="12345678A"))["tax_id"]
    data = svc.validate_customer(make(tax_id="FR40303265045", country="fr"), today=TODAY)
    assert data.country == "FR"


def test_code_must_be_unique_case_insensitively(database, rep):
    svc.create_customer(make(code="C-1"), rep.id)
    assert "C-1" in errors_of(make(code="c-1"))["code"]


def test_tax_id_unique_case_insensitively_and_empty_means_none(database, rep):
    first = svc.create_customer(make(code="C-1", tax_id="12345678z"), rep.id)
    assert Customer.get_by_id(first).tax_id == "12345678Z"
    assert "already" in errors_of(make(code="C-2", tax_id="12345678Z"))["tax_id"]
    # Many customers without a tax id are fine: it is stored as NULL, not "".
    a = svc.create_customer(make(code="C-3"), rep.id)
    b = svc.create_customer(make(code="C-4", tax_id="  "), rep.id)
    assert Customer.get_by_id(a).tax_id is None and Customer.get_by_id(b).tax_id is None


def test_own_code_and_tax_id_do_not_clash_when_editing(database, rep):
    customer_id = svc.create_customer(make(code="C-1", tax_id="12345678Z"), rep.id)
    svc.validate_customer(make(code="C-1", tax_id="12345678Z"), customer_id, today=TODAY)


def test_consent_needs_a_date_that_is_not_in_the_future(database):
    assert "consent" in errors_of(make(contact_consent=True))["consent_date"]
    future = errors_of(make(contact_consent=True, consent_date=TODAY + dt.timedelta(days=1)))
    assert "future" in future["consent_date"]
    data = svc.validate_customer(make(contact_consent=True, consent_date=TODAY), today=TODAY)
    assert data.consent_date == TODAY
    # Without consent a stray date is dropped.
    assert svc.validate_customer(make(consent_date=TODAY), today=TODAY).consent_date is None


def test_unknown_rep_and_country_are_refused(database):
    errors = errors_of(make(rep_id=999, country="Spain"))
    assert set(errors) == {"rep_id", "country"}


# --- commands ---------------------------------------------------------------


def test_create_stores_every_field_tags_and_audit(database, rep):
    data = make(
        code="c-10",
        kind=CustomerKind.COMPANY,
        tax_id="B65410011",
        email="info@pena.es",
        phone="+34 941 00 11 22",
        mobile="600 11 22 33",
        address="Calle Mayor 1",
        postal_code="26001",
        city="Logroño",
        province="La Rioja",
        preferred_channel=ContactChannel.EMAIL,
        language="en",
        rep_id=rep.id,
        notes="Open mornings",
        contact_consent=True,
        consent_date=dt.date(2025, 1, 2),
        need_tags=["Needs installation", "Price sensitive"],
    )
    customer_id = svc.create_customer(data, rep.id)
    detail = svc.get_customer(customer_id)
    assert detail.code == "C-10"
    assert detail.kind is CustomerKind.COMPANY
    assert detail.preferred_channel is ContactChannel.EMAIL
    assert detail.rep_name == "Ana García"
    assert detail.need_tags == ["Needs installation", "Price sensitive"]
    assert detail.to_input() == svc.validate_customer(data, customer_id)
    entry = AuditEntry.get(AuditEntry.entity == "customer", AuditEntry.entity_id == customer_id)
    assert (entry.action, entry.rep_id) == ("create", rep.id)
    assert entry.label == "C-10" and json.loads(entry.changes)["code"] == [None, "C-10"]
    assert entry.details == ""  # nothing about the person outside the changed fields


def test_invalid_create_writes_nothing(database, rep):
    with pytest.raises(ValidationError):
        svc.create_customer(make(email="nope"), rep.id)
    assert Customer.select().count() == 0
    assert AuditEntry.select().where(AuditEntry.entity == "customer").count() == 0


def test_update_changes_fields_and_tags_and_audits_the_changes(database, rep):
    customer_id = svc.create_customer(make(need_tags=["old", "shared"]), None)
    data = svc.get_customer(customer_id).to_input()
    data.city = "Ávila"
    data.need_tags = ["shared", "new"]
    svc.update_customer(customer_id, data, rep.id)
    detail = svc.get_customer(customer_id)
    assert detail.city == "Ávila"
    assert detail.need_tags == ["new", "shared"]
    entry = AuditEntry.get(AuditEntry.action == "update")
    assert json.loads(entry.changes) == {
        "city": ["", "Ávila"],
        "need_tags": [["old", "shared"], ["new", "shared"]],
    }
    assert NeedTag.select().count() == 3  # the old tag stays available for others


def test_update_without_changes_is_not_audited(database, rep):
    customer_id = svc.create_customer(make(), rep.id)
    svc.update_customer(customer_id, svc.get_customer(customer_id).to_input(), rep.id)
    assert AuditEntry.select().where(AuditEntry.action == "update").count() == 0


def test_update_of_missing_customer(database):
    with pytest.raises(NotFoundError):
        svc.update_customer(42, make(), None)


def test_archive_and_restore(database, rep):
    customer_id = svc.create_customer(make(), rep.id)
    svc.archive_customer(customer_id, rep.id)
    assert Customer.get_by_id(customer_id).archived
    assert svc.search_customers("") == []
    assert [r.id for r in svc.search_customers("", include_archived=True)] == [customer_id]
    svc.archive_customer(customer_id, rep.id)  # a second archive does nothing
    svc.restore_customer(customer_id, rep.id)
    assert not Customer.get_by_id(customer_id).archived
    actions = [
        e.action for e in AuditEntry.select().where(AuditEntry.entity == "customer").order_by(AuditEntry.id)
    ]
    assert actions == ["create", "archive", "restore"]


def test_next_customer_code(database):
    assert svc.next_customer_code() == "C-00001"
    svc.create_customer(make(code="C-00009"), None)
    svc.create_customer(make(code="C-00010", name="Other"), None)
    svc.create_customer(make(code="C-XYZ", name="Third"), None)
    assert svc.next_customer_code() == "C-00011"


# --- search -----------------------------------------------------------------


@pytest.fixture
def some_customers(database, rep):
    other = create_rep("luis", "Luis Pérez")
    ids = {}
    for code, name, city, phone, segment, rep_id in [
        ("C-3", "Peña Hermanos", "Logroño", "941 22 33 44", Segment.B, rep.id),
        ("C-1", "Zapatería Ruiz", "Madrid", "+34 600 123 456", Segment.A, other.id),
        ("C-2", "Álvarez e Hijos", "Ávila", "920 111 222", None, None),
        ("C-4", "Bodegas Peñalba", "Haro", "941 99 88 77", Segment.C, rep.id),
    ]:
        ids[code] = svc.create_customer(
            make(code=code, name=name, city=city, phone=phone, rep_id=rep_id), None
        )
        if segment:
            Customer.update(segment=segment).where(Customer.id == ids[code]).execute()
    return ids


def codes(rows) -> list[str]:
    return [r.code for r in rows]


def test_search_ignores_accents_and_case(some_customers):
    assert codes(svc.search_customers("pena")) == ["C-4", "C-3"]
    assert codes(svc.search_customers("LOGRONO")) == ["C-3"]
    assert codes(svc.search_customers("avila")) == ["C-2"]


def test_search_every_word_must_match(some_customers):
    assert codes(svc.search_customers("peña haro")) == ["C-4"]
    assert svc.search_customers("peña madrid") == []


def test_search_by_phone_digits_in_any_format(some_customers):
    assert codes(svc.search_customers("600123456")) == ["C-1"]
    assert codes(svc.search_customers("600-123-456")) == ["C-1"]
    assert codes(svc.search_customers("941")) == ["C-4", "C-3"]


def test_search_wildcards_are_literal(some_customers):
    assert svc.search_customers("%") == []
    assert svc.search_customers("_") == []


def test_search_wildcards_match_themselves(database):
    svc.create_customer(make(code="C-9", name="Ofertas 100% Sur", email="ana_bel@example.es"), None)
    svc.create_customer(make(code="C-8", name="Ofertas 1000 Sur", email="anaxbel@example.es"), None)
    assert codes(svc.search_customers("100%")) == ["C-9"]
    assert codes(svc.search_customers("ana_bel")) == ["C-9"]
    assert sorted(codes(svc.search_customers("OFERTAS sur"))) == ["C-8", "C-9"]


@pytest.mark.parametrize(
    ("order_by", "descending", "expected"),
    [
        ("code", False, ["C-1", "C-2", "C-3", "C-4"]),
        ("code", True, ["C-4", "C-3", "C-2", "C-1"]),
        ("city", False, ["C-4", "C-3", "C-1", "C-2"]),  # SQLite sorts 'Á' after ASCII letters
        ("segment", False, ["C-1", "C-3", "C-4", "C-2"]),  # no segment last
        ("segment", True, ["C-4", "C-3", "C-1", "C-2"]),  # … in both directions
        ("rep", False, ["C-3", "C-4", "C-1", "C-2"]),  # Ana before Luis, ties by id, none last
    ],
)
def test_sorting(some_customers, order_by, descending, expected):
    assert codes(svc.search_customers("", order_by=order_by, descending=descending)) == expected


def test_unknown_sort_key(database):
    with pytest.raises(ValueError):
        svc.search_customers("", order_by="tax_id; DROP TABLE customer")


def test_rows_carry_list_columns(some_customers):
    row = svc.search_customers("zapateria")[0]
    assert (row.name, row.city, row.rep_name, row.segment, row.archived) == (
        "Zapatería Ruiz",
        "Madrid",
        "Luis Pérez",
        Segment.A,
        False,
    )


def test_batches_and_count(database):
    for n in range(25):
        svc.create_customer(make(code=f"C-{n:03d}", name=f"Customer {n:03d}"), None)
    first = svc.search_customers("customer", order_by="code", limit=10)
    second = svc.search_customers("customer", order_by="code", offset=10, limit=10)
    last = svc.search_customers("customer", order_by="code", offset=20, limit=10)
    assert codes(first + second + last) == [f"C-{n:03d}" for n in range(25)]
    assert svc.count_customers("customer") == 25
    assert svc.count_customers("c-02") == 5  # C-020 … C-024


def test_filter_by_rep_and_count_matches(some_customers, rep):
    assert codes(svc.search_customers("", rep_id=rep.id)) == ["C-4", "C-3"]
    assert svc.count_customers("", rep_id=rep.id) == 2
    svc.archive_customer(some_customers["C-4"], None)
    assert svc.count_customers("", rep_id=rep.id) == 1
    assert codes(svc.search_customers("peña")) == ["C-3"]  # archived ones are hidden from searches too
    assert svc.count_customers("peña") == 1
    assert codes(svc.search_customers("peña", include_archived=True)) == ["C-4", "C-3"]
    assert svc.count_customers("", rep_id=rep.id, include_archived=True) == 2


# --- 360° view --------------------------------------------------------------


def test_customer_360_of_a_new_customer_is_empty(database):
    customer_id = svc.create_customer(make(), None)
    view = svc.customer_360(customer_id, TODAY)
    assert view.detail.name == "Peña Hermanos"
    assert view.revenue == Decimal("0.00")
    assert (
        view.sales,
        view.units,
        view.follow_ups,
        view.usage_checks,
        view.returns,
        view.cases,
        view.surveys,
    ) == (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    assert view.average_satisfaction is None


def test_customer_360_gathers_sales_units_and_history(database, rep):
    customer_id = svc.create_customer(make(rep_id=rep.id), None)
    other_id = svc.create_customer(make(code="C-2", name="Other"), None)
    category = ProductCategory.create(code="washers", name="Washers")
    washer = Product.create(sku="W1", name="Washer", category=category, warranty_months=24, price=500)
    soap = Product.create(
        sku="S1", name="Soap", category=category, warranty_months=0, serialised=False, price=3
    )
    first = record_sale(
        customer_id,
        rep.id,
        dt.date(2024, 1, 10),
        dt.date(2024, 1, 20),
        [
            SaleLineInput(washer.id, 2, Decimal("499.90"), ["SN1", "SN2"]),
            SaleLineInput(soap.id, 10, Decimal("2.50")),
        ],
    )
    record_sale(customer_id, rep.id, dt.date(2026, 3, 1), None, [SaleLineInput(washer.id, 1, Decimal("450"))])
    record_sale(other_id, rep.id, dt.date(2026, 3, 1), None, [SaleLineInput(washer.id, 1, Decimal("999"))])
    FollowUp.create(
        customer=customer_id,
        rep=rep.id,
        kind=FollowUpKind.CALL,
        purpose=FollowUpPurpose.DELIVERY,
        scheduled_at=dt.datetime(2026, 3, 10, 10, 0),
    )
    FollowUp.create(
        customer=customer_id,
        kind=FollowUpKind.VISIT,
        purpose=FollowUpPurpose.COMMERCIAL,
        scheduled_at=dt.datetime(2026, 3, 20, 10, 0),
        state=FollowUpState.PLANNED,
    )
    Case.create(
        number="CASE-2026-0001",
        year=2026,
        sequence=1,
        kind=CaseKind.COMPLAINT,
        stage=CaseStage.ANALYSIS,
        customer=customer_id,
        channel=ContactChannel.PHONE,
        received_on=dt.date(2026, 3, 2),
    )
    SatisfactionSurvey.create(customer=customer_id, taken_on=dt.date(2026, 1, 1), satisfaction=4)
    SatisfactionSurvey.create(customer=customer_id, taken_on=dt.date(2026, 2, 1), satisfaction=5)
    SatisfactionSurvey.create(customer=other_id, taken_on=dt.date(2026, 2, 1), satisfaction=1)

    view = svc.customer_360(customer_id, TODAY)

    assert view.revenue == Decimal("1474.80")  # 2 × 499.90 + 10 × 2.50 + 450
    assert [s.number for s in view.sales] == ["V-2026-00001", "V-2024-00001"]
    assert [(s.lines, s.total) for s in view.sales] == [(1, Decimal("450.00")), (2, Decimal("1024.80"))]
    assert view.sales[1].id == first and view.sales[1].rep_name == "Ana García"
    assert len(view.units) == 4
    undelivered = view.units[0]
    assert undelivered.sale_number == "V-2026-00001" and undelivered.warranty is None
    washers = [u for u in view.units if u.serial_number]
    assert [u.serial_number for u in washers] == ["SN1", "SN2"]
    # Delivered 20/01/2024 with 24 months: covered up to 19/01/2026, expired 55 days before TODAY.
    assert washers[0].warranty_ends_on == dt.date(2026, 1, 19)
    assert (washers[0].warranty.under_warranty, washers[0].warranty.days) == (False, 55)
    assert view.units_under_warranty == 0
    assert [f.kind for f in view.follow_ups] == [FollowUpKind.VISIT, FollowUpKind.CALL]
    assert [f.overdue for f in view.follow_ups] == [False, True]
    assert view.follow_ups[1].rep_name == "Ana García"
    assert (view.planned_follow_ups, view.overdue_follow_ups) == (2, 1)
    assert [c.number for c in view.cases] == ["CASE-2026-0001"] and view.open_cases == 1
    assert [s.satisfaction for s in view.surveys] == [5, 4]
    assert view.average_satisfaction == pytest.approx(4.5)


def test_customer_360_of_missing_customer(database):
    with pytest.raises(NotFoundError):
        svc.customer_360(99, TODAY)


def test_filter_by_need_tag_ignores_case_and_by_segment(database):
    from app.models import Customer
    from app.models.enums import Segment

    tagged = svc.create_customer(make(code="C-1", name="Ana", need_tags=["Price sensitive"]), None)
    other = svc.create_customer(make(code="C-2", name="Luis", need_tags=["Needs installation"]), None)
    Customer.update(segment=Segment.A).where(Customer.id == other).execute()
    assert [r.id for r in svc.search_customers("", need_tag="price SENSITIVE")] == [tagged]
    assert svc.count_customers("", need_tag="price sensitive") == 1
    assert [r.id for r in svc.search_customers("", segment=Segment.A)] == [other]
    assert svc.count_customers("", need_tag="Needs installation", segment=Segment.B) == 0


# --- issue 13 ------------------------------------------------------------------------


def test_a_customer_is_moved_to_another_rep(rep):
    """Defect 1: a change of rep reached audit.record as a second rep_id (TypeError)."""
    luis = create_rep("luis", "Luis Pérez")
    customer_id = svc.create_customer(make(rep_id=rep.id), rep.id)
    svc.update_customer(customer_id, make(rep_id=luis.id), rep.id)
    assert svc.get_customer(customer_id).rep_id == luis.id
    entry = AuditEntry.select().where(AuditEntry.action == "update").get()
    assert entry.rep_id == rep.id and json.loads(entry.changes) == {"rep": [rep.id, luis.id]}


@pytest.mark.parametrize("postcode", ["28013", "01001", "52006", "08001"])
def test_spanish_postcodes_accepted(database, postcode):
    assert svc.validate_customer(make(postal_code=postcode), today=TODAY).postal_code == postcode


@pytest.mark.parametrize("postcode", ["999999", "53001", "00100", "2801", "28O13", "28 013"])
def test_spanish_postcodes_refused_next_to_the_field(database, postcode):
    """Defect 15: a postcode is checked against the country (Spain: 5 digits, province 01–52)."""
    assert "province number from 01 to 52" in errors_of(make(postal_code=postcode))["postal_code"]


def test_postcodes_of_other_countries(database):
    assert (
        svc.validate_customer(make(country="PT", postal_code="1000-001"), today=TODAY).postal_code
        == "1000-001"
    )
    assert (
        svc.validate_customer(make(country="GB", postal_code="sw1a 1aa"), today=TODAY).postal_code
        == "SW1A 1AA"
    )
    assert errors_of(make(country="PT", postal_code="28013"))["postal_code"] == (
        "A postcode of PT looks like 1000-001."
    )
    assert "letters, digits" in errors_of(make(country="GB", postal_code="SW1A_1AA"))["postal_code"]


def test_a_need_tag_is_one_whatever_its_case_in_any_alphabet(database):
    """Defect 10: "Óptica" then "ÓPTICA" (SQLite's LOWER folds ASCII only) ended in IntegrityError."""
    first = svc.create_customer(make(code="C-1", need_tags=["Óptica"]), None)
    second = svc.create_customer(make(code="C-2", need_tags=["ÓPTICA"]), None)
    svc.update_customer(first, make(code="C-1", need_tags=["óptica", "Precio"]), None)
    assert svc.list_need_tags() == ["Precio", "Óptica"]
    assert svc.get_customer(second).need_tags == ["Óptica"]
    assert {r.id for r in svc.search_customers("", need_tag="ÓPTICA")} == {first, second}


def test_unusual_text_is_tidied_not_failed(database):
    """Lone surrogates (a broken paste) cannot be stored as UTF-8, control characters are invisible."""
    customer_id = svc.create_customer(make(name="Ana\x00 López\ud800", notes="línea 1\nlínea\x1b 2 😀"), None)
    detail = svc.get_customer(customer_id)
    assert (detail.name, detail.notes) == ("Ana López\ufffd", "línea 1\nlínea 2 😀")


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(1999, 12, 31)])
def test_consent_date_is_in_the_range_of_dates(database, day):
    assert errors_of(make(contact_consent=True, consent_date=day))["consent_date"] == (
        f"Choose a date between 2000 and {dt.date.today().year + 1}."
    )


def test_kind_and_channel_must_be_choices(database):
    errors = errors_of(make(kind="zz", preferred_channel=42))
    assert set(errors) == {"kind", "preferred_channel"}
