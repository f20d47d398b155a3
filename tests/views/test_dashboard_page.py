"""The Dashboard page: background load, tiles, navigation, the chart's empty state, customers at risk."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from app.models.enums import Segment
from app.views.dashboard.page import NAVIGATION, DashboardPage
from app.views.events import CASES, CUSTOMERS, FOLLOW_UPS, RETURNS, SURVEYS
from app.views.pages.base import AppContext
from tests.services.test_dashboard import NOW, TODAY, world  # noqa: F401 (fixture)
from tests.services.test_value import customer


def make_page(qtbot, database, rep=None) -> DashboardPage:
    page = DashboardPage(AppContext(database=database, current_rep=rep), today=lambda: TODAY, now=lambda: NOW)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    return page


def loaded(qtbot, page: DashboardPage) -> DashboardPage:
    page.activate()
    assert page.loading and page.status.text() == "Loading…"
    qtbot.waitUntil(lambda: not page.loading and not page.risk_loading, timeout=5000)
    return page


def click(widget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))


def test_a_manager_sees_everyone(qtbot, database, world):  # noqa: F811
    page = loaded(qtbot, make_page(qtbot, database))
    assert page.data_kinds == frozenset({FOLLOW_UPS, RETURNS, CASES, SURVEYS, CUSTOMERS})
    assert page.tiles["follow_ups_today"].number.text() == "3"
    assert page.tiles["follow_ups_overdue"].number.text() == "2"
    assert page.tiles["returns_open"].number.text() == "3"
    assert page.overdue_links["returns_overdue"].label.text() == "2 overdue"
    assert page.tiles["cases_open"].number.text() == "3"
    assert page.overdue_links["cases_overdue"].label.text() == "1 overdue"
    assert page.tiles["satisfaction"].number.text() == "No surveys this month"
    assert page.chart_stack.currentWidget() is page.chart_view
    assert page.status.isHidden()


def test_a_rep_sees_their_own(qtbot, database, world):  # noqa: F811
    from app.services.reps import RepRow

    ana = world["ana"]
    rep = RepRow(ana.id, ana.code, ana.name, ana.role, True) if not isinstance(ana, RepRow) else ana
    page = loaded(qtbot, make_page(qtbot, database, rep))
    assert page.tiles["follow_ups_today"].number.text() == "2"
    assert page.tiles["returns_open"].number.text() == "2"
    assert page.overdue_links["returns_overdue"].label.text() == "1 overdue"


@pytest.mark.parametrize("tile", ["follow_ups_today", "follow_ups_overdue", "returns_open", "cases_open",
                                  "satisfaction"])
def test_clicking_a_tile_navigates(qtbot, database, world, tile):  # noqa: F811
    page = loaded(qtbot, make_page(qtbot, database))
    with qtbot.waitSignal(page.navigate_requested, timeout=1000) as blocker:
        click(page.tiles[tile])
    assert blocker.args == [NAVIGATION[tile][0], NAVIGATION[tile][1]]


def test_overdue_lines_and_sections_navigate(qtbot, database, world):  # noqa: F811
    page = loaded(qtbot, make_page(qtbot, database))
    with qtbot.waitSignal(page.navigate_requested, timeout=1000) as blocker:
        click(page.overdue_links["returns_overdue"])
    assert blocker.args == ["returns", {"overdue": True}]
    with qtbot.waitSignal(page.navigate_requested, timeout=1000) as blocker:
        click(page.overdue_links["cases_overdue"])
    assert blocker.args == ["cases", {"overdue": True}]
    with qtbot.waitSignal(page.navigate_requested, timeout=1000) as blocker:
        click(page.segments_box)
    assert blocker.args == ["customers", {}]
    assert NAVIGATION["follow_ups_overdue"] == ("agenda", {"view": "overdue"})


def test_chart_empty_state_when_no_segments(qtbot, database):
    customer("X1")
    page = loaded(qtbot, make_page(qtbot, database))
    assert page.chart_stack.currentWidget() is page.chart_empty
    assert page.chart_empty.text() == "Segments not computed yet"
    assert page.risk_stack.currentWidget() is page.risk_empty


def test_customers_at_risk_table(qtbot, database):
    from tests.services.test_value import product, sale

    product()
    for i in range(12):  # A customers whose only purchase is years old: all at risk
        c = customer(f"R{i:02d}", segment=Segment.A)
        sale(c, dt.date(2020, 1, 1), (1, str(100 + i)))
    page = loaded(qtbot, make_page(qtbot, database))
    table = page.risk_table
    assert table.rowCount() == 10
    assert table.item(0, 0).text() == "Customer R11"
    assert table.item(0, 1).text() == "A"
    assert "111" in table.item(0, 2).text()
    assert table.item(0, 3).text() == "No purchase for longer than usual"
    assert page.risk_status.text() == "10 most valuable of 12"


def test_a_data_change_reloads(qtbot, database, world):  # noqa: F811
    page = loaded(qtbot, make_page(qtbot, database))
    customer("NEW", segment=Segment.B)
    page.on_data_changed(frozenset({CUSTOMERS}), None)
    assert page.loading
    qtbot.waitUntil(lambda: not page.loading and not page.risk_loading, timeout=5000)
    assert page.summary.segments[Segment.B] == 2
