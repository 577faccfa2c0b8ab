"""evcc's OCPP trace (evcc is the CSMS of its chargers):

    [ocpp  ] TRACE 2024/07/29 22:03:40 recv CP1: [2,"1","Heartbeat",{}]
    [ocpp  ] TRACE 2024/07/29 22:03:40 send CP1: [3,"1",{...}]
"""

from __future__ import annotations

import re

from app.session.importers.records import DOWN, UP, Writer
from app.session.importers.textlog import MarkedLog

NAME = "evcc OCPP traces"

_LOG = MarkedLog(
    NAME, Writer.CSMS,
    re.compile(r"\[ocpp\s*\]\s+\w+\s+(?P<time>\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)?)\s+"
               r"(?P<dir>recv|send)\s+(?P<station>[^\s:]+):\s*"),
    {"recv": UP, "send": DOWN})

sniff = _LOG.sniff
read = _LOG.read
