"""Minimal payloads: valid for every action, and nothing beyond what the schema demands."""

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.ocpp import catalog, datetimes
from app.ocpp.schema_tree import FieldSpec, field_tree
from app.ocpp.schemas import PayloadKind, load_schema
from app.ocpp.skeleton import enum_choice, minimal_payload, minimal_value, now_text
from app.ocpp.validation import SchemaValidator

REQ, RES = PayloadKind.REQUEST, PayloadKind.RESPONSE
NOW = "2026-03-14T09:26:53.120Z"


@pytest.fixture(scope="module")
def validator():
    return SchemaValidator()


@pytest.mark.parametrize("kind", list(PayloadKind))
@pytest.mark.parametrize("action", list(catalog.ACTIONS))
def test_minimal_payload_is_valid_and_holds_only_required_fields(validator, action, kind):
    payload = minimal_payload(action, kind, now=NOW)
    assert validator.validate(action, kind, payload) == []
    assert set(payload) == set(load_schema(action, kind).get("required", []))


def test_minimal_payload_with_the_default_clock_is_valid_without_notes(validator):
    payload = minimal_payload("Heartbeat", RES)
    assert validator.validate("Heartbeat", RES, payload) == []
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", payload["currentTime"])


def test_date_times_carry_the_given_time():
    payload = minimal_payload("StatusNotification", REQ, now=NOW)
    assert payload["timestamp"] == NOW
    assert minimal_payload("BootNotification", RES, now=NOW)["currentTime"] == NOW


def test_nested_required_objects_are_filled_recursively():
    payload = minimal_payload("BootNotification", REQ, now=NOW)
    assert payload == {"reason": "ApplicationReset",
                       "chargingStation": {"model": "", "vendorName": ""}}


def test_arrays_get_min_items_entries():
    result = minimal_payload("GetVariables", RES, now=NOW)["getVariableResult"]
    assert result == [{"attributeStatus": "Accepted", "component": {"name": ""},
                       "variable": {"name": ""}}]
    meter_value = minimal_payload("MeterValues", REQ, now=NOW)["meterValue"]
    assert meter_value == [{"timestamp": NOW, "sampledValue": [{"value": 0}]}]


def test_enum_prefers_accepted_else_takes_the_first_value():
    assert minimal_payload("ClearCache", RES)["status"] == "Accepted"
    assert minimal_payload("UnpublishFirmware", RES)["status"] == "DownloadOngoing"
    assert minimal_payload("Authorize", RES)["idTokenInfo"] == {"status": "Accepted"}


def test_booleans_are_false():
    assert minimal_payload("GetTransactionStatus", RES) == {"messagesInQueue": False}


def test_unknown_action_raises_key_error():
    with pytest.raises(KeyError):
        minimal_payload("StopTransaction", REQ)


def test_minimal_value_respects_length_and_bounds():
    def leaf(name, kind, **limits):
        return FieldSpec(name, name, kind, True, **limits)

    spec = FieldSpec("", "", "object", True, children=(
        leaf("name", "string", min_length=3), leaf("count", "integer", minimum=2.5),
        leaf("ratio", "number", minimum=0.5), leaf("level", "integer", maximum=-1.5),
        leaf("flag", "boolean"),
        FieldSpec("tags", "tags", "array", True, items=leaf("", "string")),
        FieldSpec("note", "note", "string", False)))
    value = minimal_value(spec)
    assert value == {"name": "xxx", "count": 3, "ratio": 0.5, "level": -2, "flag": False,
                     "tags": []}
    assert isinstance(value["count"], int) and isinstance(value["level"], int)


def test_minimal_value_of_one_field():
    tree = field_tree("SetChargingProfile", REQ)
    schedule = next(c for c in tree.children if c.name == "chargingProfile")
    schedules = next(c for c in schedule.children if c.name == "chargingSchedule")
    periods = next(c for c in schedules.items.children if c.name == "chargingSchedulePeriod")
    assert minimal_value(periods.items) == {"startPeriod": 0, "limit": 0}


def test_enum_choice():
    assert enum_choice(["Rejected", "Accepted"]) == "Accepted"
    assert enum_choice(["Unlocked", "UnlockFailed"]) == "Unlocked"
    assert enum_choice(["A", "B"], prefer=("B",)) == "B"


def test_now_text_is_utc_with_milliseconds():
    moment = datetime(2026, 3, 14, 10, 26, 53, 120999, tzinfo=timezone(timedelta(hours=1)))
    assert now_text(moment) == "2026-03-14T09:26:53.120Z"
    text = now_text()
    assert datetimes.is_rfc3339(text) and datetimes.notes(text) == []
    parsed = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - parsed) < timedelta(minutes=1)
