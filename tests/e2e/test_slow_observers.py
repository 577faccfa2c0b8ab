"""Observers that stall or fail, as users meet them: `ocppscope csms | less` paused, a
reader that went away, a disk that fills up. Stations get every answer all the same, and
the user is told what was not shown or not recorded."""

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
from websockets.asyncio.client import connect

from app.session.message import RecordKind
from app.session.sessionfile import SessionReader
from tests.net.peers import run

OCPPSCOPE = [sys.executable, "-m", "app"]
ANSWER_DEADLINE = 5.0   # seconds for one window of answers; a stalled relay takes forever


class Command:
    """A live command in a subprocess; its stderr is collected line by line as it comes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.err: list[str] = []
        self.out = ""
        self._reader = asyncio.ensure_future(self._collect())

    @classmethod
    async def start(cls, *args: str, stdout: int) -> tuple["Command", str]:
        process = await asyncio.create_subprocess_exec(
            *OCPPSCOPE, *args, stdout=stdout, stderr=asyncio.subprocess.PIPE)
        command = cls(process)
        url = await command.wait_for_line(r"listening on (\S+)/<stationId>", 20)
        return command, url.group(1)

    async def _collect(self) -> None:
        while line := await self.process.stderr.readline():
            self.err.append(line.decode())

    async def wait_for_line(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.err:
                if match := re.search(pattern, line):
                    return match
            if self._reader.done():
                break
            await asyncio.sleep(0.01)
        raise AssertionError(f"no line matching {pattern!r} on stderr: {self.err}")

    async def interrupt(self) -> tuple[int, str]:
        """Ctrl-C; `out` then holds stdout, if it was a pipe to us."""
        self.process.send_signal(signal.SIGINT)
        try:
            if self.process.stdout is not None:
                self.out = (await asyncio.wait_for(self.process.stdout.read(), 20)).decode()
            await asyncio.wait_for(self.process.wait(), 20)
        except TimeoutError:
            self.process.kill()  # a hung command must not outlive its test
            await self.process.wait()
            raise
        await asyncio.wait_for(self._reader, 5)
        return self.process.returncode, "".join(self.err)


async def heartbeats(url: str, station: str, count: int, window: int = 100) -> float:
    """Send `count` Heartbeat CALLs, `window` at a time, each window waiting for all its
    answers (which must come within ANSWER_DEADLINE); returns the slowest window's time."""
    slowest = 0.0
    async with connect(f"{url}/{station}", subprotocols=["ocpp2.0.1"],
                       max_queue=None) as ws:
        for start in range(0, count, window):
            began = time.monotonic()
            ids = [f"{station}-{n}" for n in range(start, min(count, start + window))]
            for message_id in ids:
                await ws.send(f'[2,"{message_id}","Heartbeat",{{}}]')
            for message_id in ids:
                answer = json.loads(await asyncio.wait_for(ws.recv(), ANSWER_DEADLINE))
                assert answer[:2] == [3, message_id]
            slowest = max(slowest, time.monotonic() - began)
    return slowest


def test_a_console_nobody_reads_never_holds_up_the_answers():
    """`ocppscope csms | less`, paused: stdout is a pipe whose reader never reads."""
    read_end, write_end = os.pipe()

    async def main():
        try:
            command, url = await Command.start("csms", "--listen", "127.0.0.1:0",
                                               stdout=write_end)
        finally:
            os.close(write_end)
        try:
            # 14,000 records: about 1.2 MB of console lines, twenty times what the pipe
            # holds, and more than the console's queue too, so that it has to drop some
            slowest = await heartbeats(url, "CP-PAUSED", 7000)
            await command.wait_for_line("console output cannot keep up", 10)
        finally:
            code, err = await command.interrupt()
        return slowest, code, err

    try:
        slowest, code, err = run(main(), timeout=180)
    finally:
        os.close(read_end)
    assert slowest < ANSWER_DEADLINE
    assert code == 0, err          # nothing was to be recorded, so nothing was lost
    assert err.count("console output cannot keep up") == 1
    assert re.search(r"console output: [\d,]+ records not shown", err)
    assert "Traceback" not in err


def test_a_reader_that_went_away_stops_the_console_not_the_recording(tmp_path):
    """`ocppscope csms --record f | head -1`: the pipe closes; the recording goes on."""
    record = tmp_path / "s.jsonl"
    read_end, write_end = os.pipe()
    os.close(read_end)

    async def main():
        try:
            command, url = await Command.start("csms", "--listen", "127.0.0.1:0",
                                               "--record", str(record), stdout=write_end)
        finally:
            os.close(write_end)
        try:
            await heartbeats(url, "CP-HEAD", 300)
            await command.wait_for_line("console output stopped: the reader went away", 10)
        finally:
            code, err = await command.interrupt()
        return code, err

    code, err = run(main(), timeout=120)
    assert code == 0, err
    assert err.count("console output stopped: the reader went away (Broken pipe)") == 1
    assert "Traceback" not in err and "Exception ignored" not in err
    frames = [m for m in SessionReader.open(record) if m.kind is RecordKind.FRAME]
    assert len(frames) == 600
    assert f"recorded 602 records to {record}" in err   # with opened and closed


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_a_frame_with_a_lone_surrogate_prints(as_json):
    async def main():
        command, url = await Command.start(
            "csms", "--listen", "127.0.0.1:0", *(["--json"] if as_json else []),
            stdout=asyncio.subprocess.PIPE)
        try:
            async with connect(f"{url}/CP-ODD", subprotocols=["ocpp2.0.1"]) as ws:
                await ws.send('[2,"\\ud800","Heartbeat",{}]')
                answer = await asyncio.wait_for(ws.recv(), 10)
        finally:
            code, err = await command.interrupt()
        return answer, command.out, code, err

    answer, out, code, err = run(main(), timeout=60)
    assert json.loads(answer)[1] == "\ud800"
    assert code == 0 and "Traceback" not in err and "Error" not in err, err
    if as_json:
        lines = [json.loads(line) for line in out.splitlines()]
        assert [line.get("id") for line in lines if line["kind"] == "frame"] == [
            "\ud800", "\ud800"]
    else:
        assert out.count("id=\\ud800") == 2


@pytest.fixture
def small_disk(tmp_path):
    """A real 64 KiB file system (tmpfs), for a real ENOSPC."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root and mount(8)")
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs",
                             str(mount_point)], capture_output=True, text=True, timeout=20)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, timeout=20)


def test_a_full_disk_never_holds_up_the_answers_and_the_file_says_what_is_missing(small_disk):
    record = small_disk / "site.jsonl"
    filler = small_disk / "filler"
    filler.write_bytes(b"x" * 40 * 1024)      # leaves about 24 KiB for the recording

    async def main():
        command, url = await Command.start("csms", "--listen", "127.0.0.1:0", "--quiet",
                                           "--record", str(record),
                                           stdout=asyncio.subprocess.DEVNULL)
        sent = 0
        try:
            slowest = await heartbeats(url, "CP-FULL", 1000)     # ~200 KB of records
            sent += 1000
            await command.wait_for_line("recording stopped: disk full", 10)
            filler.unlink()                                       # room again
            deadline = time.monotonic() + 30
            while not any("recording resumed" in line for line in command.err):
                assert time.monotonic() < deadline, command.err
                slowest = max(slowest, await heartbeats(url, f"CP-ROOM-{sent}", 10))
                sent += 10
        finally:
            code, err = await command.interrupt()
        return slowest, sent, code, err

    slowest, sent, code, err = run(main(), timeout=180)
    assert slowest < ANSWER_DEADLINE
    assert code == 1, err
    assert "Traceback" not in err
    assert err.count("recording stopped: disk full (No space left on device)") == 1
    assert "recording resumed after a gap of" in err
    summary = re.search(r"recorded ([\d,]+) records to \S+; ([\d,]+) records were lost "
                        r"\(disk full \(No space left on device\)\)", err)
    assert summary, err
    written, lost = (int(n.replace(",", "")) for n in summary.groups())
    reader = SessionReader.open(record)
    records = list(reader)
    assert reader.skipped == 0                 # only whole lines, even where writes failed
    gaps = [m for m in records if m.kind is RecordKind.GAP]
    assert gaps and sum(g.meta["lost"] for g in gaps) == lost
    assert len(records) - len(gaps) == written
    connections = 1 + (sent - 1000) // 10
    assert written + lost == 2 * sent + 2 * connections   # frames, opened and closed
    check = subprocess.run([*OCPPSCOPE, "validate", str(record)], capture_output=True,
                           text=True, timeout=60)
    noted = re.findall(r"note: ([\d,]+) records? (?:was|were) not recorded between seq \d+ "
                       r"and seq \d+: disk full", check.stdout)
    assert sum(int(n.replace(",", "")) for n in noted) == lost, check.stdout
