import datetime as dt
from decimal import Decimal

import pytest

from app import i18n
from app.models import AuditEntry, CharterCommitment, ServiceCharter
from app.models.enums import CharterIndicator, CharterPeriod, CharterType, ContactChannel
from app.services import charters as service
from app.services.charters import commitment_days
from app.services.errors import DomainError, ValidationError


def charter(active: bool, days: int) -> None:
    c = ServiceCharter.create(
        type=CharterType.CUSTOMER_ATTENTION, title="Carta", valid_from=dt.date(2026, 1, 1), active=active
    )
    CharterCommitment.create(
        charter=c, position=1, text="x", indicator=CharterIndicator.RETURNS_RESOLVED, days=days, target=95
    )


def test_deadline_comes_from_the_strictest_active_charter_else_the_default(database):
    assert commitment_days(CharterIndicator.RETURNS_RESOLVED, 15) == 15
    charter(active=False, days=5)
    assert commitment_days(CharterIndicator.RETURNS_RESOLVED, 15) == 15
    charter(active=True, days=12)
    charter(active=True, days=10)
    assert commitment_days(CharterIndicator.RETURNS_RESOLVED, 15) == 10
    assert commitment_days(CharterIndicator.CLAIMS_ANSWERED, 7) == 7


# --------------------------------------------------------------------------- editing, versions, activation

PHONE = service.ChannelEntry(ContactChannel.PHONE, "+34 910 000 000", "9-14")


def charter_input(**changes) -> service.CharterInput:
    values = dict(
        type=CharterType.CUSTOMER_ATTENTION,
        title="Atención",
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        strategy="S",
        systems="Y",
        personnel="P",
        channels=(PHONE,),
        procedure="proc",
        principles="princ",
        commitments=(
            service.CommitmentInput(
                "Answer claims", CharterIndicator.CLAIMS_ANSWERED, 10, 95, CharterPeriod.QUARTER
            ),
            service.CommitmentInput(
                "Happy", CharterIndicator.AVERAGE_SATISFACTION, 7, 4.2, CharterPeriod.YEAR
            ),
        ),
    )
    values.update(changes)
    return service.CharterInput(**values)


def errors_of(call) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.errors


def test_a_new_charter_is_a_draft_version_1_with_its_commitments_in_order(database):
    charter_id = service.save_charter(None, charter_input())
    detail = service.get_charter(charter_id)
    assert (detail.version, detail.active, detail.issued, detail.latest) == (1, False, False, True)
    assert [(m.position, m.text, m.days, float(m.target)) for m in detail.commitments] == [
        (1, "Answer claims", 10, 95.0),
        (2, "Happy", None, 4.2),  # days ignored for the average
    ]
    assert detail.channels == (PHONE,)
    assert AuditEntry.get(AuditEntry.entity == "service_charter").action == "create"


def test_validation_names_each_field(database):
    bad = charter_input(
        title=" ",
        valid_from=dt.date(2026, 5, 1),
        valid_to=dt.date(2026, 4, 30),
        channels=(service.ChannelEntry(ContactChannel.EMAIL, "", "9-14"),),
        commitments=(
            service.CommitmentInput("", CharterIndicator.RETURNS_RESOLVED, None, 95, CharterPeriod.MONTH),
            service.CommitmentInput("x", CharterIndicator.CLAIMS_ANSWERED, 0, 101, CharterPeriod.MONTH),
            service.CommitmentInput(
                "x", CharterIndicator.AVERAGE_SATISFACTION, None, 0.5, CharterPeriod.MONTH
            ),
            service.CommitmentInput("x", CharterIndicator.NPS, None, -101, CharterPeriod.MONTH),
            service.CommitmentInput("x", CharterIndicator.NPS, None, -100, CharterPeriod.MONTH),
        ),
    )
    errors = errors_of(lambda: service.save_charter(None, bad))
    assert set(errors) == {
        "title",
        "valid_to",
        "channels",
        "commitments.0.text",
        "commitments.0.days",
        "commitments.1.days",
        "commitments.1.target",
        "commitments.2.target",
        "commitments.3.target",
    }
    assert "end before it starts" in errors["valid_to"]
    assert "between 0 and 100" in errors["commitments.1.target"]
    assert "between 1 and 5" in errors["commitments.2.target"]
    assert "between -100 and 100" in errors["commitments.3.target"]
    no_channel = charter_input(channels=(service.ChannelEntry(ContactChannel.POST, " ", ""),))
    assert (
        "at least one contact channel"
        in errors_of(lambda: service.save_charter(None, no_channel))["channels"]
    )
    assert ServiceCharter.select().count() == 0


def test_a_draft_is_edited_in_place_an_issued_charter_gets_a_new_version(database):
    draft = service.save_charter(None, charter_input())
    assert service.save_charter(draft, charter_input(title="Atención 2026")) == draft
    assert service.get_charter(draft).title == "Atención 2026"

    service.activate_charter(draft)
    v2 = service.save_charter(
        draft, charter_input(title="Atención revisada", commitments=charter_input().commitments[:1])
    )
    assert v2 != draft
    old, new = service.get_charter(draft), service.get_charter(v2)
    assert (old.title, old.version, old.active, len(old.commitments), old.read_only) == (
        "Atención 2026",
        1,
        True,
        2,
        True,
    )
    assert (new.title, new.version, new.active, len(new.commitments), new.read_only) == (
        "Atención revisada",
        2,
        False,
        1,
        False,
    )
    with pytest.raises(DomainError, match="old version"):
        service.save_charter(draft, charter_input())

    # Deactivated, v1 stays issued; v2 (never active) is still edited in place.
    assert service.save_charter(v2, charter_input(title="v2 bis")) == v2
    rows = service.list_charters()
    assert [(r.version, r.title, r.active) for r in rows] == [
        (2, "v2 bis", False),
        (1, "Atención 2026", True),
    ]


def test_one_active_charter_per_type(database):
    v1 = service.save_charter(None, charter_input())
    service.activate_charter(v1)
    v2 = service.save_charter(v1, charter_input(title="v2"))
    other = service.save_charter(None, charter_input(type=CharterType.FINANCING, title="Fin"))
    service.activate_charter(other)
    assert service.active_charter_id(CharterType.CUSTOMER_ATTENTION) == v1

    service.activate_charter(v2)
    assert service.active_charter_id(CharterType.CUSTOMER_ATTENTION) == v2
    assert not service.get_charter(v1).active
    assert service.active_charter_id(CharterType.FINANCING) == other  # another type is untouched
    assert service.get_charter(other).version == 1  # each type counts its own versions

    service.deactivate_charter(v2)
    assert service.active_charter_id(CharterType.CUSTOMER_ATTENTION) is None
    assert service.get_charter(v2).issued  # saving it now makes version 3
    assert service.get_charter(service.save_charter(v2, charter_input())).version == 3
    actions = [
        e.action for e in AuditEntry.select().where(AuditEntry.entity_id == v1).order_by(AuditEntry.id)
    ]
    assert actions == ["create", "activate", "deactivate"]


def test_a_charter_without_commitments_cannot_be_activated(database):
    empty = service.save_charter(None, charter_input(commitments=()))
    errors = errors_of(lambda: service.activate_charter(empty))
    assert "at least one commitment" in errors["commitments"]
    assert service.active_charter_id(CharterType.CUSTOMER_ATTENTION) is None


def test_new_charters_start_from_the_seeds_procedure_and_principles_in_the_current_language(database):
    blank = service.new_charter_input(today=dt.date(2026, 3, 2))
    assert blank.valid_from == dt.date(2026, 3, 2)
    assert [line.split(":")[0] for line in blank.procedure.splitlines()] == [
        "1. Reception",
        "2. Analysis",
        "3. Service",
        "4. Satisfaction analysis",
    ]
    assert [line.split(":")[0] for line in blank.principles.splitlines()] == [
        "Quality",
        "Accessibility",
        "Professionalism",
        "Diligence",
        "Courtesy",
        "Ambience",
    ]
    assert [c.channel for c in blank.channels] == list(service.CHARTER_CHANNELS)


def test_charter_document_carries_the_company_and_the_version(database):
    charter_id = service.save_charter(
        None, charter_input(channels=(PHONE, service.ChannelEntry(ContactChannel.POST, "Calle 1", "")))
    )
    doc = service.charter_document(charter_id, dt.date(2026, 11, 23))
    assert (doc.title, doc.version, doc.issued_on, doc.company_name) == (
        "Atención",
        1,
        dt.date(2026, 11, 23),
        "My company",
    )
    assert [c.channel for c in doc.channels] == [ContactChannel.PHONE, ContactChannel.POST]
    assert [m.text for m in doc.commitments] == ["Answer claims", "Happy"]


def test_targets_read_like_a_sentence():
    assert service.format_target(CharterIndicator.CLAIMS_ANSWERED, 95) == "≥ 95 %"
    assert service.format_target(CharterIndicator.AVERAGE_SATISFACTION, 4.2) == "≥ 4.2 of 5"
    assert service.format_target(CharterIndicator.NPS, 40) == "≥ 40"


def test_the_sentence_takes_its_numbers_from_the_target_and_the_days(database):
    """Issue 20, item 4: changing a target changes the sentence; it can never say 40 beside ≥ 30."""
    nps = service.CommitmentInput(
        "Índice de recomendación neta de al menos {target}.", CharterIndicator.NPS, None, 40
    )
    claims = service.CommitmentInput(
        "Respondemos en {days} días al {target} % de las reclamaciones.",
        CharterIndicator.CLAIMS_ANSWERED,
        10,
        95,
    )
    charter_id = service.save_charter(None, charter_input(commitments=(nps, claims)))
    service.activate_charter(charter_id)
    doc = service.charter_document(charter_id, dt.date(2026, 11, 23))
    assert [m.text for m in doc.commitments] == [
        "Índice de recomendación neta de al menos 40.",
        "Respondemos en 10 días al 95 % de las reclamaciones.",
    ]
    # The editor keeps the placeholders: what the person wrote.
    assert service.get_charter(charter_id).commitments[0].text == nps.text

    detail = service.get_charter(charter_id)
    lowered = service.CommitmentInput(nps.text, nps.indicator, None, 30)
    halved = service.CommitmentInput(claims.text, claims.indicator, 5, Decimal("92.5"))
    new_id = service.save_charter(
        charter_id, charter_input(commitments=(lowered, halved)), expected_version=detail.row_version
    )
    assert [m.text for m in service.charter_document(new_id, dt.date(2026, 11, 23)).commitments] == [
        "Índice de recomendación neta de al menos 30.",
        "Respondemos en 5 días al 92.5 % de las reclamaciones.",
    ]
    with i18n.using_language("es"):
        spanish = service.charter_document(new_id, dt.date(2026, 11, 23))
    assert spanish.commitments[1].text == "Respondemos en 5 días al 92,5 % de las reclamaciones."


def test_a_sentence_with_a_placeholder_it_cannot_fill_is_refused(database):
    unknown = service.CommitmentInput("Al menos {objetivo}.", CharterIndicator.NPS, None, 40)
    no_days = service.CommitmentInput(
        "Seguimientos a tiempo ({days} días).", CharterIndicator.FOLLOW_UPS_ON_TIME, None, 90
    )
    errors = errors_of(lambda: service.save_charter(None, charter_input(commitments=(unknown, no_days))))
    assert errors == {
        "commitments.0.text": "Commitment 1: {objetivo} is not a number the sentence can show: write {target} or "
        "{days}.",
        "commitments.1.text": "Commitment 2: the commitment has no number of days, so the sentence cannot show {days}.",
    }


def test_a_sentence_without_placeholders_prints_as_written(database):
    """Charters written before placeholders existed (literal numbers) keep printing their own words."""
    literal = service.CommitmentInput("Al menos 40 de NPS.", CharterIndicator.NPS, None, 40)
    charter_id = service.save_charter(None, charter_input(commitments=(literal,)))
    assert [m.text for m in service.charter_document(charter_id, dt.date(2026, 11, 23)).commitments] == [
        "Al menos 40 de NPS."
    ]


def test_a_change_of_a_commitments_scope_or_target_is_in_the_audit(database):
    import json

    from app.models.enums import CaseCategory

    charter_id = service.save_charter(None, charter_input())
    service.save_charter(charter_id, charter_input())  # saved again unchanged: no commitment changed
    entry = (
        AuditEntry.select().where(AuditEntry.entity == "service_charter").order_by(AuditEntry.id.desc()).get()
    )
    assert "commitments" not in json.loads(entry.changes or "{}")
    answer, happy = charter_input().commitments
    narrowed = service.CommitmentInput(
        answer.text,
        answer.indicator,
        answer.days,
        answer.target,
        answer.period,
        case_categories=(CaseCategory.BILLING,),
        channel=ContactChannel.PHONE,
    )
    service.save_charter(charter_id, charter_input(commitments=(narrowed, happy)))
    entry = (
        AuditEntry.select().where(AuditEntry.entity == "service_charter").order_by(AuditEntry.id.desc()).get()
    )
    old, new = json.loads(entry.changes)["commitments"]
    assert old[0] == "Answer claims (claims_answered N=10 ≥ 95 quarter)"
    assert new[0] == "Answer claims (claims_answered N=10 ≥ 95 quarter; billing / phone)"
    assert old[1] == new[1]
