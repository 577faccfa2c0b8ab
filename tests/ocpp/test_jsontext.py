"""The pretty-printer: text identical to json.dumps, and spans that point at the right text."""

from __future__ import annotations

import json
import math
import random
import time
from typing import Any

import pytest

from app.ocpp.findings import format_path
from app.ocpp.jsontext import PrettyText, line_of, locate, pretty

AUTHORIZE = {"idToken": {"idToken": "04A2B3C4", "type": "ISO14443"}}

SAMPLES: list[Any] = [
    None, True, False, 0, -1, 7, 2**64, -(2**100), 10**300,
    0.0, -0.0, 1.5, 1e-7, 1e22, 123456789.123456789, 3.141592653589793, 1e308,
    float("inf"), float("-inf"), float("nan"),
    "", "plain", "quote \" backslash \\ slash /", "tab\tnewline\ncr\r", "\x00\x1f\x7f",
    "Grüße, 電気自動車 ⚡", "emoji 🚗🔌", "\u2028\u2029", "\ud800",
    {}, [], {"a": {}}, {"a": []}, [[]], [{}], [[], {}, [[]]],
    [1, "two", 3.0, None, True, False],
    {"a": 1, "b": [1, 2, {"c": [3, {"d": None}]}], "é": {"ü": "ß"}},
    [[[[[["deep"]]]]]],
    {"": 1, "x": {"": {"": 2}}},
    (1, (2, 3), []),
    {7: "int key", 2.5: "float key", True: "t", False: "f", None: "n", -3: "negative"},
    AUTHORIZE,
    {"meterValue": [{"timestamp": "2024-01-01T00:00:00Z",
                     "sampledValue": [{"value": 1.0}, {"value": 2, "unit": "Wh"}]}]},
]


# the containers among SAMPLES whose paths are unambiguous (tuples come back as lists, an empty
# key shares its parent's path, non-string keys change type on the way through JSON)
SPAN_SAMPLES = [
    {}, [], {"a": {}}, {"a": []}, [[]], [{}], [[], {}, [[]]],
    [1, "two", 3.0, None, True, False, float("inf"), 10**300, "電⚡"],
    {"a": 1, "b": [1, 2, {"c": [3, {"d": None}]}], "é": {"ü": "ß"}},
    [[[[[["deep"]]]]]],
    AUTHORIZE,
    SAMPLES[-1],
]


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value with keys free of '.', '[' and ']' so every path is unambiguous."""
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.choice([rng.randint(-1000, 1000), rng.randint(-(2**80), 2**80)])
    if kind == 2:
        return rng.choice([rng.uniform(-1e6, 1e6), rng.random() * 10 ** rng.randint(-30, 30)])
    if kind in (3, 4, 5):
        alphabet = "abcXYZ 09\"\\/\n\tüß電⚡🚗\x01"
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(6)))
    if kind in (6, 7):
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    keys = "abc üß電\"\\\n🚗"
    size = rng.randrange(4)
    names = ("".join(rng.choice(keys) for _ in range(rng.randint(1, 4))) for _ in range(size))
    return {name: _random_value(rng, depth + 1) for name in names}


RANDOM = [_random_value(random.Random(seed)) for seed in range(300)]


def _walk(value: Any, parts: tuple[Any, ...] = ()) -> list[tuple[str, Any, str | None]]:
    """(path, value, key) for every value, the way findings name them."""
    key = parts[-1] if parts and isinstance(parts[-1], str) else None
    out = [(format_path(parts), value, key)]
    if isinstance(value, dict):
        for name, item in value.items():
            out.extend(_walk(item, (*parts, name)))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            out.extend(_walk(item, (*parts, index)))
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


@pytest.mark.parametrize("indent", [2, 0, 4, "\t", None])
@pytest.mark.parametrize("value", SAMPLES, ids=range(len(SAMPLES)))
def test_text_equals_json_dumps(value: Any, indent: int | str | None) -> None:
    assert pretty(value, indent).text == json.dumps(value, indent=indent, ensure_ascii=False)


@pytest.mark.parametrize("indent", [2, None])
def test_text_equals_json_dumps_on_random_values(indent: int | None) -> None:
    for value in RANDOM:
        assert pretty(value, indent).text == json.dumps(value, indent=indent, ensure_ascii=False)


def test_default_indent_is_two() -> None:
    assert pretty(AUTHORIZE).text == json.dumps(AUTHORIZE, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("indent", [2, None])
def test_every_value_span_parses_back_to_its_value(indent: int | None) -> None:
    for value in [*RANDOM, *SPAN_SAMPLES]:
        result = pretty(value, indent)
        expected = _walk(value)
        assert set(result.value_spans) == {path for path, _, _ in expected}
        assert set(result.spans) == set(result.value_spans)
        for path, item, key in expected:
            start, end = result.value_spans[path]
            assert _same(json.loads(result.text[start:end]), item), path
            member_start, member_end = result.spans[path]
            assert member_end == end
            if key is None:
                assert member_start == start
            else:
                assert result.text[member_start:start] == json.dumps(key, ensure_ascii=False) + ": "


def test_member_span_includes_the_key_and_value_span_does_not() -> None:
    result = pretty(AUTHORIZE)
    start, end = result.spans["idToken.type"]
    assert result.text[start:end] == '"type": "ISO14443"'
    start, end = result.value_spans["idToken.type"]
    assert result.text[start:end] == '"ISO14443"'
    start, end = result.spans["idToken"]
    assert result.text[start:end].startswith('"idToken": {\n')
    assert result.text[start:end].endswith("}")
    start, end = result.value_spans["idToken.idToken"]
    assert result.text[start:end] == '"04A2B3C4"'


def test_array_items_have_index_paths_and_no_key() -> None:
    payload = {"meterValue": [{"sampledValue": [{"value": 10}, {"value": 20.5}]}]}
    result = pretty(payload)
    start, end = result.spans["meterValue[0].sampledValue[1]"]
    assert result.spans["meterValue[0].sampledValue[1]"] == \
        result.value_spans["meterValue[0].sampledValue[1]"]
    assert json.loads(result.text[start:end]) == {"value": 20.5}
    start, end = result.spans["meterValue[0].sampledValue[1].value"]
    assert result.text[start:end] == '"value": 20.5'


def test_root_array_paths_start_with_an_index() -> None:
    result = pretty([{"a": 1}, [2]])
    start, end = result.spans["[1][0]"]
    assert result.text[start:end] == "2"
    start, end = result.spans["[0].a"]
    assert result.text[start:end] == '"a": 1'


def test_root_spans_the_whole_text() -> None:
    for value in (AUTHORIZE, [], {}, 5, "x"):
        result = pretty(value)
        assert result.spans[""] == result.value_spans[""] == (0, len(result.text))


def test_same_value_in_two_places_gets_two_spans() -> None:
    result = pretty({"a": "x", "b": "x"})
    assert result.value_spans["a"] != result.value_spans["b"]


def test_empty_key_does_not_take_the_root_path() -> None:
    result = pretty({"": 1, "b": 2})
    assert result.spans[""] == (0, len(result.text))


def test_locate_finds_an_existing_path() -> None:
    result = pretty(AUTHORIZE)
    start, end = locate(result, "idToken.type")
    assert result.text[start:end] == '"type": "ISO14443"'
    start, end = locate(result, "idToken.type", value_only=True)
    assert result.text[start:end] == '"ISO14443"'


def test_locate_falls_back_to_the_nearest_ancestor() -> None:
    result = pretty({"idToken": {"idToken": "04A2B3C4"}})
    assert locate(result, "idToken.type") == result.spans["idToken"]
    assert locate(result, "idToken.additionalInfo[0].type") == result.spans["idToken"]
    payload = {"meterValue": [{"sampledValue": [{"value": 1}]}]}
    result = pretty(payload)
    assert locate(result, "meterValue[0].sampledValue[3].value") == \
        result.spans["meterValue[0].sampledValue"]
    assert locate(result, "meterValue[0].timestamp") == result.spans["meterValue[0]"]


def test_locate_falls_back_to_the_root() -> None:
    result = pretty({"reason": "PowerUp"})
    assert locate(result, "chargingStation") == (0, len(result.text))
    assert locate(result, "chargingStation.model") == (0, len(result.text))
    assert locate(result, "") == (0, len(result.text))
    assert locate(pretty([1]), "[5]") == (0, len(pretty([1]).text))


def test_locate_on_empty_text_is_none() -> None:
    assert locate(PrettyText(""), "") is None
    assert locate(PrettyText(""), "a.b") is None


def test_locate_without_spans_uses_the_whole_text() -> None:
    assert locate(PrettyText("not json"), "a") == (0, 8)


def test_line_of() -> None:
    text = pretty(AUTHORIZE).text
    assert line_of(text, 0) == 1
    start, _ = locate(pretty(AUTHORIZE), "idToken.type")
    assert line_of(text, start) == 4
    assert text.splitlines()[3].strip() == '"type": "ISO14443"'
    assert line_of(text, len(text)) == text.count("\n") + 1
    assert line_of(text, 10_000) == text.count("\n") + 1
    assert line_of(text, -5) == 1
    assert line_of("", 0) == 1


def test_errors_match_json_dumps() -> None:
    with pytest.raises(TypeError):
        pretty({"a": {1, 2}})
    with pytest.raises(TypeError):
        pretty({(1, 2): "tuple key"})
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular"):
        pretty(loop)


def test_shared_but_not_circular_values_are_fine() -> None:
    shared = {"v": 1}
    value = {"a": shared, "b": [shared, shared]}
    assert pretty(value).text == json.dumps(value, indent=2, ensure_ascii=False)


def _notify_report(entries: int) -> dict[str, Any]:
    return {
        "requestId": 1, "generatedAt": "2024-05-01T12:00:00Z", "seqNo": 0, "tbc": False,
        "reportData": [
            {"component": {"name": f"Connector{i}", "instance": "main",
                           "evse": {"id": 1, "connectorId": i}},
             "variable": {"name": "AvailabilityState"},
             "variableAttribute": [{"type": "Actual", "value": "Available",
                                    "mutability": "ReadOnly", "persistent": True,
                                    "constant": False}],
             "variableCharacteristics": {"dataType": "OptionList", "supportsMonitoring": True,
                                         "valuesList": "Available,Occupied,Faulted"}}
            for i in range(entries)],
    }


def test_a_large_notify_report_is_quick() -> None:
    report = _notify_report(200)
    result = pretty(report)
    assert result.text == json.dumps(report, indent=2, ensure_ascii=False)
    start, end = locate(result, "reportData[199].variableAttribute[0].value")
    assert result.text[start:end] == '"value": "Available"'
    best = math.inf
    for _ in range(5):
        began = time.perf_counter()
        pretty(report)
        best = min(best, time.perf_counter() - began)
    assert best < 0.1  # a few ms in practice; the bound only catches quadratic mistakes
