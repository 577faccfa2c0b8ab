"""What the live modes (proxy, csms, station, demo) share: console, recording, and running
until Ctrl-C with a clean stop. Their options are declared in `app.settings`.

The console prints one line per record as it happens; `--json` prints one JSON object per
record instead, for other programs. Console and recording are `QueuedSink`s: they take
records off the event loop and write them in batches on threads of their own, so that a
paused `| less` or a full disk never holds up forwarding. What they cannot write is counted,
told once on stderr, marked where it is missing (a gap record, a gap line), and summed up at
the end; records lost by the recording make the exit status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from app.errors import UsageError
from app.net.limits import Capacity
from app.net.tls import TlsSetupError
from app.ocpp.findings import Finding
from app.session.answer_watch import watch_answers
from app.session.capture import (
    NO_ANNOTATION,
    Annotation,
    Capture,
)
from app.session.message import Message, RecordKind, gap_record
from app.session.recording import summary
from app.session.sessionfile import SessionWriter, make_header, record_to_json
from app.session.sinks import Loss, QueuedSink, SinkReport, recording_sink
from app.wording import count

EXIT_OK, EXIT_LOST, EXIT_USAGE = 0, 1, 2
CONSOLE_QUEUE = 10_000           # records a console may fall behind before some are dropped
CONSOLE_CLOSE_TIMEOUT = 1.0      # at the end, a console nobody reads is not waited for
RECORDING_CLOSE_TIMEOUT = 10.0   # at the end, the recording writes what it still holds


Entry = tuple[Message, Annotation | Finding]  # a record, or a finding that came after it


class ConsolePrinter:
    """One line per record on a terminal or a pipe, written in batches by the console sink's
    thread (`write` is its writer).

    Bytes go straight to the stream's file descriptor (the raw file under `sys.stdout`),
    not through Python's buffered stdout: a write stuck on a pipe nobody reads then holds
    no lock that the interpreter needs to exit. Any text a peer can send is printable: a
    lone surrogate (`"\\ud800"` is a legal JSON escape) or a character the terminal's
    encoding lacks becomes a backslash escape in text lines, and a `\\u` escape in JSON.
    """

    def __init__(self, stream: TextIO, as_json: bool = False) -> None:
        self.stream = stream
        self.as_json = as_json
        self.encoding = getattr(stream, "encoding", None) or "utf-8"
        self._raw = _raw_file(stream)

    def write(self, entries: list[Entry], gap: Loss | None) -> None:
        parts = []
        if gap is not None:
            record = gap_record(gap.count, gap.first_seq, gap.last_seq, gap.reason)
            parts.append(self._encode(record, NO_ANNOTATION))
        parts.extend(self._encode(message, about) for message, about in entries)
        self._out(b"".join(parts))

    def _encode(self, message: Message, about: Annotation | Finding) -> bytes:
        if not self.as_json:
            text = (self.finding_line(message, about) if isinstance(about, Finding)
                    else self.text_line(message, about))
            return (text + "\n").encode(self.encoding, "backslashreplace")
        value = (self.finding_json(message, about) if isinstance(about, Finding)
                 else self.json_value(message, about))
        try:
            return (json.dumps(value, ensure_ascii=False) + "\n").encode(self.encoding)
        except UnicodeEncodeError:  # still valid JSON, and the same text once parsed
            return (json.dumps(value) + "\n").encode(self.encoding)

    def _out(self, data: bytes) -> None:
        if self._raw is None:  # a stream without a file under it (a test's StringIO)
            self.stream.write(data.decode(self.encoding))
            self.stream.flush()
            return
        view = memoryview(data)
        while view:
            written = self._raw.write(view)
            if written is None:  # a non-blocking descriptor that is full: wait for room
                time.sleep(0.01)
                continue
            view = view[written:]

    @staticmethod
    def text_line(message: Message, annotation: Annotation) -> str:
        clock = datetime.fromtimestamp(message.time).strftime("%H:%M:%S.%f")[:-3]
        station = message.station or "?"
        if message.kind is RecordKind.OPENED:
            meta = message.meta or {}
            extra = f" from {meta['remote']}" if meta.get("remote") else ""
            return (f"{clock}  {station}  ●  connected, subprotocol "
                    f"{meta.get('subprotocol')!r}{extra}")
        if message.kind is RecordKind.CLOSED:
            meta = message.meta or {}
            reason = f" {meta.get('reason')!r}" if meta.get("reason") else ""
            line = (f"{clock}  {station}  ○  closed {meta.get('code')}{reason} "
                    f"by {meta.get('by')}")
            return _with_diagnosis(line, meta)
        if message.kind is RecordKind.REJECTED:
            meta = message.meta or {}
            if meta.get("status") is None:  # no HTTP answer came: say so, invent none
                line = f"{clock}  {station}  ✗  could not connect: {meta.get('reason')}"
            else:
                line = f"{clock}  {station}  ✗  refused {meta.get('status')}: {meta.get('reason')}"
            return _with_diagnosis(line, meta)
        if message.kind is RecordKind.GAP:  # only the console's own: records it dropped
            meta = message.meta or {}
            lost = meta.get("lost")
            what = count(lost, "record") if isinstance(lost, int) else f"{lost} records"
            return (f"{clock}  …  gap: {what} not shown "
                    f"(seq {meta.get('first_seq')} to {meta.get('last_seq')}: "
                    f"{meta.get('reason')})")
        arrow = message.direction.arrow if message.direction else "?"
        if message.kind is RecordKind.CONTROL:
            return f"{clock}  {station}  {arrow}  {_control_text(message.meta or {})}" \
                + _first_finding(annotation)
        if message.kind is RecordKind.BINARY:
            return (f"{clock}  {station}  {arrow}  BINARY  {count(len(message.data), 'byte')}"
                    + _first_finding(annotation))
        kind = {2: "CALL  ", 3: "RESULT", 4: "ERROR "}.get(message.message_type or 0, "??????")
        parts = [f"{clock}  {station}  {arrow}  {kind}  {message.action or '-':<28}"
                 f"  id={message.message_id or '-'}"]
        if annotation.latency is not None:
            parts.append(f"  {annotation.latency * 1000:.1f} ms")
        if message.message_type == 4:
            frame = message.parse().frame
            if frame is not None:
                parts.append(f"  {frame.error_code}: {frame.error_description}")  # type: ignore[union-attr]
        parts.append(_first_finding(annotation))
        return "".join(parts)

    @staticmethod
    def finding_line(message: Message, finding: Finding) -> str:
        """A finding that comes after its frame was printed (a CALL left unanswered)."""
        clock = datetime.now().strftime("%H:%M:%S.%f")[:-3]
        return (f"{clock}  {message.station or '?'}  ⧗  {finding.code}: {finding.message}"
                f" (id {message.message_id})")

    @staticmethod
    def finding_json(message: Message, finding: Finding) -> dict[str, Any]:
        return {"seq": message.seq, "kind": "finding", "station": message.station,
                "action": message.action, "id": message.message_id,
                "finding": finding.to_json()}

    @staticmethod
    def json_value(message: Message, annotation: Annotation) -> dict[str, Any]:
        """The record as the session file writes it (the same key names: a line of
        `--json` and a line of the recording read alike), plus its verdict."""
        value = record_to_json(message)
        if message.kind in (RecordKind.FRAME, RecordKind.BINARY):
            value.update(
                latency_ms=None if annotation.latency is None else round(
                    annotation.latency * 1000, 3),
                valid=annotation.valid and message.message_type is not None,
                findings=[f.to_json() for f in annotation.findings],
                size=message.size)
        return value


def _raw_file(stream: TextIO) -> Any:
    """The unbuffered file under a text stream, after flushing what was printed to it."""
    raw = getattr(getattr(stream, "buffer", None), "raw", None)
    if raw is None or not hasattr(raw, "write"):
        return None
    with contextlib.suppress(OSError, ValueError):
        stream.flush()
    return raw


def console_sink(stream: TextIO, as_json: bool, notice: Callable[[str], None]
                 ) -> QueuedSink[Entry]:
    printer = ConsolePrinter(stream, as_json)
    return QueuedSink("console output", printer.write, seq=lambda entry: entry[0].seq,
                      notice=notice, capacity=CONSOLE_QUEUE)


Starter = Callable[[Capture, Callable[[str], None]], Awaitable[Callable[[], Awaitable[None]]]]


def caution(notice: Callable[[str], None], *texts: str | None) -> None:
    """Say each choice that weakens safety (`app.mode_config.cautions`, listening beyond
    loopback) on a line of its own; None is nothing to say."""
    for text in texts:
        if text:
            notice(text)


def run_live(args: argparse.Namespace, mode: str, header: dict[str, Any], start: Starter,
             *, until: Callable[[], Awaitable[None]] | None = None,
             cautions: Sequence[str] = (), keep: bool = False) -> int:
    """Start a live mode and run it until Ctrl-C (or until `until` returns).

    `start(capture, notice)` starts the mode and returns its async stop function; it may raise
    OSError (address in use...), TlsSetupError or UsageError, which end the command with one
    line on stderr and exit status 2. Exit status 1 says that records were not recorded.
    `cautions` are said before it starts. `keep=True` keeps every record in the capture
    for a mode that reads them afterwards (replay compares them); otherwise the capture
    forgets each record once it is recorded and shown, so memory stays flat.
    """
    notice = stderr_notice(mode)
    caution(notice, *cautions)
    header = with_answer_timeout(header, args.answer_timeout)
    outputs = open_outputs(output_options(args), mode, header, notice, keep=keep)
    if outputs is None:
        return EXIT_USAGE
    status = EXIT_USAGE
    try:
        status = asyncio.run(serve_until_stopped(start, outputs.capture, notice, until,
                                   outputs.watch_answers(args.answer_timeout)))
        notice(summary_line(outputs.capture, outputs.tally))
    except (UsageError, TlsSetupError) as exc:
        notice(str(exc))
    finally:
        lost = outputs.close(notice)
    return EXIT_LOST if lost and status == EXIT_OK else status


def with_answer_timeout(header: dict[str, Any], timeout: float) -> dict[str, Any]:
    """The session header with the answer timeout the run flags CALLs by: a recording
    loaded later judges its CALLs by the same one."""
    return {**header, "answer_timeout": float(timeout)}


def stderr_notice(mode: str) -> Callable[[str], None]:
    """Tell the user one line on stderr, prefixed with the command."""
    err = sys.stderr

    def notice(text: str) -> None:
        # called from the event loop and from the sinks' threads: one write per line, so
        # that lines never interleave
        with contextlib.suppress(OSError, ValueError):  # stderr gone too: no one to tell
            err.write(f"ocppscope {mode}: {text}\n")
            err.flush()

    return notice


def output_options(args: argparse.Namespace) -> dict[str, Any]:
    """The options that say where records go (plain data: a child process takes them)."""
    return {name: getattr(args, name) for name in ("record", "quiet", "json")}


@dataclass(eq=False)
class Outputs:
    """Where a live run's records go: the capture, the tally for the summary, the console
    and the recording. A headless proxy opens them in its observer process
    (`app.commands.observer_process`), every other live mode here."""

    capture: Capture
    tally: RunTally
    console: QueuedSink[Entry] | None
    recorder: QueuedSink[Message] | None
    record: str | None
    writer: SessionWriter | None = None  # says where the records went (`path`)

    def late(self, seq: int, finding: Finding) -> None:
        """Print a finding that came after its record (a CALL left unanswered)."""
        if self.console is not None:
            _show_late(self.capture, self.console, seq, finding)

    def watch_answers(self, timeout: float) -> Callable[[], Awaitable[None]]:
        """The task that flags unanswered CALLs every second, for a live loop to run."""
        return functools.partial(watch_answers, self.capture, self.late, timeout)

    def close(self, notice: Callable[[str], None]) -> int:
        """Let the sinks finish; returns the number of records the recording lost."""
        return _close_sinks(self.console, self.recorder, self.writer, notice)


def open_outputs(options: Mapping[str, Any], mode: str, header: dict[str, Any],
                 notice: Callable[[str], None], *, keep: bool = False) -> Outputs | None:
    """The capture with its console and recording subscribed, as `options` ask (record,
    quiet, json); None when the recording cannot be written (the user was told why)."""
    capture = Capture(keep=keep)
    tally = RunTally()
    capture.subscribe(tally.count)
    recorder: QueuedSink[Message] | None = None
    writer: SessionWriter | None = None
    if options.get("record"):
        path = Path(options["record"])
        try:
            writer = SessionWriter(path, make_header(mode, **header))
        except OSError as exc:
            notice(f"cannot write '{path}': {exc.strerror}")
            return None
        recorder = recording_sink(writer, notice)
        capture.subscribe(functools.partial(_record, recorder))
    console: QueuedSink[Entry] | None = None
    if not options.get("quiet"):
        console = console_sink(sys.stdout, bool(options.get("json")), notice)
        capture.subscribe(functools.partial(_show, console))
    return Outputs(capture, tally, console, recorder, options.get("record"), writer)


def _control_text(meta: dict[str, Any]) -> str:
    """A ping, pong or close frame (the wire-transparent proxy's and our keep-alive's
    records): who sent it, the close's code and reason, the pong's round trip."""
    opcode = str(meta.get("opcode") or "control")
    text = f"{opcode.upper():<6}  by {meta.get('by') or '?'}"
    if opcode == "close" and meta.get("code") is not None:
        reason = f" {meta.get('reason')!r}" if meta.get("reason") else ""
        text += f"  {meta.get('code')}{reason}"
    rtt = meta.get("rtt")
    if isinstance(rtt, int | float):
        text += f"  {rtt * 1000:.1f} ms"
    return text


def _first_finding(annotation: Annotation) -> str:
    """The first finding of a record, and how many more, for the end of its line."""
    if not annotation.findings:
        return ""
    first = annotation.findings[0]
    mark = "✗" if not annotation.valid else "!"
    where = f"{first.path}: " if first.path else ""
    extra = len(annotation.findings) - 1
    more = f" (+{extra} more)" if extra else ""
    return f"  {mark} {first.code} {where}{first.message}{more}"


def _with_diagnosis(line: str, meta: Mapping[str, Any]) -> str:
    """A closing or refusing line with the doctor's sentence beneath it, when it adds one."""
    sentence = meta.get("diagnosis")
    if not isinstance(sentence, str) or not sentence or sentence in line:
        return line
    return f"{line}\n          diagnosis: {sentence}"


class RunTally:
    """What a run's summary says, counted as records pass (a live capture keeps none)."""

    def __init__(self) -> None:
        self.frames = self.connections = self.refused = 0
        self.stations: set[str] = set()

    def count(self, message: Message, _annotation: Annotation = NO_ANNOTATION) -> None:
        if message.kind in (RecordKind.FRAME, RecordKind.BINARY):
            self.frames += 1
        elif message.kind is RecordKind.OPENED:
            self.connections += 1
        elif message.kind is RecordKind.REJECTED:
            self.refused += 1
        if message.station:
            self.stations.add(message.station)


def summary_line(capture: Capture, tally: RunTally | None = None) -> str:
    """One line for the end of a run: what crossed, how much of it was wrong, and for whom.
    `tally` counted the run as it went; without it the capture's records are counted."""
    if tally is None:
        tally = RunTally()
        for message in capture.messages:
            tally.count(message)
    text = (f"{count(tally.frames, 'frame')} ({capture.invalid:,} invalid) from "
            f"{count(len(tally.stations), 'station')} over "
            f"{count(tally.connections, 'connection')}")
    if tally.refused:
        text += f"; {count(tally.refused, 'connection attempt')} failed"
    return text


def room(capacity: Capacity) -> str:
    """"; room for N stations" for a start notice, or nothing where there is no limit."""
    text = capacity.describe()
    return f"; {text}" if text else ""


def _record(recorder: QueuedSink[Message], message: Message, _annotation: Annotation) -> None:
    recorder.put(message)


def _show(console: QueuedSink[Entry], message: Message, annotation: Annotation) -> None:
    console.put((message, annotation))


def _show_late(capture: Capture, console: QueuedSink[Entry], seq: int,
               finding: Finding) -> None:
    message = capture.record(seq)
    if message is not None:
        console.put((message, finding))


def _close_sinks(console: QueuedSink[Entry] | None, recorder: QueuedSink[Message] | None,
                 writer: SessionWriter | None, notice: Callable[[str], None]) -> int:
    """Let the sinks write what they hold and say what they did; returns the number of
    records the recording lost. A console nobody reads is not waited for long; a second
    Ctrl-C stops the waiting (what is left counts as lost) without a traceback."""

    def close(sink: QueuedSink[Any], timeout: float) -> SinkReport:
        try:
            return sink.close(timeout)
        except KeyboardInterrupt:
            return sink.close(0)

    if console is not None:
        shown = close(console, CONSOLE_CLOSE_TIMEOUT)
        if shown.lost:
            notice(f"console output: {count(shown.lost, 'record')} not shown ({shown.reason})")
    if recorder is None or writer is None:
        return 0
    recorded = close(recorder, RECORDING_CLOSE_TIMEOUT)
    # where the records are: another name when the file was deleted and its name taken
    notice(summary(recorded, writer.path, writer.requested))
    return recorded.lost


# What asks a running command to stop: Ctrl-C, a polite kill, a terminal or ssh session
# that closed (a hang-up would otherwise end it with its last records unwritten), and on
# Windows Ctrl-Break (the one console event another program can send to a process group
# it started).
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP",
                                                        "SIGBREAK") if hasattr(signal, name))
# A hang-up the process was started to ignore (`nohup ocppscope proxy … &` over ssh) stays
# ignored: whoever started it asked for the run to outlive the terminal. An ignored Ctrl-C
# or kill is different: a shell script's `&` ignores SIGINT without anyone asking, and an
# explicit `kill -INT` should still stop the run.
KEPT_IGNORED = tuple(getattr(signal, name) for name in ("SIGHUP",) if hasattr(signal, name))


class StopSignals:
    """Routes the stop signals to an action on the running loop, and puts back what they
    did before (`restore`); a hang-up that is ignored (`nohup`) is left ignored. Where the
    loop cannot watch signals itself (Windows), a plain signal handler hands the action
    over to the loop, which wakes up for it."""

    def __init__(self) -> None:
        self._previous: dict[int, Any] = {}   # plain handlers replaced, by signal

    def route_to(self, action: Callable[[], None]) -> None:
        loop = asyncio.get_running_loop()

        def handle(_signal: int, _frame: Any) -> None:
            loop.call_soon_threadsafe(action)

        for sig in STOP_SIGNALS:
            if sig in KEPT_IGNORED and signal.getsignal(sig) == signal.SIG_IGN:
                continue
            try:
                loop.add_signal_handler(sig, action)  # removed when the loop closes
            except NotImplementedError:
                with contextlib.suppress(ValueError, OSError):  # not the main thread
                    self._previous.setdefault(sig, signal.getsignal(sig))
                    signal.signal(sig, handle)
            except RuntimeError:  # not the main thread: nothing can catch signals here
                pass

    def restore(self) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous.clear()


async def serve_until_stopped(start: Starter, capture: Any, notice: Callable[[str], None],
                until: Callable[[], Awaitable[None]] | None,
                answers: Callable[[], Awaitable[None]] | None = None) -> int:
    """Run until Ctrl-C (or `until`), then stop; `answers` flags unanswered CALLs meanwhile
    (where the capture is in another process, which flags them itself, it tells that
    process the time)."""
    stop_event = asyncio.Event()
    signals = StopSignals()
    signals.route_to(stop_event.set)
    try:
        stop = await start(capture, notice)
    except BaseException:
        signals.restore()
        raise
    watcher = asyncio.ensure_future(answers() if answers is not None else asyncio.sleep(0))
    waiters = [asyncio.ensure_future(stop_event.wait())]
    if until is not None:
        waiters.append(asyncio.ensure_future(until()))
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
        for waiter in waiters:
            waiter.cancel()
        # Stopping is bounded (each connection gets its 1001, then is cut); a second Ctrl-C
        # does not wait even for that: what was recorded up to then stays recorded.
        stopping = asyncio.ensure_future(stop())
        signals.route_to(stopping.cancel)
        try:
            await stopping
        except asyncio.CancelledError:
            if not stopping.cancelled():
                raise
            notice("stopped at once: connections were cut, not closed")
        finally:
            signals.restore()
    for waiter in waiters[1:]:
        if waiter.done() and not waiter.cancelled() and waiter.exception():
            raise waiter.exception()  # type: ignore[misc]
    return EXIT_OK
