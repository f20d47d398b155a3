"""Languages: a document's language stays in the thread that writes it."""

from __future__ import annotations

import threading

from app import i18n
from app.i18n import _, format_date


def test_using_language_switches_this_thread_only():
    i18n.set_language("en")
    inside, seen_by_main = [], []
    entered, checked = threading.Event(), threading.Event()

    def write_spanish_document():
        with i18n.using_language("es"):
            entered.set()
            inside.append((_("Customers"), i18n.current_language()))
            checked.wait(5)
        inside.append(i18n.current_language())

    worker = threading.Thread(target=write_spanish_document)
    worker.start()
    assert entered.wait(5)
    seen_by_main.append((_("Customers"), i18n.current_language()))
    checked.set()
    worker.join(5)

    assert inside == [("Clientes", "es"), "en"]
    assert seen_by_main == [("Customers", "en")]


def test_using_language_nests_and_formats_in_its_locale():
    import datetime as dt

    i18n.set_language("en")
    with i18n.using_language("es"):
        assert format_date(dt.date(2026, 11, 23)) == "23/11/2026"
        with i18n.using_language("en"):
            assert _("Customers") == "Customers"
        assert _("Customers") == "Clientes"
    assert i18n.current_language() == "en"
