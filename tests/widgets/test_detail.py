"""The detail pane shows each finding in its severity's colour."""

from app.ocpp.conversation import Direction
from app.session.capture import Capture
from widgets.detail import (
    ERROR_TEXT,
    FINDING_MARK,
    WARNING_MARK,
    WARNING_TEXT,
    DetailPane,
)

UNSET_CLOCK = ('[2,"s","StatusNotification",{"timestamp":"1970-01-01T00:00:00Z",'
               '"connectorStatus":"Available","evseId":1,"connectorId":1}]')


def _tints(view):
    return [s.format.background().color() for s in view.extraSelections()]


def test_a_warning_is_shown_in_the_warning_colour_not_the_error_colour(qtbot):
    pane = DetailPane()
    qtbot.addWidget(pane)
    capture = Capture()
    message = capture.frame("c1", "CP1", Direction.STATION_TO_CSMS, UNSET_CLOCK)
    pane.show_message(capture, message)
    item = pane.findings.item(0)
    assert "datetime.clock-not-set" in item.text()
    assert item.foreground().color() == WARNING_TEXT
    assert _tints(pane.view) == [WARNING_MARK]


def test_an_error_keeps_the_error_colour(qtbot):
    pane = DetailPane()
    qtbot.addWidget(pane)
    capture = Capture()
    message = capture.frame("c1", "CP1", Direction.STATION_TO_CSMS,
                            UNSET_CLOCK.replace('"Available"', '"Free"'))
    pane.show_message(capture, message)
    item = pane.findings.item(0)
    assert "schema.enum" in item.text() and item.foreground().color() == ERROR_TEXT
    assert FINDING_MARK in _tints(pane.view)


def test_a_record_of_a_file_without_times_is_named_without_a_made_up_clock(qtbot):
    from app.session.message import frame_message

    pane = DetailPane()
    qtbot.addWidget(pane)
    capture = Capture()
    call = frame_message(1, '[2,"7","Heartbeat",{}]', direction=Direction.STATION_TO_CSMS,
                         time=0.0, monotonic=0.0)
    answer = frame_message(2, '[3,"7",{"currentTime":"2024-01-01T00:00:00Z"}]',
                           direction=Direction.CSMS_TO_STATION, time=0.0, monotonic=0.0)
    capture.adopt([call, answer], times_known=False)
    capture.annotate()
    pane.show_message(capture, capture.messages[0])
    assert pane.header.text().endswith("station → CSMS")
    assert ":00." not in pane.header.text() and ":00." not in pane.pair_label.text()
