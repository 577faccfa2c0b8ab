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

from collections.abc import Iterator
from typing import Any

from app.session.columns import append_widening
from app.session.lines import Sequencer
from app.session.message import RecordKind
from app.session.record_json import plain_record, quick_json, record_from_json
from app.session.sessionfile import SessionReader, parse_line
from app.session.store import DIRECTION_CODES, KIND_CODES, NO_TYPE, OTHER_TYPE, RecordStore

_TYPE_CODES = {2: 2, 3: 3, 4: 4}


_KIND_CODE_OF = {kind: KIND_CODES[kind] for kind in RecordKind}


def _type_code(message_type: Any) -> int:
    """The message type's column, as the reader reads `type`: a bool or a string is none."""
    if message_type.__class__ is int:
        return _TYPE_CODES.get(message_type, OTHER_TYPE)
    return NO_TYPE


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
    kind_code_of, direction_code_of, type_code_of = \
        _KIND_CODE_OF, DIRECTION_CODES.get, _type_code
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
            value = quick_json(raw)
            # the columns straight from the line where `plain_record` vouches for it, as it
            # does for `validate`; from `record_from_json` where it has any doubt
            fields = plain_record(value) if value is not None else None
            if fields is None:
                indexed = _careful(reader, number, raw, value)
                if indexed is None:
                    continue
                seq, when, kind, direction, type_code, connection, station, action = indexed
            else:
                record_kind, seq, when, _, connection, station, record_direction, _ = fields
                kind = kind_code_of[record_kind]
                direction = direction_code_of(record_direction, 0)
                type_code = type_code_of(value.get("type"))
                action = value.get("action")
                if action.__class__ is not str:
                    action = None
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
