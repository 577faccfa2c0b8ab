"""Session files: JSON Lines, one header line, then one line per record, written as it comes.

The format is documented for users and other tools in the README ("Session files").
Reading streams line by line and never raises for bad content: a torn last line (the
recorder was killed mid-write) or a damaged line in the middle becomes a warning, and every
good record is kept. A session file from a stranger is data: it is only ever parsed as JSON.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from app import __version__
from app.errors import SessionFileError
from app.ocpp import fast_json
from app.ocpp.conversation import Direction
from app.session.lines import Sequencer, line_blocks
from app.session.message import Message, RecordKind, iso_time

FORMAT_NAME = "ocppscope-session"
FORMAT_VERSION = 1
MAX_WARNINGS = 100
_scan = json.JSONDecoder().scan_once  # (text, index) -> (value, end), in C
_fast_loads = fast_json.loads_walked
_UNSURE = fast_json.UNSURE


def open_private(path: Path, *, append: bool = False) -> BinaryIO:
    """`path` truncated (or, with `append`, kept and written at its end) and opened for
    unbuffered binary writing, readable by its owner only (an existing file of someone
    else's, which we may write but not chmod, keeps its mode)."""
    flags = (os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
             | getattr(os, "O_BINARY", 0))
    descriptor = os.open(path, flags, 0o600)
    try:
        if hasattr(os, "fchmod"):  # an existing file keeps its mode through O_CREAT
            with contextlib.suppress(PermissionError):
                os.fchmod(descriptor, 0o600)
        return open(descriptor, "wb", buffering=0)
    except BaseException:
        os.close(descriptor)
        raise


def make_header(mode: str, **details: Any) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "program": f"ocppscope {__version__}",
        "created": iso_time(datetime.now(UTC).timestamp()),
        "mode": mode,
        **details,
    }


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
        float(line.get("mono", 0.0)),
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


class SessionWriter:
    """Appends records to a session file, a batch per write.

    The file is unbuffered: each `write_batch` is one write to the operating system, so a
    crash loses at most the batch being written (a torn last line, which the reader ignores).
    A write that fails (disk full, I/O error) raises OSError after cutting the file back to
    its last complete line, so that writing can resume later without gluing a fragment to
    the next record; the caller decides what to do about the records that were not written.

    The file is readable by its owner only (0600 on POSIX, also when it existed before): a
    recording holds station ids, user names, every payload and, with --record-secrets,
    passwords. Sharing it is a deliberate step, not what the umask happened to allow.
    """

    def __init__(self, path: str | Path, header: dict[str, Any], *,
                 stream: BinaryIO | None = None) -> None:
        """Creates `path`, or writes to `stream` (an open, unbuffered binary file) if given:
        tests use that to stand in for a disk that fills up."""
        self.path = Path(path)
        self._file: BinaryIO = stream or open_private(self.path)
        self._good = 0        # the file holds whole lines up to here
        self._torn = False    # a failed write left a fragment we could not cut off
        try:
            self._put(_encode_line(header))
        except OSError:
            self._file.close()
            raise

    def write(self, message: Message) -> None:
        self.write_batch((message,))

    def write_batch(self, messages: Iterable[Message]) -> list[int]:
        """Write these records, all or none (barring a crash mid-write). Returns the byte
        offset at which each one's line begins, so that a `RecordStore` growing with the
        file can read them back from there."""
        lines = [_encode_line(record_to_json(m)) for m in messages]
        start = self._put(b"".join(lines))
        offsets: list[int] = []
        for line in lines:
            offsets.append(start)
            start += len(line)
        return offsets

    def _put(self, data: bytes) -> int:
        """Write `data` whole; returns the offset in the file where it begins."""
        if not data:
            return self._good
        torn = self._torn
        if torn:  # keep the fragment on a line of its own: the reader skips it
            data = b"\n" + data
        try:
            view = memoryview(data)
            while view:
                written = self._file.write(view)
                view = view[written or 0:]
        except OSError:
            self._rewind()
            raise
        if torn:
            self._good = self._file.tell()
            self._torn = False
            return self._good - len(data) + 1
        self._good += len(data)
        return self._good - len(data)

    def _rewind(self) -> None:
        """Cut a partly written batch off (truncating frees space, so it works on a full
        disk); if even that fails, remember that the file ends in a fragment."""
        try:
            self._file.truncate(self._good)
            self._file.seek(self._good)
        except OSError:
            self._torn = True

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()

    def __enter__(self) -> SessionWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _encode_line(value: dict[str, Any]) -> bytes:
    line = json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"
    try:
        return line.encode("utf-8")
    except UnicodeEncodeError:
        # text holding a lone surrogate (a frame wrote "\ud800"): UTF-8 cannot carry it,
        # JSON escapes can, and they read back to the same text
        return (json.dumps(value, separators=(",", ":")) + "\n").encode("ascii")


@dataclass
class SessionReader:
    """Streams the records of a session file. `header` is read on construction; `warnings`
    fills while iterating (a skipped line each, plus a count once there are too many)."""

    path: Path
    header: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0
    bytes_read: int = 0
    size: int = 0
    records_start: int = 0

    @classmethod
    def open(cls, path: str | Path) -> SessionReader:
        path = Path(path)
        if not path.exists():
            raise SessionFileError(f"{path}: no such file")
        if path.is_dir():
            raise SessionFileError(f"{path}: is a directory, not a session file")
        reader = cls(path)
        reader.size = path.stat().st_size
        with path.open("rb") as stream:
            first = stream.readline()
        header = parse_line(first)
        if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
            raise SessionFileError(f"{path}: not an OCPP Scope session file")
        version = header.get("version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise SessionFileError(
                f"{path}: session format version {version!r} is newer than this program "
                f"reads ({FORMAT_VERSION}); update OCPP Scope")
        reader.header = header
        reader.records_start = len(first)
        return reader

    def __iter__(self) -> Iterator[Message]:
        for _offset, message in self.located():
            yield message

    def located(self) -> Iterator[tuple[int, Message]]:
        """The records with the byte offset of each one's line in the file, so that a
        `RecordStore` can keep the offset and read the record back when it is asked for."""
        self.bytes_read = self.records_start
        number = 1
        sequencer = Sequencer(self.note)
        for lines in line_blocks(self.path, self.records_start):
            for raw in lines:
                number += 1
                offset = self.bytes_read
                self.bytes_read += len(raw)
                message = self.careful(number, raw, quick_json(raw))
                if message is None:
                    continue
                seq = sequencer.next(number, message.seq)
                if seq != message.seq:
                    message = renumbered(message, seq)
                yield offset, message

    def careful(self, number: int, raw: bytes, value: Any = None) -> Message | None:
        """The record on line `number` (`raw`, already parsed into `value` if not None),
        as `record_from_json` reads it; None, and the warning that says why, for a line
        that is not a record (a blank line is passed over quietly)."""
        if value is None:
            if not raw.strip():
                return None
            try:
                value = parse_line(raw)
                if not isinstance(value, dict):
                    raise ValueError("not a JSON object")
            except ValueError as exc:
                self.skip_line(number, raw, exc)
                return None
        try:
            return record_from_json(value)
        except (ValueError, KeyError, TypeError, OverflowError) as exc:
            self.skip_line(number, raw, exc)
            return None

    def skip_line(self, number: int, raw: bytes, exc: Exception) -> None:
        if not raw.endswith(b"\n"):
            self._warn(f"line {number}: incomplete last line ignored "
                       f"({len(raw)} bytes; the recording was interrupted)")
        else:
            # a KeyError's text is only the key, quoted: "('kind')" says nothing to a reader
            reason = f"no {exc} field" if isinstance(exc, KeyError) else str(exc)
            self._warn(f"line {number}: skipped, not a valid record ({reason})")

    def note(self, text: str) -> None:
        """Something the reader did to make the file usable (nothing was skipped)."""
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)

    def _warn(self, text: str) -> None:
        self.skipped += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)
        elif len(self.warnings) == MAX_WARNINGS:
            self.warnings.append("further skipped lines are not listed")


def renumbered(message: Message, seq: int) -> Message:
    """`message` under a new seq, keeping the one its file gave it as `meta.file_seq`."""
    meta = dict(message.meta or {})
    meta.setdefault("file_seq", message.seq)
    return replace(message, seq=seq, meta=meta)


def parse_line(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 at byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg}") from None
    except RecursionError:  # a stranger's file: "[[[[..." must not stop the reading
        raise ValueError("not JSON: nested too deeply") from None


def is_session_file(head: bytes) -> bool:
    """Whether the first bytes of a file look like a session header."""
    first = head.split(b"\n", 1)[0]
    try:
        value = json.loads(first.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # "[[[[…": not a header
        return False
    return isinstance(value, dict) and value.get("format") == FORMAT_NAME
