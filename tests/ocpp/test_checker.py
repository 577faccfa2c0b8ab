"""Judging a frame never raises: whatever a peer sends, the checker answers with findings.

The classes below each stand for a way peer data once broke the judging layer; the fuzz test
at the end mutates every catalog example (envelope and payload) and sends the result through
the whole path: envelope, pairing, schema (both stages), OCPP 1.6 hints, session rules, and
the findings' text and JSON. An `internal.error` finding means our bug, so the fuzz test
fails on one just as on an exception.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ocpp import catalog
from app.ocpp.checker import FrameChecker
from app.ocpp.conversation import Direction
from app.ocpp.schemas import PayloadKind, load_schema, schema_path
from app.state.model import HEADLESS, HistoryLimit, SessionState
from tests.ocpp.mutations import JSON_VALUES, mutated_payloads


def judge(*texts: str | bytes, direction: Direction | None = None) -> list[Any]:
    checker = FrameChecker()
    return [checker.check(text, direction=direction, seq=n, time=float(n))
            for n, text in enumerate(texts, start=1)]


def codes(verdict: Any) -> list[str]:
    return [f.code for f in verdict.findings]


class TestUnhashableValues:
    def test_reset_type_object_is_a_schema_finding(self) -> None:
        (verdict,) = judge('[2,"1","Reset",{"type":{}}]')
        assert "internal.error" not in codes(verdict)
        assert "schema.type" in codes(verdict) or "schema.enum" in codes(verdict)

    def test_reset_type_list_is_a_schema_finding(self) -> None:
        (verdict,) = judge('[2,"1","Reset",{"type":[1,2]}]')
        assert "internal.error" not in codes(verdict)
        assert not verdict.valid


class TestActionsNeverBecomePaths:
    @pytest.mark.parametrize("action", [
        "../../etc/passwd", "..\\\\..\\\\x", "a" * 250, "Boot\\u0000Notification",
        "BootNotification/../Heartbeat", "/absolute/BootNotification", "",
    ])
    def test_odd_action_is_an_unknown_action(self, action: str) -> None:
        (verdict,) = judge(f'[2,"1","{action}",{{}}]')
        assert codes(verdict) == ["frame.unknown-action"]

    def test_schema_lookup_refuses_names_outside_the_catalog(self) -> None:
        for name in ("../BootNotification", "x" * 300, "Heartbeat\x00", "Heartbeatx"):
            with pytest.raises(KeyError):
                schema_path(name, PayloadKind.REQUEST)
            with pytest.raises(KeyError):
                load_schema(name, PayloadKind.REQUEST)

    def test_every_catalog_action_has_both_schemas(self) -> None:
        for name in catalog.ACTIONS:
            for kind in PayloadKind:
                assert schema_path(name, kind).is_file()


class TestInternalErrorsBecomeFindings:
    def test_a_failing_check_gives_an_internal_error_finding(
            self, monkeypatch: pytest.MonkeyPatch) -> None:
        checker = FrameChecker()

        def broken(*_args: Any) -> list[Any]:
            raise RuntimeError("boom")

        monkeypatch.setattr(checker._validator, "validate", broken)
        verdict = checker.check('[2,"1","Heartbeat",{}]', seq=1)
        assert verdict.frame is not None
        assert verdict.action == "Heartbeat"
        (finding,) = verdict.findings
        assert finding.code == "internal.error"
        assert "RuntimeError: boom" in finding.message
        assert "schema validation" in finding.message

    def test_findings_before_the_failure_are_kept(
            self, monkeypatch: pytest.MonkeyPatch) -> None:
        checker = FrameChecker()
        checker.check('[2,"1","Heartbeat",{}]', direction=Direction.STATION_TO_CSMS, seq=1)

        def broken(*_args: Any) -> list[Any]:
            raise ValueError("bad")

        monkeypatch.setattr(checker._validator, "validate", broken)
        verdict = checker.check('[2,"1","Heartbeat",{}]', direction=Direction.STATION_TO_CSMS,
                                seq=2)
        assert codes(verdict) == ["protocol.duplicate-id", "internal.error"]


# --- fuzzing the whole judging path -----------------------------------------------------

@st.composite
def hostile_exchanges(draw: st.DrawFn, action: str) -> list[str]:
    """A CALL and its answer built from an example of `action`, then mutated anywhere."""
    kind, payload = draw(mutated_payloads(action))
    message_id = draw(st.one_of(st.text(max_size=40), JSON_VALUES))
    name = draw(st.one_of(st.just(action), st.sampled_from(
        ["../../x", "StopTransaction", "bootnotification", "\x00", "a" * 250]), JSON_VALUES))
    if kind is PayloadKind.REQUEST:
        frames: list[Any] = [[2, message_id, name, payload], [3, message_id, {}]]
    else:
        frames = [[2, message_id, name, {}], [3, message_id, payload]]
    if draw(st.booleans()):
        frames.append([4, message_id, draw(JSON_VALUES), draw(JSON_VALUES), draw(JSON_VALUES)])
    texts = [json.dumps(frame) for frame in frames]
    if draw(st.booleans()):  # cut or splice the text itself
        index = draw(st.integers(min_value=0, max_value=len(texts) - 1))
        cut = draw(st.integers(min_value=0, max_value=len(texts[index])))
        texts[index] = texts[index][:cut] + draw(st.text(max_size=5))
    return texts


@pytest.mark.parametrize("action", list(catalog.ACTIONS))
def test_judging_mutated_examples_never_raises(action: str) -> None:
    check_mutations(action)


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), binary=st.booleans(), direction=st.sampled_from([None, *Direction]),
       limit=st.sampled_from([None, HEADLESS, HistoryLimit(1, 1, 0)]))
def check_mutations(action: str, data: st.DataObject, binary: bool,
                    direction: Direction | None, limit: HistoryLimit | None) -> None:
    # two exchanges on one connection, so that rules meet an odd value again later; the
    # state keeps its whole history, a headless run's, or as little as it can
    texts = data.draw(hostile_exchanges(action)) + data.draw(hostile_exchanges(action))
    checker = FrameChecker(state=SessionState(limit=limit))
    for n, text in enumerate(texts, start=1):
        wire: str | bytes = text.encode("utf-8", "surrogatepass") if binary else text
        verdict = checker.check(wire, direction=direction, seq=n, time=float(n),
                                binary=binary, station="CP")
        direction = direction.opposite if direction else None
        for finding in verdict.findings:
            assert finding.code != "internal.error", finding.message
            assert isinstance(finding.message, str) and finding.message
            json.dumps(finding.to_json())
            json.dumps(finding.to_json(), ensure_ascii=False).encode("utf-8", "backslashreplace")


@pytest.mark.parametrize("action", ["TransactionEvent", "BootNotification", "Heartbeat",
                                    "SetChargingProfile", "MeterValues"])
def test_judge_gives_the_parts_of_checks_verdict(action: str) -> None:
    check_parts(action)


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), direction=st.sampled_from([None, *Direction]))
def check_parts(action: str, data: st.DataObject, direction: Direction | None) -> None:
    texts = data.draw(hostile_exchanges(action)) + data.draw(hostile_exchanges(action))
    by_check, by_judge = FrameChecker(), FrameChecker()
    for n, text in enumerate(texts, start=1):
        verdict = by_check.check(text, connection="c", direction=direction, seq=n,
                                 time=float(n), binary=False, station="CP", wall=100.0 + n)
        parts = by_judge.judge(text, "c", direction, n, float(n), False, "CP", 100.0 + n)
        assert parts == (verdict.frame, verdict.action, verdict.findings, verdict.call,
                         verdict.latency)
        direction = direction.opposite if direction else None
    assert by_check.pending() == by_judge.pending()
    assert repr(by_check.state) == repr(by_judge.state)
