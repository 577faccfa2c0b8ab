"""frame_for_judging: a recorded frame read for judging gives what the full reader gives."""

import json

import pytest

from app.session.message import Message, RecordKind, frame_message
from app.session.quick_records import frame_for_judging
from app.session.sessionfile import record_from_json
from tests.benchmarks.make_session import write_session
from tests.session.test_sessionfile import sample_records, write


def judged_fields(message: Message) -> tuple:
    """What judging a record reads of it (`Capture.judge_adopted`)."""
    return (message.seq, message.time, message.monotonic, message.connection, message.station,
            message.direction, message.kind, message.wire)


def lines_of(path):
    with open(path, "rb") as stream:
        stream.readline()  # the header
        return stream.readlines()


def test_every_frame_of_a_realistic_session_reads_as_the_full_reader_reads_it(tmp_path):
    path = tmp_path / "s.jsonl"
    write_session(path, 3000)
    quick = 0
    for line in lines_of(path):
        full = record_from_json(json.loads(line))
        fast = frame_for_judging(line, full.seq)
        if full.kind is RecordKind.FRAME:
            assert fast is not None, line  # the recorder's own layout: always the quick way
            assert judged_fields(fast) == judged_fields(full)
            quick += 1
        else:
            assert fast is None
    assert quick > 2500


def test_the_sample_records_read_quickly_only_where_the_text_is_all(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    for line, record in zip(lines_of(path), sample_records(), strict=True):
        fast = frame_for_judging(line, record.seq)
        if record.kind is RecordKind.FRAME and not record.data:
            assert fast is not None and judged_fields(fast) == judged_fields(record)
        else:  # events, a binary frame, a text frame that was not UTF-8: the full reader
            assert fast is None


def test_the_index_seq_wins_as_the_full_reader_renumbers():
    line = json.dumps({"seq": 3, "time": "2024-01-01T00:00:00.000000Z", "mono": 1.5,
                       "conn": "c1", "station": "CP-1", "dir": "station_to_csms",
                       "kind": "frame", "text": "[2,\"1\",\"Heartbeat\",{}]"},
                      separators=(",", ":")).encode()
    assert frame_for_judging(line, 17).seq == 17


@pytest.mark.parametrize("line", [
    # a repeated text: the full reader keeps the last one
    '{"seq":1,"time":"2024-01-01T00:00:00Z","mono":1,"conn":"c","station":"s",'
    '"dir":"station_to_csms","kind":"frame","text":"a","text":"b"}',
    # escapes in a name
    '{"seq":1,"time":"2024-01-01T00:00:00Z","mono":1,"conn":"c\\u0041","station":"s",'
    '"dir":"station_to_csms","kind":"frame","text":"a"}',
    # another key order
    '{"time":"2024-01-01T00:00:00Z","seq":1,"mono":1,"conn":"c","station":"s",'
    '"dir":"station_to_csms","kind":"frame","text":"a"}',
    # bytes of a text frame that was not UTF-8
    '{"seq":1,"time":"2024-01-01T00:00:00Z","mono":1,"conn":"c","station":"s",'
    '"dir":"station_to_csms","kind":"frame","text":"a","data":"/w=="}',
    # a broken string, a time that is no time, a torn line
    '{"seq":1,"time":"2024-01-01T00:00:00Z","mono":1,"conn":"c","station":"s",'
    '"dir":"station_to_csms","kind":"frame","text":"a\x01"}',
    '{"seq":1,"time":"yesterday","mono":1,"conn":"c","station":"s",'
    '"dir":"station_to_csms","kind":"frame","text":"a"}',
    '{"seq":1,"time":"2024-01-01T00:00:00Z","mono":1,"conn":"c","station":"s",'
    '"dir":"station_to_csms","kind":"frame","text":"a',
])
def test_lines_in_another_shape_are_left_to_the_full_reader(line):
    assert frame_for_judging(line.encode(), 1) is None


def test_a_frame_of_unknown_direction_with_its_summary_reads_quickly(tmp_path):
    path = tmp_path / "s.jsonl"
    record = frame_message(1, '[2,"a\\"b","Heartbeat",{}]', connection="c1", station="",
                           direction=None, time=1700000000.5, monotonic=0.25)
    write(path, [record])
    fast = frame_for_judging(lines_of(path)[0], 1)
    assert fast is not None and judged_fields(fast) == judged_fields(record)
    assert fast.direction is None
