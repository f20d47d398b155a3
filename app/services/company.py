"""Company settings kept in the database, so the CLI and every laptop print the same documents."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from app.i18n import N_
from app.models import CompanySetting, db


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
    return settings


def save_company_settings(settings: CompanySettings, acting_rep_id: int | None = None) -> None:
    from app.services import audit

    with db.atomic():
        for field in fields(CompanySettings):
            CompanySetting.insert(key=field.name, value=str(getattr(settings, field.name))).on_conflict(
                conflict_target=[CompanySetting.key], update={CompanySetting.value: str(getattr(settings, field.name))}
            ).execute()
        audit.record("update", "company_settings", 0, acting_rep_id, **asdict(settings))


def database_is_empty() -> bool:
    """True for a fresh database: nobody and nothing recorded yet (first-start offer)."""
    from app.models import Customer, Rep

    return not Rep.select().exists() and not Customer.select().exists()
