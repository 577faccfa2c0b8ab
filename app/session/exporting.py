"""Writing records out for other tools: a slice of an input (by station and time), and the
trace JSON Lines and CSV forms `ocppscope convert` writes. The session form is the recorder's
own (`app.session.sessionfile`); the HTML report is `app.session.report_html`.

Times are written only where the input had them: a record of an input without times says
`null` (trace) or leaves the cell empty (CSV), never 1970.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from app.errors import InputError
from app.session.capture import Capture
from app.session.message import Message, RecordKind, iso_time

TRACE_FORMAT = "ocppscope-trace/1"
CSV_COLUMNS = ("seq", "timestamp", "station", "direction", "type", "message_id", "action",
               "valid", "findings", "raw")
_TYPES = {2: "CALL", 3: "CALLRESULT", 4: "CALLERROR"}


def sliced(messages: Iterable[Message], *, station: str | None = None,
           start: float | None = None, end: float | None = None) -> list[Message]:
    """The records of one station (all if None) between `start` and `end` (epoch seconds,
    both included; open if None)."""
    return [m for m in messages
            if (station is None or m.station == station)
            and (start is None or m.time >= start) and (end is None or m.time <= end)]


def judged(messages: list[Message], *, times_known: bool, directions_known: bool = True,
           answer_timeout: float | None = None) -> Capture:
    """A capture of `messages` with every record's verdict, for the forms that show them.
    `answer_timeout`: the one the session was recorded with (its header's), so that a
    CALL gets the verdict it gets when the session is opened; None: the default."""
    capture = Capture()
    capture.adopt(messages, times_known=times_known, directions_known=directions_known,
                  answer_timeout=answer_timeout)
    while capture.annotate(1.0):
        pass
    return capture


def _when(message: Message, times_known: bool) -> str | None:
    return iso_time(message.time) if times_known else None


def write_trace(messages: Iterable[Message], out: TextIO, *, times_known: bool) -> int:
    """One JSON object per frame: `timestamp`, `station`, `direction`, `message` (the parsed
    array, or null for a frame that is not JSON) and `raw` (the text as it was)."""
    written = 0
    for message in messages:
        if message.kind is not RecordKind.FRAME:
            continue
        try:
            parsed: Any = json.loads(message.text)
        except (ValueError, RecursionError):
            parsed = None
        out.write(json.dumps({
            "timestamp": _when(message, times_known), "station": message.station,
            "direction": message.direction.value if message.direction else None,
            "message": parsed, "raw": message.text}, ensure_ascii=False) + "\n")
        written += 1
    return written


def write_csv(capture: Capture, out: TextIO) -> int:
    """One row per frame, with its verdict, for a spreadsheet."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    written = 0
    for message in capture.messages:
        if message.kind is not RecordKind.FRAME:
            continue
        annotation = capture.annotation(message.seq)
        writer.writerow([
            message.seq, _when(message, capture.times_known) or "", message.station,
            message.direction.value if message.direction else "",
            _TYPES.get(message.message_type or 0, "malformed"), message.message_id or "",
            message.action or "", "yes" if annotation.valid else "no",
            "; ".join(f"{f.code}: {f.message}" for f in annotation.findings), message.text])
        written += 1
    return written


def check_output_folder(output: str | Path) -> None:
    """An InputError, before a long read, for an output whose folder cannot hold it (a
    command would otherwise read and convert everything, then fail to write)."""
    problem = folder_problem(output)
    if problem is not None:
        raise InputError(f"{output}: cannot write ({problem})")


def folder_problem(output: str | Path) -> str | None:
    """Why the folder of `output` cannot hold a new file, in words, or None when it can be
    tried: it does not exist, or a file stands where a folder should (that folder, or one
    above it), which "does not exist" would misname."""
    folder = Path(output).parent
    if folder.is_dir():
        return None
    for above in (folder, *folder.parents):
        if above.exists():
            if not above.is_dir():
                return f"'{above}' is not a folder"
            break
    return f"its folder '{folder}' does not exist"
