"""Expert Info: the findings tree passes Qt's model checks, counts what the capture holds,
follows live batches on its timer (not per frame) and a load once judged, keeps what was
expanded, regroups by code, action or station at a click, and a click on a record selects
it in the timeline under every grouping."""

from PySide6.QtCore import QModelIndex, Qt

from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.findings_summary import Grouping
from app.session.message import RecordKind
from tests.factories import write_session
from tests.session.test_findings_summary import BAD_TIME, fill
from tests.widgets.conftest import open_judged
from widgets.bridge import CaptureBridge
from widgets.expert_info import ExpertInfo
from widgets.findings_tree import COUNT, EXAMPLE, FINDING

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


def texts(model, parent=None, column=FINDING):
    parent = parent or QModelIndex()
    return [model.data(model.index(r, column, parent)) for r in range(model.rowCount(parent))]


def live_info(qtbot, capture):
    info = ExpertInfo()
    qtbot.addWidget(info)
    info.show_capture(capture, live=True)
    bridge = CaptureBridge(info, interval_ms=20)
    bridge.attach(capture)
    bridge.batch.connect(info.add_batch)
    return info


def test_the_tree_passes_qt_model_checks(qtbot, qtmodeltester):
    capture = Capture()
    info = live_info(qtbot, capture)
    fill(capture)
    qtbot.waitUntil(lambda: info.model.rowCount() == 2, timeout=5000)
    qtmodeltester.check(info.model)
    info.view.expandAll()
    qtmodeltester.check(info.model)


def test_findings_are_counted_by_severity_code_and_station(qtbot):
    capture = Capture()
    info = live_info(qtbot, capture)
    fill(capture)
    model = info.model
    qtbot.waitUntil(lambda: texts(model) == ["Errors", "Warnings"], timeout=5000)
    assert texts(model, column=COUNT) == ["4", "3"]
    errors = model.index(0, 0)
    assert texts(model, errors) == ["frame.not-json", "schema.date-time"]
    dates = model.index(1, 0, errors)
    assert texts(model, dates) == ["CP1", "CP2"] and texts(model, dates, COUNT) == ["2", "1"]
    assert texts(model, model.index(0, 0, dates)) == ["#1", "#3"]
    assert info.status.text().startswith("4 errors · 3 warnings")
    record = model.index(0, EXAMPLE, model.index(0, 0, dates))
    assert " · CALL MeterValues · …timestamp: '2024-01-01T00:00:00' has no UTC" in model.data(
        record)
    assert model.seq_at(model.index(1, 0, model.index(0, 0, dates))) == 3


def test_live_findings_arrive_in_coalesced_updates_without_resetting_the_tree(qtbot):
    capture = Capture()
    info = live_info(qtbot, capture)
    model = info.model
    capture.frame("c1", "CP1", UP, BAD_TIME.format(n=1))
    capture.frame("c1", "CP1", DOWN, '[3,"1",{}]')
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5000)
    info.view.expandAll()
    resets, inserted = [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))
    for n in range(2, 12):   # ten more of the same kind from the same station
        capture.frame("c1", "CP1", UP, BAD_TIME.format(n=n))
        capture.frame("c1", "CP1", DOWN, f'[3,"{n}",{{}}]')
    station = model.index(0, 0, model.index(0, 0, model.index(0, 0)))
    qtbot.waitUntil(lambda: model.rowCount(station) == 11, timeout=5000)
    assert resets == [] and len(inserted) <= 2    # one update a tick, not one a frame
    assert model.data(model.index(0, COUNT)) == "11"
    assert info.view.isExpanded(station)


def test_a_new_kind_rebuilds_the_tree_and_keeps_it_expanded(qtbot):
    capture = Capture()
    info = live_info(qtbot, capture)
    model = info.model
    capture.frame("c1", "CP1", UP, BAD_TIME.format(n=1))
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5000)
    info.view.expandAll()
    capture.frame("c1", "CP2", UP, "not json")
    qtbot.waitUntil(lambda: model.rowCount(model.index(0, 0)) == 2, timeout=5000)
    dates = model.index(1, 0, model.index(0, 0))
    assert model.data(dates) == "schema.date-time" and info.view.isExpanded(dates)


def test_a_note_made_later_is_counted_once(qtbot):
    capture = Capture()
    info = live_info(qtbot, capture)
    capture.frame("c1", "CP1", UP, '[2,"1","Heartbeat",{}]')
    capture.event(RecordKind.CLOSED, "c1", "CP1", {"code": 1006})
    qtbot.waitUntil(lambda: texts(info.model) == ["Warnings"], timeout=5000)
    info.refresh()
    info.refresh()
    assert info.summary.count() == 1 and info.model.data(info.model.index(0, COUNT)) == "1"


def open_invalid_session(window, qtbot, tmp_path):
    """The window shows, judged, a session of the records `fill` makes."""
    capture = Capture()
    fill(capture)
    open_judged(window, qtbot, write_session(tmp_path / "bad.jsonl", capture.messages))


def test_a_loaded_session_is_summarised_once_judged(window, qtbot, tmp_path):
    open_invalid_session(window, qtbot, tmp_path)
    qtbot.waitUntil(lambda: not window.expert.building and window.expert.summary.count() == 7,
                    timeout=10000)
    assert texts(window.expert.model) == ["Errors", "Warnings"]
    assert window.bottom_tabs.tabText(1) == "Expert info (7)"


def test_clicking_a_record_selects_it_in_the_timeline_clearing_the_filter(
        window, qtbot, loop, tmp_path):
    open_invalid_session(window, qtbot, tmp_path)
    expert = window.expert
    qtbot.waitUntil(lambda: expert.model.rowCount() == 2, timeout=10000)
    window.filter_bar.station.setCurrentText("CP1")
    qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=10000)
    window.bottom_tabs.setCurrentWidget(expert)
    expert.view.expandAll()
    model = expert.model
    cp2 = model.index(1, 0, model.index(1, 0, model.index(0, 0)))   # date-time at CP2
    record = model.index(0, 0, cp2)
    assert model.data(cp2) == "CP2" and model.seq_at(record) == 5
    rect = expert.view.visualRect(record)
    qtbot.mouseClick(expert.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.detail.message is not None and window.detail.message.seq == 5
    assert window.model.rowCount() == 7
    assert "cleared" in window.statusBar().currentMessage()


def test_an_index_kept_past_a_rebuild_finds_nothing_instead_of_freed_memory(qtbot):
    capture = Capture()
    info = live_info(qtbot, capture)
    model = info.model
    capture.frame("c1", "CP1", UP, BAD_TIME.format(n=1))
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5000)
    old = model.index(0, 0, model.index(0, 0, model.index(0, 0)))   # the station CP1
    capture.frame("c1", "CP2", UP, "not json")   # a new kind: the tree is rebuilt
    qtbot.waitUntil(lambda: model.rowCount(model.index(0, 0)) == 2, timeout=5000)
    assert not model.parent(old).isValid() and model.seq_at(old) is None
    assert model.rowCount(old) == 0 and not model.data(old)


def test_the_group_by_buttons_regroup_the_tree_and_open_its_headings(qtbot):
    capture = Capture()
    info = live_info(qtbot, capture)
    fill(capture)
    model = info.model
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=5000)
    qtbot.mouseClick(info.grouping_button(Grouping.ACTION), Qt.MouseButton.LeftButton)
    assert info.grouping is Grouping.ACTION
    assert texts(model) == ["(no action)", "Heartbeat", "MeterValues"]
    assert all(info.view.isExpanded(model.index(row, 0)) for row in range(3))
    capture.frame("c9", "CP1", UP, BAD_TIME.format(n=7))   # live records keep coming
    qtbot.waitUntil(lambda: model.data(model.index(2, COUNT)) == "5", timeout=5000)
    qtbot.mouseClick(info.grouping_button(Grouping.STATION), Qt.MouseButton.LeftButton)
    assert texts(model) == ["CP1", "CP2"] and texts(model, column=COUNT) == ["4", "4"]
    qtbot.mouseClick(info.grouping_button(Grouping.CODE), Qt.MouseButton.LeftButton)
    assert texts(model) == ["Errors", "Warnings"]
    assert info.grouping_button(Grouping.CODE).isChecked()
    assert not info.grouping_button(Grouping.STATION).isChecked()


def click_record(qtbot, view, record):
    view.scrollTo(record)
    rect = view.visualRect(record)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_a_record_under_an_action_or_a_station_is_one_click_from_the_timeline(
        window, qtbot, loop, tmp_path):
    open_invalid_session(window, qtbot, tmp_path)
    expert = window.expert
    qtbot.waitUntil(lambda: not expert.building and expert.summary.count() == 7,
                    timeout=10000)
    window.bottom_tabs.setCurrentWidget(expert)
    model = expert.model
    expert.set_grouping(Grouping.ACTION)
    heartbeat = model.index(1, 0)
    assert model.data(heartbeat) == "Heartbeat" and model.data(model.index(1, COUNT)) == "2"
    concurrent = model.index(0, 0, heartbeat)
    expert.view.expand(concurrent)
    click_record(qtbot, expert.view, model.index(0, 0, concurrent))
    assert window.detail.message is not None and window.detail.message.seq == 6
    expert.set_grouping(Grouping.STATION)
    cp1 = model.index(0, 0)
    not_json = model.index(0, 0, cp1)
    assert model.data(not_json) == "frame.not-json"
    expert.view.expand(not_json)
    click_record(qtbot, expert.view, model.index(0, 0, not_json))
    assert window.detail.message.seq == 4
