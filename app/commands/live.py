"""What the live modes (proxy, csms, station, demo) share: console, recording, and running
until Ctrl-C with a clean stop. Their options are declared in `app.settings`.

The console prints one line per record as it happens; `--json` prints one JSON object per
record instead, for other programs. The recording is flushed per record, so stopping at any
moment (or a crash) leaves a complete file up to the last frame.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from app.errors import UsageError
from app.net.tls import TlsSetupError
from app.ocpp.findings import Finding
from app.session.capture import ANSWER_TIMEOUT, Annotation, Capture, watch_answers
from app.session.message import Message, RecordKind
from app.session.sessionfile import SessionWriter, make_header

EXIT_OK, EXIT_USAGE = 0, 2


class ConsolePrinter:
    """One line per record on a terminal or a pipe."""

    def __init__(self, stream: TextIO, as_json: bool = False) -> None:
        self.stream = stream
        self.as_json = as_json

    def __call__(self, message: Message, annotation: Annotation) -> None:
        line = self.json_line(message, annotation) if self.as_json else self.text_line(
            message, annotation)
        print(line, file=self.stream, flush=True)

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
            return (f"{clock}  {station}  ○  closed {meta.get('code')}{reason} "
                    f"by {meta.get('by')}")
        if message.kind is RecordKind.REJECTED:
            meta = message.meta or {}
            return f"{clock}  {station}  ✗  refused {meta.get('status')}: {meta.get('reason')}"
        arrow = message.direction.arrow if message.direction else "?"
        kind = {2: "CALL  ", 3: "RESULT", 4: "ERROR "}.get(message.message_type or 0, "??????")
        parts = [f"{clock}  {station}  {arrow}  {kind}  {message.action or '-':<28}"
                 f"  id={message.message_id or '-'}"]
        if annotation.latency is not None:
            parts.append(f"  {annotation.latency * 1000:.1f} ms")
        if message.message_type == 4:
            frame = message.parse().frame
            if frame is not None:
                parts.append(f"  {frame.error_code}: {frame.error_description}")  # type: ignore[union-attr]
        if annotation.findings:
            first = annotation.findings[0]
            mark = "✗" if not annotation.valid else "!"
            where = f"{first.path}: " if first.path else ""
            extra = len(annotation.findings) - 1
            more = f" (+{extra} more)" if extra else ""
            parts.append(f"  {mark} {first.code} {where}{first.message}{more}")
        return "".join(parts)

    def late_finding(self, capture: Capture, seq: int, finding: Finding) -> None:
        """A finding that comes after its frame was printed (a CALL left unanswered)."""
        position = capture.index_of(seq)
        if position is None:
            return
        message = capture.messages[position]
        if self.as_json:
            line = json.dumps({"seq": seq, "kind": "finding", "station": message.station,
                               "action": message.action, "message_id": message.message_id,
                               "finding": finding.to_json()}, ensure_ascii=False)
        else:
            clock = datetime.now().strftime("%H:%M:%S.%f")[:-3]
            line = (f"{clock}  {message.station or '?'}  ⧗  {finding.code}: {finding.message}"
                    f" (id {message.message_id})")
        print(line, file=self.stream, flush=True)

    @staticmethod
    def json_line(message: Message, annotation: Annotation) -> str:
        value: dict[str, Any] = {
            "seq": message.seq, "time": message.timestamp, "connection": message.connection,
            "station": message.station, "kind": message.kind.value,
        }
        if message.kind in (RecordKind.FRAME, RecordKind.BINARY):
            value.update(
                direction=message.direction.value if message.direction else None,
                message_type={2: "CALL", 3: "CALLRESULT", 4: "CALLERROR"}.get(
                    message.message_type or 0),
                action=message.action, message_id=message.message_id,
                latency_ms=None if annotation.latency is None else round(
                    annotation.latency * 1000, 3),
                valid=annotation.valid and message.message_type is not None,
                findings=[f.to_json() for f in annotation.findings],
                size=message.size)
        else:
            value["meta"] = dict(message.meta or {})
        return json.dumps(value, ensure_ascii=False)


Starter = Callable[[Capture, Callable[[str], None]], Awaitable[Callable[[], Awaitable[None]]]]


def caution(notice: Callable[[str], None], *texts: str | None) -> None:
    """Say each choice that weakens safety (`app.settings.cautions`, listening beyond
    loopback) on a line of its own; None is nothing to say."""
    for text in texts:
        if text:
            notice(text)


def run_live(args: argparse.Namespace, mode: str, header: dict[str, Any], start: Starter,
             *, until: Callable[[], Awaitable[None]] | None = None,
             cautions: Sequence[str] = ()) -> int:
    """Start a live mode and run it until Ctrl-C (or until `until` returns).

    `start(capture, notice)` starts the mode and returns its async stop function; it may raise
    OSError (address in use...), TlsSetupError or UsageError, which end the command with one
    line on stderr and exit status 2. `cautions` are said before it starts.
    """
    capture = Capture()
    writer: SessionWriter | None = None
    err = sys.stderr

    def notice(text: str) -> None:
        print(f"ocppscope {mode}: {text}", file=err, flush=True)

    caution(notice, *cautions)
    if args.record:
        path = Path(args.record)
        try:
            writer = SessionWriter(path, make_header(mode, **header))
        except OSError as exc:
            print(f"ocppscope {mode}: cannot write '{path}': {exc.strerror}", file=err)
            return EXIT_USAGE
        capture.subscribe(lambda message, _annotation: writer.write(message))
    report = None
    if not args.quiet:
        printer = ConsolePrinter(sys.stdout, args.json)
        capture.subscribe(printer)
        report = functools.partial(printer.late_finding, capture)
    try:
        return asyncio.run(_main(start, capture, notice, until, report,
                                 args.answer_timeout))
    except (UsageError, TlsSetupError) as exc:
        notice(str(exc))
        return EXIT_USAGE
    finally:
        if writer is not None:
            writer.close()
            notice(f"recorded {len(capture.messages)} records to {writer.path}")


async def _main(start: Starter, capture: Capture, notice: Callable[[str], None],
                until: Callable[[], Awaitable[None]] | None,
                report: Callable[[int, Finding], None] | None = None,
                answer_timeout: float = ANSWER_TIMEOUT) -> int:
    stop_event = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows
            loop.add_signal_handler(sig, stop_event.set)
    stop = await start(capture, notice)
    watcher = asyncio.ensure_future(watch_answers(capture, report, answer_timeout))
    waiters = [asyncio.ensure_future(stop_event.wait())]
    if until is not None:
        waiters.append(asyncio.ensure_future(until()))
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
        for waiter in waiters:
            waiter.cancel()
        await stop()
    for waiter in waiters[1:]:
        if waiter.done() and not waiter.cancelled() and waiter.exception():
            raise waiter.exception()  # type: ignore[misc]
    return EXIT_OK
