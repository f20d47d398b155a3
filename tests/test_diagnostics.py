"""Errors in the field on record: the log file, what it leaves out, and the exception hooks."""

from __future__ import annotations

import logging
import sys
import threading

import pytest

from app import diagnostics
from app.services.errors import DomainError


@pytest.fixture
def log_file(tmp_path):
    path = diagnostics.setup_logging(tmp_path / "logs")
    yield path
    for handler in diagnostics.log.handlers:
        handler.flush()


@pytest.fixture
def restore_hooks():
    saved = sys.excepthook, threading.excepthook
    yield
    sys.excepthook, threading.excepthook = saved


def read(path) -> str:
    for handler in diagnostics.log.handlers:
        handler.flush()
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_the_log_goes_to_a_rotating_file_in_the_user_log_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "José Muñoz" / "estado"))
    path = diagnostics.setup_logging()
    assert path == diagnostics.log_folder() / "postventa.log"
    assert "José Muñoz" in str(path)
    diagnostics.log.info("sale %s recorded", 42)
    assert "sale 42 recorded" in read(path)
    handler = next(h for h in diagnostics.log.handlers if getattr(h, "_postventa", False))
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert handler.maxBytes == diagnostics.MAX_BYTES and handler.backupCount == diagnostics.BACKUP_COUNT


def test_setting_up_twice_keeps_one_handler_and_moves_to_the_new_folder(tmp_path):
    first = diagnostics.setup_logging(tmp_path / "a")
    diagnostics.setup_logging(tmp_path / "a")
    second = diagnostics.setup_logging(tmp_path / "b")
    ours = [h for h in diagnostics.log.handlers if getattr(h, "_postventa", False)]
    assert len(ours) == 1
    diagnostics.log.info("only here")
    assert "only here" in read(second) and "only here" not in read(first)


def test_e_mails_phones_and_tax_ids_never_reach_the_log_but_time_stamps_do(log_file):
    try:
        raise ValueError(
            "cannot send to ana.perez@example.com, phone 612 345 678 or +34 912345678, NIF 12345678Z"
        )
    except ValueError as exc:
        diagnostics.log_error(exc, "Sending")
    diagnostics.log.warning("customer 17 at lucia@correo.es")
    text = read(log_file)
    assert "ana.perez@example.com" not in text and "lucia@correo.es" not in text
    assert "612 345 678" not in text and "912345678" not in text and "12345678Z" not in text
    assert "<e-mail>" in text and "<phone>" in text and "<tax id>" in text
    assert "customer 17" in text and "Traceback" in text
    assert text.splitlines()[0][:4].isdigit()  # the time stamp is not mistaken for a phone number


def test_refusals_are_logged_by_type_only_and_each_error_once(log_file):
    refusal = DomainError("Juana Ruiz Gómez already has an open claim")
    diagnostics.log_error(refusal, "Saving a case")
    defect = RuntimeError("boom")
    diagnostics.log_error(defect, "Task")
    diagnostics.log_error(defect, "Shown to the user")  # handed on: not logged a second time
    text = read(log_file)
    assert "Juana" not in text and "Saving a case: DomainError refused the action" in text
    assert text.count("RuntimeError: boom") == 1


def test_a_server_password_is_never_shown_or_logged():
    assert diagnostics.display_target("postgresql://ana:s3cr3t@office:5432/postventa") == (
        "postgresql://ana@office:5432/postventa"
    )
    assert (
        diagnostics.display_target("/home/José/Datos de empresa/p.sqlite3")
        == "/home/José/Datos de empresa/p.sqlite3"
    )
    # libpq also takes the password as a parameter; the other parameters stay.
    shown = diagnostics.display_target(
        "postgresql://ana@/postventa?host=/run/pg&password=s3cr3t&sslmode=require"
    )
    assert "s3cr3t" not in shown and "host=/run/pg" in shown and "sslmode=require" in shown
    assert diagnostics.display_target(r"C:\Datos\p.sqlite3") == r"C:\Datos\p.sqlite3"


def test_uncaught_errors_in_the_main_thread_and_in_threads_are_logged_and_reported(log_file, restore_hooks):
    reported = []
    diagnostics.install_exception_hooks(report=reported.append)
    try:
        raise LookupError("in the main thread")
    except LookupError:
        sys.excepthook(*sys.exc_info())
    thread = threading.Thread(target=lambda: 1 / 0, name="worker-7")
    thread.start()
    thread.join()
    text = read(log_file)
    assert "Uncaught error: unexpected LookupError" in text and "in the main thread" in text
    assert "Uncaught error in thread worker-7: unexpected ZeroDivisionError" in text
    assert [type(exc) for exc in reported] == [LookupError, ZeroDivisionError]


def test_error_details_carry_version_platform_and_traceback_without_e_mails():
    try:
        raise KeyError("pedro@example.org")
    except KeyError as exc:
        details = diagnostics.error_details(exc)
    assert details.startswith(f"Postventa {diagnostics.__version__}")
    assert "Traceback" in details and "KeyError" in details and "pedro@example.org" not in details


def test_the_cli_logs_each_command_and_its_unexpected_failures(tmp_path, monkeypatch, capsys):
    from app import cli
    from app.services import health

    log_path = diagnostics.log_folder() / "postventa.log"
    target = str(tmp_path / "Datos de empresa" / "p.sqlite3")
    assert cli.main(["demo", "--db", target, "--customers", "5"]) == 0

    def broken(**_options):  # quick=…, progress=…
        raise RuntimeError("check exploded")

    monkeypatch.setattr(health, "check_database", broken)
    assert cli.main(["check", "--db", target]) == 1
    text = read(log_path)
    assert "demo on Python" in text and "check on Python" in text
    assert "postventa check: unexpected RuntimeError" in text and "check exploded" in text
    assert "unexpected error: check exploded" in capsys.readouterr().err
