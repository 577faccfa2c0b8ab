"""Files a user may hand the window that are not a good session, one factory each, with
what the window is expected to make of them: shared by the window's tests and the
`--screenshot` command's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.widgets.test_main_window import write_session


@dataclass(frozen=True)
class BadFile:
    name: str
    make: Callable[[Path], None]   # writes the file at that path (or not, if it is missing)
    opens: bool                    # the window shows records (else it stays on welcome)
    words: str                     # in the one sentence that tells about it
    rows: int = 0                  # records shown when it opens


def _damaged(path: Path) -> None:
    """Garbage lines in the middle and a torn last line, as a crash and an editor leave."""
    write_session(path, count=5)
    lines = path.read_text(encoding="utf-8").splitlines(True)
    garbage = ["this is not json\n", "{\"seq\": 4, \"half a record\n", "[1, 2, 3]\n"]
    path.write_text("".join(lines[:6] + garbage + lines[6:]) + '{"seq": 99, "ti',
                    encoding="utf-8")


def _newer(path: Path) -> None:
    path.write_text('{"format":"ocppscope-session","version":99}\n'
                    '{"seq":1,"kind":"frame","text":"[2,\\"1\\",\\"Heartbeat\\",{}]"}\n',
                    encoding="utf-8")


def _header_only(path: Path) -> None:
    write_session(path, count=0)


def _binary(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 8)


def _brackets(path: Path) -> None:
    path.write_text("[" * 50000 + "\n", encoding="utf-8")


def _broken_frames(path: Path) -> None:
    """Lines that start like OCPP-J frames and never end: read, each one malformed."""
    path.write_text('[2, "1", "Heartbeat", {\n' * 3, encoding="utf-8")


BAD_FILES = [
    BadFile("damaged", _damaged, True, "4 damaged lines skipped; 10 records loaded", 10),
    BadFile("newer-version", _newer, False, "version 99 is newer"),
    BadFile("header-only", _header_only, True, "no records in this file"),
    BadFile("empty", lambda path: path.write_bytes(b""), False, "the file is empty"),
    BadFile("binary", _binary, False, "binary data"),
    BadFile("missing", lambda path: None, False, "no such file"),
    BadFile("directory", lambda path: path.mkdir(), False, "is a directory"),
    BadFile("brackets", _brackets, False, "no OCPP frames in this file"),
    BadFile("broken-frames", _broken_frames, True, "none of its 3 frames is an OCPP-J message",
            3),
]
