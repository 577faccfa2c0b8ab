"""What the simulated station does after it accepted a CSMS's command, as a real one does.

A CSMS under test expects more than an "Accepted": after ChangeAvailability the station
reports each connector whose availability changed (StatusNotification), and after
TriggerMessage it sends the message asked for. Without that, a CSMS waiting for the
follow-up sees a station that agrees and then does nothing. This module only decides which
CALLs follow; the station endpoint (`app.net.station`) sends them once its answer went out.

The station keeps each connector's status here: "Available" from the start, "Unavailable"
while its EVSE or the station is Inoperative. It does not charge, so it knows no other.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.ocpp.request_fields import as_dict, int_or
from app.ocpp.skeleton import now_text

# The messages the simulated station sends when triggered; it answers NotImplemented for
# the others (meter values, certificates: it has neither)
TRIGGERABLE = frozenset({"BootNotification", "Heartbeat", "StatusNotification",
                         "FirmwareStatusNotification", "LogStatusNotification"})

Connector = tuple[int, int]           # (EVSE id, connector id), both from 1
FollowUp = tuple[str, dict[str, Any]]  # (action, payload) of a CALL to send


class StationFollowUps:
    """The connectors of one simulated station and the CALLs its accepted commands call
    for. `connectors` counts the connectors of EVSE 1, 2, ... as `StationConfig` does."""

    def __init__(self, connectors: Iterable[int], boot: dict[str, Any]) -> None:
        self.status: dict[Connector, str] = {
            (evse, connector): "Available"
            for evse, count in enumerate(connectors, start=1)
            for connector in range(1, count + 1)}
        self._boot = boot   # the BootNotification payload, sent again when triggered

    def status_notifications(self, connectors: Iterable[Connector]) -> list[FollowUp]:
        now = now_text()
        return [("StatusNotification", {"timestamp": now,
                                        "connectorStatus": self.status[place],
                                        "evseId": place[0], "connectorId": place[1]})
                for place in connectors]

    def after(self, action: str, request: Any, answer: Any) -> list[FollowUp]:
        """The CALLs to send after answering `request` of `action` with `answer` (both as
        they went; anything malformed calls for nothing)."""
        if as_dict(answer).get("status") != "Accepted":
            return []
        request = as_dict(request)
        if action == "ChangeAvailability":
            return self._availability(request)
        if action == "TriggerMessage":
            return self._triggered(request)
        return []

    def _places(self, evse: Any) -> list[Connector]:
        """The connectors an `evse` field names: all of them when it is absent (the whole
        station), those of its EVSE, or its one connector."""
        if evse is None:
            return list(self.status)
        evse = as_dict(evse)
        evse_id, connector_id = int_or(evse.get("id"), 0), int_or(evse.get("connectorId"), 0)
        if evse_id == 0:
            return list(self.status)
        return [place for place in self.status
                if place[0] == evse_id and connector_id in (0, place[1])]

    def _availability(self, request: dict[str, Any]) -> list[FollowUp]:
        status = request.get("operationalStatus")
        wanted = {"Inoperative": "Unavailable", "Operative": "Available"}.get(status) \
            if isinstance(status, str) else None
        if wanted is None:
            return []
        changed = [place for place in self._places(request.get("evse"))
                   if self.status[place] != wanted]
        for place in changed:
            self.status[place] = wanted
        return self.status_notifications(changed)

    def _triggered(self, request: dict[str, Any]) -> list[FollowUp]:
        asked = request.get("requestedMessage")
        if asked == "BootNotification":
            return [("BootNotification", {**self._boot, "reason": "Triggered"})]
        if asked == "Heartbeat":
            return [("Heartbeat", {})]
        if asked == "StatusNotification":
            return self.status_notifications(self._places(request.get("evse")))
        if asked == "FirmwareStatusNotification":
            return [("FirmwareStatusNotification", {"status": "Idle"})]
        if asked == "LogStatusNotification":
            return [("LogStatusNotification", {"status": "Idle"})]
        return []
