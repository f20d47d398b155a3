"""Undo and redo: compensating commands, never a rewrite of history. No Qt.

A view runs an undoable command through a `Recorder` (`for_follow_up`, `for_customer`, `for_plan`):

    recorder = undo.for_follow_up(_("Reschedule follow-up"), follow_up_id, acting_rep_id)
    recorder.run(lambda: followups.reschedule_follow_up(follow_up_id, when, ...))

`run` reads the record's business fields and row version, runs the command and reads them again,
all in one write transaction, so nobody's change can slip in between; when the command changed
something, `recorder.step` is an `UndoStep` that the window keeps on its `UndoStack`.

`UndoStep.undo()` and `redo()` are commands like any other: one write transaction each, audited
("Undone", "Redone": the log keeps the action and its undoing), refused for someone who may not
change the record, and refused with `UndoRefused` when the record's row version is no longer the
one the action (or the last undo or redo) left: another person's change, or one of the user's own
that is not on the stack, is never overwritten. "As before" means the business fields (the state,
the time, the fields of a form), not the bookkeeping (row version, update time), which moves on.
Undoing a completion, a cancellation or a missed contact takes the follow-up back to planned
through the compensating transitions only undo may take (`workflow.UNDO_TRANSITIONS`); a survey
the completion recorded is removed with it (and recorded again by redo).

`UndoStack` is the window's history of steps for one session on one database: the window clears it
when another database is opened or a sync brings changes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from app.i18n import _
from app.models import Customer, FollowUp, FollowUpPlan, SatisfactionSurvey
from app.models.enums import FollowUpState
from app.services import audit
from app.services.customers import records
from app.services.errors import DatabaseBusyError, DomainError
from app.services.followups import plans, workflow
from app.services.permissions import Permissions, Right, current_permissions
from app.services.transactions import write_command, write_transaction

T = TypeVar("T")
S = TypeVar("S")

# The kinds of data a step touches, as the window's change signal names them (app.views.events.Change).
FOLLOW_UPS, SURVEYS, CUSTOMERS, SETTINGS = "follow_ups", "surveys", "customers", "settings"

UNDO, REDO = "undo", "redo"  # their audit actions

# How many steps the stack keeps (the oldest go first).
STACK_LIMIT = 50


class UndoRefused(DomainError):
    """The step cannot be undone (or redone) any more; nothing was changed."""


def _changed_since(name: str) -> UndoRefused:
    return UndoRefused(
        _(
            "“{action}” cannot be undone: the record was changed after it, by you or someone else. "
            "Nothing was changed."
        ).format(action=name)
    )


def _gone(name: str) -> UndoRefused:
    return UndoRefused(_("“{action}” cannot be undone: the record no longer exists.").format(action=name))


class UndoStep(ABC, Generic[S]):
    """One action that can be undone and redone: its name (translated, "Reschedule follow-up"),
    the record it changed, its business fields before and after, and the row version the last
    application (the action, an undo or a redo) left."""

    changes: frozenset[str] = frozenset()

    def __init__(
        self,
        name: str,
        record_id: int,
        before: S,
        after: S,
        version: int,
        acting_rep_id: int | None,
        permissions: Permissions | None = None,
    ) -> None:
        self.name = name
        self.record_id = record_id
        self.before = before
        self.after = after
        self.version = version
        self.acting_rep_id = acting_rep_id
        self._permissions = permissions

    def undo(self) -> None:
        """Put the business fields back as they were before the action (a command of its own)."""
        self.version = self._run(self.before, UNDO)

    def redo(self) -> None:
        """Apply the action again, after an undo (a command of its own)."""
        self.version = self._run(self.after, REDO)

    def _run(self, values: S, action: str) -> int:
        @write_command
        def command() -> int:
            self._check(action)
            return self._apply(values, action)

        return command()

    def _check(self, action: str) -> None:
        """Inside the command's transaction: the record exists, the person may change it, and its
        row version is the one this step left."""
        version = self._current_version()
        if version is None:
            raise _gone(self.name)
        refusal = self._refusal(self._permissions or current_permissions())
        if refusal is not None:
            raise UndoRefused(refusal)
        if version != self.version:
            raise _changed_since(self.name)

    @abstractmethod
    def _current_version(self) -> int | None: ...

    @abstractmethod
    def _refusal(self, permissions: Permissions) -> str | None: ...

    @abstractmethod
    def _apply(self, values: S, action: str) -> int:
        """Write `values`, audited as `action`; the record's new row version."""


# --- follow-ups ------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpSnapshot:
    """A follow-up's business fields, and the surveys recorded from it (their stored values)."""

    fields: dict[str, Any]
    surveys: tuple[dict[str, Any], ...] = ()


_SURVEY_FIELDS = (
    "customer",
    "rep",
    "taken_on",
    "satisfaction",
    "recommend",
    "comment",
    "cause",
    "follow_up",
    "case",
    "warranty_return",
)


def _survey_values(survey: SatisfactionSurvey) -> dict[str, Any]:
    return {name: survey.__data__.get(name) for name in _SURVEY_FIELDS}


def _customer_code(customer_id: int) -> str:
    """How the audit names a survey: its customer's code (never the name)."""
    return Customer.select(Customer.code).where(Customer.id == customer_id).scalar() or ""


class FollowUpStep(UndoStep[FollowUpSnapshot]):
    """Complete, reschedule, cancel or mark missed, undone by `workflow.restore_follow_up`."""

    changes = frozenset({FOLLOW_UPS, SURVEYS})

    def __init__(self, *args, survey_ids: tuple[int, ...] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.survey_ids = survey_ids  # the surveys the last application recorded (removed by undo)
        self._pending_surveys: tuple[int, ...] = ()

    def _current_version(self) -> int | None:
        return FollowUp.select(FollowUp.row_version).where(FollowUp.id == self.record_id).scalar()

    def _refusal(self, permissions: Permissions) -> str | None:
        rep_id, customer_rep_id = (
            FollowUp.select(FollowUp.rep, Customer.rep)
            .join(Customer, on=(FollowUp.customer == Customer.id))
            .where(FollowUp.id == self.record_id)
            .tuples()
            .get()
        )
        return permissions.change_refusal(rep_id, customer_rep_id)

    def _apply(self, values: FollowUpSnapshot, action: str) -> int:
        target = values.fields.get("state")
        if target is FollowUpState.PLANNED:
            retried = FollowUp.select().where(
                (FollowUp.retry_of == self.record_id) & (FollowUp.state != FollowUpState.CANCELLED)
            )
            if retried.exists():
                raise UndoRefused(
                    _(
                        "“{action}” cannot be undone: another attempt of this follow-up has been "
                        "scheduled since. Cancel that attempt first."
                    ).format(action=self.name)
                )
        with write_transaction():
            # Surveys the undone completion recorded go with it; redo records them again.
            for survey in SatisfactionSurvey.select().where(SatisfactionSurvey.id.in_(list(self.survey_ids))):
                stored = _survey_values(survey)
                survey.delete_instance()
                audit.record(
                    action,
                    "survey",
                    survey.id,
                    self.acting_rep_id,
                    label=_customer_code(stored["customer"]),
                    context={"follow_up_id": self.record_id},
                    changes={
                        name: (value, None) for name, value in stored.items() if value not in (None, "")
                    },
                )
            version = workflow.restore_follow_up(
                self.record_id,
                values.fields,
                self.acting_rep_id,
                expected_version=self.version,
                audit_action=action,
            )
            created = []
            for stored in values.surveys:
                survey = SatisfactionSurvey.create(**stored)
                created.append(survey.id)
                audit.record(
                    action,
                    "survey",
                    survey.id,
                    self.acting_rep_id,
                    label=_customer_code(stored["customer"]),
                    context={"follow_up_id": self.record_id},
                    **{name: value for name, value in stored.items() if name != "follow_up"},
                )
            self._pending_surveys = tuple(created)
        return version

    def _run(self, values: FollowUpSnapshot, action: str) -> int:
        version = super()._run(values, action)
        self.survey_ids = self._pending_surveys  # once committed (a retried command runs again)
        return version


# --- customers -------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerSnapshot:
    """A customer's editable fields (`CustomerInput`) and whether it is archived."""

    data: records.CustomerInput
    archived: bool


def _editable(detail: records.CustomerDetail) -> records.CustomerInput:
    data = detail.to_input()
    return replace(data, need_tags=sorted(data.need_tags))


class CustomerStep(UndoStep[CustomerSnapshot]):
    """Edit, archive or restore a customer."""

    changes = frozenset({CUSTOMERS})

    def _current_version(self) -> int | None:
        return Customer.select(Customer.row_version).where(Customer.id == self.record_id).scalar()

    def _refusal(self, permissions: Permissions) -> str | None:
        rep_id = Customer.select(Customer.rep).where(Customer.id == self.record_id).scalar()
        return permissions.change_refusal(rep_id)

    def _apply(self, values: CustomerSnapshot, action: str) -> int:
        with write_transaction():
            if _editable(records.get_customer(self.record_id)) != values.data:
                records.update_customer(
                    self.record_id,
                    values.data,
                    self.acting_rep_id,
                    expected_version=self.version,
                    audit_action=action,
                )
            customer = Customer.get_by_id(self.record_id)
            if customer.archived != values.archived:
                customer.archived = values.archived
                customer.save(only=[Customer.archived, Customer.updated_at])
                audit.record(
                    action,
                    "customer",
                    customer.id,
                    self.acting_rep_id,
                    label=customer.code,
                    changes={"archived": (not values.archived, values.archived)},
                )
        return self._current_version() or 0


# --- follow-up plans -------------------------------------------------------------


class PlanStep(UndoStep[plans.PlanRow]):
    """An edit of a follow-up plan: its name, category, segment and steps."""

    changes = frozenset({SETTINGS})

    def _current_version(self) -> int | None:
        return FollowUpPlan.select(FollowUpPlan.row_version).where(FollowUpPlan.id == self.record_id).scalar()

    def _refusal(self, permissions: Permissions) -> str | None:
        return permissions.refusal(Right.PLANS)

    def _apply(self, values: plans.PlanRow, action: str) -> int:
        row = plans.update_plan(
            self.record_id,
            values.name,
            values.category_id,
            values.segment,
            [s.to_input() for s in values.steps],
            self.acting_rep_id,
            expected_version=self.version,
            audit_action=action,
        )
        return row.row_version


# --- recording an action ---------------------------------------------------------


@dataclass
class Recorder(Generic[S]):
    """Runs a command and keeps the `UndoStep` that undoes it (see the module's note).

    `read` gives the record's (row version, business fields) inside the command's transaction,
    None when it does not exist; `make` builds the step from (before, after, version after).
    """

    name: str
    read: Callable[[], tuple[int, S] | None]
    make: Callable[[S, S, int], UndoStep[S]]
    step: UndoStep[S] | None = field(default=None, init=False)

    def run(self, command: Callable[[], T]) -> T:
        """Run `command` (a service command) in one write transaction with the two readings."""
        self.step = None

        @write_command
        def recorded() -> tuple[T, UndoStep[S] | None]:
            before = self.read()
            result = command()
            after = self.read()
            if before is None or after is None or before[1] == after[1]:
                return result, None
            return result, self.make(before[1], after[1], after[0])

        result, step = recorded()
        self.step = step
        return result


def for_follow_up(
    name: str, follow_up_id: int, acting_rep_id: int | None, permissions: Permissions | None = None
) -> Recorder[FollowUpSnapshot]:
    """Complete, reschedule, cancel or mark missed a follow-up, undoably."""

    def read() -> tuple[int, FollowUpSnapshot] | None:
        follow_up = FollowUp.get_or_none(FollowUp.id == follow_up_id)
        if follow_up is None:
            return None
        surveys = SatisfactionSurvey.select().where(SatisfactionSurvey.follow_up == follow_up_id)
        return follow_up.row_version, FollowUpSnapshot(
            workflow.follow_up_fields(follow_up), tuple(_survey_values(s) | {"id": s.id} for s in surveys)
        )

    def make(before: FollowUpSnapshot, after: FollowUpSnapshot, version: int) -> UndoStep[FollowUpSnapshot]:
        known = {s["id"] for s in before.surveys}
        new = tuple(s for s in after.surveys if s["id"] not in known)
        strip = lambda surveys: tuple({k: v for k, v in s.items() if k != "id"} for s in surveys)  # noqa: E731
        return FollowUpStep(
            name,
            follow_up_id,
            FollowUpSnapshot(before.fields),
            FollowUpSnapshot(after.fields, strip(new)),
            version,
            acting_rep_id,
            permissions,
            survey_ids=tuple(s["id"] for s in new),
        )

    return Recorder(name, read, make)


def for_customer(
    name: str, customer_id: int, acting_rep_id: int | None, permissions: Permissions | None = None
) -> Recorder[CustomerSnapshot]:
    """Edit, archive or restore a customer, undoably."""

    def read() -> tuple[int, CustomerSnapshot] | None:
        if not Customer.select().where(Customer.id == customer_id).exists():
            return None
        detail = records.get_customer(customer_id)
        return detail.row_version, CustomerSnapshot(_editable(detail), detail.archived)

    def make(before: CustomerSnapshot, after: CustomerSnapshot, version: int) -> UndoStep[CustomerSnapshot]:
        return CustomerStep(name, customer_id, before, after, version, acting_rep_id, permissions)

    return Recorder(name, read, make)


def for_plan(
    name: str, plan_id: int, acting_rep_id: int | None, permissions: Permissions | None = None
) -> Recorder[plans.PlanRow]:
    """An edit of a follow-up plan (its steps, name, category or segment), undoably."""

    def read() -> tuple[int, plans.PlanRow] | None:
        if not FollowUpPlan.select().where(FollowUpPlan.id == plan_id).exists():
            return None
        row = plans.get_plan(plan_id)
        # Compared by what undo restores: the steps' own ids and the version are bookkeeping.
        return row.row_version, replace(
            row, row_version=0, steps=tuple(replace(s, id=0) for s in row.steps), category_name=""
        )

    def make(before: plans.PlanRow, after: plans.PlanRow, version: int) -> UndoStep[plans.PlanRow]:
        return PlanStep(name, plan_id, before, after, version, acting_rep_id, permissions)

    return Recorder(name, read, make)


# --- the stack -------------------------------------------------------------------


class UndoStack:
    """The steps of one session, newest last; what was undone waits for redo until a new step comes.

    A step refused for good (the record changed or is gone, no rights) leaves the stack; a busy
    database leaves it where it was, to try again. The refusal is raised for the caller to show.
    """

    def __init__(self, limit: int = STACK_LIMIT) -> None:
        self._done: list[UndoStep[Any]] = []
        self._undone: list[UndoStep[Any]] = []
        self._limit = limit

    def push(self, step: UndoStep[Any]) -> None:
        self._done.append(step)
        del self._done[: -self._limit]
        self._undone.clear()

    def clear(self) -> None:
        self._done.clear()
        self._undone.clear()

    @property
    def undo_step(self) -> UndoStep[Any] | None:
        return self._done[-1] if self._done else None

    @property
    def redo_step(self) -> UndoStep[Any] | None:
        return self._undone[-1] if self._undone else None

    def undo(self) -> UndoStep[Any]:
        """Undo the newest step; returns it."""
        return self._move(self._done, self._undone, lambda step: step.undo())

    def redo(self) -> UndoStep[Any]:
        """Redo the step undone last; returns it."""
        return self._move(self._undone, self._done, lambda step: step.redo())

    @staticmethod
    def _move(
        source: list[UndoStep[Any]], target: list[UndoStep[Any]], run: Callable[[UndoStep[Any]], object]
    ) -> UndoStep[Any]:
        """Run the newest step of `source` and move it onto `target`; a failure worth trying again
        leaves it where it was, a refusal drops it."""
        step = source.pop()
        try:
            run(step)
        except BaseException as exc:
            if _may_try_again(exc):
                source.append(step)
            raise
        target.append(step)
        return step


def _may_try_again(exc: BaseException) -> bool:
    """A busy database or an unexpected failure keeps the step; a refusal (changed, gone, no
    rights, invalid now) drops it, since trying again would be refused again."""
    return isinstance(exc, DatabaseBusyError) or not isinstance(exc, DomainError)
