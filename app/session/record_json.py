"""One record as a JSON object and back: what every reader and writer of session lines shares.

The session file (`app.session.sessionfile`) writes and streams whole files; the record store
reads single lines back on demand, the window's index and `validate` take only a line's plain
fields (`plain_record`), and `quick_records` builds records of its own. All of them must read
a line alike, or a line one of them keeps another would skip. So the line format lives here,
once, with the tricks that make reading a million of them fast (shared strings, a cheaper
constructor for the frozen `Message`, orjson where it agrees with the standard decoder).
Reading never raises for a stranger's line beyond the documented ValueError/KeyError/TypeError
of `record_from_json`: the callers turn those into a skipped line and a warning.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from typing import Any

from app.ocpp import fast_json
from app.ocpp.conversation import Direction
from app.session.message import Message, RecordKind, iso_time

_scan = json.JSONDecoder().scan_once  # (text, index) -> (value, end), in C
_fast_loads = fast_json.loads_walked
_UNSURE = fast_json.UNSURE

def record_to_json(message: Message) -> dict[str, Any]:
    line: dict[str, Any] = {
        "seq": message.seq,
        "time": iso_time(message.time),
        "mono": round(message.monotonic, 6),
        "conn": message.connection,
        "station": message.station,
        "dir": message.direction.value if message.direction else None,
        "kind": message.kind.value,
    }
    if message.kind is RecordKind.FRAME:
        line["text"] = message.text
        if message.data:  # a text frame that was not UTF-8: its exact bytes
            line["data"] = base64.b64encode(message.data).decode("ascii")
        if message.message_type is not None:
            line["type"] = message.message_type
            line["id"] = message.message_id
            if message.action is not None:
                line["action"] = message.action
    elif message.kind is RecordKind.BINARY:
        line["data"] = base64.b64encode(message.data).decode("ascii")
    if message.meta:
        line["meta"] = dict(message.meta)
    return line


# Loading a million records is dominated by per-record overhead, so the decoder below looks
# enums up in dicts (an Enum call costs as much as parsing a JSON field), builds the frozen
# `Message` through its slots, and shares the strings that repeat: every record of a
# connection names the same station, connection and action, and an answer repeats its CALL's
# id. Shared, they cost a pointer each instead of a string each.
_KINDS: dict[Any, RecordKind] = {kind.value: kind for kind in RecordKind}
_DIRECTIONS: dict[Any, Direction] = {d.value: d for d in Direction}
_FRAME = RecordKind.FRAME
_SHARED_LIMIT = 65_536        # distinct stations, connections and actions kept for sharing
_RECENT_IDS_LIMIT = 4_096     # message ids kept so that an answer shares its CALL's id
_shared: dict[str, str] = {}
_recent_ids: dict[str, str] = {}
_ABSENT: Any = object()
_FLOAT_HOLDS = int(sys.float_info.max)  # the largest integer `float()` takes


def _share(value: str, table: dict[str, str], limit: int) -> str:
    """Called on a miss only (hits are an inlined `table.get`)."""
    if len(table) >= limit:
        table.clear()  # bounded: a file of a million distinct ids must not keep them all
    table[value] = value
    return value


_MESSAGE_FIELDS = ("seq", "time", "monotonic", "connection", "station", "direction", "kind",
                   "text", "data", "message_type", "message_id", "action", "meta")


class _UnfrozenMessage:
    """The slots of `Message` under a plain class, which sets them at the cost of a local
    assignment each; `_message_builder` then makes the object a `Message`."""

    __slots__ = _MESSAGE_FIELDS

    def __init__(self, seq: int, time: float, monotonic: float, connection: str,
                 station: str, direction: Direction | None, kind: RecordKind, text: str,
                 data: bytes, message_type: int | None, message_id: str | None,
                 action: str | None, meta: dict[str, Any] | None) -> None:
        self.seq = seq
        self.time = time
        self.monotonic = monotonic
        self.connection = connection
        self.station = station
        self.direction = direction
        self.kind = kind
        self.text = text
        self.data = data
        self.message_type = message_type
        self.message_id = message_id
        self.action = action
        self.meta = meta


def _message_builder() -> Callable[..., Message]:
    """`Message(*fields)` at a quarter of the cost: a frozen dataclass's `__init__` goes
    through `object.__setattr__` once per field, which was a third of the time of loading a
    record. The fields are set on an `_UnfrozenMessage`, whose slots are laid out as
    `Message`'s, and the object then becomes a `Message` (the interpreter allows the class
    change only between classes of the same layout). Used only while `Message` has exactly
    these slots and no `__post_init__`, and the result of a trial equals `Message`'s;
    otherwise the ordinary constructor."""
    trial = (1, 2.0, 3.0, "c", "s", None, RecordKind.FRAME, "t", b"", 2, "i", "a", None)
    if (tuple(f.name for f in fields(Message)) != _MESSAGE_FIELDS
            or getattr(Message, "__slots__", None) != _MESSAGE_FIELDS
            or hasattr(Message, "__post_init__")):
        return Message

    def build(seq: int, time: float, monotonic: float, connection: str, station: str,
              direction: Direction | None, kind: RecordKind, text: str, data: bytes,
              message_type: int | None, message_id: str | None, action: str | None,
              meta: dict[str, Any] | None) -> Message:
        message: Any = _UnfrozenMessage(seq, time, monotonic, connection, station,
                                        direction, kind, text, data, message_type,
                                        message_id, action, meta)
        message.__class__ = Message
        return message  # type: ignore[no-any-return]

    try:
        built = build(*trial)
    except TypeError:  # an interpreter that refuses the class change
        return Message
    if built.__class__ is not Message or built != Message(*trial):
        return Message
    return build


_new_message = _message_builder()
build_message = _new_message  # for the other readers of session lines (`quick_records`)


def record_from_json(line: dict[str, Any]) -> Message:
    """Raises KeyError/ValueError/TypeError for a line that is not a record."""
    raw_kind = line["kind"]
    try:
        kind = _KINDS[raw_kind]
    except (KeyError, TypeError):
        raise ValueError(f"{raw_kind!r} is not a record kind") from None
    stamp = line["time"]
    if not isinstance(stamp, str):
        raise ValueError("time is not a string")
    direction = line.get("dir")
    if direction:
        try:
            direction = _DIRECTIONS[direction]
        except (KeyError, TypeError):
            raise ValueError(f"{direction!r} is not a direction") from None
    else:
        direction = None
    text = ""
    if kind is _FRAME:
        text = line.get("text", "")
        if not isinstance(text, str):
            raise ValueError("text is not a string")
    meta = line.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise ValueError("meta is not an object")
    connection = line.get("conn", "")
    if not isinstance(connection, str):
        connection = str(connection)
    connection = _shared.get(connection) or _share(connection, _shared, _SHARED_LIMIT)
    station = line.get("station", "")
    if not isinstance(station, str):
        station = str(station)
    station = _shared.get(station) or _share(station, _shared, _SHARED_LIMIT)
    message_type = line.get("type")
    if message_type.__class__ is not int and (  # the check in full only for the odd ones
            isinstance(message_type, bool) or not isinstance(message_type, int)):
        message_type = None
    message_id = line.get("id")
    if isinstance(message_id, str):
        message_id = (_recent_ids.get(message_id)
                      or _share(message_id, _recent_ids, _RECENT_IDS_LIMIT))
    else:
        message_id = None
    action = line.get("action")
    if isinstance(action, str):
        action = _shared.get(action) or _share(action, _shared, _SHARED_LIMIT)
    else:
        action = None
    data = line.get("data", _ABSENT)
    seq = int(line["seq"])
    if not -(2**63) <= seq < 2**63:  # no index column holds it: not a line we could write
        raise ValueError("seq does not fit in 64 bits")
    return _new_message(
        seq,
        datetime.fromisoformat(stamp).timestamp(),  # C; a parser in Python is slower
        _seconds(line.get("mono", 0.0)),
        connection,
        station,
        direction,
        kind,
        text,
        b"" if data is _ABSENT else base64.b64decode(data, validate=True),
        message_type,
        message_id,
        action,
        meta,
    )


def quick_json(raw: bytes) -> Any:
    """The JSON value on a record line by orjson (`fast_json`, where it is sure to agree),
    or else by the C scanner alone (no `json.loads` wrapper): the quick path of every
    reader of session lines. None for anything unusual (no `{` first, not UTF-8, not
    JSON, more after the value): the careful path (`SessionReader.careful`) then decides,
    and words the warning, the same for every reader."""
    if raw[0] != 0x7B:  # "{"
        return None
    value = _fast_loads(raw)  # orjson where it is sure to agree with the scanner below
    if value is not _UNSURE:
        return value
    try:
        text = raw.decode("utf-8")
        value, end = _scan(text, 0)
    except (ValueError, StopIteration, RecursionError):
        return None
    if end < len(text) and text[end:].strip(" \t\n\r"):
        return None
    return value


# (kind, seq, time, monotonic, connection, station, direction, text) of a record line
PlainRecord = tuple[RecordKind, int, float, float, str, str, Direction | None, str]


def _seconds(value: Any) -> float:
    """A record's monotonic time as `float()` reads it, with a plain word for a number too
    large for any float (`float()` says "int too large to convert to float")."""
    try:
        return float(value)
    except OverflowError:
        raise ValueError("its monotonic time (mono) is too large a number") from None


def plain_record(line: dict[str, Any]) -> PlainRecord | None:
    """The fields of a record line as our writer writes it, each what `record_from_json`
    makes of it, without building the record: for the readers that need no more (the
    window's index, `validate`), so that they keep and skip the lines the reader does.
    None where `record_from_json` might read the line otherwise or refuse it, and for bytes
    (`data`, a binary record): such a line takes the careful path. What is left out (type,
    id, action) never makes a line skipped."""
    raw_kind, stamp, seq = line.get("kind"), line.get("time"), line.get("seq")
    if raw_kind.__class__ is not str or stamp.__class__ is not str \
            or seq.__class__ is not int or not -(2**63) <= seq < 2**63 or "data" in line:
        return None
    kind = _KINDS.get(raw_kind)
    raw_direction = line.get("dir")
    direction = _DIRECTIONS.get(raw_direction) if raw_direction.__class__ is str else None
    meta, text = line.get("meta"), line.get("text", "")
    connection, station = line.get("conn", ""), line.get("station", "")
    monotonic = line.get("mono", 0.0)
    if monotonic.__class__ is int:
        if not -_FLOAT_HOLDS <= monotonic <= _FLOAT_HOLDS:
            return None  # no float holds it: the careful path says what is wrong
        monotonic = float(monotonic)
    if (kind is None or kind is RecordKind.BINARY or (raw_direction and direction is None)
            or (meta is not None and meta.__class__ is not dict)
            or (kind is _FRAME and text.__class__ is not str)
            or connection.__class__ is not str or station.__class__ is not str
            or monotonic.__class__ is not float):
        return None
    try:
        when = datetime.fromisoformat(stamp).timestamp()  # one the reader cannot read: skip
    except (ValueError, OverflowError, OSError):
        return None
    return kind, seq, when, monotonic, connection, station, direction, \
        text if kind is _FRAME else ""
