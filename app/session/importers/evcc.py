"""evcc's OCPP trace (evcc is the CSMS of its chargers):

    [ocpp  ] TRACE 2024/07/29 22:03:40 recv CP1: [2,"1","Heartbeat",{}]
    [ocpp  ] TRACE 2024/07/29 22:03:40 send CP1: [3,"1",{...}]
"""

from __future__ import annotations

import re

from app.session.importers.records import DOWN, UP, RecordMaker, Writer
from app.session.importers.textlog import Header, read_log, sniff_lines
from app.session.importing import Imported

NAME = "evcc OCPP traces"

_LINE = re.compile(r"\[ocpp\s*\]\s+\w+\s+(?P<time>\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)?)\s+"
                   r"(?P<dir>recv|send)\s+(?P<station>[^\s:]+):\s*")


def sniff(head: bytes) -> bool:
    return sniff_lines(head, _LINE)


def read(data: bytes) -> Imported:
    return read_log(data, RecordMaker(NAME, writer=Writer.CSMS), _header)


def _header(line: str) -> Header | None:
    found = _LINE.search(line)
    if found is None:
        return None
    heading = UP if found.group("dir") == "recv" else DOWN
    return Header(found.end(), found.group("time"), found.group("station"), heading)
