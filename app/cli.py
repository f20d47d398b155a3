"""Command line: the GUI by default, sub-commands for headless work.

The sub-commands call the same services as the window. Every failure is one line on
stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app import APP_NAME, __version__, diagnostics, i18n
from app.i18n import N_, _, ngettext

if TYPE_CHECKING:
    import datetime as dt  # imported where a command needs dates: not on the way to the window

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A failure to report as one line; exit code EXIT_FAILURE."""


class UsageError(CliError):
    """The command cannot run as given (exit 2): the message says what to add."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not usage + message
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def _iso_date(text: str) -> dt.date:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a date in the form YYYY-MM-DD: {text}").format(text=repr(text))
        ) from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a whole number: {text}").format(text=repr(text))) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_("must be 1 or more: {value}").format(value=value))
    return value


def _year(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a year: {text}").format(text=repr(text))) from None


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        help=_(
            "database file or URL (sqlite:///…, postgresql://…); default: $POSTVENTA_DB or the user data folder",
        ),
    )
    common.add_argument(
        "--lang", choices=i18n.LANGUAGES, default=argparse.SUPPRESS, help=_("language: es or en")
    )

    parser = _Parser(
        prog="postventa",
        description=_("{app}: after-sales follow-up.").format(app=APP_NAME),
        parents=[common],
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"{APP_NAME} {__version__}",
        help=_("show the program's version number and exit"),
    )
    commands = parser.add_subparsers(dest="command", metavar=_("COMMAND"), parser_class=_Parser)

    demo = commands.add_parser("demo", parents=[common], help=_("fill a new database with sample data"))
    demo.add_argument(
        "--customers", type=_positive_int, default=300, help=_("how many customers (default 300)")
    )
    demo.add_argument("--seed", type=int, default=1, help=_("random seed: the same seed gives the same data"))
    demo.add_argument(
        "--today", type=_iso_date, default=None, help=_("the date the data is relative to (YYYY-MM-DD)")
    )
    demo.add_argument(
        "--encrypt",
        action="store_true",
        help=_("make the new database encrypted (SQLCipher; its key kept in this computer's keyring)"),
    )

    check = commands.add_parser(
        "check",
        parents=[common],
        help=_("integrity check, schema version and row counts (exit 1 on problems)"),
    )
    check.add_argument(
        "--full",
        action="store_true",
        help=_(
            "SQLite's full integrity check, which also compares every index with its table "
            "(minutes on a large file); by default the quick check"
        ),
    )

    backup = commands.add_parser(
        "backup",
        parents=[common],
        help=_("a verified backup of an SQLite database (rotated in the backups folder)"),
    )
    backup.add_argument(
        "--out",
        metavar=_("FILE"),
        help=_(
            "the backup file to write (.sqlite3 is added when missing); default: a new file in the "
            "backups folder of the user data folder, where the rotation keeps 7 daily, 4 weekly, 12 monthly"
        ),
    )
    backup.add_argument("--force", action="store_true", help=_("replace the --out file if it exists"))
    restore = commands.add_parser(
        "restore", parents=[common], help=_("replace an SQLite database's data with a backup's")
    )
    restore.add_argument(
        "--from",
        dest="source",
        metavar=_("FILE"),
        required=True,
        help=_("the backup: a Postventa database of this schema or an older one"),
    )
    restore.add_argument(
        "--yes", action="store_true", help=_("restore without asking (required without a terminal)")
    )

    agenda = commands.add_parser(
        "agenda", parents=[common], help=_("export follow-ups to an iCalendar (.ics) file")
    )
    agenda.add_argument("--rep", help=_("only this rep's follow-ups (rep code); default: everyone's"))
    agenda.add_argument(
        "--from", dest="start", type=_iso_date, help=_("first day (YYYY-MM-DD); default today")
    )
    agenda.add_argument(
        "--to", dest="end", type=_iso_date, help=_("last day, included (YYYY-MM-DD); default 4 weeks on")
    )
    agenda.add_argument("--ics", required=True, help=_("the .ics file to write (.ics is added when missing)"))
    agenda.add_argument("--force", action="store_true", help=_("replace the file if it exists"))

    report = commands.add_parser(
        "report", parents=[common], help=_("write a PDF: activity report, service charter or annual register")
    )
    documents = report.add_subparsers(
        dest="document", metavar=_("DOCUMENT"), parser_class=_Parser, required=True
    )
    activity = documents.add_parser("activity", parents=[common], help=_("activity report for a period"))
    activity.add_argument(
        "--from", dest="start", type=_iso_date, required=True, help=_("first day (YYYY-MM-DD)")
    )
    activity.add_argument(
        "--to", dest="end", type=_iso_date, required=True, help=_("last day, included (YYYY-MM-DD)")
    )
    activity.add_argument("--rep", help=_("only this rep's activity (rep code); default: everyone's"))
    charter = documents.add_parser("charter", parents=[common], help=_("the active service charter"))
    charter.add_argument(
        "--type",
        dest="charter_type",
        choices=("access", "financing", "attention"),
        help=_("which charter (default: the first active one)"),
    )
    register = documents.add_parser(
        "register", parents=[common], help=_("annual register of complaints and claims")
    )
    register.add_argument("--year", type=_year, required=True, help=_("the year (YYYY)"))
    for document in (activity, charter, register):
        document.add_argument(
            "--out", required=True, help=_("the PDF file to write (.pdf is added when missing)")
        )
        document.add_argument("--force", action="store_true", help=_("replace the file if it exists"))
        document.add_argument(
            "--as-of",
            dest="as_of",
            type=_iso_date,
            default=None,
            help=_("the day taken as today, issue date included, to reproduce a document (YYYY-MM-DD)"),
        )

    server = commands.add_parser(
        "server", parents=[common], help=_("set up a PostgreSQL office server (postgresql:// databases only)")
    )
    server_commands = server.add_subparsers(
        dest="action", metavar=_("ACTION"), parser_class=_Parser, required=True
    )
    server_commands.add_parser(
        "init",
        parents=[common],
        help=_(
            "create the schema, group roles, rights and policies; record the connecting role as a manager"
        ),
    )
    upgrade = server_commands.add_parser(
        "upgrade",
        parents=[common],
        help=_("upgrade the server's schema to this version of Postventa (take a pg_dump first)"),
    )
    upgrade.add_argument(
        "--yes",
        action="store_true",
        help=_("a pg_dump backup has been taken: upgrade without asking (required without a terminal)"),
    )

    user = commands.add_parser("user", parents=[common], help=_("people who log in to the office server"))
    user_commands = user.add_subparsers(
        dest="action", metavar=_("ACTION"), parser_class=_Parser, required=True
    )
    add = user_commands.add_parser("add", parents=[common], help=_("a new login, rep or manager"))
    add.add_argument("--login", required=True, help=_("the person's login name"))
    add.add_argument("--role", required=True, choices=("rep", "manager"), help=_("rep or manager"))
    add.add_argument("--rep", help=_("the rep record (rep code) this login is"))
    disable = user_commands.add_parser("disable", parents=[common], help=_("the login can no longer connect"))
    disable.add_argument("--login", required=True, help=_("the person's login name"))
    reset = user_commands.add_parser("reset-password", parents=[common], help=_("set a new password"))
    reset.add_argument("--login", required=True, help=_("the person's login name"))
    for needs_password in (add, reset):
        needs_password.add_argument(
            "--password-stdin",
            action="store_true",
            required=True,
            help=_("read the password from standard input (never from the command line)"),
        )

    sync = commands.add_parser(
        "sync",
        parents=[common],
        help=_("a laptop's database: push its changes to the office, pull the office's"),
    )
    sync.add_argument("--server", required=True, help=_("the office server: postgresql://login@host/db"))
    sync_mode = sync.add_mutually_exclusive_group()
    sync_mode.add_argument(
        "--init",
        action="store_true",
        help=_("make a new laptop database (--db, a new file) from the office's data"),
    )
    sync_mode.add_argument(
        "--join",
        action="store_true",
        help=_("bring a database that has worked alone (--db) into the office: its records are sent as new"),
    )
    sync.add_argument(
        "--json", action="store_true", help=_("print one JSON object: pushed, pulled, conflicts, refused")
    )
    sync.add_argument(
        "--encrypt",
        action="store_true",
        help=_(
            "with --init: make the new database encrypted (SQLCipher; its key kept in this computer's keyring)"
        ),
    )

    imports = commands.add_parser(
        "import",
        parents=[common],
        help=_("import customers, products or sales from CSV, XLSX, XLS or ODS (a missing --db is created)"),
    )
    imports.add_argument("kind", choices=("customers", "products", "sales"), help=_("what the file holds"))
    imports.add_argument(
        "--encrypt",
        action="store_true",
        help=_("make the new database encrypted (SQLCipher; its key kept in this computer's keyring)"),
    )
    imports.add_argument("file", nargs="?", help=_("the CSV, XLSX, XLS or ODS file"))
    imports.add_argument(
        "--fields", action="store_true", help=_("list the field names a mapping file may use, and stop")
    )
    imports.add_argument("--sheet", help=_("the workbook's sheet to read (default: the first)"))
    imports.add_argument(
        "--header-row",
        dest="header_row",
        type=_positive_int,
        help=_("the row of the column headers (1-based; default: found among the first rows)"),
    )
    imports.add_argument(
        "--mapping", help=_('a JSON or TOML file naming columns: {"column header": "field"} (see --fields)')
    )
    imports.add_argument(
        "--format",
        dest="formats",
        action="append",
        default=[],
        metavar=_("COLUMN=FORMAT"),
        help=_(
            "how a column writes its dates or numbers, where every value reads both ways (by default day "
            "first and decimal comma): dmy, mdy, decimal-comma or decimal-point; the column by its header "
            "or its field; repeatable"
        ),
    )
    imports.add_argument(
        "--dry-run", dest="dry_run", action="store_true", help=_("check everything, save nothing")
    )
    imports.add_argument(
        "--errors",
        help=_("write the rejected rows, with the reasons, to this CSV file (.csv is added when missing)"),
    )
    imports.add_argument("--force", action="store_true", help=_("replace the --errors file if it exists"))
    imports.add_argument(
        "--as-of",
        dest="as_of",
        type=_iso_date,
        default=None,
        help=_("the day taken as today (YYYY-MM-DD): sales get follow-ups from it on"),
    )
    imports.add_argument(
        "--no-follow-ups",
        dest="follow_ups",
        action="store_false",
        help=_("imported sales get no follow-ups from the plans"),
    )
    imports.add_argument(
        "--json",
        action="store_true",
        help=_(
            "print one JSON object: created, updated, unchanged, rejected, rejections, dry_run, "
            "encoding, delimiter, header_row"
        ),
    )

    export = commands.add_parser(
        "export",
        parents=[common],
        help=_("write a list to an XLSX workbook or a CSV file for a spreadsheet (labels in --lang)"),
    )
    export.add_argument(
        "list",
        choices=("customers", "followups", "checks", "returns", "cases", "surveys", "at-risk", "loyalty"),
        help=_("which list: every record of it (archived customers left out, as on the page)"),
    )
    export.add_argument(
        "--format",
        dest="export_format",
        choices=("xlsx", "csv"),
        required=True,
        help=_(
            "xlsx: real dates and numbers; csv: separated by ';', UTF-8 with BOM, numbers as --lang writes them"
        ),
    )
    export.add_argument(
        "--out", required=True, help=_("the file to write (.xlsx or .csv is added when missing)")
    )
    export.add_argument("--rep", help=_("only this rep's records (rep code); default: everyone's"))
    export.add_argument(
        "--from",
        dest="start",
        type=_iso_date,
        help=_("first day (YYYY-MM-DD) for lists with dates; follow-ups default to today"),
    )
    export.add_argument(
        "--to",
        dest="end",
        type=_iso_date,
        help=_("last day, included (YYYY-MM-DD); follow-ups default to four weeks from --from"),
    )
    export.add_argument("--force", action="store_true", help=_("replace the file if it exists"))

    encryption = commands.add_parser(
        "encryption",
        parents=[common],
        help=_("encryption at rest of an SQLite database: status, encrypt, decrypt"),
    )
    encryption.add_argument(
        "action",
        choices=("status", "encrypt", "decrypt"),
        help=_(
            "status: is it encrypted, is its key in the keyring; encrypt or decrypt it (a verified backup "
            "is made first; the database must not be open elsewhere)"
        ),
    )

    customer = commands.add_parser(
        "customer", parents=[common], help=_("a customer's rights over their personal data: export, erase")
    )
    customer_commands = customer.add_subparsers(
        dest="customer_command", metavar=_("ACTION"), required=True, parser_class=_Parser
    )
    customer_export = customer_commands.add_parser(
        "export",
        parents=[common],
        help=_("everything held about one customer, as JSON and optionally a readable PDF (in --lang)"),
    )
    customer_erase = customer_commands.add_parser(
        "erase",
        parents=[common],
        help=_("anonymise one customer everywhere, keeping the facts the statistics count"),
    )
    for action in (customer_export, customer_erase):
        action.add_argument("--code", required=True, help=_("the customer's code"))
    customer_export.add_argument(
        "--out", required=True, help=_("the JSON file to write (.json is added when missing)")
    )
    customer_export.add_argument("--pdf", help=_("also a readable PDF (.pdf is added when missing)"))
    customer_export.add_argument("--force", action="store_true", help=_("replace the files if they exist"))
    customer_erase.add_argument(
        "--yes", action="store_true", help=_("erase without asking (required without a terminal)")
    )

    shots = commands.add_parser(
        "screenshots", parents=[common], help=_("render every page and main dialog to PNG")
    )
    shots.add_argument("--out", required=True, help=_("folder for the PNG files"))
    shots.add_argument(
        "--force",
        action="store_true",
        help=_(
            "replace the PNG files of an earlier run (without it, a folder holding <lang>-*.png is refused)"
        ),
    )
    return parser


def _cli_language(args: argparse.Namespace) -> str:
    if getattr(args, "lang", None):
        return args.lang
    env = (os.environ.get("LC_ALL") or os.environ.get("LANG") or "")[:2].lower()
    return env if env in i18n.LANGUAGES else "en"


# argparse's own words (usage, errors, the help's headings), for the catalog: argparse looks up its
# `_` and `ngettext` when it speaks, and main() points them at the app's (English stays as it is).
_ARGPARSE_WORDS = (
    N_("usage: "),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("expected one argument"),
    N_("expected at least one argument"),
    N_("expected at most one argument"),
    N_("ignored explicit argument %r"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("options"),
    N_("positional arguments"),
    N_("show this help message and exit"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
)


def _language_before_parsing(argv: Sequence[str]) -> str:
    """The language of the help and of usage errors: --lang if it is among `argv` (the parser is not
    built yet: its help is written in this language), else the environment's."""
    for index, word in enumerate(argv):
        value = word.split("=", 1)[1] if word.startswith("--lang=") else None
        if word == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        if value in i18n.LANGUAGES:
            return value
    return _cli_language(argparse.Namespace())


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    i18n.set_language(_language_before_parsing(argv))
    argparse._ = i18n._  # type: ignore[attr-defined]  # argparse's own words, translated (see above)
    argparse.ngettext = i18n.ngettext  # type: ignore[attr-defined]
    parser = build_parser()
    args = parser.parse_args(argv)
    i18n.set_language(_cli_language(args))
    from app.locations import resolve_target

    target = resolve_target(getattr(args, "db", None))
    diagnostics.setup_logging()
    diagnostics.log_start(args.command or "window", target)
    _use_remembered_password(target)
    try:
        if args.command is None:
            # The window paints its frame before the models are imported (issue 19).
            from app.views.app import run_gui

            return run_gui(target, getattr(args, "lang", None))
        if args.command == "demo":
            return _demo(target, args)
        if args.command == "check":
            return _check(target, full=args.full)
        if args.command == "backup":
            return _backup(target, args)
        if args.command == "restore":
            return _restore(target, args)
        if args.command == "agenda":
            return _agenda(target, args)
        if args.command == "report":
            return _report(target, args)
        if args.command == "screenshots":
            return _screenshots(target, args)
        if args.command == "server":
            return _server(target, args)
        if args.command == "user":
            return _user(target, args)
        if args.command == "sync":
            return _sync(target, args)
        if args.command == "import":
            return _import(target, args)
        if args.command == "export":
            return _export(target, args)
        if args.command == "customer":
            return _customer(target, args)
        if args.command == "encryption":
            return _encryption(target, args)
        parser.error(f"unknown command {args.command}")
    except KeyboardInterrupt:
        print("postventa: " + _("interrupted"), file=sys.stderr)
        return 130
    except _refusals() as exc:
        diagnostics.log.info("postventa %s refused: %s", args.command, type(exc).__name__)
        _complain(exc, target)
        return EXIT_USAGE if isinstance(exc, UsageError) else EXIT_FAILURE
    except Exception as exc:  # noqa: BLE001 (one line, never a traceback)
        from app.models.database import translate_database_error
        from app.services.errors import DomainError

        problem = translate_database_error(exc)  # e.g. a damaged page met while reading rows
        diagnostics.log_error(problem or exc, f"postventa {args.command}")
        if isinstance(exc, DomainError) or problem is not None:
            _complain(problem or exc, target)
        else:
            _complain(_("unexpected error: {reason}").format(reason=exc), target)
        return EXIT_FAILURE
    finally:
        database = sys.modules.get("app.models.database")  # not imported: nothing was opened
        if database is not None:
            database.close_database()  # a clean close: no -wal left behind, the unclean-shutdown marker removed
    return EXIT_OK


def _refusals() -> tuple[type[Exception], ...]:
    """What a command refuses with a message of its own (looked up when an error arrives: the
    window's start imports none of these modules before its first paint)."""
    from app.models.database import DatabaseFileError
    from app.models.server_rights import RightsError
    from app.sync.errors import SyncError  # not the engine

    return (CliError, DatabaseFileError, RightsError, SyncError)


def _use_remembered_password(target: str) -> None:
    """A server URL without a password: the one the window remembered in the OS keyring, if any.
    (libpq's own PGPASSWORD and ~/.pgpass work as well, without Postventa's help.)"""
    from urllib.parse import urlsplit

    from app.locations import sqlite_path_of

    if sqlite_path_of(target) is not None or "://" not in target:
        return
    from app.models.database import use_credentials

    parts = urlsplit(target)
    if parts.password:
        return
    import getpass

    from app import credentials

    login = parts.username or os.environ.get("PGUSER") or getpass.getuser()
    password = credentials.remembered_password(target, login)
    if password:
        use_credentials(target, login, password)


def _complain(problem: object, target: str) -> None:
    """One line on stderr: a driver's message spans several; the URL's password is never shown."""
    text = " ".join(part.strip() for part in str(problem).splitlines() if part.strip())
    if target != diagnostics.display_target(target):
        text = text.replace(target, diagnostics.display_target(target))
    print(f"postventa: {text}", file=sys.stderr)


def _demo(target: str, args: argparse.Namespace) -> int:
    import time

    from app.demo import generate_demo
    from app.models import db
    from app.models.database import open_database
    from app.models.dialect import rollback_journal_meanwhile
    from app.services.company import database_is_empty

    _refuse_encrypting_an_existing_file(target, args.encrypt)
    info = open_database(target, encrypt=args.encrypt)
    _show_recovery_key(info.recovery_key)
    if not info.created and not database_is_empty():
        raise CliError(
            _("{target} already holds data; demo data goes into a new database.").format(
                target=diagnostics.display_target(target)
            )
        )
    started = time.monotonic()
    last_shown = [-1]

    def progress(done: int, total: int) -> None:
        percent = int(done * 100 / total) if total else 100
        if percent != last_shown[0]:
            last_shown[0] = percent
            print("\r" + _("Creating demo data…") + f" {percent:3d} %", end="", file=sys.stderr, flush=True)

    try:
        with rollback_journal_meanwhile(db):  # this command is the file's only user meanwhile
            summary = generate_demo(
                customers=args.customers, seed=args.seed, today=args.today, progress=progress
            )
    finally:
        print(file=sys.stderr)  # end the progress line, also before an error's line
    elapsed = time.monotonic() - started
    shown = diagnostics.display_target(target)
    print(_("Demo data written to {target} in {seconds} s:").format(target=shown, seconds=f"{elapsed:.1f}"))
    for table, count in summary.counts().items():
        print(f"  {table:<24} {i18n.format_number(count)}")
    return EXIT_OK


class _StepProgress:
    """Progress of a long command on stderr: a step that lasts more than PROGRESS_AFTER_S is named,
    with its seconds counting on a terminal, and ends with the seconds it took; quick steps print
    nothing. Call with each step's label as it starts; `finish()` at the end."""

    PROGRESS_AFTER_S = 1.0

    def __init__(self) -> None:
        import threading
        import time

        self._clock = time.monotonic
        self._lock = threading.Lock()
        self._label: str | None = None
        self._started = 0.0
        self._shown = False
        self._live = sys.stderr.isatty()
        self._done = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="check-progress", daemon=True)
        self._ticker.start()

    def __call__(self, label: str) -> None:
        with self._lock:
            self._end_step()
            self._label, self._started, self._shown = label, self._clock(), False

    def finish(self) -> None:
        self._done.set()
        self._ticker.join()
        with self._lock:
            self._end_step()
            self._label = None

    def _tick(self) -> None:
        while not self._done.wait(0.25):
            with self._lock:
                if self._label is None:
                    continue
                seconds = self._clock() - self._started
                if seconds < self.PROGRESS_AFTER_S:
                    continue
                if self._live:
                    print(f"\r{self._label} {seconds:.0f} s", end="", file=sys.stderr, flush=True)
                elif not self._shown:
                    print(self._label, end="", file=sys.stderr, flush=True)
                self._shown = True

    def _end_step(self) -> None:
        """Under the lock: the step's line closed with its seconds, when it was shown."""
        if self._label is not None and self._shown:
            seconds = self._clock() - self._started
            start = f"\r{self._label}" if self._live else ""
            print(f"{start} {seconds:.1f} s", file=sys.stderr, flush=True)


def _check(target: str, full: bool = False) -> int:
    from app.models.database import open_database
    from app.services.health import check_database

    # Read-only and in the file's own journal mode: checking must not change a byte of the file.
    info = open_database(target, create=False, upgrade=False, read_only=True)
    progress = _StepProgress()
    try:
        report = check_database(quick=not full, progress=progress)
    finally:
        progress.finish()
    print(_("Database: {target}").format(target=diagnostics.display_target(info.target)))
    for line in report.lines():
        print(line)
    if not report.ok:
        for problem in report.problems:
            _complain(problem, target)
        return EXIT_FAILURE
    return EXIT_OK


def _backup_file(target: str) -> Path:
    """The SQLite file of `target`; an office server is refused: pg_dump backs it up on the server."""
    from app.locations import sqlite_path_of

    path = sqlite_path_of(target)
    if path is None:
        raise CliError(
            _(
                "{target} is an office server: back it up on the server with pg_dump (and restore with pg_restore)."
            ).format(target=diagnostics.display_target(target))
        )
    return path


def _backup(target: str, args: argparse.Namespace) -> int:
    from app.locations import default_backups_folder
    from app.services import backups

    path = _backup_file(target)
    if args.out:
        written = backups.back_up_to_file(path, args.out, force=args.force)
    else:
        written = backups.back_up(path, default_backups_folder())
    print(written)
    return EXIT_OK


def _restore(target: str, args: argparse.Namespace) -> int:
    from app.locations import default_backups_folder
    from app.models.database import open_database
    from app.services import backups

    path = _backup_file(target)
    source = Path(args.source).expanduser()
    entry = backups.check_backup(source, path)  # refused here, before asking: nothing is touched
    folder = default_backups_folder()
    print(
        ngettext(
            "Backup {path}: made {made}, {customers} customer, last activity {activity}.",
            "Backup {path}: made {made}, {customers} customers, last activity {activity}.",
            entry.customers or 0,
        ).format(
            path=source,
            made=i18n.format_datetime(entry.made_at),
            customers=i18n.format_number(entry.customers),
            activity=i18n.format_datetime(entry.last_activity) or "—",
        )
    )
    print(
        _(
            "Restoring replaces all the data in {path} with the backup's; a copy of the current data is kept in {folder}."
        ).format(path=path, folder=folder)
    )
    if not args.yes:
        if sys.stdin is None or not sys.stdin.isatty():
            raise CliError(_("Nothing was restored: add --yes to confirm without a terminal."))
        if not _ask_yes(_("Replace the data now? [y/N] ")):
            print(_("Nothing was changed."))
            return EXIT_FAILURE
    outcome = backups.restore_backup(path, source, folder)
    print(_("{path} restored from {source}.").format(path=path, source=source))
    if outcome.kept is not None:
        print(_("The data it replaced was kept as {path}.").format(path=outcome.kept))
    info = open_database(str(path), create=False)  # an older backup is upgraded now, as opening does
    if outcome.erasures_reapplied:
        print(
            ngettext(
                "{count} customer erased since the backup was made was erased again.",
                "{count} customers erased since the backup was made were erased again.",
                outcome.erasures_reapplied,
            ).format(count=i18n.format_number(outcome.erasures_reapplied))
        )
    if info.backup is not None or outcome.schema_version < info.version:  # upgraded here or by the restore
        print(
            _("The backup's schema {found} was upgraded to {latest}.").format(
                found=outcome.schema_version, latest=info.version
            )
        )
    return EXIT_OK


def _ask_yes(question: str) -> bool:
    """A yes/no question on the terminal; anything but yes is no."""
    return input(question).strip().lower() in ("y", "yes", "s", "si", "sí")


def _agenda(target: str, args: argparse.Namespace) -> int:
    from app.models.database import open_database
    from app.outputs import resolve_output
    from app.services.followups.calendar_export import export_agenda_ics

    path = resolve_output(args.ics, ".ics", force=args.force).path  # refused before the database opens
    open_database(target, create=False)
    count = export_agenda_ics(path, args.rep, args.start, args.end, force=args.force)
    print(_("{count} follow-ups written to {path}").format(count=count, path=path))
    return EXIT_OK


def _report(target: str, args: argparse.Namespace) -> int:
    import datetime as dt

    from app.documents import DocumentKind, DocumentRequest, produce_document
    from app.models.database import open_database
    from app.models.enums import CharterType
    from app.outputs import resolve_output
    from app.services.errors import ValidationError
    from app.services.reps import find_rep_by_code

    resolve_output(args.out, ".pdf", force=args.force)  # refused before the database opens (or upgrades)
    open_database(target, create=False)
    kind = DocumentKind(args.document)
    values: dict = {"kind": kind, "language": _cli_language(args)}
    if kind is DocumentKind.ACTIVITY:
        values.update(start=args.start, end=args.end)
        if args.rep:
            values["rep_id"] = find_rep_by_code(args.rep).id
    elif kind is DocumentKind.CHARTER:
        if args.charter_type:
            values["charter_type"] = CharterType(args.charter_type)
    else:
        values["year"] = args.year
    try:
        written = produce_document(
            DocumentRequest(**values), args.out, today=args.as_of or dt.date.today(), force=args.force
        )
    except ValidationError as exc:  # one line even when several fields are wrong
        raise CliError(" ".join(dict.fromkeys(exc.errors.values()))) from exc  # each reason once
    print(written)
    return EXIT_OK


def _screenshots(target: str, args: argparse.Namespace) -> int:
    from app.models.database import open_database
    from app.views.screenshots import render_screenshots

    open_database(target, create=False)  # refuse a bad database in the CLI's language
    language = getattr(args, "lang", None) or i18n.DEFAULT_LANGUAGE
    try:
        files = render_screenshots(target, args.out, language, force=args.force)
    except OSError as exc:
        raise CliError(
            _("Cannot write to {folder}: {reason}").format(folder=args.out, reason=exc.strerror or exc)
        ) from exc
    for path in files:
        print(path)
    return EXIT_OK


def _open_server(target: str, *, create: bool, upgrade: bool = True):
    """The office server's database, bound to the models; an SQLite file is refused."""
    from app.models import db
    from app.models.database import open_database
    from app.models.dialect import is_server

    refusal = _("{target} is a file: people and rights need a postgresql:// office server.").format(
        target=diagnostics.display_target(target)
    )
    if "://" not in target or target.startswith("sqlite:"):
        raise CliError(refusal)
    open_database(target, create=create, upgrade=upgrade)
    if not is_server(db):
        raise CliError(refusal)
    return db.obj


def _server(target: str, args: argparse.Namespace) -> int:
    from app.models.server_rights import initialise_server

    if args.action == "upgrade":
        return _server_upgrade(target, args)
    database = _open_server(target, create=True)
    outcomes = initialise_server(database)
    for _changed, line in outcomes:
        print(line)
    if not any(changed for changed, _line in outcomes):
        print(_("The server was already set up; nothing changed."))
    return EXIT_OK


def _server_upgrade(target: str, args: argparse.Namespace) -> int:
    """Migrations on the office server, then the rights re-applied to what they added."""
    from app.models.migrations import LATEST_VERSION, run_migrations
    from app.models.server_rights import apply_rights_after_upgrade

    database = _open_server(target, create=False, upgrade=False)
    from app.models import SchemaVersion

    found = SchemaVersion.select(SchemaVersion.version).order_by(SchemaVersion.version.desc()).scalar()
    if found >= LATEST_VERSION:
        print(_("The server's schema is already {version}; nothing to upgrade.").format(version=found))
        return EXIT_OK
    shown = diagnostics.display_target(target)
    print(
        _(
            'The server\'s schema {found} will be upgraded to {latest}. Take a backup first, e.g.: pg_dump --format=custom --file=postventa-before-upgrade.dump "{target}"'
        ).format(found=found, latest=LATEST_VERSION, target=shown)
    )
    if not args.yes:
        if sys.stdin is None or not sys.stdin.isatty():
            raise UsageError(_("Run it again with --yes once the backup is taken."))
        if not _ask_yes(_("Is the backup taken? Upgrade now? [y/N] ")):
            print(_("Nothing was changed."))
            return EXIT_FAILURE
    with database.atomic():  # all or nothing: a schema without its rights would refuse its people
        run_migrations(database, found)
        rights_applied = apply_rights_after_upgrade(database)
    print(_("Schema upgraded from {found} to {latest}.").format(found=found, latest=LATEST_VERSION))
    if rights_applied:
        print(_("Rights and row-level security policies applied to the upgraded schema."))
    return EXIT_OK


def _sync(target: str, args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from app.locations import sqlite_path_of
    from app.models import db
    from app.models.database import open_database, open_office
    from app.sync.engine import init_laptop, refuse_unless_laptop, synchronise
    from app.sync.joining import join_office

    path = sqlite_path_of(target)
    if path is None:
        raise UsageError(_("--db is the laptop's own file for a sync; the office goes in --server."))
    _use_remembered_password(args.server)
    if args.join:
        joined = join_office(Path(path), args.server)
        if args.json:
            print(json.dumps(joined.as_json()))
        else:
            print("\n".join(joined.summary()))
        return EXIT_OK
    if args.encrypt and not args.init:
        raise UsageError(_("--encrypt makes a new laptop database: use it with --init."))
    if args.init:
        outcome = init_laptop(Path(path), args.server, encrypt=args.encrypt)
        _show_recovery_key(outcome.recovery_key, to_stderr=args.json)
    else:
        open_database(target, create=False)
        refuse_unless_laptop(db.obj, Path(path))
        office = open_office(args.server)
        try:
            outcome = synchronise(db.obj, office)
        finally:
            office.close()
    if args.json:
        print(json.dumps(outcome.as_json()))
    else:
        print(outcome.summary())
    return EXIT_OK


def _read_password() -> str:
    """The password from standard input (its first line), never echoed on a terminal."""
    if sys.stdin is None:
        return ""
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(_("Password: "), stream=sys.stderr)
    return sys.stdin.readline().rstrip("\r\n")


def _user(target: str, args: argparse.Namespace) -> int:
    from app.models import server_rights
    from app.services.reps import find_rep_by_code

    password = _read_password() if getattr(args, "password_stdin", False) else ""
    database = _open_server(target, create=False)
    if args.action == "add":
        rep_id = find_rep_by_code(args.rep).id if args.rep else None
        server_rights.add_user(database, args.login, args.role, rep_id, password)
        from app.models.enums import RepRole

        role = RepRole(args.role).label.lower()  # "comercial", not the code "rep"
        print(_("Login {login} added ({role}).").format(login=args.login, role=role))
    elif args.action == "disable":
        if server_rights.disable_user(database, args.login):
            print(_("Login {login} disabled: it can no longer connect.").format(login=args.login))
        else:
            print(_("Login {login} was already disabled; nothing changed.").format(login=args.login))
    else:
        server_rights.reset_password(database, args.login, password)
        print(_("Password of {login} changed.").format(login=args.login))
    return EXIT_OK


def _import(target: str, args: argparse.Namespace) -> int:
    """`postventa import KIND FILE`: the file is read and checked before the database is opened (or
    created: a new company starts with an import); exit 0 once read, even with rejected rows."""
    import json
    from dataclasses import replace

    from app.models.database import open_database
    from app.services import imports

    kind = imports.ImportKind(args.kind)
    if args.fields:
        specs = imports.fields_of(kind)
        if args.json:
            print(json.dumps([{"field": f.name, "label": f.shown, "required": f.required} for f in specs]))
        for spec in specs if not args.json else ():
            required = " " + _("(required)") if spec.required else ""
            print(f"{spec.name:<16} {spec.shown}{required}")
        return EXIT_OK
    if not args.file:
        raise UsageError(_("Name the file to import (or ask for --fields)."))
    chosen: dict[str, str] = {}
    for item in args.formats:
        column, sign, name = item.rpartition("=")
        if not sign or not column.strip() or not name.strip():
            raise UsageError(
                _("--format {value}: write the column and its format, like --format Fecha=mdy.").format(
                    value=item
                )
            )
        chosen[column.strip()] = name.strip()
    try:
        mapping = imports.load_mapping(args.mapping) if args.mapping else None
        options = imports.ImportOptions(
            kind,
            sheet=args.sheet,
            header_row=args.header_row,
            mapping=mapping,
            dry_run=args.dry_run,
            as_of=args.as_of,
            follow_ups=args.follow_ups,
        )
        opened = imports.open_for_import(args.file, options)
    except imports.MappingError as exc:
        raise UsageError(str(exc)) from exc
    if chosen:
        try:
            options = replace(options, formats=imports.chosen_formats(opened, kind, chosen))
        except imports.MappingError as exc:
            raise UsageError(f"--format: {exc}") from exc
    _refuse_encrypting_an_existing_file(target, args.encrypt)
    info = open_database(target, encrypt=args.encrypt)
    _show_recovery_key(info.recovery_key, to_stderr=args.json)
    summary = imports.run_import(opened, options, errors_to=args.errors, force=args.force)
    summary.close()
    if args.json:
        print(json.dumps(summary.as_json(), ensure_ascii=False))
        return EXIT_OK
    source = opened.source
    if source.sheet is not None:
        read_as = _("sheet {sheet}").format(sheet=source.sheet)
    else:
        delimiter = {"\t": _("tab")}.get(source.delimiter or "", source.delimiter)
        read_as = _("{encoding}, separated by {delimiter}").format(
            encoding=source.encoding, delimiter=delimiter
        )
    print(
        _("{path} ({read_as}, headers on row {row}):").format(
            path=source.path, read_as=read_as, row=summary.header_row
        )
    )
    print(
        _("Created: {created} · Updated: {updated} · Unchanged: {unchanged} · Rejected: {rejected}").format(
            created=i18n.format_number(summary.created),
            updated=i18n.format_number(summary.updated),
            unchanged=i18n.format_number(summary.unchanged),
            rejected=i18n.format_number(summary.rejected),
        )
    )
    for rejection in summary.rejections:
        print(_("Row {row}: {reasons}").format(row=rejection.row, reasons="; ".join(rejection.reasons)))
    if args.errors:
        print(_("Rejected rows written to {path}").format(path=summary.errors_file))
    if summary.dry_run:
        print(_("Dry run: nothing was saved."))
    return EXIT_OK


def _export(target: str, args: argparse.Namespace) -> int:
    """`postventa export LIST`: the whole list (of a rep, in a period) as XLSX or CSV, in --lang."""
    from app.models import now as wall_clock_now
    from app.models.database import open_database
    from app.outputs import resolve_output
    from app.services import exports
    from app.services.errors import ValidationError
    from app.services.reps import find_rep_by_code

    kind = exports.ListKind(args.list)
    export_format = exports.ExportFormat(args.export_format)
    if (args.start or args.end) and kind not in exports.lists.PERIOD_KINDS:
        raise UsageError(
            _("The {list} list has no dates: leave out --from and --to.").format(list=kind.label)
        )
    if args.start and args.end and args.end < args.start:
        raise UsageError(_("The end of the period is before its start."))
    resolve_output(args.out, export_format.extension, force=args.force)  # refused before the database opens
    open_database(target, create=False)
    rep_id = find_rep_by_code(args.rep).id if args.rep else None
    now = wall_clock_now()
    try:
        result = exports.export_list(
            lambda: exports.table_for(
                kind, rep_id=rep_id, start=args.start, end=args.end, today=now.date(), now=now
            ),
            args.out,
            export_format,
            force=args.force,
        )
    except ValidationError as exc:  # one line even when several fields are wrong
        raise CliError(" ".join(dict.fromkeys(exc.errors.values()))) from exc
    print(
        ngettext("{count} row exported to {path}", "{count} rows exported to {path}", result.rows).format(
            count=i18n.format_number(result.rows), path=result.path
        )
    )
    return EXIT_OK


def _refuse_encrypting_an_existing_file(target: str, encrypt: bool) -> None:
    """--encrypt makes a new database encrypted; an existing plain one is encrypted by its own command."""
    from app.locations import sqlite_path_of
    from app.models import cipher
    from app.models.database import inspect_sqlite_file

    path = sqlite_path_of(target)
    if not encrypt:
        return
    if path is None:
        raise UsageError(_("--encrypt is for an SQLite file; an office server is protected on the server."))
    if not cipher.is_encrypted(path) and inspect_sqlite_file(path) is not None:
        raise CliError(
            _(
                "{path} already exists and is not encrypted; encrypt it with: postventa encryption encrypt --db {path}"
            ).format(path=path)
        )


def _show_recovery_key(recovery_key: str | None, *, to_stderr: bool = False) -> None:
    """The recovery key of a database just encrypted: printed once, never logged."""
    if not recovery_key:
        return
    out = sys.stderr if to_stderr else sys.stdout
    print(
        _(
            "The database is encrypted; its key is kept in this computer's keyring. Its recovery key opens it "
            "anywhere else: print it or write it down and keep it safe (the manager's safe, not the laptop's bag). "
            "It is shown only this once:"
        ),
        file=out,
    )
    print(f"    {recovery_key}", file=out)


def _encryption(target: str, args: argparse.Namespace) -> int:
    """`postventa encryption status|encrypt|decrypt --db DB`: the file must not be open elsewhere."""
    from app.locations import default_backups_folder, sqlite_path_of
    from app.services import encryption

    path = sqlite_path_of(target)
    if path is None:
        raise UsageError(_("Encryption is for an SQLite file; an office server is protected on the server."))
    if args.action == "status":
        status = encryption.encryption_status(path)
        if not status.encrypted:
            print(_("{path} is not encrypted.").format(path=path))
        elif status.key_in_keyring:
            print(_("{path} is encrypted; its key is in this computer's keyring.").format(path=path))
        else:
            print(_("{path} is encrypted; its key is not in this computer's keyring.").format(path=path))
        return EXIT_OK
    folder = default_backups_folder()
    if args.action == "encrypt":
        outcome = encryption.encrypt_database(path, folder)
        print(_("{path} encrypted; the backup made first: {backup}").format(path=path, backup=outcome.backup))
        if outcome.backups_converted:
            print(
                ngettext(
                    "{count} backup of it encrypted with the same key.",
                    "{count} backups of it encrypted with the same key.",
                    outcome.backups_converted,
                ).format(count=outcome.backups_converted)
            )
        for left in outcome.backups_not_converted:
            print(
                _("Could not encrypt the backup {path}: it is still readable.").format(path=left),
                file=sys.stderr,
            )
        _show_recovery_key(outcome.recovery_key)
        return EXIT_OK
    outcome = encryption.decrypt_database(path, folder)
    print(_("{path} decrypted; the backup made first: {backup}").format(path=path, backup=outcome.backup))
    return EXIT_OK


def _customer(target: str, args: argparse.Namespace) -> int:
    """`postventa customer export|erase --code CODE`: a customer's rights (issue 18). From the command
    line, whoever runs it holds the file (or logs in to the office as themselves: its rights apply)."""
    from app.models.database import open_database
    from app.outputs import resolve_output
    from app.services.customers import privacy
    from app.services.permissions import current_permissions

    if args.customer_command == "export":
        resolve_output(args.out, ".json", force=args.force)  # refused before the database opens
        if args.pdf:
            resolve_output(args.pdf, ".pdf", force=args.force)
        open_database(target, create=False)
        from app.documents import export_personal_data

        written = export_personal_data(
            privacy.find_customer_by_code(args.code),
            args.out,
            args.pdf,
            language=_cli_language(args),
            permissions=current_permissions(),
            force=args.force,
        )
        print(
            ngettext(
                "{count} record written to {path}", "{count} records written to {path}", written.records
            ).format(count=i18n.format_number(written.records), path=written.json_path)
        )
        if written.pdf_path is not None:
            print(written.pdf_path)
        return EXIT_OK
    open_database(target, create=False)
    customer_id = privacy.find_customer_by_code(args.code)
    if privacy.is_erased(customer_id):
        raise CliError(
            _("The personal data of customer {code} was already erased.").format(code=args.code.strip())
        )
    print(
        _(
            "Erasing replaces the name, contact details, tax id, notes and every text of customer {code}'s "
            "records with {erased}, for good; sales, cases, returns and their figures stay."
        ).format(code=args.code.strip(), erased=privacy.ERASED)
    )
    if not args.yes:
        if sys.stdin is None or not sys.stdin.isatty():
            raise CliError(_("Nothing was erased: add --yes to confirm without a terminal."))
        if not _ask_yes(_("Erase the personal data now? [y/N] ")):
            print(_("Nothing was changed."))
            return EXIT_FAILURE
    outcome = privacy.erase_personal_data(customer_id, None, permissions=current_permissions())
    print(
        _("The personal data of customer {code} was erased ({count} records).").format(
            code=outcome.customer_code, count=i18n.format_number(outcome.records)
        )
    )
    return EXIT_OK
