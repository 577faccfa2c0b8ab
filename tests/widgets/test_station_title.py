"""The Station tab's title, worked out from the state alone."""

from app.state.model import SessionState
from tests.widgets import station_samples as samples
from widgets.station_title import station_title


def test_no_station_gives_the_plain_title():
    assert station_title(SessionState(), None) == "Station"


def test_a_report_with_a_hole_is_counted_in_the_title():
    assert station_title(samples.two_evses_one_charging(), None) == (
        "Station (1 report incomplete)")


def test_a_station_the_state_does_not_know_falls_back_to_the_first():
    assert station_title(samples.two_evses_one_charging(), "gone") == (
        "Station (1 report incomplete)")
