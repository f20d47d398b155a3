"""`postventa screenshots`: every page and dialog rendered offscreen from a demo database."""

from __future__ import annotations

import pytest

from tests.helpers import one_line_error, run


def test_screenshots_render_every_page_and_dialog(capsys, tmp_path, new_database, qapp):
    from app.views.app import apply_language
    from app.views.pages.registry import PAGES

    path = new_database("demo")
    assert run(capsys, "demo", "--db", str(path), "--customers", "25", "--today", "2026-11-23")[0] == 0
    out = tmp_path / "shots"
    out.mkdir()
    (out / "es-01-dashboard.png").write_bytes(b"an earlier run")  # replaced: --force
    (out / "notes.txt").write_text("mine")  # left alone
    try:
        code, stdout, err = run(
            capsys, "screenshots", "--db", str(path), "--out", str(out), "--lang", "es", "--force"
        )
    finally:
        apply_language("en")
    assert code == 0, err
    assert (out / "notes.txt").read_text() == "mine" and not list(out.glob(".*.part"))
    files = {p.name for p in out.glob("*.png")}
    assert {f"es-{i:02d}-{spec.key}.png" for i, spec in enumerate(PAGES, start=1)} <= files
    assert {
        "es-dialog-customer-360.png",
        "es-dialog-follow-up-complete.png",
        "es-02-agenda-week.png",
        "es-dialog-audit-log.png",
    } <= files
    if "://" not in path:  # an SQLite file: the office server is backed up on the server
        assert "es-dialog-backups.png" in files
    assert all((out / name).stat().st_size > 5000 for name in files)
    assert len(stdout.splitlines()) == len(files)


def test_screenshots_refuse_a_folder_of_earlier_ones_without_force(capsys, tmp_path, new_database):
    from app.models.database import close_database, open_database

    path = new_database("empty", schema=True)
    open_database(path)
    close_database()
    out = tmp_path / "shots"
    out.mkdir()
    (out / "en-01-dashboard.png").write_bytes(b"an earlier run")
    code, stdout, err = run(capsys, "screenshots", "--db", path, "--out", str(out), "--lang", "en")
    assert code == 1
    assert one_line_error(err) == (
        f"postventa: {out} already holds screenshots (en-*.png); add --force to replace them."
    )
    assert [p.name for p in out.iterdir()] == ["en-01-dashboard.png"] and stdout == ""


@pytest.mark.sqlite_only("a missing file not created")
def test_screenshots_of_a_missing_database_is_an_error(capsys, tmp_path):
    code, _out, err = run(
        capsys, "screenshots", "--db", str(tmp_path / "none.sqlite3"), "--out", str(tmp_path / "o")
    )
    assert code == 1 and "no database" in one_line_error(err)
