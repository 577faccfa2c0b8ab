"""`ocppscope proxy` judging in its observer process, run as a user runs it, between the `ocpp`
package's station and CSMS on 127.0.0.1: Ctrl-C still records every frame, and an observer
process that dies costs the recording, never the forwarding."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from ocpp.v201 import call

from app import cli
from app.commands import live
from app.commands.observer_process import STILL_FORWARDING
from app.net.proxy import Proxy
from app.net.splice import TransparentProxy
from app.session.message import RecordKind
from app.session.sessionfile import SessionReader
from tests.commands.test_proxy import csms_on_a_thread
from tests.net.peers import SilentStation, boot_request, ocpp_station

Script = Callable[[str], Awaitable[Any]]
MODES = {"transparent": "--transparent", "terminating": "--no-transparent"}


@pytest.fixture
def once_listening(monkeypatch: pytest.MonkeyPatch) -> Callable[[Script], list[Any]]:
    """`once_listening(script)`: when the proxy listens, `script(url)` runs on its loop,
    then Ctrl-C ends the command. Gives what the script returned."""
    results: list[Any] = []
    tasks: list[asyncio.Task[None]] = []

    def arm(script: Script) -> list[Any]:
        for proxy_class in (Proxy, TransparentProxy):
            started = proxy_class.start

            async def start_then_run(self: Any, started: Any = started) -> None:
                await started(self)

                async def run() -> None:
                    try:
                        results.append(await script(self.url))
                    finally:
                        signal.raise_signal(signal.SIGINT)

                tasks.append(asyncio.get_running_loop().create_task(run()))

            monkeypatch.setattr(proxy_class, "start", start_then_run)
        return results

    return arm


async def boot_and_beat(url: str, beats: int = 0) -> Any:
    """A station boots through the proxy, sends `beats` heartbeats, and leaves at once."""
    async with ocpp_station(f"{url}/ocpp", "CP-1", response_timeout=10) as (station, _):
        answer = await station.call(boot_request())
        for _ in range(beats):
            await station.call(call.Heartbeat())
        return answer


def observer_children() -> list[multiprocessing.Process]:
    return [child for child in multiprocessing.active_children()
            if child.name == "ocppscope-observer"]


@pytest.mark.parametrize("mode", MODES)
def test_ctrl_c_records_every_frame_forwarded_before_it(
        mode: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        once_listening: Callable[[Script], list[Any]]) -> None:
    beats = 150
    answers = once_listening(lambda url: boot_and_beat(url, beats))
    record = tmp_path / "site.jsonl"
    with csms_on_a_thread() as csms:
        code = cli.main(["proxy", "--listen", "127.0.0.1:0", "--upstream", csms.url,
                         "--record", str(record), "--quiet", MODES[mode]])
    err = capsys.readouterr().err.splitlines()
    assert code == live.EXIT_OK
    assert answers[0].status == "Accepted"
    records = list(SessionReader.open(record))
    frames = [m for m in records if m.kind is RecordKind.FRAME]
    assert len(frames) == 2 * (1 + beats)
    assert [m.action for m in frames[:2]] == ["BootNotification", "BootNotification"]
    assert [m.seq for m in records] == sorted(m.seq for m in records)
    assert records[0].kind is RecordKind.OPENED and records[-1].kind is RecordKind.CLOSED
    assert err[-2] == ("ocppscope proxy: 302 frames (0 invalid) from 1 station over "
                       "1 connection")
    assert err[-1] == f"ocppscope proxy: recorded {len(records):,} records to {record}"
    assert not observer_children()


@pytest.mark.parametrize("mode", MODES)
def test_a_dead_observer_process_is_told_once_and_stations_are_still_relayed(
        mode: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        once_listening: Callable[[Script], list[Any]]) -> None:
    async def kill_observer_then_boot(url: str) -> Any:
        [child] = observer_children()
        child.kill()
        await asyncio.to_thread(child.join, 10)
        first = await boot_and_beat(url, 3)
        second = await boot_and_beat(url, 3)
        return first, second

    answers = once_listening(kill_observer_then_boot)
    with csms_on_a_thread() as csms:
        code = cli.main(["proxy", "--listen", "127.0.0.1:0", "--upstream", csms.url,
                         "--record", str(tmp_path / "site.jsonl"), "--quiet", MODES[mode]])
    err = capsys.readouterr().err
    assert [answer.status for answer in answers[0]] == ["Accepted", "Accepted"]
    assert code == live.EXIT_LOST
    assert err.count(STILL_FORWARDING) == 1
    assert "ocppscope proxy: the observer process " in err
    assert "Traceback" not in err


def test_with_intercept_rules_the_proxy_judges_in_its_own_process(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        once_listening: Callable[[Script], list[Any]]) -> None:
    seen: list[int] = []

    async def count_children(url: str) -> Any:
        seen.append(len(observer_children()))
        return await boot_and_beat(url)

    once_listening(count_children)
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"rules": []}))
    with csms_on_a_thread() as csms:
        assert cli.main(["proxy", "--listen", "127.0.0.1:0", "--upstream", csms.url,
                         "--rules", str(rules), "--quiet"]) == live.EXIT_OK
    assert seen == [0]
    assert "2 frames (0 invalid) from 1 station" in capsys.readouterr().err


def test_pings_the_station_leaves_unanswered_end_in_the_closing_diagnosis(
        tmp_path: Path, once_listening: Callable[[Script], list[Any]]) -> None:
    async def silent_station(url: str) -> bytes:
        async with SilentStation(int(url.rsplit(":", 1)[1]), "/ocpp/CP-1") as station:
            assert station.reader is not None
            return await asyncio.wait_for(station.reader.read(), 20)  # until the proxy cuts

    once_listening(silent_station)
    record = tmp_path / "site.jsonl"
    with csms_on_a_thread() as csms:
        assert cli.main(["proxy", "--listen", "127.0.0.1:0", "--upstream", csms.url,
                         "--no-transparent", "--ping-interval", "0.3", "--record", str(record),
                         "--quiet"]) == live.EXIT_OK
    records = list(SessionReader.open(record))
    pings = [m for m in records if m.kind is RecordKind.CONTROL and m.meta["opcode"] == "ping"]
    assert {ping.meta["by"] for ping in pings} == {"proxy"}
    [closed] = [m for m in records if m.kind is RecordKind.CLOSED]
    assert closed.meta["diagnosis"].startswith(
        "the proxy closed with 1011 (internal error) “keepalive ping timeout”")
    assert "pings went unanswered by the station" in closed.meta["diagnosis"]


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP"])
def test_a_stop_signal_sent_to_the_whole_group_still_records_every_frame(
        signal_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        once_listening: Callable[[Script], list[Any]]) -> None:
    """A service manager stops a unit by signalling each of its processes, and a closed
    terminal hangs up the whole group: the observer leaves the stopping to the forwarding
    process, which ends it through the pipe once everything is written."""
    async def signal_observer_then_boot(url: str) -> Any:
        [child] = observer_children()
        os.kill(child.pid, getattr(signal, signal_name))
        return await boot_and_beat(url, 3)

    answers = once_listening(signal_observer_then_boot)
    record = tmp_path / "site.jsonl"
    with csms_on_a_thread() as csms:
        code = cli.main(["proxy", "--listen", "127.0.0.1:0", "--upstream", csms.url,
                         "--record", str(record), "--quiet"])
    err = capsys.readouterr().err
    assert answers[0].status == "Accepted"
    assert code == live.EXIT_OK and STILL_FORWARDING not in err
    records = list(SessionReader.open(record))
    assert sum(m.kind is RecordKind.FRAME for m in records) == 2 * (1 + 3)
    assert records[-1].kind is RecordKind.CLOSED
