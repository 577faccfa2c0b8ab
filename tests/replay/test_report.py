"""Reports: a line per difference, JSON that says it all, HTML that escapes peer data."""

import json

import pytest

from app.errors import UsageError
from app.ocpp.conversation import Direction
from app.replay.compare import Exchange, Reply, compare
from app.replay.report import ReplayReport, console_lines, to_html, to_json, write_report

UP = Direction.STATION_TO_CSMS


def report_of(recorded_status, live_status):
    def ex(status, seq):
        return Exchange(seq, UP, "Authorize", 1, {"idToken": {"idToken": "<b>x</b>"}},
                        Reply("result", {"idTokenInfo": {"status": status}}))
    outcomes = compare([ex(recorded_status, 3)], [ex(live_status, 40)], UP)
    return ReplayReport("bench.jsonl", "CP-1", "CP-1", "station", "ws://h/ocpp", outcomes,
                        ["currentTime"])


def test_console_has_a_line_per_difference_then_the_counts():
    lines = console_lines(report_of("Accepted", "Invalid"))
    assert lines == ["different → Authorize #1: idTokenInfo.status: 'Accepted' -> 'Invalid'",
                     "replay of CP-1: 0 same, 1 different, 0 missing, 0 extra (1 exchanges)"]


def test_json_names_verdicts_paths_and_both_sides():
    data = to_json(report_of("Accepted", "Invalid"))
    assert data["matched"] is False and data["counts"]["different"] == 1
    (exchange,) = data["exchanges"]
    assert exchange["differences"][0]["live"] == "Invalid"
    assert exchange["recorded"]["seq"] == 3 and exchange["live"]["seq"] == 40
    json.dumps(data)


def test_html_escapes_what_the_peer_sent():
    page = to_html(report_of("<script>alert(1)</script>", "Invalid"))
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_a_report_file_needs_a_known_suffix(tmp_path):
    write_report(report_of("Accepted", "Accepted"), tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["matched"] is True
    with pytest.raises(UsageError, match=r"\.json or \.html"):
        write_report(report_of("Accepted", "Accepted"), tmp_path / "r.txt")
