"""fast_json: orjson's value wherever it answers, and that value is exactly `json`'s."""

import json
import math
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ocpp import fast_json
from app.ocpp.fast_json import SAFE_DEPTH, UNSURE

pytestmark = pytest.mark.skipif(not fast_json.AVAILABLE, reason="orjson is not installed")


def same(a: object, b: object) -> bool:
    """Equal values of the very same types all the way down, -0.0 apart from 0.0, NaN equal
    to NaN, and dict keys in the same order."""
    if a.__class__ is not b.__class__:
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a)
                                                      == math.copysign(1, b))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


LOADERS = [fast_json.loads, fast_json.loads_walked]


def agrees(data: str | bytes, loads=fast_json.loads) -> bool:
    """`loads` is UNSURE, or gives exactly `json.loads`' value; never a value where `json`
    fails."""
    fast = loads(data)
    try:
        reference = json.loads(data)
    except (ValueError, RecursionError):
        return fast is UNSURE
    return fast is UNSURE or same(fast, reference)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


ODD_TEXTS = [
    # numbers: the edges of 64 bits, beyond them, out of a double's range, signed zeros
    "9223372036854775807", "-9223372036854775808", "18446744073709551615",
    "18446744073709551616", "-9223372036854775809", "123456789012345678901234567890",
    "[1, 99999999999999999999]", '{"a": -1000000000000000000000}', "1" * 5000,
    "1e400", "-1e400", "1.7976931348623159e308", "1e-400", "2.5e-324", "4.9e-324", "-0",
    "-0.0", "0e999999", "1E5", "1.5e+3", "0.1", "1.7976931348623157e308",
    "1.00000000000000000000000000001", "[1.5e]", "01", "1.", ".5", "-",
    # constants the frame decoder refuses and plain `json` takes
    "NaN", "Infinity", "-Infinity", "[NaN]", '{"a": Infinity}',
    # strings: lone surrogates (escaped), pairs, NUL, DEL, C1, a BOM, control characters
    '"\\ud800"', '"\\udc00\\ud800"', '["\\ud83d\\ude00"]', '"\\u0000"', '"\x7f"', '"\x85"',
    "\ufeff[1]", '"\x01"', '"\x1f"', '"a\tb"', '"\\/"', '"\\x"',
    # duplicate keys: the last value, at the first key's place
    '{"a": 1, "a": 2, "b": 3}', '{"a": 1, "b": 2, "a": 3}', '{"\\u0061": 1, "a": 2}',
    # whitespace: JSON's four, and three that are not JSON's
    " [1] ", "\t[1]\r\n", "\f[1]", "\v[1]", "\u00a0[1]", "[1]\u2028", "[1] \x00", "[1]\x00",
    # nothing, and too much
    "", "   ", "[]x", "[1,]", '{"a":1,}', "// no\n[1]", "[1] [2]",
    # nesting on either side of where orjson (1024) and `json` (the recursion limit) stop
    nested(10), nested(SAFE_DEPTH - 1), nested(SAFE_DEPTH), nested(900), nested(999),
    nested(1023), nested(1024), nested(1025), nested(5000), '{"a":' * 1000 + "1" + "}" * 1000,
]


@pytest.mark.parametrize("loads", LOADERS)
@pytest.mark.parametrize("text", ODD_TEXTS)
def test_odd_texts_decode_as_the_standard_library_decodes_them(text, loads):
    assert agrees(text, loads)
    assert agrees(text.encode(), loads)


@pytest.mark.parametrize("text", [
    "18446744073709551616", "-9223372036854775809", "[123456789012345678901234567890]",
    '"a string with 1234567890123456789 in it"', nested(SAFE_DEPTH), nested(1000),
    "NaN", "1e400", '"\\ud800"', "\ud800", "\ufeff[1]", "not json"])
def test_where_orjson_would_differ_or_fails_the_standard_library_decides(text):
    assert fast_json.loads(text) is UNSURE


@pytest.mark.parametrize("text", [
    "[18446744073709551616]", '{"a": [-9223372036854775809]}', "[1e19]", "[-9.3e18]",
    nested(SAFE_DEPTH), '{"a":' * SAFE_DEPTH + "1" + "}" * SAFE_DEPTH, nested(1000), "NaN",
    '"\\ud800"', "not json"])
def test_where_the_value_may_differ_the_standard_library_decides(text):
    assert fast_json.loads_walked(text) is UNSURE


@pytest.mark.parametrize("loads", LOADERS)
def test_ordinary_frames_are_decoded_by_orjson(loads):
    frame = '[2,"19223201","MeterValues",{"evseId":1,"meterValue":[{"timestamp":' \
            '"2024-01-01T00:00:00Z","sampledValue":[{"value":-0.5},{"value":1e3}]}]}]'
    value = loads(frame)
    assert value is not UNSURE and same(value, json.loads(frame))
    assert loads(frame.encode()) == value


@pytest.mark.parametrize("loads", LOADERS)
def test_bytes_that_are_not_utf8_are_left_to_the_standard_library(loads):
    for data in (b'"\xff"', b'"\xed\xa0\x80"', b'"\xc0\x80"', b"\xef\xbb\xbf[1]"):
        assert loads(data) is UNSURE


class _Text(str):
    """A str subclass, as a caller's own string type may be."""


@pytest.mark.parametrize("loads", LOADERS)
def test_a_str_subclass_or_a_bytearray_decodes_as_plain_text_does(loads):
    frame = '[2,"1","Heartbeat",{"n":1234567890123456789012}]'
    short = '[2,"1","Heartbeat",{}]'
    for text in (frame, short):
        for data in (_Text(text), bytearray(text.encode())):
            assert agrees(data, loads)
    assert same(fast_json.loads(_Text(short)), json.loads(short))


@pytest.mark.parametrize("loads", LOADERS)
def test_without_orjson_every_text_is_left_to_the_standard_library(monkeypatch, loads):
    monkeypatch.setattr(fast_json, "_orjson_loads", None)
    assert loads("[1]") is UNSURE
    assert loads(b"{}") is UNSURE


def test_the_decoder_in_use_is_named_with_its_version():
    import orjson

    assert fast_json.decoder() == f"orjson {orjson.__version__}"


def test_everything_still_works_when_orjson_cannot_be_imported():
    script = """
import sys
sys.modules["orjson"] = None  # `import orjson` now raises ImportError
from app.ocpp import fast_json
from app.ocpp.frames import parse_frame
from app.session.quick_records import frame_for_judging
from app.session.record_json import quick_json
assert not fast_json.AVAILABLE and fast_json.loads("[1]") is fast_json.UNSURE
assert fast_json.decoder().startswith("without orjson (import of orjson halted")
assert fast_json.loads_walked("[1]") is fast_json.UNSURE
assert parse_frame('[2,"1","Heartbeat",{}]').ok
assert "not valid JSON" in parse_frame("[2,").findings[0].message
assert quick_json(b'{"a": [1]}\\n') == {"a": [1]}
line = (b'{"seq":1,"time":"2024-01-01T00:00:00Z","mono":1.5,"conn":"c","station":"s",'
        b'"dir":"station_to_csms","kind":"frame","text":"[2,\\\\"1\\\\",\\\\"Heartbeat\\\\",{}]"}')
assert frame_for_judging(line, 1).text == '[2,"1","Heartbeat",{}]'
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.stdout.strip() == "ok", done.stderr


# Any JSON value, numbers from every range (big ints included) and strings of any code
# point (lone surrogates included), written the ways a peer or our recorder writes them.
_SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(-2**70, 2**70)
            | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=4), inner, max_size=4),
                       max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(_VALUES, st.booleans(), st.sampled_from([None, (",", ":"), (", ", ": ")]))
def test_any_value_as_json_writes_it_decodes_as_the_standard_library_decodes_it(
        value, ascii_only, separators):
    text = json.dumps(value, ensure_ascii=ascii_only, separators=separators)
    assert all(agrees(text, loads) for loads in LOADERS)


@settings(max_examples=400, deadline=None)
@given(st.from_regex(r"\A-?(0|[1-9][0-9]{0,20})(\.[0-9]{1,20})?([eE][-+]?[0-9]{1,4})?\Z"))
def test_any_number_decodes_to_the_standard_library_value(number):
    for loads in LOADERS:
        assert agrees(number, loads)
        assert agrees(f'{{"mono":[{number}]}}', loads)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('[]{}",:0123456789.eE-+ \t\n\\ua\ud800tfnul')),
               max_size=40))
def test_any_text_of_json_characters_agrees_or_is_left_alone(text):
    assert all(agrees(text, loads) for loads in LOADERS)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=30))
def test_any_bytes_agree_or_are_left_alone(data):
    try:
        reference = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        assert all(loads(data) is UNSURE for loads in LOADERS)
        return
    for loads in LOADERS:
        fast = loads(data)
        assert fast is UNSURE or same(fast, reference)


def test_both_kinds_of_bracket_count_toward_the_nesting_of_a_long_text():
    mixed = '{"a":' * 100 + "[" * 100 + "]" * 100 + "}" * 100   # 200 levels, half of each
    assert fast_json.loads(mixed) is UNSURE
    fewer = '{"a":' * 99 + "[" * 100 + "]" * 100 + "}" * 99      # 199 levels
    assert len(fewer) >= 2 * SAFE_DEPTH and same(fast_json.loads(fewer), json.loads(fewer))
