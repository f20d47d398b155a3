"""Reps: the people who use the app (sales reps and managers)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from peewee import fn

from app.i18n import _
from app.models import Rep
from app.models.enums import RepRole
from app.services import audit
from app.services.errors import NotFoundError, ValidationError
from app.services.transactions import write_command, write_transaction

_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")


@dataclass(frozen=True)
class RepRow:
    id: int
    code: str
    name: str
    role: RepRole
    active: bool

    @property
    def is_manager(self) -> bool:
        return self.role is RepRole.MANAGER


def _row(rep: Rep) -> RepRow:
    return RepRow(rep.id, rep.code, rep.name, rep.role, rep.active)


def list_reps(include_inactive: bool = False) -> list[RepRow]:
    query = Rep.select().order_by(Rep.name)
    if not include_inactive:
        query = query.where(Rep.active == True)  # noqa: E712 (peewee expression)
    return [_row(r) for r in query]


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


def rep_count() -> int:
    return Rep.select().count()
