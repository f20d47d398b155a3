"""Issue 16's sync figures: laptops (SQLite) and an office (PostgreSQL) holding the N-customer demo.

    python benchmarks/bench_sync.py [--customers N] [--laptops K] [--runs N] [--changes N]
                                    [--rush-reps N] [--make auto|init|copy] [--pg-url URL]
                                    [--pg-rebuild] [--keep] [--pg-stop]

The office is the demo (seed 1, today 2026-11-23; 100,000 customers by default) on PostgreSQL. On
the benchmarks' cluster kept in /tmp/postventa-bench-pg (benchmarks/common.py, which loads demo_<N>
and brings it to the current schema), a copy of it set up for laptops by `postventa server init` is
kept beside it as office_<N> (made once: numbering every row's first revision takes ~3 min at
100k), and each run works on a fresh copy of that, office_<N>_run, set up again by `server init`
(idempotent; its group roles are named after it), so every run meets the same office. With
--pg-url the office is that database itself, set up in place by `server init`; the runs' work stays
in it and its login needs CREATEROLE. Every login is made by `postventa user add --password-stdin`
with a random password, and the laptops log in with it through the session's credentials
(app.models.database.use_credentials); the kept cluster asks for it (SCRAM), as an office server does.

Printed, each figure beside its goal from the issue:

1. first sync: `init_laptop` of the scope of the rep with most customers (goal ≤ 60 s), with the rows
   pulled, the customers held and the laptop file's size;
2. a day's work: about --changes (200) captured changes made on that laptop through the services
   (follow-ups completed, some not reached with a retry, rescheduled; customers edited; returns
   opened with provisional numbers and received; a complaint received), then one `synchronise`
   (connect, push and pull, timed apart): the median of --runs days (goal ≤ 2 s);
3. capture overhead: complete_follow_up, update_customer and reschedule_follow_up on a copy of that
   laptop (capture on) and on the same copy without its sync tables and triggers (a standalone
   file), the same records on both, the copies taking turns call by call: medians per command, wall
   and CPU time, and the ratio (goal ≤ +10 %);
4. a rush: --laptops (50) processes, each with a laptop database of its own and a login of its own
   for a field rep (round-robin over the --rush-reps busiest reps, default all of them). Each does a
   day's work offline, then all sync at the same moment (a barrier): the time until the last one is
   done (goal ≤ 60 s), each one's push and pull, when the last push committed, the laptops' own CPU
   time (here they share the machine's CPUs with the server), errors, deadlocks
   (pg_stat_database), lock waits (pg_locks sampled every 20 ms, advisory locks named; on the kept
   cluster also the server log's log_lock_waits lines: waits longer than deadlock_timeout), and a
   check that no change was lost: every value a laptop changed is at the office (or kept in a
   conflict or refusal), each laptop's last entry is recorded as applied, and the office's new rows
   match the laptops' inserts.
   --make init makes each rush laptop with `init_laptop`; --make copy makes one per rep (the
   busiest rep's is the laptop of 1-3) and copies it for the rep's other laptops, each copy
   registered at the office as a laptop of its own (a new id and the next label, the statement
   init_laptop runs, under its own login) and given its login; auto (the default) inits each when
   that takes under two minutes in all (the first sync's time × K, e.g. at 2,000 customers).

At 100k on 2 CPUs a run takes about 20 minutes with --rush-reps 1 (the first sync ~4-5 min, the 50
laptops' day of work and rush ~13 min); each further rep in the rush adds a first sync. Timing goals
live here, never in the test run. The figures carry the commit, the machine, the load average and
the server's version. The laptops' files are made in a temporary folder, removed at the end with
the office_<N>_run database and the run's logins (--keep leaves them); --pg-stop stops the cluster.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import multiprocessing
import os
import re
import secrets
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.models import Customer, FollowUp, Rep, SoldUnit, WarrantyReturn, db
from app.models.database import close_database, open_database, open_office, use_credentials
from app.models.enums import (
    CaseKind,
    ContactChannel,
    FollowUpOutcome,
    FollowUpState,
    OutOfWarrantyReason,
    ReturnReason,
    ReturnState,
)
from app.models.sync_schema import (
    APPLIED,
    AUDIT,
    BY_NAME,
    CONFLICTS,
    LAPTOP_SEQUENCE,
    SyncedTable,
    laptop_person,
)
from app.services.errors import DomainError
from app.sync import laptop as laptop_side
from app.sync.engine import SyncOutcome, init_laptop, synchronise
from benchmarks.common import (
    PG_FOLDER,
    _bench_cluster,
    _vacuum_analyze,
    describe_target,
    ensure_postgresql_database,
    provenance,
    stop_postgresql_cluster,
)

FIRST_SYNC_GOAL_S = 60.0
DAY_SYNC_GOAL_S = 2.0
CAPTURE_GOAL = 0.10  # at most 10 % slower with capture on
RUSH_GOAL_S = 60.0
INIT_EACH_BUDGET_S = 120.0  # rush laptops each made by init_laptop when that takes no longer in all
SAMPLE_EVERY_S = 0.02  # pg_locks sampling during the rush
CAPTURE_CALLS = 20  # per command, per run and per copy, in the capture overhead
RUSH_TIMEOUT_S = 1800  # a laptop process that takes longer is reported and stopped
# Returns and cases take their final number at the office; the laptop's is kept as an alias.
NUMBERED_COLUMNS = {"number", "sequence", "provisional_number", "number_key"}
# The tables a day's work inserts into or changes: their rows are counted before and after the rush.
RUSH_TABLES = (
    "customer",
    "follow_up",
    "satisfaction_survey",
    "warranty_return",
    "return_status_change",
    "case",
    "case_stage_change",
)


# --------------------------------------------------------------------------- the office


@dataclass
class Office:
    url: str  # the administrator's URL (the cluster's superuser, or --pg-url)
    server_log: Path | None  # the kept cluster's log (lock waits), None for --pg-url
    copied: bool  # a run copy, dropped at the end unless --keep

    @property
    def name(self) -> str:
        return urlsplit(self.url).path.lstrip("/")

    def url_of(self, login: str) -> str:
        """The office URL for `login` (no password in it: the session's credentials carry it)."""
        parts = urlsplit(self.url)
        host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
        query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in ("user", "password")]
        return urlunsplit(parts._replace(netloc=f"{login}@{host}", query=urlencode(query, safe="/")))

    def admin(self):
        import psycopg2

        connection = psycopg2.connect(self.url)
        connection.autocommit = True
        return connection

    def query(self, statement: str, params: Any = ()) -> list[tuple]:
        connection = self.admin()
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()


def _cli(*args: str, stdin: str = "") -> list[str]:
    """`postventa ARGS` in this process, its output captured; a failure stops the benchmark."""
    from app.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        sys.stdin = saved
    if code != 0:
        raise SystemExit(f"postventa {' '.join(args[:2])} failed ({code}): {err.getvalue().strip()}")
    return out.getvalue().splitlines()


def _server_init(url: str) -> None:
    started = time.perf_counter()
    lines = _cli("server", "init", "--db", url)
    print(f"  postventa server init in {time.perf_counter() - started:.1f} s:", flush=True)
    for line in lines:
        print(f"    {line}")


def prepare_office(args: argparse.Namespace) -> Office:
    """The office for this run: the demo set up for laptops (see the module's docstring)."""
    demo_url = ensure_postgresql_database(args.customers, args.pg_url, args.pg_rebuild)
    if args.pg_url:
        print(f"Setting up {describe_target(demo_url)} for laptops (in place) …", flush=True)
        _server_init(demo_url)
        return Office(demo_url, None, copied=False)
    cluster = _bench_cluster()
    demo, template = f"demo_{args.customers}", f"office_{args.customers}"
    marker = PG_FOLDER / f"{template}.complete"
    from app.models.migrations import LATEST_VERSION

    wanted = {"demo": (PG_FOLDER / f"{demo}.complete").read_text(encoding="utf-8"), "schema": LATEST_VERSION}
    try:
        done = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        done = {}
    if done.get("office") != wanted or args.pg_rebuild:
        marker.unlink(missing_ok=True)
        print(f"Making the office {template}: a copy of {demo} set up for laptops …", flush=True)
        started = time.perf_counter()
        cluster.drop_database(template)
        url = cluster.create_database(template, template=demo)
        print(f"  copied in {time.perf_counter() - started:.1f} s", flush=True)
        _server_init(url)
        open_database(url, upgrade=False)
        try:
            _vacuum_analyze()
        finally:
            close_database()
        marker.write_text(json.dumps({"office": wanted}), encoding="utf-8")
    run = f"{template}_run"
    started = time.perf_counter()
    cluster.drop_database(run)
    url = cluster.create_database(run, template=template)
    print(f"Office for this run: {run}, a fresh copy of {template} ({time.perf_counter() - started:.1f} s)")
    _server_init(url)
    return Office(url, PG_FOLDER / "server.log", copied=True)


def drop_run_office(office: Office) -> None:
    """The run's copy of the office and its group roles (roles are the cluster's: they would stay)."""
    if office.copied:
        cluster = _bench_cluster()
        cluster.drop_database(office.name)
        from app.models.server_rights import group_roles

        roles = group_roles(office.name)
        for role in (roles.manager, roles.rep):
            cluster.execute(f'DROP ROLE IF EXISTS "{role}"')


class Logins:
    """The benchmark's logins on the office, made with `postventa user add`, each with a random
    password given to this process's session credentials."""

    def __init__(self, office: Office) -> None:
        self.office = office
        self.prefix = f"{office.name}_bench_"
        self.passwords: dict[str, str] = {}
        self.forget()  # an earlier run's
        from tests.postgres import PASSWORD_LOGINS

        self.office.query(  # members give their password where the cluster asks it (tests/postgres.py)
            f"DO $$ BEGIN CREATE ROLE {PASSWORD_LOGINS} NOLOGIN;"
            " EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        self.password_group = PASSWORD_LOGINS

    def forget(self) -> None:
        """Remove the benchmark's logins (roles are the cluster's: they outlive a dropped database)."""
        pattern = self.prefix.replace("_", r"\_") + "%"
        self.office.query("DELETE FROM app_user WHERE login LIKE %s", (pattern,))
        for (name,) in self.office.query("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (pattern,)):
            self.office.query(f'DROP ROLE "{name}"')

    def add(self, suffix: str, rep_code: str) -> str:
        """A rep's login; returns its office URL (its password in this session's credentials)."""
        login = self.prefix + suffix
        password = secrets.token_urlsafe(18)
        _cli(
            *("user", "add", "--db", self.office.url, "--login", login, "--role", "rep", "--rep", rep_code),
            "--password-stdin",
            stdin=password + "\n",
        )
        self.office.query(f'GRANT {self.password_group} TO "{login}"')
        self.passwords[login] = password
        url = self.office.url_of(login)
        use_credentials(url, login, password)
        return url


@dataclass(frozen=True)
class FieldRep:
    id: int
    code: str
    uid: str
    customers: int


def field_reps(office: Office) -> list[FieldRep]:
    """The office's active field reps, the one with most customers first (bench_dashboard's choice)."""
    rows = office.query(
        "SELECT r.id, r.code, r.uid, count(c.id) FROM rep r LEFT JOIN customer c ON c.rep_id = r.id"
        " WHERE r.role = 'rep' AND r.active GROUP BY r.id ORDER BY count(c.id) DESC, r.id"
    )
    return [FieldRep(*row) for row in rows]


# --------------------------------------------------------------------------- a day's work


@dataclass
class Work:
    changes: int = 0  # entries in the outbox afterwards
    seconds: float = 0.0
    commands: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)  # domain errors met (the record is skipped)

    def describe(self) -> str:
        done = ", ".join(f"{n} {name}" for name, n in self.commands.most_common())
        skipped = sum(self.refused.values())
        return f"{self.changes} changes by {sum(self.commands.values())} commands ({done})" + (
            f"; {skipped} refused and skipped ({', '.join(f'{k} {v}' for k, v in self.refused.items())})"
            if skipped
            else ""
        )


def _share(query, slot: int, slots: int, day: int = 0, step: int = 0) -> list[int]:
    """The ids of `query` (in a stable order, the same on every copy of the rep's data) that are this
    laptop's: every `slots`-th from `slot`, so laptops of one rep never touch the same record;
    rotated by `day` × `step` so another day starts elsewhere."""
    ids = [row_id for (row_id,) in query.tuples()][slot::slots]
    if ids and step:
        start = (day * step) % len(ids)
        ids = ids[start:] + ids[:start]
    return ids


def day_of_work(changes: int, slot: int = 0, slots: int = 1, day: int = 0) -> Work:
    """About `changes` captured changes made through the services on the open laptop database, as
    its rep: follow-ups completed (scored, not reached with a retry, plain) and rescheduled,
    customers edited, returns opened offline and received, a complaint received."""
    from app.services.cases import receive_case
    from app.services.customers import get_customer, update_customer
    from app.services.followups import complete_follow_up, reschedule_follow_up
    from app.services.returns import advance_return, open_return

    started = time.perf_counter()
    work = Work()
    rep_uid = laptop_person()[2]
    rep_id = Rep.get(Rep.uid == rep_uid).id
    today = dt.date.today()
    planned = _share(
        FollowUp.select(FollowUp.id)
        .where((FollowUp.rep == rep_id) & (FollowUp.state == FollowUpState.PLANNED))
        .order_by(FollowUp.scheduled_at, FollowUp.uid),
        slot,
        slots,
    )
    customers = _share(
        Customer.select(Customer.id)
        .where((Customer.rep == rep_id) & ~Customer.archived)
        .order_by(Customer.uid),
        slot,
        slots,
        day,
        step=97,
    )
    units = _share(
        SoldUnit.select(SoldUnit.id)
        .join(Customer)
        .where((Customer.rep == rep_id) & SoldUnit.warranty_ends_on.is_null(False))
        .order_by(SoldUnit.uid),
        slot,
        slots,
        day,
        step=7,
    )
    requested = _share(
        WarrantyReturn.select(WarrantyReturn.id)
        .where((WarrantyReturn.rep == rep_id) & (WarrantyReturn.state == ReturnState.REQUESTED))
        .order_by(WarrantyReturn.uid),
        slot,
        slots,
    )
    opened: list[int] = []
    pools = {
        "complete_follow_up": planned,  # the earliest first
        "reschedule_follow_up": planned,  # the latest first (popped from the end)
        "update_customer": customers,
        "open_return": units,
        "advance_return": requested,
        "receive_case": customers,
    }
    edits = Counter()

    def complete(follow_up_id: int, outcome: FollowUpOutcome, scored: bool) -> None:
        complete_follow_up(
            follow_up_id,
            outcome,
            "Cliente atendido en su domicilio" if outcome is FollowUpOutcome.REACHED else "No contesta",
            rep_id,
            satisfaction=4 if scored else None,
            recommend=8 if scored else None,
            schedule_retry=outcome is not FollowUpOutcome.REACHED,
        )

    def edit(customer_id: int) -> None:
        detail = get_customer(customer_id)
        edits["customer"] += 1
        data = replace(
            detail.to_input(), notes=(detail.notes + "\n" if detail.notes else "") + "Revisar garantía"
        )
        if edits["customer"] % 2:
            data = replace(
                data, mobile=f"+34 6{(day * 7919 + slot * 104729 + edits['customer']) % 10**8:08d}"
            )
        update_customer(customer_id, data, rep_id, expected_version=detail.row_version)

    def reschedule(follow_up_id: int) -> None:
        # A week on at 10:00, kept there as a person answering the placement warning "Keep this
        # time" does (a Saturday or a full day is still a move the sync has to carry).
        when = max(FollowUp.get_by_id(follow_up_id).scheduled_at, dt.datetime.now()) + dt.timedelta(days=7)
        reschedule_follow_up(
            follow_up_id,
            when.replace(hour=10, minute=0),
            acting_rep_id=rep_id,
            confirm_past=True,
            confirm_placement=True,
        )

    def receive(return_id: int) -> None:
        advance_return(return_id, ReturnState.RECEIVED, rep_id, "Recibido en tienda")

    def open_one(unit_id: int) -> None:
        opened.append(
            open_return(
                unit_id,
                ReturnReason.FAILURE_IN_USE,
                "El equipo no enfría",
                today,
                rep_id,
                out_of_warranty_reason=OutOfWarrantyReason.GOODWILL,
                today=today,
            )
        )
        requested.insert(0, opened[-1])  # received later the same day

    actions = {
        "complete_follow_up/scored": (
            "complete_follow_up",
            lambda i: complete(i, FollowUpOutcome.REACHED, True),
        ),
        "complete_follow_up/not reached": (
            "complete_follow_up",
            lambda i: complete(i, FollowUpOutcome.NOT_REACHED, False),
        ),
        "complete_follow_up": ("complete_follow_up", lambda i: complete(i, FollowUpOutcome.REACHED, False)),
        "reschedule_follow_up": ("reschedule_follow_up", reschedule),
        "update_customer": ("update_customer", edit),
        "open_return": ("open_return", open_one),
        "advance_return": ("advance_return", receive),
        "receive_case": (
            "receive_case",
            lambda i: receive_case(
                CaseKind.COMPLAINT, i, ContactChannel.PHONE, today, "El técnico no vino a la cita", rep_id
            ),
        ),
    }
    first = [
        "open_return",
        "open_return",
        "advance_return",
        "advance_return",
        "advance_return",
        "receive_case",
    ]
    cycle = [
        "complete_follow_up/scored",
        "update_customer",
        "complete_follow_up/not reached",
        "reschedule_follow_up",
        "complete_follow_up",
        "update_customer",
    ]

    def run(name: str) -> bool:
        """One command on the next record of its pool; False when the pool is empty."""
        pool_name, command = actions[name]
        pool = pools[pool_name]
        while pool:
            record = pool.pop() if pool_name in ("reschedule_follow_up", "receive_case") else pool.pop(0)
            try:
                command(record)
            except DomainError as exc:
                work.refused[f"{name}: {type(exc).__name__}"] += 1
                continue
            work.commands[name] += 1
            return True
        return False

    for name in first:
        run(name)
    while laptop_side.pending_count(db.obj) < changes:
        if not any([run(name) for name in cycle]):
            break  # nothing left to work on
    work.changes = laptop_side.pending_count(db.obj)
    work.seconds = time.perf_counter() - started
    return work


# --------------------------------------------------------------------------- 1 and 2


def _laptop_facts(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        customers = connection.execute("SELECT count(*) FROM customer").fetchone()[0]
        follow_ups = connection.execute("SELECT count(*) FROM follow_up").fetchone()[0]
    finally:
        connection.close()
    return f"{customers:,} customers, {follow_ups:,} follow-ups, file {path.stat().st_size / 2**20:,.0f} MB"


def first_sync(path: Path, url: str) -> tuple[float, SyncOutcome]:
    started = time.perf_counter()
    outcome = init_laptop(path, url)
    return time.perf_counter() - started, outcome


class PushClock:
    """synchronise's progress callback: the push reports each batch sent with the outbox's size as
    total, the pull with total 0; the last push report is when the push ended."""

    def __init__(self) -> None:
        self.pushed_at: float | None = None

    def __call__(self, done: int, total: int) -> None:
        if total:
            self.pushed_at = time.perf_counter()


@dataclass
class DaySync:
    work: Work
    connect_s: float
    sync_s: float
    push_s: float
    outcome: SyncOutcome

    @property
    def total_s(self) -> float:
        return self.connect_s + self.sync_s


def day_and_sync(path: Path, url: str, changes: int, day: int) -> DaySync:
    """A day's work on the laptop, then `postventa sync`'s own steps: connect, push and pull."""
    open_database(str(path), create=False)
    try:
        work = day_of_work(changes, day=day)
        clock = PushClock()
        started = time.perf_counter()
        office = open_office(url)
        connected = clock.pushed_at = time.perf_counter()
        try:
            outcome = synchronise(db.obj, office, clock)
        finally:
            office.close()
        ended = time.perf_counter()
        return DaySync(work, connected - started, ended - connected, clock.pushed_at - connected, outcome)
    finally:
        close_database()


# --------------------------------------------------------------------------- 3. capture overhead


def _strip_sync(path: Path) -> None:
    """Make a laptop's copy a standalone database: no sync tables, no capture triggers."""
    connection = sqlite3.connect(path)
    try:
        triggers = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync\\_capture\\_%' ESCAPE '\\'"
        ).fetchall()
        for (name,) in triggers:
            connection.execute(f'DROP TRIGGER "{name}"')
        for table in (laptop_side.STATE, laptop_side.OUTBOX, laptop_side.CONFLICTS):
            connection.execute(f"DROP TABLE {table}")
        connection.commit()
    finally:
        connection.close()


@dataclass
class Overhead:
    seconds: dict[str, dict[str, list[float]]]  # copy → command → per-call seconds (wall)
    cpu: dict[str, dict[str, list[float]]]  # the same calls' CPU time (this process)
    captured: Counter  # outbox entries per command on the laptop copy

    def median(self, copy: str, command: str, cpu: bool = False) -> float:
        return statistics.median((self.cpu if cpu else self.seconds)[copy][command])

    def ratio(self, command: str | None = None, cpu: bool = False) -> float:
        """Laptop / standalone - 1: of one command's medians, or of their sum."""
        commands = [command] if command else list(self.seconds["laptop"])
        laptop = sum(self.median("laptop", c, cpu) for c in commands)
        return laptop / sum(self.median("standalone", c, cpu) for c in commands) - 1


def capture_overhead(laptop: Path, folder: Path, runs: int) -> Overhead | None:
    """The same write commands on the same records of two identical files, one capturing."""
    from app.services.customers import get_customer, update_customer
    from app.services.followups import complete_follow_up, reschedule_follow_up

    copies = {"laptop": folder / "capture-on.sqlite3", "standalone": folder / "standalone.sqlite3"}
    for path in copies.values():
        shutil.copyfile(laptop, path)
    _strip_sync(copies["standalone"])
    open_database(str(copies["laptop"]), create=False)
    try:
        rep_id = Rep.get(Rep.uid == laptop_person()[2]).id
        planned = [
            i
            for (i,) in FollowUp.select(FollowUp.id)
            .where((FollowUp.rep == rep_id) & (FollowUp.state == FollowUpState.PLANNED))
            .order_by(FollowUp.scheduled_at, FollowUp.uid)
            .tuples()
        ]
        customers = [
            i
            for (i,) in Customer.select(Customer.id)
            .where((Customer.rep == rep_id) & ~Customer.archived)
            .order_by(Customer.uid.desc())
            .tuples()
        ]
    finally:
        close_database()
    warm_up = 3  # calls of each command on each copy before the timed ones
    # Fewer calls on a small demo, where a rep has only so many planned follow-ups left.
    needed = warm_up + min(runs * CAPTURE_CALLS, len(planned) // 2 - warm_up, len(customers) - warm_up)
    if needed - warm_up < 5:
        for path in copies.values():
            path.unlink()
        return None

    def commands(k: int) -> list[tuple[str, Any]]:
        follow_up, later, customer = planned[k], planned[-1 - k], customers[k]

        def edit() -> None:
            detail = get_customer(customer)
            data = replace(detail.to_input(), mobile=f"+34 7{k:08d}", notes=detail.notes + " (llamar)")
            update_customer(customer, data, rep_id, expected_version=detail.row_version)

        def move() -> None:
            when = FollowUp.get_by_id(later).scheduled_at + dt.timedelta(days=7)
            reschedule_follow_up(
                later,
                when.replace(hour=10, minute=0),
                acting_rep_id=rep_id,
                confirm_past=True,
                confirm_placement=True,
            )

        return [
            (
                "complete_follow_up",
                lambda: complete_follow_up(
                    follow_up, FollowUpOutcome.REACHED, "Todo bien", rep_id, satisfaction=5, recommend=9
                ),
            ),
            ("update_customer", edit),
            ("reschedule_follow_up", move),
        ]

    seconds: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in copies}
    cpu: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in copies}
    captured: Counter = Counter()
    # Both copies open at once, the models switched from one to the other call by call
    # (DatabaseProxy.initialize), each call's turn alternating (ABBA): both meet the same machine,
    # whatever else runs on it meanwhile.
    connections = {}
    for name, path in copies.items():
        open_database(str(path), create=False)
        connections[name] = db.obj
        db.initialize(None)  # kept open: the next open_database must not close it
    try:
        for k in range(needed):
            for command, call in commands(k):
                for name in list(copies) if k % 2 == 0 else list(reversed(copies)):
                    db.initialize(connections[name])
                    before = laptop_side.pending_count(db.obj) if name == "laptop" else 0
                    started, cpu_started = time.perf_counter(), time.process_time()
                    call()
                    elapsed = time.perf_counter() - started
                    if k >= warm_up:
                        seconds[name][command].append(elapsed)
                        cpu[name][command].append(time.process_time() - cpu_started)
                        if name == "laptop":
                            captured[command] += laptop_side.pending_count(db.obj) - before
    finally:
        for connection in connections.values():
            db.initialize(connection)
            close_database()
    return Overhead(seconds, cpu, captured)


# --------------------------------------------------------------------------- 4. the rush


def register_copy(base: Path, path: Path, url: str, login: str) -> str:
    """`path`, a copy of the laptop database `base`, made a laptop of its own: registered at the office
    under its login with a new id and the next label (init_laptop's statement), and given its login.
    Returns its label."""
    from app.locations import display_target
    from app.models.base import new_uid

    shutil.copyfile(base, path)
    office = open_office(url)
    try:
        with office.atomic():
            laptop = new_uid()
            label = office.execute_sql(
                f"INSERT INTO {APPLIED} (laptop, last_seq, label) VALUES"
                f" (%s, 0, 'L' || lpad(nextval('{LAPTOP_SEQUENCE}')::text, 2, '0')) RETURNING label",
                (laptop,),
            ).fetchone()[0]
    finally:
        office.close()
    connection = sqlite3.connect(path)
    try:
        connection.execute(
            f"UPDATE {laptop_side.STATE} SET laptop = ?, label = ?, login = ?, server = ?",
            (laptop, label, login, display_target(url)),
        )
        connection.commit()
    finally:
        connection.close()
    return label


@dataclass
class RushLaptop:
    index: int
    path: Path
    url: str
    login: str
    rep: FieldRep
    slot: int
    slots: int
    made_by: str  # "init_laptop" or "copy"


def _rush_process(spec: dict, barrier, results) -> None:
    """One laptop of the rush, in its own process: a day's work offline, the barrier, one sync."""
    result: dict[str, Any] = {"index": spec["index"], "error": None}
    try:
        use_credentials(spec["url"], spec["login"], spec["password"])
        open_database(spec["path"], create=False)
        work = day_of_work(spec["changes"], spec["slot"], spec["slots"], day=spec["day"])
        entries = db.obj.execute_sql(
            f"SELECT seq, table_name, row_uid, op, old_values, new_values FROM {laptop_side.OUTBOX} ORDER BY seq"
        ).fetchall()
        Path(spec["path"] + ".outbox.json").write_text(json.dumps(entries), encoding="utf-8")
        result.update(
            laptop=laptop_side.laptop_state(db.obj)[0],
            changes=work.changes,
            work_s=work.seconds,
            commands=dict(work.commands),
            refused_locally=dict(work.refused),
        )
    except BaseException:  # noqa: BLE001 (reported by the parent; the barrier must still be met)
        result["error"] = "day's work: " + traceback.format_exc()
    try:
        barrier.wait(timeout=RUSH_TIMEOUT_S)
    except BaseException:  # noqa: BLE001
        result["error"] = (result["error"] or "") + "barrier: " + traceback.format_exc()
    if result["error"] is None:
        try:
            result["started"] = time.time()
            office = open_office(spec["url"])
            result["connected"] = time.time()
            clock = PushClock()
            clock.pushed_at = pushing = time.perf_counter()
            cpu = time.process_time()
            try:
                outcome = synchronise(db.obj, office, clock)
            finally:
                office.close()
            result["ended"] = time.time()
            result["cpu_s"] = time.process_time() - cpu  # the laptop's own share of the sync
            result["push_s"] = clock.pushed_at - pushing
            result["pull_s"] = time.perf_counter() - clock.pushed_at
            result["outcome"] = {
                **outcome.as_json(),
                "deleted": outcome.deleted,
                "left_scope": outcome.left_scope,
            }
            result["pending_after"] = laptop_side.pending_count(db.obj)
        except BaseException:  # noqa: BLE001
            result["ended"] = time.time()
            result["error"] = "sync: " + traceback.format_exc()
    with contextlib.suppress(Exception):
        close_database()
    results.put(result)


class LockSampler(threading.Thread):
    """pg_locks, every SAMPLE_EVERY_S: the sessions waiting for a lock, by lock type."""

    def __init__(self, office: Office) -> None:
        super().__init__(daemon=True)
        self.office = office
        self.halt = threading.Event()
        self.samples = 0
        self.with_waits = 0
        self.most_waiting = 0
        self.by_type: Counter = Counter()
        self.started = self.ended = 0.0
        self.advisory = _advisory_keys()

    def run(self) -> None:
        connection = self.office.admin()
        self.started = time.perf_counter()
        try:
            with connection.cursor() as cursor:
                while not self.halt.is_set():
                    cursor.execute(
                        "SELECT l.locktype, (l.classid::bigint << 32) | l.objid::bigint, count(*)"
                        " FROM pg_locks l WHERE NOT l.granted AND (l.database IS NULL OR l.database ="
                        " (SELECT oid FROM pg_database WHERE datname = current_database())) GROUP BY 1, 2"
                    )
                    rows = cursor.fetchall()
                    self.samples += 1
                    waiting = sum(count for _type, _key, count in rows)
                    self.most_waiting = max(self.most_waiting, waiting)
                    if waiting:
                        self.with_waits += 1
                    for locktype, key, count in rows:
                        name = locktype
                        if locktype == "advisory":
                            name = f"advisory: {self.advisory.get(key, 'another key')}"
                        elif locktype == "transactionid":
                            name = "a row another transaction changed (transactionid)"
                        self.by_type[name] += count
                    self.halt.wait(SAMPLE_EVERY_S)
        finally:
            self.ended = time.perf_counter()
            connection.close()

    def interval(self) -> float:
        return (self.ended - self.started) / self.samples if self.samples else SAMPLE_EVERY_S


def _advisory_keys() -> dict[int, str]:
    """The advisory locks the app takes, by key: the write lock of the office's commands and the
    numbering series (app.models.dialect), for the years around today."""
    from app.models.dialect import WRITE_LOCK_KEY, numbering_key
    from app.models.enums import CaseSeries

    keys = {WRITE_LOCK_KEY: "the write lock"}
    for year in range(dt.date.today().year - 1, dt.date.today().year + 2):
        keys[numbering_key("return", year)] = f"return numbers {year}"
        keys[numbering_key("sale", year)] = f"sale numbers {year}"
        for series in CaseSeries:
            keys[numbering_key("case", series.value, year)] = f"case numbers {series.value} {year}"
    return keys


def _deadlocks(office: Office) -> int:
    return office.query(
        "SELECT pg_stat_clear_snapshot(), deadlocks FROM pg_stat_database WHERE datname = current_database()"
    )[0][1]


_WAITED = re.compile(r"acquired \S+ on .* after ([0-9.]+) ms")


def _log_lock_waits(log: Path, offset: int) -> tuple[int, int, list[float]]:
    """(waits reported as still waiting, deadlocks detected, the waits' lengths in ms) in the server
    log written after `offset`."""
    with log.open("rb") as handle:
        handle.seek(offset)
        text = handle.read().decode("utf-8", errors="replace")
    waiting = text.count("still waiting for")
    deadlocks = text.count("deadlock detected")
    return waiting, deadlocks, [float(ms) for ms in _WAITED.findall(text)]


def make_rush_laptops(
    office: Office,
    logins: Logins,
    reps: list[FieldRep],
    count: int,
    folder: Path,
    base: tuple[Path, FieldRep],
    init_each: bool,
) -> list[RushLaptop]:
    """`count` laptops, each with its own login, for the reps in turn (see the docstring)."""
    per_rep = Counter(reps[i % len(reps)].code for i in range(count))
    slot_of: Counter = Counter()
    bases: dict[str, Path] = {} if init_each else {base[1].code: base[0]}
    laptops = []
    for index in range(count):
        rep = reps[index % len(reps)]
        path = folder / f"rush-{index + 1:02d}.sqlite3"
        url = logins.add(f"l{index + 1:02d}", rep.code)
        login = urlsplit(url).username
        if rep.code in bases:
            register_copy(bases[rep.code], path, url, login)
            made_by = "copy"
        else:
            seconds, outcome = first_sync(path, url)
            print(
                f"  laptop {index + 1} ({rep.code}): init_laptop in {seconds:.1f} s, {outcome.pulled:,} rows",
                flush=True,
            )
            made_by = "init_laptop"
            if not init_each:
                bases[rep.code] = path
        laptops.append(
            RushLaptop(index, path, url, login, rep, slot_of[rep.code], per_rep[rep.code], made_by)
        )
        slot_of[rep.code] += 1
    return laptops


@dataclass
class RushResult:
    results: list[dict]
    span_s: float
    sampler: LockSampler
    deadlocks: int
    log: tuple[int, int, list[float]] | None
    rows_before: dict[str, int]
    rows_after: dict[str, int]
    wall_s: float
    server_cpu_s: float | None  # the server processes' CPU time during the rush (kept cluster only)


def _server_cpu_s(office: Office) -> float | None:
    """The CPU time the kept cluster's processes have used so far: the postmaster's reaped children
    (the backends of sessions that ended) and the processes alive now, from /proc (Linux); None
    elsewhere or for --pg-url, whose server may be on another machine."""
    pid_file = PG_FOLDER / "data" / "postmaster.pid"
    if office.server_log is None or not Path("/proc").is_dir() or not pid_file.exists():
        return None
    postmaster = int(pid_file.read_text().split()[0])
    tick = os.sysconf("SC_CLK_TCK")

    def fields(pid: int) -> list[str]:  # /proc/PID/stat after the command's closing parenthesis
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

    try:
        own = fields(postmaster)
        ticks = sum(int(x) for x in own[11:15])  # utime, stime, cutime, cstime
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != postmaster:
                with contextlib.suppress(OSError):
                    child = fields(int(entry.name))
                    if int(child[1]) == postmaster:  # the parent's pid
                        ticks += int(child[11]) + int(child[12])
    except OSError:
        return None
    return ticks / tick


def rush(office: Office, laptops: list[RushLaptop], logins: Logins, changes: int) -> RushResult:
    context = multiprocessing.get_context("spawn")  # no inherited connections
    barrier = context.Barrier(len(laptops) + 1)
    results = context.Queue()
    processes = []
    for laptop in laptops:
        spec = {
            "index": laptop.index,
            "path": str(laptop.path),
            "url": laptop.url,
            "login": laptop.login,
            "password": logins.passwords[laptop.login],
            "changes": changes,
            "slot": laptop.slot,
            "slots": laptop.slots,
            "day": 100,  # other records than the days of figure 2
        }
        process = context.Process(
            target=_rush_process, args=(spec, barrier, results), name=f"laptop-{laptop.index + 1}"
        )
        process.start()
        processes.append(process)
    if office.server_log is not None:
        office.query(f'ALTER DATABASE "{office.name}" SET log_lock_waits = on')
    rows_before = _row_counts(office, RUSH_TABLES)
    deadlocks_before = _deadlocks(office)
    log_offset = office.server_log.stat().st_size if office.server_log else 0
    sampler = LockSampler(office)
    print(
        f"  {len(laptops)} processes doing their day's work offline, then waiting at the barrier …",
        flush=True,
    )
    waited = time.perf_counter()
    barrier.wait(timeout=RUSH_TIMEOUT_S)
    server_cpu_before = _server_cpu_s(office)
    sampler.start()
    released = time.perf_counter()
    print(f"  all ready after {released - waited:.1f} s: syncing at once …", flush=True)
    collected = []
    for _laptop in laptops:
        try:
            collected.append(results.get(timeout=RUSH_TIMEOUT_S))
        except Exception:  # noqa: BLE001 (queue.Empty: a process hung or died)
            break
    wall = time.perf_counter() - released
    sampler.halt.set()
    sampler.join()
    for process in processes:
        process.join(timeout=30)
        if process.is_alive():
            print(f"  {process.name} still running after the rush: stopped", flush=True)
            process.terminate()
    time.sleep(1.0)  # the backends' statistics reach pg_stat_database within a second of their end
    server_cpu_after = _server_cpu_s(office)
    server_cpu = None
    if server_cpu_before is not None and server_cpu_after is not None:
        server_cpu = server_cpu_after - server_cpu_before
    ended = [r["ended"] for r in collected if "ended" in r]
    started = [r["started"] for r in collected if "started" in r]
    span = max(ended) - min(started) if ended and started else float("nan")
    return RushResult(
        sorted(collected, key=lambda r: r["index"]),
        span,
        sampler,
        _deadlocks(office) - deadlocks_before,
        _log_lock_waits(office.server_log, log_offset) if office.server_log else None,
        rows_before,
        _row_counts(office, RUSH_TABLES),
        wall,
        server_cpu,
    )


def _row_counts(office: Office, tables: tuple[str, ...]) -> dict[str, int]:
    return {table: office.query(f'SELECT count(*) FROM "{table}"')[0][0] for table in tables}


# --- no lost change


def _normalised(table: SyncedTable, column: str, value: Any) -> Any:
    if value is None or column in table.foreign_keys:
        return value
    if table.is_blob(column):
        return bytes.fromhex(value) if isinstance(value, str) else bytes(value)
    return table.fields[column].python_value(value)


@dataclass
class Check:
    entries: int = 0
    values: int = 0  # column values changed by the laptops, compared with the office's
    kept: int = 0  # values or rows in a conflict or refusal at the office
    missing: list[str] = field(default_factory=list)  # lost or different: each a line
    inserts: Counter = field(default_factory=Counter)  # rows inserted by the laptops, by table
    not_applied: list[str] = field(default_factory=list)  # laptops whose last entry is not recorded
    conflicts: Counter = field(default_factory=Counter)  # by kind


def check_no_lost_change(office: Office, laptops: list[RushLaptop], results: list[dict]) -> Check:
    """Every value each laptop changed, at the office (or kept in a conflict or refusal)."""
    check = Check()
    by_index = {r["index"]: r for r in results}
    expected: dict[tuple[str, str], dict[str, Any]] = {}
    numbered_as: dict[tuple[str, str], str] = {}  # the laptop's provisional number of a new record
    kept_rows: set[str] = set()
    kept_values: set[tuple[str, str]] = set()
    for laptop in laptops:
        snapshot = Path(str(laptop.path) + ".outbox.json")
        result = by_index.get(laptop.index, {})
        if not snapshot.exists() or result.get("laptop") is None:
            check.not_applied.append(f"laptop {laptop.index + 1}: no outbox snapshot (its work failed)")
            continue
        entries = json.loads(snapshot.read_text(encoding="utf-8"))
        check.entries += len(entries)
        applied = office.query(f"SELECT last_seq FROM {APPLIED} WHERE laptop = %s", (result["laptop"],))
        last = entries[-1][0] if entries else 0
        if not applied or applied[0][0] < last:
            check.not_applied.append(
                f"laptop {laptop.index + 1}: last entry {last}, office has {applied[0][0] if applied else 'none'}"
            )
        for kind, row_uid, column in office.query(
            f"SELECT kind, row_uid, column_name FROM {CONFLICTS} WHERE laptop = %s", (result["laptop"],)
        ):
            check.conflicts[kind] += 1
            if column is None:
                kept_rows.add(row_uid)
            else:
                kept_values.add((row_uid, column))
        for _seq, table_name, uid, op, old_json, new_json in entries:
            table = BY_NAME[table_name]
            old, new = json.loads(old_json or "{}"), json.loads(new_json or "{}")
            key = (table_name, uid)
            if op == "insert":
                check.inserts[table_name] += 1
                expected[key] = dict(new)
                if table_name in ("warranty_return", "case") and (new.get("sequence") or 0) < 0:
                    numbered_as[key] = new["number"]
            elif op == "update":
                values = expected.setdefault(key, {})
                for column in table.columns:
                    if _normalised(table, column, old.get(column)) != _normalised(
                        table, column, new.get(column)
                    ):
                        values[column] = new.get(column)
            else:
                expected[key] = {"__deleted__": True}
    by_table: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for (table_name, uid), values in expected.items():
        by_table[table_name][uid] = values
    for table_name, rows in by_table.items():
        table = BY_NAME[table_name]
        columns = ", ".join(
            f'(SELECT uid FROM "{t}" WHERE id = r."{c}")' if (t := table.foreign_keys.get(c)) else f'r."{c}"'
            for c in table.columns
        )
        office_rows = {
            row[0]: dict(zip(table.columns, row[1:], strict=True))
            for row in office.query(
                f'SELECT r.uid, {columns} FROM "{table_name}" r WHERE r.uid = ANY(%s)', (list(rows),)
            )
        }
        for uid, values in rows.items():
            if uid in kept_rows:
                check.kept += 1
                continue
            found = office_rows.get(uid)
            if values.get("__deleted__"):
                if found is not None:
                    check.missing.append(f"{table_name} {uid}: deleted on a laptop, still at the office")
                continue
            if found is None:
                check.missing.append(f"{table_name} {uid}: not at the office")
                continue
            if (table_name, uid) in numbered_as and found.get("provisional_number") != numbered_as[
                (table_name, uid)
            ]:
                check.missing.append(
                    f"{table_name} {uid}: provisional number {numbered_as[(table_name, uid)]} not kept as its alias"
                )
            for column, value in values.items():
                if table_name in ("warranty_return", "case", "sale") and column in NUMBERED_COLUMNS:
                    continue
                if (table_name, column) == (AUDIT, "entity_id"):
                    continue  # each copy's own id of the audited record; entity_uid names it
                check.values += 1
                if (uid, column) in kept_values:
                    check.kept += 1
                    continue
                mine, theirs = _normalised(table, column, value), _normalised(table, column, found[column])
                if mine != theirs:
                    check.missing.append(f"{table_name} {uid} {column}: laptop {mine!r}, office {theirs!r}")
    return check


# --------------------------------------------------------------------------- printing


def _s(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=100_000, help="the demo's size (default 100,000)")
    parser.add_argument("--laptops", type=int, default=50, help="laptops in the rush (default 50)")
    parser.add_argument(
        "--runs", type=int, default=3, help="days synced (2) and rounds of commands (3); median"
    )
    parser.add_argument("--changes", type=int, default=200, help="changes in a day's work (default 200)")
    parser.add_argument(
        "--pg-url",
        help="an existing PostgreSQL database (postgresql://…, a login with CREATEROLE) to use as the "
        f"office, in place, instead of a copy in the cluster kept in {PG_FOLDER}",
    )
    parser.add_argument("--pg-rebuild", action="store_true", help="load the demo and make the office again")
    parser.add_argument(
        "--rush-reps",
        type=int,
        default=0,
        help="the rush's laptops are those of the N busiest field reps (default: every field rep)",
    )
    parser.add_argument(
        "--make",
        choices=("auto", "init", "copy"),
        default="auto",
        help="how the rush's laptops are made: each by init_laptop, or one init_laptop per rep and copies;"
        " auto: init each when that takes under two minutes in all",
    )
    parser.add_argument("--keep", action="store_true", help="keep the laptops' folder and the run's office")
    parser.add_argument("--pg-stop", action="store_true", help="stop the kept PostgreSQL cluster at the end")
    args = parser.parse_args(argv)
    if args.laptops < 1 or args.runs < 1 or args.changes < 1:
        parser.error("--laptops, --runs and --changes are at least 1")

    load_before = _load()
    office = prepare_office(args)
    connections = int(office.query("SHOW max_connections")[0][0]) - int(
        office.query("SHOW superuser_reserved_connections")[0][0]
    )
    if connections < args.laptops + 2:
        parser.error(f"the server takes {connections} connections: too few for {args.laptops} laptops")
    server_version = office.query("SHOW server_version")[0][0]
    logins = Logins(office)
    reps = field_reps(office)
    busiest = reps[0]
    folder = Path(tempfile.mkdtemp(prefix="postventa-bench-sync-"))
    summary: list[tuple[str, str, str, str]] = []
    try:
        total = office.query("SELECT count(*) FROM customer")[0][0]
        print(f"\nOffice: {describe_target(office.url)}: {total:,} customers, {len(reps)} field reps")

        # 1. first sync
        url = logins.add("first", busiest.code)
        laptop = folder / "first.sqlite3"
        print(
            f"\n1. First sync of rep {busiest.code}'s scope ({busiest.customers:,} customers are theirs) …",
            flush=True,
        )
        seconds, outcome = first_sync(laptop, url)
        print(
            f"   init_laptop: {_s(seconds)}, {outcome.pulled:,} rows pulled; laptop: {_laptop_facts(laptop)}"
        )
        summary.append(
            (
                f"first sync, rep {busiest.code}",
                _s(seconds),
                f"≤ {FIRST_SYNC_GOAL_S:.0f} s",
                _verdict(seconds <= FIRST_SYNC_GOAL_S),
            )
        )

        # 2. a day's work, then one sync
        print(
            f"\n2. A day's work (≈ {args.changes} changes) on that laptop, then one sync; {args.runs} days …",
            flush=True,
        )
        days = []
        for day in range(args.runs):
            done = day_and_sync(laptop, url, args.changes, day)
            days.append(done)
            o = done.outcome
            print(
                f"   day {day + 1}: work {_s(done.work.seconds)} ({done.work.describe()})\n"
                f"          sync {_s(done.total_s)} (connect {_s(done.connect_s)}, push {_s(done.push_s)},"
                f" pull {_s(done.sync_s - done.push_s)}):"
                f" pushed {o.pushed}, pulled {o.pulled}, conflicts {o.conflicts}, refused {o.refused},"
                f" left the scope {o.left_scope}",
                flush=True,
            )
        median_day = statistics.median(d.total_s for d in days)
        changes = statistics.median(d.work.changes for d in days)
        summary.append(
            (
                f"day's work ({changes:.0f} changes): sync",
                _s(median_day),
                f"≤ {DAY_SYNC_GOAL_S:.0f} s",
                _verdict(median_day <= DAY_SYNC_GOAL_S),
            )
        )

        # 3. capture overhead
        print(
            "\n3. Capture overhead: the same commands on a copy of the laptop with and without sync tables …",
            flush=True,
        )
        report_overhead(capture_overhead(laptop, folder, args.runs), summary)
        for path in [*folder.glob("capture-on.sqlite3*"), *folder.glob("standalone.sqlite3*")]:
            path.unlink()

        # 4. the rush
        init_each = args.make == "init" or (
            args.make == "auto" and seconds * args.laptops <= INIT_EACH_BUDGET_S
        )
        print(
            f"\n4. A rush: {args.laptops} laptops, "
            + (
                "each made by init_laptop"
                if init_each
                else f"one init_laptop per rep, the others copies registered as laptops of their own "
                f"({seconds:.0f} s × {args.laptops} init_laptop would take ~{seconds * args.laptops / 60:.0f} min)"
            )
            + " …",
            flush=True,
        )
        started = time.perf_counter()
        rush_reps = reps[: args.rush_reps] if args.rush_reps > 0 else reps
        laptops = make_rush_laptops(
            office, logins, rush_reps, args.laptops, folder, (laptop, busiest), init_each
        )
        made = Counter(laptop.made_by for laptop in laptops)
        print(
            f"   laptops made in {time.perf_counter() - started:.1f} s ("
            + ", ".join(f"{n} by {how}" for how, n in made.items())
            + "): "
            + ", ".join(f"{code} {n}" for code, n in Counter(laptop.rep.code for laptop in laptops).items()),
            flush=True,
        )
        outcome_rush = rush(office, laptops, logins, args.changes)
        report_rush(outcome_rush, office, laptops, summary)
    finally:
        if args.keep:
            print(
                f"\nKept: the laptops in {folder}" + (f", the office {office.name}" if office.copied else "")
            )
        else:
            shutil.rmtree(folder, ignore_errors=True)
            logins.forget()
            drop_run_office(office)

    print(
        f"\nSummary (today {dt.date.today()}; load average (1 min) before / after: {load_before} / {_load()})"
    )
    width = max(len(row[0]) for row in summary) + 2
    print(f"{'what':<{width}}{'figure':>12}   {'goal':<10} verdict")
    print("-" * (width + 35))
    for what, figure, goal, verdict in summary:
        print(f"{what:<{width}}{figure:>12}   {goal:<10} {verdict}")
    print(provenance(server_version))
    if args.pg_stop:
        stop_postgresql_cluster()
    return 0


def report_overhead(overhead: Overhead | None, summary: list) -> None:
    if overhead is None:
        print("   skipped: the rep has fewer than 5 planned follow-ups left for it (a demo this small)")
        summary.append(("capture overhead (3 commands)", "—", f"≤ +{CAPTURE_GOAL:.0%}", "skipped"))
        return
    n = len(overhead.seconds["laptop"]["complete_follow_up"])
    print(f"   median of {n} calls per command and copy (the copies taking turns call by call):")
    print(f"   {'':<22} {'capture on':>10} {'standalone':>11} {'overhead':>9}   CPU time: on / standalone")
    for command in overhead.seconds["laptop"]:
        print(
            f"   {command:<22} {_s(overhead.median('laptop', command)):>10}"
            f" {_s(overhead.median('standalone', command)):>11} {overhead.ratio(command):>+9.1%}"
            f"   {_s(overhead.median('laptop', command, cpu=True))} /"
            f" {_s(overhead.median('standalone', command, cpu=True))} ({overhead.ratio(command, cpu=True):+.1%});"
            f" {overhead.captured[command] / n:.1f} entries captured a call"
        )
    ratio = overhead.ratio()
    print(f"   all three (sum of medians): {ratio:+.1%} wall time, {overhead.ratio(cpu=True):+.1%} CPU time")
    summary.append(
        (
            "capture overhead (3 commands)",
            f"{ratio:+.1%}",
            f"≤ +{CAPTURE_GOAL:.0%}",
            _verdict(ratio <= CAPTURE_GOAL),
        )
    )


def report_rush(result: RushResult, office: Office, laptops: list[RushLaptop], summary: list) -> None:
    failed = [r for r in result.results if r.get("error")]
    missing = len(laptops) - len(result.results)
    done = [r for r in result.results if not r.get("error")]
    work = [r["work_s"] for r in result.results if "work_s" in r]
    changes = [r["changes"] for r in result.results if "changes" in r]
    if work:
        print(
            f"   day's work offline: {sum(changes):,} changes in all ({min(changes)}–{max(changes)} a laptop),"
            f" {statistics.median(work):.1f} s median a laptop (all at once on the machine's CPUs)"
        )
    syncs = sorted(r["ended"] - r["started"] for r in done)
    if syncs:
        connects = [r["connected"] - r["started"] for r in done]
        print(
            f"   syncs: {len(done)} done; each took min {_s(syncs[0])}, median {_s(statistics.median(syncs))},"
            f" max {_s(syncs[-1])} (medians: connect {_s(statistics.median(connects))},"
            f" push {_s(statistics.median(r['push_s'] for r in done))},"
            f" pull {_s(statistics.median(r['pull_s'] for r in done))});"
            f" the last one done {_s(result.span_s)} after the first began"
        )
        first = min(r["started"] for r in done)
        pushed = max(r["connected"] + r["push_s"] for r in done) - first
        cpu = [r["cpu_s"] for r in done]
        print(
            f"   the last push committed {_s(pushed)} after the first sync began; the laptops' own CPU time in"
            f" their sync (applying what they pulled): median {_s(statistics.median(cpu))}, {_s(sum(cpu))} in all,"
            f" here on the machine's {os.cpu_count()} CPUs beside the server (a company's laptops each have their own)"
        )
        if result.server_cpu_s is not None:
            print(
                f"   the server's CPU time from the barrier to the end (its processes, this machine's clock):"
                f" {_s(result.server_cpu_s)}"
            )
        totals = Counter()
        for r in done:
            totals.update(r["outcome"])
        print("   in all: " + ", ".join(f"{k} {v:,}" for k, v in totals.items()))
        pending = sum(r.get("pending_after", 0) for r in done)
        if pending:
            print(f"   STILL PENDING on the laptops after their sync: {pending}")
    for r in failed:
        print(f"   laptop {r['index'] + 1} FAILED: {r['error'].strip().splitlines()[-1]}")
        print("      " + r["error"].strip().replace("\n", "\n      "))
    if missing:
        print(f"   {missing} laptop processes sent no result (hung or died)")
    sampler = result.sampler
    waited = sum(sampler.by_type.values())
    print(
        f"   lock waits (pg_locks every {sampler.interval() * 1000:.0f} ms, {sampler.samples} samples):"
        f" someone waiting in {sampler.with_waits} samples ({sampler.with_waits / max(sampler.samples, 1):.0%}),"
        f" at most {sampler.most_waiting} at once; waiting ≈ {waited * sampler.interval():.1f} session-s"
        + (
            " ("
            + ", ".join(f"{t} {n * sampler.interval():.1f} s" for t, n in sampler.by_type.most_common())
            + ")"
            if waited
            else ""
        )
    )
    print(f"   deadlocks (pg_stat_database): {result.deadlocks}")
    if result.log is not None:
        waiting, deadlocks, lengths = result.log
        print(
            f"   server log (log_lock_waits, waits over deadlock_timeout): {waiting} waits"
            + (f", longest {max(lengths) / 1000:.1f} s" if lengths else "")
            + f"; {deadlocks} 'deadlock detected'"
        )
    check = check_no_lost_change(office, laptops, result.results)
    print(
        f"   no lost change: {check.entries:,} outbox entries, {check.values:,} values compared with the office's:"
        f" {len(check.missing)} lost or different, {check.kept} kept in conflicts or refusals"
        + (f" ({', '.join(f'{k} {v}' for k, v in check.conflicts.items())})" if check.conflicts else "")
    )
    for line in check.missing[:15]:
        print(f"      {line}")
    if len(check.missing) > 15:
        print(f"      … and {len(check.missing) - 15} more")
    for line in check.not_applied:
        print(f"      {line}")
    added = {t: result.rows_after[t] - result.rows_before[t] for t in result.rows_before}
    print(
        "   office rows added / inserts made on the laptops: "
        + ", ".join(f"{t} {added[t]}/{check.inserts.get(t, 0)}" for t in result.rows_before)
    )
    duplicates = [t for t in added if added[t] != check.inserts.get(t, 0)]
    lost = len(check.missing) + len(check.not_applied) + len(duplicates)
    ok = not failed and not missing and lost == 0 and result.deadlocks == 0
    summary.append(
        (
            f"rush: {len(laptops)} laptops, all done within",
            _s(result.span_s) if done else "—",
            f"≤ {RUSH_GOAL_S:.0f} s",
            _verdict(bool(done) and result.span_s <= RUSH_GOAL_S and not failed and not missing),
        )
    )
    summary.append(
        (
            "rush: failures / deadlocks / lost changes",
            f"{len(failed) + missing} / {result.deadlocks} / {lost}",
            "0 / 0 / 0",
            _verdict(ok),
        )
    )


if __name__ == "__main__":
    sys.exit(main())
