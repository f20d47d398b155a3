"""Preferences: the customer value, segmentation and risk settings, refused at the field when they do not add up."""

from __future__ import annotations

from app.services import company
from app.views.events import SETTINGS, app_events
from app.views.pages.base import AppContext
from app.views.preferences import PreferencesDialog


def make_dialog(qtbot, database) -> PreferencesDialog:
    dialog = PreferencesDialog(AppContext(database=database, current_rep=None))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_value_settings_show_their_defaults_and_are_stored(qtbot, database):
    dialog = make_dialog(qtbot, database)
    assert (dialog.window_spin.value(), dialog.a_spin.value(), dialog.b_spin.value()) == (24, 80, 95)
    assert (
        dialog.years_spin.value(),
        dialog.low_satisfaction_spin.value(),
        dialog.interval_spin.value(),
    ) == (5, 2, 365)
    dialog.window_spin.setValue(12)
    dialog.a_spin.setValue(70)
    dialog.b_spin.setValue(90)
    dialog.years_spin.setValue(3)
    dialog.low_satisfaction_spin.setValue(3)
    dialog.interval_spin.setValue(180)
    with qtbot.waitSignal(app_events().data_changed, timeout=1000) as signal:
        dialog._on_buttons_accepted()
    assert SETTINGS in signal.args[0]
    assert dialog.result_value is not None
    stored = company.load_company_settings()
    assert (stored.abc_window_months, stored.abc_a_threshold, stored.abc_b_threshold) == (12, 70, 90)
    assert (
        stored.expected_remaining_years,
        stored.risk_low_satisfaction_max,
        stored.risk_default_interval_days,
    ) == (3, 3, 180)


def test_thresholds_that_do_not_add_up_are_refused_at_the_field(qtbot, database):
    dialog = make_dialog(qtbot, database)
    assert dialog.threshold_errors == ("", "")
    dialog.a_spin.setValue(95)  # A = B: refused as soon as it is typed
    assert dialog.threshold_errors == ("", "The B threshold must be greater than the A threshold.")
    dialog._on_buttons_accepted()
    assert dialog.result_value is None
    assert company.load_company_settings().abc_a_threshold == 80  # nothing stored
    dialog.a_spin.setValue(100)
    assert dialog.threshold_errors[0] == "The A threshold is a percentage above 0 and below 100."
    dialog.b_spin.setValue(101)  # the field itself stops at 100
    assert dialog.b_spin.value() == 100
    dialog.a_spin.setValue(60)
    assert dialog.threshold_errors == ("", "")
    dialog._on_buttons_accepted()
    assert dialog.result_value is not None
    assert (
        company.load_company_settings().abc_a_threshold,
        company.load_company_settings().abc_b_threshold,
    ) == (60, 100)


def test_case_number_prefixes_are_edited_and_say_they_apply_to_new_numbers_only(qtbot, database):
    dialog = make_dialog(qtbot, database)
    edits = dialog.prefix_edits
    assert {name: edit.text() for name, edit in edits.items()} == {
        "complaint_prefix": "REC-",
        "suggestion_prefix": "SUG-",
        "compliment_prefix": "FEL-",
    }
    assert "new numbers only" in dialog._number_example.text()
    edits["complaint_prefix"].clear()
    qtbot.keyClicks(edits["complaint_prefix"], "QR/")
    assert "QR/" in dialog._number_example.text()  # the example follows what is typed
    with qtbot.waitSignal(app_events().data_changed, timeout=1000):
        dialog._on_buttons_accepted()
    assert dialog.result_value is not None
    stored = company.load_company_settings()
    assert (stored.complaint_prefix, stored.suggestion_prefix, stored.compliment_prefix) == (
        "QR/",
        "SUG-",
        "FEL-",
    )


def test_prefixes_that_cannot_make_numbers_are_refused_next_to_their_fields(qtbot, database):
    dialog = make_dialog(qtbot, database)
    edits = dialog.prefix_edits
    edits["suggestion_prefix"].clear()
    edits["compliment_prefix"].setText("rec-")
    assert edits["complaint_prefix"].maxLength() == company.PREFIX_MAX_LENGTH
    dialog._on_buttons_accepted()
    assert dialog.result_value is None
    assert dialog.prefix_errors == {
        "complaint_prefix": "",
        "suggestion_prefix": "Enter a prefix: every new number starts with it.",
        "compliment_prefix": "Another kind of case already uses this prefix.",
    }
    assert company.load_company_settings().suggestion_prefix == "SUG-"  # nothing stored
    dialog.a_spin.setValue(70)  # checking the thresholds as they change leaves the prefixes' errors
    assert dialog.prefix_errors["compliment_prefix"]
    qtbot.keyClicks(edits["suggestion_prefix"], "SUG-")
    edits["compliment_prefix"].setText("FEL-")
    dialog._on_buttons_accepted()
    assert dialog.result_value is not None
    assert set(dialog.prefix_errors.values()) == {""}
