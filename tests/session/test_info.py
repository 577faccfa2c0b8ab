"""The Info line of a record: the reason of an invalid frame, the facts of a valid one, the
code of a CALLERROR, the story of a connection event; derived once per annotation."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ocpp import catalog
from app.ocpp.conversation import Direction
from app.ocpp.findings import warning
from app.session.capture import Annotation, Capture
from app.session.info import InfoLines, control_line, duration_text, event_line, info_line
from app.session.message import Message, RecordKind, frame_message, gap_record
from tests.ocpp.mutations import JSON_VALUES, holds_for_mutations

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


def exchange(action, request, response):
    capture = Capture()
    call = capture.frame("c1", "CP1", UP, json.dumps([2, "1", action, request]))
    answer = capture.frame("c1", "CP1", DOWN, json.dumps([3, "1", response]))
    return capture, call, answer


def line_of(capture, message):
    return info_line(message, capture.annotation(message.seq))


def test_a_boot_answer_shows_its_status_and_interval():
    capture, _, answer = exchange(
        "BootNotification", {"reason": "PowerUp", "chargingStation": {
            "vendorName": "V", "model": "M"}},
        {"currentTime": "2024-01-01T00:00:00Z", "interval": 300, "status": "Accepted"})
    assert line_of(capture, answer) == "status=Accepted · interval=300"


def test_an_invalid_frame_shows_its_first_error_code_and_words():
    capture, call, _ = exchange("Authorize", {"idToken": {"idToken": "X", "type": "iso14443"}},
                                {"idTokenInfo": {"status": "Accepted"}})
    line = line_of(capture, call)
    assert line.startswith("idToken.type: ") and line.endswith(" [schema.enum]")
    assert "ISO14443" in line


def test_finding_words_may_leave_the_code_to_a_column_of_its_own():
    from app.ocpp.findings import error
    from app.session.info import finding_words

    finding = error("schema.enum", "'x' is not one of A, B", "type")
    assert finding_words(finding, 2) == "type: 'x' is not one of A, B [schema.enum] (+2 more)"
    assert finding_words(finding, code=False) == "type: 'x' is not one of A, B"


def test_a_long_path_is_cut_to_its_last_field():
    capture, call, _ = exchange("MeterValues", {"evseId": 1, "meterValue": [
        {"timestamp": "2024-01-01T00:00:00", "sampledValue": [{"value": 1}]}]}, {})
    assert line_of(capture, call).startswith("…timestamp: '2024-01-01T00:00:00' has no UTC")


def test_a_malformed_frame_says_why_even_before_it_is_judged():
    message = frame_message(1, '[2,"1","Heartbeat",{"a":,}]')
    assert info_line(message).startswith("not valid JSON")
    assert info_line(message).endswith("[frame.not-json]")
    assert info_line(frame_message(2, '[2,"1","StopTransaction",{}]')).startswith(
        "'StopTransaction' is an OCPP 1.6 action")


def test_a_binary_frame_says_it_is_one():
    capture = Capture()
    message = capture.frame("c1", "CP1", UP, b'[2,"1","Heartbeat",{}]')
    assert line_of(capture, message).startswith("sent as a binary WebSocket frame")


def test_a_callerror_shows_its_code_and_description():
    capture = Capture()
    capture.frame("c1", "CP1", DOWN, '[2,"9","Reset",{"type":"Immediate"}]')
    error = capture.frame("c1", "CP1", UP,
                          '[4,"9","NotImplemented","Reset is not supported here",{}]')
    assert line_of(capture, error) == "NotImplemented: Reset is not supported here"


def test_a_record_with_several_findings_says_how_many_more():
    capture, call, _ = exchange("StatusNotification", {"timestamp": "x", "connectorStatus": "on",
                                                       "evseId": 1, "connectorId": 1}, {})
    assert line_of(capture, call).endswith("(+1 more)")


@pytest.mark.parametrize(("kind", "meta", "line"), [
    (RecordKind.OPENED, {"path": "/ocpp/CP1", "subprotocol": "ocpp2.0.1",
                         "remote": "10.0.0.7:5123", "auth": {"scheme": "Basic", "user": "CP1"}},
     "/ocpp/CP1 · subprotocol ocpp2.0.1 · from 10.0.0.7:5123 · Basic auth as CP1"),
    (RecordKind.OPENED, {"path": "/ocpp/CP1", "subprotocol": None,
                         "offered_raw": "no Sec-WebSocket-Protocol header"},
     "/ocpp/CP1 · no subprotocol agreed · offered no Sec-WebSocket-Protocol header"),
    (RecordKind.CLOSED, {"code": 1006, "reason": "", "by": "station", "clean": False,
                         "duration": 11.6},
     "1006 by station · no reason given · no closing handshake · after 11.6 s"),
    (RecordKind.CLOSED, {"code": 1000, "reason": "bye", "by": "csms", "clean": True},
     "1000 by csms · “bye”"),
    (RecordKind.REJECTED, {"status": 404, "reason": "no station id", "path": "/"},
     "HTTP 404 · no station id · /"),
    (RecordKind.CLOSED, {"code": [1], "reason": {"x": 1}, "duration": "long"},
     "? by ? · no reason given"),   # a hand-edited file: odd types say nothing
])
def test_connection_events(kind, meta, line):
    assert event_line(kind, meta) == line
    assert info_line(Message(1, 0.0, 0.0, "c1", "CP1", None, kind, meta=meta)) == line


def test_a_gap_says_what_was_lost():
    line = info_line(gap_record(12, 3, 14, "disk full"))
    assert line == "12 records not recorded (seq 3–14): disk full"


@pytest.mark.parametrize(("seconds", "text"), [
    (11.6152, "11.6 s"), (0.85, "850 ms"), (0.0004, "0.4 ms"), (0.0024, "2.4 ms"),
    (0.0, "0 ms"), (0.9996, "1.0 s"), (300, "5.0 min"), (9000, "2.5 h"), (-0.5, "-500 ms"),
])
def test_durations_read_in_the_best_unit(seconds, text):
    assert duration_text(seconds) == text


def test_lines_are_derived_once_per_annotation_and_bounded():
    capture = Capture()
    messages = [capture.frame("c1", "CP1", UP, f'[2,"{n}","Heartbeat",{{}}]')
                for n in range(10)]
    lines = InfoLines(capacity=4)
    for _ in range(3):
        for message in messages[:4]:
            lines.line(message, capture.annotation(message.seq))
    assert lines.derived == 4
    lines.line(messages[9], capture.annotation(10))
    lines.line(messages[0], capture.annotation(1))   # pushed out by the fifth: derived again
    assert lines.derived == 6
    lines.line(messages[0], Annotation(findings=()))  # an equal one: the same line
    assert lines.derived == 6
    judged = Annotation(findings=(warning("rule.x", "late"),))  # another: derived again
    lines.line(messages[0], judged)
    assert lines.derived == 7


def test_a_failing_summary_is_a_line_not_an_exception(monkeypatch, caplog):
    from app.session import info

    monkeypatch.setattr(info, "payload_facts", lambda *a: 1 / 0)
    assert "internal error" in info_line(frame_message(1, '[2,"1","Heartbeat",{}]'))
    assert "info line of record 1 failed" in caplog.text


@pytest.mark.parametrize("action", list(catalog.ACTIONS))
def test_info_of_mutated_frames_is_always_a_line(action):
    def is_a_line(kind, payload):
        capture = Capture()
        if kind.value == "request":
            message = capture.frame("c1", "CP1", UP, json.dumps([2, "1", action, payload]))
        else:
            capture.frame("c1", "CP1", DOWN, json.dumps([2, "1", action, {}]))
            message = capture.frame("c1", "CP1", UP, json.dumps([3, "1", payload]))
        line = line_of(capture, message)
        assert isinstance(line, str) and "internal error" not in line
        line.encode("utf-8")

    holds_for_mutations(action, is_a_line, examples=20)


@settings(max_examples=100, deadline=None, database=None)
@given(meta=st.dictionaries(st.sampled_from(["path", "subprotocol", "code", "reason", "by",
                                             "clean", "duration", "status", "auth", "lost",
                                             "remote", "offered_raw"]), JSON_VALUES),
       kind=st.sampled_from(list(RecordKind)))
def test_events_with_any_meta_are_a_line(meta, kind):
    line = info_line(Message(1, 0.0, 0.0, "c", "CP", None, kind, meta=meta))
    assert "internal error" not in line
    line.encode("utf-8")


def test_control_frames_read_as_what_happened_on_the_wire():
    pong = {"opcode": "pong", "rtt": 0.012, "size": 4}
    assert control_line(pong) == "pong · after 12 ms · 4 bytes"
    close = {"opcode": "close", "code": 4000, "reason": "idle"}
    assert control_line(close) == "close 4000 · “idle”"
    assert control_line({"opcode": "ping"}) == "ping"
