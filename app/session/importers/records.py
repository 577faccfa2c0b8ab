"""What every importer shares: turning what a log says about each frame into the records a
live capture makes, and reading the pieces of a log line (times, direction words, prefixes
that other programs add in front of a log).

An importer feeds `RecordMaker.add` with each frame in file order: where it is, its time if
the log has one, its station if named, and its direction as the log gives it: absolute
(a `Direction`), relative to the program that wrote the log (`SENT` or `RECEIVED`), or not
at all. `finish` then decides what a relative direction means (whether the writer is the
station or the CSMS, from the actions it sent), infers the missing ones from the action's
sender, pairs answers with their CALL for the action, and numbers the records from 1.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.ocpp.conversation import Direction
from app.ocpp.frames import Call, parse_frame
from app.ocpp.sides import SideGuesser, sender_of
from app.session.importing import (
    DIRECTIONS_INFERRED,
    LOCAL_TIMES,
    NOT_UTF8,
    SENT_RECEIVED,
    SKIPPED,
    TIMES_UNKNOWN,
    Imported,
    ImportNote,
)
from app.session.message import Message, frame_message
from app.wording import count

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
# Lines of chatter listed one by one in the notes; beyond, one note counts the rest, so a
# log of a million lines of chatter does not become a million notes.
LISTED_SKIPS = 100


class Relative(StrEnum):
    """A direction as the program that wrote the log sees it."""

    SENT = "sent"
    RECEIVED = "received"


Heading = Direction | Relative | None


class Writer(StrEnum):
    """Which side wrote a log that says only "send" and "receive"."""

    STATION = "station"
    CSMS = "csms"


@dataclass(frozen=True, slots=True)
class _Entry:
    where: str
    text: str
    time: float | None
    station: str
    heading: Heading


class RecordMaker:
    """Collects the frames of one input, then makes its `Imported` (see the module's doc).

    `writer` is the side that usually writes this format's logs (a CSMS for SteVe, a
    station for MicroOcpp), used when the frames themselves do not tell."""

    def __init__(self, format_name: str, *, writer: Writer = Writer.CSMS) -> None:
        self.format = format_name
        self.writer = writer
        self.notes: list[ImportNote] = []
        self._entries: list[_Entry] = []
        self._skipped = 0
        self.local_times = False       # some time had no zone and was read as local time

    def add(self, where: str, text: str, *, time: float | None = None, station: str = "",
            heading: Heading = None) -> None:
        self._entries.append(_Entry(where, text, time, station, heading))

    @property
    def has_frames(self) -> bool:
        return bool(self._entries)

    def note(self, where: str, text: str, code: str = SKIPPED) -> None:
        """What was skipped (by default) or assumed (`code`), and where."""
        self.notes.append(ImportNote(where, text, code))

    def skip(self, where: str, line: str) -> None:
        """A line that holds no frame: listed (the first `LISTED_SKIPS`), then counted."""
        self._skipped += 1
        if self._skipped <= LISTED_SKIPS:
            shown = line.strip()
            shown = shown if len(shown) <= 80 else shown[:77] + "…"
            self.notes.append(ImportNote(where, f"no OCPP frame, skipped: {shown}",
                                         quoted=shown))

    def time(self, text: str | None) -> float | None:
        """A time written in the log, as epoch seconds; None when there is none or it does
        not read as a time (never a made-up one)."""
        if not text:
            return None
        when, zoned = parse_time(text)
        if when is not None and not zoned:
            self.local_times = True
        return when

    def finish(self) -> Imported:
        entries = self._entries
        writer = self._writer()
        guesser = SideGuesser()
        messages: list[Message] = []
        places: list[str] = []
        actions: dict[tuple[str, str], str] = {}
        inferred = unplaced = 0
        times_known = bool(entries) and all(e.time is not None for e in entries)
        for number, entry in enumerate(entries, start=1):
            parsed = parse_frame(entry.text)
            guess = guesser.guess(parsed.frame)
            direction = _absolute(entry.heading, writer)
            if direction is None:
                direction = guess
                if guess is not None:
                    inferred += 1
                elif parsed.frame is not None:
                    unplaced += 1
            envelope = parsed.frame
            action = None
            connection = entry.station
            if isinstance(envelope, Call):
                actions[(connection, envelope.message_id)] = envelope.action
            elif envelope is not None:
                action = actions.pop((connection, envelope.message_id), None)
            when = entry.time if times_known and entry.time is not None else 0.0
            messages.append(frame_message(number, entry.text, connection=connection,
                                          station=entry.station, direction=direction,
                                          time=when, monotonic=when, parsed=parsed,
                                          action=action))
            places.append(entry.where)
        notes = list(self.notes)
        if self._skipped > LISTED_SKIPS:
            notes.append(ImportNote("", f"{self._skipped - LISTED_SKIPS:,} more lines "
                                        "without an OCPP frame skipped"))
        relative = any(isinstance(e.heading, Relative) for e in entries)
        if relative:
            notes.append(ImportNote("", f"the log says only sent and received: read as "
                                        f"written by the {_WRITER_WORDS[writer]}",
                                    SENT_RECEIVED))
        if entries and not times_known:
            missing = sum(e.time is None for e in entries)
            notes.append(ImportNote("", "no times for "
                                        + ("any frame" if missing == len(entries)
                                           else f"{missing:,} of {len(entries):,} frames")
                                        + ": heartbeat timing and answer timeouts are not "
                                          "checked", TIMES_UNKNOWN))
        elif self.local_times:
            notes.append(ImportNote("", "times without a time zone are read as this "
                                        "computer's local time", LOCAL_TIMES))
        if inferred or unplaced:
            text = (f"{count(inferred, 'direction')} inferred from the action's sender"
                    if inferred else "no direction could be inferred")
            if unplaced:
                text += (f"; {unplaced:,} of unknown direction, skipped by the checks that "
                         "need one")
            notes.append(ImportNote("", text, DIRECTIONS_INFERRED))
        return Imported(messages, notes, self.format, times_known=times_known,
                        directions_known=not (inferred or unplaced), places=places,
                        inferred=inferred, unplaced=unplaced)

    def _writer(self) -> Writer:
        """The side that wrote the log, from the CALLs it says it sent or received whose
        sender the protocol fixes; the format's usual writer when nothing tells."""
        votes: Counter[Writer] = Counter()
        for entry in self._entries:
            if not isinstance(entry.heading, Relative):
                continue
            frame = parse_frame(entry.text).frame
            if not isinstance(frame, Call):
                continue
            sender = sender_of(frame.action)
            if sender is None:
                continue
            station_sent = sender is UP
            if (entry.heading is Relative.SENT) == station_sent:
                votes[Writer.STATION] += 1
            else:
                votes[Writer.CSMS] += 1
        if votes[Writer.STATION] == votes[Writer.CSMS]:
            return self.writer
        return max(votes, key=lambda w: votes[w])


_WRITER_WORDS = {Writer.STATION: "station", Writer.CSMS: "CSMS"}


def _absolute(heading: Heading, writer: Writer) -> Direction | None:
    if heading is None or isinstance(heading, Direction):
        return heading
    sent_up = writer is Writer.STATION
    return UP if (heading is Relative.SENT) == sent_up else DOWN


# --- the pieces of a log line ------------------------------------------------------------

_DIRECTION_WORDS: dict[str, Heading] = {
    **dict.fromkeys(("send", "sent", "sending", "out", "outgoing", "tx", "snd", ">>", "->",
                     "→", "request sent", "write"), Relative.SENT),
    **dict.fromkeys(("recv", "receive", "received", "receiving", "in", "incoming", "rx",
                     "rcv", "<<", "<-", "←", "read", "receive message"), Relative.RECEIVED),
    **dict.fromkeys(("station_to_csms", "cs->csms", "cp->csms", "cs", "cp", "chargepoint",
                     "chargingstation", "station", "upstream", "cp->cs"), UP),
    **dict.fromkeys(("csms_to_station", "csms->cs", "csms->cp", "csms", "centralsystem",
                     "cs->cp", "downstream"), DOWN),
}


def heading_of(word: object) -> Heading:
    """A direction word of a log (`send`, `Received`, `station_to_csms`, `→`...)."""
    if not isinstance(word, str):
        return None
    key = " ".join(word.strip().strip(":").lower().split())
    return _DIRECTION_WORDS.get(key)


# Prefixes other programs put before each line of a log: docker compose (`csms-1  | `) and
# serial monitors (`12:00:01.123 -> `); colour codes of a terminal.
_WRAPPERS = re.compile(r"^(?:[\w.-]+\s+\|\s?|\d\d:\d\d:\d\d\.\d{3} -> )")
_COLOURS = re.compile(r"\x1b\[[0-9;]*m")


def unwrapped(line: str) -> str:
    line = _COLOURS.sub("", line) if "\x1b" in line else line
    return _WRAPPERS.sub("", line, count=1)


# A date and time at the start of a line: 2025-10-03 13:09:13,380 / 2024/07/29 22:03:40 /
# 2023-12-07T04:03:32.455Z / [2024-05-01 10:00:00.123+02:00].
LEADING_TIME = re.compile(
    r"^\s*\[?(?P<time>\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?"
    r"(?:Z|[+-]\d\d:?\d\d)?)\]?")


def parse_time(text: str) -> tuple[float | None, bool]:
    """(epoch seconds, whether the text gave a zone); (None, False) if it is no time.
    A time without a zone is read as this computer's local time."""
    cleaned = text.strip().replace(",", ".")
    if len(cleaned) >= 10 and cleaned[4] == "/" and cleaned[7] == "/":
        cleaned = cleaned[:4] + "-" + cleaned[5:7] + "-" + cleaned[8:]
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        return _epoch_number(cleaned)
    zoned = moment.tzinfo is not None
    try:
        return moment.timestamp(), zoned
    except (OverflowError, OSError, ValueError):
        return None, False


def _epoch_number(text: str) -> tuple[float | None, bool]:
    """Epoch seconds or milliseconds written as a number (HAR files, some traces)."""
    try:
        value = float(text)
    except ValueError:
        return None, False
    if value != value or value <= 0:
        return None, False
    if value > 1e11:  # milliseconds
        value /= 1000
    return (value, True) if value < 1e10 else (None, False)


def time_value(value: object) -> tuple[float | None, bool]:
    """A time as a JSON value holds it: a string (RFC 3339...) or an epoch number."""
    if isinstance(value, bool):
        return None, False
    if isinstance(value, int | float):
        return _epoch_number(repr(float(value)))
    if isinstance(value, str):
        return parse_time(value)
    return None, False


def decoded(data: bytes, maker: RecordMaker) -> str:
    """The text of `data`; bytes that are not UTF-8 become replacement characters, with
    a note saying where the first one was."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        note = ImportNote(f"byte {exc.start}", "not UTF-8: such bytes are shown as �", NOT_UTF8)
        if note not in maker.notes:  # a reader that falls back to another decodes again
            maker.notes.append(note)
        return data.decode("utf-8-sig", errors="replace")


def head_text(head: bytes) -> str:
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")
