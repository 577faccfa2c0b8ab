"""A session full of secrets, for the redaction tests: every kind the default rules name, the
same idToken twice, a KeyCode, secrets in connection records, in free text and in a frame
that is not JSON. `SECRETS` lists every original text that must not survive a redacted
export anywhere, byte for byte."""

from __future__ import annotations

from typing import Any

from app.session.message import Message, RecordKind
from tests.factories import DOWN, UP, make_message

STATION = "CP-SECRET-7"
TOKEN = "04A1B2C3D4E5F6"
KEYCODE = "839201"
CSR_BODY = "MIIBszCCARwCAQAwczELMAkGA1UEBhMCREUx"
CERT_BODIES = ("MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG", "MIIEpAIBAAKCAQEAvNmE0rH5fake2nd")
SIM_PIN = 97531

SECRETS = (
    STATION, TOKEN, KEYCODE, CSR_BODY, *CERT_BODIES,
    "10.20.30.40", "acme-energy", "hunter2-basic", "SN-99887766", "8931440400012345678",
    "262011234567890", "CONTRACT-DE-ABC-123", "GROUP-ACME-1", "s3cr3t-Basic-Pass!",
    "0011223344556677889900AABBCCDDEEFF", "vpn-pass-42", "vpn-key-secret-xyz", "apn-user-9",
    "apn-pass-8", "internet.acme.apn", "CUST-4455", "CERTSERIAL-1A2B3C", "vpn-user-1",
)


def _pem(label: str, *bodies: str) -> str:
    return "".join(f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"
                   for body in bodies)


def _token(value: str, kind: str = "ISO14443", **extra: Any) -> dict[str, Any]:
    return {"idToken": value, "type": kind, **extra}


def _variable(name: str, value: str, component: str = "SecurityCtrlr") -> dict[str, Any]:
    return {"component": {"name": component}, "variable": {"name": name},
            "attributeValue": value}


def secret_session() -> list[Message]:
    """Records of one station's connection through a proxy, with secrets everywhere."""
    steps: list[tuple[Any, Any]] = [
        (UP, [2, "1", "BootNotification", {"reason": "PowerUp", "chargingStation": {
            "model": "AC22", "vendorName": "Voltra", "serialNumber": "SN-99887766",
            "modem": {"iccid": "8931440400012345678", "imsi": "262011234567890"}}}]),
        (DOWN, [3, "1", {"currentTime": "2024-05-01T10:00:00.000Z", "interval": 300,
                         "status": "Accepted"}]),
        (UP, [2, "2", "Authorize", {"idToken": _token(TOKEN, additionalInfo=[
            {"additionalIdToken": "CONTRACT-DE-ABC-123", "type": "ContractId"}])}]),
        (DOWN, [3, "2", {"idTokenInfo": {"status": "Accepted",
                                         "groupIdToken": _token("GROUP-ACME-1", "Central")}}]),
        (UP, '[2,"3","TransactionEvent",{"eventType":"Started","timestamp":'
             '"2024-05-01T10:00:05.000Z","triggerReason":"Authorized","seqNo":0,'
             '"transactionInfo":{"transactionId":"T-1"},"idToken":{"idToken":"' + TOKEN
         + '","type":"ISO14443"},"meterValue":[{"timestamp":"2024-05-01T10:00:05.000Z",'
           '"sampledValue":[{"value":1234.50}]}]}]'),
        (DOWN, [3, "3", {}]),
        (UP, [2, "4", "Authorize", {"idToken": _token(KEYCODE, "KeyCode")}]),
        (DOWN, [3, "4", {"idTokenInfo": {"status": "Accepted"}}]),
        (DOWN, [2, "5", "SetVariables", {"setVariableData": [
            _variable("BasicAuthPassword", "s3cr3t-Basic-Pass!"),
            _variable("AuthorizationKey", "0011223344556677889900AABBCCDDEEFF"),
            _variable("HeartbeatInterval", "300", "OCPPCommCtrlr")]}]),
        (UP, [3, "5", {"setVariableResult": [
            {"attributeStatus": "Accepted", "component": {"name": "SecurityCtrlr"},
             "variable": {"name": "BasicAuthPassword"}}]}]),
        (DOWN, [2, "6", "SetNetworkProfile", {"configurationSlot": 2, "connectionData": {
            "ocppVersion": "OCPP20", "ocppTransport": "JSON",
            "ocppCsmsUrl": "wss://backup.acme-energy.com/ocpp", "messageTimeout": 30,
            "securityProfile": 2, "ocppInterface": "Wireless0",
            "apn": {"apn": "internet.acme.apn", "apnUserName": "apn-user-9",
                    "apnPassword": "apn-pass-8", "simPin": SIM_PIN,
                    "apnAuthentication": "CHAP"},
            "vpn": {"server": "vpn.acme-energy.com", "user": "vpn-user-1",
                    "password": "vpn-pass-42", "key": "vpn-key-secret-xyz", "type": "IPSec"}}}]),
        (UP, [3, "6", {"status": "Accepted"}]),
        (UP, [2, "7", "SignCertificate", {"csr": _pem("CERTIFICATE REQUEST", CSR_BODY)}]),
        (DOWN, [3, "7", {"status": "Accepted"}]),
        (DOWN, [2, "8", "CertificateSigned", {"certificateChain": _pem("CERTIFICATE",
                                                                       *CERT_BODIES)}]),
        (UP, [3, "8", {"status": "Accepted"}]),
        (DOWN, [2, "9", "CustomerInformation", {"requestId": 1, "report": True,
                                                "clear": False,
                                                "customerIdentifier": "CUST-4455",
                                                "customerCertificate": {
                                                    "hashAlgorithm": "SHA256",
                                                    "issuerNameHash": "aa", "issuerKeyHash": "bb",
                                                    "serialNumber": "CERTSERIAL-1A2B3C"}}]),
        (UP, [3, "9", {"status": "Accepted"}]),
        (UP, [2, "10", "DataTransfer", {"vendorId": "Voltra", "data":
                                        "diag: uplink 10.20.30.40 via "
                                        "https://portal.acme-energy.com/status"}]),
        (DOWN, [3, "10", {"status": "Accepted"}]),
        (UP, '[2,"11","Authorize",{"idToken":{"idToken":"' + TOKEN + '","type":"ISO1'),
    ]
    opened = make_message(1, kind=RecordKind.OPENED, station=STATION, meta={
        "path": f"/ocpp/{STATION}", "remote": "10.20.30.40:51234", "offered": ["ocpp2.0.1"],
        "auth": {"scheme": "Basic", "user": STATION, "password": "hunter2-basic"},
        "upstream": f"wss://csms.acme-energy.com:443/ocpp/{STATION}",
        "subprotocol": "ocpp2.0.1"})
    frames = [make_message(seq, frame, direction=side, station=STATION)
              for seq, (side, frame) in enumerate(steps, start=2)]
    closed = make_message(len(steps) + 2, kind=RecordKind.CLOSED, station=STATION,
                          meta={"code": 1000, "reason": "", "by": "station"})
    return [opened, *frames, closed]
