"""The key facts of an OCPP payload in one short line, as Wireshark's Info column gives them.

A field engineer scanning a timeline wants to see *what happened* without opening each frame:
`Started · TX-0001 · evse 1`, `status=Rejected (NoProfile)`, `interval=300`. Each action has
a summariser for its request and its response; actions without one get a sensible default
(`status=…` when the payload has a status, else its first plain fields).

Payloads here come from peers and are often wrong (that is why OCPP Scope exists), so every
summariser reads through `_at` and `_text`, which accept any JSON value and never raise:
a field of the wrong type simply contributes nothing. `payload_facts` itself does not guard
against a summariser's bug; its caller (`app.session.info`) does, and the fuzz tests prove
that the summarisers need no guard.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.ocpp.schemas import PayloadKind

SEP = " · "
MAX_ITEMS = 3          # list entries named before "+N more"
MAX_VALUE = 40         # characters of one value before it is cut

Summariser = Callable[[dict[str, Any]], str]


def payload_facts(action: str | None, kind: PayloadKind, payload: Any) -> str:
    """The facts of `payload` (the request or response of `action`); "" for none.

    `action` may be None (an answer whose CALL was not seen) or unknown: the default
    summariser still says what it can."""
    if not isinstance(payload, dict):
        return ""
    table = REQUESTS if kind is PayloadKind.REQUEST else RESPONSES
    summarise = table.get(action or "")
    if summarise is None:
        summarise = _default_request if kind is PayloadKind.REQUEST else _default_response
    return summarise(payload)


# --- reading peer data safely ----------------------------------------------------------------

def _at(value: Any, *path: str | int) -> Any:
    """The value at `path` inside dicts and lists, or None when any step is missing or of
    another type."""
    for step in path:
        if isinstance(step, str) and isinstance(value, dict):
            value = value.get(step)
        elif isinstance(step, int) and isinstance(value, list) and -len(value) <= step < len(
                value):
            value = value[step]
        else:
            return None
    return value


def _text(value: Any, limit: int = MAX_VALUE) -> str:
    """A scalar as a reader wants it: strings cleaned of control characters and lone
    surrogates (which Qt cannot show) and cut to `limit`; numbers without a needless
    `.0`; booleans as JSON writes them. Objects, lists and null give ""."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = _number(value)
    elif isinstance(value, str):
        text = clean(value)
    else:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: float) -> str:
    """`1523870.5`, `0.12`, `10980`: up to three decimals, an exponent only for the very
    large or small."""
    size = abs(value)
    if size != size or size == float("inf"):  # NaN or infinity
        return str(value)
    if size >= 1e15 or 0 < size < 1e-3:
        return f"{value:.3g}"
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


def clean(text: str) -> str:
    """`text` with control characters as spaces and lone surrogates as U+FFFD."""
    if text.isprintable():
        return text
    return "".join(" " if ord(c) < 32 or c in "\x7f\u2028\u2029"
                   else "\ufffd" if 0xD800 <= ord(c) <= 0xDFFF
                   else c for c in text)


def _kv(name: str, value: Any) -> str:
    text = _text(value)
    return f"{name}={text}" if text else ""


def _join(*parts: str) -> str:
    return SEP.join(part for part in parts if part)


def _items(values: Any, describe: Callable[[Any], str], limit: int = MAX_ITEMS) -> str:
    """Up to `limit` entries of a list described one by one, then "+N more"."""
    if not isinstance(values, list):
        return ""
    shown = [text for text in (describe(v) for v in values[:limit]) if text]
    if len(values) > limit:
        shown.append(f"+{len(values) - limit} more")
    return ", ".join(shown)


def _count(values: Any, one: str, many: str) -> str:
    if not isinstance(values, list):
        return ""
    return f"{len(values)} {many}" if len(values) != 1 else f"1 {one}"


def _flag(value: Any, word: str) -> str:
    return word if value is True else ""


# --- shared pieces -----------------------------------------------------------------------------

def _status(payload: dict[str, Any]) -> str:
    """`status=Rejected (NoProfile)`: the status and, when sent, the reason code of its
    statusInfo (2.0.1 has it; many rejections are only explained there)."""
    status = _text(payload.get("status"))
    if not status:
        return ""
    reason = _text(_at(payload, "statusInfo", "reasonCode"))
    return f"status={status}" + (f" ({reason})" if reason else "")


def _token(token: Any) -> str:
    """`idToken 04A2B3C4 (ISO14443)`."""
    if not isinstance(token, dict):
        return ""
    value, kind = _text(token.get("idToken")), _text(token.get("type"))
    if not value and not kind:
        return ""
    return f"idToken {value or '“”'}" + (f" ({kind})" if kind else "")


def _evse(evse_id: Any, connector_id: Any = None) -> str:
    evse, connector = _text(evse_id), _text(connector_id)
    if not evse:
        return ""
    return f"evse {evse}" + (f"/{connector}" if connector else "")


def _evse_object(evse: Any) -> str:
    return _evse(_at(evse, "id"), _at(evse, "connectorId"))


def _variable(item: Any) -> str:
    """`OCPPCommCtrlr.HeartbeatInterval` (with `[instance]` when named)."""
    component, variable = _text(_at(item, "component", "name")), _text(
        _at(item, "variable", "name"))
    name = ".".join(p for p in (component, variable) if p)
    instance = _text(_at(item, "variable", "instance"))
    return name + (f"[{instance}]" if instance else "")


def _tx(payload: dict[str, Any]) -> str:
    return _text(payload.get("transactionId"))


_UNITS = {"Percent": "%", "Celsius": "°C", "Fahrenheit": "°F"}


def _sample(sample: Any) -> str:
    """One sampled value: `10980 W`, `230 V L1`, `SoC 80 %`, `1523.87 kWh`. Without a unit,
    the value of an energy register (the default measurand) is in Wh, as the spec says; any
    other measurand is named instead."""
    value = _at(sample, "value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return ""
    measurand = _text(_at(sample, "measurand"))
    given = _text(_at(sample, "unitOfMeasure", "unit"))
    unit = given or ("Wh" if not measurand or measurand.startswith("Energy.") else "")
    if abs(value) < 1e300:  # beyond that, show the number as sent: scaling it overflows
        multiplier = _at(sample, "unitOfMeasure", "multiplier")
        if isinstance(multiplier, int) and not isinstance(multiplier, bool) and \
                -9 <= multiplier <= 9 and multiplier:
            value = value * 10**multiplier
        if unit == "Wh" and abs(value) >= 10_000:  # a register reads better in kWh
            value, unit = value / 1000, "kWh"
    text = f"{_text(value)} {_UNITS.get(unit, unit)}".strip()
    if measurand in ("SoC", "Temperature", "Frequency", "RPM", "Power.Factor") or (
            not given and measurand and not measurand.startswith("Energy.")):
        text = f"{measurand} {text}"
    phase = _text(_at(sample, "phase"))
    return f"{text} {phase}" if phase else text


def _meter(meter_values: Any) -> str:
    """The samples of the newest meter value (the last one sent)."""
    return _items(_at(meter_values, -1, "sampledValue"), _sample, limit=4)


def _profile(profile: Any) -> str:
    """`#7 TxProfile Absolute · 11000 W`: a charging profile by its id, purpose and kind,
    and the first limit of its first schedule."""
    if not isinstance(profile, dict):
        return ""
    head = " ".join(p for p in (
        f"#{_text(profile.get('id'))}" if _text(profile.get("id")) else "",
        _text(profile.get("chargingProfilePurpose")),
        _text(profile.get("chargingProfileKind"))) if p)
    schedule = _at(profile, "chargingSchedule", 0)
    limit = _text(_at(schedule, "chargingSchedulePeriod", 0, "limit"))
    unit = _text(_at(schedule, "chargingRateUnit"))
    stack = _text(profile.get("stackLevel"))
    return _join(head, f"stack {stack}" if stack else "",
                 f"{limit} {unit}".strip() if limit else "")


def _results(values: Any, status_key: str) -> str:
    """`3 Accepted, 1 Rejected`: how many entries of a result list got each status."""
    if not isinstance(values, list):
        return ""
    counts: dict[str, int] = {}
    for value in values:
        status = _text(_at(value, status_key)) or "?"
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in counts.items())


# --- defaults ----------------------------------------------------------------------------------

def _plain_fields(payload: dict[str, Any]) -> str:
    """The first plain fields (`requestId=3`) and the sizes of lists (`4 reportData`)."""
    parts: list[str] = []
    for key, value in payload.items():
        if len(parts) == MAX_ITEMS:
            break
        if isinstance(value, list):
            parts.append(f"{len(value)} {_text(key, 24)}")
        elif key != "customData" and _text(value):
            parts.append(_kv(_text(key, 24), value))
    return _join(*parts)


def _default_request(payload: dict[str, Any]) -> str:
    return _plain_fields(payload)


def _default_response(payload: dict[str, Any]) -> str:
    return _status(payload) if "status" in payload else _plain_fields(payload)


def _with_status(*extra: Summariser) -> Summariser:
    """A response summariser: its status, then what `extra` says."""
    return lambda p: _join(_status(p), *(describe(p) for describe in extra))


# --- requests ----------------------------------------------------------------------------------

def _boot(p: dict[str, Any]) -> str:
    station = _at(p, "chargingStation")
    name = " ".join(t for t in (_text(_at(station, "vendorName")),
                                _text(_at(station, "model"))) if t)
    firmware = _text(_at(station, "firmwareVersion"))
    return _join(_text(p.get("reason")), name, f"fw {firmware}" if firmware else "")


def _transaction_event(p: dict[str, Any]) -> str:
    info = p.get("transactionInfo")
    return _join(_text(p.get("eventType")), _text(_at(info, "transactionId")),
                 _evse_object(p.get("evse")), _text(p.get("triggerReason")),
                 _text(_at(info, "chargingState")), _text(_at(info, "stoppedReason")),
                 _flag(p.get("offline"), "offline"), _meter(p.get("meterValue")))


def _event(event: Any) -> str:
    """`Connector.AvailabilityState=Faulted (GroundFailure)`."""
    name, value = _variable(event), _text(_at(event, "actualValue"))
    code = _text(_at(event, "techCode"))
    text = f"{name}={value}" if name else value
    return text + (f" ({code})" if code else "")


def _notify_event(p: dict[str, Any]) -> str:
    return _join(_items(p.get("eventData"), _event), _flag(p.get("tbc"), "more to come"))


def _set_variable(item: Any) -> str:
    name, value = _variable(item), _text(_at(item, "attributeValue"))
    return f"{name}={value}" if name else value


def _get_variable_result(item: Any) -> str:
    name, status = _variable(item), _text(_at(item, "attributeStatus"))
    if status == "Accepted":
        return f"{name}={_text(_at(item, 'attributeValue'))}"
    return f"{name}: {status}" if name else status


def _set_variable_result(item: Any) -> str:
    name, status = _variable(item), _text(_at(item, "attributeStatus"))
    return f"{name}: {status}" if name else status


def _report_part(p: dict[str, Any], items: str, one: str, many: str) -> str:
    """A part of a report split over messages: `requestId=5 · seqNo=2 · 12 variables · more
    to come`."""
    return _join(_kv("requestId", p.get("requestId")), _kv("seqNo", p.get("seqNo")),
                 _count(p.get(items), one, many), _flag(p.get("tbc"), "more to come"))


def _pem_size(chain: Any) -> str:
    if not isinstance(chain, str):
        return ""
    count = chain.count("BEGIN CERTIFICATE")
    return f"{count} certificate{'' if count == 1 else 's'}"


def _display_message(message: Any) -> str:
    return _join(f"message {_text(_at(message, 'id'))}" if _text(_at(message, "id")) else "",
                 _text(_at(message, "priority")),
                 f"“{_text(_at(message, 'message', 'content'))}”"
                 if _text(_at(message, "message", "content")) else "")


REQUESTS: dict[str, Summariser] = {
    "Authorize": lambda p: _token(p.get("idToken")),
    "BootNotification": _boot,
    "CancelReservation": lambda p: _kv("reservationId", p.get("reservationId")),
    "CertificateSigned": lambda p: _join(_text(p.get("certificateType")),
                                         _pem_size(p.get("certificateChain"))),
    "ChangeAvailability": lambda p: _join(_text(p.get("operationalStatus")),
                                          _evse_object(p.get("evse"))),
    "ClearCache": lambda p: "",
    "ClearChargingProfile": lambda p: _join(
        _kv("chargingProfileId", p.get("chargingProfileId")),
        _text(_at(p, "chargingProfileCriteria", "chargingProfilePurpose")),
        _evse(_at(p, "chargingProfileCriteria", "evseId"))),
    "ClearDisplayMessage": lambda p: _kv("id", p.get("id")),
    "ClearVariableMonitoring": lambda p: _join(_items(p.get("id"), lambda i: _kv("id", i))),
    "ClearedChargingLimit": lambda p: _join(_text(p.get("chargingLimitSource")),
                                            _evse(p.get("evseId"))),
    "CostUpdated": lambda p: _join(_kv("totalCost", p.get("totalCost")), _tx(p)),
    "CustomerInformation": lambda p: _join(
        _kv("requestId", p.get("requestId")), _flag(p.get("report"), "report"),
        _flag(p.get("clear"), "clear"), _text(p.get("customerIdentifier")),
        _token(p.get("idToken"))),
    "DataTransfer": lambda p: _join(_kv("vendorId", p.get("vendorId")),
                                    _kv("messageId", p.get("messageId"))),
    "DeleteCertificate": lambda p: _kv(
        "serialNumber", _at(p, "certificateHashData", "serialNumber")),
    "FirmwareStatusNotification": lambda p: _join(_text(p.get("status")),
                                                  _kv("requestId", p.get("requestId"))),
    "Get15118EVCertificate": lambda p: _join(_text(p.get("action")),
                                             _text(p.get("iso15118SchemaVersion"))),
    "GetBaseReport": lambda p: _join(_text(p.get("reportBase")),
                                     _kv("requestId", p.get("requestId"))),
    "GetCertificateStatus": lambda p: _kv(
        "serialNumber", _at(p, "ocspRequestData", "serialNumber")),
    "GetChargingProfiles": lambda p: _join(
        _kv("requestId", p.get("requestId")), _evse(p.get("evseId")),
        _text(_at(p, "chargingProfile", "chargingProfilePurpose"))),
    "GetCompositeSchedule": lambda p: _join(
        _evse(p.get("evseId")), f"{_text(p.get('duration'))} s" if _text(p.get("duration"))
        else "", _text(p.get("chargingRateUnit"))),
    "GetDisplayMessages": lambda p: _join(_kv("requestId", p.get("requestId")),
                                          _text(p.get("priority")), _text(p.get("state"))),
    "GetInstalledCertificateIds": lambda p: _items(p.get("certificateType"), _text),
    "GetLocalListVersion": lambda p: "",
    "GetLog": lambda p: _join(_text(p.get("logType")), _kv("requestId", p.get("requestId")),
                              _text(_at(p, "log", "remoteLocation"))),
    "GetMonitoringReport": lambda p: _join(_kv("requestId", p.get("requestId")),
                                           _items(p.get("monitoringCriteria"), _text)),
    "GetReport": lambda p: _join(_kv("requestId", p.get("requestId")),
                                 _items(p.get("componentCriteria"), _text),
                                 _items(p.get("componentVariable"), _variable)),
    "GetTransactionStatus": _tx,
    "GetVariables": lambda p: _items(p.get("getVariableData"), _variable),
    "Heartbeat": lambda p: "",
    "InstallCertificate": lambda p: _text(p.get("certificateType")),
    "LogStatusNotification": lambda p: _join(_text(p.get("status")),
                                             _kv("requestId", p.get("requestId"))),
    "MeterValues": lambda p: _join(_evse(p.get("evseId")), _meter(p.get("meterValue"))),
    "NotifyChargingLimit": lambda p: _join(
        _text(_at(p, "chargingLimit", "chargingLimitSource")), _evse(p.get("evseId")),
        _flag(_at(p, "chargingLimit", "isGridCritical"), "grid critical")),
    "NotifyCustomerInformation": lambda p: _join(
        _kv("requestId", p.get("requestId")), _kv("seqNo", p.get("seqNo")),
        _flag(p.get("tbc"), "more to come"), f"“{_text(p.get('data'))}”"
        if _text(p.get("data")) else ""),
    "NotifyDisplayMessages": lambda p: _report_part(p, "messageInfo", "message", "messages"),
    "NotifyEVChargingNeeds": lambda p: _join(
        _evse(p.get("evseId")), _text(_at(p, "chargingNeeds", "requestedEnergyTransfer")),
        _kv("departure", _at(p, "chargingNeeds", "departureTime"))),
    "NotifyEVChargingSchedule": lambda p: _join(
        _evse(p.get("evseId")), _kv("timeBase", p.get("timeBase")),
        _profile({"chargingSchedule": [p.get("chargingSchedule")]})),
    "NotifyEvent": _notify_event,
    "NotifyMonitoringReport": lambda p: _report_part(p, "monitor", "monitor", "monitors"),
    "NotifyReport": lambda p: _report_part(p, "reportData", "variable", "variables"),
    "PublishFirmware": lambda p: _join(_kv("requestId", p.get("requestId")),
                                       _text(p.get("location"))),
    "PublishFirmwareStatusNotification": lambda p: _join(
        _text(p.get("status")), _kv("requestId", p.get("requestId"))),
    "ReportChargingProfiles": lambda p: _join(
        _kv("requestId", p.get("requestId")), _text(p.get("chargingLimitSource")),
        _evse(p.get("evseId")), _items(p.get("chargingProfile"), _profile, limit=1),
        _flag(p.get("tbc"), "more to come")),
    "RequestStartTransaction": lambda p: _join(
        _token(p.get("idToken")), _evse(p.get("evseId")),
        _kv("remoteStartId", p.get("remoteStartId")),
        _profile(p.get("chargingProfile"))),
    "RequestStopTransaction": _tx,
    "ReservationStatusUpdate": lambda p: _join(_text(p.get("reservationUpdateStatus")),
                                               _kv("reservationId", p.get("reservationId"))),
    "ReserveNow": lambda p: _join(_kv("id", p.get("id")), _token(p.get("idToken")),
                                  _evse(p.get("evseId")),
                                  _kv("until", p.get("expiryDateTime"))),
    "Reset": lambda p: _join(_text(p.get("type")), _evse(p.get("evseId"))),
    "SecurityEventNotification": lambda p: _join(_text(p.get("type")),
                                                 _text(p.get("techInfo"))),
    "SendLocalList": lambda p: _join(_kv("version", p.get("versionNumber")),
                                     _text(p.get("updateType")),
                                     _count(p.get("localAuthorizationList"), "entry", "entries")),
    "SetChargingProfile": lambda p: _join(_evse(p.get("evseId")),
                                          _profile(p.get("chargingProfile")),
                                          _text(_at(p, "chargingProfile", "transactionId"))),
    "SetDisplayMessage": lambda p: _display_message(p.get("message")),
    "SetMonitoringBase": lambda p: _text(p.get("monitoringBase")),
    "SetMonitoringLevel": lambda p: _kv("severity", p.get("severity")),
    "SetNetworkProfile": lambda p: _join(
        _kv("slot", p.get("configurationSlot")),
        _text(_at(p, "connectionData", "ocppCsmsUrl"), 60),
        _text(_at(p, "connectionData", "ocppInterface"))),
    "SetVariableMonitoring": lambda p: _items(
        p.get("setMonitoringData"), lambda m: _join(_variable(m), _text(_at(m, "type")))),
    "SetVariables": lambda p: _items(p.get("setVariableData"), _set_variable),
    "SignCertificate": lambda p: _text(p.get("certificateType")),
    "StatusNotification": lambda p: _join(_text(p.get("connectorStatus")),
                                          _evse(p.get("evseId"), p.get("connectorId"))),
    "TransactionEvent": _transaction_event,
    "TriggerMessage": lambda p: _join(_text(p.get("requestedMessage")),
                                      _evse_object(p.get("evse"))),
    "UnlockConnector": lambda p: _evse(p.get("evseId"), p.get("connectorId")),
    "UnpublishFirmware": lambda p: _kv("checksum", p.get("checksum")),
    "UpdateFirmware": lambda p: _join(_kv("requestId", p.get("requestId")),
                                      _text(_at(p, "firmware", "location"), 60)),
}


# --- responses ---------------------------------------------------------------------------------

def _id_token_info(p: dict[str, Any]) -> str:
    """Authorize and TransactionEvent answers: the token's status is the news."""
    return _kv("status", _at(p, "idTokenInfo", "status"))


RESPONSES: dict[str, Summariser] = {
    "Authorize": lambda p: _join(_id_token_info(p),
                                 _kv("certificateStatus", p.get("certificateStatus"))),
    "BootNotification": _with_status(lambda p: _kv("interval", p.get("interval"))),
    "ClearVariableMonitoring": lambda p: _results(p.get("clearMonitoringResult"), "status"),
    "DataTransfer": _with_status(lambda p: _text(p.get("data"))),
    "GetCompositeSchedule": _with_status(
        lambda p: _profile({"chargingSchedule": [p.get("schedule")]})),
    "GetLocalListVersion": lambda p: _kv("versionNumber", p.get("versionNumber")),
    "GetLog": _with_status(lambda p: _text(p.get("filename"))),
    "GetTransactionStatus": lambda p: _join(_kv("ongoing", p.get("ongoingIndicator")),
                                            _kv("messagesInQueue", p.get("messagesInQueue"))),
    "GetVariables": lambda p: _items(p.get("getVariableResult"), _get_variable_result),
    "Heartbeat": lambda p: _kv("currentTime", p.get("currentTime")),
    "RequestStartTransaction": _with_status(lambda p: _tx(p)),
    "SetVariableMonitoring": lambda p: _results(p.get("setMonitoringResult"), "status"),
    "SetVariables": lambda p: _items(p.get("setVariableResult"), _set_variable_result),
    "TransactionEvent": lambda p: _join(
        _id_token_info(p), _kv("totalCost", p.get("totalCost")),
        _kv("chargingPriority", p.get("chargingPriority")),
        f"“{_text(_at(p, 'updatedPersonalMessage', 'content'))}”"
        if _text(_at(p, "updatedPersonalMessage", "content")) else ""),
}
