"""The database proxy and the base model every table derives from."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence

from peewee import (
    SQL,
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DatabaseProxy,
    Field,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)
from playhouse.fields import EnumField

from app.models.clock import LocalDateTimeField
from app.models.dialect import execute_many

db = DatabaseProxy()


def now() -> dt.datetime:
    """Naive local time, to the second: what the user sees on the wall clock."""
    return dt.datetime.now().replace(microsecond=0)


def new_uid() -> str:
    """A row's identity across machines (32 hex digits, 128 random bits, as the SQL side's
    dialect.random_uid_sql): integer ids stay local to one database. os.urandom, not uuid4: an
    import makes hundreds of thousands (uuid4().hex takes 8 times as long)."""
    return os.urandom(16).hex()


UID_LENGTH = 32


class LocalModel(Model):
    """A table that never leaves its database (the schema version): no uid, no revision."""

    class Meta:
        database = db
        legacy_table_names = False
        # save() writes only the columns a command changed, never the whole row it read earlier:
        # a concurrent change to another column survives, and a partial select saved back
        # cannot blank the columns it did not read.
        only_save_dirty = True


class BaseModel(LocalModel):
    """Every row has a `uid` that names it on every machine (the laptop's copy, the office's) and a
    `revision`: on the office server the number of its last change, from one sequence (a trigger
    sets it; app.sync.server), on a synced laptop the server's revision this copy is based on, on a
    standalone database NULL. Foreign keys stay integer ids, translated through uids by the sync."""

    uid = CharField(max_length=UID_LENGTH, unique=True, default=new_uid)
    revision = BigIntegerField(null=True)


class TimestampedModel(BaseModel):
    created_at = LocalDateTimeField(default=now)
    updated_at = LocalDateTimeField(default=now)

    def save(self, *args, **kwargs):
        self.updated_at = now()
        return super().save(*args, **kwargs)


class VersionedModel(TimestampedModel):
    """A record people edit: `row_version` counts its changes (1 when created).

    Every save that changes the row adds one in SQL (`row_version = row_version + 1`), so an
    edit started from version N can tell, inside its write transaction, that someone else
    saved meanwhile (services.transactions.check_version); the offline sync compares the
    same number. Update queries that edit such a record add `row_version=Model.row_version + 1`
    themselves; derived columns recomputed in bulk (segments) do not count as edits.
    """

    row_version = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])

    def save(self, *args, **kwargs):
        only = kwargs.get("only")
        updating = (
            self._pk is not None and not kwargs.get("force_insert") and (only is not None or self.is_dirty())
        )
        if not updating:
            return super().save(*args, **kwargs)
        previous = self.__data__.get("row_version")
        self.row_version = type(self).row_version + 1
        if only is not None:
            kwargs["only"] = [*only, type(self).row_version]
        try:
            result = super().save(*args, **kwargs)
        except BaseException:
            self.__data__["row_version"] = previous
            raise
        self.__data__["row_version"] = previous + 1 if isinstance(previous, int) else None
        return result


def ChoiceField(enum_class, **kwargs) -> EnumField:  # noqa: N802 (reads like the field classes it makes)
    """A column holding an enum's short stable code (never translated text)."""
    kwargs.setdefault("max_length", 20)
    return EnumField(enum_class, **kwargs)


def max_length(field: CharField) -> int:
    """The most characters a text column takes (`max_length(Customer.name)`): the one place a
    field's limit is stated is the model, and services and forms read it from there."""
    return field.max_length


# The value types peewee's db_value gives back as they are, by field class (exactly: a subclass may
# convert, as EnumField does): insert_rows skips the call for them (a third of its time on 100,000 rows).
_AS_STORED: dict[type, frozenset[type]] = {
    CharField: frozenset({str, type(None)}),
    TextField: frozenset({str, type(None)}),
    IntegerField: frozenset({int, type(None)}),
    BigIntegerField: frozenset({int, type(None)}),
    BooleanField: frozenset({bool, type(None)}),
}


def _unconverted(field: Field) -> frozenset[type]:
    if type(field) is ForeignKeyField:
        return (
            _unconverted(field.rel_field)
            if type(field.rel_field) is not AutoField
            else _AS_STORED[IntegerField]
        )
    return _AS_STORED.get(type(field), frozenset())


def insert_rows(model: type[Model], instances: Sequence[Model]) -> None:
    """Insert new `instances` (not saved yet; their ids are assigned by the database, in the order
    given) with one prepared INSERT run for all (`dialect.execute_many`): peewee's insert_many
    renders every value into the SQL text, several times slower on thousands of rows (the import's). Values go through each field's db_value, as peewee's
    own queries do."""
    if not instances:
        return
    database = db.obj
    fields = [f for f in model._meta.sorted_fields if not isinstance(f, AutoField)]
    quote = database.quote
    names = ", ".join(f"{quote[0]}{f.column_name}{quote[1]}" for f in fields)
    marks = ", ".join([database.param] * len(fields))
    sql = f"INSERT INTO {quote[0]}{model._meta.table_name}{quote[1]} ({names}) VALUES ({marks})"
    converters = [(f.name, f.db_value, _unconverted(f)) for f in fields]
    rows = [
        [
            value if value.__class__ in unconverted else convert(value)
            for name, convert, unconverted in converters
            for value in (instance.__data__.get(name),)
        ]
        for instance in instances
    ]
    for start in range(0, len(rows), 5000):
        execute_many(sql, rows[start : start + 5000], database)


def insert_keyed_rows(model: type[Model], instances: Sequence[Model], key: Field) -> list[int]:
    """Insert new `instances` as `insert_rows` does and return their ids in the order given, read
    back by `key`, a unique column whose value each instance holds already (a customer's code, a
    product's SKU, a sale's number key): one query per 500 keys, not one per row."""
    insert_rows(model, instances)
    keys = [instance.__data__[key.name] for instance in instances]
    ids: dict[object, int] = {}
    for start in range(0, len(keys), 500):
        query = model.select(key, model._meta.primary_key).where(key.in_(keys[start : start + 500]))
        ids.update(query.tuples())
    return [ids[value] for value in keys]
