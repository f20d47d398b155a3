"""The office the sync scenarios share: a PostgreSQL office with the demo, a rep's and a manager's
logins whose passwords the laptops' syncs find (tests/server_office.py)."""

from __future__ import annotations

import pytest

from app.models.database import close_database, forget_credentials, use_credentials
from tests.server_office import PASSWORD, set_up_office


@pytest.fixture
def office(new_database, monkeypatch, capsys):
    office = set_up_office(new_database("office"), monkeypatch, capsys)
    for login in (office.rep, office.manager):
        use_credentials(office.url_of(login), login, PASSWORD)
    yield office
    close_database()
    for login in (office.rep, office.manager):
        forget_credentials(office.url_of(login))
