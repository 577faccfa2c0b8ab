"""The lines of a session file read in big blocks, and the numbering of its records.

Iterating a file object line by line asks the buffered reader for each line in turn; reading
a megabyte at a time and splitting it once costs a fraction of that per line, which counts
when `ocppscope validate` reads a file of a million records (in each of its processes).
The lines are exactly those line iteration gives: split at `\\n` only, each with its `\\n`,
the last one without it when the file does not end in one (a torn last line).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from io import RawIOBase
from pathlib import Path

BLOCK_BYTES = 1 << 20


def line_blocks(path: Path, start: int, block: int = BLOCK_BYTES,
                end: int | None = None) -> Iterator[list[bytes]]:
    """The lines of `path` from byte `start` up to byte `end` (the end of the file if None),
    a block's worth per list (never an empty list; a line longer than a block still comes
    whole). A line cut by `end` comes without its newline, as a torn last
    line: a file still being written is read as it was when `end` was taken.

    A line spanning many blocks (a torn tail of NULs after a crash) is gathered in pieces
    and joined once its newline arrives: gluing each block to the tail so far would copy
    and rescan the tail with every block."""
    with path.open("rb", buffering=0) as stream:
        stream.seek(start)
        left = -1 if end is None else max(0, end - start)  # -1: to the end of the file
        pieces: list[bytes] = []  # the line begun in earlier blocks, still without its end
        while left:
            chunk = stream.read(block if left < 0 else min(block, left))
            if not chunk:
                break
            if left > 0:
                left -= len(chunk)
            lines = chunk.split(b"\n")
            tail = lines.pop()
            if lines:
                if pieces:
                    pieces.append(lines[0])
                    lines[0] = b"".join(pieces)
                    pieces = []
                yield [line + b"\n" for line in lines]
            if tail:
                pieces.append(tail)
        if pieces:
            yield [b"".join(pieces)]


def lines_at(path: Path, offsets: Iterable[int],
             block: int = BLOCK_BYTES) -> Iterator[bytes | None]:
    """The line that begins at each of `offsets`, as `readline` after a seek gives it (with
    its `\\n`; to the end of the file for a last line without one; empty past the end).

    Reading a record back with a seek and a read of its own costs a system call and a
    buffer each; a judging worker wants thousands of lines in file order, interleaved with
    other workers' lines, so the file is read ahead in big blocks and each wanted line cut
    out of the block that holds it: skipped lines cost nothing. Offsets that go backwards,
    or jump beyond the block in hand, seek (so any order is right, file order is quick).
    A negative offset (no line) gives None; when the file cannot be opened or read, every
    line from there on is None."""
    try:
        stream = path.open("rb", buffering=0)
    except OSError:
        for _ in offsets:
            yield None
        return
    with stream:
        buffer, base = b"", 0   # bytes in hand and the file offset of their first
        failed = False
        for offset in offsets:
            if failed:
                yield None
                continue
            if offset < 0:  # no line in the file (a record kept in memory)
                yield None
                continue
            try:
                start = offset - base
                if not 0 <= start < len(buffer):
                    stream.seek(offset)
                    buffer, base, start = stream.read(block), offset, 0
                end = buffer.find(b"\n", start)
                if end >= 0:
                    yield buffer[start:end + 1]
                    continue
                line, buffer, base = _rest_of_line(stream, buffer[start:], block)
                base += offset
                yield line
            except (OSError, ValueError):
                failed = True
                yield None


def _rest_of_line(stream: RawIOBase, head: bytes, block: int) -> tuple[bytes, bytes, int]:
    """The line that begins with `head` (the end of the block in hand), read on to its
    newline or the end of the file; with the block read last and its offset relative to
    the line's start. Pieces are joined once, as in `line_blocks`."""
    pieces, size = [head], len(head)
    while True:
        chunk = stream.read(block)
        if not chunk:
            return b"".join(pieces), b"", size
        end = chunk.find(b"\n")
        if end >= 0:
            pieces.append(chunk[:end + 1])
            return b"".join(pieces), chunk, size
        pieces.append(chunk)
        size += len(chunk)


class Sequencer:
    """The seq each record keeps. Findings, pairs and selections are keyed by seq, so seqs
    must increase through a file: from the first record whose seq does not follow the one
    before (two sessions joined), every record is numbered one after the last, and `note`
    is told once, with the line number."""

    def __init__(self, note: Callable[[str], None]) -> None:
        self._note = note
        self.last = -(2**63)
        self.renumbering = False

    def next(self, number: int, seq: int) -> int:
        if seq <= self.last or self.renumbering:
            if not self.renumbering:
                self.renumbering = True
                self._note(f"line {number}: seq {seq} does not follow {self.last} "
                           "(files joined or edited?): records from here on are numbered "
                           f"from {self.last + 1}, each keeping its own as file_seq")
            seq = self.last + 1
        self.last = seq
        return seq
