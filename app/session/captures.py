"""The captures folder: where the window records each live run unless the user names a file.

A field engineer must never lose a capture to a crash, a forgotten Save or a closed laptop,
so every run is on disk from its first frame, under a name that says when it began and in
which mode (`2026-11-30T10-00-00-proxy.jsonl`, local time, so that it reads like the clock
on the wall). The folder then fills up: this module lists what is there, newest first, and
finds and deletes what is older than a number of days, for the window to offer (with
consent). No Qt here: where the folder is comes from the window (QStandardPaths).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

SUFFIX = ".jsonl"
STAMP = "%Y-%m-%dT%H-%M-%S"
COUNT_LIMIT = 8 * 1024 * 1024  # bytes read to count a file's records; bigger: size only
_DAY = 86400.0


def capture_name(mode: str, when: datetime) -> str:
    """`2026-11-30T10-00-00-proxy.jsonl`: sorts by time, and is a valid name everywhere
    (no colons, which Windows refuses)."""
    return f"{when.strftime(STAMP)}-{mode}{SUFFIX}"


def new_capture_path(folder: Path, mode: str, when: datetime | None = None) -> Path:
    """A path in `folder` (created, private) that no file has yet, for a run in `mode`
    beginning `when` (now); two runs started in the same second get `-2`, `-3`..."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = capture_name(mode, when or datetime.now())
    path = folder / name
    number = 2
    while path.exists():
        path = folder / f"{name[:-len(SUFFIX)]}-{number}{SUFFIX}"
        number += 1
    return path


@dataclass(frozen=True)
class CaptureFile:
    """One file of the captures folder, as a menu lists it."""

    path: Path
    size: int            # bytes
    modified: float      # when it was last written (epoch seconds)
    started: datetime | None  # from its name; None for a file named otherwise
    mode: str            # from its name; "" for a file named otherwise

    @property
    def newest_first(self) -> float:
        return self.started.timestamp() if self.started else self.modified

    def records(self, limit: int = COUNT_LIMIT) -> int | None:
        """How many records it holds (complete lines after the header), or None when
        counting would read more than `limit` bytes or the file cannot be read."""
        return count_records(self.path, limit) if self.size <= limit else None


def parse_name(name: str) -> tuple[datetime | None, str]:
    """The start time and mode a capture's name gives, or (None, "") for another name."""
    if not name.endswith(SUFFIX) or len(name) < 20:
        return None, ""
    stamp, rest = name[:19], name[19:-len(SUFFIX)]
    try:
        started = datetime.strptime(stamp, STAMP)
    except ValueError:
        return None, ""
    mode = rest.lstrip("-").split("-", 1)[0]
    return started, mode


def list_captures(folder: Path) -> list[CaptureFile]:
    """The session files in `folder`, newest first (by the time in their names); an absent
    folder has none. Files that vanish while listing are left out."""
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not entry.name.endswith(SUFFIX):
            continue
        try:
            if not entry.is_file():
                continue
            stat = entry.stat()
        except OSError:
            continue
        started, mode = parse_name(entry.name)
        found.append(CaptureFile(Path(entry.path), stat.st_size, stat.st_mtime, started,
                                 mode))
    found.sort(key=lambda item: (item.newest_first, item.path.name), reverse=True)
    return found


def count_records(path: Path, limit: int = COUNT_LIMIT) -> int | None:
    """Complete lines after the header line: the records of a session file, counted without
    parsing them (a torn last line is not one). None beyond `limit` bytes or on an error."""
    lines = 0
    read = 0
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                read += len(chunk)
                if read > limit:
                    return None
                lines += chunk.count(b"\n")
    except OSError:
        return None
    return max(0, lines - 1)


def older_than(files: Iterable[CaptureFile], days: float,
               now: float | None = None) -> list[CaptureFile]:
    """The files last written more than `days` days ago: a run that went on for a week and
    stopped yesterday is a day old, not a week."""
    cutoff = (time.time() if now is None else now) - days * _DAY
    return [item for item in files if item.modified < cutoff]


@dataclass(frozen=True)
class Removal:
    """What deleting some captures did."""

    deleted: int
    freed: int            # bytes
    problems: list[str]   # one sentence per file that could not be deleted


def remove(files: Iterable[CaptureFile]) -> Removal:
    deleted, freed, problems = 0, 0, []
    for item in files:
        try:
            item.path.unlink()
        except FileNotFoundError:
            continue  # gone already: nothing to free, nothing to complain about
        except OSError as exc:
            problems.append(f"cannot delete '{item.path}': {exc.strerror or exc}")
            continue
        deleted += 1
        freed += item.size
    return Removal(deleted, freed, problems)


def describe_size(size: int) -> str:
    """`512 bytes`, `1.2 kB`, `340 MB`: what a person wants to read before deleting."""
    if size < 1000:
        return f"{size} byte" + ("" if size == 1 else "s")
    value = float(size)
    for unit in ("kB", "MB", "GB", "TB"):
        value /= 1000
        if value < 999.5 or unit == "TB":
            return f"{value:.1f} {unit}" if value < 9.95 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")
