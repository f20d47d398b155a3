"""Sorting a list by one of its columns, in SQL: the key a list is sorted by and the ORDER BY it makes.

A list service names the keys it sorts by (`{"customer": Customer.name, …}`) and takes a `ListSort`;
`ordering` turns it into the ORDER BY terms, with the row id last so paging is stable. Stored choices
(states, kinds) sort by their translated label, or in the order of their workflow (`choice_rank`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from peewee import Case

from app.models.customers import fold_for_search
from app.models.enums import Choice


@dataclass(frozen=True)
class ListSort:
    """Sort a list by `key` (one of the keys its service offers), descending or not."""

    key: str
    descending: bool = False


def choice_rank(field, choices: Iterable[Choice], *, by_label: bool = True):
    """Each stored code's position: alphabetical by label in the current language (`by_label`), else
    in the order given (a workflow's states). Codes not listed go last."""
    members = list(choices)
    if by_label:
        members.sort(key=lambda member: fold_for_search(member.label))
    return Case(field, [(member.value, position) for position, member in enumerate(members)], len(members))


def ordering(
    sort: ListSort | None,
    keys: Mapping[str, Any],
    default: Sequence[Any],
    tie_break: Any,
    then: Sequence[Any] = (),
) -> list[Any]:
    """The ORDER BY terms: `default` without a sort, else the key's expression(s) (empty values last in
    both directions), `then` (as given: equal values in the list's usual order) and `tie_break` in the
    sort's direction. An unknown key is a programming error."""
    if sort is None:
        return list(default)
    if sort.key not in keys:
        raise ValueError(f"Unknown sort key {sort.key!r}; use one of {', '.join(keys)}")
    expressions = keys[sort.key]
    if not isinstance(expressions, tuple):
        expressions = (expressions,)
    if sort.descending:
        return [*(e.desc(nulls="LAST") for e in expressions), *then, tie_break.desc()]
    return [*(e.asc(nulls="LAST") for e in expressions), *then, tie_break.asc()]
