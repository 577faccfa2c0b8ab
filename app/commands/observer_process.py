"""The headless proxy judges in a process of its own.

Checking, state tracking, recording and the console cost far more than forwarding a frame,
and in the forwarding process even a thread of their own takes the interpreter from the
event loop for each record. So `ocppscope proxy` (both modes) forwards in one process and
judges in a child started at a lower priority: the forwarding process only queues what it
forwarded, and one thread ships it in batches through a pipe (`app.net.shipping`). The child
holds the capture, the console and the recording (`app.commands.live.Outputs`), judges with
the same code the window uses, flags unanswered CALLs and missed pongs, and sends back what
the user must hear (notices, the summary, the recording's count), which the forwarding
process prints, so every line still comes from one place.

A multiprocessing child started with "spawn": the same on Linux, macOS and Windows, and a
copy of the program itself when it is packaged. Ctrl-C reaches the whole process group; the
child ignores it and ends when the pipe closes, after judging and writing all it was sent.
If the child dies, the forwarding process says so once and goes on forwarding.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from app.commands import live
from app.errors import UsageError
from app.net.shipping import Receiver, RemoteCapture, ShippingObserving
from app.net.tls import TlsSetupError
from app.session.sessionfile import SessionWriter, make_header

log = logging.getLogger(__name__)

NICENESS = 19             # how much lower the child's priority is than the forwarding one's
TICK = 1.0                # seconds between two checks for unanswered CALLs and missed pongs
SHIP_TIMEOUT = 30.0       # seconds at the end for the last batches to enter the pipe
FINISH_TIMEOUT = 300.0    # seconds at the end for the child to judge and write its backlog
# what the child leaves to the forwarding process (see `serve`)
IGNORED_SIGNALS = ("SIGINT", "SIGBREAK", "SIGTERM", "SIGHUP")
STILL_FORWARDING = "frames are still forwarded, but no longer checked, shown or recorded"


class ObserverProcess:
    """The forwarding process's handle on its observer process: `capture` is what the proxy
    records into; `finish` ends the child once the proxy stopped."""

    def __init__(self, options: Mapping[str, Any], mode: str, header: dict[str, Any],
                 answer_timeout: float, notice: Callable[[str], None]) -> None:
        self._notice = notice
        self._told_lost = threading.Lock()
        self._lost_told = False
        self._done: int | None = None    # records the child's recording lost, once it ended
        context = multiprocessing.get_context("spawn")
        batches, self._batches = context.Pipe(duplex=False)
        self._said, says = context.Pipe(duplex=False)
        self.process = context.Process(
            target=serve, name="ocppscope-observer", daemon=True,
            args=(batches, says, dict(options), mode, header, answer_timeout))
        with _signals_ignored():  # the child is born deaf to Ctrl-C: it ends with the pipe
            self.process.start()
        batches.close()
        says.close()
        self.shipping = ShippingObserving(self._batches.send_bytes, notice, lost=self._lost)
        self.capture = RemoteCapture(self.shipping)
        self._listener = threading.Thread(target=self._listen, name="ocppscope-observer-says",
                                          daemon=True)
        self._listener.start()

    def _listen(self) -> None:
        """Print what the child says; notice when it ends without having finished."""
        while True:
            try:
                what, value = self._said.recv()
            except (EOFError, OSError):
                break
            if what == "notice":
                self._notice(value)
            elif what == "done":
                self._done = value
        if self._done is None:
            self.process.join(1.0)
            self._lost(f"the observer process ended (exit code {self.process.exitcode})")

    def _lost(self, reason: str) -> None:
        with self._told_lost:
            if self._lost_told:
                return
            self._lost_told = True
        self._notice(f"{reason}: {STILL_FORWARDING}")

    async def tell_time(self) -> None:
        """Ship the time every `TICK` until cancelled, so that the child's answer watch
        moves on while the traffic is silent (`ShippingObserving.tick`)."""
        while True:
            await asyncio.sleep(TICK)
            self.shipping.tick()

    def finish(self, *, summary: bool) -> int:
        """Ship what is left, close the pipe, and wait for the child to judge and write it
        all (a second Ctrl-C stops the waiting). Returns how many records were not recorded
        (at least 1 when the child did not finish)."""
        left = 0
        try:
            left = self.shipping.stop(SHIP_TIMEOUT)
            if left:
                self._notice(f"stopped with {left:,} frames or chunks not handed to the "
                             "observer process: they were forwarded but not recorded")
            else:
                self.shipping.flush()  # records queued after the proxy stopped
            if not self.shipping.dead:
                with contextlib.suppress(OSError, ValueError):
                    self._batches.send_bytes(pickle.dumps(("end", summary)))
            self._batches.close()
            self._listener.join(FINISH_TIMEOUT)
            if self._listener.is_alive():
                self._end_child(f"the observer process did not finish within "
                                f"{FINISH_TIMEOUT:g} s")
        except KeyboardInterrupt:
            self._end_child("stopped waiting for the observer process")
        self.process.join(5.0)
        if self.process.is_alive():
            self.process.kill()
        unrecorded = self.shipping.unshipped + left
        if self._done is None:
            return max(1, unrecorded)
        return self._done + unrecorded


    def _end_child(self, why: str) -> None:
        with self._told_lost:
            self._lost_told = True  # its end is ours: no "ended" notice
        self._notice(f"{why}: what it had not written yet is lost")
        self.process.kill()  # it ignores the polite signals (see `serve`)


@contextlib.contextmanager
def _signals_ignored() -> Any:
    """The signals the child leaves to us (`IGNORED_SIGNALS`) ignored while it starts: it
    inherits that, and Python keeps it so, so that none ends it before `serve` runs."""
    previous: dict[int, Any] = {}
    try:
        for name in IGNORED_SIGNALS:
            number = getattr(signal, name, None)
            if number is not None:
                previous[number] = signal.signal(number, signal.SIG_IGN)
    except ValueError:  # not the main thread: nothing to inherit either way
        pass
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)


def serve(batches: Connection, says: Connection, options: dict[str, Any], mode: str,
          header: dict[str, Any], answer_timeout: float) -> None:
    """The child: judge, show and record every shipped batch until the pipe closes."""
    # Ctrl-C (and on Windows Ctrl-Break) reach every process of the console's group, a
    # service manager's stop signals each process of its unit, a closed terminal hangs up
    # the group: the forwarding process decides how to stop, and tells this one by ending
    # the pipe (which its death ends too), once all it forwarded is written
    for name in IGNORED_SIGNALS:
        if hasattr(signal, name):
            with contextlib.suppress(ValueError, OSError):
                signal.signal(getattr(signal, name), signal.SIG_IGN)
    _lower_priority()
    saying = threading.Lock()

    def notice(text: str) -> None:  # from this thread and the sinks' threads
        with saying:
            try:
                says.send(("notice", text))
            except (OSError, ValueError):  # the forwarding process is gone: say it here
                with contextlib.suppress(OSError, ValueError):
                    sys.stderr.write(f"ocppscope {mode}: {text}\n")

    outputs = live.open_outputs(options, mode, header, notice)
    if outputs is None:
        with contextlib.suppress(OSError, ValueError):
            says.send(("done", 1))
        return
    summary = _judge_until_closed(batches, outputs, notice, answer_timeout)
    if summary:
        notice(live.summary_line(outputs.capture, outputs.tally))
    lost = outputs.close(notice)
    with contextlib.suppress(OSError, ValueError):
        says.send(("done", lost))


def _judge_until_closed(batches: Connection, outputs: live.Outputs,
                        notice: Callable[[str], None], answer_timeout: float) -> bool:
    """Take batches until the pipe closes; every `TICK` flag unanswered CALLs and missed
    pongs. Returns whether the run ended well enough for a summary."""
    receiver = Receiver(outputs.capture, notice)
    summary = True
    next_tick = time.monotonic() + TICK
    while True:
        try:
            if batches.poll(max(0.0, next_tick - time.monotonic())):
                batch = pickle.loads(batches.recv_bytes())
                if isinstance(batch, tuple):  # ("end", whether to sum up)
                    summary = bool(batch[1])
                else:
                    receiver.take(batch)
        except (EOFError, OSError):
            return summary
        if time.monotonic() >= next_tick:
            next_tick = time.monotonic() + TICK
            receiver.observing.check_pings()
            # looks no later than the forwarding process's latest clock (`Receiver`)
            for seq, finding in outputs.capture.expire(answer_timeout):
                outputs.late(seq, finding)


def _lower_priority() -> None:
    """Give the cores to forwarding first: a higher nice value everywhere it exists, and on
    Linux the idle class, whose tasks a waking relay always preempts at once."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(NICENESS)
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def run_apart(args: argparse.Namespace, mode: str, header: dict[str, Any],
              start: live.Starter, *, cautions: Sequence[str] = ()) -> int:
    """`live.run_live` for a proxy whose records are judged in an observer process: the
    same messages, recording and exit status; `start` gets a `RemoteCapture`."""
    notice = live.stderr_notice(mode)
    live.caution(notice, *cautions)
    header = live.with_answer_timeout(header, args.answer_timeout)
    if args.record and not _writable(Path(args.record), mode, header, notice):
        return live.EXIT_USAGE
    observer = ObserverProcess(live.output_options(args), mode, header, args.answer_timeout,
                               notice)
    status = live.EXIT_USAGE
    try:
        status = asyncio.run(live.serve_until_stopped(start, observer.capture, notice, None,
                                                      observer.tell_time))
    except (UsageError, TlsSetupError) as exc:
        notice(str(exc))
    finally:
        lost = observer.finish(summary=status == live.EXIT_OK)
    return live.EXIT_LOST if lost and status == live.EXIT_OK else status


def _writable(path: Path, mode: str, header: dict[str, Any],
              notice: Callable[[str], None]) -> bool:
    """Whether the recording can be written, said as `live.run_live` says it, before anything
    starts (the observer process writes it anew)."""
    try:
        SessionWriter(path, make_header(mode, **header)).close()
    except OSError as exc:
        notice(f"cannot write '{path}': {exc.strerror}")
        return False
    return True
