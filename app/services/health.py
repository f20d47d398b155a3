"""Database health: file integrity, broken references, schema version, row counts and id sequences. No Qt.

`postventa check` prints this report; support staff read it before trusting a file
that was copied between laptops or restored from a backup.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from peewee import SQL, DatabaseError, fn

from app.i18n import _, format_number, ngettext
from app.models import ALL_MODELS, SchemaVersion, cipher, db
from app.models.database import DatabaseDamagedError, DatabaseFileError
from app.models.dialect import SequenceLag, broken_references, integrity_problems, sequences_behind
from app.models.migrations import LATEST_VERSION
from app.models.server_rights import RightsSummary, rights_summary
from app.services.errors import DomainError

# The integrity check lists at most this many damaged spots (SQLite's own default is 100).
_INTEGRITY_LIMIT = 20


@dataclass
class HealthReport:
    integrity: str  # "ok", what SQLite found damaged, or "not applicable" for a server database
    foreign_key_problems: list[str]
    schema_version: int | None  # None: the version table is missing or empty
    latest_version: int
    row_counts: dict[str, int]  # table name → rows, for every table that could be counted
    ok: bool
    problems: list[str] = field(default_factory=list)
    sequences_behind: list[SequenceLag] = field(default_factory=list)  # a server database's id sequences
    server: bool = False  # a server database: integrity and references are the server's
    rights: RightsSummary | None = None  # a server database's roles and policies (server init)
    quick: bool = False  # SQLite's quick_check rather than the full integrity_check

    def lines(self) -> list[str]:
        """The report as lines of text, for the command line."""
        foreign_keys = _("ok") if not self.foreign_key_problems else str(len(self.foreign_key_problems))
        version = "—" if self.schema_version is None else str(self.schema_version)
        result = _("ok") if self.integrity == "ok" else self.integrity
        if self.server:
            integrity = _("Integrity: {result}").format(result=result)
        elif self.quick:
            integrity = _("Integrity (quick check): {result}").format(result=result)
        else:
            integrity = _("Integrity (full check): {result}").format(result=result)
        lines = [
            integrity,
            _("Broken references: {result}").format(result=foreign_keys),
            _("Schema version: {found} (this version of Postventa: {latest})").format(
                found=version, latest=self.latest_version
            ),
        ]
        if self.server:
            behind = _("ok") if not self.sequences_behind else str(len(self.sequences_behind))
            lines.append(_("Id sequences behind their tables: {result}").format(result=behind))
            lines += self._rights_lines()
        lines.append(_("Rows per table:"))
        width = max((len(name) for name in self.row_counts), default=0)
        lines += [f"  {name:<{width}}  {format_number(count):>12}" for name, count in self.row_counts.items()]
        if self.ok:
            lines.append(_("Result: healthy"))
        else:
            count = len(self.problems)
            lines.append(
                ngettext("Result: {count} problem found", "Result: {count} problems found", count).format(
                    count=count
                )
            )
        return lines

    def _rights_lines(self) -> list[str]:
        rights = self.rights
        if rights is None:
            return []
        if not rights.initialised:
            return [_("People and rights: not set up (postventa server init has not been run)")]
        return [
            _("People and rights: {users} logins, group roles {roles}").format(
                users=format_number(rights.users), roles=", ".join(rights.group_roles) or "—"
            ),
            _("Row-level security: {tables} tables, {policies} policies").format(
                tables=format_number(rights.tables_with_security), policies=format_number(rights.policies)
            ),
        ]


def check_database(*, quick: bool = False, progress: Callable[[str], None] | None = None) -> HealthReport:
    """Inspect the open database without changing it. `quick` uses SQLite's quick_check, which
    skips comparing every index with its table (seconds instead of minutes on a large file).
    `progress` is told, in the user's words, each step as it starts (the file's integrity, the
    references, the row counts: the first two read the whole file)."""
    database = db.obj
    if database is None:
        raise DomainError(_("No database is open."))
    step = progress or (lambda _label: None)
    problems: list[str] = []
    # (On a server database the first two steps return at once: the server checks its own storage.)
    step(_("Checking the file (quick check)…") if quick else _("Checking the file (full check)…"))
    # The references are read meanwhile, on a connection of their own: both steps read the whole
    # file, and each keeps one core busy (the quick check of the 100k demo: 3.0 s → 2.0 s).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="check-references") as pool:
        references = pool.submit(_references_on_own_connection)
        integrity = _integrity(quick, problems)
        server = integrity is None
        if server:
            # A server database checks its own storage and enforces its foreign keys.
            integrity = _("not applicable")
        step(_("Checking the references between tables…"))
        foreign_key_problems = _foreign_key_problems(*references.result())
    problems += foreign_key_problems
    schema_version = _schema_version(problems, server)
    step(_("Counting rows…"))
    row_counts = _row_counts(problems)
    behind = _sequences_behind(problems)
    rights = _rights(problems) if server else None
    return HealthReport(
        integrity=integrity,
        foreign_key_problems=foreign_key_problems,
        schema_version=schema_version,
        latest_version=LATEST_VERSION,
        row_counts=row_counts,
        ok=not problems,
        problems=problems,
        sequences_behind=behind,
        server=server,
        rights=rights,
        quick=quick,
    )


def _integrity(quick: bool, problems: list[str]) -> str | None:
    """The file's integrity ("ok" or what is damaged); None for a server database."""
    try:
        found = integrity_problems(quick, _INTEGRITY_LIMIT)
    # A full disk is no damage.
    except (DatabaseError, *cipher.DRIVER_DATABASE_ERRORS, DatabaseDamagedError) as exc:
        found = [str(exc)]
    if found is None:
        return None
    if found == ["ok"]:
        return "ok"
    details = "; ".join(found)
    problems.append(
        _("The database file is damaged ({details}). Restore a backup copy.").format(details=details)
    )
    return details


def _references_on_own_connection() -> tuple[list[tuple[str, str]] | None, Exception | None]:
    """broken_references() in a worker thread, on the thread's own connection (closed after); the
    error instead of raising it. The messages are written by the caller, in the user's language."""
    try:
        return broken_references(), None
    except (DatabaseError, *cipher.DRIVER_DATABASE_ERRORS, DatabaseFileError) as exc:
        return None, exc
    finally:
        if db.obj is not None and not db.obj.is_closed():
            db.obj.close()  # this thread's connection only (peewee keeps one per thread)


def _foreign_key_problems(rows: list[tuple[str, str]] | None, error: Exception | None = None) -> list[str]:
    """One message per (table, missing parent) pair, with how many rows point nowhere."""
    if error is not None:
        return [_("The references between tables could not be checked: {reason}").format(reason=error)]
    broken = Counter(rows or ())
    return [
        ngettext(
            "{count} row of {table} refers to a {parent} row that does not exist.",
            "{count} rows of {table} refer to {parent} rows that do not exist.",
            count,
        ).format(count=format_number(count), table=table, parent=parent)
        for (table, parent), count in sorted(broken.items())
    ]


def _schema_version(problems: list[str], server: bool) -> int | None:
    try:
        with db.atomic():
            version = SchemaVersion.select(fn.MAX(SchemaVersion.version)).scalar()
    except (DatabaseError, DatabaseFileError):
        version = None
    if version is None:
        problems.append(_("The database has no schema version; it is not a usable Postventa database."))
    elif version < LATEST_VERSION and server:
        problems.append(
            _(
                "The database has schema version {found}; this version of Postventa uses {latest}. A manager upgrades it with postventa server upgrade."
            ).format(found=version, latest=LATEST_VERSION)
        )
    elif version < LATEST_VERSION:
        problems.append(
            _(
                "The database has schema version {found}; this version of Postventa uses {latest}. Open it in Postventa to upgrade it."
            ).format(found=version, latest=LATEST_VERSION)
        )
    elif version > LATEST_VERSION:
        problems.append(
            _(
                "The database has schema version {found}, newer than this version of Postventa ({latest}). Update Postventa."
            ).format(found=version, latest=LATEST_VERSION)
        )
    return version


def _row_counts(problems: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for model in ALL_MODELS:
        table = model._meta.table_name
        try:
            with db.atomic():  # a failed count must not spoil the others on a server database
                counts[table] = model.select(fn.COUNT(SQL("*"))).scalar()
        except (DatabaseError, DatabaseFileError):
            problems.append(_("The table {table} is missing or cannot be read.").format(table=table))
    return counts


def _rights(problems: list[str]) -> RightsSummary | None:
    """The office server's roles and policies; what `server init` sets and is missing is a problem."""
    try:
        with db.atomic():
            rights = rights_summary(db.obj)
    except (DatabaseError, DatabaseFileError) as exc:
        problems.append(_("The rights could not be checked: {reason}").format(reason=exc))
        return None
    if rights.missing:
        problems.append(
            _("Rights incomplete ({missing}): run postventa server init again.").format(
                missing=", ".join(rights.missing)
            )
        )
    return rights


def _sequences_behind(problems: list[str]) -> list[SequenceLag]:
    """A server database's id sequences that would hand out an id already taken (new rows would fail)."""
    try:
        with db.atomic():
            behind = sequences_behind()
    except (DatabaseError, DatabaseFileError) as exc:
        problems.append(_("The id sequences could not be checked: {reason}").format(reason=exc))
        return []
    problems += [
        _(
            "The id sequence of {table} would give {next_id}, but the table already has ids up to {highest}: "
            "new rows would be refused."
        ).format(table=lag.table, next_id=lag.next_id, highest=lag.highest_id)
        for lag in behind
    ]
    return behind
