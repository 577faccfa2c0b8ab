"""Hostile peers on loopback: whatever arrives is forwarded, recorded and answered, and no
connection is dropped by us. The full 100,000-frame run is `python -m
tests.benchmarks.hostile`; here a few thousand frames keep the suite quick."""

from __future__ import annotations

import logging

import pytest

from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.message import RecordKind
from tests.net.hostile import CLASSICS, hostile_frames, into_csms, through_proxy
from tests.net.peers import run

COUNT = 2_000


def recorded_frames(capture: Capture) -> list:
    return [m for m in capture.messages if m.kind in (RecordKind.FRAME, RecordKind.BINARY)]


def internal_errors(capture: Capture) -> list:
    return [f for a in capture.annotations.values() for f in a.findings
            if f.code == "internal.error"]


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_hostile_frames_are_all_answered_by_the_csms_without_a_drop(caplog):
    result = run(into_csms(list(hostile_frames(COUNT))), timeout=120)
    assert result.close_code is None  # still open: nothing dropped the connection
    assert len(recorded_frames(result.capture)) == COUNT + len(result.received)
    assert internal_errors(result.capture) == []
    assert errors_logged(caplog) == []
    # the lone-surrogate id is echoed as the escape it came as, and the answer is valid JSON
    assert any(text.startswith('[3,"\\ud800",') for text in result.received)


def test_hostile_frames_are_all_forwarded_unchanged_and_recorded_by_the_proxy(caplog):
    frames = list(hostile_frames(COUNT, seed=7))
    result = run(through_proxy(frames), timeout=120)
    assert result.close_code is None
    assert result.received == frames
    assert len(recorded_frames(result.capture)) == COUNT
    assert internal_errors(result.capture) == []
    assert errors_logged(caplog) == []


def test_the_classics_each_get_findings_and_no_internal_error():
    capture = Capture()
    for data in CLASSICS:
        capture.frame("c1", "CP", Direction.STATION_TO_CSMS, data)
    assert internal_errors(capture) == []
    # all but the first (a lone-surrogate id is legal) break a rule
    assert all(capture.annotation(m.seq).findings for m in capture.messages[1:12])
