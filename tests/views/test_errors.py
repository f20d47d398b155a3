"""Forms that run a command: refused values reopen the form with the reasons, nothing is lost."""

from __future__ import annotations

from app.services.errors import DomainError, ValidationError
from app.views.errors import BackToForm, ask_until_valid


def test_refused_values_reopen_the_form_with_the_reasons_then_the_result_comes_back():
    answers = iter(["bad", "back", "good"])
    asked, failures = [], []

    def ask(previous, errors):
        asked.append((previous, errors))
        return next(answers)

    def command(values):
        if values == "bad":
            raise ValidationError({"name": "Give a name."})
        if values == "back":
            raise BackToForm
        return values.upper()

    assert ask_until_valid(ask, command, failures.append) == ("good", "GOOD")
    # Reopened forms get a dict, empty after BackToForm: they hold what the user typed.
    assert asked == [(None, None), ("bad", {"name": "Give a name."}), ("back", {})]
    assert failures == []


def test_cancel_and_other_failures_end_the_form():
    failures = []
    assert ask_until_valid(lambda previous, errors: None, lambda values: 1 / 0, failures.append) is None
    problem = DomainError("The case is closed.")

    def command(values):
        raise problem

    assert ask_until_valid(lambda previous, errors: "x", command, failures.append) is None
    assert failures == [problem]
