"""`Message`: the one record every part of OCPP Scope produces and consumes.

A record is a frame that crossed a connection, or a connection event (opened, closed). It
keeps the raw text exactly as received and only a small envelope summary (type, id, action)
for display and filtering; the payload is re-parsed from `text` when someone needs it, which
keeps a million-record session small in memory.
"""

from __future__ import annotations

import time as _time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from app.ocpp.conversation import Direction
from app.ocpp.frames import Call, Parsed, parse_frame


class RecordKind(StrEnum):
    FRAME = "frame"          # a text frame; `text` holds it verbatim (if it was not valid
                             # UTF-8: `data` holds the bytes, `text` a readable rendering)
    BINARY = "binary"        # a binary frame; `data` holds it (OCPP-J never sends these)
    OPENED = "opened"        # a connection was established; `meta` says how
    CLOSED = "closed"        # a connection ended; `meta` has code, reason and who closed
    REJECTED = "rejected"    # a connection attempt refused during the handshake; `meta` why
    GAP = "gap"              # records the recorder could not write (disk full, too slow);
                             # `meta`: lost, first_seq, last_seq, reason. Written where the
                             # recording resumed, so a file says where it is incomplete
    CONTROL = "control"      # a WebSocket control frame seen on the wire (a proxy that
                             # splices bytes, a packet capture); `meta`: opcode (ping, pong,
                             # close), size, payload (hex, cut short), for close code and
                             # reason, for a pong `rtt` (seconds since its ping) when known


@dataclass(frozen=True, slots=True)
class Message:
    seq: int
    time: float                      # wall clock, UTC epoch seconds (µs resolution)
    monotonic: float                 # for latencies; not comparable across processes
    connection: str
    station: str
    direction: Direction | None      # None for connection events and unknown origin
    kind: RecordKind = RecordKind.FRAME
    text: str = ""
    data: bytes = b""
    message_type: int | None = None  # envelope summary, filled by `frame_message`
    message_id: str | None = None
    action: str | None = None        # for a CALL; answers get theirs from pairing
    meta: Mapping[str, Any] | None = None  # connection events only

    @property
    def size(self) -> int:
        return len(self.data) if self.kind is RecordKind.BINARY else len(self.text)

    @property
    def wire(self) -> tuple[str | bytes, bool]:
        """What crossed the wire, as judging wants it: (text or bytes, binary?). A binary
        frame is its bytes, even none at all; a text frame that was not UTF-8 is its bytes
        (`text` is only a readable rendering of them); any other frame is its text. Every
        path that judges a record (live, loaded, `validate`) reads this, so that a frame
        gets the same verdict wherever it is judged."""
        if self.kind is RecordKind.BINARY:
            return self.data, True
        if self.data:
            return self.data, False
        return self.text, False

    def parse(self) -> Parsed:
        data, binary = self.wire
        return parse_frame(data, binary=binary)

    @property
    def timestamp(self) -> str:
        return iso_time(self.time)


def iso_time(epoch: float) -> str:
    """UTC time with microseconds and a `Z`: the form used in session files."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def gap_record(lost: int, first_seq: int, last_seq: int, reason: str,
               time: float | None = None) -> Message:
    """The record a recorder writes in place of `lost` records it could not write.

    It takes the seq of the last lost record: that seq is in no other line of the file, and
    it keeps the file's seqs increasing, so a loaded file stays ordered by seq."""
    return Message(last_seq, _time.time() if time is None else time, _time.monotonic(), "", "",
                   None, RecordKind.GAP,
                   meta={"lost": lost, "first_seq": first_seq, "last_seq": last_seq,
                         "reason": reason})


def frame_message(seq: int, text: str, *, connection: str = "", station: str = "",
                  direction: Direction | None = None, time: float | None = None,
                  monotonic: float | None = None, parsed: Parsed | None = None,
                  action: str | None = None) -> Message:
    """A frame record with its envelope summary; pass `parsed` if it was already parsed,
    and `action` for an answer whose CALL is known."""
    parsed = parsed or parse_frame(text)
    frame = parsed.frame
    message_type = message_id = None
    if frame is not None:
        message_type = int(frame.message_type)
        message_id = frame.message_id
        if isinstance(frame, Call):
            action = frame.action
    return Message(
        seq=seq,
        time=_time.time() if time is None else time,
        monotonic=_time.monotonic() if monotonic is None else monotonic,
        connection=connection, station=station, direction=direction,
        kind=RecordKind.FRAME, text=text,
        message_type=message_type, message_id=message_id, action=action,
    )
