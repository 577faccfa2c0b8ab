"""Trace files of other OCPP tools (simulators, test harnesses), in the shapes their
documentation shows: JSON Lines of events, or one JSON object holding an `events` list (or
a JSON list of such events), each event a time, a direction and the message:

    {"timestamp": "2024-05-01T10:00:00Z", "direction": "out", "message": [2,"1","Heartbeat",{}]}
    {"station": "CP1", "events": [{"timestamp": ..., "direction": "in", "message": "[3,...]"}]}

The message may be the parsed array or its text. A direction may be absolute
(`station_to_csms`, `cs->csms`) or relative to the tool (`out`, `sent`, `in`, `received`);
a relative one is read as the side whose actions the tool sent.
"""

from __future__ import annotations

import json
from typing import Any

from app.ocpp.logline import json_or_none
from app.session.importers.records import (
    RecordMaker,
    Writer,
    decoded,
    head_text,
    heading_of,
    time_value,
)
from app.session.importing import Imported

NAME = "trace files of OCPP tools (JSON Lines or JSON events)"

_MESSAGE_KEYS = ("message", "frame", "msg", "data", "payload")
_TIME_KEYS = ("timestamp", "time", "ts", "date", "at")
_DIRECTION_KEYS = ("direction", "dir", "origin", "type", "from")
_STATION_KEYS = ("station", "stationId", "station_id", "chargePointId", "chargeBoxId",
                 "identity", "cp")


def sniff(head: bytes) -> bool:
    text = head_text(head).lstrip()
    if text.startswith("{"):
        first = _object(text.split("\n", 1)[0])
        if first is not None and _is_event(first):
            return True
        return '"events"' in text[:4096]
    if text.startswith("["):
        start = text[1:].lstrip()
        if start.startswith("{"):
            end = start.find("}\n")
            return _is_event(_object(start[:end + 1]) or {}) if end > 0 else \
                any(f'"{key}"' in start[:2048] for key in _MESSAGE_KEYS)
    return False


def read(data: bytes) -> Imported:
    maker = RecordMaker(NAME, writer=Writer.STATION)
    text = decoded(data, maker)
    whole = json_or_none(text)
    if isinstance(whole, dict) and isinstance(whole.get("events"), list):
        station = _station(whole)
        for index, event in enumerate(whole["events"]):
            _event(maker, f"events[{index}]", event, station)
    elif isinstance(whole, list):
        for index, event in enumerate(whole):
            _event(maker, f"[{index}]", event, "")
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            event = _object(line)
            if event is None:
                maker.skip(f"line {number}", line)
                continue
            _event(maker, f"line {number}", event, "")
    return maker.finish()


def _event(maker: RecordMaker, where: str, event: Any, station: str) -> None:
    if not isinstance(event, dict):
        maker.note(where, "not an event object, skipped")
        return
    message = next((event[key] for key in _MESSAGE_KEYS if key in event), None)
    if isinstance(message, list):
        text = json.dumps(message, ensure_ascii=False)
    elif isinstance(message, str) and message.strip():
        text = message.strip()
    else:
        maker.note(where, "an event without a message, skipped")
        return
    when, zoned = time_value(next((event[key] for key in _TIME_KEYS if key in event), None))
    if when is not None and not zoned:
        maker.local_times = True
    heading = next((h for h in (heading_of(event.get(key)) for key in _DIRECTION_KEYS)
                    if h is not None), None)
    maker.add(where, text, time=when, station=_station(event) or station, heading=heading)


def _is_event(value: dict[str, Any]) -> bool:
    return any(key in value for key in _MESSAGE_KEYS) and any(
        key in value for key in (*_TIME_KEYS, *_DIRECTION_KEYS))


def _station(value: dict[str, Any]) -> str:
    found = next((value[key] for key in _STATION_KEYS if key in value), "")
    return found if isinstance(found, str) else str(found)


def _object(text: str) -> dict[str, Any] | None:
    value = json_or_none(text)
    return value if isinstance(value, dict) else None
