"""CitrineOS's message export: CSV with a header row, one row per OCPP message, among its
columns `origin` (`cs`: the charging station sent it, `csms`: the CSMS did), `timestamp`
and `message` (the frame), usually `stationId` too:

    id,stationId,origin,timestamp,message
    1,cp001,cs,2024-05-01T10:00:00.000Z,"[2,""1"",""Heartbeat"",{}]"
"""

from __future__ import annotations

import csv
import io

from app.session.importers.records import DOWN, UP, Heading, RecordMaker, Writer, decoded, head_text
from app.session.importing import Imported

NAME = "CitrineOS message exports (CSV)"

_STATION_COLUMNS = ("stationid", "station_id", "station", "chargepointid", "identity")


def sniff(head: bytes) -> bool:
    first = head_text(head).split("\n", 1)[0].lower()
    columns = {c.strip().strip('"') for c in first.split(",")}
    return {"origin", "message"} <= columns and "timestamp" in " ".join(columns)


def read(data: bytes) -> Imported:
    maker = RecordMaker(NAME, writer=Writer.CSMS)
    text = decoded(data, maker)
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
        header = [column.strip().lower() for column in next(rows, [])]
        where = {name: header.index(name) for name in header}
        message = where.get("message")
        origin = where.get("origin")
        stamp = next((where[name] for name in ("timestamp", "createdat", "created_at")
                      if name in where), None)
        station = next((where[name] for name in _STATION_COLUMNS if name in where), None)
        for row in rows:
            line = f"line {rows.line_num}"
            if not any(cell.strip() for cell in row):
                continue
            frame = _cell(row, message)
            if not frame.strip():
                maker.skip(line, ",".join(row))
                continue
            maker.add(line, frame.strip(), time=maker.time(_cell(row, stamp)),
                      station=_cell(row, station), heading=_origin(_cell(row, origin)))
    except csv.Error as exc:  # a quote never closed: what was read stays
        maker.note("", f"the CSV stops being readable there ({exc})")
    return maker.finish()


def _cell(row: list[str], index: int | None) -> str:
    return row[index] if index is not None and index < len(row) else ""


def _origin(value: str) -> Heading:
    word = value.strip().lower()
    if word in ("cs", "cp", "chargingstation", "station"):
        return UP
    if word == "csms":
        return DOWN
    return None
