"""Logs of the `ocpp` Python package's logger, and of tools built on it (Home Assistant's
OCPP integration):

    2025-10-03 13:09:13,380 - ocpp - INFO - CP1: send [2,"a1","BootNotification",{...}]
    2025-10-03 13:09:13,412 - ocpp - INFO - CP1: receive message [3,"a1",{...}]
    2021-12-06 20:08:27 INFO (MainThread) [ocpp] CP1: send [2,...]

The package writes "send" and "receive message" as seen by the side it runs on: mostly a
CSMS, sometimes a station; which one is read from the actions it sent.
"""

from __future__ import annotations

import re

from app.session.importers.records import Relative, Writer
from app.session.importers.textlog import MarkedLog

NAME = "logs of the ocpp Python package (and Home Assistant)"

_LOG = MarkedLog(
    NAME, Writer.CSMS,
    re.compile(
        r"(?:\s-\s[\w.]*ocpp[\w.]*\s-\s\w+\s-\s|\s\w+\s+\([^)]*\)\s+\[[\w.]*ocpp[\w.]*\]\s+)"
        r"(?P<station>[^\s:]+):\s+(?P<dir>send|receive(?: message)?)\s+"),
    {"send": Relative.SENT, "receive": Relative.RECEIVED,
     "receive message": Relative.RECEIVED},
    leading_time=True)

sniff = _LOG.sniff
read = _LOG.read
