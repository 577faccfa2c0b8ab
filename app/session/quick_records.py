"""A recorded frame read back for judging, at a fraction of the full reader's cost.

Judging a loaded session reads every record back from its file, and the full reader
(`json.loads` of the line, then `record_from_json`) costs more than some of the judging it
feeds: it converts and checks ten fields, when judging needs only the frame's text, its
times, its names and its direction. Two quicker ways, both giving the judge the record the
full reader gives (which tests hold them to):
- with orjson, the whole line is decoded by it (in C, faster than any partial reading in
  Python measured here) and only the fields judging reads are taken, each checked to be
  what the full reader would make of it;
- without orjson, or for a line orjson refuses (a lone surrogate, NaN...), lines our own
  recorder writes have one fixed layout: the text is decoded alone, by the standard
  JSON decoder's string scanner, and the few other fields are read off the line where they
  stand.
A line the way taken does not vouch for (bytes of a text frame that was not UTF-8,
metadata, a time that is no time; without orjson, any other layout) returns None, and the
caller reads it in full.
"""

from __future__ import annotations

import re
from datetime import datetime
from json.decoder import scanstring
from operator import itemgetter

from app.ocpp import fast_json
from app.ocpp.conversation import Direction
from app.session.message import Message, RecordKind
from app.session.record_json import build_message

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


_loads = fast_json.ORJSON_LOADS
_FLOAT_LIMIT = 2.0**63  # orjson reads an integer beyond 64 bits as a float this large
# One call instead of one `get` a field (KeyError when one is missing)
_fields = itemgetter("time", "mono", "text", "conn", "station", "dir", "seq", "kind")
# What the recorder writes in a frame's line: no value nests, so neither does the line
_FLAT = frozenset({str, int, float, bool, type(None)})
_SHORT_ENOUGH = 2 * fast_json.SAFE_DEPTH
_fromisoformat = datetime.fromisoformat
_INFINITE = (float("inf"), float("-inf"))


def frame_for_judging(line: bytes, seq: int) -> Message | None:
    """The frame record of `line` with what judging reads (times, connection, station,
    direction, text) and `seq`, the one the store's index gives it (as the full reader
    renumbers it). None when no quick way vouches for the line: then read the record in
    full.

    With orjson, the line is decoded and each field judging reads is checked to be what
    `record_from_json` makes of it; None where one might not be. The integers orjson reads
    inexactly (beyond 64 bits, as floats) are caught here: the line's seq must be an
    integer of 64 bits, as the full reader wants it, and a float `mono` so large is left
    to the standard library. Nesting, which `json` may refuse where orjson does not, is
    ruled out after decoding rather than by counting the line's brackets: a line long
    enough to nest `SAFE_DEPTH` levels is taken only when none of its values is an object
    or an array (the recorder writes none in a frame's line), cheaper than two passes
    over bytes that are mostly the frame's text."""
    if _loads is None:
        return _frame_in_layout(line, seq)
    try:
        value = _loads(line)
    except ValueError:  # not JSON to orjson: the standard library's way decides
        return _frame_in_layout(line, seq)
    if value.__class__ is not dict or "data" in value or "meta" in value \
            or (len(line) >= _SHORT_ENOUGH and not _FLAT.issuperset(map(type, value.values()))):
        return None
    try:
        stamp, monotonic, text, connection, station, direction, file_seq, kind = _fields(value)
    except KeyError:  # the full reader has a default for some: it decides
        return None
    if kind != "frame":
        return None
    if direction is not None:
        direction = _DIRECTIONS.get(direction) if direction.__class__ is str else None
        if direction is None:
            return None
    if monotonic.__class__ is int:
        monotonic = float(monotonic)
    elif monotonic.__class__ is not float or not -_FLOAT_LIMIT < monotonic < _FLOAT_LIMIT:
        return None
    if (stamp.__class__ is not str or text.__class__ is not str
            or connection.__class__ is not str or station.__class__ is not str
            or file_seq.__class__ is not int or not -_FLOAT_LIMIT <= file_seq < _FLOAT_LIMIT):
        return None
    try:
        wall = _fromisoformat(stamp).timestamp()
    except (ValueError, OverflowError, OSError):  # the full reader says what it makes of it
        return None
    return build_message(seq, wall, monotonic, connection, station, direction, _FRAME,
                         text, b"", None, None, None, None)


def _frame_in_layout(line: bytes, seq: int) -> Message | None:
    """`frame_for_judging` by the standard library: the recorder's own layout only."""
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
    monotonic = float(head.group(2))
    if monotonic in _INFINITE and head.group(2).lstrip("-").isdigit():
        return None  # an integer no float holds: the full reader refuses it
    return build_message(seq, wall, monotonic, head.group(3), head.group(4),
                         _DIRECTIONS[direction] if direction else None, _FRAME, frame, b"",
                         None, None, None, None)
