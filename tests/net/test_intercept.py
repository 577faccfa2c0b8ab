"""Intercept rules in the terminating proxy, observed on real peers (the `ocpp` package): what
each action does to the station and the CSMS, and what the capture records of it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from ocpp.routing import on
from ocpp.v201 import call, call_result
from websockets.asyncio.client import connect

from app.net.intercept import (
    HeldFrame,
    Interceptor,
    editable_payload,
    needs_terminating,
    with_payload,
)
from app.net.intercept_rules import rule_from_json
from app.net.proxy import Proxy, ProxyConfig
from app.ocpp.conversation import Direction
from app.ocpp.schemas import PayloadKind
from app.session.capture import Capture
from app.session.message import Message, RecordKind, frame_message
from tests.net.peers import OcppCsms, OcppCsmsServer, OcppStation, Tap, boot_request, run


class TransactionCsms(OcppCsms):
    """The package's CSMS, also taking transaction events."""

    @on("TransactionEvent")
    def on_transaction_event(self, **_: Any) -> Any:
        return call_result.TransactionEvent()


def ended_event(energy: float) -> Any:
    return call.TransactionEvent(
        event_type="Ended", timestamp=datetime.now(UTC).isoformat(), trigger_reason="EVDeparted",
        seq_no=2, transaction_info={"transaction_id": "tx-1"},
        meter_value=[{"timestamp": datetime.now(UTC).isoformat(),
                      "sampled_value": [{"value": energy}]}])


class Station:
    def __init__(self, cp: OcppStation, tap: Tap, ws: Any) -> None:
        self.cp, self.tap, self.ws = cp, tap, ws


class Bench:
    def __init__(self, proxy: Proxy, capture: Capture, csms: OcppCsmsServer,
                 interceptor: Interceptor) -> None:
        self.proxy, self.capture, self.csms, self.interceptor = (proxy, capture, csms,
                                                                 interceptor)
        self.stations: dict[str, Station] = {}

    def received_by_csms(self, station: str) -> list[Any]:
        return [json.loads(text) for text in self.csms.stations[station][1].received]

    def intercepted(self) -> list[Message]:
        return [m for m in self.capture.messages
                if m.kind is RecordKind.FRAME and (m.meta or {}).get("intercept")]


@contextlib.asynccontextmanager
async def bench(rules: list[dict[str, Any]], stations: tuple[str, ...] = ("CP-1",),
                timeout: float = 30) -> AsyncIterator[Bench]:
    capture = Capture()
    interceptor = Interceptor(rule_from_json(rule) for rule in rules)
    async with OcppCsmsServer(TransactionCsms) as csms:
        proxy = Proxy(ProxyConfig(upstream=csms.url), capture)
        proxy.interceptor = interceptor
        await proxy.start()
        readers = []
        result = Bench(proxy, capture, csms, interceptor)
        try:
            for name in stations:
                ws = await connect(f"{proxy.url}/ocpp/{name}", subprotocols=["ocpp2.0.1"])
                tap = Tap(ws)
                cp = OcppStation(name, tap, response_timeout=timeout)
                readers.append(asyncio.create_task(cp.start()))
                result.stations[name] = Station(cp, tap, ws)
            while len(csms.stations) < len(stations):
                await asyncio.sleep(0.01)
            yield result
        finally:
            for reader in readers:
                reader.cancel()
            for station in result.stations.values():
                await station.ws.close()
            await proxy.stop()


def test_a_rewritten_boot_status_makes_the_station_see_rejected() -> None:
    async def scenario() -> tuple[Any, Bench]:
        async with bench([{"name": "refuse", "action": "rewrite", "set": {"status": "Rejected"},
                           "when": 'action == "BootNotification" && type == RESULT'}]) as b:
            return await b.stations["CP-1"].cp.call(boot_request()), b

    answer, b = run(scenario())
    assert answer.status == "Rejected"
    sent_by_csms = json.loads(b.csms.stations["CP-1"][1].sent[0])
    assert sent_by_csms[2]["status"] == "Accepted"
    [record] = b.intercepted()
    assert json.loads(record.text)[2]["status"] == "Rejected"
    intercept = record.meta["intercept"]
    assert intercept["rule"] == "refuse" and intercept["action"] == "rewrite"
    assert json.loads(intercept["original"])[2]["status"] == "Accepted"


def test_a_dropped_answer_makes_the_stations_call_time_out() -> None:
    async def scenario() -> Bench:
        async with bench([{"name": "lose", "action": "drop",
                           "when": 'action == "Heartbeat" && type == RESULT'}], timeout=1) as b:
            with pytest.raises(asyncio.TimeoutError):
                await b.stations["CP-1"].cp.call(call.Heartbeat())
            return b

    b = run(scenario())
    [record] = b.intercepted()
    assert record.message_type == 3 and record.meta["delivered"] is False
    assert record.meta["intercept"]["action"] == "drop"


def test_an_answer_in_place_reaches_the_station_and_the_csms_never_sees_the_call() -> None:
    async def scenario() -> tuple[Any, Bench]:
        async with bench([{"name": "block", "action": "answer",
                           "payload": {"idTokenInfo": {"status": "Blocked"}},
                           "when": 'action == "Authorize"'}]) as b:
            answer = await b.stations["CP-1"].cp.call(call.Authorize(
                id_token={"id_token": "TAG-1", "type": "ISO14443"}))
            await b.stations["CP-1"].cp.call(call.Heartbeat())
            return answer, b

    answer, b = run(scenario())
    assert answer.id_token_info["status"] == "Blocked"
    assert [frame[2] for frame in b.received_by_csms("CP-1")] == ["Heartbeat"]
    call_record, answer_record = b.intercepted()
    assert call_record.action == "Authorize" and call_record.meta["delivered"] is False
    assert answer_record.meta["injected"] is True
    assert b.capture.annotation(answer_record.seq).call_seq == call_record.seq


def test_a_delay_shows_in_the_stations_round_trip() -> None:
    async def scenario() -> tuple[float, Bench]:
        async with bench([{"name": "slow", "action": "delay", "ms": 300,
                           "when": 'action == "Heartbeat" && dir == "down"'}]) as b:
            started = time.monotonic()
            await b.stations["CP-1"].cp.call(call.Heartbeat())
            return time.monotonic() - started, b

    round_trip, b = run(scenario())
    assert round_trip >= 0.3
    [record] = b.intercepted()
    assert record.meta["intercept"] == {"rule": "slow", "action": "delay", "ms": 300}


def test_a_duplicated_call_reaches_the_csms_twice() -> None:
    async def scenario() -> Bench:
        async with bench([{"name": "twice", "action": "duplicate",
                           "when": 'action == "Heartbeat" && type == CALL'}]) as b:
            await b.stations["CP-1"].cp.call(call.Heartbeat())
            while len(b.received_by_csms("CP-1")) < 2:
                await asyncio.sleep(0.01)
            return b

    b = run(scenario())
    first, second = b.received_by_csms("CP-1")
    assert first == second and first[2] == "Heartbeat"
    assert [m.meta["intercept"]["copy"] for m in b.intercepted()] == [1, 2]


def test_a_close_rule_closes_the_stations_connection_with_its_code() -> None:
    async def scenario() -> tuple[int | None, Bench]:
        async with bench([{"name": "cut", "action": "close", "code": 4001, "reason": "test",
                           "when": 'action == "StatusNotification"'}]) as b:
            station = b.stations["CP-1"]
            status = asyncio.create_task(station.cp.call(call.StatusNotification(
                timestamp=datetime.now(UTC).isoformat(), connector_status="Available",
                evse_id=1, connector_id=1)))
            await station.ws.wait_closed()
            status.cancel()
            return station.ws.close_code, b

    code, b = run(scenario())
    assert code == 4001
    [record] = b.intercepted()
    assert record.meta["delivered"] is False


def test_a_held_frame_waits_while_other_stations_and_the_other_direction_flow() -> None:
    async def scenario() -> tuple[Bench, list[Any]]:
        async with bench([{"name": "break", "action": "hold",
                           "when": 'station == "CP-A" && action == "TransactionEvent" && '
                                   'payload.eventType == "Ended"'}],
                         stations=("CP-A", "CP-B")) as b:
            seen: list[Any] = []
            b.interceptor.subscribe(lambda what, held: seen.append((what, held.id)))
            a, other = b.stations["CP-A"], b.stations["CP-B"]
            held_call = asyncio.create_task(a.cp.call(ended_event(0.0)))
            while not b.interceptor.held:
                await asyncio.sleep(0.01)
            # the other station flows, and so does the CSMS's side of the held station
            assert (await other.cp.call(call.Heartbeat())).current_time
            csms_cp = b.csms.stations["CP-A"][0]
            variables = await csms_cp.call(call.GetVariables(get_variable_data=[
                {"component": {"name": "OCPPCommCtrlr"},
                 "variable": {"name": "HeartbeatInterval"}}]))
            assert variables.get_variable_result
            [held] = b.interceptor.held.values()
            assert 0 < held.remaining() <= 30
            edited = json.loads(held.text)
            edited[3]["meterValue"][0]["sampledValue"][0]["value"] = 4200.5
            assert b.interceptor.release(held.id, json.dumps(edited))
            await held_call
            return b, seen

    b, seen = run(scenario())
    [ended] = [f for f in b.received_by_csms("CP-A") if f[2] == "TransactionEvent"]
    assert ended[3]["meterValue"][0]["sampledValue"][0]["value"] == 4200.5
    [record] = b.intercepted()
    assert record.meta["intercept"]["released"] == "edited"
    assert json.loads(record.meta["intercept"]["original"])[3]["meterValue"][0][
        "sampledValue"][0]["value"] == 0.0
    assert [what for what, _ in seen] == ["held", "released"]


def test_release_all_on_stop_forwards_or_drops_as_chosen() -> None:
    async def scenario(forward: bool) -> Bench:
        async with bench([{"name": "break", "action": "hold", "when": 'action == "Heartbeat"'
                                                                      ' && type == CALL'}]) as b:
            b.interceptor.forward_on_stop = forward
            beat = asyncio.create_task(b.stations["CP-1"].cp.call(call.Heartbeat()))
            while not b.interceptor.held:
                await asyncio.sleep(0.01)
            await b.proxy.stop()
            beat.cancel()
            return b

    forwarded = run(scenario(True))
    dropped = run(scenario(False))
    assert forwarded.intercepted()[0].meta["intercept"]["released"] == "unchanged"
    assert dropped.intercepted()[0].meta["intercept"]["released"] == "dropped"
    assert dropped.intercepted()[0].meta["delivered"] is False


def test_rules_need_the_terminating_proxy() -> None:
    assert needs_terminating({"rules": "rules.json"})
    assert not needs_terminating({"rules": ""})


def _held(text: str, action: str | None) -> HeldFrame:
    message = frame_message(0, text, station="CP-1", direction=Direction.STATION_TO_CSMS,
                            action=action)
    return HeldFrame(1, "r", "CP-1", "c1", Direction.STATION_TO_CSMS, text, message, 0.0,
                     30.0, None, None)  # type: ignore[arg-type]


def test_a_held_call_or_known_answer_has_a_payload_a_form_can_show() -> None:
    assert editable_payload(_held('[2,"1","Heartbeat",{}]', "Heartbeat")) == (
        "Heartbeat", PayloadKind.REQUEST, {})
    assert editable_payload(_held('[3,"1",{"currentTime":"x"}]', "Heartbeat")) == (
        "Heartbeat", PayloadKind.RESPONSE, {"currentTime": "x"})
    assert editable_payload(_held('[3,"1",{}]', None)) is None
    assert editable_payload(_held('[4,"1","InternalError","",{}]', "Heartbeat")) is None
    assert editable_payload(_held('[2,"1","NoSuchAction",{}]', "NoSuchAction")) is None
    assert editable_payload(_held('[2,"1","Heartbeat",', None)) is None


def test_a_new_payload_keeps_the_envelope_and_an_unchanged_one_the_bytes() -> None:
    held = _held('[2, "1", "Heartbeat", {}]', "Heartbeat")
    assert with_payload(held, {}) == '[2, "1", "Heartbeat", {}]'
    assert json.loads(with_payload(held, {"a": 1})) == [2, "1", "Heartbeat", {"a": 1}]
    answer = _held('[3,"1",{}]', "Heartbeat")
    assert json.loads(with_payload(answer, {"currentTime": "t"})) == [
        3, "1", {"currentTime": "t"}]
