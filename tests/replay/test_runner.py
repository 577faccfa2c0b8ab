"""The runner as a window drives it: as the CSMS to an `ocpp`-package station, with
progress, pause and step."""

import asyncio

import pytest

from app.replay.compare import Verdict
from app.replay.runner import ReplayControl
from tests.net.peers import run
from tests.replay.sessions import GET_VARIABLES, record_session, replay_as_csms


@pytest.fixture(scope="module")
def two_stations(tmp_path_factory):
    path = tmp_path_factory.mktemp("rec") / "two.jsonl"
    run(record_session(path, ("CP-1", "CP-2")))
    return path


def test_as_csms_the_station_gets_recorded_answers_and_the_recorded_csms_calls(two_stations):
    steps = []
    runner, station = run(replay_as_csms(two_stations, "CP-2",
                                   progress=lambda done, total: steps.append((done, total))))
    assert [a.status for a in station.answers[:1]] == ["Accepted"]
    assert station.answers[1].id_token_info == {"status": "Accepted"}
    assert [name for name, _ in station.received] == ["GetVariables", "Reset"]
    assert station.received[0][1]["get_variable_data"][0]["variable"]["name"] == (
        GET_VARIABLES[0]["variable"]["name"])
    assert steps == [(0, 2), (1, 2), (2, 2)]
    outcomes = runner.outcomes()
    assert [o.verdict for o in outcomes] == [Verdict.SAME] * 5
    assert runner.live_station == "LIVE-7"


def test_a_paused_replay_sends_nothing_until_stepped():
    async def scenario():
        control = ReplayControl()
        control.pause()
        gate = asyncio.ensure_future(control.gate())
        await asyncio.sleep(0)
        assert not gate.done()
        control.step()
        assert await gate is True
        assert control.paused          # one step, then paused again
        control.stop()
        assert await control.gate() is False

    run(scenario(), timeout=5)
