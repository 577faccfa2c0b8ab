"""The stations panel keeps its counts in view, however narrow, and names give way."""

from app.state.model import Connection, StationState
from widgets.stations_panel import HEARTBEAT, INVALID, STATE, STATION, StationsPanel


def visible_right_edge(panel, column):
    table = panel.table
    return table.columnViewportPosition(column) + table.columnWidth(column)


def test_the_invalid_column_stays_in_view_in_a_narrow_panel(qtbot):
    panel = StationsPanel()
    qtbot.addWidget(panel)
    panel.resize(600, 200)
    panel.show()
    qtbot.waitExposed(panel)
    panel.update_states([StationState("CHARGER-WITH-A-LONG-NAME-0001",
                                      registration="Accepted", frames=123456, invalid=42,
                                      last_heartbeat=1.7e9,
                                      connections=[Connection("c1", 1.7e9, 1)])])
    assert not panel.table.isColumnHidden(HEARTBEAT)
    for width in (600, 260, 200):
        panel.resize(width, 200)
        qtbot.waitUntil(lambda w=width: panel.table.viewport().width() <= w)
        assert visible_right_edge(panel, INVALID) <= panel.table.viewport().width()
        assert panel.table.columnWidth(INVALID) > 0
    assert panel.table.isColumnHidden(HEARTBEAT)   # went first, to keep the counts
    assert "last heartbeat" in panel.table.item(0, STATE).toolTip()
    assert panel.table.item(0, STATION).toolTip().startswith("CHARGER-WITH-A-LONG-NAME-0001")


def test_a_file_without_times_shows_no_heartbeat_time(qtbot):
    panel = StationsPanel()
    qtbot.addWidget(panel)
    panel.update_states([StationState("CP1", last_heartbeat=0.0, frames=2)])
    assert panel.table.item(0, HEARTBEAT).text() == ""


def test_a_station_without_heartbeats_settles_at_every_panel_width(qtbot):
    """An empty Heartbeat column needs its title's width whether shown or hidden: were the
    hidden column's need taken as its (empty) cells' width, hiding it would make room to
    show it again, and each showing and hiding would resize the columns once more."""
    panel = StationsPanel()
    qtbot.addWidget(panel)
    panel.resize(400, 200)
    panel.show()
    qtbot.waitExposed(panel)
    panel.update_states([StationState("DEMO-CP-01", registration="Accepted", frames=50,
                                      invalid=1, connections=[Connection("c1", 1.7e9, 1)])])
    for width in range(400, 180, -4):
        panel.resize(width, 200)
        qtbot.waitUntil(lambda w=width: panel.table.viewport().width() <= w)
        assert visible_right_edge(panel, INVALID) <= panel.table.viewport().width()
