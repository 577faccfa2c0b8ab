"""Finding the OCPP-J frame inside a line of someone's log.

Logs pasted into bug reports carry frames behind a prefix of their own
(`2026-11-30 10:00:01 [INFO] → [2,"1","Heartbeat",{}]`), sometimes with words after. The
frame is the JSON array that starts with a message type (2, 3 or 4) and a message id; the
prefix may hold brackets of its own (`[INFO]`, `[2026-11-30 10:00:01]`), which are not.

Pure text work: no parsing of the frame beyond finding where it ends, so that a frame is
then judged exactly as a frame on a line of its own would be.
"""

from __future__ import annotations

import json
import re

# A message type and a quoted id: what every OCPP-J frame starts with (single quotes too:
# a log that prints a Python list is found, and judging it then says it is not JSON).
_FRAME_START = re.compile(r"""\[\s*[234]\s*,\s*["']""")
# Looser: a message type and a comma (a frame whose id is not a string, say), taken only
# when what follows reads as a frame-shaped array.
_LOOSE_START = re.compile(r"\[\s*[234]\s*,")
# How many starts are tried in one line: a line of many brackets must stay cheap.
_MAX_TRIES = 8
_DECODER = json.JSONDecoder()

Span = tuple[int, int]


def frame_span(line: str) -> Span | None:
    """Where in `line` the frame is, as (start, end); None for a line holding none.

    A line that is JSON as a whole is the frame as a whole (whatever it holds: judging it
    says what is wrong). Otherwise the first JSON array that starts like a frame is the
    frame; when every such start fails to read as JSON (a broken frame), the text from the
    first start to the line's last `]` is, so that judging it shows why it is broken. A
    line bracketed as a whole (`[...]`, `{...}`) is taken as meant to be a frame too; any
    other line (`[INFO] connected`) holds none.
    """
    stripped = line.strip()
    if not stripped:
        return None
    lead = len(line) - len(line.lstrip())
    whole = (lead, lead + len(stripped))
    if is_json(stripped):
        return whole
    starts = _starts(_FRAME_START, line)
    for start in starts:
        end = _array_end(line, start, loose=False)
        if end is not None:
            return start, end
    for start in _starts(_LOOSE_START, line):
        end = _array_end(line, start, loose=True)
        if end is not None:
            return start, end
    if starts:  # a frame that does not read as JSON
        last = line.rfind("]")
        return starts[0], (last + 1 if last > starts[0] else len(line.rstrip()))
    if stripped[0] + stripped[-1] in ("[]", "{}"):
        return whole
    return None


def frame_in_line(line: str) -> str | None:
    """The frame's text in `line` (see `frame_span`), or None."""
    span = frame_span(line)
    return line[span[0]:span[1]] if span else None


def json_or_none(text: str) -> object:
    """The JSON value of `text`, or None when it is not JSON (or nests too deep to read):
    text from another program is data, so a reader asks and never catches."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def is_json(text: str) -> bool:
    """Whether `text` reads as JSON (`null` included), by the same rule as `json_or_none`."""
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _starts(pattern: re.Pattern[str], line: str) -> list[int]:
    return [match.start() for _, match in zip(range(_MAX_TRIES), pattern.finditer(line),
                                              strict=False)]


def _array_end(line: str, start: int, *, loose: bool) -> int | None:
    """Where the JSON array starting at `start` ends, if it reads as one. A loose start
    (no quoted id) must also be shaped like a frame, its third entry an action or error
    code (a string) or a payload (an object), so that `[2, 4, 8]` in a message is not."""
    try:
        value, end = _DECODER.raw_decode(line, start)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    if loose and not (len(value) >= 3 and isinstance(value[2], str | dict)):
        return None
    return end
