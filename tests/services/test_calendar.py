"""Working days: weekends and the public holidays of the company's region move dates forward."""

from __future__ import annotations

import datetime as dt

import pytest

from app.services.company import CompanySettings, save_company_settings
from app.services.errors import DomainError
from app.services.followups import working_days as cal

D = dt.date


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 12, 25), D(2026, 12, 28)),  # Christmas, a Friday → Monday
        (D(2026, 12, 8), D(2026, 12, 9)),  # Inmaculada Concepción, a Tuesday
        (D(2026, 3, 14), D(2026, 3, 16)),  # Saturday → Monday
        (D(2026, 3, 15), D(2026, 3, 16)),  # Sunday → Monday
        (D(2026, 3, 16), D(2026, 3, 16)),  # a working Monday stays
        (D(2026, 12, 31), D(2026, 12, 31)),
        (D(2027, 1, 1), D(2027, 1, 4)),  # New Year, a Friday → Monday
        (D(2026, 12, 5), D(2026, 12, 9)),  # weekend, then the Constitution Monday (MD) and the 8th
    ],
)
def test_to_working_day_in_madrid(day, expected):
    assert cal.to_working_day(day, "ES", "MD") == expected


def test_next_working_day_is_strictly_after():
    assert cal.next_working_day(D(2026, 12, 24), "ES", "MD") == D(2026, 12, 28)
    assert cal.next_working_day(D(2026, 3, 16), "ES", "MD") == D(2026, 3, 17)
    assert cal.next_working_day(D(2026, 3, 13), "ES", "MD") == D(2026, 3, 16)  # Friday → Monday


def test_datetimes_keep_their_time_of_day():
    when = dt.datetime(2026, 12, 25, 11, 30)
    assert cal.to_working_datetime(when, "ES", "MD") == dt.datetime(2026, 12, 28, 11, 30)
    assert cal.to_working_day(when, "ES", "MD") == D(2026, 12, 28)


def test_regional_holidays_depend_on_the_subdivision():
    sant_joan = D(2026, 6, 24)  # Wednesday, a holiday in Catalonia only
    assert cal.is_working_day(sant_joan, "ES", "MD")
    assert not cal.is_working_day(sant_joan, "ES", "CT")
    assert cal.to_working_day(sant_joan, "ES", "CT") == D(2026, 6, 25)
    # National holidays only, without a subdivision: the Constitution Monday is regional.
    assert cal.is_working_day(D(2026, 12, 7), "ES", None)
    assert not cal.is_working_day(D(2026, 12, 7), "ES", "MD")


def test_add_working_days():
    assert cal.add_working_days(D(2026, 12, 23), 2, "ES", "MD") == D(2026, 12, 28)
    assert cal.add_working_days(D(2026, 12, 26), 0, "ES", "MD") == D(2026, 12, 28)


def test_region_defaults_to_the_company_settings(database):
    # A fresh database: the defaults (Spain, Madrid).
    assert cal.company_region() == cal.Region("ES", "MD")
    assert not cal.is_working_day(D(2026, 12, 7))
    save_company_settings(CompanySettings(holiday_country="ES", holiday_subdivision="CT"))
    assert cal.company_region() == cal.Region("ES", "CT")
    assert cal.is_working_day(D(2026, 12, 7))
    assert cal.to_working_day(D(2026, 6, 24)) == D(2026, 6, 25)
    assert cal.WorkingCalendar().next_working_day(D(2026, 6, 23)) == D(2026, 6, 25)


def test_holidays_are_cached_per_region_and_year():
    cal.clear_cache()
    for day in range(1, 29):
        cal.is_working_day(D(2026, 2, day), "ES", "MD")
    cal.is_working_day(D(2027, 2, 1), "ES", "MD")
    info = cal._closed_days.cache_info()
    assert info.misses == 2  # 2026 and 2027
    assert info.hits == 27
    assert D(2026, 12, 25) in cal.holidays_in(2026, "ES", "MD")


def test_unknown_region_is_a_clear_error():
    with pytest.raises(DomainError, match="not known for the country XX"):
        cal.to_working_day(D(2026, 1, 2), "XX", None)
    with pytest.raises(DomainError, match="region ZZ of ES"):
        cal.to_working_day(D(2026, 1, 2), "ES", "ZZ")


def test_country_and_region_choices_have_readable_names():
    from app.services.followups.working_days import holiday_countries, holiday_subdivisions

    spanish = dict(holiday_countries("es"))
    assert spanish["ES"] == "España" and spanish["PT"] == "Portugal"
    assert dict(holiday_countries("en"))["ES"] == "Spain"
    regions = dict(holiday_subdivisions("es"))
    assert regions["MD"] == "Madrid" and regions["CT"] == "Cataluña"
    assert holiday_subdivisions("XX") == []
