"""Sessions recorded from real peers for the replay tests: an `ocpp`-package station talks
through our proxy to an `ocpp`-package CSMS, and the capture is written as a session file.

The conversation of each station: BootNotification; the CSMS asks GetVariables; Authorize;
the CSMS asks Reset; Heartbeat. `ScriptedStation` plays the station's part against any CSMS
(also our replaying one), waiting for each CSMS CALL before going on.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ocpp.routing import on
from ocpp.v201 import call, call_result
from websockets.asyncio.client import connect

from app.net.csms import CsmsConfig
from app.net.proxy import Proxy, ProxyConfig
from app.replay.runner import ReplayControl, ReplayRunner
from app.replay.script import load_recording
from app.session.capture import Capture
from app.session.sessionfile import SessionWriter, make_header
from tests.net.peers import OcppCsms, OcppCsmsServer, OcppStation, Tap, boot_request, until

GET_VARIABLES = [{"component": {"name": "OCPPCommCtrlr"},
                  "variable": {"name": "HeartbeatInterval"}}]
TOKEN = {"id_token": "TAG-0001", "type": "ISO14443"}


class ScriptedStation(OcppStation):
    """Records the CALLs the CSMS sent it, and says when each arrived."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrived: dict[str, asyncio.Event] = {
            "GetVariables": asyncio.Event(), "Reset": asyncio.Event()}
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.answers: list[Any] = []

    @on("GetVariables")
    def on_get_variables(self, get_variable_data: list, **_: Any) -> Any:
        self.received.append(("GetVariables", {"get_variable_data": get_variable_data}))
        self.arrived["GetVariables"].set()
        return super().on_get_variables(get_variable_data)

    @on("Reset")
    def on_reset(self, type: str, **_: Any) -> Any:
        self.received.append(("Reset", {"type": type}))
        self.arrived["Reset"].set()
        return call_result.Reset(status="Accepted")

    async def conversation(self, timeout: float = 10.0) -> None:
        """The station's side; the CSMS's CALLs come when it sends them."""
        self.answers.append(await self.call(boot_request()))
        await asyncio.wait_for(self.arrived["GetVariables"].wait(), timeout)
        self.answers.append(await self.call(call.Authorize(id_token=TOKEN)))
        await asyncio.wait_for(self.arrived["Reset"].wait(), timeout)
        self.answers.append(await self.call(call.Heartbeat()))


async def csms_calls(csms: OcppCsmsServer, station: str, timeout: float = 10.0) -> None:
    """The CSMS's side: GetVariables after the boot, Reset after the Authorize."""
    await asyncio.wait_for(csms.connected.wait(), timeout)
    while station not in csms.stations:
        await asyncio.wait_for(csms.connected.wait(), timeout)
        csms.connected.clear()
    cp, tap = csms.stations[station]
    await until(lambda: any('"BootNotification"' in t for t in tap.received), timeout)
    await cp.call(call.GetVariables(get_variable_data=GET_VARIABLES))
    await until(lambda: any('"Authorize"' in t for t in tap.received), timeout)
    await cp.call(call.Reset(type="Immediate"))


async def talk(url: str, station: str, csms: OcppCsmsServer | None = None) -> ScriptedStation:
    """One scripted station connected to `url`/<station>; with `csms`, also its CSMS side."""
    async with connect(f"{url}/{station}", subprotocols=["ocpp2.0.1"]) as ws:
        peer = ScriptedStation(station, Tap(ws))
        reader = asyncio.create_task(peer.start())
        try:
            if csms is None:
                await peer.conversation()
            else:
                await asyncio.gather(peer.conversation(), csms_calls(csms, station))
        finally:
            reader.cancel()
    return peer


async def replay_as_csms(path: Path, station: str, control: ReplayControl | None = None,
                         progress: Any = None) -> tuple[ReplayRunner, ScriptedStation]:
    """Replay the CSMS side of `station`'s recording in `path` to a scripted station that
    connects as LIVE-7; the runner (its outcome) and the station (what it was sent)."""
    script = load_recording(path).script(station)
    runner = ReplayRunner(script, "csms", Capture(), control=control, progress=progress)
    endpoint = await runner.listen(CsmsConfig(port=0))
    try:
        playing = asyncio.ensure_future(runner.play_as_csms(wait=10))
        peer = await talk(endpoint.url, "LIVE-7")
        await playing
    finally:
        await runner.stop()
    return runner, peer


async def record_session(path: Path, stations: tuple[str, ...] = ("CP-17",),
                         csms_class: type[OcppCsms] = OcppCsms) -> Capture:
    """Record each station's conversation through our proxy and write the session file."""
    capture = Capture()
    async with OcppCsmsServer(csms_class) as csms:
        proxy = Proxy(ProxyConfig(upstream=csms.url), capture)
        await proxy.start()
        try:
            for station in stations:
                await talk(proxy.url, station, csms)
        finally:
            await proxy.stop()
    with SessionWriter(path, make_header("proxy")) as writer:
        writer.write_batch(capture.messages)
    return capture
