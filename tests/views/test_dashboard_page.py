"""The Dashboard page: background load, tiles, navigation, the chart's empty state, customers at risk."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from app.models.enums import Segment
from app.views.dashboard.page import NAVIGATION, DashboardPage
from app.views.events import CASES, CHARTERS, CUSTOMERS, FOLLOW_UPS, RETURNS, SETTINGS, SURVEYS
from app.views.pages.base import AppContext
from tests.factories import DASHBOARD_NOW as NOW
from tests.factories import DASHBOARD_TODAY as TODAY
from tests.factories import build_dashboard_world, charter, customer


@pytest.fixture
def world(database):
    return build_dashboard_world()


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


def test_a_manager_sees_everyone(qtbot, database, world):
    page = loaded(qtbot, make_page(qtbot, database))
    assert page.data_kinds == frozenset({FOLLOW_UPS, RETURNS, CASES, SURVEYS, CUSTOMERS, CHARTERS, SETTINGS})
    assert page.tiles["follow_ups_today"].number.text() == "3"
    assert page.tiles["follow_ups_overdue"].number.text() == "2"
    assert page.tiles["returns_open"].number.text() == "3"
    assert page.overdue_links["returns_overdue"].label.text() == "2 overdue"
    assert page.tiles["cases_open"].number.text() == "3"
    assert page.overdue_links["cases_overdue"].label.text() == "1 overdue"
    assert page.tiles["satisfaction"].number.text() == "No surveys this month"
    assert page.chart_stack.currentWidget() is page.chart_view
    assert page.status.isHidden()


def test_a_rep_sees_their_own(qtbot, database, world):
    from app.services.reps import RepRow

    ana = world["ana"]
    rep = RepRow(ana.id, ana.code, ana.name, ana.role, True) if not isinstance(ana, RepRow) else ana
    page = loaded(qtbot, make_page(qtbot, database, rep))
    assert page.tiles["follow_ups_today"].number.text() == "2"
    assert page.tiles["returns_open"].number.text() == "2"
    assert page.overdue_links["returns_overdue"].label.text() == "1 overdue"


@pytest.mark.parametrize(
    "tile", ["follow_ups_today", "follow_ups_overdue", "returns_open", "cases_open", "satisfaction"]
)
def test_clicking_a_tile_navigates(qtbot, database, world, tile):
    page = loaded(qtbot, make_page(qtbot, database))
    with qtbot.waitSignal(page.navigate_requested, timeout=1000) as blocker:
        click(page.tiles[tile])
    assert blocker.args == [NAVIGATION[tile][0], NAVIGATION[tile][1]]


def test_overdue_lines_and_sections_navigate(qtbot, database, world):
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
    from tests.factories import product, sale

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


def test_a_data_change_reloads(qtbot, database, world):
    page = loaded(qtbot, make_page(qtbot, database))
    customer("NEW", segment=Segment.B)
    page.on_data_changed(frozenset({CUSTOMERS}), None)
    assert page.loading
    qtbot.waitUntil(lambda: not page.loading and not page.risk_loading, timeout=5000)
    assert page.summary.segments[Segment.B] == 2


def test_clicking_the_at_risk_title_opens_the_at_risk_list(qtbot, database, world):
    page = loaded(qtbot, make_page(qtbot, database))
    with qtbot.waitSignal(page.navigate_requested, timeout=1000) as blocker:
        click(page.risk_title)
    assert blocker.args == ["customers", {"at_risk": True}]


def test_compliance_tile_hidden_without_an_active_charter(qtbot, database, world):
    page = loaded(qtbot, make_page(qtbot, database))
    assert page.summary.compliance is None
    assert page.tiles["compliance"].isHidden()


def test_compliance_tile_shows_what_is_met_and_navigates_to_the_charters(qtbot, database, world):
    from app.models import SatisfactionSurvey
    from app.models.enums import CharterIndicator, CharterPeriod

    charter(
        True,
        (CharterIndicator.AVERAGE_SATISFACTION, 4, CharterPeriod.MONTH),
        (CharterIndicator.NPS, 50, CharterPeriod.MONTH),
        (CharterIndicator.RETURNS_RESOLVED, 90, CharterPeriod.YEAR, 15),
    )
    c = customer("S1")
    for sat, rec in [(5, 10), (4, 9), (4, 6)]:  # average 4.33 (met), NPS 33 (missed)
        SatisfactionSurvey.create(customer=c, taken_on=dt.date(2026, 11, 2), satisfaction=sat, recommend=rec)
    page = loaded(qtbot, make_page(qtbot, database))
    tile = page.tiles["compliance"]
    assert page.status.isHidden(), page.status.text()
    assert not tile.isHidden()
    measured = page.summary.compliance.measured
    assert tile.number.text() == f"1 of {measured}"
    assert "Net promoter score: +33 (target ≥ 50)" in tile.detail.text()
    with qtbot.waitSignal(page.navigate_requested, timeout=1000) as blocker:
        click(tile)
    assert blocker.args == ["charters", {}]


def test_a_rep_sees_their_own_customers_at_risk(qtbot, database, world):
    from app.models import Customer
    from app.services.reps import RepRow
    from tests.factories import sale

    ana = world["ana"]
    Customer.update(rep=ana.id).where(Customer.code == "C1").execute()
    sale(Customer.get(Customer.code == "C2"), dt.date(2020, 1, 1), (1, "10.00"))
    rep = RepRow(ana.id, ana.code, ana.name, ana.role, True)
    page = loaded(qtbot, make_page(qtbot, database, rep))
    table = page.risk_table
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["Customer C1"]
    manager_page = loaded(qtbot, make_page(qtbot, database))
    assert manager_page.risk_table.rowCount() == 2


def test_clicking_a_bar_of_the_abc_chart_lists_that_segment(qtbot, database, world):
    from PySide6.QtCore import QPointF

    page = loaded(qtbot, make_page(qtbot, database))
    series = page.chart.series()[0]
    for index, segment in enumerate(Segment):  # the middle of each bar (1 customer in A and B, 2 in C)
        count = series.barSets()[0].at(index)
        in_chart = page.chart.mapToPosition(QPointF(index, count / 2), series)
        in_view = page.chart_view.mapFromScene(page.chart.mapToScene(in_chart))
        position = page.chart_view.mapTo(page.segments_box, in_view)
        assert page.segment_at(position) is segment
        with qtbot.waitSignal(page.navigate_requested, timeout=1000) as blocker:
            QTest.mouseClick(page.segments_box, Qt.MouseButton.LeftButton, pos=position)
        assert blocker.args == ["customers", {"segment": segment.value}]
