"""Connection attempts: what each connection did, for its diagnosis and the Connections view.

`AttemptTracker` follows the records of a live run as a capture publishes them (when each
connection opened, when its last frame passed, its pings and pongs) so that the record that
ends a connection can carry, in its meta, how long it had been idle, whether pings were
answered, and the doctor's sentence (`app.net.diagnosis`). It keeps only open connections.

`connection_rows` reads a capture's records (live or loaded) into one `Attempt` per
connection attempt, grouped by station: a probe and its real session are one story.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.ocpp.conversation import Direction
from app.session.message import Message, RecordKind

# Round trips a closed record lists, the latest last.
LAST_ROUND_TRIPS = 3


_TOWARDS = {Direction.STATION_TO_CSMS: "CSMS", Direction.CSMS_TO_STATION: "station"}


@dataclass(slots=True)
class _Open:
    opened: Mapping[str, Any]
    last_frame: float
    # pings sent and pongs received, by the side that must answer ("station", "CSMS")
    pings: dict[str, int] = field(default_factory=dict)
    pongs: dict[str, int] = field(default_factory=dict)
    rtts: list[float] = field(default_factory=list)


class AttemptTracker:
    """Per open connection: its OPENED meta, its last frame's time, pings and pongs."""

    def __init__(self) -> None:
        self._open: dict[str, _Open] = {}

    def saw(self, message: Message) -> None:
        """Take a published record (cheap: a dict update per frame)."""
        kind = message.kind
        if kind is RecordKind.FRAME or kind is RecordKind.BINARY:
            state = self._open.get(message.connection)
            if state is not None:
                state.last_frame = message.monotonic
        elif kind is RecordKind.OPENED:
            self._open[message.connection] = _Open(message.meta or {}, message.monotonic)
        elif kind is RecordKind.CONTROL:
            self._control(message)

    def _control(self, message: Message) -> None:
        state = self._open.get(message.connection)
        meta = message.meta or {}
        if state is None:
            return
        # who must answer a ping travelling this way; "" when a record has no direction
        towards = _TOWARDS.get(message.direction, "")
        if meta.get("opcode") == "ping":
            state.pings[towards] = state.pings.get(towards, 0) + 1
        elif meta.get("opcode") == "pong" and not meta.get("unsolicited"):
            pinged = _TOWARDS.get(message.direction and message.direction.opposite, "")
            state.pongs[pinged] = state.pongs.get(pinged, 0) + 1
            rtt = meta.get("rtt")
            if isinstance(rtt, int | float):
                state.rtts.append(float(rtt))

    def conclude(self, kind: RecordKind, connection: str, meta: Mapping[str, Any],
                 monotonic: float) -> dict[str, Any]:
        """The meta of the record that ends `connection` (CLOSED, REJECTED), completed with
        the idle time, the ping tally and the `diagnosis` sentence. Never raises."""
        done = dict(meta)
        state = self._open.pop(connection, None)
        opened: Mapping[str, Any] = {}
        if state is not None:
            opened = state.opened
            done.setdefault("idle", round(max(0.0, monotonic - state.last_frame), 3))
            if state.pings:
                missed = {side: max(0, sent - state.pongs.get(side, 0))
                          for side, sent in state.pings.items()}
                done.setdefault("pings", sum(state.pings.values()))
                done.setdefault("missed_pongs", sum(missed.values()))
                if any(missed.values()):
                    done.setdefault("unanswered_by",
                                    sorted(side for side, n in missed.items() if n and side))
                if state.rtts:
                    done.setdefault("rtt", round(sum(state.rtts) / len(state.rtts), 6))
                    done.setdefault("last_rtts", [round(rtt, 6) for rtt in
                                                  state.rtts[-LAST_ROUND_TRIPS:]])
        if "diagnosis" not in done:
            from app.net.diagnosis import diagnose  # with ssl: not for captures of files

            done["diagnosis"] = diagnose(kind.value, done, opened).sentence
        return done


@dataclass(frozen=True, slots=True)
class Attempt:
    """One connection attempt as the Connections view shows it."""

    station: str
    connection: str
    seq: int                   # the OPENED or REJECTED record: where the timeline goes
    time: float
    role: str                  # "proxy", "csms", "station"
    outcome: str               # "refused", "open", "closed"
    duration: float | None
    sentence: str
    subprotocol: str | None = None
    remote: str = ""           # the charger's address, when the record has it

    def matches(self, text: str) -> bool:
        """Whether a filter box's text (case-insensitive) is found in this row."""
        needle = text.strip().lower()
        return not needle or any(needle in part.lower() for part in (
            self.station, self.connection, self.role, self.outcome, self.sentence,
            self.subprotocol or "", self.remote))


_EVENT_KINDS = (RecordKind.OPENED, RecordKind.REJECTED, RecordKind.CLOSED)


def _events(messages: Iterable[Message]) -> Iterator[Message]:
    """The connection events among `messages`. A session held in its file is not read
    back whole for them (100,000 records took seconds, at each keystroke of the
    Connections view's filter): its index knows each record's kind."""
    from app.session.store import KIND_CODES, RecordStore

    if not isinstance(messages, RecordStore):
        yield from (message for message in messages if message.kind in _EVENT_KINDS)
        return
    wanted = {KIND_CODES[kind] for kind in _EVENT_KINDS}
    for position, code in enumerate(messages.kinds):
        if code in wanted:
            yield messages[position]


def connection_rows(messages: Iterable[Message]) -> dict[str, list[Attempt]]:
    """Attempts by station, in the order of their first record. A connection still open
    says so; a closed one without a stored diagnosis (an older file) gets one now."""
    opened: dict[str, Message] = {}
    rows: dict[str, list[Attempt]] = {}
    for message in _events(messages):
        kind = message.kind
        if kind is RecordKind.OPENED:
            opened[message.connection] = message
        elif kind is RecordKind.REJECTED:
            meta = message.meta or {}
            rows.setdefault(message.station, []).append(Attempt(
                message.station, message.connection, message.seq, message.time,
                _role(meta), "refused", None, _sentence("rejected", meta, None),
                remote=_text(meta.get("remote")) or ""))
        elif kind is RecordKind.CLOSED:
            start = opened.pop(message.connection, None)
            meta = message.meta or {}
            first = start or message
            duration = meta.get("duration")
            if not isinstance(duration, int | float) or isinstance(duration, bool):
                duration = message.time - start.time if start is not None else None
            start_meta = (start.meta or {}) if start is not None else {}
            rows.setdefault(message.station, []).append(Attempt(
                message.station, message.connection, first.seq, first.time,
                _role(start_meta or meta), "closed", duration,
                _sentence("closed", meta, start_meta), _text(start_meta.get("subprotocol")),
                _text(start_meta.get("remote")) or ""))
    for start in opened.values():
        from app.net.diagnosis import client_certificate_words

        meta = start.meta or {}
        certificate = client_certificate_words(meta.get("client_cert"))
        rows.setdefault(start.station, []).append(Attempt(
            start.station, start.connection, start.seq, start.time, _role(meta), "open", None,
            f"connected, subprotocol {meta.get('subprotocol')}"
            + (f"; {certificate}" if certificate else ""), _text(meta.get("subprotocol")),
            _text(meta.get("remote")) or ""))
    for attempts in rows.values():
        attempts.sort(key=lambda attempt: attempt.seq)
    return rows


def _sentence(kind: str, meta: Mapping[str, Any], opened: Mapping[str, Any] | None) -> str:
    stored = meta.get("diagnosis")
    if isinstance(stored, str) and stored:
        return stored
    from app.net.diagnosis import diagnose

    return diagnose(kind, meta, opened).sentence


def _role(meta: Mapping[str, Any]) -> str:
    from app.net.diagnosis import role_of

    role = role_of(meta)
    hop = meta.get("mode")
    return f"{role} ({hop})" if role == "proxy" and isinstance(hop, str) else role


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
