"""Spans in JSON the user wrote: any formatting, the same paths and conventions as `pretty`."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from app.ocpp.jsontext import locate, pretty, spans_in
from tests.ocpp.test_jsontext import AUTHORIZE, RANDOM, SPAN_SAMPLES, _same, _walk

BOOT = {"chargingStation": {"model": "SingleSocketCharger", "vendorName": "VendorX",
                            "modem": {"iccid": "8931", "imsi": "2040"}},
        "reason": "PowerUp"}
METER = {"evseId": 1, "meterValue": [
    {"timestamp": "2024-01-01T00:00:00Z",
     "sampledValue": [{"value": 1.0}, {"value": -2.5e-3, "unit": "Wh"}, {"value": 10**30}]}]}
FRAME = [2, "19223201", "BootNotification", BOOT]
VALUES: list[Any] = [*RANDOM, *SPAN_SAMPLES, BOOT, METER, FRAME, AUTHORIZE,
                     0, -0.0, 1e-7, "é\u2028", [], {}]


def _odd(value: Any, rng: random.Random) -> str:
    """`value` as JSON with random legal whitespace between every token."""
    def gap() -> str:
        return "".join(rng.choice(" \t\r\n") for _ in range(rng.randrange(3)))

    if isinstance(value, dict):
        members = [f"{gap()}{json.dumps(k)}{gap()}:{gap()}{_odd(v, rng)}{gap()}"
                   for k, v in value.items()]
        return "{" + ",".join(members) + gap() + "}"
    if isinstance(value, list):
        return "[" + ",".join(f"{gap()}{_odd(v, rng)}{gap()}" for v in value) + gap() + "]"
    return json.dumps(value, ensure_ascii=rng.random() < 0.5)


FORMATTINGS = {
    "compact": lambda v: json.dumps(v, separators=(",", ":"), ensure_ascii=False),
    "default": lambda v: json.dumps(v),
    "indent2": lambda v: json.dumps(v, indent=2, ensure_ascii=False),
    "indent4-ascii": lambda v: json.dumps(v, indent=4),
    "tabs": lambda v: json.dumps(v, indent="\t", ensure_ascii=False),
    "odd": lambda v: " \n" + _odd(v, random.Random(repr(v))) + "\r\n\t",
}


def _check(text: str, value: Any) -> None:
    result = spans_in(text)
    assert result.text == text
    expected = _walk(value)
    assert set(result.value_spans) == {path for path, _, _ in expected}
    assert set(result.spans) == set(result.value_spans)
    for path, item, key in expected:
        start, end = result.value_spans[path]
        assert _same(json.loads(text[start:end]), item), path
        member_start, member_end = result.spans[path]
        assert member_end == end
        if key is None:
            assert member_start == start
        else:
            head = text[member_start:start]
            assert head.startswith('"')
            assert json.loads(head.rstrip(" \t\r\n")[:-1]) == key
            assert head.rstrip(" \t\r\n").endswith(":")


@pytest.mark.parametrize("style", list(FORMATTINGS))
def test_every_value_span_parses_back_to_its_value(style: str) -> None:
    for value in VALUES:
        text = FORMATTINGS[style](value)
        _check(text, json.loads(text))


def test_same_spans_as_pretty_for_pretty_text() -> None:
    for value in [*RANDOM, *SPAN_SAMPLES, BOOT, METER, FRAME]:
        for indent in (2, None):
            printed = pretty(value, indent)
            scanned = spans_in(printed.text)
            assert scanned.spans == printed.spans
            assert scanned.value_spans == printed.value_spans


def test_a_frame_array_gets_index_paths() -> None:
    text = '[2,"19223201", "BootNotification" ,{"reason":"PowerUp",\n "chargingStation" : ' \
           '{ "model":"M", "vendorName" :"V"}}]'
    result = spans_in(text)
    start, end = result.spans["[3].chargingStation.model"]
    assert text[start:end] == '"model":"M"'
    start, end = result.value_spans["[3].chargingStation.model"]
    assert text[start:end] == '"M"'
    start, end = result.spans["[3].chargingStation"]
    assert text[start:end].startswith('"chargingStation" : {') and text[end - 1] == "}"
    start, end = result.spans["[2]"]
    assert text[start:end] == '"BootNotification"'


def test_root_span_excludes_surrounding_whitespace() -> None:
    text = '\n\n  {"a": 1}  \n'
    result = spans_in(text)
    assert result.spans[""] == result.value_spans[""] == (4, 12)


def test_numbers_in_all_their_forms() -> None:
    numbers = ["0", "-0", "12", "-12", "0.5", "-0.5", "1e5", "1E5", "1e+5", "1e-5", "-1.25E-10",
               "123456789012345678901234567890", "NaN", "Infinity", "-Infinity"]
    text = "[" + " , ".join(numbers) + "]"
    result = spans_in(text)
    for index, number in enumerate(numbers):
        start, end = result.value_spans[f"[{index}]"]
        assert text[start:end] == number


def test_unicode_escapes_in_keys_name_the_decoded_path() -> None:
    text = '{"caf\\u00e9": {"\\"q\\"": [true]}, "\\ud83d\\ude97": null}'
    result = spans_in(text)
    start, end = result.spans['café."q"[0]']
    assert text[start:end] == "true"
    start, end = result.spans["🚗"]
    assert text[start:end] == '"\\ud83d\\ude97": null'


def test_a_repeated_key_points_at_the_value_json_loads_keeps() -> None:
    text = '{"a": {"x": 1}, "b": 2, "a": {"y": 3}}'
    assert json.loads(text)["a"] == {"y": 3}
    result = spans_in(text)
    start, end = result.value_spans["a"]
    assert text[start:end] == '{"y": 3}'
    assert "a.x" not in result.spans
    assert locate(result, "a.x") == result.spans["a"]
    start, end = result.spans["a.y"]
    assert text[start:end] == '"y": 3'


def test_an_empty_key_does_not_take_the_root_path() -> None:
    text = '{"": 1, "": 2, "b": 3}'
    result = spans_in(text)
    assert result.spans[""] == (0, len(text))


def test_locate_highlights_in_the_users_own_text() -> None:
    text = '{ "idToken" : { "idToken" : "04A2B3C4",\n   "type":"iso14443" } }'
    result = spans_in(text)
    start, end = locate(result, "idToken.type")
    assert text[start:end] == '"type":"iso14443"'
    assert locate(result, "idToken.additionalInfo[0]") == result.spans["idToken"]


INVALID = [
    "", "   ", "[", "]", "{", "[1,]", '{"a":1,}', '{"a" 1}', "{1: 2}", "{'a': 1}", "[1 2]",
    "01", "-", "1.", ".5", "1e", "+1", "0x10", "tru", "nul", "nan", "inf", "-NaN", "1 2",
    '"abc', '"a\\x"', '"\\u12g4"', '"\\u12"', '"a\tb"', '"a\nb"', '"\\', "[1]]", "{}}",
    "\ufeff[]", "[1,\n2,\n3", '{"a":[1,{"b":2]}', "//comment\n1", "１",
]


@pytest.mark.parametrize("text", INVALID)
def test_invalid_text_raises_value_error_like_json_loads(text: str) -> None:
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(json.JSONDecodeError) as raised:
        spans_in(text)
    assert 0 <= raised.value.pos <= len(text)


@pytest.mark.parametrize(("text", "message"), [
    ("", "Expecting value: line 1 column 1 (char 0)"),
    ("[1,\n2,\n3", "Expecting ',' delimiter: line 3 column 2 (char 8)"),
    ("[1, 2 ,]", "Illegal trailing comma before end of array: line 1 column 7 (char 6)"),
    ('{"a": 1,\n}', "Illegal trailing comma before end of object: line 1 column 8 (char 7)"),
    ('{"a" 1}', "Expecting ':' delimiter: line 1 column 6 (char 5)"),
    ("{'a': 1}", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    ('"abc', "Unterminated string starting at: line 1 column 1 (char 0)"),
    ('["a\tb"]', "Invalid control character at: line 1 column 4 (char 3)"),
    ('"\\x"', "Invalid \\escape: line 1 column 2 (char 1)"),
    ('"\\u12g4"', "Invalid \\uXXXX escape: line 1 column 3 (char 2)"),
    ("[1] x", "Extra data: line 1 column 5 (char 4)"),
])
def test_error_messages_say_where(text: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        spans_in(text)
    assert str(raised.value) == message


def test_accepts_exactly_what_json_loads_accepts() -> None:
    """Random damage to valid text: both accept it, or both reject it for the same reason."""
    rng = random.Random(7)
    pieces = list(' \t\n{}[],:"\\0123456789-+.eEtruefalsnNIy\x01é')
    sources = [json.dumps(v, indent=rng.choice([None, 1])) for v in VALUES[:120]]
    for _ in range(3000):
        text = list(rng.choice(sources))
        for _ in range(rng.randint(1, 3)):
            where = rng.randrange(len(text) + 1)
            action = rng.randrange(3)
            if action == 0:
                text.insert(where, rng.choice(pieces))
            elif action == 1 and where < len(text):
                del text[where]
            elif where < len(text):
                text[where] = rng.choice(pieces)
        candidate = "".join(text)
        try:
            value = json.loads(candidate)
        except ValueError as expected:
            with pytest.raises(ValueError) as raised:
                spans_in(candidate)
            if "trailing comma" not in str(raised.value):  # Python < 3.13 words it otherwise
                assert str(raised.value) == str(expected), candidate
        else:
            _check(candidate, value)


def test_deep_nesting_does_not_exhaust_the_stack() -> None:
    text = "[" * 5000 + "]" * 5000  # far beyond the recursion limit
    result = spans_in(text)
    assert result.value_spans["[0]" * 4999] == (4999, 5001)


def test_a_large_notify_report_has_the_span_of_its_last_value() -> None:
    """(How fast: `python -m tests.benchmarks.validation`.)"""
    entries = [{"component": {"name": f"Component{i}", "evse": {"id": 1, "connectorId": 1}},
                "variable": {"name": f"Variable{i}", "instance": "Main"},
                "variableAttribute": [{"type": "Actual", "value": str(i * 1.5),
                                       "mutability": "ReadWrite", "persistent": True}],
                "variableCharacteristics": {"dataType": "decimal", "supportsMonitoring": False,
                                            "unit": "W", "minLimit": 0.0, "maxLimit": 22000.0}}
               for i in range(200)]
    payload = {"requestId": 1, "generatedAt": "2024-01-01T00:00:00.000Z", "seqNo": 0,
               "tbc": False, "reportData": entries}
    text = json.dumps([2, "r1", "NotifyReport", payload], indent=2)
    result = spans_in(text)
    start, end = result.value_spans["[3].reportData[199].variableAttribute[0].value"]
    assert json.loads(text[start:end]) == str(199 * 1.5)
