"""The compiled stage: its verdict is the walk's (Draft 6, as jsonschema reads it) on the
catalog and on mutated payloads, and on the corners of Draft 6 where compilers slip."""

from typing import Any

import pytest

from app.ocpp import catalog, reference
from app.ocpp.datetimes import is_rfc3339
from app.ocpp.schema_compiler import compile_schema
from app.ocpp.schema_walk import UnknownKeyword, schema_errors
from app.ocpp.schemas import PayloadKind, load_schema
from tests.ocpp.mutations import holds_for_mutations

ACTIONS = list(catalog.ACTIONS)
_COMPILED: dict[tuple[str, PayloadKind], Any] = {}


def accept_all_dates(value: Any) -> bool:
    return True


def reject_every_date(value: Any) -> bool:
    return False


def verdict(action: str, kind: PayloadKind, payload: Any) -> bool:
    key = (action, kind)
    if key not in _COMPILED:
        _COMPILED[key] = compile_schema(load_schema(action, kind), is_rfc3339)
    return _COMPILED[key](payload)


def assert_same_verdict(action: str, kind: PayloadKind, payload: Any) -> None:
    walked = not schema_errors(load_schema(action, kind), payload)
    assert verdict(action, kind, payload) is walked, (action, kind, payload)


@pytest.mark.parametrize("action", ACTIONS)
def test_catalog_examples_pass_and_common_errors_fail(action):
    page = reference.page(action)
    for example in page.examples:
        assert verdict(action, example.kind, example.payload), example.title
    for item in page.common_errors:
        assert not verdict(action, item.kind, item.payload), item.title


@pytest.mark.parametrize("action", ACTIONS)
def test_mutated_payloads_get_the_walks_verdict(action):
    holds_for_mutations(action, lambda kind, payload: assert_same_verdict(action, kind, payload),
                        whole_values=True)


SCHEMA = {
    "definitions": {
        "Node": {"type": "object", "additionalProperties": False,
                 "properties": {"next": {"$ref": "#/definitions/Node"},
                                "n": {"type": "integer", "minimum": 0, "maximum": 9}},
                 "required": ["n"]},
    },
    "type": "object",
    "properties": {
        "when": {"type": "string", "format": "date-time"},
        "kind": {"type": "string", "enum": ["A", "B"], "additionalProperties": False},
        "any": {"enum": [1, True, "x"]},
        "loose": {"maxLength": 2, "minimum": 3, "minItems": 1, "required": ["a"]},
        "list": {"type": "array", "items": {"$ref": "#/definitions/Node"}, "maxItems": 2},
        "number": {"type": "number", "minimum": 0.5},
    },
}


@pytest.mark.parametrize(("payload", "valid"), [
    ({}, True),
    ({"list": [{"n": 1.0}]}, True),                       # an integral float is an integer
    ({"list": [{"n": True}]}, False),                     # a boolean is not
    ({"list": [{"n": 1, "next": {"n": 2, "next": {"n": 10}}}]}, False),  # $ref to itself
    ({"list": [{"n": 1}, {"n": 2}, {"n": 3}]}, False),
    ({"list": [{"n": 1, "extra": 0}]}, False),
    ({"kind": "a"}, False),
    ({"kind": "B"}, True),
    ({"any": 1}, True), ({"any": True}, True), ({"any": 1.0}, True),
    ({"any": "y"}, False), ({"any": False}, False),
    ({"loose": "ab"}, True), ({"loose": "abc"}, False),   # each keyword only for its type
    ({"loose": 5}, True), ({"loose": 2}, False), ({"loose": []}, False),
    ({"loose": {"a": 1}}, True), ({"loose": {}}, False), ({"loose": None}, True),
    ({"number": 0.5}, True), ({"number": 0}, False), ({"number": False}, False),
])
def test_draft6_corners_are_judged_as_the_walk_judges_them(payload, valid):
    compiled = compile_schema(SCHEMA, accept_all_dates)
    assert compiled(payload) is valid
    assert (not schema_errors(SCHEMA, payload)) is valid


def test_date_times_go_through_the_given_check_and_only_strings_do():
    compiled = compile_schema(SCHEMA, reject_every_date)
    assert not compiled({"when": "2026-11-25T09:00:00Z"})
    assert not compiled({"when": 5})  # the type fails, not the date check


def test_a_date_time_surely_good_passes_without_the_check_and_others_still_meet_it():
    asked: list[str] = []

    def check(value):
        asked.append(value)
        return value.endswith("Z")

    compiled = compile_schema(SCHEMA, check,
                              surely_good=lambda value: value == "2026-11-25T09:00:00+01:00")
    assert compiled({"when": "2026-11-25T09:00:00+01:00"}) and asked == []
    assert compiled({"when": "2026-11-25T09:00:00Z"}) and asked == ["2026-11-25T09:00:00Z"]
    assert not compiled({"when": "2026-11-25T09:00:00"})


def test_a_definition_that_refers_to_itself_is_judged_to_any_depth():
    tree = {"$ref": "#/definitions/node", "definitions": {"node": {
        "type": "object", "additionalProperties": False, "required": ["name"],
        "properties": {"name": {"type": "string", "maxLength": 3},
                       "children": {"type": "array", "items": {"$ref": "#/definitions/node"}}},
    }}}
    compiled = compile_schema(tree, accept_all_dates)
    deep = {"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]}
    assert compiled(deep)
    deep["children"][0]["children"][0]["name"] = "long"
    assert not compiled(deep)
    assert not schema_errors(tree, {"name": "a", "children": [{"name": "b"}]})
    assert not compiled({"name": "a", "children": [{"name": 1}]})


@pytest.mark.parametrize("schema", [
    {"type": "string", "pattern": "^a"},
    {"type": "object", "additionalProperties": {"type": "string"}},
    {"type": "array", "items": [{"type": "string"}]},
    {"$ref": "http://example.com/schema"},
])
def test_a_keyword_it_does_not_know_is_refused_at_compile_time(schema):
    with pytest.raises(UnknownKeyword):
        compile_schema(schema, accept_all_dates)


class _Text(str):
    """A string of another class, as a composer's enum member would be."""


_METER = {"timestamp": "2026-11-25T09:00:00.123Z",
          "sampledValue": [{"value": 1.5, "measurand": "Voltage", "phase": "L1-N",
                            "unitOfMeasure": {"unit": "V", "multiplier": 0}}]}


@pytest.mark.parametrize(("action", "kind", "payload"), [
    # a string enum is one set lookup: values that are not strings, hashable or not
    ("StatusNotification", PayloadKind.REQUEST, {"timestamp": "2026-11-25T09:00:00Z",
     "connectorStatus": ["Available"], "evseId": 1, "connectorId": 1}),
    ("StatusNotification", PayloadKind.REQUEST, {"timestamp": "2026-11-25T09:00:00Z",
     "connectorStatus": {"a": 1}, "evseId": 1, "connectorId": 1}),
    ("StatusNotification", PayloadKind.REQUEST, {"timestamp": "2026-11-25T09:00:00Z",
     "connectorStatus": True, "evseId": 1, "connectorId": 1}),
    ("StatusNotification", PayloadKind.REQUEST, {"timestamp": "2026-11-25T09:00:00Z",
     "connectorStatus": _Text("Available"), "evseId": 1, "connectorId": 1}),
    ("StatusNotification", PayloadKind.REQUEST, {"timestamp": _Text("2026-11-25T09:00:00Z"),
     "connectorStatus": "Available", "evseId": 1, "connectorId": 1}),
    # a required property is read by subscript: missing ones, at every depth
    ("StatusNotification", PayloadKind.REQUEST, {"timestamp": "2026-11-25T09:00:00Z",
     "connectorStatus": "Available", "evseId": 1}),
    ("MeterValues", PayloadKind.REQUEST, {"evseId": 1, "meterValue": [{"timestamp": 5}]}),
    ("MeterValues", PayloadKind.REQUEST, {"evseId": 1, "meterValue": [
        {"timestamp": "2026-11-25T09:00:00Z", "sampledValue": [{"measurand": "Voltage"}]}]}),
    ("MeterValues", PayloadKind.REQUEST, {"evseId": 1, "meterValue": [_METER]}),
    ("MeterValues", PayloadKind.REQUEST, {"evseId": 2**80, "meterValue": [_METER]}),
    ("MeterValues", PayloadKind.REQUEST, {"evseId": float("nan"), "meterValue": [_METER]}),
    ("MeterValues", PayloadKind.REQUEST, {"evseId": 1.0, "meterValue": [
        {**_METER, "sampledValue": [{"value": float("nan")}]}]}),
    ("MeterValues", PayloadKind.REQUEST, {"evseId": 1, "meterValue": [
        {**_METER, "sampledValue": [{"value": True}]}]}),
    ("MeterValues", PayloadKind.REQUEST, {"evseId": 1, "meterValue": [
        {**_METER, "sampledValue": [{"value": 1, "unitOfMeasure": {"multiplier": 2**70}}]}]}),
    ("MeterValues", PayloadKind.REQUEST, {"evseId": 1, "meterValue": [
        {**_METER, "timestamp": "1970-01-01T00:00:00Z"}]}),
    ("MeterValues", PayloadKind.REQUEST, {"evseId": 1, "meterValue": [
        {**_METER, "timestamp": "2024-02-29T23:59:60.1234567+01:00"}]}),
    ("Heartbeat", PayloadKind.RESPONSE, {"currentTime": "2026-11-25T09:00:00"}),
    ("Heartbeat", PayloadKind.RESPONSE, {"currentTime": ["2026-11-25T09:00:00Z"]}),
    ("Heartbeat", PayloadKind.RESPONSE, {"currentTime": "2026-11-25T09:00:00Z", 1: 2}),
    ("Heartbeat", PayloadKind.REQUEST, {"customData": {"vendorId": _Text("x")}}),
    ("Heartbeat", PayloadKind.REQUEST, {"customData": {}}),
    ("Heartbeat", PayloadKind.REQUEST, []),
    ("Heartbeat", PayloadKind.REQUEST, None),
    ("SetVariableMonitoring", PayloadKind.REQUEST, {"setMonitoringData": [
        {"value": 1, "type": "Delta", "severity": 1, "component": {"name": "x"},
         "variable": {"name": "y"}, "transaction": "yes"}]}),
])
def test_odd_values_get_the_walks_verdict(action, kind, payload):
    assert_same_verdict(action, kind, payload)


def test_deep_nesting_gets_the_walks_verdict():
    payload: Any = {"name": "a"}
    for _ in range(40):
        payload = {"name": "a", "children": [payload]}
    tree = {"$ref": "#/definitions/node", "definitions": {"node": {
        "type": "object", "additionalProperties": False, "required": ["name"],
        "properties": {"name": {"type": "string", "enum": ["a", "b"]},
                       "children": {"type": "array", "items": {"$ref": "#/definitions/node"}}},
    }}}
    compiled = compile_schema(tree, accept_all_dates)
    assert compiled(payload) is (not schema_errors(tree, payload)) is True
    payload["children"][0]["children"][0]["name"] = ["a"]  # unhashable, deep down
    assert compiled(payload) is (not schema_errors(tree, payload)) is False
