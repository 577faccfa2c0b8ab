"""OCPP-J frames: parse the text of one WebSocket message, serialize one back.

`parse_frame` never raises. A frame that can still be understood (a CALL with an unknown
action, a CALLERROR with a code outside the list) comes back *with* findings; one that
cannot (not JSON, not an array, wrong length) comes back as `frame=None` with the reason.
The raw text stays the source of truth everywhere else: this is only a view of it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from app.ocpp import catalog, fast_json
from app.ocpp.findings import Finding, error, kind_of, shorten, warning
from app.ocpp.slots import fast_constructor

MAX_MESSAGE_ID = 36


class MessageType(IntEnum):
    CALL = 2
    CALLRESULT = 3
    CALLERROR = 4

    @property
    def label(self) -> str:
        return {2: "CALL", 3: "RESULT", 4: "ERROR"}[self.value]


@dataclass(frozen=True, slots=True)
class Call:
    message_id: str
    action: str
    payload: Any
    message_type: MessageType = field(default=MessageType.CALL, init=False)


@dataclass(frozen=True, slots=True)
class CallResult:
    message_id: str
    payload: Any
    message_type: MessageType = field(default=MessageType.CALLRESULT, init=False)


@dataclass(frozen=True, slots=True)
class CallError:
    message_id: str
    error_code: str
    error_description: str
    error_details: Any
    message_type: MessageType = field(default=MessageType.CALLERROR, init=False)


Frame = Call | CallResult | CallError

_LENGTHS = {
    MessageType.CALL: (4, "[2, messageId, action, payload]"),
    MessageType.CALLRESULT: (3, "[3, messageId, payload]"),
    MessageType.CALLERROR: (5, "[4, messageId, errorCode, errorDescription, errorDetails]"),
}


@dataclass(frozen=True, slots=True)
class Parsed:
    """A frame (or None when it cannot be understood) and everything wrong with it."""

    frame: Frame | None
    findings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return self.frame is not None and not self.findings


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


# Built once: json.loads would build a decoder per call when given parse_constant.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_TYPES = {int(kind): kind for kind in MessageType}  # a lookup costs less than an Enum call
_NO_FINDINGS: tuple[Finding, ...] = ()
_UNSURE = fast_json.UNSURE
# read for nearly every frame: built without the frozen dataclasses' per-field setattr
_fast_loads = fast_json.loads
_ACTIONS = catalog.ACTIONS
_new_call = fast_constructor(Call)
_new_call_result = fast_constructor(CallResult)
_new_parsed = fast_constructor(Parsed)


def parse_frame(text: str | bytes, *, binary: bool = True) -> Parsed:
    """Parse one OCPP-J message.

    Bytes stand for a *binary* WebSocket frame: OCPP-J only uses text frames, so that is a
    finding of its own, and the content is still parsed (as UTF-8) to show what was meant.
    With `binary=False`, bytes are a text frame whose content was not valid UTF-8.
    """
    return _new_parsed(*frame_parts(text, binary))


def frame_parts(text: str | bytes, binary: bool = True) -> tuple[Frame | None,
                                                                  tuple[Finding, ...]]:
    """`parse_frame` as its two parts, (frame, findings), for the checker, which judges
    every frame and need not build a `Parsed` to read them back."""
    findings: list[Finding] = []
    if text.__class__ is not str and not isinstance(text, str):
        if binary:
            findings.append(error(
                "frame.binary", "sent as a binary WebSocket frame; OCPP-J requires text frames"))
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, (*findings, error(
                "frame.not-utf8", f"not UTF-8 text (byte {exc.start} is invalid)"))
    value = _fast_loads(text)
    if value is _UNSURE:  # orjson could not tell: the standard library decides, and words
        try:              # the fault exactly as it always has
            value = _DECODER.decode(text)  # type: ignore[arg-type]
        except (ValueError, RecursionError) as exc:
            return None, (*findings, _json_fault(text, exc))  # type: ignore[arg-type]
    if value.__class__ is list and not findings:  # nearly every frame: a CALL or its
        size = len(value)                          # CALLRESULT, checked without a detour
        if size == 4:
            if value[0].__class__ is int and value[0] == 2:
                return _plain_call(value)
        elif size == 3 and value[0].__class__ is int and value[0] == 3:
            return _plain_result(value)
    if not isinstance(value, list):
        return None, (*findings, error(
            "frame.not-array",
            f"an OCPP-J message is a JSON array; this is {kind_of(value)}"),)
    if not value:
        return None, (*findings, error("frame.empty-array", "empty array: no message type"))
    kind = value[0]
    if isinstance(kind, bool) or not isinstance(kind, int):
        return None, (*findings, error(
            "frame.bad-message-type",
            "the first element must be the message type 2, 3 or 4; "
            f"got {shorten(json.dumps(kind))}"),)
    message_type = _TYPES.get(kind)
    if message_type is None:
        hint = " (5 and 6 are OCPP 2.1 message types)" if kind in (5, 6) else ""
        return None, (*findings, error(
            "frame.unknown-message-type",
            f"unknown message type {kind}: OCPP 2.0.1 knows 2 (CALL), 3 (CALLRESULT) and "
            f"4 (CALLERROR){hint}"),)
    length, shape = _LENGTHS[message_type]
    if len(value) != length:
        return None, (*findings, error(
            "frame.wrong-length",
            f"a {message_type.name} has {length} elements {shape}; this one has {len(value)}"),)

    message_id = _message_id(value[1], findings)
    if message_type is MessageType.CALL:
        frame: Frame = Call(message_id, _action(value[2], findings), value[3])
        _payload_object(value[3], findings)
    elif message_type is MessageType.CALLRESULT:
        frame = CallResult(message_id, value[2])
        _payload_object(value[2], findings)
    else:
        frame = _call_error(message_id, value[2], value[3], value[4], findings)
    return frame, tuple(findings)


def _plain_call(value: list[Any]) -> tuple[Frame, tuple[Finding, ...]]:
    """`[2, id, action, payload]` with the findings of the full path, which it takes
    whenever the id, the action or the payload is anything but the usual."""
    message_id, action, payload = value[1], value[2], value[3]
    if (message_id.__class__ is not str or not message_id
            or len(message_id) > MAX_MESSAGE_ID or action.__class__ is not str
            or action not in _ACTIONS or payload.__class__ is not dict):
        findings: list[Finding] = []
        message_id = _message_id(message_id, findings)
        frame = Call(message_id, _action(action, findings), payload)
        _payload_object(payload, findings)
        return frame, tuple(findings)
    return _new_call(message_id, action, payload), _NO_FINDINGS


def _plain_result(value: list[Any]) -> tuple[Frame, tuple[Finding, ...]]:
    """`[3, id, payload]`, as `_plain_call`."""
    message_id, payload = value[1], value[2]
    if (message_id.__class__ is not str or not message_id
            or len(message_id) > MAX_MESSAGE_ID or payload.__class__ is not dict):
        findings: list[Finding] = []
        frame = CallResult(_message_id(message_id, findings), payload)
        _payload_object(payload, findings)
        return frame, tuple(findings)
    return _new_call_result(message_id, payload), _NO_FINDINGS


def _json_fault(text: str, exc: Exception) -> Finding:
    if isinstance(exc, json.JSONDecodeError):
        if not text.strip():
            return error("frame.not-json", "empty message: no JSON at all")
        start = max(0, exc.pos - 20)
        context = text[start : exc.pos + 20].replace("\n", " ")
        return error("frame.not-json",
                     f"not valid JSON: {exc.msg} at character {exc.pos + 1} (near '{context}')")
    if isinstance(exc, RecursionError):
        return error("frame.not-json", "not usable JSON: nested too deeply")
    return error("frame.not-json", f"not valid JSON: {exc}")


def _message_id(value: Any, findings: list[Finding]) -> str:
    if not isinstance(value, str):
        findings.append(error(
            "frame.message-id-not-string",
            f"the message id must be a string; got {kind_of(value)} "
            f"{shorten(json.dumps(value))}"))
        return json.dumps(value) if not isinstance(value, int | float) else str(value)
    if not value:
        findings.append(warning("frame.message-id-empty", "the message id is an empty string"))
    elif len(value) > MAX_MESSAGE_ID:
        findings.append(error(
            "frame.message-id-too-long",
            f"the message id has {len(value)} characters; at most {MAX_MESSAGE_ID} are allowed"))
    return value


def _action(value: Any, findings: list[Finding]) -> str:
    if not isinstance(value, str):
        findings.append(error(
            "frame.action-not-string",
            f"the action must be a string; got {kind_of(value)}"))
        return json.dumps(value)
    if value in catalog.ACTIONS:
        return value
    successor = catalog.OCPP16_SUCCESSORS.get(value)
    if successor:
        message = (f"'{value}' is an OCPP 1.6 action, not 2.0.1; "
                   f"the 2.0.1 equivalent is {successor}")
    else:
        guess = catalog.closest_action(value)
        message = f"unknown action '{shorten(value)}'"
        if guess and guess.lower() == value.lower():
            message += f"; did you mean '{guess}'? (action names are case-sensitive)"
        elif guess:
            message += f"; did you mean '{guess}'?"
    findings.append(error("frame.unknown-action", message))
    return value


def _payload_object(value: Any, findings: list[Finding]) -> None:
    if not isinstance(value, dict):
        findings.append(error(
            "frame.payload-not-object",
            f"the payload must be a JSON object; got {kind_of(value)}"))


def _call_error(message_id: str, code: Any, description: Any, details: Any,
                findings: list[Finding]) -> CallError:
    if not isinstance(code, str):
        findings.append(error("frame.error-code-not-string",
                              f"the error code must be a string; got {kind_of(code)}"))
        code = json.dumps(code)
    elif code not in catalog.ERROR_CODES:
        findings.append(error(
            "frame.unknown-error-code",
            f"'{shorten(code)}' is not an OCPP-J error code{_error_code_hint(code)}; "
            f"valid codes: {', '.join(catalog.ERROR_CODES)}"))
    if not isinstance(description, str):
        findings.append(error(
            "frame.error-description-not-string",
            f"the error description must be a string; got {kind_of(description)}"))
        description = json.dumps(description)
    elif len(description) > 255:
        findings.append(warning(
            "frame.error-description-too-long",
            f"the error description has {len(description)} characters; at most 255 are allowed"))
    if not isinstance(details, dict):
        findings.append(error(
            "frame.error-details-not-object",
            f"the error details must be a JSON object ({{}} when there are none); "
            f"got {kind_of(details)}"))
    return CallError(message_id, code, description, details)


# Wordings seen where an error code belongs -> the code that fits; the first match wins, so
# specific wordings come before general ones. Peers that put a description or an HTTP route
# in the code field ("Handler not implemented", "POST /transactions") meant one of these.
_CODE_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("message type",), "MessageTypeNotSupported"),
    (("not implemented", "unknown action", "no handler", "handler not found",
      "unknown message", "not found"), "NotImplemented"),
    (("not supported", "unsupported"), "NotSupported"),
    (("format", "pars", "json", "syntax", "malformed"), "FormatViolation"),
    (("required", "missing", "occurrence"), "OccurrenceConstraintViolation"),
    (("type",), "TypeConstraintViolation"),
    (("constraint", "invalid", "out of range", "property", "value"),
     "PropertyConstraintViolation"),
    (("security", "auth", "forbidden", "permission", "certificate"), "SecurityError"),
    (("protocol",), "ProtocolError"),
    (("rpc",), "RpcFrameworkError"),
)
# What to add after a code that is easily confused with its neighbour.
_CODE_ASIDES = {"NotSupported": " (or 'NotImplemented' when the action is not known at all)"}
_NORMALISED_CODES = {c.lower(): c for c in catalog.ERROR_CODES}


def _error_code_hint(code: str) -> str:
    """Which valid code the sender probably meant, as a clause for the finding: the same
    code in another spelling, the 1.6 name, or the code a free-text description fits
    (`InternalError` when nothing more specific does)."""
    if code == "FormationViolation":
        return " ('FormationViolation' is the OCPP 1.6 spelling of 'FormatViolation')"
    squeezed = "".join(c for c in code if c.isalnum()).lower()
    if squeezed in _NORMALISED_CODES:
        return (f"; did you mean '{_NORMALISED_CODES[squeezed]}'? (error codes are "
                "case-sensitive)")
    words = code.lower()
    fits = next((fit for wordings, fit in _CODE_WORDS if any(w in words for w in wordings)),
                "InternalError")
    described = " " in code.strip() or "/" in code
    lead = " but reads like a description, which belongs in errorDescription" if described \
        else ""
    return f"{lead}; the code that fits is probably '{fits}'{_CODE_ASIDES.get(fits, '')}"


def serialize(frame: Frame, *, raw_id: str | None = None) -> str:
    """Compact OCPP-J text for a frame we send ourselves (never used to forward).

    The text always encodes as UTF-8: a string holding a lone surrogate (a peer may send
    `"\\ud800"`, a legal JSON escape, and we may echo it) is written as a JSON escape instead
    of making the send fail. `raw_id` is the message id's JSON token exactly as the peer sent
    it (see `raw_message_id`): an answer then carries the id byte for byte as received.
    """
    if isinstance(frame, Call):
        value: list[Any] = [2, frame.message_id, frame.action, frame.payload]
    elif isinstance(frame, CallResult):
        value = [3, frame.message_id, frame.payload]
    else:
        value = [4, frame.message_id, frame.error_code, frame.error_description,
                 frame.error_details]
    if raw_id is None:
        return _dumps(value)
    return f"[{value[0]},{raw_id}," + _dumps(value[2:])[1:]


def _dumps(value: Any) -> str:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"))
    return text


# The start of a CALL up to its message id, whatever JSON whitespace the sender used.
_CALL_ID = re.compile(r'\s*\[\s*2\s*,\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*,')


def raw_message_id(text: str) -> str | None:
    """The JSON token of a CALL's message id as it stands in `text` (a string with its
    quotes and escapes, or a number), for echoing it in the answer; None if not found."""
    match = _CALL_ID.match(text)
    return match.group(1) if match else None
