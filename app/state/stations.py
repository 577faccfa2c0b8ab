"""What is known about each station seen in a session, derived from its records only.

`StationTracker.apply` is fed every record with its annotation, live or while a file loads;
the stations panel shows the result. It never looks at anything but the records, so a
recording replays to the same picture.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.ocpp.conversation import Direction
from app.session.capture import Annotation
from app.session.message import Message, RecordKind


@dataclass
class StationState:
    station: str
    connected: bool = False
    connections: int = 0               # connections opened so far
    registration: str | None = None    # the last BootNotification status
    vendor: str = ""
    model: str = ""
    firmware: str = ""
    first_seen: float = 0.0
    last_seen: float = 0.0
    last_heartbeat: float | None = None
    frames: int = 0
    invalid: int = 0
    last_close: str = ""               # e.g. "1006 by station"

    @property
    def booted(self) -> bool:
        return self.registration == "Accepted"

    @property
    def summary(self) -> str:
        if self.connected:
            state = "booted" if self.booted else (
                f"registration {self.registration}" if self.registration else "connected")
        else:
            state = "disconnected" + (f" ({self.last_close})" if self.last_close else "")
        return state


class StationTracker:
    def __init__(self) -> None:
        self.stations: dict[str, StationState] = {}
        # BootNotification CALLs waiting for their answer, by seq: an answer read from a
        # file names no action, only (in its annotation) the CALL it answers
        self._boot_calls: set[int] = set()

    def apply(self, message: Message, annotation: Annotation) -> StationState | None:
        """Update the state of the record's station; returns it (None if no station)."""
        if not message.station:
            return None
        state = self.stations.get(message.station)
        if state is None:
            state = self.stations[message.station] = StationState(
                message.station, first_seen=message.time)
        state.last_seen = message.time
        if message.kind is RecordKind.OPENED:
            state.connected = True
            state.connections += 1
        elif message.kind is RecordKind.CLOSED:
            state.connected = False
            meta = message.meta or {}
            state.last_close = f"{meta.get('code')} by {meta.get('by')}"
        elif message.kind in (RecordKind.FRAME, RecordKind.BINARY):
            state.frames += 1
            if not annotation.valid or message.message_type is None:
                state.invalid += 1
            if message.action == "Heartbeat":
                state.last_heartbeat = message.time
            elif message.action == "BootNotification" or (
                    annotation.call_seq is not None and annotation.call_seq in self._boot_calls):
                if message.message_type == 2:
                    self._boot_calls.add(message.seq)
                elif annotation.call_seq is not None:
                    self._boot_calls.discard(annotation.call_seq)
                self._boot(state, message)
        return state

    @staticmethod
    def _boot(state: StationState, message: Message) -> None:
        if '"' not in message.text:
            return
        try:
            value = json.loads(message.text)
        except ValueError:
            return
        if not isinstance(value, list) or len(value) < 3:
            return
        payload = value[-1] if value[0] == 2 else value[2]
        if not isinstance(payload, dict):
            return
        if value[0] == 2 and message.direction is Direction.STATION_TO_CSMS:
            station = payload.get("chargingStation")
            if isinstance(station, dict):
                state.vendor = str(station.get("vendorName", ""))
                state.model = str(station.get("model", ""))
                state.firmware = str(station.get("firmwareVersion", ""))
        elif value[0] == 3 and isinstance(payload.get("status"), str):
            state.registration = payload["status"]
