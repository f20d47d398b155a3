"""User preferences, declared once with their defaults, stored with QSettings.

Window state (geometry, last page) is kept apart under "window/"; company-wide
settings live in the database (app.services.company).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from app import APP_NAME
from app.i18n import DEFAULT_LANGUAGE
from app.locations import default_backups_folder, display_target


@dataclass(frozen=True)
class Option:
    key: str
    default: Any
    type: type


LANGUAGE = Option("preferences/language", DEFAULT_LANGUAGE, str)
LAST_DATABASE = Option("preferences/last_database", "", str)
REMINDER_LEAD_MINUTES = Option("preferences/reminder_lead_minutes", 15, int)
REMINDER_SUMMARY_HOUR = Option("preferences/reminder_summary_hour", 8, int)
CLOSE_TO_TRAY = Option("preferences/close_to_tray", True, bool)
BACKUPS_FOLDER = Option("preferences/backups_folder", "", str)  # "": the default folder


def qsettings() -> QSettings:
    # INI everywhere: one format to reason about, and tests can point it at a temporary folder.
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, APP_NAME, APP_NAME)


def get(option: Option) -> Any:
    value = qsettings().value(option.key, option.default)
    if option.type is bool and isinstance(value, str):
        # INI files hold "true"/"false": bool("false") would be True.
        return value.strip().lower() in ("1", "true", "yes", "on")
    try:
        return option.type(value)
    except (TypeError, ValueError):
        return option.default


def put(option: Option, value: Any) -> None:
    qsettings().setValue(option.key, value)


def backups_folder() -> Path:
    """Where this computer keeps its backups: the folder chosen in Preferences, else the default
    (a `backups` folder in the user data folder)."""
    chosen = get(BACKUPS_FOLDER).strip()
    return Path(chosen).expanduser() if chosen else default_backups_folder()


def current_rep_key(database_target: str) -> str:
    """Who uses the app is remembered per database: rep ids belong to one database (a URL's
    password never enters the settings file)."""
    shown = display_target(database_target)
    return "preferences/current_rep/" + shown.replace("/", "|").replace("\\", "|")


def last_login_key(database_target: str) -> str:
    """The login last used on an office server (never its password: that is the keyring's)."""
    shown = display_target(database_target)
    return "preferences/last_login/" + shown.replace("/", "|").replace("\\", "|")


# File ▸ Import…: the column mappings people confirmed, per kind and per source (its set of column
# headers, app.services.imports.headers_key), each a JSON {"column header": "field" or ""} — the
# format of `postventa import --mapping`. Offered again for the next file with the same headers.
IMPORT_MAPPINGS = "preferences/import_mappings"


def import_mapping(kind: str, headers_key: str) -> dict[str, str] | None:
    """The mapping remembered for files of `kind` with these headers, or None (none, or unreadable)."""
    text = qsettings().value(f"{IMPORT_MAPPINGS}/{kind}/{headers_key}")
    if not isinstance(text, str) or not text:
        return None
    try:
        mapping = json.loads(text)
    except ValueError:
        return None
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        return None
    return mapping


def import_mapping_keys(kind: str) -> list[str]:
    """The `headers_key`s of the files of `kind` a mapping is remembered for."""
    store = qsettings()
    store.beginGroup(f"{IMPORT_MAPPINGS}/{kind}")
    try:
        return list(store.childKeys())
    finally:
        store.endGroup()


def save_import_mapping(kind: str, headers_key: str, mapping: dict[str, str] | None) -> None:
    """Remember `mapping` for such files; None forgets it (the automatic matching is used again)."""
    key = f"{IMPORT_MAPPINGS}/{kind}/{headers_key}"
    if mapping is None:
        qsettings().remove(key)
    else:
        qsettings().setValue(key, json.dumps(mapping, ensure_ascii=False))


# The formats people chose in the import wizard for columns whose dates or numbers read both ways
# (or against what was found), per kind and source like the mappings, each a JSON {"column": code}
# (app.services.imports.formats: "dmy", "mdy", "comma", "point"). Offered again for the next file.
IMPORT_FORMATS = "preferences/import_formats"


def import_formats(kind: str, headers_key: str) -> dict[str, str]:
    """The formats chosen for the columns of files of `kind` with these headers ({} when none)."""
    text = qsettings().value(f"{IMPORT_FORMATS}/{kind}/{headers_key}")
    if not isinstance(text, str) or not text:
        return {}
    try:
        formats = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(formats, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in formats.items()
    ):
        return {}
    return formats


def save_import_formats(kind: str, headers_key: str, formats: dict[str, str]) -> None:
    """Remember the formats chosen for such files; none forgets them."""
    key = f"{IMPORT_FORMATS}/{kind}/{headers_key}"
    if not formats:
        qsettings().remove(key)
    else:
        qsettings().setValue(key, json.dumps(formats, ensure_ascii=False))


def window_state(key: str) -> Any:
    return qsettings().value("window/" + key)


def save_window_state(key: str, value: Any) -> None:
    store = qsettings()
    if store.value("window/" + key) != value:  # unchanged (the page restored at start): no write
        store.setValue("window/" + key, value)
