"""The facts of a payload in one line: specific for the common actions, a status or the
first plain fields for the rest, and never an exception, whatever a peer sends."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ocpp import catalog, reference
from app.ocpp.facts import clean, payload_facts
from app.ocpp.schemas import PayloadKind
from tests.ocpp.mutations import JSON_VALUES, holds_for_mutations

REQ, RES = PayloadKind.REQUEST, PayloadKind.RESPONSE


def test_transaction_event_names_event_transaction_evse_and_trigger():
    payload = {"eventType": "Started", "timestamp": "2024-01-01T00:00:00Z",
               "triggerReason": "Authorized", "seqNo": 0,
               "transactionInfo": {"transactionId": "TX-0001", "chargingState": "EVConnected"},
               "evse": {"id": 1}}
    assert payload_facts("TransactionEvent", REQ, payload) == (
        "Started · TX-0001 · evse 1 · Authorized · EVConnected")


def test_meter_values_show_the_newest_samples_with_units():
    payload = {"evseId": 1, "meterValue": [
        {"timestamp": "t", "sampledValue": [{"value": 1.0}]},
        {"timestamp": "t", "sampledValue": [
            {"value": 1523870.5},
            {"value": 10980, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "W"}},
            {"value": 15.9, "measurand": "Current.Import", "phase": "L1",
             "unitOfMeasure": {"unit": "A"}},
            {"value": 80, "measurand": "SoC", "unitOfMeasure": {"unit": "Percent"}},
            {"value": 230, "measurand": "Voltage", "unitOfMeasure": {"unit": "V"}}]}]}
    assert payload_facts("MeterValues", REQ, payload) == (
        "evse 1 · 1523.87 kWh, 10980 W, 15.9 A L1, SoC 80 %, +1 more")


def test_a_sample_with_a_multiplier_is_scaled():
    payload = {"evseId": 2, "meterValue": [{"timestamp": "t", "sampledValue": [
        {"value": 7.5, "measurand": "Power.Active.Import",
         "unitOfMeasure": {"unit": "W", "multiplier": 3}}]}]}
    assert payload_facts("MeterValues", REQ, payload) == "evse 2 · 7500 W"


@pytest.mark.parametrize(("action", "payload", "line"), [
    ("BootNotification", {"currentTime": "t", "interval": 300, "status": "Accepted"},
     "status=Accepted · interval=300"),
    ("SetChargingProfile", {"status": "Rejected", "statusInfo": {"reasonCode": "NoProfile"}},
     "status=Rejected (NoProfile)"),
    ("Authorize", {"idTokenInfo": {"status": "Blocked"}}, "status=Blocked"),
    ("Heartbeat", {"currentTime": "2024-01-01T00:00:00Z"}, "currentTime=2024-01-01T00:00:00Z"),
    ("GetVariables", {"getVariableResult": [
        {"attributeStatus": "Accepted", "attributeValue": "300",
         "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
        {"attributeStatus": "UnknownVariable", "component": {"name": "X"},
         "variable": {"name": "Y"}}]},
     "OCPPCommCtrlr.HeartbeatInterval=300, X.Y: UnknownVariable"),
    ("StatusNotification", {}, ""),
    (None, {"status": "Accepted"}, "status=Accepted"),   # an answer whose CALL was not seen
])
def test_common_responses(action, payload, line):
    assert payload_facts(action, RES, payload) == line


@pytest.mark.parametrize(("action", "payload", "line"), [
    ("Authorize", {"idToken": {"idToken": "04A2B3C4", "type": "ISO14443"}},
     "idToken 04A2B3C4 (ISO14443)"),
    ("StatusNotification", {"timestamp": "t", "connectorStatus": "Faulted", "evseId": 1,
                            "connectorId": 1}, "Faulted · evse 1/1"),
    ("NotifyEvent", {"generatedAt": "t", "seqNo": 0, "eventData": [{
        "eventId": 1, "timestamp": "t", "trigger": "Delta", "actualValue": "Faulted",
        "techCode": "GroundFailure", "eventNotificationType": "HardWiredNotification",
        "component": {"name": "Connector"}, "variable": {"name": "AvailabilityState"}}]},
     "Connector.AvailabilityState=Faulted (GroundFailure)"),
    ("BootNotification", {"reason": "PowerUp", "chargingStation": {
        "vendorName": "Voltra", "model": "AC22", "firmwareVersion": "4.2.1"}},
     "PowerUp · Voltra AC22 · fw 4.2.1"),
    ("RequestStartTransaction", {"idToken": {"idToken": "", "type": "NoAuthorization"},
                                 "remoteStartId": 42, "evseId": 1},
     "idToken “” (NoAuthorization) · evse 1 · remoteStartId=42"),
    ("NoSuchAction", {"requestId": 3, "items": [1, 2], "nested": {"a": 1}},
     "requestId=3 · 2 items"),
])
def test_common_requests(action, payload, line):
    assert payload_facts(action, REQ, payload) == line


def test_every_action_says_something_about_every_example_that_has_content():
    for action in catalog.ACTIONS:
        for example in reference.page(action).examples:
            line = payload_facts(action, example.kind, example.payload)
            if example.payload:
                assert line, (action, example.title)
            if example.kind is RES and isinstance(example.payload.get("status"), str):
                assert line.startswith(f"status={example.payload['status']}"), action


def test_values_are_cleaned_and_cut():
    line = payload_facts("SecurityEventNotification", REQ,
                         {"type": "a\nb\ud800", "techInfo": "x" * 400})
    assert line.startswith("a b\ufffd · ") and len(line) < 60 and line.endswith("…")
    assert clean("ok") == "ok"


def test_payloads_that_are_not_objects_say_nothing():
    assert payload_facts("Heartbeat", RES, [1, 2]) == ""
    assert payload_facts("Heartbeat", REQ, None) == ""


@pytest.mark.parametrize("action", list(catalog.ACTIONS))
def test_mutated_payloads_never_raise(action):
    def says_a_line(kind, payload):
        line = payload_facts(action, kind, payload)
        assert isinstance(line, str)
        line.encode("utf-8")  # no lone surrogates: Qt could not show them

    holds_for_mutations(action, says_a_line, examples=40)


@settings(max_examples=200, deadline=None, database=None)
@given(payload=JSON_VALUES, action=st.sampled_from([None, *catalog.ACTIONS]),
       kind=st.sampled_from(list(PayloadKind)))
def test_any_json_value_as_any_payload_never_raises(payload, action, kind):
    payload_facts(action, kind, payload).encode("utf-8")
