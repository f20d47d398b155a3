"""Reps: the people who use the app (sales reps and managers)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from peewee import fn

from app.i18n import _
from app.models import Rep
from app.models.base import max_length
from app.models.collation import sorted_by_name
from app.models.enums import RepRole
from app.services import audit
from app.services.errors import NotFoundError, ValidationError
from app.services.inputs import clean_text, is_email
from app.services.transactions import write_command, write_transaction

_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")


@dataclass(frozen=True)
class RepRow:
    id: int
    code: str
    name: str
    role: RepRole
    active: bool
    email: str = ""
    phone: str = ""
    # The rep's own working hours, both or neither (None: the company's).
    working_hours_start: dt.time | None = None
    working_hours_end: dt.time | None = None

    @property
    def is_manager(self) -> bool:
        return self.role is RepRole.MANAGER

    @property
    def own_hours(self) -> tuple[dt.time, dt.time] | None:
        if self.working_hours_start is None or self.working_hours_end is None:
            return None
        return self.working_hours_start, self.working_hours_end


def _row(rep: Rep) -> RepRow:
    return RepRow(
        rep.id,
        rep.code,
        rep.name,
        rep.role,
        rep.active,
        rep.email,
        rep.phone,
        rep.working_hours_start,
        rep.working_hours_end,
    )


def list_reps(include_inactive: bool = False) -> list[RepRow]:
    """The reps by name, in the names' collation order ("Álvaro" before "Sergio"; a team is short)."""
    query = Rep.select().order_by(Rep.name)
    if not include_inactive:
        query = query.where(Rep.active == True)  # noqa: E712 (peewee expression)
    return sorted_by_name([_row(r) for r in query], lambda rep: rep.name)


def get_rep(rep_id: int) -> RepRow:
    rep = Rep.get_or_none(Rep.id == rep_id)
    if rep is None:
        raise NotFoundError(_("The rep no longer exists."))
    return _row(rep)


def find_rep_by_code(code: str) -> RepRow:
    rep = Rep.get_or_none(fn.LOWER(Rep.code) == code.strip().lower())
    if rep is None:
        raise NotFoundError(_("There is no rep with the code {code}.").format(code=code))
    return _row(rep)


@write_command
def create_rep(code: str, name: str, role: RepRole = RepRole.REP, email: str = "") -> RepRow:
    code, name = code.strip().upper(), name.strip()
    errors = {}
    if not _CODE_RE.match(code):
        errors["code"] = _("The code is required: up to 20 letters, digits, '-' or '_'.")
    elif Rep.select().where(fn.UPPER(Rep.code) == code).exists():
        errors["code"] = _("Another rep already has the code {code}.").format(code=code)
    if not name:
        errors["name"] = _("The name is required.")
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        rep = Rep.create(code=code, name=name, role=role, email=email.strip())
        audit.record("create", "rep", rep.id, rep.id, label=code, code=code, name=name, role=role)
    return _row(rep)


@dataclass(frozen=True)
class RepInput:
    """What a manager edits of a rep (the code and the role stay: they name the person's login)."""

    name: str
    email: str = ""
    phone: str = ""
    # Both or neither: None, the company's working hours.
    working_hours_start: dt.time | None = None
    working_hours_end: dt.time | None = None


def _hours_text(value: object) -> object:
    """A time of day as the audit keeps it ("09:00"); anything else as it is."""
    return value.strftime("%H:%M") if isinstance(value, dt.time) else value


@write_command
def update_rep(rep_id: int, data: RepInput, acting_rep_id: int | None = None) -> RepRow:
    """Change a rep's name, contact details and own working hours (where placement puts their
    follow-ups; app.services.followups.placement). ValidationError keyed by field name: hours are
    both given or both empty, and end at least an hour after they start."""
    from app.services.company import too_short_working_day

    name, email, phone = clean_text(data.name), clean_text(data.email), clean_text(data.phone)
    start, end = data.working_hours_start, data.working_hours_end
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("The name is required.")
    for field, value in (("name", name), ("email", email), ("phone", phone)):
        limit = max_length(getattr(Rep, field))
        if field not in errors and len(value) > limit:
            errors[field] = _("Too long: at most {limit} characters.").format(limit=limit)
    if email and "email" not in errors and not is_email(email):
        errors["email"] = _("This is not a valid e-mail address (like name@example.com).")
    if (start is None) != (end is None):
        errors["working_hours_start" if start is None else "working_hours_end"] = _(
            "Give both the start and the end of the rep's own hours, or neither (the company's hours)."
        )
    elif start is not None and end is not None:
        start, end = start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)
        if too_short_working_day(start, end):
            errors["working_hours_end"] = _("The working day ends at least an hour after it starts.")
    if errors:
        raise ValidationError(errors)
    rep = Rep.get_or_none(Rep.id == rep_id)
    if rep is None:
        raise NotFoundError(_("The rep no longer exists."))
    rep.name, rep.email, rep.phone = name, email, phone
    rep.working_hours_start, rep.working_hours_end = start, end
    changes = audit.pending_changes(rep)
    if changes:
        rep.save()
        audit.record(
            "update",
            "rep",
            rep.id,
            acting_rep_id,
            label=rep.code,
            changes={field: (_hours_text(old), _hours_text(new)) for field, (old, new) in changes.items()},
        )
    return _row(rep)


def rep_count() -> int:
    return Rep.select().count()
