"""The database proxy and the base model every table derives from."""

from __future__ import annotations

import datetime as dt

from peewee import DatabaseProxy, DateTimeField, Model
from playhouse.fields import EnumField

db = DatabaseProxy()


def now() -> dt.datetime:
    """Naive local time, to the second: what the user sees on the wall clock."""
    return dt.datetime.now().replace(microsecond=0)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class TimestampedModel(BaseModel):
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)

    def save(self, *args, **kwargs):
        self.updated_at = now()
        return super().save(*args, **kwargs)


def ChoiceField(enum_class, **kwargs) -> EnumField:
    """A column holding an enum's short stable code (never translated text)."""
    kwargs.setdefault("max_length", 20)
    return EnumField(enum_class, **kwargs)
