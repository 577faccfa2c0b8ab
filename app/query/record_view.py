"""What an expression may read of a record, whoever holds it.

A recorded record is a `Message` plus the annotation the capture keeps beside it; a frame in
flight on the proxy is a `Message` built for it (not recorded) plus what the intercept knows
(the action of the CALL an answer belongs to). Both hand an expression the same pair: the
`Message` and a `RecordContext` that finds the extras on demand. The payload is parsed only
when an expression reads it, once per record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from app.ocpp.frames import Call, CallError, CallResult, Frame
from app.session.annotations import NO_ANNOTATION, Annotation
from app.session.message import Message

if TYPE_CHECKING:
    from app.session.capture import Capture


class RecordContext:
    """The extras of a capture's records: annotations, the action of the CALL an answer
    belongs to, and parsed frames (the last one cached). Without a capture, records have no
    annotation. The capture is read at call time, so live verdicts count as they arrive.
    """

    __slots__ = ("_annotations", "_capture", "_last", "_last_frame")

    def __init__(self, capture: Capture | None = None) -> None:
        self._capture = capture
        self._annotations: Mapping[int, Annotation] = (
            capture.annotations if capture is not None else {})
        self._last: Message | None = None
        self._last_frame: Frame | None = None

    def annotation(self, message: Message) -> Annotation:
        return self._annotations.get(message.seq, NO_ANNOTATION)

    def call_action(self, message: Message) -> str | None:
        """The action of the CALL this answer answers (records loaded without one)."""
        call_seq = self.annotation(message).call_seq
        if call_seq is None or self._capture is None:
            return None
        index = self._capture.index_of(call_seq)
        return None if index is None else self._capture.messages[index].action

    def frame(self, message: Message) -> Frame | None:
        """The record's parsed frame, or None when it is not one (malformed, an event)."""
        if message is not self._last:
            self._last = message
            self._last_frame = _quick_frame(message) if message.message_type else None
        return self._last_frame


def _quick_frame(message: Message) -> Frame | None:
    """The frame of a record whose envelope was already judged well-formed (it has a
    message type): plain `json.loads` is enough to read its payload, several times faster
    than the full parse with its checks; anything unexpected takes the full parse."""
    if not message.data:
        try:
            array = json.loads(message.text)
            if message.message_type == 2:
                return Call(array[1], array[2], array[3])
            if message.message_type == 3:
                return CallResult(array[1], array[2])
            return CallError(array[1], array[2], array[3], array[4])
        except (ValueError, IndexError, KeyError, TypeError):
            pass
    return message.parse().frame


class FrameContext(RecordContext):
    """The context of one frame in flight: no capture yet, so an annotation given by the
    caller (findings already known) or none at all."""

    __slots__ = ("_annotation",)

    def __init__(self, annotation: Annotation = NO_ANNOTATION) -> None:
        super().__init__()
        self._annotation = annotation

    def annotation(self, message: Message) -> Annotation:
        return self._annotation

    def call_action(self, message: Message) -> str | None:
        return None   # the proxy names an answer's action when it builds its record


def payload_of(message: Message, context: RecordContext) -> Any:
    """A CALL's or CALLRESULT's payload, a CALLERROR's details; None for anything else."""
    frame = context.frame(message)
    if frame is None:
        return None
    if isinstance(frame, CallError):
        return frame.error_details
    return frame.payload


def error_part(part: str) -> Callable[[Message, RecordContext], Any]:
    def read(message: Message, context: RecordContext) -> Any:
        if message.message_type != 4:
            return None
        frame = context.frame(message)
        if not isinstance(frame, CallError):
            return None
        return frame.error_code if part == "code" else frame.error_description
    return read


def _evse_part(message: Message, context: RecordContext, flat: str, nested: str) -> Any:
    """A field 2.0.1 writes in two shapes: flat in the payload (`flat`), or inside the
    payload's `evse` object (`nested`); the flat one first."""
    payload = payload_of(message, context)
    if not isinstance(payload, dict):
        return None
    if flat in payload:
        return payload[flat]
    evse = payload.get("evse")
    return evse.get(nested) if isinstance(evse, dict) else None


def evse_of(message: Message, context: RecordContext) -> Any:
    """The EVSE a frame is about: `evseId`, or `evse.id`."""
    return _evse_part(message, context, "evseId", "id")


def connector_of(message: Message, context: RecordContext) -> Any:
    """The connector a frame is about: `connectorId`, or `evse.connectorId`."""
    return _evse_part(message, context, "connectorId", "connectorId")
