"""Our endpoints against independent peers from the `ocpp` package."""

import asyncio

from ocpp.v201 import call
from websockets.asyncio.client import connect

from app.net.csms import CsmsConfig, CsmsEndpoint
from app.net.policy import ResponsePolicy, parse_rules
from app.net.station import StationConfig, StationEndpoint
from app.session.capture import Capture
from app.session.message import RecordKind
from tests.net.peers import OcppCsmsServer, boot_request, ocpp_station, refusal, run


async def _ocpp_station_against_our_csms(policy=None):
    capture = Capture()
    csms = CsmsEndpoint(CsmsConfig(call_timeout=2), capture, policy or ResponsePolicy())
    await csms.start()
    try:
        async with ocpp_station(csms.url, "CP-9") as (station, _):
            boot = await station.call(boot_request())
            auth = await station.call(call.Authorize(id_token={"id_token": "AB12",
                                                               "type": "ISO14443"}))
            await csms.wait_for_station("CP-9")
            outcome = await csms.call("CP-9", "Reset", {"type": "OnIdle"})
        return boot, auth, outcome, capture
    finally:
        await csms.stop()


def test_ocpp_station_is_answered_by_our_csms_and_answers_our_calls():
    boot, auth, outcome, capture = run(_ocpp_station_against_our_csms())
    assert boot.status == "Accepted" and boot.interval == 300
    assert auth.id_token_info["status"] == "Accepted"
    assert outcome.ok and outcome.payload == {"status": "Accepted"}
    frames = [m for m in capture.messages if m.kind is RecordKind.FRAME]
    assert [m.action for m in frames] == ["BootNotification"] * 2 + ["Authorize"] * 2 + [
        "Reset"] * 2
    assert all(capture.annotation(m.seq).valid for m in frames)


def test_csms_policy_rejects_and_errors_per_action():
    policy = ResponsePolicy(rules=parse_rules({
        "BootNotification": "reject",
        "Authorize": {"error": "SecurityError", "description": "no"}}))

    async def main():
        capture = Capture()
        csms = CsmsEndpoint(CsmsConfig(), capture, policy)
        await csms.start()
        try:
            async with connect(f"{csms.url}/CP-1", subprotocols=["ocpp2.0.1"]) as ws:
                await ws.send('[2,"1","BootNotification",{"reason":"PowerUp","chargingStation":'
                              '{"model":"m","vendorName":"v"}}]')
                boot = await ws.recv()
                await ws.send('[2,"2","Authorize",{"idToken":{"idToken":"x","type":"Local"}}]')
                auth = await ws.recv()
                await ws.send('[2,"3","NoSuchAction",{}]')
                unknown = await ws.recv()
                await ws.send("this is not json")
                garbage = await ws.recv()
            return boot, auth, unknown, garbage
        finally:
            await csms.stop()

    boot, auth, unknown, garbage = run(main())
    assert '"status":"Rejected"' in boot
    assert auth == '[4,"2","SecurityError","no",{}]'
    assert unknown.startswith('[4,"3","NotImplemented"')
    assert garbage.startswith('[4,"-1","FormatViolation"')


def test_csms_refuses_a_station_offering_no_ocpp201_with_the_reason():
    async def main():
        capture = Capture()
        csms = CsmsEndpoint(CsmsConfig(), capture)
        await csms.start()
        try:
            response = await refusal(f"{csms.url}/CP-1", subprotocols=("ocpp1.6",))
            return response.status_code, response.body.decode(), capture
        finally:
            await csms.stop()

    status, body, capture = run(main())
    assert status == 400
    assert "ocpp2.0.1" in body and "'ocpp1.6'" in body
    assert capture.messages[0].kind is RecordKind.REJECTED


def test_strict_csms_answers_invalid_requests_with_the_spec_error():
    async def main():
        csms = CsmsEndpoint(CsmsConfig(), Capture(), ResponsePolicy(strict=True))
        await csms.start()
        try:
            async with connect(f"{csms.url}/CP-1", subprotocols=["ocpp2.0.1"]) as ws:
                await ws.send('[2,"1","Authorize",{"idToken":{"idToken":"x","type":"local"}}]')
                enum = await ws.recv()
                await ws.send('[2,"2","Authorize",{}]')
                missing = await ws.recv()
            return enum, missing
        finally:
            await csms.stop()

    enum, missing = run(main())
    assert enum.startswith('[4,"1","PropertyConstraintViolation","idToken.type:')
    assert missing.startswith('[4,"2","OccurrenceConstraintViolation"')


def test_our_station_boots_reports_and_answers_an_ocpp_csms():
    async def main():
        async with OcppCsmsServer() as csms:
            capture = Capture()
            station = StationEndpoint(StationConfig(csms_url=csms.url, station_id="OS-1",
                                                    heartbeat_interval=0.2), capture)
            await station.start()
            try:
                await asyncio.wait_for(station.booted.wait(), 5)
                cp, tap = csms.stations["OS-1"]
                assert tap.received[0].startswith('[2,')
                result = await cp.call(call.GetVariables(get_variable_data=[{
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"}}]))
                for _ in range(100):
                    if any('"Heartbeat"' in t for t in tap.received):
                        break
                    await asyncio.sleep(0.02)
                return result, tap, capture
            finally:
                await station.stop()

    result, tap, capture = run(main())
    assert result.get_variable_result[0]["attribute_status"] == "Accepted"
    actions = [m.action for m in capture.messages if m.kind is RecordKind.FRAME]
    assert actions[:2] == ["BootNotification", "BootNotification"]
    assert actions.count("StatusNotification") == 2
    assert "Heartbeat" in actions and actions.count("GetVariables") == 2
    assert all(capture.annotation(m.seq).valid for m in capture.messages
               if m.kind is RecordKind.FRAME)
    # what the independent CSMS received is exactly what we recorded as sent
    sent = [m.text for m in capture.messages
            if m.kind is RecordKind.FRAME and m.direction.value == "station_to_csms"]
    assert tap.received == sent[:len(tap.received)]


def test_station_sends_basic_auth_and_reconnects_after_a_drop():
    async def main():
        async with OcppCsmsServer() as csms:
            capture = Capture()
            station = StationEndpoint(StationConfig(
                csms_url=csms.url, station_id="OS-2", password="pw", reconnect_min=0.05),
                capture)
            await station.start()
            try:
                await asyncio.wait_for(station.booted.wait(), 5)
                first = station.peer
                await first.ws.close(1012, "restart")
                for _ in range(200):
                    if station.peer is not None and station.peer is not first \
                            and station.booted.is_set():
                        break
                    await asyncio.sleep(0.02)
                return csms.headers, capture
            finally:
                await station.stop()

    headers, capture = run(main())
    assert len(headers) == 2
    assert headers[0]["Authorization"].startswith("Basic ")
    opened = [m for m in capture.messages if m.kind is RecordKind.OPENED]
    assert len(opened) == 2 and "password" not in opened[0].meta["auth"]


def test_station_reports_why_it_cannot_connect_once_and_invents_no_http_status():
    notices: list[str] = []

    async def main():
        async with OcppCsmsServer() as csms:
            url = csms.url
        capture = Capture()
        tried = asyncio.Event()
        capture.subscribe(lambda message, _annotation: len(capture.messages) >= 3
                          and tried.set())
        station = StationEndpoint(StationConfig(csms_url=url, station_id="OS-3",
                                                reconnect_min=0.05, reconnect_max=0.1),
                                  capture, notice=notices.append)
        await station.start()
        await tried.wait()  # within run's time limit
        await station.stop()
        return capture

    capture = run(main())
    rejected = [m for m in capture.messages if m.kind is RecordKind.REJECTED]
    assert len(rejected) >= 3  # it retried, and each attempt is a record
    assert "nothing listens" in rejected[0].meta["reason"]
    assert all("status" not in m.meta for m in rejected)  # no HTTP answer came
    assert len([n for n in notices if "nothing listens" in n]) == 1


def test_a_station_reconnecting_is_served_at_once_even_if_its_old_connection_is_dead():
    async def main():
        csms = CsmsEndpoint(CsmsConfig(), Capture())
        await csms.start()
        try:
            old = await connect(f"{csms.url}/CP-R", subprotocols=["ocpp2.0.1"])
            await csms.wait_for_station("CP-R")
            old.transport.pause_reading()  # a dead peer: it never answers the close
            async with connect(f"{csms.url}/CP-R", subprotocols=["ocpp2.0.1"]) as new:
                await new.send('[2,"1","Heartbeat",{}]')
                return await asyncio.wait_for(new.recv(), 2)
        finally:
            old.transport.abort()
            await csms.stop()

    assert run(main()).startswith('[3,"1"')


def test_stopping_our_station_records_its_closed_event():
    async def main():
        capture = Capture()
        csms = CsmsEndpoint(CsmsConfig(ping_interval=None), Capture())
        await csms.start()
        station = StationEndpoint(StationConfig(csms_url=csms.url, station_id="ST-9"), capture)
        await station.start()
        await asyncio.wait_for(station.booted.wait(), 10)
        await station.stop()
        await csms.stop()
        return capture

    capture = run(main())
    kinds = [m.kind for m in capture.messages]
    assert kinds[0] is RecordKind.OPENED and kinds[-1] is RecordKind.CLOSED
    assert capture.messages[-1].meta["by"] == "station"
