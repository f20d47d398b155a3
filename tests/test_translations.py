"""Every user-visible string has a Spanish translation, and the compiled catalog is current."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from app import i18n
from app.models.enums import FollowUpState

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("translations_tool", ROOT / "tools" / "translations.py")
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)

PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def test_every_string_in_the_code_has_a_spanish_translation():
    source = tool.extract()
    spanish = tool.read_catalog("es")
    missing = []
    for message in source:
        if not message.id:
            continue
        translated = spanish.get(message.id, context=message.context)
        forms = translated.string if translated is not None and isinstance(translated.string, tuple) else None
        if translated is None or not translated.string or translated.fuzzy or (forms and not all(forms)):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert missing == [], (
        "Untranslated (run tools/translations.py update, translate, compile):\n" + "\n".join(missing)
    )


def test_translations_keep_the_placeholders():
    for message in tool.read_catalog("es"):
        if message.id and isinstance(message.id, str) and message.string:
            assert sorted(PLACEHOLDER.findall(message.id)) == sorted(PLACEHOLDER.findall(message.string)), (
                message.id
            )
        elif (
            message.id and message.string
        ):  # a plural: the singular's form as its source, the others as the plural
            singular, plural = message.id
            for position, form in enumerate(message.string):
                source = singular if position == 0 else plural
                assert sorted(PLACEHOLDER.findall(form)) == sorted(PLACEHOLDER.findall(source)), singular


def test_the_installed_catalog_holds_the_po_files_translations():
    """A stale compiled catalog fails here; compared message by message, so no Babel version matters."""
    import gettext

    from app.package_data import resource_path

    expected: dict = {}
    for message in tool.read_catalog("es"):
        if not message.id or not message.string or message.fuzzy:
            continue
        if isinstance(message.id, tuple):  # plural forms, keyed as gettext keys them
            expected.update({(message.id[0], n): form for n, form in enumerate(message.string)})
        elif message.context:  # pgettext's: "context\x04message"
            expected[f"{message.context}\x04{message.id}"] = message.string
        else:
            expected[message.id] = message.string
    with resource_path("i18n", "es", "LC_MESSAGES", "postventa.mo").open("rb") as handle:
        installed = {
            key: value for key, value in gettext.GNUTranslations(handle)._catalog.items() if key != ""
        }
    assert installed == expected, "run: python tools/translations.py compile (or pip install -e . again)"


def test_language_switch_translates_enum_labels_and_formats():
    i18n.set_language("es")
    assert FollowUpState.PLANNED.label == "Planificado"
    assert i18n.format_money(1234.5) == "1.234,50\xa0€"
    import datetime as dt

    assert i18n.format_date(dt.date(2026, 11, 23)) == "23/11/2026"
    i18n.set_language("en")
    assert FollowUpState.PLANNED.label == "Planned"
    assert i18n.format_money(1234.5) == "€1,234.50"


def test_no_translation_call_hides_inside_an_f_string():
    """Babel's extractor cannot see _() inside an f-string; such text would stay English."""
    pattern = re.compile(r"""\bf(["']).*\{[^}]*\b_\(""")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "app").rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []
