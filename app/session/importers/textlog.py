"""Reading a text log line by line: the engine of every line-based importer.

A format says, through its `HeaderReader`, what a line tells before its frame (time,
station, direction) and where the frame may start; the engine finds the frame, joins a
frame printed over several lines (pretty-printed JSON), keeps lines that hold none as
import notes, and tolerates what other programs put in front of each line (docker compose,
serial monitors, terminal colours; see `records.unwrapped`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from app.ocpp.logline import frame_span, is_json
from app.session.importers.records import (
    LEADING_TIME,
    Heading,
    RecordMaker,
    Writer,
    decoded,
    head_text,
    heading_of,
    unwrapped,
)
from app.session.importing import Imported


@dataclass(frozen=True, slots=True)
class Header:
    """What a line says before its frame; the frame is looked for from `start` on."""

    start: int
    time: str | None = None
    station: str = ""
    heading: Heading = None
    words_before: bool = False   # read a direction word from the text before the frame


HeaderReader = Callable[[str], Header | None]


@dataclass(frozen=True, slots=True)
class MarkedLog:
    """A log that puts a marker in front of each frame, on the frame's own line: a direction
    word, often a station id, sometimes a time. Several programs log that way and differ only
    in the marker, so each such format is this one reader given its marker and its words.

    `marker` has a group `dir` (the direction word, a key of `headings`) and may have
    groups `station` and `time`; without a `time` group and with `leading_time`, the time
    is the one the line starts with (a logging framework's prefix)."""

    name: str
    writer: Writer
    marker: re.Pattern[str]
    headings: Mapping[str, Heading]
    leading_time: bool = False

    def sniff(self, head: bytes) -> bool:
        return sniff_lines(head, self.marker)

    def read(self, data: bytes) -> Imported:
        return read_log(data, RecordMaker(self.name, writer=self.writer), self.header)

    def header(self, line: str) -> Header | None:
        found = self.marker.search(line)
        if found is None:
            return None
        parts = found.groupdict()
        time = parts.get("time")
        if time is None and self.leading_time:
            when = LEADING_TIME.match(line)
            time = when.group("time") if when else None
        return Header(found.end(), time, parts.get("station") or "",
                      self.headings.get(found.group("dir")))

# A line that begins a new frame: ends a frame being joined that never closed.
_FRAME_LINE = re.compile(r"""^\s*\[\s*[234]\s*,\s*["']""")
# Where a frame printed over several lines may begin: a frame's start, or a lone bracket.
_OPENING = re.compile(r"""\[\s*[234]\s*,|\[\s*$""")
_MAX_JOINED_LINES = 20_000
_MAX_JOINED_CHARS = 4_000_000
_DECODER = json.JSONDecoder()
_WORD = re.compile(r"[^\s:\[\]()|,]+|->|<-|→|←|>>|<<")


@dataclass
class _Joining:
    first: int
    header: Header
    parts: list[str]
    chars: int
    from_frame_start: bool


def sniff_lines(head: bytes, pattern: re.Pattern[str], *, lines: int = 200) -> bool:
    """Whether any of the first lines of `head` (unwrapped) matches `pattern`."""
    return any(pattern.search(unwrapped(line)) for line in head_text(head).splitlines()[:lines])


def read_log(data: bytes, maker: RecordMaker, header: HeaderReader, *,
             plain: bool = False) -> Imported:
    """The frames of a log whose lines `header` reads. `plain`: every line may hold a
    frame (no header marks a line of the log); then only a line that starts a frame, or
    starts with a time, ends a frame being joined."""
    text = decoded(data, maker)
    joining: _Joining | None = None
    number = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = unwrapped(raw)
        if joining is not None:
            if not _starts_entry(line, header, plain):
                if _join(joining, line, number, maker):
                    joining = None
                continue
            _give_up(joining, number - 1, maker)
            joining = None
        if not line.strip():
            continue
        found = header(line)
        if found is None:
            maker.skip(f"line {number}", raw)
            continue
        joining = _frame_of(line, found, number, maker)
    if joining is not None:
        _give_up(joining, number, maker)
    return maker.finish()


def _starts_entry(line: str, header: HeaderReader, plain: bool) -> bool:
    if _FRAME_LINE.match(line):
        return True
    if plain:
        return LEADING_TIME.match(line) is not None
    return header(line) is not None


def _frame_of(line: str, found: Header, number: int, maker: RecordMaker) -> _Joining | None:
    """Add the frame of a line, or start joining one printed over the lines that follow."""
    rest = line[found.start:]
    span = frame_span(rest)
    if span is not None and is_json(rest[span[0]:span[1]]):
        _add(maker, f"line {number}", rest[span[0]:span[1]], found, line, found.start + span[0])
        return None
    opening = _OPENING.search(rest)
    if opening is not None and (span is None or _unclosed(rest[opening.start():])):
        piece = rest[opening.start():]
        from_start = opening.group().strip() != "["
        return _Joining(number, _with_prefix(found, line, found.start + opening.start()),
                        [piece], len(piece), from_start)
    if span is not None:  # a frame on one line that does not read as JSON: judged broken
        _add(maker, f"line {number}", rest[span[0]:span[1]], found, line, found.start + span[0])
        return None
    if not rest.strip() and found.start > 0:  # a header whose frame follows (EVerest)
        return _Joining(number, found, [], 0, False)
    maker.skip(f"line {number}", line)
    return None


def _join(joining: _Joining, line: str, number: int, maker: RecordMaker) -> bool:
    """Add a line to a frame being joined; True once the frame is complete (and added)."""
    if not joining.parts:
        stripped = line.lstrip()
        if not stripped:
            return False
        if not stripped.startswith("["):
            maker.skip(f"line {joining.first}", "a header without its frame")
            return True
        line = stripped
        joining.from_frame_start = True  # announced by its header: a frame, even if broken
    joining.parts.append(line)
    joining.chars += len(line)
    if line.rstrip().endswith("]"):
        body = "\n".join(joining.parts).strip()
        try:
            value, end = _DECODER.raw_decode(body)
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, list):
            where = f"lines {joining.first}–{number}"
            if value and value[0] in (2, 3, 4):
                maker.add(where, body[:end], time=maker.time(joining.header.time),
                          station=joining.header.station, heading=joining.header.heading)
            else:
                maker.skip(where, "a JSON list that is not an OCPP-J frame")
            return True
    if len(joining.parts) > _MAX_JOINED_LINES or joining.chars > _MAX_JOINED_CHARS:
        _give_up(joining, number, maker)
        return True
    return False


def _give_up(joining: _Joining, last: int, maker: RecordMaker) -> None:
    """A frame that never closed: judged as the broken frame it is, if it started like one;
    otherwise its lines are chatter."""
    where = f"line {joining.first}" if last <= joining.first else \
        f"lines {joining.first}–{last}"
    body = "\n".join(joining.parts).strip()
    if joining.from_frame_start and body:
        maker.add(where, body, time=maker.time(joining.header.time),
                  station=joining.header.station, heading=joining.header.heading)
    else:
        maker.skip(where, body or "a header without its frame")


def _add(maker: RecordMaker, where: str, frame: str, found: Header, line: str,
         frame_start: int) -> None:
    found = _with_prefix(found, line, frame_start)
    maker.add(where, frame, time=maker.time(found.time), station=found.station,
              heading=found.heading)


def _with_prefix(found: Header, line: str, frame_start: int) -> Header:
    """For formats whose direction is a word anywhere before the frame (plain text)."""
    if not found.words_before or found.heading is not None:
        return found
    prefix = line[:frame_start]
    time_match = LEADING_TIME.match(prefix)
    if time_match:
        prefix = prefix[time_match.end():]
    for word in _WORD.findall(prefix):
        heading = heading_of(word)
        if heading is not None:
            return Header(found.start, found.time, found.station, heading)
    return found


def _unclosed(text: str) -> bool:
    """More brackets opened than closed (strings not considered: only a hint whether the
    frame goes on on the next line)."""
    return text.count("[") + text.count("{") > text.count("]") + text.count("}")
