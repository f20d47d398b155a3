"""Customers' rights (issue 18, item 3): the export holds every record of the person; an erasure
leaves nothing of them in the database file or its write-ahead log while the activity report and the
register count the same; the audit records it without the erased data; contact consent; retention."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

from app.models import (
    AuditEntry,
    Case,
    CaseProposal,
    CaseStageChange,
    CheckAnswer,
    Customer,
    CustomerErasure,
    CustomerNeedTag,
    FollowUp,
    Rep,
    ReturnStatusChange,
    Sale,
    SatisfactionSurvey,
    UsageCheck,
    WarrantyReturn,
    db,
)
from app.models.database import open_database_file
from app.models.enums import FollowUpKind, FollowUpPurpose
from app.services import customers as customer_service
from app.services.customers import privacy
from app.services.errors import DomainError
from app.services.followups import schedule_follow_up
from app.services.followups.consent import is_commercial, may_contact
from app.services.permissions import Permissions
from app.services.reporting.activity import activity_report
from app.services.reporting.complaints_register import complaints_register
from tests.factories import ACTIVITY_MARCH as MARCH
from tests.factories import ACTIVITY_TODAY as TODAY
from tests.factories import build_activity_dataset

MANAGER = Permissions(role="manager", login="boss")
REP = Permissions(role="rep", login="ana", rep_id=1)

# The person's data, each string found nowhere else in the dataset.
NAME = "Zoraida Quintanilla Ybarra"
EMAIL = "zoraida.quintanilla@example.org"
PHONE = "+34 611 222 333"
TAX_ID = "12345678Z"
NOTES = "Diabética, prefiere visitas por la tarde"
WORDS = "La lavadora de Zoraida pierde agua por debajo"
SECRETS = {
    "name": NAME,
    "email": EMAIL,
    "phone": PHONE,
    "tax_id": TAX_ID,
    "notes": NOTES,
    "address": "Calle del Almendro 77",
    "follow-up note": "Llamar a su hija Remedios",
    "visit place": "Finca Los Olivos Quintanilla",
    "present": "Remedios Quintanilla (hija)",
    "check note": "Firma con la mano izquierda",
    "answer note": "No encuentra el filtro Zoraida",
    "return description": "Ruido metálico al centrifugar Zoraida",
    "return history": "Recogida en casa de Zoraida",
    "case words": WORDS,
    "compensation": "Quiere 80 euros Zoraida",
    "proposal": "Cambio de la bomba para Zoraida",
    "case history": "Zoraida llamó muy enfadada",
    "survey": "Zoraida quedó encantada al final",
    "sale note": "Entrega por la puerta trasera Zoraida",
}
SIGNATURE = b"\x89PNG\r\n\x1a\nZORAIDA-SIGNATURE-BYTES"


@pytest.fixture
def world(database):
    """The activity report's dataset; its customer C-1 is the person, with data on every record."""
    return _world()


def _world() -> dict:
    data = build_activity_dataset()
    person = Customer.get(Customer.code == "C-1")
    detail = customer_service.get_customer(person.id)
    edited = customer_service.CustomerInput(
        code=detail.code,
        name=NAME,
        tax_id=TAX_ID,
        email=EMAIL,
        phone=PHONE,
        address=SECRETS["address"],
        postal_code="28001",
        city="Madrid",
        notes=NOTES,
        rep_id=detail.rep_id,
        need_tags=["Necesita instalación"],
    )
    customer_service.update_customer(person.id, edited, None)  # audited: the values in `changes`
    Sale.update(notes=SECRETS["sale note"]).where(Sale.customer == person.id).execute()
    FollowUp.update(notes=SECRETS["follow-up note"], place=SECRETS["visit place"]).where(
        FollowUp.customer == person.id
    ).execute()
    UsageCheck.update(
        present_people=SECRETS["present"], notes=SECRETS["check note"], signature_png=SIGNATURE
    ).where(UsageCheck.customer == person.id).execute()
    CheckAnswer.update(note=SECRETS["answer note"]).execute()
    WarrantyReturn.update(description=SECRETS["return description"]).where(
        WarrantyReturn.customer == person.id
    ).execute()
    ReturnStatusChange.update(note=SECRETS["return history"]).execute()
    Case.update(customer_words=WORDS, requested_compensation=SECRETS["compensation"]).where(
        Case.customer == person.id
    ).execute()
    CaseProposal.update(detail=SECRETS["proposal"]).execute()
    CaseStageChange.update(note=SECRETS["case history"]).execute()
    SatisfactionSurvey.update(comment=SECRETS["survey"]).where(
        SatisfactionSurvey.customer == person.id
    ).execute()
    return {**data, "person": Customer.get_by_id(person.id)}


def _count(model, **where) -> int:
    query = model.select()
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return query.count()


def test_the_export_holds_every_record_of_the_person(world, tmp_path):
    person = world["person"]
    data = privacy.personal_data(person.id, permissions=MANAGER)
    exported = json.loads(privacy.write_personal_data_json(data, tmp_path / "zoraida").read_text("utf-8"))
    assert (tmp_path / "zoraida.json").exists()
    assert exported["customer"][0]["fields"]["name"] == NAME
    assert exported["customer"][0]["fields"]["tax_id"] == TAX_ID
    assert exported["customer"][0]["fields"]["need_tags"] == ["Necesita instalación"]
    assert len(exported["sales"]) == _count(Sale, customer=person.id)
    assert len(exported["units"]) == 6
    assert len(exported["follow_ups"]) == _count(FollowUp, customer=person.id)
    assert len(exported["usage_checks"]) == _count(UsageCheck, customer=person.id)
    assert len(exported["returns"]) == _count(WarrantyReturn, customer=person.id)
    assert len(exported["cases"]) == _count(Case, customer=person.id)
    assert len(exported["surveys"]) == _count(SatisfactionSurvey, customer=person.id)
    # Every record's sub-records too: answers, return history, proposals and case history.
    answers = sum(len(c.get("records", [])) for c in exported["usage_checks"])
    checks = [c.id for c in UsageCheck.select().where(UsageCheck.customer == person.id)]
    assert answers == CheckAnswer.select().where(CheckAnswer.check.in_(checks)).count()
    case_ids = [c.id for c in Case.select().where(Case.customer == person.id)]
    assert sum(len(c.get("records", [])) for c in exported["cases"]) == (
        CaseProposal.select().where(CaseProposal.case.in_(case_ids)).count()
        + CaseStageChange.select().where(CaseStageChange.case.in_(case_ids)).count()
    )
    text = json.dumps(exported, ensure_ascii=False)
    for secret in SECRETS.values():
        assert secret in text, secret
    assert exported["usage_checks"][0]["signature_png_base64"]
    assert any(entry["kind"] == "customer" for entry in exported["audit"])
    # A colleague's customer is in nobody's export but theirs.
    assert "Lucía Martín" not in text


def test_only_a_manager_exports_or_erases(world):
    person = world["person"]
    with pytest.raises(DomainError, match="Only a manager"):
        privacy.personal_data(person.id, permissions=REP)
    with pytest.raises(DomainError, match="Only a manager"):
        privacy.erase_personal_data(person.id, None, permissions=REP)
    assert Customer.get_by_id(person.id).name == NAME


def _figures():
    report = activity_report(*MARCH, today=TODAY)
    register = complaints_register(2026, TODAY)
    return (
        report.follow_ups,
        report.checks,
        # The costliest returns name their customer (the name is what an erasure changes).
        replace(report.returns, costliest=[replace(c, customer_name="") for c in report.returns.costliest]),
        report.cases,
        report.satisfaction,
        len(register.entries),
        register.by_category,
        register.by_month,
        [
            (e.number, e.kind, e.category, e.outcome, e.solution_type, e.solution_amount, e.days_to_close)
            for e in register.entries
        ],
    )


def test_an_erasure_keeps_the_report_and_register_figures(world):
    person = world["person"]
    before = _figures()
    counts = {m: m.select().count() for m in (FollowUp, UsageCheck, WarrantyReturn, Case, SatisfactionSurvey)}
    outcome = privacy.erase_personal_data(person.id, None, permissions=MANAGER)
    assert outcome.records > 1
    assert _figures() == before
    assert {m: m.select().count() for m in counts} == counts
    erased = Customer.get_by_id(person.id)
    assert (erased.name, erased.tax_id, erased.email, erased.phone, erased.notes) == (
        privacy.ERASED,
        None,
        "",
        "",
        "",
    )
    assert erased.archived and not erased.contact_consent
    assert CustomerNeedTag.select().where(CustomerNeedTag.customer == person.id).count() == 0
    assert UsageCheck.select().where(UsageCheck.signature_png.is_null(False)).count() == 0
    assert privacy.is_erased(person.id)
    with pytest.raises(DomainError, match="already erased"):
        privacy.erase_personal_data(person.id, None, permissions=MANAGER)


def test_the_audit_records_the_erasure_without_the_erased_data(world):
    person = world["person"]
    ana = Rep.get(Rep.code == "ANA")
    privacy.erase_personal_data(person.id, ana.id, permissions=MANAGER)
    entry = AuditEntry.select().where(AuditEntry.action == "erase").get()
    assert (entry.entity, entry.entity_id, entry.label, entry.rep_id) == (
        "customer",
        person.id,
        "C-1",
        ana.id,
    )
    log = " ".join(f"{e.label} {e.changes} {e.details}" for e in AuditEntry.select())
    for secret in SECRETS.values():
        assert secret not in log, secret
    # The edit's entry still says what changed, not to what.
    update = (
        AuditEntry.select().where((AuditEntry.entity == "customer") & (AuditEntry.action == "update")).get()
    )
    changes = json.loads(update.changes)
    assert changes["name"][1] == privacy.ERASED and changes["tax_id"][1] == privacy.ERASED
    assert CustomerErasure.get().customer_uid == person.uid


def _database_bytes() -> bytes:
    path = Path(open_database_file())
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def _traces(data: bytes) -> list[str]:
    found = []
    for label, secret in {**SECRETS, "signature": SIGNATURE}.items():
        raw = secret if isinstance(secret, bytes) else secret.encode("utf-8")
        if raw in data:
            found.append(label)
    return found


@pytest.mark.sqlite_only("a byte scan of the SQLite file and its write-ahead log")
def test_after_an_erasure_no_trace_of_the_person_remains_in_the_file_or_its_log(world):
    person = world["person"]
    assert _traces(_database_bytes())  # the scan finds them before
    privacy.erase_personal_data(person.id, None, permissions=MANAGER)
    assert _traces(_database_bytes()) == []
    # Lower case and the digits alone, as the search text kept them.
    data = _database_bytes()
    for secret in (NAME.casefold(), EMAIL, "611222333", "diabética"):
        assert secret.encode() not in data, secret
    # A backup made afterwards holds nothing of the person either.
    from app.services import backups

    copy = backups.back_up_to_file(Path(open_database_file()), Path(open_database_file()).with_name("after"))
    assert _traces(copy.read_bytes()) == []


def test_consent_rules():
    K, P = FollowUpKind, FollowUpPurpose
    assert not is_commercial(K.CALL, P.DELIVERY)
    assert not is_commercial(K.VISIT, P.USAGE_CHECK)
    assert not is_commercial(K.CALL, P.WARRANTY)
    assert not is_commercial(K.CALL, P.SATISFACTION)
    assert not is_commercial(K.CALL, P.CASE)
    assert is_commercial(K.CALL, P.COMMERCIAL)
    assert is_commercial(K.VISIT, P.RECOVERY)
    assert is_commercial(K.TELEMARKETING, P.SATISFACTION)
    assert may_contact(K.CALL, P.COMMERCIAL, True)
    assert not may_contact(K.EMAIL, P.COMMERCIAL, False)
    assert may_contact(K.CALL, P.DELIVERY, False)


def test_a_manual_commercial_follow_up_without_consent_warns(world):
    person = world["person"]
    when = dt.datetime(2026, 3, 23, 10, 0)  # a Monday, working hours
    now = dt.datetime(2026, 3, 20, 9, 0)
    Customer.update(archived=False).where(Customer.id == person.id).execute()
    commercial = schedule_follow_up(person.id, FollowUpKind.CALL, FollowUpPurpose.COMMERCIAL, when, now=now)
    assert any("consented" in w for w in commercial.warnings)
    service = schedule_follow_up(
        person.id, FollowUpKind.CALL, FollowUpPurpose.WARRANTY, when + dt.timedelta(hours=1), now=now
    )
    assert not any("consented" in w for w in service.warnings)
    Customer.update(contact_consent=True).where(Customer.id == person.id).execute()
    consented = schedule_follow_up(
        person.id, FollowUpKind.VISIT, FollowUpPurpose.RECOVERY, when + dt.timedelta(days=1), now=now
    )
    assert not any("consented" in w for w in consented.warnings)


def test_retention_lists_customers_silent_for_the_years_set(world):
    old = Customer.create(code="C-OLD", name="Olvido Antiguo", created_at=dt.datetime(2015, 1, 1))
    Sale.create(number="V-OLD", customer=old, sold_on=dt.date(2017, 5, 4), delivered_on=dt.date(2017, 5, 9))
    recent = Customer.create(code="C-NEW", name="Reciente", created_at=dt.datetime(2015, 1, 1))
    Sale.create(number="V-NEW", customer=recent, sold_on=dt.date(2023, 5, 4))
    Customer.create(code="C-EMPTY", name="Sin nada", created_at=dt.datetime(2016, 2, 3))
    today = dt.date(2026, 3, 20)
    rows = privacy.customers_due_for_anonymisation(today, 6)
    assert [(r.code, r.last_activity) for r in rows] == [
        ("C-EMPTY", dt.date(2016, 2, 3)),
        ("C-OLD", dt.date(2017, 5, 9)),
    ]
    assert [r.code for r in privacy.customers_due_for_anonymisation(today, 2)] == [
        "C-EMPTY",
        "C-OLD",
        "C-NEW",
    ]
    privacy.set_retention_years(10, None, permissions=MANAGER)
    assert [r.code for r in privacy.customers_due_for_anonymisation(today)] == ["C-EMPTY"]
    with pytest.raises(DomainError):
        privacy.set_retention_years(3, None, permissions=REP)
    # An erased customer is not listed again.
    privacy.erase_personal_data(old.id, None, permissions=MANAGER)
    assert [r.code for r in privacy.customers_due_for_anonymisation(today, 6)] == ["C-EMPTY"]


def test_a_plan_leaves_out_commercial_steps_without_consent(world):
    from app.models import FollowUpPlan, FollowUpPlanStep, Product
    from app.services.followups.plans import apply_plans_for_sale

    product = Product.get(Product.sku == "LV-1")
    plan = FollowUpPlan.create(name="Plan", category=product.category_id)
    FollowUpPlanStep.create(
        plan=plan, position=1, offset_days=2, kind=FollowUpKind.CALL, purpose=FollowUpPurpose.DELIVERY
    )
    FollowUpPlanStep.create(
        plan=plan,
        position=2,
        offset_days=30,
        kind=FollowUpKind.TELEMARKETING,
        purpose=FollowUpPurpose.COMMERCIAL,
    )
    person = world["person"]
    both = {FollowUpPurpose.DELIVERY, FollowUpPurpose.COMMERCIAL}
    for consent, expected, day in (
        (False, {FollowUpPurpose.DELIVERY}, dt.date(2026, 3, 2)),
        (True, both, dt.date(2026, 3, 9)),
    ):
        Customer.update(contact_consent=consent).where(Customer.id == person.id).execute()
        sale = Sale.create(number=f"V-PLAN-{consent}", customer=person, sold_on=day, delivered_on=day)
        from app.models import SaleLine, SoldUnit

        line = SaleLine.create(sale=sale, product=product, quantity=1, unit_price=1)
        SoldUnit.create(line=line, customer=person, product=product, serial_number=f"SN-PLAN-{consent}")
        apply_plans_for_sale(sale.id)
        made = {
            f.purpose
            for f in FollowUp.select()
            .join_from(FollowUp, SoldUnit)
            .join(SaleLine)
            .where(SaleLine.sale == sale.id)
        }
        assert made == expected


def test_the_readable_pdf_holds_the_records_in_either_language(world, tmp_path):
    from pypdf import PdfReader

    from app.documents import export_personal_data

    person = world["person"]
    for language, heading, case_heading in (
        ("en", "Personal data of customer C-1", "Customer's words"),
        ("es", "Datos personales del cliente C-1", "Palabras del cliente"),
    ):
        written = export_personal_data(
            person.id,
            tmp_path / f"{language}.json",
            tmp_path / f"{language}",
            language=language,
            permissions=MANAGER,
        )
        assert written.pdf_path == tmp_path / f"{language}.pdf"
        text = " ".join(page.extract_text() for page in PdfReader(written.pdf_path).pages)
        text = " ".join(text.split())
        assert NAME in text and TAX_ID in text and WORDS in text
        assert "RMA-2026-0001" in text and "CASE-2026-0001" in text
        if language == "en":  # the Spanish catalog gets these words from the lead
            assert heading in text and case_heading in text
    # An existing file is refused without force, before anything is written.
    from app.outputs import OutputExistsError

    with pytest.raises(OutputExistsError):
        export_personal_data(person.id, tmp_path / "new.json", tmp_path / "en.pdf", permissions=MANAGER)
    assert not (tmp_path / "new.json").exists()


@pytest.mark.sqlite_only("a laptop's outbox, and a byte scan of the SQLite file and its log")
def test_on_a_laptop_the_changes_waiting_to_be_pushed_keep_nothing_of_the_person(database):
    from app.sync import laptop as laptop_side
    from tests.laptops import make_laptop, outbox

    make_laptop()  # capture on before the person's data is written: the outbox holds it all
    person = _world()["person"]
    gone = FollowUp.create(  # made and deleted offline: its delete carries its note
        customer=person.id,
        rep=person.rep_id,
        kind=FollowUpKind.CALL,
        purpose=FollowUpPurpose.SATISFACTION,
        scheduled_at=dt.datetime(2026, 3, 2, 10, 0),
        notes=SECRETS["follow-up note"],
    )
    gone.delete_instance()

    def pending_text() -> bytes:
        rows = db.obj.execute_sql(f"SELECT old_values, new_values FROM {laptop_side.OUTBOX}").fetchall()
        return "".join(v or "" for row in rows for v in row).encode("utf-8")

    assert set(_traces(pending_text())) >= {"name", "phone", "notes", "follow-up note", "survey"}
    before = outbox()
    privacy.erase_personal_data(person.id, None, permissions=MANAGER)
    assert _traces(pending_text()) == []
    assert _traces(_database_bytes()) == []
    after = outbox()
    assert after[: len(before)] == before  # every change still waits to be pushed, in its order
    assert ("follow_up", gone.uid, "delete") in after
