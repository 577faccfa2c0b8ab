"""Answers for an endpoint that plays one side: the simulated CSMS or the simulated station.

The defaults are *cooperative*: they say yes. The simulated peer exists so that the user can
exercise the other, real side, and a flow (boot, authorize, start and stop a transaction,
change a setting, fetch a log) only runs to its end when every step is accepted. A refusal
is then a deliberate choice, made with `rejecting_response`, and it refuses the way a real
peer does — with the schema's own word for no, not with an error frame.

Every one of the 64 actions has an entry in both tables below, so that adding an answer is a
decision rather than a fall-through; `minimal_payload` is only used for the answers that
carry nothing but what the schema demands. Requests are expected to be valid (a peer answers
an invalid one with a CALLERROR, not with these); for a malformed one the answer is best
effort, and still valid against the response schema: the request is read through
`app.ocpp.request_fields`, and the simulated station's variables come from
`app.ocpp.simulated_device_model`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.ocpp.request_fields import (
    as_dict,
    dicts,
    echo_attribute,
    int_or,
    is_int,
    named,
    one_of,
)
from app.ocpp.schemas import PayloadKind
from app.ocpp.simulated_device_model import device_model, look_up
from app.ocpp.skeleton import minimal_payload, now_text
from app.ocpp.station_followups import TRIGGERABLE

DEFAULT_HEARTBEAT_INTERVAL = 300
# Seconds a rejected station has to wait before its next BootNotification.
BOOT_RETRY_INTERVAL = 60

# What the composite schedule of an 11 kW AC station says: 16 A on three phases.
_SCHEDULE_LIMITS = {"W": 11000.0, "A": 16.0}
_SCHEDULE_PHASES = 3

# Certificate payloads the simulator cannot really produce (an EXI stream, a DER-encoded
# OCSP response). They are well-formed base64, so that a peer that checks them fails on
# their content, not on the transport encoding.
_PLACEHOLDER_EXI = base64.b64encode(b"OCPP Scope placeholder CertificateInstallationRes").decode()
_PLACEHOLDER_OCSP = base64.b64encode(b"OCPP Scope placeholder OCSPResponse").decode()


@dataclass(frozen=True, slots=True)
class _Context:
    action: str
    now: str
    heartbeat_interval: int


Answer = Callable[[dict[str, Any], _Context], dict[str, Any]]
Refusal = Callable[[dict[str, Any], _Context], dict[str, Any] | None]


def default_response(action: str, request: dict[str, Any], *, now: str | None = None,
                     heartbeat_interval: int = DEFAULT_HEARTBEAT_INTERVAL) -> dict[str, Any]:
    """The response a cooperative peer sends to `request`; valid against the schema.

    `now` is the peer's clock (default: the current UTC time); `heartbeat_interval` is what a
    CSMS tells a booting station and what a station reports for its HeartbeatInterval.
    Raises KeyError for an action that is not one of the 64.
    """
    context = _Context(action, now if now is not None else now_text(), heartbeat_interval)
    return DEFAULT_ANSWERS[action](as_dict(request), context)


def rejecting_response(action: str, request: dict[str, Any], *, now: str | None = None
                       ) -> dict[str, Any] | None:
    """A valid response that refuses the request, or None where the schema has no way to say no.

    Raises KeyError for an action that is not one of the 64.
    """
    answer = REFUSALS[action]
    if answer is None:
        return None
    context = _Context(action, now if now is not None else now_text(),
                       DEFAULT_HEARTBEAT_INTERVAL)
    return answer(as_dict(request), context)


# --- default answers ----------------------------------------------------------------------

def _minimal(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    return minimal_payload(context.action, PayloadKind.RESPONSE, now=context.now)


def _status(value: str) -> Answer:
    def answer(request: dict[str, Any], context: _Context) -> dict[str, Any]:
        return {"status": value}
    return answer


def _trigger(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    """Accepted for what the simulated station sends when triggered (it then sends it,
    `app.ocpp.station_followups`), NotImplemented for the rest."""
    asked = request.get("requestedMessage")
    return {"status": "Accepted" if isinstance(asked, str) and asked in TRIGGERABLE
            else "NotImplemented"}


def _boot(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    return {"currentTime": context.now, "interval": context.heartbeat_interval,
            "status": "Accepted"}


def _heartbeat(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    return {"currentTime": context.now}


def _authorize(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    out: dict[str, Any] = {"idTokenInfo": {"status": "Accepted"}}
    # certificateStatus answers the contract certificate an ISO 15118 vehicle presented;
    # without one there is nothing to answer.
    if "certificate" in request or "iso15118CertificateHashData" in request:
        out["certificateStatus"] = "Accepted"
    return out


def _transaction_event(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    # idTokenInfo is how the CSMS authorizes the token a transaction event carries.
    return {"idTokenInfo": {"status": "Accepted"}} if "idToken" in request else {}


def _transaction_status(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    out: dict[str, Any] = {"messagesInQueue": False}
    if "transactionId" in request:
        out["ongoingIndicator"] = True  # the transaction asked about is taken to be running
    return out


def _get_variables(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    model = device_model(context.now, context.heartbeat_interval)
    results = []
    for item in dicts(request.get("getVariableData")) or [{}]:
        status, value = look_up(model, item)
        result: dict[str, Any] = {"attributeStatus": status}
        if value is not None:
            result["attributeValue"] = value
        results.append({**result, **echo_attribute(item)})
    return {"getVariableResult": results}


def _set_variables(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    return {"setVariableResult": [{"attributeStatus": "Accepted", **echo_attribute(item)}
                                  for item in dicts(request.get("setVariableData")) or [{}]]}


_MONITOR_TYPES = ("UpperThreshold", "LowerThreshold", "Delta", "Periodic",
                  "PeriodicClockAligned")


def _monitoring_results(request: dict[str, Any], status: str) -> list[dict[str, Any]]:
    """One result per requested monitor, echoing it; new monitors get the next free id,
    as the station assigns them."""
    items = dicts(request.get("setMonitoringData")) or [{}]
    taken = {int_or(item.get("id"), -1) for item in items}
    next_id = max(taken | {0}) + 1
    results = []
    for item in items:
        result: dict[str, Any] = {"status": status}
        if status == "Accepted" or "id" in item:
            monitor_id = int_or(item.get("id"), -1)
            if monitor_id < 0:
                monitor_id, next_id = next_id, next_id + 1
            result["id"] = monitor_id
        result["type"] = one_of(item.get("type"), _MONITOR_TYPES, "UpperThreshold")
        result["severity"] = int_or(item.get("severity"), 0)
        result["component"] = named(item, "component")
        result["variable"] = named(item, "variable")
        results.append(result)
    return results


def _set_monitoring(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    return {"setMonitoringResult": _monitoring_results(request, "Accepted")}


def _clear_results(request: dict[str, Any], status: str) -> list[dict[str, Any]]:
    ids = request.get("id")
    ids = [i for i in ids if is_int(i)] if isinstance(ids, list) else []
    return [{"status": status, "id": monitor_id} for monitor_id in ids or [0]]


def _clear_monitoring(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    return {"clearMonitoringResult": _clear_results(request, "Accepted")}


def _composite_schedule(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    unit = one_of(request.get("chargingRateUnit"), ("W", "A"), "W")
    return {"status": "Accepted", "schedule": {
        "evseId": int_or(request.get("evseId"), 0),
        "duration": int_or(request.get("duration"), 0),
        "scheduleStart": context.now,
        "chargingRateUnit": unit,
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": _SCHEDULE_LIMITS[unit],
                                    "numberPhases": _SCHEDULE_PHASES}],
    }}


def _get_log(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    log_type = one_of(request.get("logType"), ("DiagnosticsLog", "SecurityLog"),
                       "DiagnosticsLog")
    stamp = "".join(ch for ch in context.now[:19] if ch.isalnum())
    return {"status": "Accepted", "filename": f"{log_type}_{stamp}Z.tar.gz"}


_CERTIFICATE_TYPES = ("V2GRootCertificate", "MORootCertificate", "CSMSRootCertificate",
                      "V2GCertificateChain", "ManufacturerRootCertificate")


def _installed_certificates(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    """One installed certificate of each type asked for (a CSMS root when none is named).

    The hashes are derived from the type, so that repeated answers agree with each other.
    """
    wanted = request.get("certificateType")
    types = [t for t in wanted if t in _CERTIFICATE_TYPES] if isinstance(wanted, list) else []
    chain = []
    for certificate_type in dict.fromkeys(types or ["CSMSRootCertificate"]):
        seed = f"OCPP Scope {certificate_type}".encode()
        chain.append({"certificateType": certificate_type, "certificateHashData": {
            "hashAlgorithm": "SHA256",
            "issuerNameHash": hashlib.sha256(seed + b" issuer name").hexdigest(),
            "issuerKeyHash": hashlib.sha256(seed + b" issuer key").hexdigest(),
            "serialNumber": hashlib.sha256(seed + b" serial").hexdigest()[:16],
        }})
    return {"status": "Accepted", "certificateHashDataChain": chain}


def _ev_certificate(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    return {"status": "Accepted", "exiResponse": _PLACEHOLDER_EXI}


def _certificate_status(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    return {"status": "Accepted", "ocspResult": _PLACEHOLDER_OCSP}


def _local_list_version(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    return {"versionNumber": 0}  # 0: no local list installed


_ACCEPTED = _status("Accepted")

DEFAULT_ANSWERS: dict[str, Answer] = {
    # Core
    "BootNotification": _boot,
    "Heartbeat": _heartbeat,
    "Authorize": _authorize,
    "TransactionEvent": _transaction_event,
    "StatusNotification": _minimal,
    "MeterValues": _minimal,
    "SecurityEventNotification": _minimal,
    "CostUpdated": _minimal,
    "GetTransactionStatus": _transaction_status,
    "ClearCache": _ACCEPTED,
    "DataTransfer": _ACCEPTED,
    # Remote Control
    "RequestStartTransaction": _ACCEPTED,
    "RequestStopTransaction": _ACCEPTED,
    "Reset": _ACCEPTED,
    "ChangeAvailability": _ACCEPTED,
    "TriggerMessage": _trigger,
    "UnlockConnector": _status("Unlocked"),
    # Configuration
    "GetVariables": _get_variables,
    "SetVariables": _set_variables,
    "GetBaseReport": _ACCEPTED,
    "NotifyReport": _minimal,
    "GetReport": _ACCEPTED,
    "SetNetworkProfile": _ACCEPTED,
    # Smart Charging
    "SetChargingProfile": _ACCEPTED,
    "ClearChargingProfile": _ACCEPTED,
    "GetChargingProfiles": _ACCEPTED,
    "GetCompositeSchedule": _composite_schedule,
    "NotifyChargingLimit": _minimal,
    "ClearedChargingLimit": _minimal,
    "NotifyEVChargingNeeds": _ACCEPTED,
    "NotifyEVChargingSchedule": _ACCEPTED,
    "ReportChargingProfiles": _minimal,
    # Firmware Management
    "UpdateFirmware": _ACCEPTED,
    "FirmwareStatusNotification": _minimal,
    "GetLog": _get_log,
    "LogStatusNotification": _minimal,
    "PublishFirmware": _ACCEPTED,
    "PublishFirmwareStatusNotification": _minimal,
    "UnpublishFirmware": _status("Unpublished"),
    # Monitoring
    "NotifyEvent": _minimal,
    "GetMonitoringReport": _ACCEPTED,
    "NotifyMonitoringReport": _minimal,
    "SetVariableMonitoring": _set_monitoring,
    "ClearVariableMonitoring": _clear_monitoring,
    "SetMonitoringBase": _ACCEPTED,
    "SetMonitoringLevel": _ACCEPTED,
    # Reservation
    "ReserveNow": _ACCEPTED,
    "CancelReservation": _ACCEPTED,
    "ReservationStatusUpdate": _minimal,
    # Certificate Management
    "SignCertificate": _ACCEPTED,
    "CertificateSigned": _ACCEPTED,
    "InstallCertificate": _ACCEPTED,
    "DeleteCertificate": _ACCEPTED,
    "GetInstalledCertificateIds": _installed_certificates,
    "GetCertificateStatus": _certificate_status,
    "Get15118EVCertificate": _ev_certificate,
    # Local Auth List
    "SendLocalList": _ACCEPTED,
    "GetLocalListVersion": _local_list_version,
    # Display Management
    "SetDisplayMessage": _ACCEPTED,
    "ClearDisplayMessage": _ACCEPTED,
    "GetDisplayMessages": _ACCEPTED,
    "NotifyDisplayMessages": _minimal,
    # Customer Information
    "CustomerInformation": _ACCEPTED,
    "NotifyCustomerInformation": _minimal,
}


# --- refusals -----------------------------------------------------------------------------

def _boot_rejected(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    # A rejected station must still learn the time and how long to wait before retrying.
    return {"currentTime": context.now, "interval": BOOT_RETRY_INTERVAL, "status": "Rejected"}


def _token_invalid(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    return {"idTokenInfo": {"status": "Invalid"}}


def _transaction_event_refused(request: dict[str, Any], context: _Context
                               ) -> dict[str, Any] | None:
    # Only the token can be refused; the event itself is a report the CSMS must take.
    return _token_invalid(request, context) if "idToken" in request else None


def _get_variables_rejected(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    return {"getVariableResult": [{"attributeStatus": "Rejected", **echo_attribute(item)}
                                  for item in dicts(request.get("getVariableData")) or [{}]]}


def _set_variables_rejected(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    return {"setVariableResult": [{"attributeStatus": "Rejected", **echo_attribute(item)}
                                  for item in dicts(request.get("setVariableData")) or [{}]]}


def _set_monitoring_rejected(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    return {"setMonitoringResult": _monitoring_results(request, "Rejected")}


def _clear_monitoring_rejected(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    return {"clearMonitoringResult": _clear_results(request, "Rejected")}


def _ev_certificate_failed(request: dict[str, Any], context: _Context) -> dict[str, Any]:
    return {"status": "Failed", "exiResponse": ""}  # exiResponse is required even then


_REJECTED = _status("Rejected")

# None: the response has no field that can say no; a peer that objects sends a CALLERROR.
REFUSALS: dict[str, Refusal | None] = {
    # Core
    "BootNotification": _boot_rejected,
    "Heartbeat": None,
    "Authorize": _token_invalid,
    "TransactionEvent": _transaction_event_refused,
    "StatusNotification": None,
    "MeterValues": None,
    "SecurityEventNotification": None,
    "CostUpdated": None,
    "GetTransactionStatus": None,
    "ClearCache": _REJECTED,
    "DataTransfer": _REJECTED,
    # Remote Control
    "RequestStartTransaction": _REJECTED,
    "RequestStopTransaction": _REJECTED,
    "Reset": _REJECTED,
    "ChangeAvailability": _REJECTED,
    "TriggerMessage": _REJECTED,
    "UnlockConnector": _status("UnlockFailed"),
    # Configuration
    "GetVariables": _get_variables_rejected,
    "SetVariables": _set_variables_rejected,
    "GetBaseReport": _REJECTED,
    "NotifyReport": None,
    "GetReport": _REJECTED,
    "SetNetworkProfile": _REJECTED,
    # Smart Charging
    "SetChargingProfile": _REJECTED,
    "ClearChargingProfile": _status("Unknown"),
    "GetChargingProfiles": _status("NoProfiles"),
    "GetCompositeSchedule": _REJECTED,
    "NotifyChargingLimit": None,
    "ClearedChargingLimit": None,
    "NotifyEVChargingNeeds": _REJECTED,
    "NotifyEVChargingSchedule": _REJECTED,
    "ReportChargingProfiles": None,
    # Firmware Management
    "UpdateFirmware": _REJECTED,
    "FirmwareStatusNotification": None,
    "GetLog": _REJECTED,
    "LogStatusNotification": None,
    "PublishFirmware": _REJECTED,
    "PublishFirmwareStatusNotification": None,
    "UnpublishFirmware": _status("NoFirmware"),
    # Monitoring
    "NotifyEvent": None,
    "GetMonitoringReport": _REJECTED,
    "NotifyMonitoringReport": None,
    "SetVariableMonitoring": _set_monitoring_rejected,
    "ClearVariableMonitoring": _clear_monitoring_rejected,
    "SetMonitoringBase": _REJECTED,
    "SetMonitoringLevel": _REJECTED,
    # Reservation
    "ReserveNow": _REJECTED,
    "CancelReservation": _REJECTED,
    "ReservationStatusUpdate": None,
    # Certificate Management
    "SignCertificate": _REJECTED,
    "CertificateSigned": _REJECTED,
    "InstallCertificate": _REJECTED,
    "DeleteCertificate": _status("Failed"),
    "GetInstalledCertificateIds": _status("NotFound"),
    "GetCertificateStatus": _status("Failed"),
    "Get15118EVCertificate": _ev_certificate_failed,
    # Local Auth List
    "SendLocalList": _status("Failed"),
    "GetLocalListVersion": None,
    # Display Management
    "SetDisplayMessage": _REJECTED,
    "ClearDisplayMessage": _status("Unknown"),
    "GetDisplayMessages": _status("Unknown"),
    "NotifyDisplayMessages": None,
    # Customer Information
    "CustomerInformation": _REJECTED,
    "NotifyCustomerInformation": None,
}
