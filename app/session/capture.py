"""`Capture`: the live record of one run, fed by the network engine.

The engine hands every frame to `Capture.frame()` *after* forwarding it. The capture gives it
a sequence number, judges it (envelope, pairing, schema), keeps the record and its
annotation, and tells each subscriber (recorder, console, GUI bridge). A failing subscriber
is logged and skipped: an observer must never break the traffic it observes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.ocpp.checker import FrameChecker
from app.ocpp.conversation import Direction
from app.ocpp.findings import Finding
from app.ocpp.frames import Parsed
from app.session.message import Message, RecordKind, frame_message

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Annotation:
    """What was learned about a record beyond its raw data (never written into it)."""

    findings: tuple[Finding, ...] = ()
    latency: float | None = None       # answers: seconds since their CALL
    call_seq: int | None = None        # answers: the seq of the CALL they answer

    @property
    def valid(self) -> bool:
        return not any(f.severity.value == "error" for f in self.findings)


NO_ANNOTATION = Annotation()
Subscriber = Callable[[Message, Annotation], None]


class Capture:
    def __init__(self, checker: FrameChecker | None = None) -> None:
        self.checker = checker or FrameChecker()
        self.messages: list[Message] = []
        self.annotations: dict[int, Annotation] = {}   # only records that have one
        self._subscribers: list[Subscriber] = []
        self._seq = 0

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call `subscriber(message, annotation)` for each new record; returns an undo."""
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber)

    def annotation(self, seq: int) -> Annotation:
        return self.annotations.get(seq, NO_ANNOTATION)

    def frame(self, connection: str, station: str, direction: Direction,
              data: str | bytes, *, text_frame: bool = False) -> Message:
        """Record one frame that crossed `connection`: text as str, binary as bytes, and a
        text frame that was not valid UTF-8 as bytes with `text_frame=True`."""
        self._seq += 1
        now, mono = time.time(), time.monotonic()
        verdict = self.checker.check(data, connection=connection, direction=direction,
                                     seq=self._seq, time=mono, binary=not text_frame)
        if isinstance(data, str):
            message = frame_message(self._seq, data, connection=connection, station=station,
                                    direction=direction, time=now, monotonic=mono,
                                    parsed=Parsed(verdict.frame), action=verdict.action)
        elif text_frame:
            message = Message(self._seq, now, mono, connection, station, direction,
                              RecordKind.FRAME, text=data.decode("utf-8", "replace"),
                              data=data)
        else:
            message = Message(self._seq, now, mono, connection, station, direction,
                              RecordKind.BINARY, data=data, action=verdict.action)
        annotation = NO_ANNOTATION
        if verdict.findings or verdict.call is not None:
            annotation = Annotation(verdict.findings, verdict.latency,
                                    verdict.call.seq if verdict.call else None)
            self.annotations[message.seq] = annotation
        self._publish(message, annotation)
        return message

    def event(self, kind: RecordKind, connection: str, station: str,
              meta: Mapping[str, Any]) -> Message:
        """Record a connection event (`RecordKind.OPENED` or `CLOSED`)."""
        self._seq += 1
        message = Message(self._seq, time.time(), time.monotonic(), connection, station, None,
                          kind, meta=dict(meta))
        if kind is RecordKind.CLOSED:
            self.checker.forget(connection)
        self._publish(message, NO_ANNOTATION)
        return message

    def _publish(self, message: Message, annotation: Annotation) -> None:
        self.messages.append(message)
        for subscriber in list(self._subscribers):
            try:
                subscriber(message, annotation)
            except Exception:  # an observer's bug must not stop the capture
                log.exception("a capture subscriber failed on record %d", message.seq)

