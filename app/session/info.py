"""One line per record saying what it is about: the timeline's Info column.

`info_line` reads a record and its annotation: for an invalid frame, the reason (its first
error finding, code and words); for a frame, the key facts of its payload
(`app.ocpp.facts`); for a CALLERROR, its code and description; for a connection event, its
path, subprotocol, close code and reason. The text is computed here, without Qt, so that a
view only shows it, and a test can read it.

Deriving the line parses the frame, which a view must not do on every paint: `InfoLines`
keeps the lines of the records seen most recently, each computed once per annotation (a
record that gets its verdict later gets a new line).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from app.ocpp.facts import SEP, clean, payload_facts
from app.ocpp.findings import Finding, Severity, shorten
from app.ocpp.frames import Call, CallError, CallResult
from app.ocpp.schemas import PayloadKind
from app.session.capture import NO_ANNOTATION, Annotation
from app.session.interception import interception_mark
from app.session.message import Message, RecordKind

log = logging.getLogger(__name__)

MAX_LINE = 300   # characters; the rest is in the detail pane
MAX_PATH = 20    # characters of a finding's path shown whole


def info_line(message: Message, annotation: Annotation = NO_ANNOTATION) -> str:
    """The Info text of a record. Never raises: a record nobody foresaw still gets a row,
    and a bug here is logged and shown as such instead of breaking the view."""
    try:
        mark = interception_mark(message) if message.meta else ""
        text = _info(message, annotation)
        return shorten(f"{mark}  {text}" if mark else text, MAX_LINE)
    except Exception:  # our bug; the record stays readable in the detail pane
        log.exception("the info line of record %d failed", message.seq)
        return "(no summary: internal error, see the log)"


def _info(message: Message, annotation: Annotation) -> str:
    if message.kind not in (RecordKind.FRAME, RecordKind.BINARY):
        return event_line(message.kind, message.meta or {})
    reason = first_error(annotation.findings)
    if reason is not None:
        return finding_words(reason, len(annotation.findings) - 1)
    parsed = message.parse()
    reason = first_error(parsed.findings)  # not judged yet: what the envelope says
    if reason is not None:
        return finding_words(reason, len(parsed.findings) - 1)
    frame = parsed.frame
    if isinstance(frame, Call):
        return payload_facts(frame.action, PayloadKind.REQUEST, frame.payload)
    if isinstance(frame, CallResult):
        return payload_facts(message.action, PayloadKind.RESPONSE, frame.payload)
    if isinstance(frame, CallError):
        description = clean(frame.error_description)
        return f"{clean(frame.error_code)}: {description}" if description else clean(
            frame.error_code)
    return ""


def first_error(findings: tuple[Finding, ...]) -> Finding | None:
    return next((f for f in findings if f.severity is Severity.ERROR), None)


def finding_words(finding: Finding, others: int = 0, *, code: bool = True) -> str:
    """`…timestamp: '…' has no UTC offset [schema.date-time] (+1 more)`: the words first and
    a long path cut to its last field, since a narrow column shows only a start (the detail
    pane lists every finding in full)."""
    path = finding.path
    if len(path) > MAX_PATH and "." in path:
        path = "…" + path.rsplit(".", 1)[1]
    where = f"{clean(path)}: " if path else ""
    more = f" (+{others} more)" if others > 0 else ""
    named = f" [{finding.code}]" if code else ""
    return f"{where}{clean(finding.message)}{named}{more}"


def event_line(kind: RecordKind, meta: Mapping[str, Any]) -> str:
    """What a connection event says: who connected where with which subprotocol, how a
    connection ended and after how long, why a connection was refused, what a recording
    lost. `meta` comes from a file as well, so any value may be of any type."""
    def text(key: str) -> str:
        value = meta.get(key)
        return clean(str(value)) if isinstance(value, str | int | float) else ""

    if kind is RecordKind.OPENED:
        subprotocol = text("subprotocol")
        return _join(text("path") or text("url"),
                     f"subprotocol {subprotocol}" if subprotocol else "no subprotocol agreed",
                     f"offered {text('offered_raw')}" if text("offered_raw") else "",
                     f"from {text('remote')}" if text("remote") else "",
                     _auth(meta.get("auth")), text("warning"))
    if kind is RecordKind.CLOSED:
        duration = meta.get("duration")
        after = (f"after {duration_text(duration)}" if isinstance(duration, int | float)
                 and not isinstance(duration, bool) else "")
        reason = text("reason")
        return _join(f"{text('code') or '?'} by {text('by') or '?'}",
                     f"“{reason}”" if reason else "no reason given",
                     "no closing handshake" if meta.get("clean") is False else "", after)
    if kind is RecordKind.REJECTED:
        return _join(f"HTTP {text('status') or '?'}", text("reason"),
                     text("path") or text("url"))
    if kind is RecordKind.GAP:
        return (f"{text('lost') or '?'} records not recorded (seq {text('first_seq')}–"
                f"{text('last_seq')}): {text('reason')}")
    if kind is RecordKind.CONTROL:
        return control_line(meta)
    return ""


def control_line(meta: Mapping[str, Any]) -> str:
    """A ping, pong or close frame as a person reads it: `pong after 12 ms · 4 bytes`."""
    opcode = clean(str(meta.get("opcode") or "control"))
    rtt = meta.get("rtt")
    answered = (f"after {rtt * 1000:.0f} ms" if isinstance(rtt, int | float)
                and not isinstance(rtt, bool) else "")
    size = meta.get("size")
    sized = (f"{size} bytes" if isinstance(size, int) and not isinstance(size, bool) else "")
    if opcode == "close":
        reason = clean(str(meta.get("reason") or ""))
        return _join(f"close {meta.get('code') or 'without a code'}",
                     f"“{reason}”" if reason else "")
    return _join(opcode, answered, sized)


def _auth(auth: Any) -> str:
    if not isinstance(auth, Mapping):
        return ""
    scheme = clean(str(auth.get("scheme") or "?"))
    user = auth.get("user")
    return f"{scheme} auth as {clean(user)}" if isinstance(user, str) else f"{scheme} auth"


def _join(*parts: str) -> str:
    return SEP.join(part for part in parts if part)


def duration_text(seconds: float) -> str:
    """A duration in the unit that reads best: `0.4 ms`, `2.4 ms`, `850 ms`, `11.6 s`,
    `5.0 min`, `2.5 h` (never `11615.2 ms`)."""
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    ms = seconds * 1000
    if seconds >= 5999.5:
        text = f"{seconds / 3600:.1f} h"
    elif seconds >= 99.95:
        text = f"{seconds / 60:.1f} min"
    elif ms >= 999.5:
        text = f"{seconds:.1f} s"
    elif ms >= 9.95:
        text = f"{ms:.0f} ms"
    elif ms >= 0.995:
        text = f"{ms:.1f} ms"
    else:
        text = f"{ms:.2g} ms"
    return sign + text


class InfoLines:
    """The info lines of the `capacity` records asked for most recently.

    A view asks for the rows it paints; scrolling back and forth over a million records
    derives each line once while it stays in view, and memory stays bounded. A line is
    kept with the annotation it was derived from: when a record's annotation is replaced
    (judged, or a finding added later), its line is derived again."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._lines: OrderedDict[int, tuple[Annotation, str]] = OrderedDict()
        self.derived = 0   # lines computed so far (for tests and benchmarks)

    def line(self, message: Message, annotation: Annotation) -> str:
        kept = self._lines.get(message.seq)
        # equal, not only the same object: an annotation without findings is rebuilt from
        # compact columns each time it is asked for (`AnnotationTable`)
        if kept is not None and (kept[0] is annotation or kept[0] == annotation):
            self._lines.move_to_end(message.seq)
            return kept[1]
        text = info_line(message, annotation)
        self.derived += 1
        self._lines[message.seq] = (annotation, text)
        if len(self._lines) > self.capacity:
            self._lines.popitem(last=False)
        return text

    def clear(self) -> None:
        """Forget every line (another capture: its seqs mean other records)."""
        self._lines.clear()
