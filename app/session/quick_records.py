"""A recorded frame read back for judging without decoding its whole line.

Judging a loaded session reads every record back from its file, and the full reader
(`json.loads` of the line, then `record_from_json`) costs more than some of the judging it
feeds: it builds a dict of ten fields and converts each, when judging needs only the
frame's text, its times, its names and its direction. Lines our own recorder writes have
one fixed layout, so for those the text is decoded alone, by the JSON decoder's own string
scanner, and the few other fields are read off the line where they stand. A line in any
other shape (another key order, an extra or repeated key, escapes in a name, a text frame
that was not UTF-8) returns None, and the caller reads it in full: both give the same
record to the judge, which a test holds them to.
"""

from __future__ import annotations

import re
from datetime import datetime
from json.decoder import scanstring

from app.ocpp.conversation import Direction
from app.session.message import Message, RecordKind
from app.session.sessionfile import build_message

# `record_to_json`'s layout of a frame, up to the opening quote of its text. Names without
# escapes only: their decoded value must be the very text between the quotes.
_HEAD = re.compile(
    r'\{"seq":-?\d+,"time":"([^"\\]*)","mono":(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?),'
    r'"conn":"([^"\\]*)","station":"([^"\\]*)",'
    r'"dir":(?:"(station_to_csms|csms_to_station)"|null),"kind":"frame","text":"')
# What may follow the text: the envelope summary (never read by the judge), then the end.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'   # a JSON string's extent, escapes and all
_TAIL = re.compile(
    rf'(?:,"type":-?\d+,"id":{_STRING}(?:,"action":{_STRING})?)?\}}[ \t\r\n]*\Z')
_FRAME = RecordKind.FRAME
_DIRECTIONS = {"station_to_csms": Direction.STATION_TO_CSMS,
               "csms_to_station": Direction.CSMS_TO_STATION}


def frame_for_judging(line: bytes, seq: int) -> Message | None:
    """The frame record of `line` with what judging reads (times, connection, station,
    direction, text) and `seq`, the one the store's index gives it (as the full reader
    renumbers it). None when the line is not in the recorder's layout: then read the
    record in full."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    head = _HEAD.match(text)
    if head is None:
        return None
    try:
        frame, end = scanstring(text, head.end(), True)
        wall = datetime.fromisoformat(head.group(1)).timestamp()
    except ValueError:  # a broken string or time: the full reader says what it makes of it
        return None
    if _TAIL.match(text, end) is None:
        return None
    direction = head.group(5)
    return build_message(seq, wall, float(head.group(2)), head.group(3), head.group(4),
                         _DIRECTIONS[direction] if direction else None, _FRAME, frame, b"",
                         None, None, None, None)
