"""`LiveStore`: a live capture's records, kept in the session file they are recorded to.

A window left on a busy proxy for a day would otherwise hold every frame twice over: its
text and payload, and a `Message` around them. A `LiveStore` is the `RecordStore` of the
file the run is being recorded to, growing as the run goes: each record is kept in memory
as it is from the moment the capture appends it until the recorder's thread has written its
line (`located`), and from then on only its index (about 30 bytes), its text read back from
the file when a row is painted, a filter reads it or a consumer asks.

The order matters: a view may ask for a record the instant it is appended, long before the
recorder's next batch reaches the disk; it then gets the copy held in memory. The recorder
notes a record's offset before dropping that copy, so a reader always finds one or the
other. Records the recorder could not write (a full disk) simply stay in memory: nothing
is lost, and Save… writes them all.

The file is opened for reading when the store is made and stays open: on POSIX a recording
moved by Save… or deleted by Discard is still read through that handle. A recording deleted
while it runs is written out again by the recorder, which goes on in that new file: the
store then opens it (`reopen`), since the old handle holds nothing written after. Reads go
straight to the operating system (no read buffer): the file grows under the reader, and a
failed write is cut off and written again, so bytes buffered from its tail could be stale.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import BinaryIO

from app.session.message import Message
from app.session.store import IN_MEMORY, RecordStore

log = logging.getLogger(__name__)

_CHUNK = 4096  # bytes read at a time while looking for the end of a line


class LiveStore(RecordStore):
    """The records of a live run whose recording goes to the session file at `path` (its
    header already written). Pass `located` to the recorder (`Recording` does, when the
    capture's store is over the file it writes)."""

    def __init__(self, path: str | Path, cache_size: int | None = None) -> None:
        if cache_size is None:
            super().__init__(path)
        else:
            super().__init__(path, cache_size)
        # opened now, while the file is surely there: raises OSError if it cannot be read
        self._raw: BinaryIO | None = open(self.path, "rb", buffering=0)  # noqa: SIM115

    @property
    def held(self) -> int:
        """Records held in memory: appended and not yet written, or never written."""
        return len(self._pinned)

    def located(self, messages: list[Message], offsets: list[int]) -> None:
        """The recorder wrote these records, each line beginning at its offset: from now
        on each is read back from the file. Called on the recorder's thread."""
        pinned = self._pinned
        for message, offset in zip(messages, offsets, strict=False):
            position = self.index_of(message.seq)
            if position is None or pinned.get(position) is not message:
                continue  # not one of ours (a record never appended here)
            self.offsets[position] = offset  # first the offset, then drop the copy:
            pinned.pop(position, None)       # a reader finds one or the other

    def reopen(self, path: str | Path, writing: int) -> None:
        """The recording was written out again at `path` (its file had been deleted) and
        the recorder goes on there: read from that file from now on, if it is the one the
        recorder has open as descriptor `writing` (a file that took the name meanwhile is
        not ours). Otherwise the old handle stays: it still reads what was written before.
        Called on the recorder's thread."""
        try:
            fresh = open(path, "rb", buffering=0)  # noqa: SIM115
        except OSError as exc:
            log.warning("cannot read %s back (%s): later records show without their text",
                        path, exc.strerror or exc)
            return
        try:
            ours = os.path.sameopenfile(fresh.fileno(), writing)
        except OSError:
            ours = False
        if not ours:
            fresh.close()
            log.warning("%s is not the file being recorded: later records show without "
                        "their text", path)
            return
        with self._lock:
            stale, self._raw = self._raw, fresh
            self.path = Path(path)
        if stale is not None:
            stale.close()

    def moved(self, path: str | Path) -> None:
        """The recording was moved to `path` (Save…): later opens look there."""
        self.path = Path(path)

    def _line(self, offset: int) -> bytes:
        if offset == IN_MEMORY:
            raise OSError("the record was never written")
        with self._lock:
            raw = self._raw
            if raw is None:
                raw = self._raw = open(self.path, "rb", buffering=0)  # noqa: SIM115
            raw.seek(offset)
            line = b""
            while True:
                chunk = raw.read(_CHUNK)
                if not chunk:
                    return line
                end = chunk.find(b"\n")
                if end >= 0:
                    return line + chunk[:end + 1]
                line += chunk

    def close(self) -> None:
        with self._lock:
            if self._raw is not None:
                self._raw.close()
                self._raw = None
        super().close()


def live_store(path: Path) -> LiveStore | None:
    """A store over the recording just started at `path`, or None (logged) if the file
    cannot be read back: the capture then keeps its records in memory, as it always could."""
    try:
        return LiveStore(path)
    except OSError as exc:
        log.warning("cannot read %s back (%s): the records stay in memory", path,
                    exc.strerror or exc)
        return None
