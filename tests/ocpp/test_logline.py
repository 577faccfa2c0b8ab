"""Finding the frame in a log line: prefixes, suffixes, brackets that are not frames."""

import pytest

from app.ocpp.logline import frame_in_line, frame_span, is_json, json_or_none

HEARTBEAT = '[2,"1","Heartbeat",{}]'


@pytest.mark.parametrize("line", [
    HEARTBEAT,
    f"  {HEARTBEAT}  ",
    f"2026-11-30 10:00:01 [INFO] → {HEARTBEAT}",
    f"[2026-11-30 10:00:01] [CP-1] >> {HEARTBEAT}",
    f"10:00:01.123 DEBUG ocpp: send {HEARTBEAT} (queued)",
    f"received message: {HEARTBEAT}, took 3 ms",
])
def test_the_frame_is_found_behind_any_prefix(line):
    assert frame_in_line(line) == HEARTBEAT


def test_answers_and_errors_are_found_too():
    result = '[3, "19", {"currentTime": "2026-11-30T10:00:01Z", "nested": [2, "x"]}]'
    assert frame_in_line(f"<< {result} done") == result
    error = '[4,"7","NotSupported","",{}]'
    assert frame_in_line(f"E {error}") == error


def test_a_frame_whose_payload_holds_frame_like_arrays_is_taken_whole():
    frame = '[2,"a","DataTransfer",{"vendorId":"v","data":[3,"b",{}]}]'
    assert frame_in_line(f"INFO {frame}") == frame


def test_a_broken_frame_is_taken_up_to_the_last_bracket_so_that_its_fault_is_shown():
    assert frame_in_line('10:00 → [2,"1","Heartbeat",{] ') == '[2,"1","Heartbeat",{]'
    assert frame_in_line("10:00 → [2, 'single', 'quotes', {}]") == (
        "[2, 'single', 'quotes', {}]")


def test_a_line_that_is_json_as_a_whole_is_the_frame_whatever_it_holds():
    assert frame_in_line('{"not": "a frame"}') == '{"not": "a frame"}'
    assert frame_in_line('[5, "x"]') == '[5, "x"]'
    assert frame_in_line('["2", "x", "Heartbeat", {}]') == '["2", "x", "Heartbeat", {}]'


@pytest.mark.parametrize("line", [
    "", "   ", "2026-11-30 10:00:01 [INFO] connected to wss://csms/ocpp/CP-1",
    "[INFO] started", "[2026-11-30 10:00:01] connection closed (1000)",
    "retrying in [2, 4, 8] seconds",
])
def test_lines_without_a_frame_hold_none(line):
    assert frame_span(line) is None


def test_the_span_points_into_the_line():
    line = f"x → {HEARTBEAT} y"
    start, end = frame_span(line)
    assert line[start:end] == HEARTBEAT


def test_a_line_of_many_brackets_stays_cheap():
    line = '[2,"' * 20000
    assert frame_span(line) is not None  # a broken frame, found without reading it 20000 times


def test_a_frame_with_a_number_for_its_id_is_still_found():
    assert frame_in_line('tx: [2, 19, "Heartbeat", {}]') == '[2, 19, "Heartbeat", {}]'


def test_text_that_is_not_json_gives_none_or_false_instead_of_raising():
    deep = "[" * 100_000
    assert json_or_none('{"a": [1, null]}') == {"a": [1, None]}
    assert json_or_none("[2, 'x'") is None and json_or_none(deep) is None
    assert is_json("null") and json_or_none("null") is None
    assert not is_json("[2, 'x'") and not is_json(deep)
