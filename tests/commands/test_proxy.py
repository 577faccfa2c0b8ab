"""`ocppscope proxy --rules FILE` headless, between the `ocpp` package's station and CSMS:
the rules file rewrites what passes, and the recording holds what was sent on with what
arrived. Runs in this process and ends with SIGINT, as a user ends it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app import cli
from app.net.proxy import Proxy
from app.session.sessionfile import SessionReader
from tests.net.peers import OcppCsmsServer, boot_request, ocpp_station


@contextlib.contextmanager
def csms_on_a_thread() -> Iterator[OcppCsmsServer]:
    """The `ocpp` package's CSMS on a loop of its own: the command runs its own loop."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    held: dict[str, Any] = {}

    async def serve() -> None:
        async with OcppCsmsServer() as server:
            held["server"], held["stop"] = server, asyncio.Event()
            ready.set()
            await held["stop"].wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield held["server"]
    finally:
        loop.call_soon_threadsafe(held["stop"].set)
        thread.join(10)
        loop.close()


@pytest.fixture
def station_boots_then_interrupts(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Once the proxy listens, an `ocpp` station boots through it, then Ctrl-C ends the
    command. Gives the station's answers."""
    answers: list[Any] = []
    started = Proxy.start
    tasks: list[asyncio.Task[None]] = []

    async def start_then_boot(self: Proxy) -> None:
        await started(self)

        async def boot() -> None:
            try:
                async with ocpp_station(f"{self.url}/ocpp", "CP-1",
                                        response_timeout=10) as (station, _):
                    answers.append(await station.call(boot_request()))
            finally:
                signal.raise_signal(signal.SIGINT)

        tasks.append(asyncio.get_running_loop().create_task(boot()))

    monkeypatch.setattr(Proxy, "start", start_then_boot)
    return answers


def test_a_rules_file_rewrites_headless_and_the_recording_keeps_both_texts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        station_boots_then_interrupts: list[Any]) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"rules": [{
        "name": "refuse boots", "action": "rewrite", "set": {"status": "Rejected"},
        "when": 'action == "BootNotification" && type == RESULT'}]}))
    record = tmp_path / "site.jsonl"
    with csms_on_a_thread() as csms:
        code = cli.main(["proxy", "--listen", "127.0.0.1:0", "--upstream", csms.url,
                         "--rules", str(rules), "--record", str(record), "--quiet"])
        sent_by_csms = json.loads(csms.stations["CP-1"][1].sent[0])
    assert code == 0
    assert "intercept rules armed: refuse boots" in capsys.readouterr().err
    [answer] = station_boots_then_interrupts
    assert answer.status == "Rejected" and sent_by_csms[2]["status"] == "Accepted"
    [rewritten] = [m for m in SessionReader.open(record)
                   if (m.meta or {}).get("intercept")]
    assert json.loads(rewritten.text)[2]["status"] == "Rejected"
    assert rewritten.meta["intercept"]["rule"] == "refuse boots"
    assert json.loads(rewritten.meta["intercept"]["original"])[2]["status"] == "Accepted"
