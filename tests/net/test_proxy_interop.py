"""The proxy between an independent station and an independent CSMS (the `ocpp` package):
calls both ways, and every frame forwarded byte for byte."""

import asyncio

from ocpp.v201 import call

from app.net.proxy import Proxy, ProxyConfig
from app.session.capture import Capture
from app.session.message import RecordKind
from tests.net.peers import OcppCsmsServer, boot_request, ocpp_station, run


async def _station_through_proxy():
    capture = Capture()
    async with OcppCsmsServer() as csms:
        proxy = Proxy(ProxyConfig(upstream=csms.url), capture)
        await proxy.start()
        try:
            async with ocpp_station(f"{proxy.url}/site-a", "CP-17") as (station, tap):
                assert tap.ws.subprotocol == "ocpp2.0.1"
                boot = await station.call(boot_request())
                assert boot.status == "Accepted"
                await asyncio.wait_for(csms.connected.wait(), 5)
                cp, csms_tap = csms.stations["CP-17"]
                result = await cp.call(call.GetVariables(
                    get_variable_data=[{"component": {"name": "OCPPCommCtrlr"},
                                        "variable": {"name": "HeartbeatInterval"}}]))
                assert result.get_variable_result[0]["attribute_value"] == "300"
        finally:
            await proxy.stop()
        return capture, tap, csms_tap, csms


def test_ocpp_station_through_proxy_to_ocpp_csms_is_byte_exact():
    capture, station_tap, csms_tap, csms = run(_station_through_proxy())
    # what one side sent is exactly what the other received, in order
    assert station_tap.sent == csms_tap.received
    assert csms_tap.sent == station_tap.received
    assert len(station_tap.sent) == 2 and len(csms_tap.sent) == 2
    # and what was recorded is exactly what crossed, with pairing and validation
    frames = [m for m in capture.messages if m.kind is RecordKind.FRAME]
    assert [m.text for m in frames] == [
        station_tap.sent[0], csms_tap.sent[0], csms_tap.sent[1], station_tap.sent[1]]
    assert [m.action for m in frames] == ["BootNotification"] * 2 + ["GetVariables"] * 2
    assert all(capture.annotation(m.seq).valid for m in frames)
    assert capture.annotation(frames[1].seq).latency is not None
    # the upstream URL keeps the CSMS prefix and appends the station id
    assert csms.paths == ["/ocpp/CP-17"]
    kinds = [m.kind for m in capture.messages]
    assert kinds[0] is RecordKind.OPENED and kinds[-1] is RecordKind.CLOSED
    assert capture.messages[0].meta["offered"] == ["ocpp2.0.1"]
    assert capture.messages[-1].meta["by"] == "station"
