"""Reading the files users bring: what each kind of file becomes, frame by frame."""

import json
import sys

import pytest

from app.inputs import InputError, open_frames
from app.ocpp.conversation import Direction
from app.session.message import RecordKind, frame_message
from app.session.sessionfile import make_header
from tests.factories import make_message, write_session

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION

HEARTBEAT = [2, "1", "Heartbeat", {}]
HEARTBEAT_OK = [3, "1", {"currentTime": "2024-01-01T00:00:00Z"}]


def frames_of(tmp_path, content, name="frames.json"):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    source = open_frames(path)
    return source, list(source.frames)


def test_a_list_of_frames_is_read_frame_by_frame(tmp_path):
    source, frames = frames_of(tmp_path, [HEARTBEAT, HEARTBEAT_OK])
    assert source.kind == "json"
    assert [(f.position, json.loads(f.text)) for f in frames] == [
        ("[0]", HEARTBEAT), ("[1]", HEARTBEAT_OK)]


def test_a_stray_entry_in_a_list_of_frames_stays_at_its_position(tmp_path):
    source, frames = frames_of(tmp_path, [HEARTBEAT, {"oops": 1}, HEARTBEAT_OK])
    assert source.kind == "json"
    assert [f.position for f in frames] == ["[0]", "[1]", "[2]"]
    assert json.loads(frames[1].text) == {"oops": 1}


def test_a_list_starting_with_a_stray_entry_is_still_a_list_of_frames(tmp_path):
    _, frames = frames_of(tmp_path, [{"oops": 1}, HEARTBEAT, HEARTBEAT_OK])
    assert [json.loads(f.text) for f in frames] == [{"oops": 1}, HEARTBEAT, HEARTBEAT_OK]


def test_one_frame_is_one_frame_even_when_it_holds_lists(tmp_path):
    for frame in (HEARTBEAT, [2, "1", "Heartbeat", [[1]]], ["2", "1", "Heartbeat", []]):
        _, frames = frames_of(tmp_path, frame)
        assert len(frames) == 1 and json.loads(frames[0].text) == frame


def test_one_frame_per_line_and_lines_without_one_are_noted(tmp_path):
    source, frames = frames_of(tmp_path, f"{json.dumps(HEARTBEAT)}\n\n  not json \n",
                               name="frames.txt")
    assert source.kind == "lines"
    assert [(f.position, f.text) for f in frames] == [("line 1", json.dumps(HEARTBEAT))]
    assert source.warnings == ["line 3: no OCPP frame, skipped: not json"]


def test_files_of_frames_carry_no_times_and_say_so(tmp_path):
    source, frames = frames_of(tmp_path, [HEARTBEAT, HEARTBEAT_OK])
    assert not source.times_known and not source.directions_known
    assert [f.time for f in frames] == [None, None]


def test_directions_are_inferred_from_the_sender_of_each_action(tmp_path):
    source, frames = frames_of(tmp_path, [
        HEARTBEAT, HEARTBEAT_OK, [2, "d", "DataTransfer", {"vendorId": "x"}], [3, "d", {}],
        [2, "g", "GetVariables", {}], [4, "g", "NotSupported", "", {}], {"oops": 1}])
    assert [f.direction for f in frames] == [UP, DOWN, None, None, DOWN, UP, None]
    assert (source.inferred, source.unplaced) == (4, 2)  # a malformed frame needs none
    assert all(f.parsed is not None for f in frames)


def test_a_session_keeps_its_own_times_and_directions(tmp_path):
    path = tmp_path / "s.jsonl"
    write_session(path, [frame_message(1, json.dumps(HEARTBEAT), direction=DOWN, monotonic=5.0)])
    source = open_frames(path)
    frames = list(source.frames)
    assert source.times_known and source.directions_known
    assert [(f.direction, f.time) for f in frames] == [(DOWN, 5.0)]
    assert source.inferred == 0


def test_a_sessions_openings_say_which_subprotocol_their_handshake_chose(tmp_path):
    path = tmp_path / "s.jsonl"
    write_session(path, [
        make_message(1, kind=RecordKind.OPENED, meta={"subprotocol": "ocpp1.6"}),
        make_message(2, kind=RecordKind.OPENED, connection="c2", meta={"subprotocol": 16}),
        make_message(3, kind=RecordKind.CLOSED, meta={"subprotocol": "ocpp1.6"})])
    events = list(open_frames(path).frames)
    assert [(e.event, e.subprotocol) for e in events] == [
        (RecordKind.OPENED, "ocpp1.6"), (RecordKind.OPENED, None), (RecordKind.CLOSED, None)]


def test_a_text_without_any_ocpp_frame_is_refused_in_a_sentence(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("this is a shopping list\nmilk\n{\"not\": \"a frame\"}x\n", encoding="utf-8")
    with pytest.raises(InputError, match="no OCPP frames in this file"):
        open_frames(path)


def test_a_text_with_one_broken_frame_is_still_read(tmp_path):
    path = tmp_path / "log.txt"
    path.write_text('garbage\n[2,"1","Heartbeat",{\n', encoding="utf-8")
    source = open_frames(path)
    assert [frame.text for frame in source.frames] == ['[2,"1","Heartbeat",{']
    assert source.warnings == ["line 1: no OCPP frame, skipped: garbage"]


def test_a_log_of_another_implementation_keeps_its_times_and_directions(tmp_path):
    path = tmp_path / "steve.log"
    path.write_text("[chargeBoxId=cp1, sessionId=s] Received: [2,\"1\",\"Heartbeat\",{}]\n"
                    "[chargeBoxId=cp1, sessionId=s] Sending: [3,\"1\",{}]\n", encoding="utf-8")
    source = open_frames(path)
    frames = list(source.frames)
    assert source.kind == "SteVe WebSocketLogger logs" and source.directions_known
    assert [(f.station, f.direction) for f in frames] == [("cp1", UP), ("cp1", DOWN)]


def test_a_folder_that_is_no_message_dump_is_refused_in_a_sentence(tmp_path):
    with pytest.raises(InputError, match=r"is a directory, and holds no OCPP\.Core"):
        open_frames(tmp_path)


_ODD_LINES = [
    '{"seq":5,"time":"2025-01-01T00:00:00Z","mono":1.5,"conn":"c","station":"s",'
    '"dir":"station_to_csms","kind":"frame","text":"[2,\\"1\\",\\"Heartbeat\\",{}]"}',
    '{"seq":3,"time":"2025-01-01T00:00:01Z","mono":2,"conn":"c","station":"s",'
    '"dir":"csms_to_station","kind":"frame","text":"[3,\\"1\\",{}]"}',          # renumbered
    '{"seq":9,"time":"not a time","mono":3.0,"conn":"c","kind":"frame","text":"x"}',
    '{"seq":10,"time":"2025-01-01T00:00:02Z","mono":3.0,"conn":7,"kind":"frame","text":"y"}',
    '{"seq":11,"time":"2025-01-01T00:00:02Z","mono":3.0,"conn":"c","dir":"up",'
    '"kind":"frame","text":"z"}',
    '{"seq":12,"time":"2025-01-01T00:00:02Z","mono":3.0,"conn":"c","kind":"binary",'
    '"data":"AAE="}',
    '{"seq":13,"time":"2025-01-01T00:00:02Z","mono":3.0,"conn":"c","kind":"frame",'
    '"text":"?","data":"/w=="}',
    '{"seq":14,"time":"2025-01-01T00:00:02Z","mono":3.0,"kind":"gap",'
    '"meta":{"lost":2,"first_seq":15,"last_seq":16,"reason":"disk full"}}',
    '{"seq":"17","time":"2025-01-01T00:00:03Z","conn":"d","kind":"frame","text":"[]"}',
    '[1, 2]', '', '   ', '{"seq":18} trailing', '{"kind":"opened"}',
    '{"seq":19,"time":"2025-01-01T00:00:03Z","mono":1.0,"conn":"d","kind":"frame",'
    '"text":"[2,\\"9\\",\\"Heartbeat\\",{}]", "dir": null, "meta": {"a": 1}}',
    '{"seq":20,"time":"2025-01-01T00:00:04Z","mono":1.0,"conn":"d","kind":"frame","te',
]


def test_a_session_is_read_into_the_frames_its_records_hold(tmp_path):
    """The quick reading of session lines gives, line for line, what the reader's records
    say (skips, warnings, renumbering, gaps, bytes), however odd the lines."""
    from app.inputs import InputFrame
    from app.session.message import RecordKind
    from app.session.sessionfile import SessionReader

    path = tmp_path / "odd.jsonl"
    path.write_text(json.dumps(make_header("proxy")) + "\n" + "\n".join(_ODD_LINES),
                    encoding="utf-8")
    source = open_frames(path)
    frames = list(source.frames)
    reader = SessionReader.open(path)
    expected = [InputFrame(f"seq {m.seq}", m.wire[0], m.connection, m.station, m.direction,
                           m.monotonic, m.seq, binary=m.wire[1])
                for m in reader if m.kind in (RecordKind.FRAME, RecordKind.BINARY)]
    assert frames == expected
    assert [f.seq for f in frames] == [5, 6, 7, 8, 9, 11, 12]  # 10 is the gap
    assert source.warnings == reader.warnings and len(source.warnings) == 7
    assert [(g.lost, g.reason) for g in source.gaps] == [(2, "disk full")]


def test_a_closed_standard_input_is_refused_in_a_sentence(monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)  # started with <&-
    with pytest.raises(InputError, match=r"^-: standard input is closed$"):
        open_frames("-")
