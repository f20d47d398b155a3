"""Keep the gettext catalogs in step with the code (Babel).

    python tools/translations.py update    # extract _()/N_() strings, merge into every .po
    python tools/translations.py compile   # write the .mo files the app loads (into app/resources/)

Translate the new empty or fuzzy entries in resources/i18n/<lang>/LC_MESSAGES/postventa.po
between the two. tests/test_translations.py fails while a string is untranslated.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))  # also when loaded by the tests, not run as a script
from build_resources import build_resources  # noqa: E402

SOURCE = ROOT / "app"
I18N = ROOT / "resources" / "i18n"
DOMAIN = "postventa"
# English is the source language: only Spanish needs a catalog.
TRANSLATED_LANGUAGES = ("es",)
# pgettext(context, message): Babel keeps the context (msgctxt) of argument 1.
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def extract() -> Catalog:
    catalog = Catalog(project="Postventa", domain=DOMAIN, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(SOURCE), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("Translators:",)
    ):
        catalog.add(message, locations=[(f"app/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(language: str) -> Path:
    return I18N / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def update() -> None:
    template = extract()
    for language in TRANSLATED_LANGUAGES:
        path = po_path(language)
        if path.exists():
            catalog = read_catalog(language)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, domain=DOMAIN, project="Postventa", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=False, ignore_obsolete=True)
        missing = sum(1 for m in catalog if m.id and (not m.string or m.fuzzy))
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages, {missing} to translate")


def compile_all() -> None:
    """What the build does: the catalogs (and fonts, icons) into app/resources/ of this source tree."""
    for path in build_resources(ROOT / "app" / "resources"):
        if path.suffix == ".mo":
            print(f"{path.relative_to(ROOT)} written")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    else:
        sys.exit(__doc__)
