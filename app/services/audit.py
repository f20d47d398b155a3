"""The audit log: who changed what, when. Called inside the command's transaction."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from enum import Enum

from app.models import AuditEntry


def _plain(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def entry(action: str, entity: str, entity_id: int, rep_id: int | None, /, **details) -> AuditEntry:
    """An audit entry not stored yet: `record` stores one, a bulk command many at once."""
    return AuditEntry(
        action=action,
        entity=entity,
        entity_id=entity_id,
        rep=rep_id,
        details=json.dumps({k: _plain(v) for k, v in details.items()}, ensure_ascii=False),
    )


def record(action: str, entity: str, entity_id: int, rep_id: int | None, /, **details) -> None:
    """One audit entry by `rep_id` (positional, so a change of a field named `rep_id` can be a detail)."""
    entry(action, entity, entity_id, rep_id, **details).save(force_insert=True)
