"""A pull names the rows a pulled row points to by uid, and finds the laptop's id of each: one by
one for a few, from the whole table read into memory for many (app.sync.engine._LocalIds). Either
way the laptop ends with the office's rows and references."""

from __future__ import annotations

import pytest

from app.sync import engine
from app.sync.engine import init_laptop
from tests.sync.copies import differences, laptop_rows, office_query, office_rows, sync

pytestmark = pytest.mark.postgresql_only("the office of a sync is a PostgreSQL server")


@pytest.mark.parametrize("read_whole_after", [0, 10**9], ids=["tables read whole", "row by row"])
def test_references_resolve_alike_row_by_row_and_from_tables_read_whole(
    office, tmp_path, monkeypatch, read_whole_after
):
    monkeypatch.setattr(engine._LocalIds, "_READ_WHOLE_AFTER", read_whole_after)
    laptop = tmp_path / "mia.sqlite3"
    init_laptop(laptop, office.url_of(office.manager))
    assert differences(office_rows(office, laptop), laptop_rows(laptop)) == []

    # The office moves follow-ups between customers and changes every sale: the pull resolves
    # references to rows it already holds (customers, sales, products) and to rows it brings.
    office_query(
        office,
        "UPDATE follow_up SET customer_id = (SELECT min(id) FROM customer), notes = 'moved'"
        " WHERE id IN (SELECT id FROM follow_up ORDER BY id DESC LIMIT 40) RETURNING id",
    )
    office_query(office, "UPDATE sale SET notes = 'seen', rep_id = (SELECT max(id) FROM rep) RETURNING id")
    outcome = sync(laptop, office.url_of(office.manager))
    assert outcome.pulled > 40
    assert differences(office_rows(office, laptop), laptop_rows(laptop)) == []
