"""Cell values as the import reads them: text, dates, numbers and yes/no, from CSV text or workbook cells.

A CSV cell is always text; a workbook cell may be a number, a date, a boolean or text. The parsers take
either and return the value, or raise ValueError with a message for the user. The formats are those
of Spanish companies' files first: dates `23/11/2026` (also `2026-11-23` and Excel's serial numbers),
amounts `1.234,50` (or `1,234.50`), codes whose leading zeros matter (`00017` stays text), and phone
numbers a spreadsheet turned into numbers (`600123456.0` is read back as `600123456`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from app.i18n import _
from app.services.inputs import clean_text

# Excel counts days from 30 December 1899 (its 1900 leap-year bug folded in); LibreOffice the same.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers of 1 January 1900 … 31 December 9999: a number outside is not a date.
_SERIALS = range(1, 2_958_466)
_DAY_MONTH_YEAR_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$")
_YEAR_MONTH_DAY_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DAY_MONTH_YEAR_TIME_RE = re.compile(r"^(\S+)\s+\d{1,2}:\d{2}(?::\d{2})?$")
# Currency signs and spaces (ordinary, no-break and thin) around or inside an amount.
_AMOUNT_NOISE_RE = re.compile(r"[\s\u00a0\u202f€$£]|EUR", re.IGNORECASE)
_THOUSANDS_RE = {
    ".": re.compile(r"^[1-9]\d{0,2}(\.\d{3})+$"),
    ",": re.compile(r"^[1-9]\d{0,2}(,\d{3})+$"),
}
_NUMBER_CHARS_RE = re.compile(r"[\d.,]+")
_TRUE = {"si", "s", "yes", "y", "true", "verdadero", "1", "x"}
_FALSE = {"no", "n", "false", "falso", "0"}


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_text(value: object) -> str:
    """A cell as text: numbers without '.0' or an exponent (a phone 600123456 stays 600123456),
    dates as dd/mm/yyyy, text as it is (trimmed, control characters removed: inputs.clean_text)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return clean_text(value)


class DateOrder(StrEnum):
    """How a column writes its day and month: `23/11/2026` (Spain) or `11/23/2026` (the USA)."""

    DAY_FIRST = "dmy"
    MONTH_FIRST = "mdy"


class DecimalMark(StrEnum):
    """How a column writes its amounts: `1.234,50` (Spain) or `1,234.50` (the UK and the USA)."""

    COMMA = "comma"
    POINT = "point"


def parse_date(value: object, order: DateOrder = DateOrder.DAY_FIRST) -> dt.date:
    """A date cell, `dd/mm/yyyy` (also with '-' or '.'; a two-digit year is 20yy; `mm/dd/yyyy` when
    the column's `order` is month first), `yyyy-mm-dd` (with a time, ignored) or an Excel serial number."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_serial(value)
    text = clean_text(value)
    if match := _DAY_MONTH_YEAR_TIME_RE.match(text):  # "23/11/2026 00:00" from some exports
        text = match[1]
    try:
        if match := _DAY_MONTH_YEAR_RE.match(text):
            day, month, year = int(match[1]), int(match[2]), int(match[3])
            if order is DateOrder.MONTH_FIRST:
                day, month = month, day
            return dt.date(year + 2000 if len(match[3]) == 2 else year, month, day)
        if match := _YEAR_MONTH_DAY_RE.match(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(_("{value} is not a date of the calendar.").format(value=text)) from None
    if re.fullmatch(r"\d+(\.0+)?", text):
        return _from_serial(float(text))
    if order is DateOrder.MONTH_FIRST:
        raise ValueError(_("{value} is not a date (write it as mm/dd/yyyy).").format(value=text))
    raise ValueError(_("{value} is not a date (write it as dd/mm/yyyy).").format(value=text))


def _from_serial(number: float) -> dt.date:
    if not float(number).is_integer() and int(number) in _SERIALS:
        number = int(number)  # a date and time: the day
    if not float(number).is_integer() or int(number) not in _SERIALS:
        raise ValueError(
            _("{value} is not a date (write it as dd/mm/yyyy).").format(value=parse_text(number))
        )
    return _EXCEL_EPOCH + dt.timedelta(days=int(number))


def parse_decimal(value: object, mark: DecimalMark | None = None) -> Decimal:
    """An amount: a number cell, or text with a decimal comma or point and optional thousands
    separators and currency sign ('1.234,50 €', '1,234.50', '1234,5', '-12.5').

    `mark`: the column's decimal mark (formats.detect_formats, or the person's choice); the other
    sign may only group thousands ('1.234,50' with a comma; '12.50' is no amount then). Without it,
    each value decides: with both separators the last one is the decimals'. With one kind only: a
    comma is decimal unless it groups thousands more than once ('1,234,567'); a point is a thousands
    separator when it groups digits by three ('1.234', '12.345.678': as Spanish writes them), else
    decimal ('12.50')."""
    if isinstance(value, bool):
        raise ValueError(_("{value} is not a number.").format(value=value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = _AMOUNT_NOISE_RE.sub("", clean_text(value))
    sign = ""
    if text[:1] in ("+", "-"):
        sign, text = text[0].replace("+", ""), text[1:]
    elif text.startswith("(") and text.endswith(")"):  # accounting programs' negative amounts
        sign, text = "-", text[1:-1]
    if text.isascii() and text.isdigit():  # most quantities: nothing to resolve
        number: str | None = text
    else:
        number = _plain_number(text) if mark is None else _marked_number(text, mark)
    if number is None and mark is not None:
        example = "1.234,50" if mark is DecimalMark.COMMA else "1,234.50"
        raise ValueError(
            _("{value} is not a number written as this column writes them ({example}).").format(
                value=clean_text(value), example=example
            )
        )
    if number is None:
        raise ValueError(_("{value} is not a number.").format(value=clean_text(value)))
    try:
        return Decimal(sign + number)
    except InvalidOperation:
        raise ValueError(_("{value} is not a number.").format(value=clean_text(value))) from None


def _plain_number(text: str) -> str | None:
    """`text` with its separators resolved ('1.234,50' → '1234.50'), or None when it is no number."""
    if not text or not _NUMBER_CHARS_RE.fullmatch(text) or not any(ch.isdigit() for ch in text):
        return None
    if "." in text and "," in text:
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        whole, _sep, fraction = text.rpartition(decimal)
        if not _THOUSANDS_RE[thousands].match(whole) and thousands in whole:
            return None
        return whole.replace(thousands, "") + "." + fraction if fraction.isdigit() else None
    for separator in (",", "."):
        if separator not in text:
            continue
        if _THOUSANDS_RE[separator].match(text) and (separator == "." or text.count(",") > 1):
            return text.replace(separator, "")
        whole, _sep, fraction = text.partition(separator)
        if separator in fraction or not fraction.isdigit() or not whole.isdigit():
            return None
        return f"{whole}.{fraction}"
    return text


def _marked_number(text: str, mark: DecimalMark) -> str | None:
    """`text` read with `mark` as its decimal sign and the other one grouping thousands, or None."""
    decimal, thousands = (",", ".") if mark is DecimalMark.COMMA else (".", ",")
    if not text or not _NUMBER_CHARS_RE.fullmatch(text) or text.count(decimal) > 1:
        return None
    whole, _sep, fraction = text.partition(decimal)
    if thousands in whole:
        if not _THOUSANDS_RE[thousands].match(whole):
            return None
        whole = whole.replace(thousands, "")
    if not whole.isdigit() or (_sep and not fraction.isdigit()):
        return None
    return f"{whole}.{fraction}" if fraction else whole


def parse_integer(value: object, mark: DecimalMark | None = None) -> int:
    """A whole number: a number cell or text ('24', '24,0', '1.000')."""
    number = parse_decimal(value, mark)
    if number != number.to_integral_value():
        raise ValueError(_("{value} is not a whole number.").format(value=parse_text(value)))
    return int(number)


def parse_yes_no(value: object) -> bool:
    """Yes or no: sí/si/s/yes/y/true/verdadero/1/x, or no/n/false/falso/0."""
    if isinstance(value, bool):
        return value
    key = fold(parse_text(value))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(_("{value} is not yes or no (write sí or no).").format(value=parse_text(value)))


def fold(text: str) -> str:
    """Lower case without accents: 'Sí' → 'si'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def header_key(text: object) -> str:
    """A column header as it is compared: accents, case, dots and other punctuation ignored
    ('N.I.F.' → 'nif', 'Código Postal' → 'codigo postal', 'CIF/NIF' → 'cif nif', 'Nº' → 'no')."""
    folded = fold(parse_text(text)).replace(".", "")
    return " ".join(re.split(r"[^0-9a-z]+", folded)).strip()
