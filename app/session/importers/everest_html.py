"""EVerest's OCPP message log written as HTML (`.html`): a table, one row per message, with
the time, who sent it to whom (`ChargePoint>CentralSystem`), the action, and the frame
pretty-printed in a `<pre>`. Read as text (no HTML engine): rows, cells, entities.
"""

from __future__ import annotations

import html
import json
import re

from app.session.importers.everest import sender_heading
from app.session.importers.records import RecordMaker, Writer, decoded, head_text
from app.session.importing import Imported

NAME = "EVerest OCPP message logs (.html)"

_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr\s*>", re.IGNORECASE | re.DOTALL)
_CELL = re.compile(r"<t[dh]\b[^>]*>(.*?)</t[dh]\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SIDES = re.compile(r"^\s*(\w+)\s*>\s*(\w+)\s*$")
_TIME = re.compile(r"^\s*\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d")
_DECODER = json.JSONDecoder()


def sniff(head: bytes) -> bool:
    text = head_text(head).lower()
    return ("<html" in text or "<table" in text) and any(
        word in text for word in ("chargepoint&gt;", "chargepoint>", "centralsystem&gt;",
                                  "chargingstation&gt;", "csms&gt;"))


def read(data: bytes) -> Imported:
    maker = RecordMaker(NAME, writer=Writer.STATION)
    text = decoded(data, maker)
    for number, row in enumerate(_ROW.finditer(text), start=1):
        cells = [html.unescape(_TAG.sub("", cell)) for cell in _CELL.findall(row.group(1))]
        where = f"row {number}"
        frame = next((found for found in map(_frame_in, cells) if found is not None), None)
        if frame is None:
            if any(cell.strip() for cell in cells) and not row.group(1).lower().count("<th"):
                maker.skip(where, " ".join(cell.strip() for cell in cells))
            continue
        when = next((cell.strip() for cell in cells if _TIME.match(cell)), None)
        sides = next((_SIDES.match(cell) for cell in cells if _SIDES.match(cell)), None)
        heading = sender_heading(sides.group(1)) if sides else None
        maker.add(where, frame, time=maker.time(when), heading=heading)
    return maker.finish()


def _frame_in(cell: str) -> str | None:
    start = cell.find("[")
    if start < 0:
        return None
    try:
        value, end = _DECODER.raw_decode(cell, start)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, list) and value and value[0] in (2, 3, 4):
        return cell[start:end]
    return None
