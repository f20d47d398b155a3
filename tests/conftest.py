"""Shared fixtures: each test gets a fresh database and its own settings folder.

The engine is SQLite (a file in tmp_path) unless POSTVENTA_TEST_ENGINE=postgresql: then a throw-away
PostgreSQL cluster is started once for the run (tests/postgres.py) and each test gets a new database in
it, copied from a template that already has the schema. Tests of the SQLite file itself are marked
`sqlite_only("why")` and skipped on PostgreSQL; tests of the server's logins and rights are marked
`postgresql_only("why")` and skipped on SQLite.

Nothing here imports Qt: the model, service and report tests run with PySide6 unimportable
(tests/test_layers.py proves it). The Qt fixtures (QSettings in the settings folder, the guard
against unexpected modal dialogs, waiting for background work) live in tests/views/conftest.py.
"""

from __future__ import annotations

import os
import signal
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from app import i18n
from app.models.database import close_database, open_database
from tests.postgres import TEMPLATE, Cluster, ClusterError, test_engine

try:
    ENGINE = test_engine()
except ClusterError as exc:
    raise pytest.UsageError(str(exc)) from exc


def pytest_report_header(config):
    return f"database engine: {ENGINE} (POSTVENTA_TEST_ENGINE)"


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, skip the tests of the SQLite file itself, each with its reason; on SQLite, the
    tests of what only a server has (logins, rights), `postgresql_only("why")`."""
    for item in items:
        server = item.get_closest_marker("postgresql_only")
        if server is not None:
            reason = server.args[0] if server.args else server.kwargs.get("reason")
            if not reason:
                raise pytest.UsageError(f"{item.nodeid}: postgresql_only needs a reason")
            if ENGINE != "postgresql":
                item.add_marker(pytest.mark.skip(reason=f"PostgreSQL only: {reason}"))
        marker = item.get_closest_marker("sqlite_only")
        if marker is None:
            continue
        reason = marker.args[0] if marker.args else marker.kwargs.get("reason")
        if not reason:
            raise pytest.UsageError(f"{item.nodeid}: sqlite_only needs a reason")
        if ENGINE != "sqlite":
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


@pytest.fixture(autouse=True)
def english():
    """Tests read messages in English unless they switch language themselves."""
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, monkeypatch):
    """The default data folder, the log folder and the settings point into a temporary folder.

    tests/views/conftest.py points QSettings there too.
    """
    folder = tmp_path_factory.mktemp("settings")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(folder / "state"))  # the log folder
    monkeypatch.delenv("POSTVENTA_DB", raising=False)
    yield folder


@pytest.fixture(autouse=True)
def keyring_in_memory():
    """Remembered passwords go to a keyring in memory, never to the machine's; yields its backend."""
    import keyring

    from tests.helpers import memory_keyring

    previous = keyring.get_keyring()
    backend = memory_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_known_keys(monkeypatch):
    """No database key known before the test (none from the environment's recovery key) nor left
    after it: the encryption tests start as a fresh process would."""
    from app.models import cipher

    monkeypatch.delenv(cipher.RECOVERY_ENV_VAR, raising=False)
    cipher.forget_known_keys()
    yield
    cipher.forget_known_keys()


@pytest.fixture(scope="session")
def postgres_cluster():
    """The run's PostgreSQL cluster, started at the first test that needs it, always stopped and
    deleted at the end (a failed start leaves nothing behind either)."""
    if ENGINE != "postgresql":
        raise pytest.UsageError("postgres_cluster is for POSTVENTA_TEST_ENGINE=postgresql")
    # A run ended by SIGTERM (a CI timeout, `kill`) tears down like Ctrl+C instead of leaving the
    # server running; only `kill -9` leaves it (CONTRIBUTING.md says how to stop it then).
    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is threading.main_thread() and previous is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        cluster = Cluster.start()  # stops and deletes what it made when it fails
        try:
            cluster.create_template()
            yield cluster
        finally:
            close_database()
            cluster.stop()
    finally:
        if signal.getsignal(signal.SIGTERM) is _interrupt:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture
def new_database(request, tmp_path):
    """A factory: `new_database(name, schema=False)` gives the target (path or URL) of a new database
    of the engine under test, empty, or with the current schema when `schema` is true (on SQLite
    open_database creates it either way). PostgreSQL databases are dropped after the test."""
    made: list[str] = []
    cluster = request.getfixturevalue("postgres_cluster") if ENGINE == "postgresql" else None

    def make(name: str = "test", schema: bool = False) -> str:
        if cluster is None:
            return str(tmp_path / f"{name}.sqlite3")
        database = cluster.new_name(name)
        made.append(database)
        return cluster.create_database(database, TEMPLATE if schema else "template0")

    yield make
    if made:
        close_database()
        for database in made:
            cluster.drop_database(database)


@pytest.fixture
def database(new_database):
    """A fresh, empty Postventa database bound to the models: a file in tmp_path, or a new
    database in the test run's PostgreSQL cluster."""
    info = open_database(new_database("test", schema=True))
    yield info
    close_database()
