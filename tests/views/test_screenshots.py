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
    try:
        code, stdout, err = run(capsys, "screenshots", "--db", str(path), "--out", str(out), "--lang", "es")
    finally:
        apply_language("en")
    assert code == 0, err
    files = {p.name for p in out.glob("*.png")}
    assert {f"es-{i:02d}-{spec.key}.png" for i, spec in enumerate(PAGES, start=1)} <= files
    assert {
        "es-dialog-customer-360.png",
        "es-dialog-follow-up-complete.png",
        "es-02-agenda-week.png",
    } <= files
    assert all((out / name).stat().st_size > 5000 for name in files)
    assert len(stdout.splitlines()) == len(files)


@pytest.mark.sqlite_only("a missing file not created")
def test_screenshots_of_a_missing_database_is_an_error(capsys, tmp_path):
    code, _out, err = run(
        capsys, "screenshots", "--db", str(tmp_path / "none.sqlite3"), "--out", str(tmp_path / "o")
    )
    assert code == 1 and "no database" in one_line_error(err)
