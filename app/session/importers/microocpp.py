"""MicroOcpp's debug output (the library runs on the station), as a serial monitor shows it:

    [MO] Send: [2,"1","BootNotification",{...}]
    [MO] Recv: [3,"1",{...}]

The library prints no date; a serial monitor's time of day (`12:00:01.123 -> `) has none
either, so such logs carry no times.
"""

from __future__ import annotations

import re

from app.session.importers.records import DOWN, UP, Writer
from app.session.importers.textlog import MarkedLog

NAME = "MicroOcpp debug output"

_LOG = MarkedLog(
    NAME, Writer.STATION,
    re.compile(r"\[MO\][^\[]*?\b(?P<dir>Send|Recv)\b\s*:?\s*"),
    {"Send": UP, "Recv": DOWN})

sniff = _LOG.sniff
read = _LOG.read
