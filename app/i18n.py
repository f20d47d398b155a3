"""One translation system for every layer: gettext catalogs compiled by Babel.

Source strings are English; `resources/i18n/<lang>/LC_MESSAGES/postventa.po` holds
the translations, compiled by the build into the package (`app/resources/i18n`). Mark module-level constants with `N_()` and translate them with
`_()` at display time, so a language switch takes effect without re-importing.
Dates, numbers and money are formatted by Babel for the current locale.
"""

from __future__ import annotations

import functools
import gettext
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING

from app.package_data import resource_path

if TYPE_CHECKING:
    # Imported where dates and numbers are formatted (as babel's modules), after the first paint
    # (issue 19).
    import datetime as dt
    from decimal import Decimal

DOMAIN = "postventa"
LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"
SOURCE_LANGUAGE = "en"  # the strings in the code: no catalog
# Babel locale per UI language: Spanish as in Spain, English with ISO-like dates.
_LOCALES = {"es": "es_ES", "en": "en_GB"}
CURRENCY = "EUR"

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"
# A document written in another language than the UI's switches only its own thread, so a
# Spanish PDF built in the background never turns the English window Spanish meanwhile.
_thread = threading.local()


@functools.cache
def _babel_dates() -> ModuleType:
    """Babel's dates, imported with the first date shown: not on the way to the window's first paint."""
    from babel import dates

    return dates


@functools.cache
def _babel_numbers() -> ModuleType:
    from babel import numbers

    return numbers


def _check(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"Unsupported language {language!r}; choose one of {', '.join(LANGUAGES)}")


@functools.cache
def _catalog(language: str) -> gettext.NullTranslations:
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    # A missing catalog is a broken installation: say so instead of silently speaking English.
    resource_path("i18n", language, "LC_MESSAGES", f"{DOMAIN}.mo")
    return gettext.translation(DOMAIN, resource_path("i18n"), languages=[language])


def set_language(language: str) -> None:
    """Switch every `_()` call, and Babel formatting, to `language` ('es' or 'en')."""
    global _translation, _language
    _check(language)
    _language = language
    _catalog.cache_clear()  # a language switch re-reads the catalog (a fresh .mo after an update)
    _translation = _catalog(language)


def current_language() -> str:
    return getattr(_thread, "language", None) or _language


@contextmanager
def using_language(language: str) -> Iterator[None]:
    """Within the block, this thread speaks `language` (a document in another language than the UI's)."""
    _check(language)
    previous = getattr(_thread, "language", None), getattr(_thread, "translation", None)
    _thread.language, _thread.translation = language, _catalog(language)
    try:
        yield
    finally:
        _thread.language, _thread.translation = previous


def _current_translation() -> gettext.NullTranslations:
    return getattr(_thread, "translation", None) or _translation


def current_locale() -> str:
    return _LOCALES[current_language()]


def _(message: str) -> str:
    return _current_translation().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current_translation().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` translated in `context`, where one English word needs another translation: "(none)"
    of a product is "(ninguno)", of a cause "(ninguna)"; a charter is "Activa", a product "Activo"."""
    return _current_translation().pgettext(context, message)


def N_(message: str) -> str:  # noqa: N802 (gettext's name)
    """Mark a string for extraction without translating it yet."""
    return message


def format_date(value: dt.date | None, format: str = "short") -> str:
    if value is None:
        return ""
    import datetime as dt

    if isinstance(value, dt.datetime):
        value = value.date()
    if format == "short":
        # Babel's short pattern has a two-digit year in Spanish; DOMAIN.md wants 23/11/2026.
        format = "dd/MM/yyyy"
    return _babel_dates().format_date(value, format=format, locale=current_locale())


def format_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return f"{format_date(value)} {_babel_dates().format_time(value, 'HH:mm', locale=current_locale())}"


def format_time(value: dt.datetime | dt.time | None) -> str:
    if value is None:
        return ""
    return _babel_dates().format_time(value, "HH:mm", locale=current_locale())


def round_half_up(value: int | float | Decimal, decimals: int) -> Decimal:
    """`value` rounded half up to `decimals` places: the one display rule for every figure shown.

    Babel on its own rounds half to even (18.5 → 18) and a float's binary value can sit just below a
    half; a float goes through its shortest repr (2.675 → "2.675"), the number people would write.
    """
    from decimal import ROUND_HALF_UP, Decimal

    rounded = to_decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded  # −0.3 shows "0", never "−0"


def to_decimal(value: int | float | Decimal) -> Decimal:
    """A number as a Decimal; a float through its shortest repr (0.1 → Decimal("0.1"))."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def format_number(
    value: int | float | Decimal | None, decimals: int | None = None, *, grouping: bool = True
) -> str:
    """`value` as the locale writes it ("1.234,5" in Spanish); without `grouping`, no thousands
    separator ("1234,5": what a CSV file for a spreadsheet holds)."""
    if value is None:
        return ""
    if decimals is None:
        return _babel_numbers().format_decimal(value, locale=current_locale(), group_separator=grouping)
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * decimals if decimals else "")
    return _babel_numbers().format_decimal(
        round_half_up(value, decimals), format=pattern, locale=current_locale()
    )


def format_signed(value: int | float | Decimal, decimals: int = 0) -> str:
    """A number with its sign as shown: "+12", "−1.5" (a true minus), "0" (zero has no sign)."""
    shown = round_half_up(value, decimals)
    text = format_number(abs(shown), decimals)
    return f"+{text}" if shown > 0 else f"−{text}" if shown < 0 else text


def format_money(value: int | float | Decimal | None) -> str:
    if value is None:
        return ""
    return _babel_numbers().format_currency(round_half_up(value, 2), CURRENCY, locale=current_locale())


def format_percent(value: float | Decimal | None, decimals: int = 1) -> str:
    """A share 0–1 as a percentage with `decimals` places (0.546875 → "54.7 %")."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + " %"
    shown = round_half_up(to_decimal(value) * 100, decimals) / 100  # rounded as the percentage shown
    return _babel_numbers().format_percent(shown, format=pattern, locale=current_locale())


def parse_decimal(text: str) -> Decimal:
    """Read a number typed in the current locale ('1.234,50' in Spanish); raises ValueError."""
    from decimal import Decimal

    try:
        return Decimal(str(_babel_numbers().parse_decimal(text.strip(), locale=current_locale())))
    except (_babel_numbers().NumberFormatError, ValueError, ArithmeticError) as exc:
        raise ValueError(text) from exc
