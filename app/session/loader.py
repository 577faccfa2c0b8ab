"""`SessionLoader`: opening a file of a million records without freezing the GUI.

The GUI cannot wait for a long read (seconds for a big session), nor hand it to a thread (the
work is Python, so a thread would hold the interpreter lock just the same). Instead the GUI
calls `step()` from its event loop, e.g. from a zero-interval timer, until it returns False;
each call reads records for about `budget_seconds` and returns, so that the window repaints,
the progress bar moves and Cancel is honoured between two steps. `messages` grows as it
goes: a view can show `messages[shown:]` after each step. For a session file `messages` is a
`RecordStore`: an index of the records, each read back from the file when asked for, so a
file bigger than memory opens.

Reading goes through `SessionReader` for session files, and through `app.inputs.open_frames`
for the other files `ocppscope validate` accepts (a JSON list of frames, one frame per line),
so every file loads as the rest of the program understands it: such files carry no times
(`times_known` is False; their records say 0) and their directions are inferred there.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from app.inputs import InputError, InputFrame, open_frames
from app.ocpp.frames import Call, parse_frame
from app.session.message import Message, RecordKind, frame_message
from app.session.sessionfile import SessionFileError, SessionReader
from app.session.store import RecordStore

# Records between two looks at the clock: about a millisecond of work, so a step overshoots
# its budget by that much at most, and reading the clock costs nothing measurable.
BATCH = 200


class SessionLoader:
    """Loads one file in steps; make one with `SessionLoader.open(path)`."""

    def __init__(self, path: Path, kind: str, records: Iterator[Message], size: int, *,
                 reader: SessionReader | None = None, header: dict[str, Any] | None = None,
                 freeze_gc: bool = True) -> None:
        self.path = path
        self.kind = kind                        # "session", "json" or "lines"
        self.header: dict[str, Any] = header or {}
        # a session file is its own store: an index of its records, each read back from
        # its line when asked for; other files' records are held as they are
        self.messages: RecordStore | list[Message] = (
            RecordStore(path) if reader is not None else [])
        self.done = False
        self.cancelled = False
        self.error: str | None = None           # why reading stopped early, if it did
        self._records = records
        self._located = reader.located() if reader is not None else iter(())
        self._reader = reader
        self._size = size
        self._freeze_gc = freeze_gc
        self._frames_chars = 0                  # for files of frames: how far, roughly
        self.times_known = kind == "session"    # files of frames carry no times
        self._own_warnings: list[str] = []

    @classmethod
    def open(cls, path: str | Path, *, freeze_gc: bool = True) -> SessionLoader:
        """Raises SessionFileError for a file that cannot be loaded at all (missing, a
        directory, empty or binary, a session of a newer format version). Reads nothing
        beyond the header of a session; a file of frames is read here, whole, as
        `ocppscope validate` does.

        `freeze_gc` keeps the loaded records out of Python's cyclic garbage collector (see
        `step`); turn it off where the process's collector settings must not change."""
        path = Path(path)
        try:
            source = open_frames(path)  # the one place that decides what a file holds
            size = path.stat().st_size
        except InputError as exc:
            raise SessionFileError(str(exc)) from None
        except OSError as exc:
            raise SessionFileError(f"{path}: cannot read ({exc.strerror})") from None
        if source.reader is not None:
            reader = source.reader
            return cls(path, "session", iter(()), size, reader=reader,
                       header=reader.header, freeze_gc=freeze_gc)
        loader = cls(path, source.kind, iter(()), size, freeze_gc=freeze_gc)
        loader._records = loader._frame_messages(source.frames)
        return loader

    @property
    def progress(self) -> float:
        """0..1, by bytes of the file read (for a file of frames, an estimate)."""
        if self.done:
            return 1.0
        if self._size <= 0:
            return 0.0
        if self._reader is not None:
            return min(self._reader.bytes_read / self._size, 1.0)
        return min(self._frames_chars / self._size, 0.99)

    @property
    def warnings(self) -> list[str]:
        """Lines skipped (at most `MAX_WARNINGS` listed), and why reading stopped early."""
        listed = self._reader.warnings if self._reader is not None else []
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
        deadline = time.perf_counter() + budget_seconds
        messages, records = self.messages, self._records
        collecting = gc.isenabled()
        if self._freeze_gc:
            gc.disable()
        try:
            while True:
                before = len(messages)
                if isinstance(messages, RecordStore):
                    add = messages.add
                    for offset, message in islice(self._located, BATCH):
                        add(offset, message)
                else:
                    messages.extend(islice(records, BATCH))
                if len(messages) - before < BATCH:
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
        for records in (self._records, self._located):
            close = getattr(records, "close", None)
            if close is not None:
                close()  # a generator: closes the file it holds open

    def _frame_messages(self, frames: Iterator[InputFrame]) -> Iterator[Message]:
        """Records for the frames of a JSON list or a file of lines: numbered from 1, with
        their envelope summary, and answers given the action of the CALL they answer, as a
        live capture gives them."""
        actions: dict[str, str] = {}
        for index, frame in enumerate(frames):
            self._frames_chars += len(frame.text) + 1
            when = frame.time or 0.0
            if isinstance(frame.text, bytes):  # only sessions hold binary frames; be safe
                yield Message(index + 1, when, when, frame.connection,
                              frame.station, frame.direction, RecordKind.BINARY,
                              data=frame.text)
                continue
            parsed = frame.parsed or parse_frame(frame.text)
            envelope = parsed.frame
            action = None
            if isinstance(envelope, Call):
                actions[envelope.message_id] = envelope.action
            elif envelope is not None:
                action = actions.pop(envelope.message_id, None)
            yield frame_message(index + 1, frame.text, connection=frame.connection,
                                station=frame.station, direction=frame.direction,
                                time=when, monotonic=when, parsed=parsed,
                                action=action)
