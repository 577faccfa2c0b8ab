"""Browser HAR files (saved from the developer tools' network panel) holding WebSocket
messages: Chrome and Edge keep them per entry in `_webSocketMessages`, each with `type`
(`send` or `receive`), `time` (epoch seconds) and `data` (the frame's text). The station is
the last part of the entry's URL path, as an OCPP-J endpoint names it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote, urlsplit

from app.session.importers.records import (
    RecordMaker,
    Relative,
    Writer,
    decoded,
    head_text,
    time_value,
)
from app.session.importing import Imported

NAME = "browser HAR files with WebSocket messages"


def sniff(head: bytes) -> bool:
    text = head_text(head).lstrip()
    return text.startswith("{") and '"log"' in text[:200] and '"entries"' in text


def read(data: bytes) -> Imported:
    maker = RecordMaker(NAME, writer=Writer.STATION)
    try:
        value = json.loads(decoded(data, maker))
    except (ValueError, RecursionError) as exc:
        maker.note("", f"not a complete HAR file: not JSON ({exc})")
        return maker.finish()
    entries = value.get("log", {}).get("entries") if isinstance(value, dict) else None
    if not isinstance(entries, list):
        maker.note("", "a HAR file without entries")
        return maker.finish()
    for number, entry in enumerate(entries, start=1):
        messages = entry.get("_webSocketMessages") if isinstance(entry, dict) else None
        if not isinstance(messages, list):
            continue
        station = _station(entry)
        for index, message in enumerate(messages):
            where = f"entry {number}, message {index + 1}"
            if not isinstance(message, dict) or not isinstance(message.get("data"), str):
                maker.note(where, "a WebSocket message without text, skipped")
                continue
            if message.get("opcode", 1) != 1:
                maker.note(where, f"a non-text WebSocket message (opcode "
                                  f"{message.get('opcode')}), skipped")
                continue
            when, _ = time_value(message.get("time"))
            kind = message.get("type")
            heading = Relative.SENT if kind == "send" else \
                Relative.RECEIVED if kind == "receive" else None
            maker.add(where, message["data"], time=when, station=station, heading=heading)
    if not maker.has_frames:
        maker.note("", "no WebSocket messages in this HAR file (the browser keeps them only "
                       "when the network panel was open during the session)")
    return maker.finish()


def _station(entry: dict[str, Any]) -> str:
    request = entry.get("request")
    url = request.get("url") if isinstance(request, dict) else None
    if not isinstance(url, str):
        return ""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    return unquote(path.rstrip("/").rsplit("/", 1)[-1])
