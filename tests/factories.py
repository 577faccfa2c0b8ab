"""Scripted sessions for tests: one `make_message()` for any record, and `judged_capture()`
turning a list of (direction, frame) into a Capture judged as a loaded file is.

A script is a list of steps: `(UP, [2, "1", "Heartbeat", {}])` or `(DOWN, '[3,"1",{}]')`
for frames (a list is dumped to JSON, a string is taken verbatim), `("opened", {meta})` and
`("closed", {"code": 1006, "by": "station"})` for connection events. Records get seqs from 1
and times one second apart from `START`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.loader import SessionLoader
from app.session.message import Message, RecordKind, frame_message
from app.session.sessionfile import SessionWriter, make_header

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
START = 1_700_000_000.0
NOW = "2023-11-14T22:13:20Z"   # START as RFC 3339


def make_message(seq: int = 1, frame: Any = None, *, direction: Direction | None = UP,
                 kind: RecordKind = RecordKind.FRAME, connection: str = "c1",
                 station: str = "CP1", time: float | None = None,
                 meta: dict[str, Any] | None = None) -> Message:
    """A frame record (`frame`: a list dumped to JSON, or text) or, with `kind` OPENED or
    CLOSED, a connection event with `meta`."""
    when = START + seq if time is None else time
    if kind is not RecordKind.FRAME:
        return Message(seq, when, when, connection, station, None, kind, meta=meta or {})
    text = frame if isinstance(frame, str) else json.dumps(frame)
    return frame_message(seq, text, connection=connection, station=station,
                         direction=direction, time=when, monotonic=when)


def script_messages(steps: list[tuple[Any, Any]], *, station: str = "CP1",
                    connection: str = "c1") -> list[Message]:
    messages = []
    for seq, (side, value) in enumerate(steps, start=1):
        if side in ("opened", "closed"):
            kind = RecordKind.OPENED if side == "opened" else RecordKind.CLOSED
            messages.append(make_message(seq, kind=kind, connection=connection,
                                         station=station, meta=value))
        else:
            messages.append(make_message(seq, value, direction=side, connection=connection,
                                         station=station))
    return messages


def judged_capture(steps: list[tuple[Any, Any]], *, station: str = "CP1",
                   connection: str = "c1") -> Capture:
    """A Capture holding the script's records, judged (so its `state` is filled)."""
    capture = Capture()
    capture.adopt(script_messages(steps, station=station, connection=connection))
    while capture.annotate(1.0):
        pass
    return capture


def write_session(path: Path, messages: list[Message], **header: Any) -> Path:
    """A session file of these records, as the recorder writes it (`header`: more keys
    for its header line)."""
    writer = SessionWriter(path, make_header("proxy", **header))
    for message in messages:
        writer.write(message)
    writer.close()
    return path


def loaded_session(path: Path) -> SessionLoader:
    """The session file at `path` loaded all at once, as the window loads it, without
    freezing the garbage collector (the test process shares it)."""
    loader = SessionLoader.open(path, freeze_gc=False)
    loader.load_all()
    return loader


def boot(message_id: str = "b1", status: str = "Accepted",
         interval: int = 300) -> list[tuple[Any, Any]]:
    """A BootNotification and its answer."""
    return [(UP, [2, message_id, "BootNotification",
                  {"reason": "PowerUp", "chargingStation": {
                      "model": "AC22", "vendorName": "Voltra", "serialNumber": "S-1",
                      "firmwareVersion": "4.2"}}]),
            (DOWN, [3, message_id, {"currentTime": NOW, "interval": interval,
                                    "status": status}])]


def tx_event(message_id: str, event: str, transaction: str, seq_no: int, *,
             evse: int | None = 1, energy: float | None = None, **info: Any
             ) -> list[tuple[Any, Any]]:
    """A TransactionEvent (with an energy reading in Wh if given) and its answer."""
    payload: dict[str, Any] = {"eventType": event, "timestamp": NOW,
                               "triggerReason": "Authorized", "seqNo": seq_no,
                               "transactionInfo": {"transactionId": transaction, **info}}
    if evse is not None:
        payload["evse"] = {"id": evse, "connectorId": 1}
    if energy is not None:
        payload["meterValue"] = [{"timestamp": NOW, "sampledValue": [{"value": energy}]}]
    return [(UP, [2, message_id, "TransactionEvent", payload]), (DOWN, [3, message_id, {}])]
