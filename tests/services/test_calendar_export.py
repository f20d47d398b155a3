"""Calendar export: the .ics file read back with icalendar."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from app.models import Customer, FollowUp, Product, ProductCategory, Rep, Sale, SaleLine, SoldUnit
from app.models.enums import FollowUpKind, FollowUpPurpose
from app.services.errors import DomainError, NotFoundError, ValidationError
from app.services.followups import agenda, cancel_follow_up
from app.services.followups import calendar_export as export

MADRID = ZoneInfo("Europe/Madrid")
NOW = dt.datetime(2026, 6, 1, 8, 0)


@pytest.fixture
def follow_ups(database):
    ana = Rep.create(code="ANA", name="Ana García")
    luis = Rep.create(code="LUIS", name="Luis Pérez")
    customer = Customer(
        code="C-1", name="Peña Hermanos", rep=ana, phone="911 222 333", address="Calle Mayor 1", city="Madrid"
    )
    customer.save()
    category = ProductCategory.create(code="K", name="Cocinas")
    product = Product.create(sku="OVEN-1", name="Horno H1", category=category)
    sale = Sale.create(
        number="V-1", customer=customer, sold_on=dt.date(2026, 5, 1), delivered_on=dt.date(2026, 5, 4)
    )
    line = SaleLine.create(sale=sale, product=product, unit_price=Decimal("1"))
    unit = SoldUnit.create(line=line, customer=customer, product=product, serial_number="SN-42")

    def make(at, kind=FollowUpKind.CALL, purpose=FollowUpPurpose.DELIVERY, rep=ana, **fields):
        return FollowUp.create(
            customer=customer, rep=rep, kind=kind, purpose=purpose, scheduled_at=at, **fields
        )

    rows = {
        "summer_call": make(dt.datetime(2026, 6, 2, 10, 0), sold_unit=unit),
        "visit": make(
            dt.datetime(2026, 6, 3, 11, 0),
            FollowUpKind.VISIT,
            FollowUpPurpose.USAGE_CHECK,
            duration_minutes=60,
            place="Calle Mayor 1, Madrid",
        ),
        "cancelled": make(dt.datetime(2026, 6, 4, 9, 30)),
        "winter_call": make(dt.datetime(2026, 12, 1, 10, 0), purpose=FollowUpPurpose.SATISFACTION),
        "luis": make(dt.datetime(2026, 6, 2, 12, 0), rep=luis),
    }
    cancel_follow_up(rows["cancelled"].id, "Customer asked not to be called")
    return rows


def read(path) -> dict[str, object]:
    calendar = Calendar.from_ical(path.read_bytes())
    return {str(event.uid): event for event in calendar.events}


def export_all(path, *, force: bool = False) -> int:
    rows = agenda(None, dt.datetime(2026, 1, 1), dt.datetime(2027, 1, 1), now=NOW)
    return export.export_ics(rows, path, force=force)


def test_one_event_per_follow_up_with_stable_uids(follow_ups, tmp_path):
    first, second = tmp_path / "one.ics", tmp_path / "two.ics"
    assert export_all(first) == 5
    FollowUp.update(notes="Changed").where(FollowUp.id == follow_ups["visit"].id).execute()
    assert export_all(second) == 5
    expected = {f"followup-{f.id}@postventa" for f in follow_ups.values()}
    assert set(read(first)) == set(read(second)) == expected
    assert "Changed" in str(read(second)[f"followup-{follow_ups['visit'].id}@postventa"].get("DESCRIPTION"))


def test_times_are_right_in_madrid_time(follow_ups, tmp_path):
    path = tmp_path / "agenda.ics"
    export_all(path)
    events = read(path)
    summer = events[export.follow_up_uid(follow_ups["summer_call"].id)]
    winter = events[export.follow_up_uid(follow_ups["winter_call"].id)]
    visit = events[export.follow_up_uid(follow_ups["visit"].id)]
    assert summer.start == dt.datetime(2026, 6, 2, 10, 0, tzinfo=MADRID)
    assert summer.start.astimezone(dt.UTC) == dt.datetime(2026, 6, 2, 8, 0, tzinfo=dt.UTC)  # CEST
    assert winter.start.astimezone(dt.UTC) == dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)  # CET
    assert summer.end - summer.start == dt.timedelta(minutes=15)
    assert visit.end == dt.datetime(2026, 6, 3, 12, 0, tzinfo=MADRID)
    text = path.read_text()
    assert "DTSTART;TZID=Europe/Madrid:20260602T100000" in text
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Madrid" in text
    assert summer.DTSTAMP.tzinfo is not None


def test_summary_location_description_and_status(follow_ups, tmp_path):
    path = tmp_path / "agenda.ics"
    export_all(path)
    events = read(path)
    call = events[export.follow_up_uid(follow_ups["summer_call"].id)]
    visit = events[export.follow_up_uid(follow_ups["visit"].id)]
    cancelled = events[export.follow_up_uid(follow_ups["cancelled"].id)]
    assert str(call.get("SUMMARY")) == "Phone call – Peña Hermanos"
    assert str(visit.get("SUMMARY")) == "Personal visit – Peña Hermanos"
    assert str(visit.get("LOCATION")) == "Calle Mayor 1, Madrid"
    assert call.get("LOCATION") is None
    description = str(call.get("DESCRIPTION"))
    assert "Purpose: Delivery confirmation" in description
    assert "Phone: 911 222 333" in description
    assert "Horno H1 (serial SN-42)" in description
    assert str(cancelled.get("STATUS")) == "CANCELLED"
    assert str(call.get("STATUS")) == "CONFIRMED"


def test_export_agenda_for_a_rep_code_and_period(follow_ups, tmp_path):
    path = tmp_path / "ana.ics"
    count = export.export_agenda_ics(path, "ana", dt.date(2026, 6, 2), dt.date(2026, 6, 3), now=NOW)
    assert count == 2  # the --to day is included; Luis's and later ones are not
    assert set(read(path)) == {
        export.follow_up_uid(follow_ups["summer_call"].id),
        export.follow_up_uid(follow_ups["visit"].id),
    }
    # Without dates: four weeks from today. The file exists now: replaced only when asked.
    with pytest.raises(DomainError, match="already exists; add --force"):
        export.export_agenda_ics(path, now=NOW)
    assert export.export_agenda_ics(path, now=NOW, force=True) == 4
    assert len(read(path)) == 4


def test_unknown_rep_code_and_bad_period_are_clear_errors(follow_ups, tmp_path):
    path = tmp_path / "x.ics"
    with pytest.raises(NotFoundError, match="There is no rep with the code NOBODY"):
        export.export_agenda_ics(path, "NOBODY", now=NOW)
    with pytest.raises(ValidationError):
        export.export_agenda_ics(path, None, dt.date(2026, 6, 5), dt.date(2026, 6, 1), now=NOW)
    assert not path.exists()


def test_a_failed_write_leaves_no_partial_file(follow_ups, tmp_path, monkeypatch):
    folder = tmp_path / "exports"
    folder.mkdir()
    path = folder / "agenda.ics"
    path.write_text("previous export")

    def broken_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export.os, "replace", broken_replace)
    with pytest.raises(DomainError, match="No space left"):
        export_all(path, force=True)
    assert path.read_text() == "previous export"
    assert [p.name for p in folder.iterdir()] == ["agenda.ics"]
    with pytest.raises(DomainError, match="does not exist"):
        export.export_ics([], tmp_path / "missing" / "agenda.ics")


def test_the_extension_is_added_and_an_sqlite_file_never_replaced(follow_ups, tmp_path):
    assert export_all(tmp_path / "agenda") == 5
    assert len(read(tmp_path / "agenda.ics")) == 5 and not (tmp_path / "agenda").exists()
    other = tmp_path / "other.ICS"  # an SQLite file, whatever its name says
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    before = other.read_bytes()
    with pytest.raises(DomainError, match="SQLite database"):
        export_all(other, force=True)
    assert other.read_bytes() == before


def test_an_empty_agenda_is_a_valid_calendar(database, tmp_path):
    path = tmp_path / "empty.ics"
    assert export.export_agenda_ics(path, now=NOW) == 0
    assert read(path) == {}


def test_a_canary_islands_company_exports_in_canary_time(follow_ups, tmp_path):
    """The stored times are the company's wall-clock times: in the Canary Islands that is an hour
    behind the peninsula, so the export says Atlantic/Canary (issue 21)."""
    from dataclasses import replace

    from app.services.company import load_company_settings, save_company_settings

    save_company_settings(replace(load_company_settings(), holiday_country="ES", holiday_subdivision="CN"))
    path = tmp_path / "agenda.ics"
    export_all(path)
    summer = read(path)[export.follow_up_uid(follow_ups["summer_call"].id)]
    assert summer.start == dt.datetime(2026, 6, 2, 10, 0, tzinfo=ZoneInfo("Atlantic/Canary"))
    assert summer.start.astimezone(dt.UTC) == dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.UTC)  # WEST
    assert "DTSTART;TZID=Atlantic/Canary:20260602T100000" in path.read_text()


@pytest.mark.parametrize(
    ("country", "subdivision", "zone"),
    [
        ("ES", None, "Europe/Madrid"),
        ("ES", "MD", "Europe/Madrid"),
        ("ES", "CN", "Atlantic/Canary"),
        ("ES", "ML", "Africa/Ceuta"),
        ("PT", None, "Europe/Lisbon"),
        ("PT", "20", "Atlantic/Azores"),
        ("FR", None, "Europe/Paris"),
    ],
)
def test_a_region_s_time_zone(country, subdivision, zone):
    from app.services.followups.working_days import Region, region_time_zone

    assert region_time_zone(Region(country, subdivision)) == zone
