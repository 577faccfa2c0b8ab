"""Answers of a simulated peer: valid for every request of the reference, and cooperative."""

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ocpp import catalog, reference
from app.ocpp.responses import (
    BOOT_RETRY_INTERVAL,
    DEFAULT_ANSWERS,
    REFUSALS,
    default_response,
    rejecting_response,
)
from app.ocpp.schemas import PayloadKind, load_schema, resolve
from app.ocpp.validation import SchemaValidator
from tests.ocpp.mutations import mutated_payloads

REQ, RES = PayloadKind.REQUEST, PayloadKind.RESPONSE
NOW = "2026-03-14T09:26:53.120Z"
VALIDATOR = SchemaValidator()

REQUEST_EXAMPLES = [
    pytest.param(action, example.payload, id=f"{action}-{index}")
    for action in catalog.ACTIONS
    for index, example in enumerate(reference.page(action).examples_of(REQ))
]


def status_enum(action):
    """The values of the response's top-level `status`, or None when it has none."""
    schema = load_schema(action, RES)
    node = schema.get("properties", {}).get("status")
    return None if node is None else resolve(schema, node)["enum"]


def get_variable(component, variable, **extra):
    return {"component": {"name": component}, "variable": {"name": variable}, **extra}


@pytest.mark.parametrize(("action", "request_payload"), REQUEST_EXAMPLES)
def test_answers_to_every_reference_request_are_valid(action, request_payload):
    answer = default_response(action, request_payload, now=NOW)
    assert VALIDATOR.validate(action, RES, answer) == []
    refusal = rejecting_response(action, request_payload, now=NOW)
    if refusal is not None:
        assert VALIDATOR.validate(action, RES, refusal) == []
        assert refusal != answer


@pytest.mark.parametrize("action", list(catalog.ACTIONS))
def test_answers_to_an_empty_request_are_still_valid(action):
    assert VALIDATOR.validate(action, RES, default_response(action, {}, now=NOW)) == []
    refusal = rejecting_response(action, {}, now=NOW)
    assert refusal is None or VALIDATOR.validate(action, RES, refusal) == []


def test_every_action_is_covered_deliberately():
    assert set(DEFAULT_ANSWERS) == set(catalog.ACTIONS)
    assert set(REFUSALS) == set(catalog.ACTIONS)


@pytest.mark.parametrize("action", [a for a in catalog.ACTIONS if status_enum(a)])
def test_status_says_yes_by_default_and_rejected_when_refusing(action):
    request = reference.page(action).examples_of(REQ)[0].payload
    expected = {"UnlockConnector": "Unlocked", "UnpublishFirmware": "Unpublished"}
    assert default_response(action, request)["status"] == expected.get(action, "Accepted")
    refusal = rejecting_response(action, request)
    assert refusal is not None
    if "Rejected" in status_enum(action):
        assert refusal["status"] == "Rejected"
    else:
        assert refusal["status"] not in ("Accepted", "Unlocked", "Unpublished")


def test_unknown_action_raises_key_error():
    with pytest.raises(KeyError):
        default_response("StopTransaction", {})
    with pytest.raises(KeyError):
        rejecting_response("StopTransaction", {})


def test_boot_notification_uses_the_clock_and_the_interval():
    assert default_response("BootNotification", {}, now=NOW, heartbeat_interval=900) == {
        "currentTime": NOW, "interval": 900, "status": "Accepted"}
    assert default_response("BootNotification", {}, now=NOW)["interval"] == 300
    assert rejecting_response("BootNotification", {}, now=NOW) == {
        "currentTime": NOW, "interval": BOOT_RETRY_INTERVAL, "status": "Rejected"}


@pytest.mark.parametrize("action", ["Heartbeat", "StatusNotification", "MeterValues",
                                    "GetLocalListVersion", "NotifyEvent"])
def test_answers_without_a_way_to_refuse(action):
    assert rejecting_response(action, {}) is None


def test_heartbeat_and_notifications():
    assert default_response("Heartbeat", {}, now=NOW) == {"currentTime": NOW}
    assert default_response("StatusNotification", {}) == {}
    assert default_response("NotifyReport", {}) == {}
    assert default_response("GetLocalListVersion", {}) == {"versionNumber": 0}
    assert default_response("DataTransfer", {"vendorId": "com.example"}) == {
        "status": "Accepted"}


def test_authorize_accepts_and_refusal_says_invalid():
    plain, iso15118 = (e.payload for e in reference.page("Authorize").examples_of(REQ))
    assert default_response("Authorize", plain) == {"idTokenInfo": {"status": "Accepted"}}
    assert default_response("Authorize", iso15118)["certificateStatus"] == "Accepted"
    assert rejecting_response("Authorize", plain) == {"idTokenInfo": {"status": "Invalid"}}


def test_transaction_event_authorizes_only_a_carried_token():
    with_token, without_token = (
        e.payload for e in reference.page("TransactionEvent").examples_of(REQ)[:2])
    assert "idToken" in with_token and "idToken" not in without_token
    assert default_response("TransactionEvent", with_token) == {
        "idTokenInfo": {"status": "Accepted"}}
    assert default_response("TransactionEvent", without_token) == {}
    assert rejecting_response("TransactionEvent", with_token) == {
        "idTokenInfo": {"status": "Invalid"}}
    assert rejecting_response("TransactionEvent", without_token) is None


def test_get_variables_echoes_and_looks_up_values():
    request = {"getVariableData": [
        get_variable("OCPPCommCtrlr", "HeartbeatInterval"),
        get_variable("securityctrlr", "SECURITYPROFILE", attributeType="Actual"),
        {"component": {"name": "EVSE", "evse": {"id": 1}},
         "variable": {"name": "AvailabilityState"}},
        get_variable("ClockCtrlr", "DateTime"),
    ]}
    results = default_response("GetVariables", request, now=NOW,
                               heartbeat_interval=120)["getVariableResult"]
    assert results == [
        {"attributeStatus": "Accepted", "attributeValue": "120",
         "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
        {"attributeStatus": "Accepted", "attributeValue": "1", "attributeType": "Actual",
         "component": {"name": "securityctrlr"}, "variable": {"name": "SECURITYPROFILE"}},
        {"attributeStatus": "Accepted", "attributeValue": "Available",
         "component": {"name": "EVSE", "evse": {"id": 1}},
         "variable": {"name": "AvailabilityState"}},
        {"attributeStatus": "Accepted", "attributeValue": NOW,
         "component": {"name": "ClockCtrlr"}, "variable": {"name": "DateTime"}},
    ]


def test_get_variables_reports_unknown_variables_and_components_without_value():
    request = {"getVariableData": [
        get_variable("OCPPCommCtrlr", "NoSuchVariable"),
        get_variable("FluxCapacitor", "HeartbeatInterval"),
        get_variable("OCPPCommCtrlr", "HeartbeatInterval", attributeType="MaxSet"),
    ]}
    results = default_response("GetVariables", request)["getVariableResult"]
    assert [r["attributeStatus"] for r in results] == [
        "UnknownVariable", "UnknownComponent", "NotSupportedAttributeType"]
    assert all("attributeValue" not in r for r in results)
    assert results[2]["attributeType"] == "MaxSet"
    assert VALIDATOR.validate("GetVariables", RES, {"getVariableResult": results}) == []


def test_get_variables_refusal_rejects_each_item():
    request = {"getVariableData": [get_variable("OCPPCommCtrlr", "HeartbeatInterval"),
                                   get_variable("FluxCapacitor", "Speed")]}
    results = rejecting_response("GetVariables", request)["getVariableResult"]
    assert [r["attributeStatus"] for r in results] == ["Rejected", "Rejected"]
    assert [r["variable"]["name"] for r in results] == ["HeartbeatInterval", "Speed"]


def test_set_variables_echoes_each_item_as_accepted():
    request = {"setVariableData": [
        {"attributeValue": "900", **get_variable("OCPPCommCtrlr", "HeartbeatInterval")},
        {"attributeType": "Target", "attributeValue": "16",
         "component": {"name": "SmartChargingCtrlr", "evse": {"id": 2, "connectorId": 1}},
         "variable": {"name": "Limit", "instance": "Phase1"}},
    ]}
    assert default_response("SetVariables", request)["setVariableResult"] == [
        {"attributeStatus": "Accepted",
         "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
        {"attributeStatus": "Accepted", "attributeType": "Target",
         "component": {"name": "SmartChargingCtrlr", "evse": {"id": 2, "connectorId": 1}},
         "variable": {"name": "Limit", "instance": "Phase1"}},
    ]
    refused = rejecting_response("SetVariables", request)["setVariableResult"]
    assert [r["attributeStatus"] for r in refused] == ["Rejected", "Rejected"]


def test_answers_do_not_share_objects_with_the_request():
    request = {"getVariableData": [get_variable("OCPPCommCtrlr", "HeartbeatInterval")]}
    before = copy.deepcopy(request)
    answer = default_response("GetVariables", request)
    answer["getVariableResult"][0]["component"]["name"] = "changed"
    assert request == before


def test_composite_schedule_follows_the_request():
    answer = default_response("GetCompositeSchedule",
                              {"duration": 3600, "evseId": 2, "chargingRateUnit": "A"}, now=NOW)
    assert answer == {"status": "Accepted", "schedule": {
        "evseId": 2, "duration": 3600, "scheduleStart": NOW, "chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0, "numberPhases": 3}]}}
    in_watts = default_response("GetCompositeSchedule", {"duration": 60, "evseId": 0})
    assert in_watts["schedule"]["chargingRateUnit"] == "W"
    assert in_watts["schedule"]["chargingSchedulePeriod"][0]["limit"] == 11000.0


def test_transaction_status_reports_ongoing_only_when_asked_about_one():
    assert default_response("GetTransactionStatus", {}) == {"messagesInQueue": False}
    assert default_response("GetTransactionStatus", {"transactionId": "tx-1"}) == {
        "messagesInQueue": False, "ongoingIndicator": True}


def test_get_log_names_the_file_it_will_upload():
    request = {"logType": "SecurityLog", "requestId": 7,
               "log": {"remoteLocation": "https://logs.example.com/"}}
    assert default_response("GetLog", request, now=NOW) == {
        "status": "Accepted", "filename": "SecurityLog_20260314T092653Z.tar.gz"}


def test_variable_monitors_get_ids_and_echo_their_settings():
    request = {"setMonitoringData": [
        {"value": 70, "type": "UpperThreshold", "severity": 5,
         **get_variable("TemperatureSensor", "Temperature")},
        {"id": 4, "value": 5, "type": "Delta", "severity": 8, **get_variable("EVSE", "Power")},
        {"value": 1, "type": "Periodic", "severity": 9, **get_variable("EVSE", "Power")},
    ]}
    results = default_response("SetVariableMonitoring", request)["setMonitoringResult"]
    assert [(r["status"], r["id"], r["type"], r["severity"]) for r in results] == [
        ("Accepted", 5, "UpperThreshold", 5), ("Accepted", 4, "Delta", 8),
        ("Accepted", 6, "Periodic", 9)]
    refused = rejecting_response("SetVariableMonitoring", request)["setMonitoringResult"]
    assert [(r["status"], r.get("id")) for r in refused] == [
        ("Rejected", None), ("Rejected", 4), ("Rejected", None)]


def test_clear_variable_monitoring_answers_each_id():
    assert default_response("ClearVariableMonitoring", {"id": [31, 33]}) == {
        "clearMonitoringResult": [{"status": "Accepted", "id": 31},
                                  {"status": "Accepted", "id": 33}]}
    assert rejecting_response("ClearVariableMonitoring", {"id": [2]}) == {
        "clearMonitoringResult": [{"status": "Rejected", "id": 2}]}


def test_installed_certificates_are_reported_per_requested_type():
    request = {"certificateType": ["V2GRootCertificate", "MORootCertificate"]}
    chain = default_response("GetInstalledCertificateIds", request)["certificateHashDataChain"]
    assert [c["certificateType"] for c in chain] == ["V2GRootCertificate", "MORootCertificate"]
    assert chain[0]["certificateHashData"] != chain[1]["certificateHashData"]
    again = default_response("GetInstalledCertificateIds", request)["certificateHashDataChain"]
    assert again == chain
    assert rejecting_response("GetInstalledCertificateIds", request) == {"status": "NotFound"}


def test_certificate_answers():
    ev = default_response("Get15118EVCertificate",
                          {"iso15118SchemaVersion": "urn:iso:15118:2:2013:MsgDef",
                           "action": "Install", "exiRequest": "AAAA"})
    assert ev["status"] == "Accepted" and ev["exiResponse"]
    assert rejecting_response("Get15118EVCertificate", {}) == {
        "status": "Failed", "exiResponse": ""}
    assert default_response("GetCertificateStatus", {})["ocspResult"]
    assert default_response("SignCertificate", {"csr": "x"}) == {"status": "Accepted"}


@pytest.mark.parametrize("action", list(catalog.ACTIONS))
def test_answers_to_mutated_requests_are_still_valid(action):
    """Whatever a peer sends, the simulator never answers outside the response schema (an
    over-long component name must not be echoed back over its maxLength)."""
    check_answers_to_mutations(action)


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def check_answers_to_mutations(action, data):
    _kind, request = data.draw(mutated_payloads(action, REQ))
    answer = default_response(action, request, now=NOW)
    assert VALIDATOR.validate(action, RES, answer) == [], answer
    refusal = rejecting_response(action, request, now=NOW)
    if refusal is not None:
        assert VALIDATOR.validate(action, RES, refusal) == [], refusal
