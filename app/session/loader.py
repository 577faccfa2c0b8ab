"""`SessionLoader`: opening a file of a million records without freezing the GUI.

The GUI cannot wait for a long read (seconds for a big session), nor hand it to a thread (the
work is Python, so a thread would hold the interpreter lock just the same). Instead the GUI
calls `step()` from its event loop, e.g. from a zero-interval timer, until it returns False;
each call reads records for about `budget_seconds` and returns, so that the window repaints,
the progress bar moves and Cancel is honoured between two steps. `messages` grows as it
goes: a view can show `messages[shown:]` after each step. For a session file `messages` is a
`RecordStore`: an index of the records, each read back from the file when asked for, so a
file bigger than memory opens.

Session files stream through `SessionReader`. Every other format goes through the import
layer (`app.session.importing`: logs of other implementations, trace files, frame lists,
OCPP.Core dump folders), which reads a whole file at once: that runs on a worker thread,
and `step()` waits on it for no longer than its budget, so the window stays responsive
(the interpreter lock switches between the two threads every few milliseconds). The format
is recognised from the head of the file before that, so that a file no importer reads is
refused at `open` in one sentence. What the import skipped or assumed is in `notes`.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from app.errors import InputError
from app.session.importing import (
    HEAD_BYTES,
    Imported,
    ImportNote,
    as_utf8,
    import_path,
    importer_for,
    left_out,
    unknown_format,
)
from app.session.indexing import index_lines
from app.session.message import Message
from app.session.sessionfile import (
    SessionFileError,
    SessionReader,
    is_session_file,
    recorded_answer_timeout,
)
from app.session.store import RecordStore

# How the plain formats show as a loader's kind (the others show their format's name).
_KINDS = {"JSON list of frames": "json", "JSON frame": "json",
          "text, one frame per line": "lines"}

# Records between two looks at the clock: about a millisecond of work, so a step overshoots
# its budget by that much at most, and reading the clock costs nothing measurable.
BATCH = 200


class SessionLoader:
    """Loads one file in steps; make one with `SessionLoader.open(path)`."""

    def __init__(self, path: Path, kind: str, records: Iterator[Message], size: int, *,
                 reader: SessionReader | None = None, header: dict[str, Any] | None = None,
                 freeze_gc: bool = True) -> None:
        self.path = path
        self.kind = kind                        # "session", "json", "lines" or a format
        self.header: dict[str, Any] = header or {}
        # a session file is its own store: an index of its records, each read back from
        # its line when asked for; other files' records are held as they are
        self.messages: RecordStore | list[Message] = (
            RecordStore(path) if reader is not None else [])
        self.done = False
        self.cancelled = False
        self.error: str | None = None           # why reading stopped early, if it did
        self._records = records
        self._reader = reader
        # a session file is indexed line by line without building its records
        self._indexing = (index_lines(reader, self.messages, BATCH)
                          if reader is not None and isinstance(self.messages, RecordStore)
                          else None)
        self._size = size
        self._freeze_gc = freeze_gc
        self.format = "OCPP Scope session" if kind == "session" else ""
        self.times_known = kind == "session"    # an import says whether its input has them
        self.directions_known = kind == "session"
        self.notes: list[ImportNote] = []       # what an import skipped or assumed
        self.inferred = 0                       # frames whose direction an import inferred
        self.unplaced = 0                       # frames whose direction stayed unknown
        self._own_warnings: list[str] = []
        self._worker: threading.Thread | None = None
        self._imported: Imported | None = None
        self._import_error = ""
        self._total = 0                         # records of an import, once read

    @property
    def answer_timeout(self) -> float:
        """The answer timeout the session was recorded with (30 s if it does not say)."""
        return recorded_answer_timeout(self.header)

    @classmethod
    def open(cls, path: str | Path, *, freeze_gc: bool = True) -> SessionLoader:
        """Raises SessionFileError for a file that cannot be loaded at all (missing, empty
        or binary, a format nobody reads, a session of a newer format version, a folder
        that is no OCPP.Core dump). Reads nothing beyond the header of a session; another
        format is read whole by a worker thread that `step()` waits on.

        `freeze_gc` keeps the loaded records out of Python's cyclic garbage collector (see
        `step`); turn it off where the process's collector settings must not change."""
        path = Path(path)
        try:
            if str(path) == "-" or path.is_dir():
                # standard input is read whole at once; a dump folder's listing says at
                # once whether it is one
                return cls.of_import(path, import_path(path), freeze_gc=freeze_gc)
            if not path.exists():
                raise InputError(f"{path}: no such file")
            size = path.stat().st_size
            with path.open("rb") as stream:
                head = stream.read(HEAD_BYTES)
            if not head.strip():
                raise InputError(f"{path}: the file is empty")
            if is_session_file(head):
                reader = SessionReader.open(path)
                return cls(path, "session", iter(reader), size, reader=reader,
                           header=reader.header, freeze_gc=freeze_gc)
            if importer_for(as_utf8(head, head=True)) is None:
                raise InputError(unknown_format(str(path), head))
        except SessionFileError:
            raise
        except InputError as exc:
            raise SessionFileError(str(exc)) from None
        except OSError as exc:
            raise SessionFileError(f"{path}: cannot read ({exc.strerror})") from None
        loader = cls(path, "import", iter(()), size, freeze_gc=freeze_gc)
        loader._start_import()
        return loader

    @classmethod
    def of_import(cls, path: str | Path, imported: Imported, *,
                  freeze_gc: bool = True) -> SessionLoader:
        """A loader of records an import already read (standard input, which a caller may
        have had to read before knowing what it holds), named `path`."""
        loader = cls(Path(path), "import", iter(()), 0, freeze_gc=freeze_gc)
        loader._adopt_import(imported)
        return loader

    def _start_import(self) -> None:
        def run() -> None:
            try:
                self._imported = import_path(self.path)
            except InputError as exc:
                self._import_error = str(exc)
            except Exception as exc:  # our bug, or memory: told, never a dead thread
                self._import_error = f"{self.path}: cannot be read ({exc or type(exc).__name__})"

        self._worker = threading.Thread(target=run, name="import", daemon=True)
        self._worker.start()

    def _adopt_import(self, imported: Imported) -> None:
        self.kind = _KINDS.get(imported.format, imported.format)
        self.format = imported.format
        self.notes = list(imported.notes)
        self.times_known = imported.times_known
        self.directions_known = imported.directions_known
        self.inferred, self.unplaced = imported.inferred, imported.unplaced
        self._records = iter(imported.messages)
        self._total = len(imported.messages)

    def _import_pending(self, budget_seconds: float) -> bool:
        """Wait up to `budget_seconds` for the worker; True while it is still reading."""
        worker = self._worker
        if worker is None:
            return False
        worker.join(budget_seconds)
        if worker.is_alive():
            return True
        self._worker = None
        if self._imported is not None:
            self._adopt_import(self._imported)
            self._imported = None
        elif self._import_error:
            self.error = self._import_error
            self._own_warnings.append(self.error)
        return False

    @property
    def progress(self) -> float:
        """0..1, by bytes of the file read (for a file of frames, an estimate)."""
        if self.done:
            return 1.0
        if self._size <= 0:
            return 0.0
        if self._reader is not None:
            return min(self._reader.bytes_read / self._size, 1.0)
        if self._worker is not None or not self._total:
            return 0.0  # the import is still reading (a worker cannot say how far)
        return min(len(self.messages) / self._total, 0.99)

    @property
    def warnings(self) -> list[str]:
        """Lines skipped (at most `MAX_WARNINGS` listed), and why reading stopped early."""
        listed = self._reader.warnings if self._reader is not None else [
            note.placed for note in left_out(self.notes)]
        return listed + self._own_warnings

    @property
    def skipped(self) -> int:
        return self._reader.skipped if self._reader is not None else 0

    def step(self, budget_seconds: float = 0.03) -> bool:
        """Read records for about `budget_seconds`; returns False once there is nothing more
        to do (the file is read, reading failed, or the load was cancelled).

        The cyclic garbage collector is paused during a step and, with `freeze_gc`, the
        records read are moved out of its reach at the end of it (`gc.freeze`): otherwise a
        full collection, which visits every record and takes a quarter of a second for a
        million of them, would run now and then while loading and later, stalling the GUI.
        Records form no cycles, so reference counting still frees them when dropped. The
        cost: a cycle of garbage that exists at that moment elsewhere is never collected."""
        if self.done:
            return False
        if self._import_pending(budget_seconds):
            return True
        if self.error:
            self._finish()
            return False
        deadline = time.perf_counter() + budget_seconds
        messages, records = self.messages, self._records
        collecting = gc.isenabled()
        if self._freeze_gc:
            gc.disable()
        try:
            while True:
                if self._indexing is not None:
                    added = next(self._indexing, 0)
                else:
                    before = len(messages)
                    messages.extend(islice(records, BATCH))
                    added = len(messages) - before
                if added < BATCH:
                    self._finish()
                    return False
                if time.perf_counter() >= deadline:
                    return True
        except OSError as exc:  # the file vanished or the disk failed: keep what was read
            self.error = f"{self.path}: reading stopped ({exc.strerror or exc})"
            self._own_warnings.append(self.error)
            self._finish()
            return False
        finally:
            if self._freeze_gc:
                gc.freeze()
                if collecting:
                    gc.enable()

    def cancel(self) -> None:
        """Stop reading and close the file; the records read so far stay in `messages`."""
        if not self.done:
            self.cancelled = True
            self._finish()

    def load_all(self) -> RecordStore | list[Message]:
        """Read everything now, for callers without an event loop (tests, scripts)."""
        while self.step(1.0):
            pass
        return self.messages

    def _finish(self) -> None:
        self.done = True
        for records in (self._records, self._indexing):
            close = getattr(records, "close", None)
            if close is not None:
                close()  # a generator: closes the file it holds open
