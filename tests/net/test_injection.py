"""Injecting CALLs through the proxy: the target answers us, the other side never sees that
answer, everything is recorded, and the relayed traffic goes on byte for byte."""

import asyncio
import json

import pytest
from ocpp.v201 import call
from websockets.asyncio.client import connect

from app.errors import NotConnected
from app.net.proxy import INJECTED_ID_PREFIX, Proxy, ProxyConfig
from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.message import RecordKind
from tests.net.peers import (
    OcppCsmsServer,
    RecordingServer,
    boot_request,
    ocpp_station,
    run,
    until,
)

TO_STATION = Direction.CSMS_TO_STATION
TO_CSMS = Direction.STATION_TO_CSMS
GET_INTERVAL = {"getVariableData": [{"component": {"name": "OCPPCommCtrlr"},
                                     "variable": {"name": "HeartbeatInterval"}}]}


def frames(capture):
    return [m for m in capture.messages if m.kind is RecordKind.FRAME]


def ours(texts):
    return [t for t in texts if INJECTED_ID_PREFIX in t]


def not_ours(texts):
    return [t for t in texts if INJECTED_ID_PREFIX not in t]


async def through_proxy(scenario, **config):
    """An `ocpp` station, booted, connected through our proxy to an `ocpp` CSMS; runs
    `scenario(proxy, capture, station, station_tap, csms_cp, csms_tap)`."""
    capture = Capture()
    async with OcppCsmsServer() as csms:
        proxy = Proxy(ProxyConfig(upstream=csms.url, **config), capture)
        await proxy.start()
        try:
            async with ocpp_station(f"{proxy.url}/site", "CP-7") as (station, station_tap):
                assert (await station.call(boot_request())).status == "Accepted"
                await asyncio.wait_for(csms.connected.wait(), 5)
                cp, csms_tap = csms.stations["CP-7"]
                return await scenario(proxy, capture, station, station_tap, cp, csms_tap)
        finally:
            await proxy.stop()


async def with_raw_csms(scenario, close_on_receipt=False, reply=None, **config):
    """A raw client station through the proxy to a bare `RecordingServer` CSMS."""
    capture = Capture()
    close_with = (1011, "no") if close_on_receipt else None
    async with RecordingServer(reply=reply, close_with=close_with) as csms:
        proxy = Proxy(ProxyConfig(upstream=csms.url, **config), capture)
        await proxy.start()
        try:
            async with connect(f"{proxy.url}/CP-1", subprotocols=["ocpp2.0.1"]) as ws:
                await until(lambda: csms.connection is not None)
                return await scenario(proxy, capture, ws, csms)
        finally:
            await proxy.stop()


async def nothing_arrives(ws, seconds=0.2):
    try:
        return await asyncio.wait_for(ws.recv(), seconds)
    except TimeoutError:
        return None


def test_injected_calls_reach_an_ocpp_station_and_their_answers_stay_with_us():
    async def scenario(proxy, capture, station, station_tap, cp, csms_tap):
        get = await proxy.inject("CP-7", TO_STATION, "GetVariables", GET_INTERVAL)
        reset = await proxy.inject("CP-7", TO_STATION, "Reset", {"type": "OnIdle"})
        return get, reset, station_tap, csms_tap

    get, reset, station_tap, csms_tap = run(through_proxy(scenario))
    assert get.ok and get.payload["getVariableResult"][0]["attributeValue"] == "300"
    assert reset.ok and reset.payload == {"status": "Accepted"}
    assert get.request.message_id.startswith(INJECTED_ID_PREFIX)
    assert len(get.request.message_id) == len(INJECTED_ID_PREFIX) + 12
    assert get.request.message_id != reset.request.message_id
    # the station got our CALLs as recorded and answered them; the CSMS saw none of it
    assert ours(station_tap.received) == [get.request.text, reset.request.text]
    assert ours(station_tap.sent) == [get.response.text, reset.response.text]
    assert ours(csms_tap.received) == [] and ours(csms_tap.sent) == []
    assert len(csms_tap.received) == 1  # the BootNotification only


def test_injected_heartbeat_reaches_an_ocpp_csms_and_the_station_never_sees_the_answer():
    async def scenario(proxy, capture, station, station_tap, cp, csms_tap):
        outcome = await proxy.inject("CP-7", TO_CSMS, "Heartbeat", {})
        return outcome, station_tap, csms_tap

    outcome, station_tap, csms_tap = run(through_proxy(scenario))
    assert outcome.ok and "currentTime" in outcome.payload
    assert ours(csms_tap.received) == [outcome.request.text]
    assert ours(csms_tap.sent) == [outcome.response.text]
    assert ours(station_tap.received) == [] and ours(station_tap.sent) == []


def test_injected_frames_are_recorded_with_meta_and_paired():
    async def scenario(proxy, capture, station, station_tap, cp, csms_tap):
        to_station = await proxy.inject("CP-7", TO_STATION, "Reset", {"type": "Immediate"})
        to_csms = await proxy.inject("CP-7", TO_CSMS, "Heartbeat", {})
        return to_station, to_csms, capture

    to_station, to_csms, capture = run(through_proxy(scenario))
    for outcome, direction in ((to_station, TO_STATION), (to_csms, TO_CSMS)):
        request, response = outcome.request, outcome.response
        assert request.meta == {"injected": True} and response.meta == {"injected": True}
        assert request.direction is direction and response.direction is direction.opposite
        assert capture.pair_of(request.seq) == response.seq
        assert capture.pair_of(response.seq) == request.seq
        assert capture.annotation(request.seq).valid and capture.annotation(response.seq).valid
    assert [m.seq for m in frames(capture)][-4:] == [
        to_station.request.seq, to_station.response.seq, to_csms.request.seq,
        to_csms.response.seq]
    relayed = [m for m in frames(capture) if not m.meta]
    assert [m.action for m in relayed] == ["BootNotification"] * 2


def test_normal_traffic_keeps_flowing_byte_exact_while_injecting():
    async def scenario(proxy, capture, station, station_tap, cp, csms_tap):
        async def station_calls():
            return [await station.call(call.Heartbeat()) for _ in range(5)]

        async def csms_calls():
            return [await cp.call(call.GetVariables(get_variable_data=[{
                "component": {"name": "OCPPCommCtrlr"},
                "variable": {"name": "HeartbeatInterval"}}])) for _ in range(5)]

        async def injections():
            outcomes = []
            for _ in range(5):
                outcomes.append(await proxy.inject("CP-7", TO_STATION, "Reset",
                                                   {"type": "OnIdle"}))
                outcomes.append(await proxy.inject("CP-7", TO_CSMS, "Heartbeat", {}))
            return outcomes

        results = await asyncio.gather(station_calls(), csms_calls(), injections())
        return results, station_tap, csms_tap, capture

    (beats, gets, injected), station_tap, csms_tap, capture = run(through_proxy(scenario))
    assert all(b.current_time for b in beats)
    assert all(g.get_variable_result[0]["attribute_value"] == "300" for g in gets)
    assert len(injected) == 10 and all(o.ok for o in injected)
    # everything relayed crossed unchanged and in order; nothing of ours leaked across
    assert not_ours(station_tap.sent) == not_ours(csms_tap.received)
    assert not_ours(csms_tap.sent) == not_ours(station_tap.received)
    assert len(not_ours(station_tap.sent)) == 1 + 5 + 5     # boot, heartbeats, answers
    assert len(ours(station_tap.received)) == 5 and len(ours(csms_tap.received)) == 5
    assert len(ours(station_tap.sent)) == 5 and len(ours(csms_tap.sent)) == 5
    assert ours(station_tap.sent) == [o.response.text for o in injected[::2]]
    recorded = frames(capture)
    assert len(recorded) == 2 * (1 + 5 + 5) + 2 * 10
    assert sum(1 for m in recorded if m.meta == {"injected": True}) == 20
    assert all(capture.annotation(m.seq).valid for m in recorded)


def test_inject_text_delivers_invalid_json_byte_for_byte():
    broken = ' [2, "x-1", "Heartbeat", {"oops": } \n'
    odd = "é ✓ [3,"

    async def scenario(proxy, capture, ws, csms):
        to_csms = await proxy.inject_text("CP-1", TO_CSMS, broken)
        received_by_csms = await csms.next_text()
        to_station = await proxy.inject_text("CP-1", TO_STATION, odd)
        received_by_station = await asyncio.wait_for(ws.recv(), 5)
        return to_csms, received_by_csms, to_station, received_by_station, capture

    to_csms, by_csms, to_station, by_station, capture = run(with_raw_csms(scenario))
    assert (to_csms.status, to_station.status) == ("sent", "sent")
    assert by_csms == broken and by_station == odd
    assert to_csms.request.text == broken and to_csms.request.meta == {"injected": True}
    assert to_station.request.direction is TO_STATION
    findings = capture.annotation(to_csms.request.seq).findings
    assert [f.code for f in findings] == ["frame.not-json"]


def test_inject_text_waits_for_the_answer_it_names_and_keeps_it():
    text = '[2,  "mine-1" ,"Heartbeat",  {} ]'

    async def scenario(proxy, capture, station, station_tap, cp, csms_tap):
        outcome = await proxy.inject_text("CP-7", TO_CSMS, text, expect_answer_to="mine-1")
        return outcome, station_tap, csms_tap

    outcome, station_tap, csms_tap = run(through_proxy(scenario))
    assert outcome.ok and "currentTime" in outcome.payload
    assert csms_tap.received[-1] == text
    assert outcome.response.text == csms_tap.sent[-1]
    assert not any("mine-1" in t for t in station_tap.received)


def test_answers_are_recognised_through_whitespace_and_escapes():
    async def scenario(proxy, capture, ws, csms):
        waiting = asyncio.create_task(proxy.inject_text(
            "CP-1", TO_CSMS, '[2,"a\\"b","Heartbeat",{}]', expect_answer_to='a"b'))
        await csms.next_text()
        await csms.connection.send(' \n[ 4 ,\t"a\\"b" , "NotSupported", "no", {} ]')
        error = await waiting
        waiting = asyncio.create_task(proxy.inject("CP-1", TO_CSMS, "Heartbeat", {}))
        message_id = json.loads(await csms.next_text())[1]
        await csms.connection.send(f'[3, "{message_id}", {{')  # unreadable, still the answer
        unreadable = await waiting
        # an answer to a CALL the station did send is relayed as usual
        await ws.send('[2,"s-1","Heartbeat",{}]')
        await csms.next_text()
        await csms.connection.send('[3,"s-1",{"currentTime":"2026-01-01T00:00:00Z"}]')
        relayed = await asyncio.wait_for(ws.recv(), 5)
        return error, unreadable, relayed, await nothing_arrives(ws)

    error, unreadable, relayed, extra = run(with_raw_csms(scenario))
    assert error.status == "error"
    assert error.error == ("NotSupported", "no", {})
    assert unreadable.status == "result" and unreadable.payload is None
    assert unreadable.response.meta == {"injected": True}
    assert relayed == '[3,"s-1",{"currentTime":"2026-01-01T00:00:00Z"}]'
    assert extra is None


def test_an_unknown_station_is_not_connected():
    async def scenario(proxy, capture, ws, csms):
        with pytest.raises(NotConnected):
            await proxy.inject("CP-2", TO_STATION, "Reset", {"type": "OnIdle"})
        with pytest.raises(NotConnected):
            await proxy.inject_text("CP-2", TO_CSMS, "[]")
        await ws.close()
        for _ in range(100):
            if not proxy.stations:
                break
            await asyncio.sleep(0.01)
        with pytest.raises(NotConnected):
            await proxy.inject("CP-1", TO_CSMS, "Heartbeat", {})
        return capture

    capture = run(with_raw_csms(scenario))
    assert frames(capture) == []


def test_timeout_when_the_peer_does_not_answer_and_a_late_answer_is_still_kept():
    async def scenario(proxy, capture, ws, csms):
        outcome = await proxy.inject("CP-1", TO_CSMS, "Heartbeat", {}, timeout=0.2)
        message_id = outcome.request.message_id
        late = f'[3,"{message_id}",{{"currentTime":"2026-01-01T00:00:00Z"}}]'
        await csms.connection.send(late)
        kept = await nothing_arrives(ws)
        await asyncio.sleep(0.3)  # the grace period is over: the id is forgotten
        await csms.connection.send(late)
        forwarded = await asyncio.wait_for(ws.recv(), 5)
        return outcome, kept, forwarded, late, capture

    outcome, kept, forwarded, late, capture = run(
        with_raw_csms(scenario, late_answer_grace=0.2))
    assert outcome.status == "timeout" and outcome.response is None
    assert outcome.request.meta == {"injected": True}
    assert kept is None and forwarded == late
    answers = [m for m in frames(capture) if m.text == late]
    assert [m.meta for m in answers] == [{"injected": True, "late": True}, None]
    assert capture.pair_of(answers[0].seq) == outcome.request.seq


def test_the_connection_closing_ends_the_wait():
    async def scenario(proxy, capture, ws, csms):
        # a wait this long ends only by the close: its own end would say "timeout"
        outcome = await proxy.inject("CP-1", TO_CSMS, "Heartbeat", {}, timeout=3600)
        with pytest.raises(NotConnected):
            await proxy.inject("CP-1", TO_CSMS, "Heartbeat", {})
        return outcome

    outcome = run(with_raw_csms(scenario, close_on_receipt=True))
    assert outcome.status == "closed" and outcome.request is not None


def test_a_second_wait_for_the_same_answer_is_refused():
    async def scenario(proxy, capture, ws, csms):
        first = asyncio.create_task(proxy.inject_text(
            "CP-1", TO_CSMS, '[2,"dup","Heartbeat",{}]', expect_answer_to="dup", timeout=5))
        await csms.next_text()
        with pytest.raises(ValueError, match="dup"):
            await proxy.inject_text("CP-1", TO_CSMS, "[]", expect_answer_to="dup")
        await csms.connection.send('[3,"dup",{"currentTime":"2026-01-01T00:00:00Z"}]')
        return await first, await nothing_arrives(ws)

    outcome, extra = run(with_raw_csms(scenario))
    assert outcome.ok and extra is None


def test_an_answer_in_a_binary_frame_is_kept_too():
    def binary_answer(data):
        message_id = json.loads(data)[1]
        return f'[3,"{message_id}",{{"currentTime":"2026-01-01T00:00:00Z"}}]'.encode()

    async def scenario(proxy, capture, ws, csms):
        return await proxy.inject("CP-1", TO_CSMS, "Heartbeat", {}), await nothing_arrives(ws)

    outcome, extra = run(with_raw_csms(scenario, reply=binary_answer))
    assert outcome.ok and outcome.payload == {"currentTime": "2026-01-01T00:00:00Z"}
    assert outcome.response.kind is RecordKind.BINARY
    assert outcome.response.meta == {"injected": True}
    assert extra is None


def test_an_answer_quicker_than_the_recording_of_its_call_is_recorded_after_it():
    def answer(data):
        return f'[3,"{json.loads(data)[1]}",{{"currentTime":"2026-01-01T00:00:00Z"}}]'

    async def scenario(proxy, capture, ws, csms):
        upstream = proxy._link_of("CP-1")[1].upstream
        send = upstream.send

        async def slow_send(*args, **kwargs):  # the answer arrives while this still waits
            await send(*args, **kwargs)
            await asyncio.sleep(0.2)

        upstream.send = slow_send
        return await proxy.inject("CP-1", TO_CSMS, "Heartbeat", {}), capture

    outcome, capture = run(with_raw_csms(scenario, reply=answer))
    assert outcome.ok
    assert outcome.response.seq > outcome.request.seq
    assert capture.pair_of(outcome.request.seq) == outcome.response.seq
