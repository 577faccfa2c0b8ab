"""Reading frames from the files users bring, as `ocppscope validate` judges them: session
files (streamed), and every format the import layer reads (`app.session.importing`): logs
of other implementations, trace files, JSON lists of frames, one frame per line. Each input
becomes a stream of `InputFrame`s with a position a person can find in the file (`line 12`,
`[3]`, `seq 40`).

Times are `None` where the input has none (unknown, never a made-up 0); directions the
input does not give were inferred by the import from the side that sends each action
(`app.ocpp.sides`). Pasted text (`frames_in_text`) is read here too, with each frame's
offset in the text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.errors import InputError
from app.ocpp.conversation import Direction
from app.ocpp.frames import Parsed, parse_frame
from app.ocpp.jsontext import spans_in
from app.ocpp.logline import frame_span, is_json
from app.ocpp.other_versions import chosen_subprotocol
from app.ocpp.sides import SideGuesser
from app.session.importers import frames as frame_files
from app.session.importing import (
    DIRECTIONS_INFERRED,
    HEAD_BYTES,
    TIMES_UNKNOWN,
    Imported,
    ImportNote,
    import_bytes,
    import_path,
    read_standard_input,
)
from app.session.lines import Sequencer, line_blocks
from app.session.message import RecordKind
from app.session.record_json import plain_record, quick_json
from app.session.sessionfile import SessionFileError, SessionReader, is_session_file

_EVENTS = (RecordKind.OPENED, RecordKind.CLOSED)


@dataclass(frozen=True, slots=True)
class InputFrame:
    """A frame of an input, or one of its connections opening or closing (`event`): a
    close ends what its connection waited for, as it does in a loaded capture."""

    position: str                 # where in the file: "line 3", "[2]", "seq 17"
    text: str | bytes
    connection: str = ""
    station: str = ""
    direction: Direction | None = None
    time: float | None = None     # None: the file carries no times
    seq: int = 0
    parsed: Parsed | None = None  # when placing it needed a parse, for readers that parse
    binary: bool = False          # bytes: a binary frame (or, False, text that is not UTF-8)
    event: RecordKind | None = None  # OPENED or CLOSED: a connection event, not a frame
    subprotocol: str | None = None   # of an OPENED event: the one its handshake chose


@dataclass(frozen=True, slots=True)
class Gap:
    """Records the recorder could not write (disk full...): a session file's `gap` record.
    Not a frame and not a finding, but a reader of the file must know the file is
    incomplete there."""

    lost: int
    first_seq: int
    last_seq: int
    reason: str


@dataclass
class FrameSource:
    """The frames of one file, and how the file was understood. `inferred` and `unplaced`
    count the frames whose direction was inferred or stayed unknown (well-formed frames
    only: a malformed one needs no direction); for a session, as the frames are read."""

    path: Path
    kind: str                     # "session", "json", "lines" or the format's name
    frames: Iterator[InputFrame]
    reader: SessionReader | None = None
    inferred: int = 0
    unplaced: int = 0
    gaps: list[Gap] = field(default_factory=list)   # fills while `frames` is read
    notes: list[ImportNote] = field(default_factory=list)  # what the import skipped
    times_known: bool = False     # only some formats say when each frame passed
    directions_known: bool = False

    @property
    def warnings(self) -> list[str]:
        """What the import left out, each where it is ("line 12: ..."): lines or entries
        skipped, a file cut short. What it assumed is in `assumptions`."""
        if self.reader is not None:
            return self.reader.warnings
        return [note.placed for note in self.notes if not note.assumed]

    @property
    def assumptions(self) -> list[ImportNote]:
        """How the import read the input (a connection's directions inferred, times read
        as local, another OCPP version), less what `times_known` and `directions_known`
        already say for the whole file: nothing was left out for these."""
        return [note for note in self.notes if note.assumed and (
            note.where or note.code not in _SAID_BY_FLAGS)]


# What a source's flags already say for the whole file, so a note without a place adds
# nothing to them.
_SAID_BY_FLAGS = frozenset({TIMES_UNKNOWN, DIRECTIONS_INFERRED})


# How an import's format shows as a source's kind: the plain files keep their short names.
_KINDS = {frame_files.JSON_LIST: "json", frame_files.JSON_ONE: "json", frame_files.LINES: "lines"}


def open_frames(path: str | Path) -> FrameSource:
    """Raises InputError for a file that holds nothing usable. `-` (or any pipe) is read
    once, whole: frames can be piped in; a session file needs to be a file. Every format
    but a session goes through the import layer (`app.session.importing`)."""
    piped = str(path) == "-"
    path = Path("/dev/stdin" if piped else path)
    if not piped and not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        return from_imported(path, import_path(path))
    whole: bytes | None = None
    try:
        if piped or not path.is_file():
            whole = read_standard_input() if piped else path.read_bytes()
            head = whole[:HEAD_BYTES]
        else:
            with path.open("rb") as stream:
                head = stream.read(HEAD_BYTES)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    name = Path("-") if piped else path
    if not head.strip():
        raise InputError(f"{name}: the file is empty")
    if is_session_file(head):
        if whole is not None:
            raise InputError(f"{name}: a session file must be given as a file, not a pipe")
        try:
            reader = SessionReader.open(path)
        except SessionFileError as exc:
            raise InputError(str(exc)) from None
        source = FrameSource(path, "session", iter(()), reader, times_known=True,
                             directions_known=True)
        source.frames = _session_frames(reader, source.gaps)
        return source
    try:
        data = whole if whole is not None else path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return from_imported(name, import_bytes(data, str(name)))


def from_imported(path: Path, imported: Imported) -> FrameSource:
    """An import's records as the frames `validate` judges, each at its place."""
    places = imported.places
    times = imported.times_known

    def frames() -> Iterator[InputFrame]:
        for index, message in enumerate(imported.messages):
            where = places[index] if index < len(places) else f"#{message.seq}"
            if message.kind in _EVENTS:
                yield InputFrame(where, "", message.connection, message.station, None,
                                 message.monotonic if times else None, message.seq,
                                 event=message.kind,
                                 subprotocol=_opened_with(message.kind, message.meta))
            if message.kind not in (RecordKind.FRAME, RecordKind.BINARY):
                continue
            data, binary = message.wire
            yield InputFrame(where, data, message.connection, message.station,
                             message.direction, message.monotonic if times else None,
                             message.seq, None if binary else message.parse(), binary)

    return FrameSource(path, _KINDS.get(imported.format, imported.format), frames(),
                       inferred=imported.inferred, unplaced=imported.unplaced,
                       notes=list(imported.notes), times_known=times,
                       directions_known=imported.directions_known)


def _placed(source: FrameSource) -> FrameSource:
    """The source with each frame's direction inferred, as far as the protocol allows."""
    frames, guesser = source.frames, SideGuesser()

    def placed() -> Iterator[InputFrame]:
        for frame in frames:
            parsed = parse_frame(frame.text)
            direction = guesser.guess(parsed.frame)
            if direction is not None:
                source.inferred += 1
            elif parsed.frame is not None:  # a malformed frame needs no direction
                source.unplaced += 1
            yield replace(frame, direction=direction, parsed=parsed)

    source.frames = placed()
    return source


def _session_frames(reader: SessionReader, gaps: list[Gap]) -> Iterator[InputFrame]:
    """The frames of the file as it was when opened (`reader.size`): a recording still
    being written is judged up to there, by one process or by several alike."""
    lines = SessionLines(reader, gaps)
    number = 1
    for block in line_blocks(reader.path, reader.records_start, end=reader.size):
        for raw in block:
            number += 1
            item = lines.frame(number, raw)
            if item is not None:
                yield item


class SessionLines:
    """The frames of a session file's lines, read the way `SessionReader` reads its records
    (the same lines skipped with the same warnings, the same renumbering), without building
    a record for each: a line our writer wrote is taken straight from its parsed object
    (`plain_record`, as the window's index takes it), anything else goes through the
    reader's careful path. Fed every line after the header, in order, with its line
    number."""

    def __init__(self, reader: SessionReader, gaps: list[Gap]) -> None:
        self.reader = reader
        self.gaps = gaps
        self.sequencer = Sequencer(reader.note)
        reader.bytes_read = reader.records_start

    def frame(self, number: int, raw: bytes) -> InputFrame | None:
        """The frame or connection event (opened, closed) on this line; None for a line
        that holds neither (a skipped line, a gap, which is noted, another event)."""
        reader = self.reader
        reader.bytes_read += len(raw)
        value = quick_json(raw)
        fields = plain_record(value) if value.__class__ is dict else None
        if fields is None:
            message = reader.careful(number, raw, value)
            if message is None:
                return None
            seq = self.sequencer.next(number, message.seq)
            if message.kind is RecordKind.GAP:
                _add_gap(self.gaps, message.meta or {})
            elif message.kind in (RecordKind.FRAME, RecordKind.BINARY):
                data, binary = message.wire
                return InputFrame(f"seq {seq}", data, message.connection, message.station,
                                  message.direction, message.monotonic, seq, binary=binary)
            elif message.kind in _EVENTS:
                return InputFrame(f"seq {seq}", "", message.connection, message.station,
                                  None, message.monotonic, seq, event=message.kind,
                                  subprotocol=_opened_with(message.kind, message.meta))
            return None
        kind, seq, _, monotonic, connection, station, direction, text = fields
        seq = self.sequencer.next(number, seq)
        if kind is RecordKind.FRAME:
            return InputFrame(f"seq {seq}", text, connection, station, direction, monotonic,
                              seq)
        if kind in _EVENTS:
            return InputFrame(f"seq {seq}", "", connection, station, None, monotonic, seq,
                              event=kind, subprotocol=_opened_with(kind, value.get("meta")))
        if kind is RecordKind.GAP:
            _add_gap(self.gaps, value.get("meta") or {})
        return None

    def passed(self, number: int, raw: bytes, seq: int) -> int:
        """A line holding a frame that is not read here: only its seq is counted."""
        self.reader.bytes_read += len(raw)
        return self.sequencer.next(number, seq)

    def expected(self, number: int, raw: bytes, seq: int, connection: str, station: str,
                 monotonic: float) -> InputFrame | None:
        """The frame on this line if it is a frame record with these fields (what a glance
        at the line said); None if it is not."""
        value = quick_json(raw)
        fields = plain_record(value) if value.__class__ is dict else None
        if fields is None:  # bytes in `data`, or anything odd: as the reader reads it
            message = self.reader.careful(number, raw, value)
            if message is None or message.kind is not RecordKind.FRAME:
                return None
            data, _ = message.wire
            fields = (message.kind, message.seq, message.time, message.monotonic,
                      message.connection, message.station, message.direction, data)
        kind, file_seq, _, file_monotonic, file_connection, file_station, direction, text = \
            fields
        if kind is not RecordKind.FRAME or file_seq != seq or file_monotonic != monotonic \
                or file_connection != connection or file_station != station:
            return None
        self.reader.bytes_read += len(raw)
        seq = self.sequencer.next(number, seq)
        return InputFrame(f"seq {seq}", text, connection, station, direction, monotonic, seq)


def _opened_with(kind: RecordKind, meta: Any) -> str | None:
    """The subprotocol an OPENED record's handshake chose; None for other records."""
    return chosen_subprotocol(meta) if kind is RecordKind.OPENED else None


def _add_gap(gaps: list[Gap], meta: Any) -> None:
    """Note a gap record; one that continues the previous gap (the recorder noted an outage
    in two steps) extends it. The values come from a file: odd ones are read leniently."""

    def number(key: str) -> int:
        try:
            return int(meta.get(key, 0))
        except (TypeError, ValueError, OverflowError):
            return 0

    gap = Gap(number("lost"), number("first_seq"), number("last_seq"),
              str(meta.get("reason") or ""))
    if gaps and gaps[-1].last_seq + 1 == gap.first_seq:
        last = gaps.pop()
        reasons = [last.reason] + ([gap.reason] if gap.reason not in last.reason else [])
        gap = Gap(last.lost + gap.lost, last.first_seq, gap.last_seq,
                  "; ".join(r for r in reasons if r))
    gaps.append(gap)


@dataclass(frozen=True, slots=True)
class TextFrames:
    """The frames of a text pasted or typed (the window's validator), each with the offset
    its text starts at in that text, so a finding can be shown where it is."""

    kind: str                               # "json" or "lines"
    frames: list[tuple[int, InputFrame]]
    skipped: list[int] = field(default_factory=list)  # lines holding no frame (log chatter)


def frames_in_text(text: str) -> TextFrames:
    """Frames read as `ocppscope validate` reads a file's (a JSON list of frames, one frame
    over as many lines as it likes, or a frame per line, directions inferred alike), with
    one addition for text copied out of logs: each line's frame is found behind the log's
    prefix (`10:00:01 [INFO] → [2,...]`), and lines holding none are skipped. A broken
    frame written over several lines is judged whole, so its fault is named where it is."""
    body = text.strip()
    if not body:
        return TextFrames("json", [])
    lead = len(text) - len(text.lstrip())
    skipped: list[int] = []
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        kind = "lines"
        pieces = _line_pieces(text, skipped)
        if body[0] in "[{" and not any(is_json(text[a:b]) for (a, b), _ in pieces):
            kind, pieces, skipped = "json", [((lead, lead + len(body)), "frame")], []
    else:
        kind = "json"
        if frame_files.is_frame_list(value):
            spans = spans_in(text).value_spans
            pieces = [(spans[f"[{index}]"], f"[{index}]") for index in range(len(value))]
        else:
            pieces = [((lead, lead + len(body)), "line 1" if "\n" not in body else "frame")]
    frames = [InputFrame(position, text[start:end], seq=number)
              for number, ((start, end), position) in enumerate(pieces, start=1)]
    placed = _placed(FrameSource(Path("pasted text"), kind, iter(frames)))
    return TextFrames(kind, [(start, frame) for ((start, _), _), frame
                             in zip(pieces, placed.frames, strict=True)], skipped)


def _line_pieces(text: str, skipped: list[int]) -> list[tuple[tuple[int, int], str]]:
    pieces = []
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        span = frame_span(line)
        if span is not None:
            pieces.append(((offset + span[0], offset + span[1]), f"line {number}"))
        elif line.strip():
            skipped.append(number)
        offset += len(line)
    return pieces
