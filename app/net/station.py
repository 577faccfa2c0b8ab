"""The station endpoint: we are a charging station connecting to a CSMS.

It behaves like a well-mannered station so that a CSMS under test sees the usual start:
BootNotification (repeated while Pending or Rejected, after the interval the CSMS asked for),
a StatusNotification per connector, then Heartbeats at the CSMS's interval. It answers every
CSMS-initiated CALL through its `ResponsePolicy`, offers `call()` for anything else, and
reconnects with growing backoff when the connection drops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from websockets.asyncio.client import connect

from app.errors import NotConnected
from app.net import links, secrets
from app.net.diagnosis import tls_facts
from app.net.errors import describe_connect_error
from app.net.keepalive import keep_alive
from app.net.peer import CallOutcome, OcppPeer
from app.net.policy import ResponsePolicy
from app.net.proxy import DEFAULT_MAX_SIZE
from app.net.wire import AnswerKeepingConnection
from app.ocpp.catalog import Sender
from app.ocpp.conversation import Direction
from app.ocpp.station_followups import StationFollowUps
from app.session.capture import Capture
from app.session.message import RecordKind

log = logging.getLogger(__name__)


@dataclass
class StationConfig:
    csms_url: str                         # ws(s)://host:port/prefix; the id is appended
    station_id: str
    # HTTP Basic auth (security profile 1 or 2) as the station id; without it, a user and
    # password in csms_url are sent instead
    password: str | None = None
    client_ssl: ssl.SSLContext | None = None
    vendor: str = "OCPP Scope"
    model: str = "Virtual Station"
    serial: str = "OS-0001"
    firmware: str = "1.0"
    connectors: list[int] = field(default_factory=lambda: [1])  # connectors per EVSE 1..n
    boot_retry: float = 10.0              # when the CSMS gives no usable interval
    heartbeat_interval: float | None = None  # override the CSMS's interval (tests, demos)
    call_timeout: float = 30.0
    max_size: int = DEFAULT_MAX_SIZE
    reconnect_min: float = 1.0
    reconnect_max: float = 60.0
    record_secrets: bool = False
    ping_interval: float | None = 20.0    # our keep-alive pings (`app.net.keepalive`)
    pong_timeout: float | None = None     # None: the interval, at most keepalive.PONG_TIMEOUT


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class StationEndpoint:
    def __init__(self, config: StationConfig, capture: Capture,
                 policy: ResponsePolicy | None = None,
                 notice: Callable[[str], None] | None = None) -> None:
        self.config = config
        self.capture = capture
        self.policy = policy or ResponsePolicy()
        self._notice = notice or (lambda text: log.info("%s", text))
        self.peer: OcppPeer | None = None
        self.registration: str | None = None   # the last BootNotification status
        self.booted = asyncio.Event()
        self.connected = asyncio.Event()
        self.last_failure: str | None = None
        self.failed_attempts = 0                # since the last connection that opened
        self._told_failure: str | None = None   # the failure last said, to say it once
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        # its connectors' status, kept across connections, and what its answers call for
        self.follow_ups = StationFollowUps(config.connectors, self.boot_payload())

    @property
    def url(self) -> str:
        """Where we connect, as notices and the window show it: without the password."""
        return secrets.mask_url(self._full_url)

    @property
    def _full_url(self) -> str:
        return f"{self.config.csms_url.rstrip('/')}/{quote(self.config.station_id, safe='')}"

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run_forever())

    async def stop(self) -> None:
        self._stopping = True
        if self.peer is not None:
            await self.peer.close(1000, "station stopping")
        if self._task is not None:
            # the session ends by itself once its connection is closed, writing its closed
            # record; only one still stuck after the close's own bound is cancelled
            done, _ = await asyncio.wait({self._task}, timeout=links.CLOSE_TIMEOUT)
            if not done:
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def call(self, action: str, payload: dict[str, Any], *,
                   timeout: float | None = None) -> CallOutcome:
        if self.peer is None:
            raise NotConnected(f"not connected to {self.url}")
        return await self.peer.call(action, payload, timeout=timeout)

    def _credentials(self) -> tuple[str, str] | None:
        """Who we say we are: the station id with the password, else the URL's user and
        password, else nobody. One Authorization header either way (see `app.net.secrets`)."""
        if self.config.password is not None:
            return self.config.station_id, self.config.password
        return secrets.split_credentials(self._full_url)[1]

    async def _run_forever(self) -> None:
        delay = self.config.reconnect_min
        while not self._stopping:
            connected = await self._session()
            if self._stopping:
                break
            delay = self.config.reconnect_min if connected else min(
                delay * 2, self.config.reconnect_max)
            if connected:
                self._notice(f"{self.config.station_id}: reconnecting in {delay:g} s")
            await asyncio.sleep(delay)

    def _tell_failure(self, reason: str) -> None:
        """Say why connecting failed, once per reason: a station retrying for an hour against
        a CSMS that is down makes one line, not one per attempt (each attempt is still a
        `rejected` record)."""
        self.failed_attempts += 1
        if reason == self._told_failure:
            return
        self._told_failure = reason
        self._notice(f"{self.config.station_id}: {reason}; retrying with backoff "
                     f"(up to every {self.config.reconnect_max:g} s)")

    async def _session(self) -> bool:
        """One connection, from connect to close; False if it could not be opened."""
        keep = self.config.record_secrets
        target, _ = secrets.split_credentials(self._full_url)
        credentials = self._credentials()
        headers = {} if credentials is None else {
            "Authorization": secrets.basic_authorization(*credentials)}
        recorded = secrets.recorded_url(self._full_url, keep)
        try:
            ws = await connect(target, subprotocols=[links.OCPP201],  # type: ignore[list-item]
                               additional_headers=headers, max_size=self.config.max_size,
                               ssl=self.config.client_ssl if target.startswith("wss:") else None,
                               open_timeout=10, proxy=None, ping_interval=None,
                               create_connection=AnswerKeepingConnection)
        except Exception as exc:  # every failure to connect is reported, then retried
            failure = describe_connect_error(exc, self.url)
            self.last_failure = failure.reason
            meta: dict[str, Any] = {"url": recorded, "reason": failure.reason}
            if failure.peer_status is not None:
                meta["status"] = failure.peer_status
            if (tls := tls_facts(exc)) is not None:
                meta["tls"] = tls
            if credentials is not None:
                meta["auth"] = {"scheme": "Basic", "user": credentials[0]}
            self.capture.event(RecordKind.REJECTED, links.next_connection_id(),
                               self.config.station_id, meta)
            self._tell_failure(failure.reason)
            return False
        if self.failed_attempts:
            self._notice(f"{self.config.station_id}: connected after "
                         f"{self.failed_attempts + 1} attempts")
        self.failed_attempts, self._told_failure = 0, None
        connection = links.next_connection_id()
        meta = {"url": recorded, "subprotocol": ws.subprotocol, "offered": [links.OCPP201]}
        if ws.subprotocol != links.OCPP201:
            meta["warning"] = f"the CSMS chose subprotocol {ws.subprotocol!r}"
        if credentials is not None:
            meta["auth"] = {"scheme": "Basic", "user": credentials[0]}
            if keep:
                meta["auth"]["password"] = credentials[1]
        self.capture.event(RecordKind.OPENED, connection, self.config.station_id, meta)
        keep_alive(ws, self.capture, connection, self.config.station_id,
                   towards=Direction.STATION_TO_CSMS, by="station",
                   interval=self.config.ping_interval, pong_timeout=self.config.pong_timeout)
        peer = OcppPeer(ws, side=Sender.STATION, connection=connection,
                        station=self.config.station_id, capture=self.capture,
                        policy=self.policy, call_timeout=self.config.call_timeout,
                        answered=self._follow_up)
        self.peer = peer
        self.connected.set()
        lifecycle = asyncio.create_task(self._lifecycle(peer))
        try:
            await peer.run()
        finally:
            lifecycle.cancel()
            await asyncio.wait({lifecycle}, timeout=5)
            self.peer = None
            self.connected.clear()
            self.booted.clear()
            info = links.close_info(ws, "csms", "station")
            self.capture.event(RecordKind.CLOSED, connection, self.config.station_id, {
                "code": info.code, "reason": info.reason, "by": info.by, "clean": info.clean})
        return True

    def boot_payload(self) -> dict[str, Any]:
        return {"reason": "PowerUp", "chargingStation": {
            "model": self.config.model, "vendorName": self.config.vendor,
            "serialNumber": self.config.serial, "firmwareVersion": self.config.firmware}}

    async def _follow_up(self, peer: OcppPeer, action: str, request: Any,
                         answer: Any) -> None:
        """Send what an accepted command calls for (`StationFollowUps`), in order."""
        for follow_action, payload in self.follow_ups.after(action, request, answer):
            if (await peer.call(follow_action, payload)).status == "closed":
                return

    async def _lifecycle(self, peer: OcppPeer) -> None:
        interval = await self._register(peer)
        if interval is None:
            return
        follow_ups = self.follow_ups
        for action, payload in follow_ups.status_notifications(list(follow_ups.status)):
            if (await peer.call(action, payload)).status == "closed":
                return
        if self.config.heartbeat_interval is not None:
            interval = self.config.heartbeat_interval
        if interval <= 0:
            self._notice(f"{self.config.station_id}: heartbeat interval {interval:g}: "
                         "sending no heartbeats")
            return
        while True:
            await asyncio.sleep(interval)
            if (await peer.call("Heartbeat", {})).status == "closed":
                return

    async def _register(self, peer: OcppPeer) -> float | None:
        """BootNotification until Accepted; the heartbeat interval, None if disconnected."""
        while True:
            outcome = await peer.call("BootNotification", self.boot_payload())
            if outcome.status == "closed":
                return None
            payload = outcome.payload or {}
            status = payload.get("status")
            interval = payload.get("interval")
            usable = isinstance(interval, int | float) and not isinstance(interval, bool)
            self.registration = status if isinstance(status, str) else None
            if outcome.ok and status == "Accepted":
                self.booted.set()
                return float(interval) if usable else self.config.boot_retry
            retry = float(interval) if usable and interval > 0 else self.config.boot_retry
            self._notice(f"{self.config.station_id}: BootNotification "
                         f"{status or outcome.status}; retrying in {retry:g} s")
            await asyncio.sleep(retry)
