"""Figures read at a glance: fixed decimals per unit, a dash for a missing figure, local
clock times, and a peer's unparsable date shown as sent."""

from datetime import datetime

from widgets.readouts import MISSING, amps, clock, kw, kwh, percent, rfc3339_clock


def test_figures_have_the_decimals_of_their_unit():
    assert (kwh(12.345), kw(7.36), amps([16.04]), percent(57.6)) == (
        "12.35 kWh", "7.4 kW", "16.0 A", "58 %")
    assert amps([16.0, 15.5, 16.2]) == "16.0 / 15.5 / 16.2 A"
    assert kwh(1234.5) == "1,234.50 kWh"


def test_a_missing_figure_is_a_dash():
    assert kwh(None) == kw(None) == percent(None) == amps([]) == MISSING


def test_times_are_local_clock_times():
    moment = datetime(2024, 6, 10, 9, 5, 7).timestamp()
    assert clock(moment) == "09:05:07"
    assert clock(None) == clock(0) == ""
    assert clock(1e20) == ""


def test_a_peer_date_is_local_or_shown_as_sent():
    assert rfc3339_clock("2024-06-10T09:05:07") == "09:05:07"
    utc = datetime.fromisoformat("2024-06-10T09:05:07+00:00").astimezone()
    assert rfc3339_clock("2024-06-10T09:05:07Z") == utc.strftime("%H:%M:%S")
    assert rfc3339_clock("0") == "0" and rfc3339_clock(None) == ""
