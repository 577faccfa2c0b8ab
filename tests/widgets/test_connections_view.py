"""The Connections view: attempts by station, filtered, a double click names the record."""

from __future__ import annotations

from PySide6.QtTest import QAbstractItemModelTester

from app.session.capture import Capture
from app.session.message import RecordKind
from widgets.connections_view import (
    COLUMNS,
    DIAGNOSIS_COLUMN,
    UNKNOWN_STATION,
    ConnectionsView,
)


def _capture() -> Capture:
    capture = Capture()
    capture.event(RecordKind.REJECTED, "c1", "CP1", {"path": "/ocpp/CP1", "status": 400,
                                                     "offered": []})
    capture.event(RecordKind.OPENED, "c2", "CP1", {"path": "/ocpp/CP1",
                                                   "subprotocol": "ocpp2.0.1",
                                                   "offered": ["ocpp2.0.1"]})
    capture.event(RecordKind.REJECTED, "c3", "CP2", {"path": "/ocpp/CP2", "status": 400,
                                                     "offered": ["ocpp1.6"]})
    return capture


def test_attempts_are_grouped_by_station_with_their_sentence(qtbot):
    view = ConnectionsView()
    qtbot.addWidget(view)
    QAbstractItemModelTester(view.tree.model(),
                             QAbstractItemModelTester.FailureReportingMode.Fatal)
    view.set_capture(_capture())
    assert view.tree.topLevelItemCount() == 2
    station = view.tree.topLevelItem(0)
    assert station.text(0) == "CP1" and station.childCount() == 2
    assert station.child(0).text(DIAGNOSIS_COLUMN) == ("the charger offered no subprotocol; "
                                        "the CSMS requires ocpp2.0.1")


def test_the_filter_keeps_only_matching_attempts(qtbot):
    view = ConnectionsView()
    qtbot.addWidget(view)
    view.set_capture(_capture())
    view.filter_box.setText("ocpp1.6")
    assert view.tree.topLevelItemCount() == 1
    assert view.tree.topLevelItem(0).text(0) == "CP2"


def test_a_double_click_chooses_the_attempts_record(qtbot):
    view = ConnectionsView()
    qtbot.addWidget(view)
    view.set_capture(_capture())
    item = view.tree.topLevelItem(0).child(1)
    with qtbot.waitSignal(view.record_chosen) as chosen:
        view.tree.itemDoubleClicked.emit(item, 0)
    assert chosen.args == [2]


def test_refreshes_are_coalesced_into_one_rebuild(qtbot):
    view = ConnectionsView()
    qtbot.addWidget(view)
    capture = _capture()
    view.set_capture(capture)
    capture.event(RecordKind.REJECTED, "c4", "CP3", {"path": "/", "status": 404})
    view.refresh()
    view.refresh()
    qtbot.waitUntil(lambda: view.tree.topLevelItemCount() == 3)


def test_a_tls_refusal_before_any_station_id_shows_the_chargers_address(qtbot):
    view = ConnectionsView()
    qtbot.addWidget(view)
    capture = Capture()
    capture.event(RecordKind.REJECTED, "c1", "", {
        "role": "csms", "hop": "station", "remote": "10.0.0.7:50312",
        "station_id": "unknown until the handshake",
        "tls": {"class": "tls-to-plain", "detail": "a TLS ClientHello arrived"}})
    view.set_capture(capture)
    group = view.tree.topLevelItem(0)
    assert group.text(0) == UNKNOWN_STATION
    row = group.child(0)
    assert row.text(COLUMNS.index("Peer")) == "10.0.0.7:50312"
    assert row.text(DIAGNOSIS_COLUMN).startswith("the charger at 10.0.0.7:50312 started TLS")
