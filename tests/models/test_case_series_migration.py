"""Migration 6: a database numbered CASE-YYYY-NNNN from one shared sequence keeps every number, and
new numbers continue in their series without repeating an old one."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from app.models import Case, CompanySetting, db, migrations
from app.models.database import close_database, open_database
from app.models.enums import CaseKind, CaseSeries, ContactChannel
from app.services import cases, company
from app.services.errors import ValidationError
from tests.models.test_database import make_v1_database, stop_upgrades_at

# Before schema 6: one sequence a year for every kind, all numbered CASE-.
OLD_CASES = [
    (1, "CASE-2025-0001", 2025, 1, "complaint", "reception", "2025-11-03"),
    (2, "CASE-2026-0001", 2026, 1, "complaint", "reception", "2026-01-05"),
    (3, "CASE-2026-0002", 2026, 2, "suggestion", "received", "2026-01-07"),
    (4, "CASE-2026-0003", 2026, 3, "claim", "reception", "2026-01-09"),
    (5, "CASE-2026-0004", 2026, 4, "compliment", "received", "2026-01-12"),
    (6, "CASE-2026-0005", 2026, 5, "suggestion", "received", "2026-01-15"),
]


def make_v5_database(path, monkeypatch) -> None:
    """A schema 1 fixture brought up to schema 5 by the real migrations, then given old cases."""
    make_v1_database(path)
    with monkeypatch.context() as patch:
        stop_upgrades_at(patch, 5)
        assert open_database(str(path)).version == 5
        close_database()
    conn = sqlite3.connect(path)
    conn.executemany(
        'INSERT INTO "case" (id, created_at, updated_at, number, year, sequence, kind, stage, customer_id, '
        "rep_id, channel, received_on, customer_words, requested_compensation, mediation_body, "
        "mediation_reference, mediation_outcome, department, department_response, row_version) "
        "VALUES (?, '2026-01-01 10:00:00', '2026-01-01 10:00:00', ?, ?, ?, ?, ?, 1, 1, 'email', ?, "
        "'Palabras del cliente', '', '', '', '', '', '', 1)",
        OLD_CASES,
    )
    conn.commit()
    conn.close()


@pytest.mark.sqlite_only("a schema 5 SQLite file built from the schema 1 fixture")
def test_an_upgraded_database_keeps_its_numbers_and_continues_without_collision(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite3"
    make_v5_database(path, monkeypatch)
    info = open_database(str(path))
    try:
        assert info.version == migrations.LATEST_VERSION >= 6 and info.backup is not None
        kept = [(c.id, c.number, c.year, c.sequence) for c in Case.select().order_by(Case.id)]
        assert kept == [(row[0], row[1], row[2], row[3]) for row in OLD_CASES]
        assert [c.series for c in Case.select().order_by(Case.id)] == [
            CaseSeries.COMPLAINT,
            CaseSeries.COMPLAINT,
            CaseSeries.SUGGESTION,
            CaseSeries.COMPLAINT,
            CaseSeries.COMPLIMENT,
            CaseSeries.SUGGESTION,
        ]
        stored = {row.key: row.value for row in CompanySetting.select()}
        assert (stored["complaint_prefix"], stored["suggestion_prefix"], stored["compliment_prefix"]) == (
            "REC-",
            "SUG-",
            "FEL-",
        )

        def receive(kind: CaseKind, on: dt.date) -> str:
            case_id = cases.receive_case(
                kind,
                1,
                ContactChannel.POST,
                on,
                "Otra vez",
                1,
                requested_compensation="50 €" if kind is CaseKind.CLAIM else "",
            )
            return Case.get_by_id(case_id).number

        # Each series continues after its own highest sequence of the year, with the new prefix.
        assert receive(CaseKind.COMPLAINT, dt.date(2026, 2, 2)) == "REC-2026-0004"
        assert receive(CaseKind.SUGGESTION, dt.date(2026, 2, 3)) == "SUG-2026-0006"
        assert receive(CaseKind.CLAIM, dt.date(2026, 2, 4)) == "REC-2026-0005"
        assert receive(CaseKind.COMPLIMENT, dt.date(2026, 2, 5)) == "FEL-2026-0005"
        assert receive(CaseKind.CLAIM, dt.date(2025, 12, 30)) == "REC-2025-0002"
        assert Case.select(Case.number).distinct().count() == len(OLD_CASES) + 5
        # Going back to CASE- could repeat an old number of another series: refused.
        with pytest.raises(ValidationError) as refused:
            company.save_company_settings(
                company.CompanySettings(
                    **{**vars(company.load_company_settings()), "complaint_prefix": "CASE-"}
                )
            )
        assert set(refused.value.errors) == {"complaint_prefix"}
        upgraded = {(i.name, tuple(i.columns), i.unique) for i in db.get_indexes("case")}
    finally:
        close_database()
    open_database(str(tmp_path / "fresh.sqlite3"))
    try:
        fresh = {(i.name, tuple(i.columns), i.unique) for i in db.get_indexes("case")}
        assert upgraded == fresh
        assert ("case_series_year_sequence", ("series", "year", "sequence"), True) in fresh
    finally:
        close_database()
