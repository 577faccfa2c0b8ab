"""The device model of the simulated station: which variables it has, and their values.

Kept apart from the answers (`app.ocpp.responses`) because it is data, not protocol: a user
who wonders why the simulated station says "UnknownVariable", or who wants it to report
another setting, looks here; the answers only look values up.
"""

from __future__ import annotations

from typing import Any

from app.ocpp.request_fields import name_of

# The Actual values a small AC station reports. One value per variable: instances (such as
# ItemsPerMessage/GetVariables) share it, which is all a debugging peer needs. The values
# left empty follow the peer's own settings (`device_model` fills them in).
DEVICE_MODEL: dict[str, dict[str, str]] = {
    "ChargingStation": {
        "AvailabilityState": "Available", "Available": "true", "Model": "SimStation AC22",
        "VendorName": "OCPP Scope", "SupplyPhases": "3",
    },
    "EVSE": {"AvailabilityState": "Available", "Available": "true", "SupplyPhases": "3"},
    "Connector": {"AvailabilityState": "Available", "ConnectorType": "cType2"},
    "OCPPCommCtrlr": {
        "HeartbeatInterval": "", "MessageTimeout": "30",
        "NetworkConfigurationPriority": "0", "OfflineThreshold": "300",
    },
    "SecurityCtrlr": {"SecurityProfile": "1", "OrganizationName": "OCPP Scope"},
    "DeviceDataCtrlr": {"ItemsPerMessage": "100", "BytesPerMessage": "65536"},
    "TxCtrlr": {
        "EVConnectionTimeOut": "60", "TxStartPoint": "PowerPathClosed",
        "TxStopPoint": "EVConnected,Authorized", "StopTxOnEVSideDisconnect": "true",
    },
    "SampledDataCtrlr": {
        "TxUpdatedInterval": "60", "TxUpdatedMeasurands": "Energy.Active.Import.Register",
        "TxEndedMeasurands": "Energy.Active.Import.Register",
    },
    "AuthCtrlr": {"AuthorizeRemoteStart": "true", "LocalAuthorizeOffline": "true"},
    "ClockCtrlr": {"DateTime": "", "TimeSource": "Heartbeat"},
}


def device_model(now: str, heartbeat_interval: int) -> dict[str, dict[str, str]]:
    """The table keyed by lower-case names (names are case-insensitive in OCPP), with the
    values that follow the peer's own settings filled in: its clock and heartbeat interval."""
    model = {component.lower(): {name.lower(): value for name, value in variables.items()}
             for component, variables in DEVICE_MODEL.items()}
    model["ocppcommctrlr"]["heartbeatinterval"] = str(heartbeat_interval)
    model["clockctrlr"]["datetime"] = now
    return model


def look_up(model: dict[str, dict[str, str]], item: dict[str, Any]) -> tuple[str, str | None]:
    """The attributeStatus for one requested variable (a GetVariableData entry), and its
    value when there is one."""
    variables = model.get(name_of(item, "component").lower())
    if variables is None:
        return "UnknownComponent", None
    value = variables.get(name_of(item, "variable").lower())
    if value is None:
        return "UnknownVariable", None
    if item.get("attributeType", "Actual") != "Actual":
        return "NotSupportedAttributeType", None  # the table holds Actual values only
    return "Accepted", value
