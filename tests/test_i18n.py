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


def test_every_figure_rounds_half_up_to_the_places_shown():
    """Issue 20, item 1: one display rule; Babel alone rounds half to even (18.5 → 18, 12.5 % → 12 %)."""
    from decimal import Decimal

    from app.i18n import format_money, format_number, format_percent, format_signed, round_half_up

    with i18n.using_language("en"):
        assert [format_number(v, 0) for v in (18.5, 12.5, -12.5, 18.4999)] == ["19", "13", "-13", "18"]
        assert format_number(4.125, 2) == "4.13" and format_number(2.675, 2) == "2.68"  # floats as written
        assert format_percent(0.546875, 1) == "54.7 %" and format_percent(0.125, 0) == "13 %"
        assert format_money(Decimal("10.005")) == "€10.01"
        assert [format_signed(v, 1) for v in (0.25, -0.25, 0.04, -0.04)] == ["+0.3", "−0.3", "0.0", "0.0"]
        assert format_number(-0.3, 0) == "0"  # never "-0"
    with i18n.using_language("es"):
        assert format_percent(0.546875, 1) == "54,7 %" and format_signed(-1.5, 1) == "−1,5"
    assert round_half_up(94.96, 1) == Decimal("95.0") and round_half_up(94.96, 2) == Decimal("94.96")
