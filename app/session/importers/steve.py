"""SteVe's WebSocketLogger (a CSMS): each frame as it was received from or sent to a station,
behind the usual logback prefix:

    2024-03-01 10:00:00,123 INFO  [...] WebSocketLogger - [chargeBoxId=cp001,
        sessionId=5f1c...] Received: [2,"1","Heartbeat",{}]
    ... [chargeBoxId=cp001, sessionId=5f1c...] Sending: [3,"1",{...}]
"""

from __future__ import annotations

import re

from app.session.importers.records import DOWN, LEADING_TIME, UP, RecordMaker, Writer
from app.session.importers.textlog import Header, read_log, sniff_lines
from app.session.importing import Imported

NAME = "SteVe WebSocketLogger logs"

_LINE = re.compile(r"\[chargeBoxId=(?P<station>[^,\]\s]+)(?:,\s*sessionId=[^\]]*)?\]\s*"
                   r"(?P<dir>Received|Receiving|Sending|Sent)\s*:?\s*")


def sniff(head: bytes) -> bool:
    return sniff_lines(head, _LINE)


def read(data: bytes) -> Imported:
    return read_log(data, RecordMaker(NAME, writer=Writer.CSMS), _header)


def _header(line: str) -> Header | None:
    found = _LINE.search(line)
    if found is None:
        return None
    when = LEADING_TIME.match(line)
    heading = UP if found.group("dir").startswith("Rec") else DOWN
    return Header(found.end(), when.group("time") if when else None, found.group("station"),
                  heading)
