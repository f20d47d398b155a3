"""Shared fixtures: each test gets a fresh database file and its own settings folder.

Nothing here imports Qt: the model, service and report tests run with PySide6 unimportable
(tests/test_layers.py proves it). The Qt fixtures (QSettings in the settings folder, the guard
against unexpected modal dialogs, waiting for background work) live in tests/views/conftest.py.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from app import i18n
from app.models.database import close_database, open_database


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


@pytest.fixture
def database(tmp_path):
    """A fresh, empty Postventa database file bound to the models."""
    info = open_database(str(tmp_path / "test.sqlite3"))
    yield info
    close_database()
