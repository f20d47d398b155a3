"""Working days: weekends and public holidays of the company's country and region.

The region comes from the company settings (`holiday_country`, `holiday_subdivision`,
e.g. ES / MD for Madrid); every function also accepts it explicitly. Holidays come from
the `holidays` package and are cached per (country, subdivision, year).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from app.i18n import _
from app.services.errors import DomainError

# A date this many days without a working day means a broken calendar, not a long holiday.
_MAX_SEARCH_DAYS = 60


@dataclass(frozen=True)
class Region:
    """Where public holidays are taken from: an ISO country and an optional subdivision."""

    country: str
    subdivision: str | None = None


def company_region() -> Region:
    """The holiday region stored in the company settings."""
    from app.services.company import load_company_settings

    settings = load_company_settings()
    return Region(
        settings.holiday_country.strip().upper(), (settings.holiday_subdivision or "").strip() or None
    )


# Regions whose clocks differ from their country's first zone (tzdata's zone.tab): the Canary
# Islands are an hour behind the peninsula; Ceuta and Melilla, the Azores and Madeira have their own.
_REGION_ZONES = {
    ("ES", "CN"): "Atlantic/Canary",
    ("ES", "CE"): "Africa/Ceuta",
    ("ES", "ML"): "Africa/Ceuta",
    ("PT", "20"): "Atlantic/Azores",
    ("PT", "30"): "Atlantic/Madeira",
}
DEFAULT_TIME_ZONE = "Europe/Madrid"


def region_time_zone(region: Region | None = None) -> str:
    """The IANA time zone of a region (default: the company's): the region's own where it differs,
    else the first zone tzdata lists for the country, else Madrid's."""
    region = region or company_region()
    zone = _REGION_ZONES.get((region.country, region.subdivision or ""))
    return zone or _country_zones().get(region.country, DEFAULT_TIME_ZONE)


@lru_cache(maxsize=1)
def _country_zones() -> dict[str, str]:
    """Each country's first zone in tzdata's zone.tab (its main one: Spain's is Europe/Madrid)."""
    from importlib.resources import files

    zones: dict[str, str] = {}
    try:
        text = (files("tzdata.zoneinfo") / "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        return zones
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, _coordinates, zone, *_comment = line.split("\t")
            zones.setdefault(country, zone)
    return zones


def _resolve(country: str | None, subdivision: str | None) -> Region:
    """An explicit country wins (its subdivision may be None); no country reads the settings."""
    if country is None:
        return company_region()
    return Region(country.strip().upper(), (subdivision or "").strip() or None)


def _holidays():
    """The `holidays` package, imported at first use: 60 ms of the window's start otherwise."""
    import holidays

    return holidays


@lru_cache(maxsize=256)
def _closed_days(
    country: str, subdivision: str | None, year: int
) -> tuple[frozenset[dt.date], frozenset[int]]:
    """(public holidays, weekday numbers of the weekend) of one region and year."""
    try:
        calendar = _holidays().country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError as exc:
        if subdivision:
            message = _("Public holidays are not known for the region {subdivision} of {country}.")
        else:
            message = _("Public holidays are not known for the country {country}.")
        raise DomainError(message.format(country=country, subdivision=subdivision)) from exc
    weekend = frozenset(getattr(calendar, "weekend", None) or {5, 6})
    return frozenset(calendar.keys()), weekend


def clear_cache() -> None:
    """Forget cached holidays (after changing the region in the settings nothing else is needed)."""
    _closed_days.cache_clear()


def holidays_in(year: int, country: str | None = None, subdivision: str | None = None) -> frozenset[dt.date]:
    region = _resolve(country, subdivision)
    return _closed_days(region.country, region.subdivision, year)[0]


def _is_working(day: dt.date, region: Region) -> bool:
    closed, weekend = _closed_days(region.country, region.subdivision, day.year)
    return day.weekday() not in weekend and day not in closed


def is_working_day(day: dt.date, country: str | None = None, subdivision: str | None = None) -> bool:
    """False on weekends and public holidays of the region."""
    return _is_working(_as_date(day), _resolve(country, subdivision))


def to_working_day(day: dt.date, country: str | None = None, subdivision: str | None = None) -> dt.date:
    """`day` itself when it is a working day, else the next working day after it."""
    return _forward(_as_date(day), _resolve(country, subdivision), include_start=True)


def next_working_day(day: dt.date, country: str | None = None, subdivision: str | None = None) -> dt.date:
    """The first working day strictly after `day` (Friday 25/12/2026 → Monday 28/12/2026)."""
    return _forward(_as_date(day), _resolve(country, subdivision), include_start=False)


def add_working_days(
    day: dt.date, count: int, country: str | None = None, subdivision: str | None = None
) -> dt.date:
    """`count` working days after `day` (0 → `day` moved to a working day)."""
    region = _resolve(country, subdivision)
    result = _forward(_as_date(day), region, include_start=True)
    for _step in range(count):
        result = _forward(result, region, include_start=False)
    return result


def to_working_datetime(
    when: dt.datetime, country: str | None = None, subdivision: str | None = None
) -> dt.datetime:
    """The same time of day on `when`'s date moved to a working day."""
    return dt.datetime.combine(to_working_day(when.date(), country, subdivision), when.time())


class WorkingCalendar:
    """A region resolved once, for commands that move many dates (plan application)."""

    def __init__(self, country: str | None = None, subdivision: str | None = None):
        self.region = _resolve(country, subdivision)

    def is_working_day(self, day: dt.date) -> bool:
        return _is_working(_as_date(day), self.region)

    def to_working_day(self, day: dt.date) -> dt.date:
        return _forward(_as_date(day), self.region, include_start=True)

    def next_working_day(self, day: dt.date) -> dt.date:
        return _forward(_as_date(day), self.region, include_start=False)


def _as_date(day: dt.date) -> dt.date:
    return day.date() if isinstance(day, dt.datetime) else day


def _forward(day: dt.date, region: Region, include_start: bool) -> dt.date:
    candidate = day if include_start else day + dt.timedelta(days=1)
    for _attempt in range(_MAX_SEARCH_DAYS):
        if _is_working(candidate, region):
            return candidate
        candidate += dt.timedelta(days=1)
    raise DomainError(
        _("No working day found within {days} days of {day}: check the holiday region.").format(
            days=_MAX_SEARCH_DAYS, day=day.isoformat()
        )
    )


def holiday_countries(language: str) -> list[tuple[str, str]]:
    """(ISO code, country name in `language`) for every country whose holidays are known, by name."""
    from babel import Locale

    names = Locale.parse(language).territories
    codes = _holidays().list_supported_countries()
    return sorted(((code, names.get(code, code)) for code in codes), key=lambda pair: pair[1])


def holiday_subdivisions(country: str) -> list[tuple[str, str]]:
    """(code, name) of a country's regions with their own holidays; the name is the code when unknown."""
    codes = _holidays().list_supported_countries().get(country.upper(), [])
    try:
        aliases = _holidays().country_holidays(country.upper()).subdivisions_aliases
    except (NotImplementedError, AttributeError):
        aliases = {}
    names: dict[str, str] = {}
    for name, code in aliases.items():
        names.setdefault(code, name)  # the first alias is the usual name
    return sorted(((code, names.get(code, code)) for code in codes), key=lambda pair: pair[1])
