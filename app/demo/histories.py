"""The routes demo records take through the state machines, derived from the services' own tables.

The demo does not restate which changes are allowed: it names only the branches it prefers (the
states a route passes through) and how often each is taken; the states in between come from the
real transition tables (`app.services.returns.TRANSITIONS`, `app.services.cases.TRANSITIONS`), as
the shortest path the table allows. A route the table no longer allows, or one it leaves
ambiguous, raises at import, so the demo cannot drift from the rules
(tests/services/test_demo.py also walks every demo record's history against the tables).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from enum import Enum

from app.models.enums import CaseKind, CaseStage, ReturnState
from app.services.cases.workflow import TRANSITIONS as CASE_TRANSITIONS
from app.services.cases.workflow import first_stage
from app.services.returns.workflow import TRANSITIONS as RETURN_TRANSITIONS

Table = Mapping[Enum, frozenset]
Route = tuple[tuple[Enum, ...], int]  # (states passed through, besides start and end), weight


def legal_paths(table: Table, start: Enum, end: Enum) -> Iterator[list]:
    """Every path from `start` to `end` the table allows, no state twice (depth first)."""
    order = list(table)

    def walk(path: list) -> Iterator[list]:
        state = path[-1]
        if state is end:
            yield path
            return
        for following in sorted(table.get(state, ()), key=order.index):
            if following not in path:
                yield from walk([*path, following])

    yield from walk([start])


def _passes(path: Sequence, via: Sequence) -> bool:
    states = iter(path)
    return all(state in states for state in via)  # in this order


def route(table: Table, start: Enum, end: Enum, via: Sequence[Enum] = ()) -> list:
    """The shortest path the table allows from `start` to `end` through `via` (in order)."""
    paths = [path for path in legal_paths(table, start, end) if _passes(path, via)]
    if not paths:
        raise ValueError(f"no allowed path from {start} to {end} through {list(via)}")
    shortest = min(len(path) for path in paths)
    paths = [path for path in paths if len(path) == shortest]
    if len(paths) > 1:
        raise ValueError(f"several shortest paths from {start} to {end} through {list(via)}: name one")
    return paths[0]


def weighted_routes(
    table: Table, start: Enum, preferred: Mapping[Enum, Sequence[Route]]
) -> dict[Enum, list[tuple[list, int]]]:
    """For each state of the table: the paths into it with their weights (the demo's preferred
    routes where it names them, else the one shortest path, weight 1), in the table's order."""
    return {
        end: [(route(table, start, end, via), weight) for via, weight in preferred.get(end, [((), 1)])]
        for end in table
    }


_RS = ReturnState
# Returns: how often a return that ended in this state went which way.
_RETURN_ROUTES: dict[ReturnState, list[Route]] = {
    _RS.RETURNED_TO_CUSTOMER: [((_RS.REPAIRED,), 3), ((_RS.REJECTED,), 1)],
    _RS.CLOSED: [
        ((_RS.REPAIRED,), 50),
        ((_RS.REPLACED,), 20),  # the replacement went out with its own delivery: straight to closed
        ((_RS.REFUNDED,), 10),
        ((_RS.CREDITED,), 8),
        ((_RS.REJECTED,), 12),
    ],
    _RS.CANCELLED: [((), 3), ((_RS.RECEIVED,), 1)],
}
RETURN_PATHS = weighted_routes(RETURN_TRANSITIONS, _RS.REQUESTED, _RETURN_ROUTES)

_CS = CaseStage
# Complaints and claims: how often a case that reached this stage went which way.
_COMPLAINT_ROUTES: dict[CaseStage, list[Route]] = {
    _CS.SATISFACTION: [((), 4), ((_CS.INTERNAL_NEGOTIATION,), 1)],
    _CS.CLOSED: [
        ((_CS.SATISFACTION,), 72),  # accepted at the first proposal
        ((_CS.INTERNAL_NEGOTIATION, _CS.SATISFACTION), 20),
        ((_CS.EXTERNAL_MEDIATION,), 8),
    ],
}
_COMPLAINTS = CASE_TRANSITIONS[CaseKind.COMPLAINT]
COMPLAINT_PATHS = weighted_routes(_COMPLAINTS, first_stage(CaseKind.COMPLAINT), _COMPLAINT_ROUTES)
# Suggestions and compliments have one way through.
_NOTES = CASE_TRANSITIONS[CaseKind.SUGGESTION]
NOTE_PATHS = {stage: route(_NOTES, first_stage(CaseKind.SUGGESTION), stage) for stage in _NOTES}
