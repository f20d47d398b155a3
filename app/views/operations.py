"""One way for a view to run a command (in the spirit of Anki's `CollectionOp`).

A view describes its command as an `Operation`: a label the user can read, the service call, the
kinds of data it changes (`Change`) and what to do with the result. The operation runs the call,
shows the one error dialog if it fails and announces what changed on the one change signal
(`events.app_events().data_changed`) if it succeeds. Views neither catch `Exception` around a
command nor emit the change signal themselves; pages refresh in `Page.on_data_changed` for the
kinds in their `data_kinds` (Anki's `operation_did_execute`).

    Operation(
        _("Archive customer"),
        lambda: customers.archive_customer(customer_id, acting_rep_id),
        {Change.CUSTOMERS},
    ).run(self)

What happens, in order:

- success: the change kinds are announced first (every page is current by then), then
  `on_success(result)` runs. `run` returns an `Outcome` that is true, holding the result, so a
  synchronous caller may just as well carry on after it (select the new row, ask the next question).
- a `ValidationError`, when the caller gives `field_errors`: its messages go there (next to the
  fields, the form keeps what was typed); without `field_errors` it is shown like any other failure.
- any other failure: the error dialog (`errors.show_error`, which also logs it), then
  `on_failure(exc)` so the view can put itself back (reload a detail, reset a busy flag); nothing
  is announced.
- `BackToForm` raised by the command (a confirmation the user declined): it stops quietly; in
  `run_form` it reopens the form.

Synchronous or in the background? `run` runs on the UI thread and is the rule for a command the
UI needs the answer to at once: a form that reopens with field errors, a question that depends
on the result, a dialog inside the command, or one short transaction on a few rows (every
single-record step of the state machines). `run_in_background` is for work that grows with the
data (recomputing every customer's segment, producing a PDF): the command runs in a pool thread
through `tasks.run_in_background`, must not touch widgets, and may show a progress dialog. The
outcome arrives later on the UI thread, through the same error dialog and change signal.

`perform` is the same error handling for what changes no data the pages show (a read the view
needs at once, a file written, a print job): nothing is announced.

Undo: an operation whose command ran through an undo recorder (`app.services.undo`, e.g.
`undo.for_customer(label, customer_id, …)`) carries it as `undo`; when the command succeeded and
changed something, the recorder's step is announced on `events.app_events().step_done` and the
window keeps it for Edit ▸ Undo "{label}". Labels are therefore short verb phrases in the user's
language ("Archive customer").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtWidgets import QWidget

from app.services.errors import ValidationError
from app.views import errors
from app.views.errors import BackToForm, ask_until_valid
from app.views.events import Change, notify_changed, notify_step_done
from app.views.tasks import TaskProgress, run_in_background

if TYPE_CHECKING:
    from app.services.undo import Recorder  # its services come with the commands that use it

T = TypeVar("T")
V = TypeVar("V")

_PARENT: Any = object()  # the default initiator: the operation's parent widget


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a synchronous run ended in: true with the command's result, false when it failed."""

    ok: bool
    value: T | None = None

    def __bool__(self) -> bool:
        return self.ok


@dataclass
class Operation(Generic[T]):
    """A command a view runs: its label, the service call, what it changes and what follows.

    `changes` is the set of kinds the command changes, or a function of its result giving them
    (e.g. a survey only when one was recorded; nothing when the user cancelled a dialog inside the
    command). `undo` is the recorder the command ran through (app.services.undo): its step, when
    the command changed something, goes to the window's Edit ▸ Undo.
    """

    label: str
    command: Callable[[], T]
    changes: Iterable[Change] | Callable[[T], Iterable[Change]] = ()
    on_success: Callable[[T], object] | None = None
    on_failure: Callable[[BaseException], object] | None = None
    field_errors: Callable[[dict[str, str]], object] | None = None
    undo: Recorder[Any] | None = None

    def changes_after(self, result: T) -> frozenset[Change]:
        """The kinds this run changed, given the command's result."""
        kinds = self.changes(result) if callable(self.changes) else self.changes
        return frozenset(Change(kind) for kind in kinds)

    def run(self, parent: QWidget | None, *, quiet: bool = False, initiator: object = _PARENT) -> Outcome[T]:
        """Run the command now, on the UI thread (see the module's note on when).

        `quiet` is for work the user did not ask for (a timer's tick): a failure goes to
        `on_failure` only (which logs it or puts it in the status bar), never to a dialog.
        """
        try:
            result = self.command()
        except BackToForm:
            return Outcome(False)
        except Exception as exc:  # noqa: BLE001 (every failure is reported: the one place that catches it)
            if quiet:
                if self.on_failure is not None:
                    self.on_failure(exc)
            else:
                self._failed(parent, exc)
            return Outcome(False)
        self._succeeded(parent, result, initiator)
        return Outcome(True, result)

    def run_in_background(
        self,
        parent: QWidget | None,
        *,
        progress: str | None = None,
        quiet: bool = False,
        initiator: object = _PARENT,
        on_cancelled: Callable[[], object] | None = None,
    ) -> TaskProgress:
        """Run the command in a pool thread; success and failure arrive later on the UI thread.

        `progress` is the progress dialog's text (shown when the work takes over half a second).
        `quiet` is for work the user did not ask for: its failure is logged and handed to
        `on_failure` only (say, for the status bar), without the error dialog.
        A command that stops by raising `TaskCancelled` (the user cancelled work that reports its
        progress itself, e.g. in a wizard's page) is no failure: `on_cancelled` runs, nothing is
        announced (the command's transaction rolled back).
        Once `parent` is deleted, nothing more happens.
        """
        command = self.command

        def op(_progress: TaskProgress) -> T:
            return command()

        def failed(exc: BaseException) -> None:
            if quiet:
                if self.on_failure is not None:
                    self.on_failure(exc)
                return
            self._failed(parent, exc)

        def cancelled() -> None:
            if on_cancelled is not None:
                on_cancelled()

        return run_in_background(
            op,
            lambda result: self._succeeded(parent, result, initiator),
            failed,
            label=progress,
            parent=parent,
            on_cancelled=cancelled if on_cancelled is not None else None,
        )

    def _succeeded(self, parent: QWidget | None, result: T, initiator: object) -> None:
        kinds = self.changes_after(result)
        if kinds:
            notify_changed(kinds, parent if initiator is _PARENT else initiator)
        if self.undo is not None and self.undo.step is not None:
            notify_step_done(self.undo.step)
        if self.on_success is not None:
            self.on_success(result)

    def _failed(self, parent: QWidget | None, exc: BaseException) -> None:
        if isinstance(exc, ValidationError) and self.field_errors is not None:
            self.field_errors(exc.errors)
            return
        errors.show_error(parent, exc)
        if self.on_failure is not None:
            self.on_failure(exc)


def run_form(
    parent: QWidget | None,
    ask: Callable[[V | None, dict[str, str] | None], V | None],
    operation_for: Callable[[V], Operation[T]],
    *,
    initiator: object = _PARENT,
) -> tuple[V, T] | None:
    """Ask for values and run the operation made from them, until it goes through or the user cancels.

    `ask(previous values, errors)` shows the form (see `errors.ask_until_valid`): a ValidationError
    reopens it with the reasons beside the fields, BackToForm reopens it as the user left it. Any
    other failure goes to the error dialog (and the operation's `on_failure`). On success the
    operation announces its changes and calls `on_success`; returns (values, result), or None.
    """
    current: list[Operation[T]] = []

    def command(values: Any) -> T:
        operation = operation_for(values)
        current[:] = [operation]
        return operation.command()

    def failed(exc: BaseException) -> None:
        if current:
            current[0]._failed(parent, exc)
        else:  # making the operation failed
            errors.show_error(parent, exc)

    outcome = ask_until_valid(ask, command, failed)  # type: ignore[arg-type]
    if outcome is None:
        return None
    values, result = outcome
    current[0]._succeeded(parent, result, initiator)  # type: ignore[arg-type]
    return values, result  # type: ignore[return-value]


def perform(
    parent: QWidget | None,
    action: Callable[[], T],
    *,
    field_errors: Callable[[dict[str, str]], object] | None = None,
    on_failure: Callable[[BaseException], object] | None = None,
    quiet: bool = False,
) -> Outcome[T]:
    """Run something that changes no data the pages show (a read needed at once, a file, a print job).

    Failures as for an operation: the error dialog (then `on_failure`), or `field_errors` for a
    ValidationError; `quiet`: `on_failure` only. Nothing is announced.
    """
    return Operation("", action, field_errors=field_errors, on_failure=on_failure).run(parent, quiet=quiet)
