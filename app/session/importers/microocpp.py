"""MicroOcpp's debug output (the library runs on the station), as a serial monitor shows it:

    [MO] Send: [2,"1","BootNotification",{...}]
    [MO] Recv: [3,"1",{...}]

The library prints no date; a serial monitor's time of day (`12:00:01.123 -> `) has none
either, so such logs carry no times.
"""

from __future__ import annotations

import re

from app.session.importers.records import DOWN, UP, RecordMaker, Writer
from app.session.importers.textlog import Header, read_log, sniff_lines
from app.session.importing import Imported

NAME = "MicroOcpp debug output"

_LINE = re.compile(r"\[MO\][^\[]*?\b(?P<dir>Send|Recv)\b\s*:?\s*")


def sniff(head: bytes) -> bool:
    return sniff_lines(head, _LINE)


def read(data: bytes) -> Imported:
    return read_log(data, RecordMaker(NAME, writer=Writer.STATION), _header)


def _header(line: str) -> Header | None:
    found = _LINE.search(line)
    if found is None:
        return None
    return Header(found.end(), None, "", UP if found.group("dir") == "Send" else DOWN)
