"""Indexing a session file into a `RecordStore` without building its records.

Opening a file of a million records used to build a `Message` for each line (its text,
payload, id, meta) only to keep seven small columns of it and drop the rest: two thirds of
the time went into records nobody looked at. `index_lines` parses each line once (the C
JSON scanner) and takes the columns straight from it, checking what `record_from_json`
checks; a line it has any doubt about goes through `record_from_json` itself, so that what is
skipped, and the warning that says why, stay exactly what the reader decides. The record is
built later, from its line, when a row is painted or a filter reads it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from app.ocpp.conversation import Direction
from app.session.columns import append_widening
from app.session.lines import Sequencer
from app.session.message import RecordKind
from app.session.sessionfile import SessionReader, parse_line, record_from_json
from app.session.store import DIRECTION_CODES, KIND_CODES, NO_TYPE, OTHER_TYPE, RecordStore

_scan = json.JSONDecoder().scan_once
_KIND_OF: dict[Any, int] = {kind.value: KIND_CODES[kind] for kind in RecordKind}
_DIRECTION_OF: dict[Any, int] = {d.value: DIRECTION_CODES[d] for d in Direction}
_FRAME = RecordKind.FRAME.value
_TYPE_CODES = {2: 2, 3: 3, 4: 4}
_WHITESPACE = " \t\n\r"
_ABSENT: Any = object()
_SEQ_RANGE = (-(2**63), 2**63 - 1)  # what a seq column holds; the reader refuses the rest


class _Doubt(Exception):
    """This line is not plainly our writer's: let `record_from_json` decide."""


def _columns(line: dict[str, Any]) -> tuple[int, float, int, int, int, str, str, Any]:
    """(seq, time, kind, direction, type, connection, station, action) of a record line, or
    `_Doubt` where `record_from_json` might see it differently."""
    kind = _KIND_OF.get(line.get("kind"))  # type: ignore[arg-type]
    stamp = line.get("time")
    seq = line.get("seq")
    if (kind is None or stamp.__class__ is not str or seq.__class__ is not int
            or not _SEQ_RANGE[0] <= seq <= _SEQ_RANGE[1]):
        raise _Doubt
    raw_direction = line.get("dir")
    direction = _DIRECTION_OF.get(raw_direction, -1) if raw_direction else 0
    meta = line.get("meta")
    connection, station = line.get("conn", ""), line.get("station", "")
    if (direction < 0 or (meta is not None and meta.__class__ is not dict)
            or connection.__class__ is not str or station.__class__ is not str):
        raise _Doubt
    if line.get("kind") == _FRAME and line.get("text", "").__class__ is not str:
        raise _Doubt
    mono = line.get("mono", 0.0)
    if mono.__class__ is not float and mono.__class__ is not int:
        raise _Doubt
    data = line.get("data", _ABSENT)
    if data is not _ABSENT:
        try:
            base64.b64decode(data, validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise _Doubt from None
    message_type = line.get("type")
    if message_type is None:
        type_code = NO_TYPE
    elif message_type.__class__ is int:
        type_code = _TYPE_CODES.get(message_type, OTHER_TYPE)
    else:
        type_code = NO_TYPE  # a bool, a string: no message type, as the reader says
    action = line.get("action")
    if action.__class__ is not str:
        action = None
    try:
        when = datetime.fromisoformat(stamp).timestamp()
    except (ValueError, OverflowError, OSError):
        raise _Doubt from None
    return seq, when, kind, direction, type_code, connection, station, action


def index_lines(reader: SessionReader, store: RecordStore, batch: int) -> Iterator[int]:
    """Index every record line of `reader`'s file into `store`, yielding after each `batch`
    records how many it added (`batch`, and fewer at the end), so that a caller can stop
    between two; lines that are
    not records are skipped with the reader's warnings, and repeated seqs renumbered, as
    `SessionReader.located` does."""
    offsets, seqs, times = store.offsets, store.seqs, store.times
    kinds, directions, types = store.kinds, store.directions, store.types
    stations, connections, actions = store.stations, store.connections, store.actions
    names = store.names
    known, id_of = names.ids, names.id_of
    scan = _scan
    sequencer = Sequencer(reader.note)
    number, unreported = 1, 0
    with reader.path.open("rb") as stream:
        stream.seek(reader.records_start)
        position = reader.records_start
        for raw in stream:
            number += 1
            offset = position
            position += len(raw)
            reader.bytes_read = position
            value: Any = None
            if raw[0] == 0x7B:  # "{": the quick path of `located`
                try:
                    text = raw.decode("utf-8")
                    value, end = scan(text, 0)
                    if end < len(text) and text[end:].strip(_WHITESPACE):
                        value = None
                except (ValueError, StopIteration, RecursionError):
                    value = None
            try:
                if value is None:
                    raise _Doubt
                seq, when, kind, direction, type_code, connection, station, action = \
                    _columns(value)
            except (_Doubt, TypeError):  # TypeError: an unhashable kind or direction
                indexed = _careful(reader, number, raw, value)
                if indexed is None:
                    continue
                seq, when, kind, direction, type_code, connection, station, action = indexed
            seq = sequencer.next(number, seq)
            # The narrow columns widen (a new, wider array) for the value that does not fit:
            # the store is given the new one and the loop goes on with it. The seq goes
            # first, so that a line whose seq fits no column adds nothing at all.
            try:
                seqs.append(seq)
            except OverflowError:
                try:
                    seqs = store.seqs = append_widening(seqs, seq)
                except OverflowError as exc:  # numbered on beyond 64 bits
                    reader.skip_line(number, raw, exc)
                    continue
            offsets.append(offset)
            times.append(when)
            kinds.append(kind)
            directions.append(direction)
            types.append(type_code)
            name = known.get(station)
            name = name if name is not None else id_of(station)
            try:
                stations.append(name)
            except OverflowError:
                stations = store.stations = append_widening(stations, name)
            name = known.get(connection)
            name = name if name is not None else id_of(connection)
            try:
                connections.append(name)
            except OverflowError:
                connections = store.connections = append_widening(connections, name)
            name = known.get(action)
            name = name if name is not None else id_of(action)
            try:
                actions.append(name)
            except OverflowError:
                actions = store.actions = append_widening(actions, name)
            unreported += 1
            if unreported == batch:
                unreported = 0
                yield batch
    if unreported:
        yield unreported


def _careful(reader: SessionReader, number: int, raw: bytes, value: Any,
             ) -> tuple[int, float, int, int, int, str, str, Any] | None:
    """The columns of a line the quick path doubted, as `record_from_json` reads it; None
    (and the reader's warning) for a line that is not a record."""
    try:
        if value is None:
            if not raw.strip():
                return None
            value = parse_line(raw)
            if not isinstance(value, dict):
                raise ValueError("not a JSON object")
        message = record_from_json(value)
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        reader.skip_line(number, raw, exc)
        return None
    kind = message.message_type
    type_code = NO_TYPE if kind is None else kind if kind in (2, 3, 4) else OTHER_TYPE
    return (message.seq, message.time, KIND_CODES[message.kind],
            DIRECTION_CODES.get(message.direction, 0), type_code, message.connection,
            message.station, message.action)
