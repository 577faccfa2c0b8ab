"""Hostile peers on loopback: whatever arrives is forwarded, recorded and answered, and no
connection is dropped by us. The full 100,000-frame run is `python -m
tests.benchmarks.hostile`; here a few thousand frames keep the suite quick."""

from __future__ import annotations

import asyncio
import logging

import pytest
from websockets.asyncio.client import connect

from app.net.csms import CsmsConfig, CsmsEndpoint
from app.net.proxy import Proxy, ProxyConfig
from app.ocpp.conversation import Direction
from app.ocpp.frames import Call, parse_frame
from app.session.capture import Capture
from app.session.message import RecordKind
from tests.net.hostile import CLASSICS, hostile_frames
from tests.net.peers import RecordingServer, run

COUNT = 2_000


def recorded_frames(capture: Capture) -> list:
    return [m for m in capture.messages if m.kind in (RecordKind.FRAME, RecordKind.BINARY)]


def internal_errors(capture: Capture) -> list:
    return [f for a in capture.annotations.values() for f in a.findings
            if f.code == "internal.error"]


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def expected_answers(frames: list[str | bytes]) -> int:
    """How many answers the CSMS owes: one per CALL, one ("-1") per unreadable frame."""
    owed = 0
    for data in frames:
        frame = parse_frame(data).frame
        owed += frame is None or isinstance(frame, Call)
    return owed


def test_hostile_frames_are_all_answered_by_the_csms_without_a_drop(caplog):
    frames = list(hostile_frames(COUNT))

    async def scenario():
        capture = Capture()
        csms = CsmsEndpoint(CsmsConfig(port=0, ping_interval=None), capture)
        await csms.start()
        answers: list = []
        try:
            async with connect(f"{csms.url}/CP-HOSTILE", subprotocols=["ocpp2.0.1"],
                               max_size=None) as ws:
                owed = expected_answers(frames)

                async def read():
                    while len(answers) < owed:
                        answers.append(await ws.recv())

                reader = asyncio.ensure_future(read())
                for data in frames:
                    await ws.send(data)
                await asyncio.wait_for(reader, 60)
                assert ws.close_code is None  # still open: nothing dropped the connection
        finally:
            await csms.stop()
        return capture, answers

    capture, answers = run(scenario(), timeout=120)
    assert len(recorded_frames(capture)) == COUNT + len(answers)
    assert internal_errors(capture) == []
    assert no_errors_logged(caplog) == []
    # the lone-surrogate id is echoed as the escape it came as, and the answer is valid JSON
    assert any(text.startswith('[3,"\\ud800",') for text in answers)


def test_hostile_frames_are_all_forwarded_unchanged_and_recorded_by_the_proxy(caplog):
    frames = list(hostile_frames(COUNT, seed=7))

    async def scenario():
        async with RecordingServer() as server:
            capture = Capture()
            proxy = Proxy(ProxyConfig(upstream=server.url), capture)
            await proxy.start()
            try:
                async with connect(f"{proxy.url}/CP-HOSTILE", subprotocols=["ocpp2.0.1"],
                                   max_size=None) as ws:
                    for data in frames:
                        await ws.send(data)
                    await server.wait_received(len(frames), timeout=60)
                    assert ws.close_code is None
            finally:
                await proxy.stop()
            return capture, server.received

    capture, received = run(scenario(), timeout=120)
    assert received == frames
    assert len(recorded_frames(capture)) == COUNT
    assert internal_errors(capture) == []
    assert no_errors_logged(caplog) == []


def test_the_classics_each_get_findings_and_no_internal_error():
    capture = Capture()
    for data in CLASSICS:
        capture.frame("c1", "CP", Direction.STATION_TO_CSMS, data)
    assert internal_errors(capture) == []
