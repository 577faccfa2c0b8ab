"""The field tree: built for all 128 payloads, agreeing with the schemas it is made from."""

from __future__ import annotations

from typing import Any

import pytest

from app.ocpp.catalog import ACTIONS
from app.ocpp.schema_tree import (
    FieldSpec,
    _build,
    clean_description,
    describe_type,
    field_tree,
    walk,
)
from app.ocpp.schemas import PayloadKind, required_fields

KINDS = {"object", "array", "string", "integer", "number", "boolean", "enum", "datetime",
         "custom"}
PAYLOADS = [(action, kind) for action in ACTIONS for kind in PayloadKind]


def _find(spec: FieldSpec, path: str) -> FieldSpec:
    for node in walk(spec):
        if node.path == path:
            return node
    raise AssertionError(f"no field {path!r}")


def _required_paths(spec: FieldSpec) -> list[str]:
    """Named fields reachable from the root through required fields only, like the reference."""
    out: list[str] = []
    for child in spec.children:
        if child.required:
            out.append(child.path)
            out.extend(_required_paths(child))
    if spec.items is not None:
        out.extend(_required_paths(spec.items))
    return out


@pytest.mark.parametrize(("action", "kind"), PAYLOADS, ids=[f"{a}-{k}" for a, k in PAYLOADS])
def test_every_payload_builds_a_consistent_tree(action: str, kind: PayloadKind) -> None:
    root = field_tree(action, kind)
    assert root.kind == "object" and root.path == "" and root.name == "" and root.required
    for node in walk(root):
        assert node.kind in KINDS, node.path
        assert "urn:x-" not in node.description and "\r" not in node.description
        assert node.description == node.description.strip()
        for child in node.children:
            assert child.name and child.path == (f"{node.path}.{child.name}" if node.path
                                                 else child.name)
        if node.kind == "array":
            assert node.items is not None and node.items.path == node.path + "[]"
            assert node.items.name == "" and node.items.required
        else:
            assert node.items is None
        if node.kind == "enum":
            assert node.enum
        if node.kind != "object":
            assert node.children == ()
        assert describe_type(node)


@pytest.mark.parametrize(("action", "kind"), PAYLOADS, ids=[f"{a}-{k}" for a, k in PAYLOADS])
def test_required_paths_match_the_schema(action: str, kind: PayloadKind) -> None:
    assert sorted(_required_paths(field_tree(action, kind))) == \
        sorted(required_fields(action, kind))


def test_field_tree_is_cached() -> None:
    assert field_tree("Heartbeat", PayloadKind.REQUEST) is \
        field_tree("Heartbeat", PayloadKind.REQUEST)


def test_unknown_action_raises_key_error() -> None:
    with pytest.raises(KeyError):
        field_tree("StopTransaction", PayloadKind.REQUEST)


def test_boot_notification_request() -> None:
    root = field_tree("BootNotification", PayloadKind.REQUEST)
    assert [c.name for c in root.children] == ["customData", "chargingStation", "reason"]
    model = _find(root, "chargingStation.model")
    assert (model.kind, model.max_length, model.required) == ("string", 20, True)
    assert model.description == "Defines the model of the device."
    assert describe_type(model) == "string, at most 20 characters"
    assert not _find(root, "chargingStation.serialNumber").required
    reason = _find(root, "reason")
    assert reason.kind == "enum" and reason.required and len(reason.enum) == 9
    assert reason.enum[0] == "ApplicationReset" and "PowerUp" in reason.enum
    assert describe_type(reason) == "one of 9 values"
    assert reason.description == "This contains the reason for sending this message to the CSMS."
    station = _find(root, "chargingStation")
    assert station.kind == "object" and station.type_name == "ChargingStation"
    assert station.description.startswith("The physical system")


def test_meter_values_request() -> None:
    root = field_tree("MeterValues", PayloadKind.REQUEST)
    meter = _find(root, "meterValue")
    assert (meter.kind, meter.min_items, meter.max_items, meter.required) == \
        ("array", 1, None, True)
    assert meter.items is not None and meter.items.kind == "object"
    assert meter.items.path == "meterValue[]"
    assert describe_type(meter) == "list of MeterValue, at least 1"
    timestamp = _find(root, "meterValue[].timestamp")
    assert timestamp.kind == "datetime" and timestamp.required
    assert describe_type(timestamp) == "date-time (RFC 3339)"
    sampled = _find(root, "meterValue[].sampledValue")
    assert describe_type(sampled) == "list of SampledValue, at least 1"
    value = _find(root, "meterValue[].sampledValue[].value")
    assert value.kind == "number" and describe_type(value) == "number"
    evse = _find(root, "evseId")
    assert evse.kind == "integer" and evse.description.startswith("This contains a number")
    assert not _find(root, "meterValue[].sampledValue[].measurand").required


def test_custom_data_is_custom_everywhere() -> None:
    for action, kind in PAYLOADS:
        for node in walk(field_tree(action, kind)):
            if node.name == "customData":
                assert node.kind == "custom" and not node.required and node.children == ()
                assert describe_type(node) == "custom JSON (vendor data)"


def test_untyped_data_transfer_data_is_custom() -> None:
    data = _find(field_tree("DataTransfer", PayloadKind.REQUEST), "data")
    assert data.kind == "custom" and describe_type(data) == "any JSON value"
    vendor = _find(field_tree("DataTransfer", PayloadKind.REQUEST), "vendorId")
    assert vendor.kind == "string" and vendor.required


def test_bounds_are_numbers_from_the_schema() -> None:
    root = field_tree("SetChargingProfile", PayloadKind.REQUEST)
    periods = _find(root, "chargingProfile.chargingSchedule[].chargingSchedulePeriod")
    assert (periods.min_items, periods.max_items) == (1, 1024)
    assert describe_type(periods) == "list of ChargingSchedulePeriod, 1 to 1024"


def test_walk_is_depth_first_with_the_root_first() -> None:
    root = field_tree("MeterValues", PayloadKind.REQUEST)
    paths = [node.path for node in walk(root)]
    assert paths[:4] == ["", "customData", "evseId", "meterValue"]
    assert paths.index("meterValue[]") < paths.index("meterValue[].sampledValue")
    assert paths.index("meterValue[].sampledValue[].value") < \
        paths.index("meterValue[].timestamp")
    assert len(paths) == len(set(paths))


@pytest.mark.parametrize(("spec", "text"), [
    (FieldSpec("a", "a", "string", True), "string"),
    (FieldSpec("a", "a", "string", True, max_length=20), "string, at most 20 characters"),
    (FieldSpec("a", "a", "string", True, max_length=1), "string, at most 1 character"),
    (FieldSpec("a", "a", "string", True, min_length=1), "string, at least 1 character"),
    (FieldSpec("a", "a", "string", True, min_length=2, max_length=8), "string, 2 to 8 characters"),
    (FieldSpec("a", "a", "integer", True, minimum=0.0), "integer ≥ 0"),
    (FieldSpec("a", "a", "integer", True, maximum=9.0), "integer ≤ 9"),
    (FieldSpec("a", "a", "integer", True, minimum=0.0, maximum=100.0), "integer from 0 to 100"),
    (FieldSpec("a", "a", "number", True, minimum=0.5), "number ≥ 0.5"),
    (FieldSpec("a", "a", "boolean", True), "true or false"),
    (FieldSpec("a", "a", "enum", True, enum=("A", "B", "C")), "one of 3 values"),
    (FieldSpec("a", "a", "enum", True, enum=("Only",)), "always 'Only'"),
    (FieldSpec("a", "a", "datetime", True), "date-time (RFC 3339)"),
    (FieldSpec("a", "a", "object", True), "object"),
    (FieldSpec("a", "a", "custom", False, type_name="CustomData"), "custom JSON (vendor data)"),
    (FieldSpec("a", "a", "array", True, min_items=1,
               items=FieldSpec("", "a[]", "integer", True)), "list of integers, at least 1"),
    (FieldSpec("a", "a", "array", True, min_items=1, max_items=3,
               items=FieldSpec("", "a[]", "enum", True, enum=("X",), type_name="FooEnum")),
     "list of FooEnum values, 1 to 3"),
    (FieldSpec("a", "a", "array", True, items=FieldSpec("", "a[]", "object", True)),
     "list of objects"),
])
def test_describe_type(spec: FieldSpec, text: str) -> None:
    assert describe_type(spec) == text


@pytest.mark.parametrize(("raw", "clean"), [
    ("Device. Model. CI20_ Text\r\nurn:x-oca:ocpp:uid:1:569325\r\nDefines the model of the "
     "device.\r\n", "Defines the model of the device."),
    ("Request_ Body\r\nurn:x-enexis:ecdm:uid:2:234744\r\n", ""),
    ("Plain text.\r\n\r\n", "Plain text."),
    ("Two lines +\r\nhere.\r\n\r\n\r\n\r\nAfter.", "Two lines\nhere.\n\nAfter."),
    ("See &lt;&lt;ref-RFC5646,[RFC5646]&gt;&gt; and &lt;&lt;configkey-currency,`Currency`&gt;&gt;.",
     "See [RFC5646] and Currency."),
])
def test_clean_description(raw: str, clean: str) -> None:
    assert clean_description(raw) == clean


def test_a_self_referencing_schema_stops_instead_of_recursing() -> None:
    schema: dict[str, Any] = {
        "definitions": {
            "NodeType": {"javaType": "Node", "type": "object", "properties": {
                "name": {"type": "string"},
                "next": {"$ref": "#/definitions/NodeType"},
                "all": {"type": "array", "items": {"$ref": "#/definitions/NodeType"}},
            }},
        },
        "type": "object",
        "properties": {"head": {"$ref": "#/definitions/NodeType"}},
        "required": ["head"],
    }
    root = _build(schema, schema, name="", path="", required=True, own_description=None,
                  refs=(), depth=0)
    paths = [node.path for node in walk(root)]
    assert paths == ["", "head", "head.name", "head.next", "head.all", "head.all[]"]
    assert _find(root, "head.next").kind == "object"
    assert _find(root, "head.next").children == ()
    assert _find(root, "head").required and not _find(root, "head.next").required
