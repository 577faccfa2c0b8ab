"""SteVe's WebSocketLogger (a CSMS): each frame as it was received from or sent to a station,
behind the usual logback prefix:

    2024-03-01 10:00:00,123 INFO  [...] WebSocketLogger - [chargeBoxId=cp001,
        sessionId=5f1c...] Received: [2,"1","Heartbeat",{}]
    ... [chargeBoxId=cp001, sessionId=5f1c...] Sending: [3,"1",{...}]
"""

from __future__ import annotations

import re

from app.session.importers.records import DOWN, UP, Writer
from app.session.importers.textlog import MarkedLog

NAME = "SteVe WebSocketLogger logs"

_LOG = MarkedLog(
    NAME, Writer.CSMS,
    re.compile(r"\[chargeBoxId=(?P<station>[^,\]\s]+)(?:,\s*sessionId=[^\]]*)?\]\s*"
               r"(?P<dir>Received|Receiving|Sending|Sent)\s*:?\s*"),
    {"Received": UP, "Receiving": UP, "Sending": DOWN, "Sent": DOWN},
    leading_time=True)

sniff = _LOG.sniff
read = _LOG.read
