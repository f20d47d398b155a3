"""Company settings kept in the database, so the CLI and every laptop print the same documents."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, fields, replace

from app.i18n import N_, _
from app.models import Case, CompanySetting
from app.models.enums import CaseSeries
from app.models.system import CASE_PREFIX_DEFAULTS
from app.services.transactions import write_command, write_transaction


@dataclass
class CompanySettings:
    name: str = N_("My company")
    tax_id: str = ""
    address: str = ""
    logo_path: str = ""
    holiday_country: str = "ES"
    holiday_subdivision: str = "MD"
    # A not-reached contact is retried on the next working day up to this many attempts in all.
    follow_up_max_attempts: int = 3
    # A failed correct-use check proposes a training follow-up this many days later.
    check_training_days: int = 7
    # Where automatic follow-ups land (app.services.followups.placement): inside these working hours
    # ("HH:MM", the same for every rep: reps have no hours of their own), at most this many planned
    # follow-ups per rep and day (the next working day with room takes the rest). The defaults are
    # wide so that an ordinary day keeps the times and days plans have always given.
    working_hours_start: str = "08:00"
    working_hours_end: str = "20:00"
    daily_capacity: int = 40
    # Customer value and ABC segmentation (DOMAIN §6): the window ranked, in months, and the
    # cumulative revenue shares (%) closing segments A and B (A < B ≤ 100).
    abc_window_months: int = 24
    abc_a_threshold: int = 80
    abc_b_threshold: int = 95
    # Projected lifetime value = annual value × these expected remaining years.
    expected_remaining_years: int = 5
    # Customers at risk: a last satisfaction score up to this is low; a customer with one purchase
    # date is "overdue" after this many days without buying.
    risk_low_satisfaction_max: int = 2
    risk_default_interval_days: int = 365
    # Personal data (issue 18): a customer without activity for this many years is listed as due
    # for anonymisation (app.services.customers.privacy.customers_due_for_anonymisation).
    retention_years: int = 6
    # Case numbers: prefix, year and a sequence per series and year (REC-2026-0007). Complaints and
    # claims share one series, the annual register's; suggestions and compliments have one each.
    # Spanish text, never translated (app.models.system.CASE_PREFIX_DEFAULTS); a change applies to
    # new numbers only.
    complaint_prefix: str = CASE_PREFIX_DEFAULTS["complaint_prefix"]
    suggestion_prefix: str = CASE_PREFIX_DEFAULTS["suggestion_prefix"]
    compliment_prefix: str = CASE_PREFIX_DEFAULTS["compliment_prefix"]


# The setting holding each numbering series' prefix.
PREFIX_SETTINGS: dict[CaseSeries, str] = {
    CaseSeries.COMPLAINT: "complaint_prefix",
    CaseSeries.SUGGESTION: "suggestion_prefix",
    CaseSeries.COMPLIMENT: "compliment_prefix",
}
# A prefix: a letter, then letters, digits and - _ . / (no accents: numbers are typed, searched and
# sent in e-mails), up to PREFIX_MAX_LENGTH: short enough for a number to fit its column in the
# register's listing (app.reports.register) and in the number column (20 characters).
PREFIX_MAX_LENGTH = 6
_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*")
_TIME_OF_DAY = re.compile(r"(\d{1,2}):(\d{2})")


def load_company_settings() -> CompanySettings:
    stored = {row.key: row.value for row in CompanySetting.select()}
    settings = CompanySettings()
    for field in fields(CompanySettings):
        if field.name in stored:
            default = getattr(settings, field.name)
            try:
                setattr(settings, field.name, type(default)(stored[field.name]))
            except ValueError:  # a value edited by hand: keep the default
                pass
    return _sane(settings)


def _sane(settings: CompanySettings) -> CompanySettings:
    """Out-of-range values (edited by hand) fall back to their defaults, so saving never trips on them."""
    from app.services.errors import ValidationError

    try:
        validate_company_settings(settings)
    except ValidationError as exc:
        defaults = CompanySettings()
        names = set(exc.errors)
        if names & {"abc_a_threshold", "abc_b_threshold"}:
            names |= {"abc_a_threshold", "abc_b_threshold"}
        if names & {"working_hours_start", "working_hours_end"}:
            names |= {"working_hours_start", "working_hours_end"}
        for name in names:
            setattr(settings, name, getattr(defaults, name))
    return settings


# Accepted ranges of the numeric settings validated here: field → (low, high, message).
RANGES: dict[str, tuple[int, int, str]] = {
    "abc_window_months": (1, 120, N_("The window is between 1 and 120 months.")),
    "expected_remaining_years": (0, 50, N_("The expected remaining years are between 0 and 50.")),
    "risk_low_satisfaction_max": (1, 4, N_("A low satisfaction score is between 1 and 4.")),
    "risk_default_interval_days": (1, 3650, N_("The usual purchase interval is between 1 and 3,650 days.")),
    "daily_capacity": (1, 500, N_("The follow-ups per rep and day are between 1 and 500.")),
    "retention_years": (1, 50, N_("The years without activity are between 1 and 50.")),
}


def validate_company_settings(settings: CompanySettings) -> None:
    """The value, segmentation and risk settings: ValidationError keyed by field name."""
    from app.services.customers.value import validate_thresholds
    from app.services.errors import ValidationError

    errors: dict[str, str] = {}
    for name, (low, high, message) in RANGES.items():
        value = getattr(settings, name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[name] = _(message)
    try:
        validate_thresholds(settings.abc_a_threshold, settings.abc_b_threshold)
    except ValidationError as exc:
        errors.update({"abc_" + key: message for key, message in exc.errors.items()})
    errors.update(_prefix_errors(settings))
    errors.update(_working_hours_errors(settings))
    if errors:
        raise ValidationError(errors)


def parse_time_of_day(text: object) -> dt.time | None:
    """'9:30' or '09:30' → 09:30; None for anything else."""
    match = _TIME_OF_DAY.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        return None
    hours, minutes = int(match[1]), int(match[2])
    return dt.time(hours, minutes) if hours < 24 and minutes < 60 else None


def working_hours(settings: CompanySettings | None = None) -> tuple[dt.time, dt.time]:
    """The company's working hours (start, end), the defaults' where a stored one is unreadable."""
    stored, defaults = settings or load_company_settings(), CompanySettings()
    start = parse_time_of_day(stored.working_hours_start) or parse_time_of_day(defaults.working_hours_start)
    end = parse_time_of_day(stored.working_hours_end) or parse_time_of_day(defaults.working_hours_end)
    assert start is not None and end is not None  # the defaults parse
    return start, end


def too_short_working_day(start: dt.time, end: dt.time) -> bool:
    """Working hours that end less than an hour after they start (or before): refused for the
    company and for a rep's own hours alike (a visit takes an hour)."""
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute) < 60


def _working_hours_errors(settings: CompanySettings) -> dict[str, str]:
    start = parse_time_of_day(settings.working_hours_start)
    end = parse_time_of_day(settings.working_hours_end)
    errors: dict[str, str] = {}
    for name, value in (("working_hours_start", start), ("working_hours_end", end)):
        if value is None:
            errors[name] = _("Enter a time of day as hours and minutes, e.g. 09:00.")
    if start is not None and end is not None and too_short_working_day(start, end):
        errors["working_hours_end"] = _("The working day ends at least an hour after it starts.")
    return errors


def _prefix_errors(settings: CompanySettings) -> dict[str, str]:
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for name in PREFIX_SETTINGS.values():
        prefix = getattr(settings, name)
        if not isinstance(prefix, str) or not prefix.strip():
            errors[name] = _("Enter a prefix: every new number starts with it.")
        elif len(prefix) > PREFIX_MAX_LENGTH:
            errors[name] = _("A prefix has at most {count} characters.").format(count=PREFIX_MAX_LENGTH)
        elif not _PREFIX.fullmatch(prefix):
            errors[name] = _(
                "A prefix starts with a letter and has only letters without accents, digits and - _ . /"
            )
        elif prefix.casefold() in seen:
            errors[name] = _("Another kind of case already uses this prefix.")
        else:
            seen.add(prefix.casefold())
    return errors


def _prefixes_taken(settings: CompanySettings) -> dict[str, str]:
    """Prefixes with which numbers of another series were already given (e.g. the CASE- of the
    numbers taken before schema 6, which every series used): a new number could repeat one."""
    errors: dict[str, str] = {}
    for series, name in PREFIX_SETTINGS.items():
        prefix = getattr(settings, name)
        shape = re.compile(re.escape(prefix) + r"\d{4}-\d+", re.IGNORECASE)
        numbers = Case.select(Case.number).where((Case.series != series) & Case.number.startswith(prefix))
        if any(shape.fullmatch(number) for (number,) in numbers.tuples().iterator()):
            errors[name] = _(
                "Numbers of another kind of case already start with this prefix; choose another one "
                "so that no number can repeat."
            )
    return errors


def case_number_prefix(series: CaseSeries) -> str:
    """The prefix of the next number of `series` (the stored setting, or its default)."""
    return getattr(load_company_settings(), PREFIX_SETTINGS[CaseSeries(series)])


@write_command
def save_company_settings(settings: CompanySettings, acting_rep_id: int | None = None) -> None:
    """Store every setting (validated first: ValidationError keyed by field name). The numbering
    prefixes are trimmed, and refused when numbers of another series already start with them."""
    from app.services import audit
    from app.services.errors import ValidationError

    settings = replace(
        settings,
        **{
            name: value.strip()
            for name in PREFIX_SETTINGS.values()
            if isinstance(value := getattr(settings, name), str)
        },
    )
    validate_company_settings(settings)
    if errors := _prefixes_taken(settings):
        raise ValidationError(errors)
    with write_transaction():
        before = asdict(load_company_settings())
        for field in fields(CompanySettings):
            CompanySetting.insert(key=field.name, value=str(getattr(settings, field.name))).on_conflict(
                conflict_target=[CompanySetting.key],
                update={CompanySetting.value: str(getattr(settings, field.name))},
            ).execute()
        changes = audit.differences(before, asdict(settings))
        if changes:
            audit.record("update", "company_settings", 0, acting_rep_id, changes=changes)


def database_is_empty() -> bool:
    """True for a fresh database: nobody and nothing recorded yet (first-start offer)."""
    from app.models import Customer, Rep

    return not Rep.select().exists() and not Customer.select().exists()
