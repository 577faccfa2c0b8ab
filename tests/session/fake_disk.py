"""Stand-ins for files that fail the way real ones do, so that every machine can run the
tests of a full disk and of a stuck reader."""

from __future__ import annotations

import errno
import io
import os
import threading
import time
from collections.abc import Callable


class SmallDisk(io.RawIOBase):
    """An unbuffered binary file on a disk with `free` bytes: a write that does not fit
    writes what fits and returns the short count, the next one raises ENOSPC, as a real
    file system does. Truncating gives the space back. `free` can be raised to make room."""

    def __init__(self, free: int) -> None:
        self.data = bytearray()
        self.position = 0
        self.free = free
        self.failures = 0

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        room = self.free - len(self.data)
        if room <= 0:
            self.failures += 1
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        chunk = bytes(data[:room])
        self.data[self.position:self.position + len(chunk)] = chunk
        self.position += len(chunk)
        return len(chunk)

    def truncate(self, size: int | None = None) -> int:
        size = self.position if size is None else size
        del self.data[size:]
        return size

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = offset if whence == 0 else len(self.data) + offset
        return self.position

    def tell(self) -> int:
        return self.position

    def lines(self) -> list[bytes]:
        return bytes(self.data).splitlines(keepends=True)


class CrampedFile(io.FileIO):
    """A real file on a disk with room for `room[0]` more bytes (a list, so that a test can
    make room later): a write that does not fit writes what fits and returns the short
    count, the next one raises ENOSPC."""

    def __init__(self, descriptor: int, room: list[int]) -> None:
        super().__init__(descriptor, "wb")
        self.room = room

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.room[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written = super().write(bytes(data[:self.room[0]])) or 0
        self.room[0] -= written
        return written


class StuckWriter:
    """A sink writer that blocks until `release` is set, as a pipe nobody reads does;
    `entered` is set when a write is waiting. Records every (batch, gap) it was given."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls: list[tuple[list, object]] = []

    def __call__(self, batch: list, gap: object) -> None:
        self.entered.set()
        if not self.release.wait(30):
            raise AssertionError("the test never released the writer")
        self.calls.append((list(batch), gap))

    @property
    def written(self) -> list:
        return [item for batch, _gap in self.calls for item in batch]

    @property
    def gaps(self) -> list:
        return [gap for _batch, gap in self.calls if gap is not None]


def wait_until(condition: Callable[[], object], timeout: float = 10.0,
               what: str = "the condition") -> None:
    """Poll `condition` until it holds; fail after `timeout` seconds instead of hanging."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)
