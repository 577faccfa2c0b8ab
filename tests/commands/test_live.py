"""What the live modes share: the console's lines, how a run ends when observers fail,
what weakens safety is said, and credentials are not.

Commands here run in this process, on 127.0.0.1 port 0, and end the way a user ends them,
with SIGINT, as soon as they have started."""

import argparse
import asyncio
import functools
import io
import json
import os
import re
import signal
import subprocess
import sys

import pytest

from app import cli
from app.commands import live
from app.net import links
from app.net.csms import CsmsEndpoint
from app.net.proxy import Proxy
from app.net.splice import TransparentProxy
from app.ocpp.conversation import Direction
from app.ocpp.findings import warning
from app.session.capture import NO_ANNOTATION, Capture
from app.session.message import Message, RecordKind, frame_message
from app.session.sessionfile import SessionReader, SessionWriter
from app.session.sinks import Loss
from tests.session.fake_disk import SmallDisk, wait_until

LONE_SURROGATE = '[2,"\\ud800","Heartbeat",{}]'   # a legal JSON escape; the id is '\ud800'


def surrogate_call():
    message = frame_message(1, LONE_SURROGATE, station="CP-1",
                            direction=Direction.STATION_TO_CSMS)
    assert message.message_id == "\ud800"
    return message


def printed(printer, entries, gap=None):
    printer.write(entries, gap)
    stream = printer.stream
    if isinstance(stream, io.TextIOWrapper):
        stream.seek(0)
        return stream.buffer.read().decode(printer.encoding)
    return stream.getvalue()


def test_text_console_prints_a_lone_surrogate_as_an_escape(tmp_path):
    with (tmp_path / "out.txt").open("w+", encoding="utf-8") as stream:  # a real file
        out = printed(live.ConsolePrinter(stream), [(surrogate_call(), NO_ANNOTATION)])
    assert "id=\\ud800" in out and "Heartbeat" in out


def test_json_console_prints_a_lone_surrogate_as_json_that_reads_back(tmp_path):
    with (tmp_path / "out.txt").open("w+", encoding="utf-8") as stream:
        out = printed(live.ConsolePrinter(stream, as_json=True),
                      [(surrogate_call(), NO_ANNOTATION)])
    assert json.loads(out)["id"] == "\ud800"


def test_a_console_whose_encoding_lacks_a_character_still_prints_the_line(tmp_path):
    with (tmp_path / "out.txt").open("w+", encoding="ascii") as stream:  # no UTF-8 here
        text = printed(live.ConsolePrinter(stream), [(surrogate_call(), NO_ANNOTATION)])
    assert "\\u2192" in text and "\\ud800" in text      # the arrow and the surrogate
    with (tmp_path / "out.json").open("w+", encoding="ascii") as stream:
        line = printed(live.ConsolePrinter(stream, as_json=True),
                       [(surrogate_call(), NO_ANNOTATION)])
    assert json.loads(line)["id"] == "\ud800"


def test_the_console_says_where_it_dropped_records():
    later = frame_message(60, '[2,"9","Heartbeat",{}]', station="CP-1",
                          direction=Direction.STATION_TO_CSMS)
    gap = Loss(40, 20, 59, ["console output could not keep up"])
    text = printed(live.ConsolePrinter(io.StringIO()), [(later, NO_ANNOTATION)], gap)
    first, second = text.splitlines()
    assert "gap: 40 records not shown (seq 20 to 59: console output could not keep up)" in first
    assert "id=9" in second
    lines = printed(live.ConsolePrinter(io.StringIO(), as_json=True), [], gap).splitlines()
    assert json.loads(lines[0])["kind"] == "gap"
    assert json.loads(lines[0])["meta"] == {"lost": 40, "first_seq": 20, "last_seq": 59,
                                            "reason": "console output could not keep up"}


def test_a_late_finding_is_printed_after_its_frame():
    call = frame_message(3, '[2,"hb-1","Heartbeat",{}]', station="CP-7",
                         direction=Direction.STATION_TO_CSMS)
    finding = warning("protocol.answer-timeout", "Heartbeat got no answer within 0.5 s")
    text = printed(live.ConsolePrinter(io.StringIO()), [(call, finding)])
    assert "CP-7  ⧗  protocol.answer-timeout: Heartbeat got no answer within 0.5 s (id hb-1)" \
        in text
    line = printed(live.ConsolePrinter(io.StringIO(), as_json=True), [(call, finding)])
    assert json.loads(line)["kind"] == "finding"


def live_args(**options):
    values = {"record": None, "record_secrets": False, "quiet": True, "json": False,
              "answer_timeout": 30.0, "max_size": 1 << 20}
    values.update(options)
    return argparse.Namespace(**values)


def run_frames(args, count):
    """Run a live mode whose 'traffic' is `count` heartbeats, then stops by itself."""
    box: list[Capture] = []

    async def start(capture, notice):
        box.append(capture)

        async def stop():
            pass

        return stop

    async def until():
        for number in range(count):
            box[0].frame("c1", "CP-1", Direction.STATION_TO_CSMS,
                         f'[2,"{number}","Heartbeat",{{}}]')

    return live.run_live(args, "csms", {"listen": "test"}, start, until=until)


def test_a_full_disk_is_told_once_and_the_run_ends_with_the_count_and_status_1(
        tmp_path, monkeypatch, capsys):
    disk = SmallDisk(free=20_000)
    monkeypatch.setattr(live, "SessionWriter", functools.partial(SessionWriter, stream=disk))
    code = run_frames(live_args(record=str(tmp_path / "s.jsonl")), 1000)
    err = capsys.readouterr().err
    assert code == live.EXIT_LOST
    assert err.count("recording stopped: disk full (No space left on device)") == 1
    last = err.splitlines()[-1]
    assert last.startswith("ocppscope csms: recorded ")
    assert "records were lost (disk full (No space left on device))" in last
    assert "Traceback" not in err


def test_a_recording_whose_name_was_taken_ends_naming_the_file_it_went_to(tmp_path):
    path = tmp_path / "s.jsonl"
    told = []
    outputs = live.open_outputs({"record": str(path), "quiet": True}, "csms", {}, told.append)
    for number in (1, 2):
        outputs.capture.frame("c1", "CP-1", Direction.STATION_TO_CSMS,
                              f'[2,"{number}","Heartbeat",{{}}]')
    wait_until(lambda: outputs.recorder.written == 2, what="the first records written")
    path.unlink()
    path.write_text("someone else's\n")
    outputs.capture.frame("c1", "CP-1", Direction.STATION_TO_CSMS, '[2,"3","Heartbeat",{}]')
    assert outputs.close(told.append) == 0
    sibling = tmp_path / "s.restored.jsonl"
    assert told[-1].startswith(f"recorded 3 records to {sibling} (another file took the "
                               f"name {path}")
    assert [m.seq for m in SessionReader.open(sibling)] == [1, 2, 3]


def test_a_complete_recording_ends_with_status_0_and_its_count(tmp_path, capsys):
    path = tmp_path / "s.jsonl"
    code = run_frames(live_args(record=str(path)), 300)
    err = capsys.readouterr().err
    assert code == live.EXIT_OK
    assert err.splitlines()[-1] == f"ocppscope csms: recorded 300 records to {path}"


@pytest.fixture
def interrupted_once_started(monkeypatch):
    """`interrupt(Endpoint)`: the endpoint's command gets Ctrl-C right after it started."""
    def interrupt(endpoint):
        started = endpoint.start

        async def start_then_interrupt(self):
            await started(self)
            asyncio.get_running_loop().call_soon(signal.raise_signal, signal.SIGINT)

        monkeypatch.setattr(endpoint, "start", start_then_interrupt)

    return interrupt


def test_listening_beyond_loopback_is_said_in_one_line(
        monkeypatch, capsys, interrupted_once_started):
    interrupted_once_started(CsmsEndpoint)
    # 127.0.0.1 stands in for a network address: tests never listen beyond loopback
    monkeypatch.setattr(links, "is_loopback", lambda host: False)
    assert cli.main(["csms", "--listen", "127.0.0.1:0", "--quiet"]) == 0
    err = capsys.readouterr().err
    said = re.findall(r"listening on 127\.0\.0\.1:\d+ — reachable from the network.*", err)
    assert len(said) == 1


def test_listening_on_loopback_says_nothing_more(capsys, interrupted_once_started):
    interrupted_once_started(CsmsEndpoint)
    assert cli.main(["csms", "--listen", "127.0.0.1:0", "--quiet"]) == 0
    assert "reachable" not in capsys.readouterr().err


def test_insecure_and_the_answer_timeout_are_noted_in_the_header_and_the_password_is_not(
        tmp_path, capsys, interrupted_once_started):
    interrupted_once_started(Proxy)
    interrupted_once_started(TransparentProxy)   # the default mode
    record = tmp_path / "site.jsonl"
    assert cli.main(["proxy", "--listen", "127.0.0.1:0", "--insecure", "--upstream",
                     "wss://user:secret@127.0.0.1:1/ocpp?token=secret", "--record",
                     str(record), "--answer-timeout", "12"]) == 0
    err = capsys.readouterr().err
    assert "ocppscope proxy: certificate checks are off: " in err
    assert "relaying to wss://user:***@127.0.0.1:1/ocpp?token=***/<stationId>" in err
    header = SessionReader.open(record).header
    assert header["insecure"] is True
    assert header["upstream"] == "wss://user:***@127.0.0.1:1/ocpp?token=***"
    assert header["answer_timeout"] == 12.0  # what loading the recording judges by
    assert "secret" not in err + record.read_text()


def test_a_run_ends_with_a_one_line_summary(capsys, interrupted_once_started):
    interrupted_once_started(CsmsEndpoint)
    assert cli.main(["csms", "--listen", "127.0.0.1:0", "--quiet"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == ("ocppscope csms: 0 frames (0 invalid) from 0 stations over "
                       "0 connections")


def test_the_summary_counts_frames_stations_and_refusals_with_plurals_that_read_right():
    from app.session.message import RecordKind

    capture = Capture()
    capture.event(RecordKind.OPENED, "c1", "CP-1", {})
    capture.frame("c1", "CP-1", Direction.STATION_TO_CSMS, '[2,"1","Heartbeat",{}]')
    capture.frame("c1", "CP-1", Direction.CSMS_TO_STATION, '[3,"1",{}]')
    capture.event(RecordKind.REJECTED, "c2", "CP-2", {"reason": "no"})
    assert live.summary_line(capture) == (
        "2 frames (1 invalid) from 2 stations over 1 connection; 1 connection attempt failed")


def test_pings_pongs_closes_and_binary_frames_get_lines_of_their_own():
    def line(kind, direction, meta=None, data=b""):
        message = Message(7, 1_700_000_000.0, 1.0, "c1", "CP1", direction, kind,
                          meta=meta or {}, data=data)
        return live.ConsolePrinter.text_line(message, NO_ANNOTATION)

    up, down = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
    assert line(RecordKind.CONTROL, up, {"opcode": "ping", "by": "station"}).endswith(
        "→  PING    by station")
    assert line(RecordKind.CONTROL, down, {"opcode": "pong", "by": "csms", "rtt": 0.0042}
                ).endswith("←  PONG    by csms  4.2 ms")
    assert line(RecordKind.CONTROL, up, {"opcode": "close", "by": "station", "code": 1000,
                                         "reason": "station stopping"}
                ).endswith("CLOSE   by station  1000 'station stopping'")
    assert line(RecordKind.BINARY, up, data=b"\x00\x01\x02").endswith("→  BINARY  3 bytes")
    assert "??????" not in line(RecordKind.CONTROL, up, {})


def test_where_the_loop_cannot_watch_signals_ctrl_c_still_ends_the_run_cleanly(
        monkeypatch, tmp_path, capsys, interrupted_once_started):
    """As on Windows, whose event loop has no signal handlers: a plain handler takes over,
    so Ctrl-C (or the Ctrl-Break a launcher sends) stops the run, the recording is closed,
    and the process's own handler is back afterwards."""
    def no_signal_handlers(self, sig, callback, *args):
        raise NotImplementedError

    monkeypatch.setattr(asyncio.SelectorEventLoop, "add_signal_handler", no_signal_handlers)
    interrupted_once_started(CsmsEndpoint)
    before = signal.getsignal(signal.SIGINT)
    record = tmp_path / "s.jsonl"
    assert cli.main(["csms", "--listen", "127.0.0.1:0", "--quiet", "--record",
                     str(record)]) == live.EXIT_OK
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines()[-1] == f"ocppscope csms: recorded 0 records to {record}"
    assert signal.getsignal(signal.SIGINT) is before


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX hang-ups")
def test_a_hang_up_ends_the_run_as_ctrl_c_does_with_the_recording_closed(tmp_path):
    """A terminal (or an ssh session) that closes hangs up the command: it stops cleanly,
    its recording complete, instead of dying with the last batch unwritten."""
    record = tmp_path / "s.jsonl"
    command = subprocess.Popen(
        [sys.executable, "-m", "app", "csms", "--listen", "127.0.0.1:0", "--quiet",
         "--record", str(record)], stderr=subprocess.PIPE, text=True)
    try:
        assert "listening on" in command.stderr.readline()  # started: waits for the line
        command.send_signal(signal.SIGHUP)
        _, err = command.communicate(timeout=60)
    finally:
        command.kill()
    assert command.returncode == live.EXIT_OK
    assert err.splitlines()[-1] == f"ocppscope csms: recorded 0 records to {record}"


@pytest.fixture
def hang_ups_ignored():
    """A process started under `nohup`: SIGHUP is ignored before the program runs."""
    before = signal.getsignal(signal.SIGHUP)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    yield
    signal.signal(signal.SIGHUP, before)


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX hang-ups")
def test_a_hang_up_ignored_by_nohup_stays_ignored_while_ctrl_c_still_stops(hang_ups_ignored):
    """`nohup ocppscope proxy … &` over ssh: the logout's hang-up must not stop the run.
    The loop handles signals in the order sent, so once a marker signal sent after the
    hang-up was handled, the hang-up's stop would have run."""
    stops: list[str] = []
    after_hang_up: list[str] = []

    async def hang_up_then_interrupt() -> None:
        loop = asyncio.get_running_loop()
        signals = live.StopSignals()
        stopped, marked = asyncio.Event(), asyncio.Event()
        signals.route_to(lambda: (stops.append("stop"), stopped.set()))
        loop.add_signal_handler(signal.SIGUSR1, marked.set)
        try:
            os.kill(os.getpid(), signal.SIGHUP)
            os.kill(os.getpid(), signal.SIGUSR1)
            await asyncio.wait_for(marked.wait(), 10)
            after_hang_up.extend(stops)
            os.kill(os.getpid(), signal.SIGINT)
            await asyncio.wait_for(stopped.wait(), 10)
        finally:
            loop.remove_signal_handler(signal.SIGUSR1)
            signals.restore()

    asyncio.run(hang_up_then_interrupt())
    assert after_hang_up == []
    assert stops == ["stop"]
    assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
