"""Recognising OCPP 1.6 payloads sent on a 2.0.1 connection.

Stations that fall back to 1.6 habits send payloads whose action name exists in both versions
(BootNotification, Authorize...) but whose fields are 1.6's. Each rule below names fields
that only a 1.6 payload has; when a payload fails its 2.0.1 schema and matches, the first
finding says so, which is the fastest diagnosis a field engineer can get.
"""

from __future__ import annotations

from typing import Any

from app.ocpp.schemas import PayloadKind

# (action, kind) -> (fields that must all be present, fields that must all be absent)
_SIGNATURES: dict[tuple[str, PayloadKind], tuple[frozenset[str], frozenset[str]]] = {
    ("BootNotification", PayloadKind.REQUEST): (
        frozenset({"chargePointVendor", "chargePointModel"}), frozenset()),
    ("Authorize", PayloadKind.REQUEST): (frozenset({"idTag"}), frozenset({"idToken"})),
    ("Authorize", PayloadKind.RESPONSE): (frozenset({"idTagInfo"}), frozenset()),
    ("StatusNotification", PayloadKind.REQUEST): (
        frozenset({"connectorId", "errorCode", "status"}), frozenset()),
    ("MeterValues", PayloadKind.REQUEST): (frozenset({"connectorId"}), frozenset({"evseId"})),
    ("ChangeAvailability", PayloadKind.REQUEST): (
        frozenset({"connectorId", "type"}), frozenset()),
    ("TriggerMessage", PayloadKind.REQUEST): (frozenset({"connectorId"}), frozenset()),
    ("UnlockConnector", PayloadKind.REQUEST): (frozenset({"connectorId"}),
                                               frozenset({"evseId"})),
    ("SetChargingProfile", PayloadKind.REQUEST): (
        frozenset({"connectorId", "csChargingProfiles"}), frozenset()),
    ("GetCompositeSchedule", PayloadKind.REQUEST): (
        frozenset({"connectorId", "duration"}), frozenset({"evseId"})),
    ("ReserveNow", PayloadKind.REQUEST): (frozenset({"connectorId", "expiryDate", "idTag"}),
                                          frozenset()),
    ("SendLocalList", PayloadKind.REQUEST): (frozenset({"listVersion"}), frozenset()),
}
_RESET_16 = frozenset({"Hard", "Soft"})


def ocpp16_hint(action: str, kind: PayloadKind, payload: Any) -> str | None:
    """A sentence when `payload` looks like the OCPP 1.6 form of `action`, else None."""
    if not isinstance(payload, dict):
        return None
    reset_type = payload.get("type")
    if action == "Reset" and kind is PayloadKind.REQUEST and isinstance(reset_type, str) \
            and reset_type in _RESET_16:
        return "'Hard'/'Soft' are OCPP 1.6 reset types: this looks like a 1.6 Reset"
    signature = _SIGNATURES.get((action, kind))
    if signature is None:
        return None
    present, absent = signature
    if present <= payload.keys() and not (absent & payload.keys()):
        fields = ", ".join(sorted(present))
        return (f"this looks like an OCPP 1.6 {action} {kind.value} ({fields}): the peer "
                "speaks 1.6 on a 2.0.1 connection")
    return None
