"""The operation helper: one way for a view to run a command, report its failure and announce what changed."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtWidgets import QWidget

from app.services.errors import DomainError, ValidationError
from app.services.undo import Recorder
from app.views import errors as errors_module
from app.views.errors import BackToForm
from app.views.events import CUSTOMERS, EVERYTHING, SALES, Change, app_events, notify_changed
from app.views.operations import Operation, perform, run_form

VIEWS = Path(__file__).resolve().parents[2] / "app" / "views"
# The modules that may catch every exception or emit the change signal: the helper and what it builds on.
PLUMBING = {"operations.py", "events.py", "errors.py", "tasks.py"}


@pytest.fixture
def parent(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def shown(monkeypatch) -> list[tuple[object, BaseException]]:
    """The error dialogs the helper would show: (parent, exception)."""
    record: list[tuple[object, BaseException]] = []
    monkeypatch.setattr(errors_module, "show_error", lambda parent, exc: record.append((parent, exc)))
    return record


@pytest.fixture
def announced():
    """Every change signal: (kinds, initiator)."""
    record: list[tuple[frozenset, object]] = []

    def on_changed(kinds, initiator):
        record.append((kinds, initiator))

    app_events().data_changed.connect(on_changed)
    yield record
    app_events().data_changed.disconnect(on_changed)


def test_a_command_that_goes_through_announces_its_changes_then_calls_back(parent, shown, announced):
    order = []
    app_events().data_changed.connect(lambda kinds, initiator: order.append("announced"))
    operation = Operation(
        "Archive customer",
        lambda: order.append("command") or 42,
        {CUSTOMERS, SALES},
        on_success=lambda result: order.append(("called back", result)),
    )
    outcome = operation.run(parent)
    assert outcome and outcome.value == 42
    assert announced == [(frozenset({Change.CUSTOMERS, Change.SALES}), parent)]
    assert order == ["command", "announced", ("called back", 42)]
    assert shown == []


def test_the_changes_may_depend_on_the_result_and_nothing_is_announced_when_none(parent, shown, announced):
    kinds_of = lambda saved: {SALES} if saved is not None else ()  # noqa: E731 (None: the dialog was cancelled)
    assert Operation("Record sale", lambda: None, kinds_of).run(parent)
    assert announced == []
    assert Operation("Record sale", lambda: 7, kinds_of).run(parent, initiator="page")
    assert announced == [(frozenset({SALES}), "page")]


def test_a_refusal_goes_to_the_error_dialog_and_nothing_is_announced(parent, shown, announced):
    refusal = DomainError("Ana already has an open claim")
    failures, successes = [], []

    def command():
        raise refusal

    outcome = Operation(
        "Receive case", command, {CUSTOMERS}, on_success=successes.append, on_failure=failures.append
    ).run(parent)
    assert not outcome and outcome.value is None
    assert shown == [(parent, refusal)]
    assert failures == [refusal]  # after the dialog, to put the view back
    assert announced == [] and successes == []


def test_a_validation_error_goes_to_the_field_handler_when_there_is_one(parent, shown, announced):
    beside_fields, failures = [], []

    def command():
        raise ValidationError({"name": "Enter the customer's name."})

    outcome = Operation(
        "Save customer", command, {CUSTOMERS}, field_errors=beside_fields.append, on_failure=failures.append
    ).run(parent)
    assert not outcome
    assert beside_fields == [{"name": "Enter the customer's name."}]
    assert shown == [] and announced == [] and failures == []
    # Without a handler it is shown like any other failure.
    assert not Operation("Save customer", command, {CUSTOMERS}).run(parent)
    assert len(shown) == 1 and isinstance(shown[0][1], ValidationError)


def test_a_declined_confirmation_stops_quietly(parent, shown, announced):
    def command():
        raise BackToForm

    assert not Operation("Reschedule follow-up", command, {CUSTOMERS}).run(parent)
    assert shown == [] and announced == []


def test_quiet_work_reports_its_failure_to_its_own_handler_only(parent, shown, announced):
    failures = []

    def command():
        raise OSError("disk full")

    assert not perform(parent, command, on_failure=failures.append, quiet=True)
    assert [str(f) for f in failures] == ["disk full"] and shown == [] and announced == []


def test_perform_announces_nothing(parent, shown, announced):
    outcome = perform(parent, lambda: "read")
    assert outcome.value == "read" and announced == []


def test_a_background_operation_announces_and_calls_back_on_the_ui_thread(qtbot, parent, shown, announced):
    import threading

    ui_thread = threading.get_ident()
    ran_on, results = [], []

    def command() -> str:
        ran_on.append(threading.get_ident())
        return "segments"

    operation = Operation("Recompute customer segments", command, {CUSTOMERS}, on_success=results.append)
    with qtbot.waitSignal(app_events().data_changed, timeout=5000) as signal:
        operation.run_in_background(parent)
    qtbot.waitUntil(lambda: results == ["segments"], timeout=5000)
    assert signal.args == [frozenset({CUSTOMERS}), parent]
    assert ran_on and ran_on[0] != ui_thread
    assert shown == []


def test_a_background_failure_goes_to_the_error_dialog_or_quietly_to_its_handler(
    qtbot, parent, shown, announced
):
    def command():
        raise DomainError("The charter no longer exists.")

    failures = []
    Operation("Save charter", command, {Change.CHARTERS}, on_failure=failures.append).run_in_background(
        parent
    )
    qtbot.waitUntil(lambda: len(failures) == 1, timeout=5000)
    assert [str(exc) for _parent, exc in shown] == ["The charter no longer exists."]
    Operation("Save charter", command, {Change.CHARTERS}, on_failure=failures.append).run_in_background(
        parent, quiet=True
    )
    qtbot.waitUntil(lambda: len(failures) == 2, timeout=5000)
    assert len(shown) == 1 and announced == []


def test_a_form_reopens_with_the_reasons_until_the_operation_goes_through(parent, shown, announced):
    asked = []
    answers = iter(["", "Ruiz", None])

    def ask(previous, errors):
        asked.append((previous, errors))
        return next(answers)

    def save(name: str) -> int:
        if not name:
            raise ValidationError({"name": "Enter the name."})
        return 9

    outcome = run_form(parent, ask, lambda name: Operation("New customer", lambda: save(name), {CUSTOMERS}))
    assert outcome == ("Ruiz", 9)
    assert asked == [(None, None), ("", {"name": "Enter the name."})]
    assert announced == [(frozenset({CUSTOMERS}), parent)] and shown == []


def test_a_form_whose_operation_fails_shows_the_error_and_announces_nothing(parent, shown, announced):
    refusal = DomainError("The follow-up was changed by someone else.")
    put_back = []

    def fail():
        raise refusal

    outcome = run_form(
        parent,
        lambda previous, errors: "values",
        lambda values: Operation("Reschedule follow-up", fail, {CUSTOMERS}, on_failure=put_back.append),
    )
    assert outcome is None
    assert shown == [(parent, refusal)] and put_back == [refusal] and announced == []


def test_an_operation_run_through_an_undo_recorder_hands_its_step_to_the_window(
    database, parent, shown, announced
):
    steps: list[object] = []
    app_events().step_done.connect(steps.append)
    state = {"value": 1}

    def read():
        return 1, state["value"]

    def make(before, after, version):
        # Named like an UndoStep: a main window still open from another test shows its name.
        return SimpleNamespace(name="Change it", change=(before, after))

    def operation(new_value: int, *, fail: bool = False) -> Operation[None]:
        recorder = Recorder("Change it", read, make)

        def command() -> None:
            state["value"] = new_value
            if fail:
                raise DomainError("refused")

        return Operation("Change it", lambda: recorder.run(command), {CUSTOMERS}, undo=recorder)

    try:
        assert operation(2).run(parent)
        assert [step.change for step in steps] == [(1, 2)]
        assert operation(2).run(parent)  # changed nothing: no step
        assert not operation(3, fail=True).run(parent)  # failed: no step
        assert [step.change for step in steps] == [(1, 2)]
    finally:
        app_events().step_done.disconnect(steps.append)


def test_change_kinds_are_an_enum_that_still_equals_the_old_strings(announced):
    assert EVERYTHING == frozenset(Change) and CUSTOMERS is Change.CUSTOMERS
    assert frozenset({Change.CASES}) == frozenset({"cases"})
    notify_changed(["customers"])
    assert announced == [(frozenset({Change.CUSTOMERS}), None)]
    assert all(isinstance(kind, Change) for kind in announced[0][0])


def test_views_leave_error_reporting_and_change_notification_to_the_operation_helper():
    offenders = []
    for path in sorted(VIEWS.rglob("*.py")):
        if path.parent == VIEWS and path.name in PLUMBING:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"except\b[^:]*\bException\b|except\s*:", line) or "notify_changed(" in line:
                offenders.append(f"{path.relative_to(VIEWS.parent.parent)}:{number}: {line.strip()}")
    assert offenders == []
