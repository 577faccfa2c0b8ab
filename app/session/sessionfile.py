"""Session files: JSON Lines, one header line, then one line per record, flushed as written.

The format is documented for users and other tools in the README ("Session files").
Reading streams line by line and never raises for bad content: a torn last line (the
recorder was killed mid-write) or a damaged line in the middle becomes a warning, and every
good record is kept. A session file from a stranger is data: it is only ever parsed as JSON.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from app import __version__
from app.ocpp.conversation import Direction
from app.session.message import Message, RecordKind, iso_time

FORMAT_NAME = "ocppscope-session"
FORMAT_VERSION = 1
MAX_WARNINGS = 100


class SessionFileError(Exception):
    """The file cannot be read as a session at all (missing, a directory, not a session)."""


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


def record_from_json(line: dict[str, Any]) -> Message:
    """Raises KeyError/ValueError/TypeError for a line that is not a record."""
    kind = RecordKind(line["kind"])
    direction = line.get("dir")
    stamp = line["time"]
    if not isinstance(stamp, str):
        raise ValueError("time is not a string")
    text = line.get("text", "") if kind is RecordKind.FRAME else ""
    if not isinstance(text, str):
        raise ValueError("text is not a string")
    meta = line.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise ValueError("meta is not an object")
    return Message(
        seq=int(line["seq"]),
        time=datetime.fromisoformat(stamp).timestamp(),
        monotonic=float(line.get("mono", 0.0)),
        connection=str(line.get("conn", "")),
        station=str(line.get("station", "")),
        direction=Direction(direction) if direction else None,
        kind=kind,
        text=text,
        data=base64.b64decode(line["data"], validate=True) if "data" in line else b"",
        message_type=_optional_int(line.get("type")),
        message_id=_optional_str(line.get("id")),
        action=_optional_str(line.get("action")),
        meta=meta,
    )


def _optional_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _optional_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class SessionWriter:
    """Appends records to a session file; every record is flushed as it is written, so a
    crash loses at most the line being written (which the reader then ignores)."""

    def __init__(self, path: str | Path, header: dict[str, Any]) -> None:
        self.path = Path(path)
        self._file: IO[str] = self.path.open("w", encoding="utf-8", newline="\n")
        self._write(header)

    def write(self, message: Message) -> None:
        self._write(record_to_json(message))

    def _write(self, value: dict[str, Any]) -> None:
        self._file.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()

    def __enter__(self) -> SessionWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
    _first_line_end: int = 0

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
        header = _loads(first)
        if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
            raise SessionFileError(f"{path}: not an OCPP Scope session file")
        version = header.get("version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise SessionFileError(
                f"{path}: session format version {version!r} is newer than this program "
                f"reads ({FORMAT_VERSION}); update OCPP Scope")
        reader.header = header
        reader._first_line_end = len(first)
        return reader

    def __iter__(self) -> Iterator[Message]:
        with self.path.open("rb") as stream:
            stream.seek(self._first_line_end)
            self.bytes_read = self._first_line_end
            number = 1
            for raw in stream:
                number += 1
                self.bytes_read += len(raw)
                if not raw.strip():
                    continue
                torn = not raw.endswith(b"\n")
                try:
                    value = _loads(raw)
                    if not isinstance(value, dict):
                        raise ValueError("not a JSON object")
                    message = record_from_json(value)
                except (ValueError, KeyError, TypeError, OverflowError) as exc:
                    if torn:
                        self._warn(f"line {number}: incomplete last line ignored "
                                   f"({len(raw)} bytes; the recording was interrupted)")
                    else:
                        self._warn(f"line {number}: skipped, not a valid record ({exc})")
                    continue
                yield message

    def _warn(self, text: str) -> None:
        self.skipped += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)
        elif len(self.warnings) == MAX_WARNINGS:
            self.warnings.append("further skipped lines are not listed")


def _loads(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 at byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg}") from None


def is_session_file(head: bytes) -> bool:
    """Whether the first bytes of a file look like a session header."""
    first = head.split(b"\n", 1)[0]
    try:
        value = json.loads(first.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    return isinstance(value, dict) and value.get("format") == FORMAT_NAME
