"""The one-phrase state of a station, as the stations panel shows it."""

from app.state.summary import named_stations, station_summary
from tests.factories import boot, judged_capture


def test_summary_follows_connection_and_registration():
    capture = judged_capture([("opened", {}), *boot()[:1]])
    assert station_summary(capture.state.stations["CP1"]) == "connected"
    capture = judged_capture([("opened", {}), *boot()])
    assert station_summary(capture.state.stations["CP1"]) == "booted"
    capture = judged_capture([("opened", {}), *boot(status="Pending")])
    assert station_summary(capture.state.stations["CP1"]) == "registration Pending"
    capture = judged_capture([("opened", {}), *boot(),
                              ("closed", {"code": 1006, "by": "station"})])
    assert station_summary(capture.state.stations["CP1"]) == "disconnected (1006 by station)"


def test_records_without_a_station_are_not_listed_as_one():
    capture = judged_capture(boot(), station="", connection="")
    assert "" in capture.state.stations and named_stations(capture.state) == []
