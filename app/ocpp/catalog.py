"""The 64 OCPP 2.0.1 actions: who sends each one, and how users group them.

Facts from the specification live here as plain tables; the prose and examples of each
action (the message reference) live in `reference/<Action>.json` and are read by
`app.ocpp.reference`, so that this module stays cheap to import on every code path.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Sender(StrEnum):
    """Which side sends the *request* of an action."""

    STATION = "station"
    CSMS = "csms"
    BOTH = "both"

    @property
    def label(self) -> str:
        return {"station": "Charging Station → CSMS", "csms": "CSMS → Charging Station",
                "both": "either side"}[self.value]


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    category: str
    sender: Sender

    def sent_by(self, side: Sender) -> bool:
        """Whether `side` (the station or the CSMS) may send this action's request."""
        return self.sender is Sender.BOTH or self.sender is side


_S, _C, _B = Sender.STATION, Sender.CSMS, Sender.BOTH

# Category order is the order a reference lists them in.
_TABLE: dict[str, list[tuple[str, Sender]]] = {
    "Core": [
        ("BootNotification", _S), ("Heartbeat", _S), ("Authorize", _S),
        ("TransactionEvent", _S), ("StatusNotification", _S), ("MeterValues", _S),
        ("SecurityEventNotification", _S), ("CostUpdated", _C), ("GetTransactionStatus", _C),
        ("ClearCache", _C), ("DataTransfer", _B),
    ],
    "Remote Control": [
        ("RequestStartTransaction", _C), ("RequestStopTransaction", _C), ("Reset", _C),
        ("ChangeAvailability", _C), ("TriggerMessage", _C), ("UnlockConnector", _C),
    ],
    "Configuration": [
        ("GetVariables", _C), ("SetVariables", _C), ("GetBaseReport", _C),
        ("NotifyReport", _S), ("GetReport", _C), ("SetNetworkProfile", _C),
    ],
    "Smart Charging": [
        ("SetChargingProfile", _C), ("ClearChargingProfile", _C), ("GetChargingProfiles", _C),
        ("GetCompositeSchedule", _C), ("NotifyChargingLimit", _S), ("ClearedChargingLimit", _S),
        ("NotifyEVChargingNeeds", _S), ("NotifyEVChargingSchedule", _S),
        ("ReportChargingProfiles", _S),
    ],
    "Firmware Management": [
        ("UpdateFirmware", _C), ("FirmwareStatusNotification", _S), ("GetLog", _C),
        ("LogStatusNotification", _S), ("PublishFirmware", _C),
        ("PublishFirmwareStatusNotification", _S), ("UnpublishFirmware", _C),
    ],
    "Monitoring": [
        ("NotifyEvent", _S), ("GetMonitoringReport", _C), ("NotifyMonitoringReport", _S),
        ("SetVariableMonitoring", _C), ("ClearVariableMonitoring", _C),
        ("SetMonitoringBase", _C), ("SetMonitoringLevel", _C),
    ],
    "Reservation": [
        ("ReserveNow", _C), ("CancelReservation", _C), ("ReservationStatusUpdate", _S),
    ],
    "Certificate Management": [
        ("SignCertificate", _S), ("CertificateSigned", _C), ("InstallCertificate", _C),
        ("DeleteCertificate", _C), ("GetInstalledCertificateIds", _C),
        ("GetCertificateStatus", _S), ("Get15118EVCertificate", _S),
    ],
    "Local Auth List": [("SendLocalList", _C), ("GetLocalListVersion", _C)],
    "Display Management": [
        ("SetDisplayMessage", _C), ("ClearDisplayMessage", _C), ("GetDisplayMessages", _C),
        ("NotifyDisplayMessages", _S),
    ],
    "Customer Information": [("CustomerInformation", _C), ("NotifyCustomerInformation", _S)],
}

CATEGORIES: tuple[str, ...] = tuple(_TABLE)

ACTIONS: dict[str, Action] = {
    name: Action(name, category, sender)
    for category, rows in _TABLE.items()
    for name, sender in rows
}

# OCPP 1.6 actions that do not exist in 2.0.1, with their 2.0.1 successor. Stations that
# fall back to 1.6 habits on a 2.0.1 connection send these; naming the successor is the
# fastest diagnosis.
OCPP16_SUCCESSORS: dict[str, str] = {
    "StartTransaction": "TransactionEvent (eventType Started)",
    "StopTransaction": "TransactionEvent (eventType Ended)",
    "GetConfiguration": "GetVariables",
    "ChangeConfiguration": "SetVariables",
    "RemoteStartTransaction": "RequestStartTransaction",
    "RemoteStopTransaction": "RequestStopTransaction",
    "DiagnosticsStatusNotification": "LogStatusNotification",
    "GetDiagnostics": "GetLog",
    "SignedUpdateFirmware": "UpdateFirmware",
    "SignedFirmwareStatusNotification": "FirmwareStatusNotification",
    "ExtendedTriggerMessage": "TriggerMessage",
}

# The CALLERROR codes of OCPP-J 2.0.1 (part 4). "FormationViolation" is the 1.6 spelling.
ERROR_CODES: tuple[str, ...] = (
    "FormatViolation", "GenericError", "InternalError", "MessageTypeNotSupported",
    "NotImplemented", "NotSupported", "OccurrenceConstraintViolation",
    "PropertyConstraintViolation", "ProtocolError", "RpcFrameworkError", "SecurityError",
    "TypeConstraintViolation",
)


def actions_in(category: str) -> list[Action]:
    return [a for a in ACTIONS.values() if a.category == category]


def closest_action(name: str) -> str | None:
    """The 2.0.1 action a misspelt or mis-cased name most probably meant, if any."""
    import difflib

    lowered = {a.lower(): a for a in ACTIONS}
    if name.lower() in lowered:
        return lowered[name.lower()]
    matches = difflib.get_close_matches(name, list(ACTIONS), n=1, cutoff=0.8)
    return matches[0] if matches else None
