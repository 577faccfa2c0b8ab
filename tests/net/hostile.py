"""A reproducible stream of hostile frames for network tests and the hostile benchmark.

Each frame is a catalog example (request or response) with values replaced by odd JSON, an
envelope bent out of shape, or text cut short; interleaved with the classics that once broke
the judging layer (a lone-surrogate id, an unhashable 1.6 Reset type, actions that look like
paths). Binary frames stand for peers that send bytes. Built with `random.Random(seed)`, so a
failure names the seed and index that reproduce it.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import connect

from app.net.csms import CsmsConfig, CsmsEndpoint
from app.net.proxy import Proxy, ProxyConfig
from app.ocpp import reference
from app.ocpp.frames import Call, parse_frame
from app.session.capture import Capture
from tests.net.peers import RecordingServer

CLASSICS: tuple[str | bytes, ...] = (
    '[2,"\\ud800","Heartbeat",{}]',
    '[2,"1","Reset",{"type":{}}]',
    '[2,"2","Reset",{"type":["Hard"]}]',
    '[2,"3","../../somewhere/x",{}]',
    '[2,"4","Heart\\u0000beat",{}]',
    '[2,"5","' + "A" * 250 + '",{}]',
    '[2,"6","DataTransfer",{"vendorId":"x","data":' + "[" * 5000 + "]" * 5000 + "}]",
    '[2,"7","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"\\udfff",'
    '"vendorName":"' + "v" * 300 + '"}}]',
    '[2,"8","GetVariables",{"getVariableData":[{"component":{"name":"' + "c" * 300
    + '"},"variable":{"name":"x"}}]}]',
    '[2,9,"Heartbeat",{}]',
    '[2,"10","Heartbeat",{}',
    '[2,"11","Heartbeat",{"transactionId":,}]',
    "", "[]", "[5]", "[2]", "null", "{}", '"text"', "[2,null,null,null]",
    '[4,"12","Handler not implemented",null,null]',
    '[3,"13",{"status":"Accepted"}]',
    b"", b"\x00\xff\xfe", b'[2,"14","Heartbeat",{}]',
    '[2,"15","Heartbeat",{}]    ',
    '[2,"16","StatusNotification",{"timestamp":"٢٠٢٦-١١-٣٠T00:00:00Z","connectorStatus":'
    '"Available","evseId":1,"connectorId":1}]',
)

_ODD_VALUES: tuple[Any, ...] = (
    None, True, 0, -1, 2**70, 1.5, "", "\ud800", "x" * 600, [], {}, [[[]]], {"a": {"b": None}},
    "2026-11-30T10:00:00", "accepted", "Hard", "0", 1e308,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _set(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _set(copy[path[0]], path[1:], new)
    return copy


def hostile_frames(count: int, seed: int = 2026) -> Iterator[str | bytes]:
    """`count` frames: every classic once, then mutated catalog examples."""
    rng = random.Random(seed)
    examples = [(page.action.name, example.kind.value, example.payload)
                for page in reference.all_pages() for example in page.examples]
    for index in range(count):
        if index < len(CLASSICS):
            yield CLASSICS[index]
            continue
        action, kind, payload = rng.choice(examples)
        for _ in range(rng.randint(0, 3)):
            path = rng.choice(list(_paths(payload)))
            payload = _set(payload, path, rng.choice(_ODD_VALUES))
        message_id = rng.choice([f"id-{index}", f"id-{index}", "\ud800", 7, "", "x" * 40])
        frame: list[Any] = ([2, message_id, action, payload] if kind == "request"
                            else [3, message_id, payload])
        text = json.dumps(frame)
        roll = rng.random()
        if roll < 0.05:
            text = text[: rng.randint(0, len(text))]
        elif roll < 0.08:
            yield text.encode("utf-8", "surrogatepass")
            continue
        yield text


def expected_answers(frames: list[str | bytes]) -> int:
    """How many answers a CSMS owes: one per CALL, one ("-1") per unreadable frame."""
    owed = 0
    for data in frames:
        frame = parse_frame(data).frame
        owed += frame is None or isinstance(frame, Call)
    return owed


@dataclass
class Run:
    """What one hostile run left behind."""

    capture: Capture
    received: list[str | bytes]     # what the far side got (the CSMS's answers, for the CSMS)
    close_code: int | None          # of the sending connection at the end: None, still open
    seconds: float


async def through_proxy(frames: list[str | bytes], timeout: float = 120.0) -> Run:
    """Send `frames` from a raw station through a proxy to a recording server."""
    async with RecordingServer() as server:
        capture = Capture()
        proxy = Proxy(ProxyConfig(upstream=server.url), capture)
        await proxy.start()
        try:
            async with connect(f"{proxy.url}/CP-HOSTILE", subprotocols=["ocpp2.0.1"],
                               max_size=None) as ws:
                started = time.perf_counter()
                for data in frames:
                    await ws.send(data)
                await server.wait_received(len(frames), timeout=timeout)
                seconds = time.perf_counter() - started
                return Run(capture, list(server.received), ws.close_code, seconds)
        finally:
            await proxy.stop()


async def into_csms(frames: list[str | bytes], timeout: float = 120.0) -> Run:
    """Send `frames` from a raw station to our CSMS endpoint and collect every answer."""
    capture = Capture()
    csms = CsmsEndpoint(CsmsConfig(port=0, ping_interval=None), capture)
    await csms.start()
    answers: list[str | bytes] = []
    try:
        async with connect(f"{csms.url}/CP-HOSTILE", subprotocols=["ocpp2.0.1"],
                           max_size=None) as ws:
            owed = expected_answers(frames)

            async def read() -> None:
                while len(answers) < owed:
                    answers.append(await ws.recv())

            started = time.perf_counter()
            reader = asyncio.ensure_future(read())
            for data in frames:
                await ws.send(data)
            await asyncio.wait_for(reader, timeout)
            return Run(capture, answers, ws.close_code, time.perf_counter() - started)
    finally:
        await csms.stop()
