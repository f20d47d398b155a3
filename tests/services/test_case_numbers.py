"""Case numbers: the company's prefixes (Spanish, whatever the interface language), one gapless
sequence a year for complaints and claims (the register's), one each for suggestions and compliments."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import i18n
from app.models import Case, CompanySetting, Customer
from app.models.enums import CaseKind, CaseSeries, CaseStage, ContactChannel
from app.services import cases as svc
from app.services import company
from app.services.errors import ValidationError
from app.services.reporting import complaints_register

K = CaseKind
TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def customer(database) -> int:
    return Customer.create(code="C-1", name="Peña Hermanos").id


def receive(customer: int, kind: CaseKind, on: dt.date = dt.date(2026, 3, 2)) -> str:
    case_id = svc.receive_case(
        kind,
        customer,
        ContactChannel.EMAIL,
        on,
        "Lo que dice el cliente",
        None,
        requested_compensation="Que me devuelvan 50 €" if kind is K.CLAIM else "",
    )
    return Case.get_by_id(case_id).number


def test_a_spanish_company_numbers_its_cases_in_spanish_whatever_the_interface_language(customer):
    i18n.set_language("es")
    spanish = [receive(customer, kind) for kind in (K.COMPLAINT, K.CLAIM, K.SUGGESTION, K.COMPLIMENT)]
    assert spanish == ["REC-2026-0001", "REC-2026-0002", "SUG-2026-0001", "FEL-2026-0001"]
    assert not any(number.startswith("CASE-") for number in spanish)
    i18n.set_language("en")  # the prefixes are the company's data, not interface text
    assert receive(customer, K.COMPLAINT) == "REC-2026-0003"
    stored = {row.key: row.value for row in CompanySetting.select()}
    assert {key: stored[key] for key in company.PREFIX_SETTINGS.values()} == {
        "complaint_prefix": "REC-",
        "suggestion_prefix": "SUG-",
        "compliment_prefix": "FEL-",
    }  # stored when the database was created, not taken from the code at each number


def test_complaints_and_claims_are_numbered_without_gaps_whatever_arrives_between_them(customer):
    kinds = [K.SUGGESTION, K.COMPLAINT, K.COMPLIMENT, K.SUGGESTION, K.CLAIM, K.COMPLIMENT, K.COMPLAINT]
    numbers = [receive(customer, kind) for kind in kinds]
    assert numbers == [
        "SUG-2026-0001",
        "REC-2026-0001",
        "FEL-2026-0001",
        "SUG-2026-0002",
        "REC-2026-0002",
        "FEL-2026-0002",
        "REC-2026-0003",
    ]
    register = complaints_register.complaints_register(2026, TODAY)
    assert [entry.number for entry in register.entries] == ["REC-2026-0001", "REC-2026-0002", "REC-2026-0003"]


def test_each_series_starts_again_at_one_each_year(customer):
    assert receive(customer, K.CLAIM, dt.date(2025, 12, 30)) == "REC-2025-0001"
    assert receive(customer, K.SUGGESTION, dt.date(2025, 12, 31)) == "SUG-2025-0001"
    assert receive(customer, K.COMPLAINT, dt.date(2026, 1, 2)) == "REC-2026-0001"
    assert receive(customer, K.CLAIM, dt.date(2025, 12, 31)) == "REC-2025-0002"  # received late
    assert receive(customer, K.SUGGESTION, dt.date(2026, 1, 2)) == "SUG-2026-0001"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(list(CaseKind)), min_size=1, max_size=12))
def test_every_series_stays_gapless_and_every_number_unique(customer, kinds):
    Case.delete().execute()
    for kind in kinds:
        receive(customer, kind)
    for series in CaseSeries:
        rows = list(Case.select().where(Case.series == series).order_by(Case.sequence))
        assert [r.sequence for r in rows] == list(range(1, len(rows) + 1))
        assert all(CaseSeries.of(r.kind) is series for r in rows)
    assert Case.select(Case.number).distinct().count() == len(kinds)


def test_a_new_prefix_applies_to_new_numbers_only_and_the_sequence_goes_on(customer):
    first = receive(customer, K.COMPLAINT)
    company.save_company_settings(replace(company.load_company_settings(), complaint_prefix=" QR/ "))
    assert company.load_company_settings().complaint_prefix == "QR/"  # stored trimmed
    assert receive(customer, K.CLAIM) == "QR/2026-0002"
    assert Case.get(Case.sequence == 1).number == first == "REC-2026-0001"


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("", "Enter a prefix: every new number starts with it."),
        ("   ", "Enter a prefix: every new number starts with it."),
        ("RECLAM-", "A prefix has at most 6 characters."),
        (
            "QUE RE",
            "A prefix starts with a letter and has only letters without accents, digits and - _ . /",
        ),
        (
            "RECLÓ-",
            "A prefix starts with a letter and has only letters without accents, digits and - _ . /",
        ),
        ("1-", "A prefix starts with a letter and has only letters without accents, digits and - _ . /"),
        ("sug-", "Another kind of case already uses this prefix."),
    ],
)
def test_a_prefix_that_cannot_make_a_number_is_refused_at_its_field(database, prefix, message):
    with pytest.raises(ValidationError) as refused:
        company.save_company_settings(replace(company.load_company_settings(), compliment_prefix=prefix))
    assert refused.value.errors == {"compliment_prefix": message}
    assert company.load_company_settings().compliment_prefix == "FEL-"  # nothing stored


def test_the_refusal_is_worded_in_the_users_language_when_it_happens(database):
    i18n.set_language("es")
    with pytest.raises(ValidationError) as refused:
        company.save_company_settings(replace(company.load_company_settings(), suggestion_prefix=""))
    assert refused.value.errors == {
        "suggestion_prefix": i18n._("Enter a prefix: every new number starts with it.")
    }


def test_a_prefix_another_series_already_numbered_with_is_refused(customer):
    """Numbers taken before schema 6 all start with CASE-, whatever their kind: going back to
    CASE- for one series could repeat a number another series already has."""
    for sequence, kind in enumerate((K.COMPLAINT, K.SUGGESTION), start=1):
        Case.create(
            number=f"CASE-2026-{sequence:04d}",
            year=2026,
            sequence=sequence,
            kind=kind,
            stage=CaseStage.RECEPTION if kind is K.COMPLAINT else CaseStage.RECEIVED,
            customer=customer,
            channel=ContactChannel.EMAIL,
            received_on=dt.date(2026, 1, 5),
        )
    with pytest.raises(ValidationError) as refused:
        company.save_company_settings(replace(company.load_company_settings(), complaint_prefix="case-"))
    assert set(refused.value.errors) == {"complaint_prefix"}
    assert "already start with this prefix" in refused.value.errors["complaint_prefix"]
    # A prefix only numbers of its own series carry is fine (and so is one nobody used).
    company.save_company_settings(replace(company.load_company_settings(), compliment_prefix="CAS-"))
    assert receive(customer, K.COMPLIMENT) == "CAS-2026-0001"


def test_prefixes_edited_by_hand_into_nonsense_fall_back_to_the_defaults(database):
    for key, value in (("suggestion_prefix", ""), ("compliment_prefix", "a prefix far too long")):  # by hand
        CompanySetting.update(value=value).where(CompanySetting.key == key).execute()
    loaded = company.load_company_settings()
    assert (loaded.suggestion_prefix, loaded.compliment_prefix) == ("SUG-", "FEL-")
