"""The cycle collector runs on the UI thread only (app.views.garbage): a pool thread that allocates a
lot, as an export does, never collects, so it never destroys the window's Qt objects."""

from __future__ import annotations

import gc
import threading

from app.views import garbage
from app.views.tasks import run_in_background


def make_cycles(count: int) -> None:
    for _ in range(count):
        cycle: list = []
        cycle.append(cycle)


def test_a_pool_thread_s_garbage_is_collected_on_the_ui_thread(qtbot, qapp):
    garbage.collect_on_ui_thread(qapp)
    collecting_threads: list[int] = []

    def note(phase, info):
        if phase == "start":
            collecting_threads.append(threading.get_ident())

    gc.callbacks.append(note)
    try:
        done: list[bool] = []
        # Far past the thresholds: with automatic collection, this thread would collect many times.
        run_in_background(lambda progress: make_cycles(200 * gc.get_threshold()[0]) or True, done.append)
        qtbot.waitUntil(lambda: bool(done), timeout=20_000)
        qtbot.waitUntil(lambda: bool(collecting_threads), timeout=5_000)  # the next tick collects
    finally:
        gc.callbacks.remove(note)
    assert set(collecting_threads) == {threading.main_thread().ident}


def test_the_tick_collects_only_past_the_threshold(qapp):
    collector = garbage.collect_on_ui_thread(qapp)
    gc.collect()
    assert collector.collect_due() == 0  # nothing allocated since
    make_cycles(gc.get_threshold()[0] + 10)
    assert collector.collect_due() > 0  # the cycles are freed
    assert collector.collect_due() == 0
