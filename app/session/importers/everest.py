"""EVerest's OCPP message log (`.log`): a header line with the time, who sent it to whom and
the action, then the frame pretty-printed over the lines that follow:

    2023-12-07T04:03:32.455Z: ChargePoint>CentralSystem BootNotification
    [
        2,
        "1c9d...",
        ...
    ]

EVerest runs on the station; the log names both sides, so the direction is the log's.
"""

from __future__ import annotations

import re

from app.ocpp.conversation import Direction
from app.session.importers.records import DOWN, UP, Heading, RecordMaker, Writer, heading_of
from app.session.importers.textlog import Header, read_log, sniff_lines
from app.session.importing import Imported

NAME = "EVerest OCPP message logs (.log)"

_HEADER = re.compile(
    r"^\s*(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?):\s*"
    r"(?P<sender>\w+)\s*>\s*(?P<receiver>\w+)(?:\s+(?P<what>\S+))?\s*")


def sniff(head: bytes) -> bool:
    return sniff_lines(head, _HEADER)


def read(data: bytes) -> Imported:
    return read_log(data, RecordMaker(NAME, writer=Writer.STATION), header)


def header(line: str) -> Header | None:
    found = _HEADER.match(line)
    if found is None:
        return None
    return Header(found.end(), found.group("time"), "", sender_heading(found.group("sender")))


def sender_heading(sender: str) -> Heading:
    """`ChargePoint`, `ChargingStation` send upwards; `CentralSystem`, `CSMS` downwards."""
    heading = heading_of(sender)
    if isinstance(heading, Direction):
        return heading
    word = sender.lower()
    if word.startswith(("charg", "evse", "station")):
        return UP
    if word.startswith(("central", "csms")):
        return DOWN
    return None
