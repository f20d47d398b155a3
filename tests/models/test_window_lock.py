"""One window per database: the canonical spelling of a database file and its lock name (no Qt)."""

from __future__ import annotations

import os
import re
import sys

import pytest

from app import i18n
from app.models.window_lock import DatabaseInUseError, canonical_sqlite_path, lock_name, lock_name_of


@pytest.fixture
def company_file(tmp_path):
    folder = tmp_path / "José Muñoz" / "Datos de empresa"
    folder.mkdir(parents=True)
    path = folder / "empresa.sqlite3"
    path.write_bytes(b"")
    return path


@pytest.mark.sqlite_only("the single-window lock of an SQLite file")
def test_every_spelling_of_one_file_is_one_canonical_path(company_file, monkeypatch):
    canonical = canonical_sqlite_path(str(company_file))
    assert canonical == str(company_file.resolve())
    monkeypatch.chdir(company_file.parent.parent)
    assert canonical_sqlite_path("Datos de empresa/empresa.sqlite3") == canonical
    assert canonical_sqlite_path("./Datos de empresa/../Datos de empresa/empresa.sqlite3") == canonical
    assert canonical_sqlite_path(f"sqlite:///{company_file}") == canonical


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
@pytest.mark.sqlite_only("the single-window lock of an SQLite file")
def test_a_symlink_to_the_file_or_its_folder_is_the_same_file(company_file, tmp_path):
    (tmp_path / "link-to-folder").symlink_to(company_file.parent, target_is_directory=True)
    (tmp_path / "link-to-file.sqlite3").symlink_to(company_file)
    canonical = canonical_sqlite_path(str(company_file))
    assert canonical_sqlite_path(str(tmp_path / "link-to-folder" / "empresa.sqlite3")) == canonical
    assert canonical_sqlite_path(str(tmp_path / "link-to-file.sqlite3")) == canonical


@pytest.mark.sqlite_only("the single-window lock of an SQLite file")
def test_a_new_file_has_a_canonical_path_before_it_exists(tmp_path):
    new = tmp_path / "José Muñoz" / "nueva.sqlite3"
    assert canonical_sqlite_path(str(new)) == str(new.resolve())


@pytest.mark.sqlite_only("the single-window lock of an SQLite file")
def test_case_and_accents_fold_only_where_the_file_system_ignores_them(tmp_path):
    decomposed = str(tmp_path / "Jose\u0301 MUN\u0303OZ" / "Empresa.sqlite3")
    on_mac = canonical_sqlite_path(decomposed, platform="darwin")
    assert on_mac.endswith("/josé muñoz/empresa.sqlite3") and on_mac == on_mac.lower()
    assert canonical_sqlite_path(decomposed, platform="linux").endswith(
        "/Jose\u0301 MUN\u0303OZ/Empresa.sqlite3"
    )
    on_windows = canonical_sqlite_path(decomposed, platform="win32")
    assert "/" not in on_windows and on_windows.endswith("\\jose\u0301 mun\u0303oz\\empresa.sqlite3")


def test_server_databases_are_not_locked():
    assert canonical_sqlite_path("postgresql://rep:secret@db.example/postventa") is None
    assert lock_name_of("postgresql://rep@db.example/postventa") is None


@pytest.mark.sqlite_only("the single-window lock of an SQLite file")
def test_the_lock_name_is_short_legal_and_per_file_and_user(company_file, tmp_path):
    canonical = canonical_sqlite_path(str(company_file))
    name = lock_name(canonical, "lucia")
    # A Unix socket path in a long macOS temporary folder stays under 104 bytes; no separators.
    assert re.fullmatch(r"postventa-[0-9a-f]{32}", name)
    assert lock_name(canonical, "lucia") == name
    assert lock_name(canonical, "pedro") != name
    assert lock_name(canonical_sqlite_path(str(tmp_path / "otra.sqlite3")), "lucia") != name
    assert lock_name_of(os.path.relpath(company_file)) == lock_name(canonical)


def test_the_refusals_say_what_happened():
    raised = DatabaseInUseError("/datos/empresa.sqlite3", answered=True, brought_to_front=True)
    assert raised.brought_to_front and "brought to the front" in str(raised)
    switch = DatabaseInUseError("/datos/empresa.sqlite3", answered=True)
    assert not switch.brought_to_front and "already open in another Postventa window" in str(switch)
    silent = DatabaseInUseError("/datos/empresa.sqlite3", answered=False, brought_to_front=True)
    assert not silent.brought_to_front and "does not answer" in str(silent)
    i18n.set_language("es")
    assert "ya está abierto en otra ventana" in str(DatabaseInUseError("/datos/e.sqlite3", answered=True))
