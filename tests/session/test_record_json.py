"""One record line and back: the quick readers agree with the careful one."""

import dataclasses
import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ocpp import fast_json
from app.ocpp.conversation import Direction
from app.session.message import Message, RecordKind
from app.session.record_json import (
    build_message,
    plain_record,
    quick_json,
    record_from_json,
    record_to_json,
)
from tests.session.test_sessionfile import sample_records


def test_every_kind_of_record_reads_back_from_its_json_object_as_it_was():
    for record in sample_records():
        line = json.loads(json.dumps(record_to_json(record)))
        assert record_from_json(line) == record


_PLAIN = {"seq": 7, "time": "2024-01-01T00:00:00.5Z", "mono": 2.5, "conn": "c1",
          "station": "CP1", "dir": "station_to_csms", "kind": "frame", "text": "[]"}


@pytest.mark.parametrize("change", [
    {}, {"mono": 3}, {"dir": None}, {"dir": ""}, {"kind": "event", "text": 5},
    {"meta": {"a": 1}}, {"type": "2", "action": 9}, {"conn": 5}, {"station": None},
    {"mono": "3"}, {"mono": True}, {"seq": 7.0}, {"seq": True}, {"dir": "up"}, {"dir": [1]},
    {"kind": ["frame"]}, {"kind": "binary"}, {"data": "/w=="}, {"meta": []}, {"text": 1},
    {"time": "yesterday"}, {"time": 5}, {"kind": "gap", "meta": {"lost": 2}},
    {"mono": 10 ** 400}, {"mono": -(10 ** 400)}])
def test_the_quick_fields_of_a_line_are_what_the_record_says_or_none(change):
    line = {**_PLAIN, **change}
    fields = plain_record(line)
    try:
        message = record_from_json(line)
    except (ValueError, KeyError, TypeError):
        assert fields is None  # a line the reader skips is never taken quickly
        return
    if fields is not None:
        assert fields == (message.kind, message.seq, message.time, message.monotonic,
                          message.connection, message.station, message.direction,
                          message.text)


def test_quick_json_leaves_anything_unusual_to_the_careful_path():
    assert quick_json(b'{"a": [1]}  \n') == {"a": [1]}
    for raw in (b'[1]\n', b'{"a": 1} x\n', b'{"a": \n', b'{"a": "\xff"}\n', b" {}\n",
                b"{" * 100_000 + b"\n"):
        assert quick_json(raw) is None


def test_records_built_quickly_are_the_records_the_constructor_builds():
    fields = (9, 1700000000.5, 2.25, "c1", "CP-1", Direction.CSMS_TO_STATION,
              RecordKind.FRAME, '[3,"1",{}]', b"", 3, "1", None, {"file_seq": 4})
    quick, plain = build_message(*fields), Message(*fields)
    assert quick.__class__ is Message and quick == plain
    assert repr(quick) == repr(plain)
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.seq = 10  # still frozen
    assert replace(quick, seq=10).seq == 10


def _scanned(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as patched:
        patched.setattr(fast_json, "_orjson_loads", None)
        return quick_json(raw)


@pytest.mark.parametrize("raw", [
    b'{"seq":1,"mono":18446744073709551616,"meta":{"n":-99999999999999999999}}\n',
    b'{"mono":1e400}\n', b'{"mono":NaN,"x":-Infinity}\n', b'{"t":"\\ud800"}\n',
    b'{"a":1,"a":[2]}\n', b'{"a":-0,"b":-0.0,"c":1E5}\r\n', b'{"a":1}\t \n', b'{"a":1}\f\n',
    b'{"a":"\x01"}\n', b'{"a":"\xff"}\n', b'{"a":' + b"[" * 1100 + b"]" * 1100 + b"}\n",
    b'{"a":' + b"[" * 300 + b"]" * 300 + b"}\n", b'{"a":1}{}\n', b'{"a":1', b"{\n",
])
def test_quick_json_gives_the_scanners_value_with_or_without_orjson(raw, monkeypatch):
    assert repr(quick_json(raw)) == repr(_scanned(raw, monkeypatch))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=4), st.none() | st.integers(-2**70, 2**70)
                       | st.floats() | st.text(max_size=6) | st.lists(st.integers(), max_size=3),
                       max_size=5))
def test_any_line_decodes_alike_with_or_without_orjson(value):
    raw = (json.dumps(value) + "\n").encode()
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert repr(quick_json(raw)) == repr(_scanned(raw, monkeypatch))
