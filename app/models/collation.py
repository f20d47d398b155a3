"""Names in the order people expect: "Álvaro" beside "Alvaro", before "Sergio", and "Ñandú" after
"Nuñez" (issue 22). No Qt.

The Unicode Collation Algorithm with its default table (DUCET 10.0.0, through pyuca: pure Python,
the same on Windows, macOS and Linux, pinned in packaging/constraints.txt), tailored for Spanish:
ñ is a letter of its own between n and o, as the RAE and CLDR's Spanish order it (English, which
orders ñ as an n, differs only there). Accents and case decide only between names otherwise equal.

`sort_key(text)` is a plain string whose byte order (SQLite's BINARY, PostgreSQL's comparison of
its lowercase hex digits) is that order, so it can be stored beside a name and indexed:
`customer.sort_key` (schema 18) orders the customer list in SQL. `sorted_by_name` sorts short
lists in Python with the same key (reps, products, categories in combos).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")

# The most characters a stored key keeps (the column's length): the first 30 or so letters of a
# name decide; names equal that far are ordered by the name itself, then by id.
MAX_KEY_LENGTH = 250

# Spanish's one tailoring of the default table: ñ sorts as a letter after n. Ŋ (eng) has the
# default table's weight right after n and before o, so ñ is given its weights.
_SPANISH = str.maketrans({"ñ": "ŋ", "Ñ": "Ŋ"})
_WORDS = re.compile(r"(\s+)")


@functools.cache
def _collator() -> Any:
    from pyuca.collator import Collator_10_0_0  # loads its table (0.3 s) on first use only

    return Collator_10_0_0()


@functools.lru_cache(maxsize=20_000)
def _weights(word: str) -> tuple[str, str]:
    """A word's primary and secondary weights, encoded; words repeat across names (an import keys
    100,000 of them), so each is weighed once."""
    elements = _collator().collation_elements(unicodedata.normalize("NFD", word))
    primary = "".join(f"{element[0]:04x}" for element in elements if element[0])
    secondary = "".join(f"{min(element[1], 0xFFF):03x}" for element in elements if element[1])
    return primary, secondary


def sort_key(text: str | None) -> str:
    """The key `text` sorts by: primary weights (the letters), then secondary ones (the accents),
    as fixed-width lowercase hex, at most MAX_KEY_LENGTH characters. '' for an empty text."""
    if not text:
        return ""
    spanish = unicodedata.normalize("NFC", text).translate(_SPANISH)
    weights = [_weights(word) for word in _WORDS.split(spanish) if word]
    # "0000" ends the primary weights: lower than any weight, so "Ana" sorts before "Anabel".
    key = "".join(p for p, _ in weights) + "0000" + "".join(s for _, s in weights)
    return key[:MAX_KEY_LENGTH]


def sorted_by_name(items: Iterable[T], name: Callable[[T], str]) -> list[T]:
    """`items` in the collation order of their names (ties: the name as written)."""
    return sorted(items, key=lambda item: (sort_key(name(item)), name(item)))
