"""What people type, made fit to store: one rule for text and one for dates, used by every command.

Text: typed, pasted or imported text may carry characters no one sees and the database cannot
hold (a lone UTF-16 surrogate from a broken paste cannot be written as UTF-8; PostgreSQL refuses
NUL). `clean_text` tidies them away the way stripping spaces does, so a command never fails on them.

Choices: a state, kind or channel arrives as the enum or its stored code; `choice_or_none` turns
either into the enum, and anything else (None, an unknown code) into None for the command to refuse.

Dates: the records of an after-sales department are of this century and of the near future.
A date outside 1 January 2000 … 31 December of next year is a typing slip (2206 for 2026) or a
value no arithmetic survives (9999-12-31 plus a warranty is year 10000). The same range bounds
the date fields of the forms and the periods of the printed documents.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import TypeVar

from app.i18n import _

FIRST_YEAR = 2000
YEARS_AHEAD = 1

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


def is_email(text: str) -> bool:
    """`text` reads as an e-mail address (name@example.com): the one check of customers' and reps'."""
    return _EMAIL_RE.match(text) is not None


# C0 and C1 control characters except tab, line feed and carriage return.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(value: object) -> str:
    """`value` as storable text, spaces trimmed: control characters (NUL…) removed, a lone
    surrogate replaced by U+FFFD '�' (a valid pair becomes its character). None is ''."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isprintable():  # no control character, no surrogate: most text (an import cleans millions)
        return text.strip()
    if not text.isascii():
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _CONTROL_RE.sub("", text).strip()


def last_year(today: dt.date | None = None) -> int:
    return (today or dt.date.today()).year + YEARS_AHEAD


def date_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and the last date a user may enter (inclusive)."""
    return dt.date(FIRST_YEAR, 1, 1), dt.date(last_year(today), 12, 31)


def date_error(day: dt.date | dt.datetime, today: dt.date | None = None) -> str | None:
    """Why `day` is refused (outside `date_range`), or None when it is fine."""
    if isinstance(day, dt.datetime):
        day = day.date()
    first, last = date_range(today)
    if first <= day <= last:
        return None
    return _("Choose a date between {first} and {last}.").format(first=first.year, last=last.year)


E = TypeVar("E", bound=Enum)


def choice_or_none(enum_class: type[E], value: object) -> E | None:
    """`value` (the enum or its stored code) as a member of `enum_class`; None when it is not one."""
    try:
        return enum_class(value)
    except ValueError:
        return None
