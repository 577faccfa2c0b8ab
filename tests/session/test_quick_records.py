"""frame_for_judging: a recorded frame read for judging gives what the full reader gives."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ocpp import fast_json
from app.session import quick_records
from app.session.message import Message, RecordKind, frame_message
from app.session.quick_records import frame_for_judging
from app.session.record_json import record_from_json
from tests.benchmarks.make_session import write_session
from tests.session.test_sessionfile import sample_records, write


def judged_fields(message: Message) -> tuple:
    """What judging a record reads of it (`Capture.judge_adopted`)."""
    return (message.seq, message.time, message.monotonic, message.connection, message.station,
            message.direction, message.kind, message.wire)


@pytest.fixture(autouse=True, params=["orjson", "standard library"])
def decoder(request, monkeypatch):
    """Every test runs with orjson decoding the line, and without (the recorder's layout
    read by the standard library), as where orjson is not installed."""
    if request.param == "orjson" and not fast_json.AVAILABLE:
        pytest.skip("orjson is not installed")
    if request.param != "orjson":
        monkeypatch.setattr(quick_records, "_loads", None)
    return request.param


def read_as_the_full_reader_does(line: bytes, seq: int = 1) -> bool:
    """`frame_for_judging` gives None, or the judged fields of the full reader's record;
    None wherever the full reader refuses the line."""
    fast = frame_for_judging(line, seq)
    try:
        value = json.loads(line)
        if isinstance(value, dict) and "seq" in value:
            # the seq the judge gets is the index's: a line whose own seq the full reader
            # refuses has no place in the index, so no seq to be judged under
            value["seq"] = seq
        full = record_from_json(value)
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError, AttributeError):
        return fast is None
    full = Message(seq, full.time, full.monotonic, full.connection, full.station,
                   full.direction, full.kind, full.text, full.data)
    return fast is None or judged_fields(fast) == judged_fields(full)


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


def test_the_whole_line_is_decoded_by_orjson_where_it_is_there(tmp_path, decoder,
                                                                monkeypatch):
    path = tmp_path / "s.jsonl"
    write_session(path, 300)
    layout_reads = []
    real = quick_records._frame_in_layout
    monkeypatch.setattr(quick_records, "_frame_in_layout",
                        lambda line, seq: layout_reads.append(seq) or real(line, seq))
    frames = [line for line in lines_of(path) if b'"kind":"frame"' in line]
    assert all(frame_for_judging(line, 1) is not None for line in frames)
    assert len(layout_reads) == (0 if decoder == "orjson" else len(frames))


_LINE = ('{"seq":1,"time":"2024-01-01T00:00:00Z","mono":1,"conn":"c","station":"s",'
         '"dir":"station_to_csms","kind":"frame","text":"a"')


@pytest.mark.parametrize("line", [
    # a repeated text: the full reader keeps the last one
    _LINE + ',"text":"b"}',
    # escapes in a name
    _LINE.replace('"conn":"c"', '"conn":"c\\u0041"') + "}",
    # another key order
    '{"time":"2024-01-01T00:00:00Z","seq":1,"mono":1,"conn":"c","station":"s",'
    '"dir":"station_to_csms","kind":"frame","text":"a"}',
    # bytes of a text frame that was not UTF-8; metadata
    _LINE + ',"data":"/w=="}', _LINE + ',"meta":{"a":1}}', _LINE + ',"meta":[]}',
    # a broken string, a time that is no time, a torn line
    _LINE.replace('"a"', '"a\x01"') + "}", _LINE.replace("2024-01-01T00:00:00Z", "yesterday")
    + "}", _LINE,
    # numbers orjson reads otherwise than json: beyond 64 bits, beyond a double
    _LINE.replace('"mono":1', '"mono":1180591620717411303424') + "}",
    _LINE.replace('"mono":1', '"mono":-12345678901234567890.5') + "}",
    _LINE.replace('"mono":1', '"mono":1e400') + "}",
    _LINE.replace('"mono":1', '"mono":NaN') + "}",
    _LINE.replace('"mono":1', '"mono":1' + "0" * 400) + "}",
    _LINE.replace('"seq":1', '"seq":-1180591620717411303424.5') + "}",
    _LINE.replace('"seq":1', '"seq":9223372036854775808') + "}",
    _LINE + ',"type":99999999999999999999999}',
    # fields the full reader reads otherwise or refuses
    _LINE.replace('"mono":1', '"mono":"3"') + "}", _LINE.replace('"mono":1', '"mono":true') + "}",
    _LINE.replace('"mono":1,', "") + "}", _LINE.replace('"seq":1', '"seq":1.0') + "}",
    _LINE.replace('"station_to_csms"', '""') + "}", _LINE.replace('"station_to_csms"', '"up"')
    + "}", _LINE.replace('"station_to_csms"', "[1]") + "}",
    _LINE.replace('"conn":"c"', '"conn":5') + "}", _LINE.replace('"station":"s"',
                                                                '"station":null') + "}",
    _LINE.replace('"kind":"frame"', '"kind":"Frame"') + "}",
    _LINE.replace('"text":"a"', '"text":7') + "}",
    _LINE.replace("00:00:00Z", "00:00:00+02:00") + "}",
    # a lone surrogate in the text; nesting json cannot read
    _LINE.replace('"a"', '"\\ud800"') + "}",
    _LINE + ',"x":' + "[" * 1100 + "]" * 1100 + "}",
    _LINE + ',"x":' + "[" * 300 + "]" * 300 + "}",
])
def test_lines_in_another_shape_read_as_the_full_reader_reads_them_or_are_left_to_it(line):
    assert read_as_the_full_reader_does(line.encode())


_ANY = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats()
        | st.sampled_from([2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64, 2**70])
        | st.text(max_size=5) | st.sampled_from(["frame", "station_to_csms", "",
                                                  "2024-01-01T00:00:00.5Z"]))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["seq", "time", "mono", "conn", "station", "dir",
                                        "kind", "text", "data", "meta", "type"]), _ANY))
def test_any_fields_read_as_the_full_reader_reads_them_or_are_left_to_it(change):
    line = {"seq": 1, "time": "2024-01-01T00:00:00Z", "mono": 1.5, "conn": "c",
            "station": "s", "dir": "station_to_csms", "kind": "frame", "text": "t", **change}
    assert read_as_the_full_reader_does(json.dumps(line).encode())


def test_a_frame_of_unknown_direction_with_its_summary_reads_quickly(tmp_path):
    path = tmp_path / "s.jsonl"
    record = frame_message(1, '[2,"a\\"b","Heartbeat",{}]', connection="c1", station="",
                           direction=None, time=1700000000.5, monotonic=0.25)
    write(path, [record])
    fast = frame_for_judging(lines_of(path)[0], 1)
    assert fast is not None and judged_fields(fast) == judged_fields(record)
    assert fast.direction is None


def test_a_long_line_is_taken_quickly_only_when_none_of_its_values_nests(decoder):
    brackets = "[" * 300 + "]" * 300  # a frame text with many brackets nests nothing
    flat = _LINE.replace('"text":"a"', f'"text":"{brackets}"') + "}"
    nesting = flat[:-1] + ',"x":[1]}'
    assert len(nesting) >= 2 * fast_json.SAFE_DEPTH
    fast = frame_for_judging(flat.encode(), 1)
    assert fast is not None and fast.text == brackets
    if decoder == "orjson":  # a value that nests: the full reader decides
        assert frame_for_judging(nesting.encode(), 1) is None
    assert read_as_the_full_reader_does(nesting.encode())
