"""OCPP 1.6 payloads on a 2.0.1 connection are named as such in the first finding."""

import pytest

from app.ocpp.legacy import ocpp16_hint
from app.ocpp.schemas import PayloadKind
from app.ocpp.validation import SchemaValidator

REQ, RES = PayloadKind.REQUEST, PayloadKind.RESPONSE


@pytest.mark.parametrize(("action", "kind", "payload"), [
    ("BootNotification", REQ, {"chargePointVendor": "Voltra", "chargePointModel": "AC22"}),
    ("Authorize", REQ, {"idTag": "04A2B3"}),
    ("Authorize", RES, {"idTagInfo": {"status": "Accepted"}}),
    ("StatusNotification", REQ, {"connectorId": 1, "errorCode": "NoError",
                                 "status": "Available"}),
    ("MeterValues", REQ, {"connectorId": 1, "meterValue": []}),
    ("Reset", REQ, {"type": "Hard"}),
])
def test_16_payloads_are_recognised_in_the_first_finding(action, kind, payload):
    findings = SchemaValidator().validate(action, kind, payload)
    assert findings and "1.6" in findings[0].message


def test_20_payloads_and_partial_matches_get_no_hint():
    assert ocpp16_hint("Authorize", REQ, {"idToken": {"idToken": "x", "type": "Local"}}) is None
    assert ocpp16_hint("Authorize", REQ, {"idTag": "x", "idToken": {}}) is None
    assert ocpp16_hint("Heartbeat", REQ, {}) is None
    assert ocpp16_hint("Reset", REQ, {"type": "Immediate"}) is None
    assert ocpp16_hint("BootNotification", REQ, []) is None


def test_valid_payloads_are_never_touched():
    assert SchemaValidator().validate("Reset", REQ, {"type": "OnIdle"}) == []
