"""The state tracker: `SessionState` filled record by record, one source of truth for what
a session says about its stations.

The checker (`app.ocpp.checker.FrameChecker`) calls `apply_frame` for every frame it judges,
with the parse and pairing it already did, so a frame is parsed once; connection events
come through `apply_event` from the capture. `app.state.timeline` replays records through
the same two functions to rebuild the state at any point.

Only frames the protocol layer trusts teach the state (a CALL from the wrong side, or one
reusing an outstanding id, teaches nothing, nor does its answer); every frame is counted.
A CALL whose answer needs its payload (which EVSE, which profile) is kept in
`SessionState.pending` until answered, at most `MAX_PENDING` per connection, and dropped
when the connection closes. Nothing here raises for peer data: odd values are skipped, and
a failure of ours becomes an `internal.error` finding on the frame.

A state kept for verdicts only (`SessionState.verdicts_only`, for runs that print findings
and never the state) is routed to the few handlers whose facts the rules and findings read,
and keeps no CALL waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from app.ocpp.conversation import Direction
from app.ocpp.findings import Finding, internal_error
from app.ocpp.frames import Call, CallError, CallResult, Frame
from app.session.message import Message, RecordKind
from app.state import device_model, evses, profiles, transactions
from app.state.history import forget_closed_connections, remember
from app.state.model import Change, Connection, PendingFacts, SessionState, StationState
from app.state.seen import Handler, Seen
from app.state.values import as_dict, as_int, as_number, as_str, epoch_of

log = logging.getLogger(__name__)

# CALLs remembered per connection while they wait for an answer (a peer that never
# answers must not grow the state).
MAX_PENDING = 64


def _boot(seen: Seen) -> None:
    station, payload = seen.station, seen.payload
    charging_station = as_dict(payload.get("chargingStation"))
    station.vendor = as_str(charging_station.get("vendorName")) or ""
    station.model = as_str(charging_station.get("model")) or ""
    station.serial = as_str(charging_station.get("serialNumber")) or ""
    station.firmware = as_str(charging_station.get("firmwareVersion")) or ""
    station.boot_reason = as_str(payload.get("reason")) or ""


def _boot_answer(seen: Seen) -> None:
    if seen.error_code is not None:
        return
    status = as_str(seen.payload.get("status"))
    if status is not None:
        seen.station.registration = status
    interval = as_number(seen.payload.get("interval"))
    if interval is not None:
        seen.station.interval = int(interval) if interval.is_integer() else interval


def _heartbeat(seen: Seen) -> None:
    seen.station.last_heartbeat = seen.time


def _status_change(field: str, key: str, action: str) -> Handler:
    """A handler appending the payload's `key` to the station's list `field`."""
    def handle(seen: Seen) -> None:
        value = as_str(seen.payload.get(key))
        if value is not None:
            when = epoch_of(seen.payload.get("timestamp")) or seen.time
            remember(seen.station, getattr(seen.station, field),
                     Change(when, seen.seq, value, action))
    return handle


def _merge(*tables: Mapping[str, Handler]) -> dict[str, Handler]:
    """One handler per action: the modules' own, or one calling each of theirs in turn
    (decided once here, not on every frame)."""
    merged: dict[str, list[Handler]] = {}
    for table in tables:
        for action, handler in table.items():
            merged.setdefault(action, []).append(handler)
    return {action: handlers[0] if len(handlers) == 1 else _in_turn(tuple(handlers))
            for action, handlers in merged.items()}


def _in_turn(handlers: tuple[Handler, ...]) -> Handler:
    def handle(seen: Seen) -> list[Finding]:
        findings: list[Finding] = []
        for handler in handlers:
            findings.extend(handler(seen) or ())
        return findings
    return handle


_MODULES = (evses, transactions, device_model, profiles)
CALL_HANDLERS = _merge(
    {"BootNotification": _boot, "Heartbeat": _heartbeat,
     **{action: _status_change(field, key, action) for action, field, key in (
         ("SecurityEventNotification", "security_events", "type"),
         ("FirmwareStatusNotification", "firmware_status", "status"),
         ("LogStatusNotification", "log_status", "status"))}},
    *(m.CALLS for m in _MODULES))
ANSWER_HANDLERS = _merge({"BootNotification": _boot_answer}, *(m.ANSWERS for m in _MODULES))
KEEP: frozenset[str] = frozenset().union(*(m.KEEP for m in _MODULES))
# What a state kept for verdicts only (`SessionState.verdicts_only`) learns: what the
# session rules read and the report parts whose holes are findings. None of these answers
# needs its request, so no CALL waits for one.
VERDICT_CALL_HANDLERS: dict[str, Handler] = {**transactions.FOR_VERDICTS,
                                             **device_model.FOR_VERDICTS}
VERDICT_ANSWER_HANDLERS: dict[str, Handler] = {"BootNotification": _boot_answer}
_KEEP_NONE: frozenset[str] = frozenset()


def station_of(state: SessionState, name: str, time: float) -> StationState:
    """The station's state, made on its first record."""
    station = state.stations.get(name)
    if station is None:
        station = state.stations[name] = StationState(name, first_seen=time,
                                                      limit=state.limit)
    station.last_seen = time
    return station


def apply_frame(state: SessionState, *, seq: int, time: float, connection: str,
                station: str, direction: Direction | None, frame: Frame | None,
                action: str | None, call_seq: int | None = None, valid: bool = True,
                trusted: bool = True) -> list[Finding]:
    """Apply one judged frame: `frame` as parsed (None when it could not be), `action` the
    CALL's or the one an answer belongs to, `call_seq` the CALL an answer answers, `valid`
    whether judging found no error, `trusted` whether the exchange may teach the state.
    Records without a station are kept under their connection. Returns findings about the
    frame (a hole in a report), never raises."""
    # every judged frame passes here: the counting and the routing are written out in one
    # function, the station looked up once
    try:
        name = station or connection
        tracked = state.stations.get(name)
        if tracked is None:
            tracked = station_of(state, name, time)
        else:
            tracked.last_seen = time
        state.upto_seq = seq
        tracked.frames += 1
        if not valid or frame is None:
            tracked.invalid += 1
        if frame is None or action is None or not trusted:
            return []
        if state.verdicts_only:
            calls, answers, keep = VERDICT_CALL_HANDLERS, VERDICT_ANSWER_HANDLERS, _KEEP_NONE
        else:
            calls, answers, keep = CALL_HANDLERS, ANSWER_HANDLERS, KEEP
        if isinstance(frame, Call):
            payload = frame.payload
            if not isinstance(payload, dict):
                return []
            if action in keep:
                _keep(state, connection, seq, PendingFacts(action, payload, name, time))
            handler = calls.get(action)
            if handler is None:  # most actions teach nothing beyond the counts above
                return []
            found = handler(Seen(state, tracked, seq, time, payload, {}))
            return found if found else []
        waiting = state.pending.get(connection) if call_seq else None
        facts = waiting.pop(call_seq, None) if waiting else None
        handler = answers.get(action)
        if handler is None:
            return []
        request = facts.payload if facts is not None else {}
        if isinstance(frame, CallResult):
            if not isinstance(frame.payload, dict):
                return []
            seen = Seen(state, tracked, seq, time, frame.payload, request, call_seq)
        else:
            assert isinstance(frame, CallError)
            seen = Seen(state, tracked, seq, time, {}, request, call_seq,
                        str(frame.error_code))
        found = handler(seen)
        return found if found else []
    except Exception as exc:  # our bug, not the peer's: a finding, never a crash
        log.exception("tracking the state of record %d failed", seq)
        return [internal_error("state tracking", exc)]


def _keep(state: SessionState, connection: str, seq: int, facts: PendingFacts) -> None:
    waiting = state.pending.get(connection)
    if waiting is None:
        waiting = state.pending[connection] = {}
    waiting[seq] = facts
    if len(waiting) > MAX_PENDING:  # a peer that never answers: forget the oldest
        del waiting[next(iter(waiting))]


def apply_event(state: SessionState, message: Message) -> None:
    """Apply a connection event (OPENED / CLOSED); other records are ignored. Never raises."""
    try:
        _apply_event(state, message)
    except Exception:  # our bug: the record is kept, the state misses one event
        log.exception("tracking the connection event %d failed", message.seq)


def _apply_event(state: SessionState, message: Message) -> None:
    if message.kind not in (RecordKind.OPENED, RecordKind.CLOSED):
        return
    name = message.station or message.connection
    station = station_of(state, name, message.time)
    state.upto_seq = message.seq
    meta: Mapping[str, Any] = message.meta if isinstance(message.meta, Mapping) else {}
    if message.kind is RecordKind.OPENED:
        station.connections.append(Connection(message.connection, message.time, message.seq,
                                              as_str(meta.get("subprotocol"))))
        forget_closed_connections(station)
        return
    state.pending.pop(message.connection, None)
    connection = next((c for c in reversed(station.connections)
                       if c.connection == message.connection and c.closed is None), None)
    if connection is None:  # opened before the capture began
        connection = Connection(message.connection, station.first_seen, 0)
        station.connections.append(connection)
    connection.closed, connection.closed_seq = message.time, message.seq
    connection.closed_by = as_str(meta.get("by"))
    connection.code = as_int(meta.get("code"))
    connection.reason = as_str(meta.get("reason")) or ""
    forget_closed_connections(station)
