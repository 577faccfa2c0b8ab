"""Session files: JSON Lines, one header line, then one line per record, written as it comes.

The format is documented for users and other tools in the README ("Session files").
Reading streams line by line and never raises for bad content: a torn last line (the
recorder was killed mid-write) or a damaged line in the middle becomes a warning, and every
good record is kept. A session file from a stranger is data: it is only ever parsed as JSON.
Each record line is written and read by `app.session.record_json`, which the other readers of
session lines share.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from app import __version__
from app.errors import SessionFileError
from app.ocpp.conversation import ANSWER_TIMEOUT
from app.session.lines import Sequencer, line_blocks
from app.session.message import Message, iso_time
from app.session.record_json import quick_json, record_from_json, record_to_json

FORMAT_NAME = "ocppscope-session"
FORMAT_VERSION = 1
MAX_WARNINGS = 100
# what an editor saving "UTF-8" on Windows may put before the header: passed over
UTF8_BOM = b"\xef\xbb\xbf"


def open_private(path: Path, *, append: bool = False, exclusive: bool = False) -> BinaryIO:
    """`path` truncated (or, with `append`, kept and written at its end; with `exclusive`,
    created new or FileExistsError) and opened for unbuffered binary writing, readable by
    its owner only (an existing file of someone else's, which we may write but not chmod,
    keeps its mode)."""
    # read too: a recording deleted under us is read back from its descriptor
    flags = (os.O_RDWR | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
             | (os.O_EXCL if exclusive else 0) | getattr(os, "O_BINARY", 0))
    descriptor = os.open(path, flags, 0o600)
    try:
        if hasattr(os, "fchmod"):  # an existing file keeps its mode through O_CREAT
            with contextlib.suppress(PermissionError):
                os.fchmod(descriptor, 0o600)
        return open(descriptor, "wb", buffering=0)
    except BaseException:
        os.close(descriptor)
        raise


def recorded_answer_timeout(header: dict[str, Any]) -> float:
    """The answer timeout a session was recorded with (its header's `answer_timeout`), so
    that loading it judges its CALLs as the live run did; the default for files that do not
    say (older ones, imports) or say something that is no positive number of seconds."""
    value = header.get("answer_timeout")
    if value.__class__ not in (int, float) or not 0 < value < math.inf:
        return ANSWER_TIMEOUT
    return float(value)


def make_header(mode: str, **details: Any) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "program": f"ocppscope {__version__}",
        "created": iso_time(datetime.now(UTC).timestamp()),
        "mode": mode,
        **details,
    }


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
        self.path = Path(path)  # where the records are: see `_restore_if_deleted`
        self.requested = self.path  # the path the recording was asked for
        self._file: BinaryIO = stream or open_private(self.path)
        self._watch = stream is None  # our own file, which a cleanup may delete under us
        self._good = 0        # the file holds whole lines up to here
        self._torn = False    # a failed write left a fragment we could not cut off
        self.restored = 0     # how often the file was deleted and written out again
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
        self.keep_file()
        torn = self._torn
        if torn:  # keep the fragment on a line of its own: the reader skips it
            data = b"\n" + data
        try:
            _write_whole(self._file, data)
        except OSError:
            self._rewind()
            raise
        if torn:
            self._good = self._file.tell()
            self._torn = False
            return self._good - len(data) + 1
        self._good += len(data)
        return self._good - len(data)

    def fileno(self) -> int:
        """The descriptor of the file written now (a new one once the file was written out
        again), so that a reader can tell that file from another under the same name."""
        return self._file.fileno()

    def keep_file(self) -> None:
        """Before each write, and by a recording before it closes: the file is written out
        again if it was deleted (see `_restore_if_deleted`; OSError if it cannot be)."""
        if self._watch and not self._file.closed:
            self._restore_if_deleted()

    def _restore_if_deleted(self) -> None:
        """A recording whose file was deleted while it ran (a cleanup of the captures
        folder, the folder removed) would go on into a file that no name reaches, and be
        gone at close with everything it held. While our descriptor is open its lines are
        still there: write them out again under the same path (making the folder again)
        and go on in that file, at the same offsets. Another file that took the name is
        never overwritten: the recording goes to a name beside it that no file has
        (`restored_names`), and `path` says which. Raises OSError when that cannot be done,
        like a failed write (the records are then counted as lost, and this is tried again
        at the next write)."""
        try:
            if os.fstat(self._file.fileno()).st_nlink > 0:
                return
        except OSError:
            return  # a descriptor we cannot ask about: nothing to say it was deleted
        self.path.parent.mkdir(parents=True, exist_ok=True)
        path, fresh = self._claim_name()
        try:
            self._copy_into(fresh)
        except OSError as exc:
            fresh.close()
            with contextlib.suppress(OSError):  # ours, and cut short: not left as the file
                path.unlink()
            raise OSError(exc.errno, f"the recording was deleted and could not be written "
                                     f"again in full: {exc.strerror or exc}") from exc
        self._file.close()
        self._file = fresh
        self.path = path
        self._torn = False  # a fragment past the last whole line stayed in the old file
        self.restored += 1

    def _claim_name(self) -> tuple[Path, BinaryIO]:
        """The recording's path, or the first name beside it that no file has, created new
        for writing; OSError (EEXIST) if every one is taken."""
        for path in dict.fromkeys((self.path, *restored_names(self.requested))):
            try:
                return path, open_private(path, exclusive=True)
            except FileExistsError:
                continue
        raise OSError(errno.EEXIST, f"the recording was deleted, and other files took its "
                                    f"name and every name beside it, '{self.path}'")

    def _copy_into(self, fresh: BinaryIO) -> None:
        """Every whole line of the deleted file into `fresh`; OSError unless `fresh` then
        holds exactly those bytes (a short write near a full disk or a size limit would
        otherwise leave a file cut short, and every later offset wrong)."""
        position = 0
        while position < self._good:
            chunk = os.pread(self._file.fileno(), min(1 << 20, self._good - position),
                             position)
            if not chunk:
                break
            _write_whole(fresh, chunk)
            position += len(chunk)
        size = os.fstat(fresh.fileno()).st_size
        if size != self._good:
            raise OSError(errno.EIO, f"it holds {size:,} of {self._good:,} bytes")

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


RESTORED_NAMES = 100  # names tried beside a recording whose own name another file took


def restored_names(path: Path) -> Iterator[Path]:
    """Names for a recording written out again when another file took `path`: `s.jsonl`
    gives `s.restored.jsonl`, then `s.restored-2.jsonl` and on."""
    for number in range(1, RESTORED_NAMES + 1):
        tail = "" if number == 1 else f"-{number}"
        yield path.with_name(f"{path.stem}.restored{tail}{path.suffix}")


def _write_whole(stream: BinaryIO, data: bytes) -> None:
    """Write all of `data`, going on after a short write (a nearly full disk takes what
    fits, and only the next write fails); OSError for a write that takes nothing."""
    view = memoryview(data)
    while view:
        written = stream.write(view)
        if not written:
            raise OSError(errno.ENOSPC, "no byte could be written")
        view = view[written:]


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
    fills while iterating (a skipped line each, plus a count once there are too many), and
    `skips` with the (line, reason) of each skipped line listed there, so that an importer
    can tell the lines it lost from what the reader only noted (a renumbering)."""

    path: Path
    header: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    skips: list[tuple[str, str]] = field(default_factory=list)
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
        header = parse_line(first.removeprefix(UTF8_BOM))
        if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
            raise SessionFileError(f"{path}: not an OCPP Scope session file")
        version = header.get("version")
        if "version" not in header:
            raise SessionFileError(f"{path}: the session header is damaged: its version is "
                                   "missing")
        if not isinstance(version, int) or isinstance(version, bool):
            raise SessionFileError(f"{path}: the session header is damaged: its version is "
                                   f"{version!r}, not a whole number")
        if version > FORMAT_VERSION:
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
            self._warn(f"line {number}", f"incomplete last line ignored "
                                         f"({len(raw)} bytes; the recording was interrupted)")
        else:
            # a KeyError's text is only the key, quoted: "('kind')" says nothing to a reader
            reason = f"no {exc} field" if isinstance(exc, KeyError) else str(exc)
            self._warn(f"line {number}", f"skipped, not a valid record ({reason})")

    def note(self, text: str) -> None:
        """Something the reader did to make the file usable (nothing was skipped)."""
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)

    def _warn(self, where: str, text: str) -> None:
        self.skipped += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(f"{where}: {text}")
            self.skips.append((where, text))
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
    first = head.split(b"\n", 1)[0].removeprefix(UTF8_BOM)
    try:
        value = json.loads(first.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # "[[[[…": not a header
        return False
    return isinstance(value, dict) and value.get("format") == FORMAT_NAME
