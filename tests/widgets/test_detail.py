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
