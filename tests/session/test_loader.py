"""SessionLoader: loads in steps exactly what SessionReader reads, and every file validate takes."""

import dataclasses
import gc
import json

import pytest

from app.ocpp.conversation import Direction
from app.session.loader import BATCH, SessionLoader
from app.session.message import Message, RecordKind
from app.session.sessionfile import (
    SessionFileError,
    SessionReader,
    is_session_file,
    record_from_json,
    record_to_json,
)
from tests.benchmarks.make_session import write_session
from tests.session.test_sessionfile import sample_records, write


def load(path, budget=1.0):
    loader = SessionLoader.open(path, freeze_gc=False)
    steps = 0
    while loader.step(budget):
        steps += 1
    return loader, steps + 1


@pytest.fixture
def big(tmp_path):
    path = tmp_path / "big.jsonl"
    write_session(path, 3000)
    return path


def test_loads_a_session_as_the_reader_reads_it(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    loader, _ = load(path)
    reader = SessionReader.open(path)
    assert loader.messages == list(reader) == sample_records()
    assert loader.kind == "session" and loader.header == reader.header
    assert loader.done and not loader.cancelled and loader.warnings == []


def test_a_big_synthetic_session_loads_as_the_reader_reads_it(big):
    loader, _ = load(big)
    assert len(loader.messages) == 3000
    assert loader.messages == list(SessionReader.open(big))
    assert [m.seq for m in loader.messages] == list(range(1, 3001))
    kinds = {m.kind for m in loader.messages}
    assert kinds == {RecordKind.OPENED, RecordKind.FRAME, RecordKind.CLOSED}
    assert loader.skipped == 0


def test_synthetic_session_lines_are_exactly_what_the_writer_writes(big):
    """make_session formats lines itself for speed; each must be what SessionWriter writes."""
    lines = big.read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        value = json.loads(line)
        assert record_to_json(record_from_json(value)) == value
        assert json.dumps(value, ensure_ascii=False, separators=(",", ":")) == line


def test_repeated_strings_are_shared_between_records(big):
    loader, _ = load(big)
    frames = [m for m in loader.messages if m.kind is RecordKind.FRAME and m.message_id]
    first = {}
    for message in frames:
        for value in (message.station, message.connection, message.action):
            assert first.setdefault(value, value) is value
    calls = {m.message_id: m for m in frames if m.message_type == 2}
    answers = [m for m in frames if m.message_type == 3 and m.message_id in calls]
    assert answers and all(m.message_id is calls[m.message_id].message_id for m in answers)


def test_a_tiny_budget_takes_many_steps_and_progress_rises_to_one(big):
    loader = SessionLoader.open(big, freeze_gc=False)
    assert loader.progress == 0.0
    seen = [loader.progress]
    steps = 0
    while loader.step(0.0):
        steps += 1
        seen.append(loader.progress)
        assert len(loader.messages) == steps * BATCH  # one batch per step at budget 0
    assert steps >= 3000 // BATCH - 1
    assert loader.progress == 1.0 and loader.done
    assert seen == sorted(seen) and all(0 < p <= 1 for p in seen[1:])
    assert not loader.step()  # done stays done


def test_a_generous_budget_loads_in_one_step(big):
    _, steps = load(big, budget=60.0)
    assert steps == 1


def test_cancel_stops_and_keeps_what_was_read(big):
    loader = SessionLoader.open(big, freeze_gc=False)
    assert loader.step(0.0)
    loader.cancel()
    assert loader.done and loader.cancelled
    assert not loader.step()
    assert len(loader.messages) == BATCH
    assert loader.progress == 1.0  # finished, as far as a progress bar is concerned


def test_torn_last_line_is_a_warning(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    with path.open("a") as stream:
        stream.write('{"seq":8,"time":"2024-01-01T00:00:00Z","ki')
    loader, _ = load(path)
    assert len(loader.messages) == 7
    assert loader.skipped == 1
    assert "incomplete last line" in loader.warnings[0]


def test_bad_lines_are_skipped_as_the_reader_skips_them(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    good = json.loads(path.read_text().splitlines()[2])
    bad = [
        "garbage",
        '{"seq": "x"}',
        json.dumps({**good, "kind": "teleport"}),
        json.dumps({**good, "kind": ["frame"]}),
        json.dumps({**good, "dir": "sideways"}),
        json.dumps({**good, "time": 12}),
        json.dumps({**good, "time": "yesterday"}),
        json.dumps({**good, "text": 5}),
        json.dumps({**good, "mono": 10 ** 400}),      # no float holds it
        json.dumps({**good, "meta": [1]}),
        json.dumps({**good, "data": "not base64!"}),
        json.dumps(good) + " {}",
        "[" * 100_000,
        "\xff",
    ]
    odd_but_fine = [
        "   " + json.dumps({**good, "seq": 100, "unknown": {"a": 1}}) + "  \t",
        json.dumps({**good, "seq": 101, "type": True, "id": 7, "action": None}),
        "",
    ]
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:3] + [b + "\n" for b in bad + odd_but_fine] + lines[3:]))
    loader, _ = load(path)
    reader = SessionReader.open(path)
    assert loader.messages == list(reader)
    assert loader.skipped == reader.skipped == len(bad)
    assert loader.warnings == reader.warnings
    # seq goes back after 101: the rest is renumbered, each keeping its own as file_seq
    assert [m.seq for m in loader.messages] == [1, 2, 100, 101, 102, 103, 104, 105, 106]
    assert loader.messages[4].meta["file_seq"] == 3
    fine = loader.messages[3]
    assert (fine.message_type, fine.message_id, fine.action) == (None, None, None)


def test_a_file_of_frames_one_per_line(tmp_path):
    path = tmp_path / "frames.txt"
    path.write_text('[2,"1","Heartbeat",{}]\n\n'
                    '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]\n'
                    "not json\n"
                    '[4,"9","NotImplemented","",{}]\n')
    loader, _ = load(path)
    assert loader.kind == "lines" and loader.progress == 1.0
    messages = loader.messages
    assert [m.seq for m in messages] == [1, 2, 3]
    assert [m.message_type for m in messages] == [2, 3, 4]
    assert [m.action for m in messages] == ["Heartbeat", "Heartbeat", None]
    assert loader.warnings == ["line 4: no OCPP frame, skipped: not json"]
    assert all(m.kind is RecordKind.FRAME for m in messages)
    # the file says nothing of directions: a Heartbeat comes from the station, its answer
    # from the CSMS; what cannot be placed stays unknown
    assert [m.direction for m in messages] == [Direction.STATION_TO_CSMS,
                                               Direction.CSMS_TO_STATION, None]
    assert not loader.times_known and all(m.time == 0.0 for m in messages)


def test_a_session_knows_its_times(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    loader, _ = load(path)
    assert loader.times_known


def test_a_json_list_of_frames(tmp_path):
    path = tmp_path / "frames.json"
    frames = [[2, "a", "BootNotification", {"reason": "PowerUp", "chargingStation": {
        "model": "M", "vendorName": "V"}}], [3, "a", {"status": "Accepted"}]]
    path.write_text(json.dumps(frames, indent=2))
    loader = SessionLoader.open(path, freeze_gc=False)
    assert loader.progress == 0.0
    loader.load_all()
    assert loader.kind == "json" and loader.progress == 1.0
    assert [json.loads(m.text) for m in loader.messages] == frames
    assert [(m.seq, m.action) for m in loader.messages] == [(1, "BootNotification"),
                                                            (2, "BootNotification")]


def test_files_that_cannot_be_loaded(tmp_path):
    with pytest.raises(SessionFileError, match="no such file"):
        SessionLoader.open(tmp_path / "nope")
    with pytest.raises(SessionFileError, match="directory"):
        SessionLoader.open(tmp_path)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(SessionFileError, match="empty"):
        SessionLoader.open(empty)
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02")
    with pytest.raises(SessionFileError, match="binary"):
        SessionLoader.open(binary)
    newer = tmp_path / "newer.jsonl"
    newer.write_text(json.dumps({"format": "ocppscope-session", "version": 99}) + "\n")
    with pytest.raises(SessionFileError, match="newer"):
        SessionLoader.open(newer)


def test_records_are_kept_out_of_the_garbage_collector(big):
    """With freeze_gc a full collection does not visit the records (it would stall the GUI
    for a quarter of a second at a million); the collector is enabled again after a step."""
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    try:
        loader = SessionLoader.open(big)
        loader.load_all()
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen + len(loader.messages)
    finally:
        gc.unfreeze()


def test_without_freeze_gc_the_collector_is_left_alone(big):
    frozen = gc.get_freeze_count()
    loader = SessionLoader.open(big, freeze_gc=False)
    loader.step(0.0)
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_directions_and_events_survive(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    loader, _ = load(path)
    opened, call = loader.messages[0], loader.messages[1]
    assert opened.kind is RecordKind.OPENED and opened.meta["subprotocol"] == "ocpp2.0.1"
    assert call.direction is Direction.STATION_TO_CSMS and call.action == "Heartbeat"


def test_records_read_are_ordinary_frozen_messages(tmp_path):
    """The reader builds `Message`s through their slots for speed; they must be the same."""
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    loader, _ = load(path)
    for message in loader.messages:
        copy = Message(*(getattr(message, f.name) for f in dataclasses.fields(Message)))
        assert message == copy
        assert type(message) is Message and repr(message) == repr(copy)
        with pytest.raises(dataclasses.FrozenInstanceError):
            message.seq = 99  # type: ignore[misc]


@pytest.mark.parametrize("first", [
    "[" * 50_000 + "]" * 50_000,
    '{"format":"ocppscope-session","version":1,"x":' + "[" * 50_000 + "]" * 50_000 + "}",
])
def test_a_deeply_nested_first_line_loads_as_a_malformed_frame(tmp_path, first):
    path = tmp_path / "deep.txt"
    path.write_text(first + "\n" + '[2,"1","Heartbeat",{}]' + "\n", encoding="utf-8")
    assert not is_session_file(path.read_bytes()[:65536])
    loader, _ = load(path)
    assert [m.message_type for m in loader.messages] == [None, 2]
    assert "nested too deeply" in loader.messages[0].parse().findings[0].message
