"""Put what runs into the package: `resources/` (sources) → `app/resources/` (runtime data).

- translations: every `resources/i18n/<lang>/LC_MESSAGES/postventa.po` compiled to a `.mo`;
- fonts: the DejaVu files and their licence, copied;
- icons: the application icon, copied.

Run by the build (setup.py's build_py, for wheels, editable installs and the bundles) and by
`tools/translations.py compile`. Needs only the standard library and Babel.
"""

from __future__ import annotations

import shutil
import sys
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "resources"
DOMAIN = "postventa"
COPIED = {"fonts": ("*.ttf", "*LICENSE*"), "icons": ("*.svg", "*.png", "*.ico", "*.icns")}


def compile_catalog(po_file: Path) -> bytes:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    language = po_file.parent.parent.name
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out, as gettext's msgfmt does
    return buffer.getvalue()


def build_resources(target: Path) -> list[Path]:
    """Write the runtime resources under `target` (…/app/resources); returns the files written."""
    written: list[Path] = []
    for po_file in sorted((SOURCES / "i18n").glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_file = target / po_file.relative_to(SOURCES).with_suffix(".mo")
        mo_file.parent.mkdir(parents=True, exist_ok=True)
        mo_file.write_bytes(compile_catalog(po_file))
        written.append(mo_file)
    for folder, patterns in COPIED.items():
        for pattern in patterns:
            for source in sorted((SOURCES / folder).glob(pattern)):
                copy = target / folder / source.name
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, copy)
                written.append(copy)
    return written


if __name__ == "__main__":
    destination = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "app" / "resources"
    for path in build_resources(destination):
        print(path)
