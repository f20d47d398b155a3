"""A throw-away PostgreSQL cluster for the test run (POSTVENTA_TEST_ENGINE=postgresql).

`initdb` into a new temporary folder, `pg_ctl start` listening on a Unix socket in that folder only
(no TCP port, so nothing else on the machine can reach it or clash with it), and at the end
`pg_ctl stop` and the folder deleted. PostgreSQL refuses to run as root, and CI runs as root: then
the server runs as an unprivileged user through `runuser` (POSTVENTA_TEST_PG_USER, else the
`postventa-ci` user .ci/run creates, else `nobody`); the folder is handed to that user.

The cluster is a test fixture, never a place for data: fsync and full-page writes are off, and the
locale is C.UTF-8 (byte order like SQLite's, Unicode case mapping for lower/upper). Nothing here
imports Qt.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

ENGINE_VAR = "POSTVENTA_TEST_ENGINE"  # sqlite (the default) or postgresql
ENGINES = ("sqlite", "postgresql")
BINDIR_VAR = "POSTVENTA_TEST_PG_BINDIR"  # where initdb and pg_ctl are, when not found by themselves
USER_VAR = "POSTVENTA_TEST_PG_USER"  # who runs the server when the tests run as root
CI_USER = "postventa-ci"
SUPERUSER = "postgres"  # the cluster's superuser; the tests connect as it (trust, socket only)
TEMPLATE = "postventa_template"  # a database with the current schema, copied for each test
# Logins granted this role authenticate with their password (the login tests); tests create it.
PASSWORD_LOGINS = "password_logins"
MIN_VERSION = 15  # what Postventa supports; CREATE DATABASE … STRATEGY is 15's too

# Safe only because the cluster is thrown away: a crash loses nothing anybody needs.
_SERVER_SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
    "shared_buffers": "64MB",
}


class ClusterError(RuntimeError):
    """The test cluster could not be started; the message says why and what to install."""


def test_engine() -> str:
    """The engine under test: POSTVENTA_TEST_ENGINE, sqlite by default."""
    engine = os.environ.get(ENGINE_VAR, "sqlite").strip().lower() or "sqlite"
    if engine not in ENGINES:
        raise ClusterError(f"{ENGINE_VAR}={engine!r}: use one of {', '.join(ENGINES)}")
    return engine


test_engine.__test__ = False  # type: ignore[attr-defined]  # not a test where a test module imports it


def find_bindir() -> Path:
    """The folder of initdb/pg_ctl: POSTVENTA_TEST_PG_BINDIR, `pg_config --bindir`, Debian's
    /usr/lib/postgresql/<newest>/bin, or the PATH."""
    candidates: list[Path] = []
    if os.environ.get(BINDIR_VAR):
        candidates.append(Path(os.environ[BINDIR_VAR]))
    if shutil.which("pg_config"):
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        if found.returncode == 0 and found.stdout.strip():
            candidates.append(Path(found.stdout.strip()))
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(debian)
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb")).parent)
    too_old = []
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            version = _major_version(folder)
            if version >= MIN_VERSION:
                return folder
            too_old.append(f"{folder} ({version})")
    raise ClusterError(
        f"PostgreSQL {MIN_VERSION} or newer's initdb and pg_ctl were not found"
        + (f" (too old: {', '.join(too_old)})" if too_old else "")
        + f": install it (Debian: apt-get install postgresql) or set {BINDIR_VAR}"
    )


def _major_version(bindir: Path) -> int:
    """15 for "pg_ctl (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)"; 0 when it cannot be told."""
    found = subprocess.run([str(bindir / "pg_ctl"), "--version"], capture_output=True, text=True, check=False)
    words = found.stdout.split()
    number = words[2] if len(words) > 2 else ""
    major = number.split(".")[0]
    return int(major) if major.isdigit() else 0


def _server_user() -> str | None:
    """The unprivileged user the server runs as when we are root; None when we are not root."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd  # Unix only: the SQLite runs import this module on Windows too

    for name in (os.environ.get(USER_VAR), CI_USER, "nobody"):
        if not name:
            continue
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise ClusterError(f"running as root and no unprivileged user for PostgreSQL: set {USER_VAR}")


class Cluster:
    """One running PostgreSQL server in its own temporary folder."""

    def __init__(self, bindir: Path, folder: Path, user: str | None) -> None:
        self.bindir = bindir
        self.folder = folder
        self.user = user
        self.data = folder / "data"
        self.log = folder / "server.log"
        self._names = itertools.count(1)
        self._admin = None
        self.started = False

    # --- life -----------------------------------------------------------------------------------------

    @classmethod
    def start(cls) -> Cluster:
        """initdb and start a new cluster; on any failure nothing is left running or on disk."""
        bindir = find_bindir()
        user = _server_user()
        # Short: a Unix socket path may not exceed ~107 bytes.
        folder = Path(tempfile.mkdtemp(prefix="postventa-pg-", dir="/tmp" if os.path.isdir("/tmp") else None))
        cluster = cls(bindir, folder, user)
        atexit.register(cluster.stop)  # a run that ends without pytest's teardown still stops it
        try:
            cluster.initdb()
            cluster.serve()
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def initdb(self) -> None:
        """A new cluster in `data` under the folder (which exists), handed to the server's user first."""
        if self.user is not None:
            import pwd

            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        # Members of PASSWORD_LOGINS must give their password (SCRAM), as on an office server; every
        # other role connects over the socket without one (trust), as the tests' superuser does.
        # (A role that does not exist yet matches nobody; PostgreSQL 15 has no regular expressions here.)
        hba = self.data / "pg_hba.conf"
        hba.write_text(f"local all +{PASSWORD_LOGINS} scram-sha-256\n" + hba.read_text())

    def serve(self, settings: dict[str, str] | None = None) -> None:
        """`pg_ctl start` on the Unix socket in the folder only; `settings` add to or override the
        test settings (benchmarks/common.py gives its cluster more memory)."""
        chosen = {**_SERVER_SETTINGS, **(settings or {})}
        options = " ".join(f"-c {key}={value}" for key, value in chosen.items())
        options += f" -k {self.folder}"
        self._run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
        )
        self.started = True

    def stop(self) -> None:
        """Stop the server at once (nothing in it is kept) and delete its folder; safe to call twice."""
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        if self.started or (self.data / "postmaster.pid").exists():
            self.started = False
            self._run("pg_ctl", "stop", "-w", "-m", "immediate", "-D", str(self.data), check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def is_running(self) -> bool:
        """`pg_ctl status`: a server runs on `data` (one started before, by another process too)."""
        return self._run("pg_ctl", "status", "-D", str(self.data), check=False).returncode == 0

    def shut_down(self) -> None:
        """Stop the server cleanly and keep its folder (a cluster kept between runs, as the benchmarks'
        is); `stop` is for the test cluster, which is thrown away."""
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data), check=False)
        self.started = False

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bindir / program), *args]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL, cwd=self.folder
        )
        if check and result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise ClusterError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}{log}"
            )
        return result

    # --- databases -----------------------------------------------------------------------------------

    def url(self, name: str) -> str:
        """What a user would pass as --db: postgresql://postgres@/NAME?host=<socket folder>."""
        return f"postgresql://{SUPERUSER}@/{name}?host={quote(str(self.folder), safe='/')}"

    def execute(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE) in the `postgres` database."""
        from peewee import PostgresqlDatabase

        if self._admin is None:
            self._admin = PostgresqlDatabase("postgres", user=SUPERUSER, host=str(self.folder))
            self._admin.connect()
        self._admin.execute_sql(sql)

    def new_name(self, prefix: str = "test") -> str:
        return f"{prefix}_{os.getpid()}_{next(self._names)}"

    def create_database(self, name: str, template: str = "template0") -> str:
        """A new database copied from `template`; FILE_COPY copies a small template's files at once
        (about 40 ms for Postventa's schema, against 70 ms for PostgreSQL 15's default WAL_LOG)."""
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop it even while a connection a test left behind (a thread, a child process) is open."""
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def create_template(self) -> None:
        """The TEMPLATE database: created empty, given the schema by open_database as the app does."""
        from app.models.database import close_database, open_database

        url = self.create_database(TEMPLATE)
        open_database(url)
        close_database()
