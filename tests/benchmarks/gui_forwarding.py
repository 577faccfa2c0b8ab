"""Does GUI work delay forwarding when the proxy runs inside the window?

Run: python -m tests.benchmarks.gui_forwarding [--stations 10] [--rate 20] [--seconds 5]

In the product the proxy shares the Qt GUI thread with the window (qasync), so every
millisecond the window spends filtering, rendering a detail pane or repainting is a
millisecond in which no frame is forwarded. This benchmark measures that in one run:

- a load process (a separate Python process, so its CPU is not on the GUI thread) runs a
  minimal CSMS and N stations, each doing sequential TransactionEvent round trips at a fixed
  rate, and reports the latency of every round trip;
- this process runs a `MainWindow` offscreen, its proxy started through `ModeRunner` exactly
  as the Proxy dialog does, so the live records reach the table as they would for a user.

Phases of equal length: (0) stations straight to the CSMS, no proxy: the baseline;
(1) through the proxy, GUI idle apart from receiving the live records; (2) through the proxy
while the script, every 200 ms, changes the filter, selects a random row (the detail pane
renders) and toggles relative times. A 10 ms asyncio ticker in the GUI process measures its
own lateness: the longest stall of the event loop, i.e. the longest time nothing was
forwarded. Both processes share the machine, so the figures are ratios to the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.benchmarks.proxy import (
    EchoCsms,
    _answers,
    _close_all,
    _open_many,
    _percentile,
    call_frame,
)

ROOT = Path(__file__).resolve().parents[2]
ANSWER_TIMEOUT = 5.0      # one round trip; longer counts as failed
COMMAND_MARGIN = 30.0     # a phase's answer from the load process, beyond its own length
BUSY_PERIOD = 0.2         # seconds between two GUI actions in the busy phase
TICK = 0.010              # the stall ticker's period
WARMUP_ROUND_TRIPS = 3    # per station and phase, not measured (connection set-up, caches)
FILTER_TEXTS = ("TransactionEvent", "GF-03", "")  # alternate: matches all, some, everything

# --- the load process --------------------------------------------------------------------


async def _phase_load(url: str, prefix: str, stations: int, rate: float,
                      seconds: float) -> dict[str, Any]:
    """`stations` stations round-tripping at `rate` per second each for `seconds`; each
    round trip starts on its schedule (or at once if the previous one ran late)."""
    names = [f"{prefix}-{i:02d}" for i in range(stations)]
    connections, errors = await _open_many(url, names)
    loop = asyncio.get_running_loop()
    times: list[float] = []
    failures: list[str] = [f"connect {e}" for e in errors]
    begin = loop.time() + 0.2

    async def station(index: int, ws: Any) -> None:
        name = names[index]
        for k in range(WARMUP_ROUND_TRIPS):
            await ws.send(call_frame(f"{name}-w{k}"))
            await asyncio.wait_for(ws.recv(), ANSWER_TIMEOUT)
        count = max(1, int(seconds * rate))
        for k in range(count):
            await asyncio.sleep(max(0.0, begin + (k + index / stations) / rate - loop.time()))
            message_id = f"{name}-{k}"
            start = time.perf_counter()
            try:
                await ws.send(call_frame(message_id))
                async with asyncio.timeout(ANSWER_TIMEOUT):
                    reply = await ws.recv()
            except Exception as exc:  # a lost or late answer is the finding, not a crash
                failures.append(f"{message_id}: {type(exc).__name__}")
                return
            if not _answers(reply, message_id):
                failures.append(f"{message_id}: wrong answer")
                return
            times.append(time.perf_counter() - start)

    tasks = [asyncio.ensure_future(station(i, ws)) for i, ws in enumerate(connections)
             if ws is not None]
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=seconds + ANSWER_TIMEOUT + 10)
        for task in pending:
            task.cancel()
            failures.append("a station was still running at the deadline")
        for task in tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                failures.append(f"station: {task.exception()!r}")
    await _close_all(connections)
    times.sort()
    return {"round_trips": len(times), "failed": len(failures), "failures": failures[:5],
            **_latency_figures(times)}


def _latency_figures(ordered: list[float]) -> dict[str, float]:
    if not ordered:
        return {"p50_ms": float("nan"), "p99_ms": float("nan"), "max_ms": float("nan")}
    return {"p50_ms": _percentile(ordered, 0.5) * 1000,
            "p99_ms": _percentile(ordered, 0.99) * 1000, "max_ms": ordered[-1] * 1000}


async def _load_main() -> None:
    """Serves commands from stdin, one JSON line each, answering on stdout; stops at EOF, so
    it never outlives the GUI process that drives it."""
    csms = EchoCsms()
    await csms.start()
    print(json.dumps({"csms": csms.url}), flush=True)
    loop = asyncio.get_running_loop()
    try:
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            command = json.loads(line)
            result = await _phase_load(command["url"], command["prefix"], command["stations"],
                                       command["rate"], command["seconds"])
            print(json.dumps(result), flush=True)
    finally:
        await csms.stop()


# --- the GUI process ---------------------------------------------------------------------


class _Load:
    """The load process seen from the GUI side: JSON lines both ways, every read bounded."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.benchmarks.gui_forwarding", "--load"], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    async def read(self, timeout: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        loop = asyncio.get_running_loop()
        line = await asyncio.wait_for(
            loop.run_in_executor(None, self.process.stdout.readline), timeout)
        if not line:
            raise RuntimeError(f"the load process ended (exit code {self.process.poll()})")
        return json.loads(line)

    async def phase(self, url: str, prefix: str, args: argparse.Namespace) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({
            "url": url, "prefix": prefix, "stations": args.stations, "rate": args.rate,
            "seconds": args.seconds}) + "\n")
        self.process.stdin.flush()
        return await self.read(args.seconds + ANSWER_TIMEOUT + COMMAND_MARGIN)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()  # EOF: the load process stops by itself
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


class _StallTicker:
    """A 10 ms asyncio ticker; how late it wakes up is how long the loop could not forward."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Future[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    def take(self) -> float:
        """The worst lateness since the last take, in ms."""
        worst, self.worst = self.worst, 0.0
        return worst * 1000

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            expected = loop.time() + TICK
            await asyncio.sleep(TICK)
            self.worst = max(self.worst, loop.time() - expected)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def _busy_gui(window: Any, until: float, actions: list[float]) -> None:
    """Every BUSY_PERIOD: a filter change, a random row selected, relative times toggled;
    `actions` gets the duration of each step (the time the loop was held by it directly)."""
    from app.session.filters import RecordFilter

    loop = asyncio.get_running_loop()
    rng = random.Random(7)
    step = 0
    while loop.time() < until:
        start = time.perf_counter()
        window.apply_filter(RecordFilter(text=FILTER_TEXTS[step % len(FILTER_TEXTS)]))
        rows = window.model.rowCount()
        if rows:
            window.select_row(rng.randrange(rows))
        window.set_delta_time(step % 2 == 0)
        actions.append(time.perf_counter() - start)
        step += 1
        await asyncio.sleep(BUSY_PERIOD)


async def _gui_run(window: Any, load: _Load, args: argparse.Namespace) -> dict[str, Any]:
    from app.net.proxy import ProxyConfig

    csms_url = (await load.read(30.0))["csms"]
    window.runner.start_proxy(window._fresh_capture(), ProxyConfig(upstream=csms_url, port=0))
    async with asyncio.timeout(15):
        while window.runner.running is None:
            if window.runner._task is not None and window.runner._task.done():
                raise RuntimeError("the proxy did not start")
            await asyncio.sleep(0.02)
    proxy_url = f"{window.runner.running.component.url}/ocpp"
    ticker = _StallTicker()
    ticker.start()
    loop = asyncio.get_running_loop()
    results: dict[str, Any] = {}
    try:
        for name, url in (("direct", csms_url), ("idle", proxy_url), ("busy", proxy_url)):
            await asyncio.sleep(0.3)  # let the previous phase's records settle in the window
            ticker.take()
            actions: list[float] = []
            busy = None
            if name == "busy":
                busy = asyncio.ensure_future(
                    _busy_gui(window, loop.time() + args.seconds + 1.0, actions))
            try:
                figures = await load.phase(url, f"GF-{name}", args)
            finally:
                if busy is not None:
                    busy.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await busy
            figures["stall_max_ms"] = ticker.take()
            if name == "busy":
                actions.sort()
                figures["gui_actions"] = len(actions)
                figures["gui_action_max_ms"] = actions[-1] * 1000 if actions else 0.0
            results[name] = figures
        results["records"] = len(window.capture.messages)
    finally:
        await ticker.stop()
        await window.runner.stop()
    return results


@contextlib.contextmanager
def _isolated_settings() -> Iterator[None]:
    """The window reads and writes QSettings and a message library: keep both in a
    temporary folder, so a benchmark run leaves the user's own untouched."""
    from PySide6.QtCore import QCoreApplication, QSettings

    names = QCoreApplication.organizationName(), QCoreApplication.applicationName()
    old_data = os.environ.get("XDG_DATA_HOME")
    with tempfile.TemporaryDirectory(prefix="ocppscope-guibench-") as folder:
        QCoreApplication.setOrganizationName("OCPP Scope Benchmark")
        QCoreApplication.setApplicationName("OCPP Scope Benchmark")
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, folder)
        os.environ["XDG_DATA_HOME"] = str(Path(folder) / "data")
        try:
            yield
        finally:
            QCoreApplication.setOrganizationName(names[0])
            QCoreApplication.setApplicationName(names[1])
            if old_data is None:
                os.environ.pop("XDG_DATA_HOME", None)
            else:
                os.environ["XDG_DATA_HOME"] = old_data


def _run_gui(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    with _isolated_settings():
        from widgets.main_window import MainWindow

        loop = qasync.QEventLoop(app, already_running=False)
        asyncio.set_event_loop(loop)
        load = _Load()
        window = MainWindow()
        window.show()
        try:
            limit = 60 + 3 * (args.seconds + ANSWER_TIMEOUT + COMMAND_MARGIN)
            results = loop.run_until_complete(asyncio.wait_for(_gui_run(window, load, args),
                                                               limit))
            return results
        finally:
            load.close()
            if window.runner.running is not None:
                loop.run_until_complete(asyncio.wait_for(window.runner.stop(), 10))
            loop.run_until_complete(asyncio.sleep(0.1))
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.wait(pending, timeout=5))
            window.capture_guard.headless = True  # no one to ask: keep what it recorded
            quits = app.quitOnLastWindowClosed()
            app.setQuitOnLastWindowClosed(False)  # the loop must outlive the window
            window.close()  # closes once the recording has written what it holds
            loop.run_until_complete(_until(lambda: not window.isVisible(), 15))
            app.setQuitOnLastWindowClosed(quits)
            window.deleteLater()
            loop.close()
            asyncio.set_event_loop(None)


async def _until(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stations", type=int, default=10)
    parser.add_argument("--rate", type=float, default=20.0,
                        help="round trips per second per station")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each phase")
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load:
        asyncio.run(_load_main())
        return {}

    size = len(call_frame("GF-busy-00-0"))
    print(f"GUI forwarding benchmark: {args.stations} stations x {args.rate:g} round trips/s, "
          f"TransactionEvent CALL of {size} bytes, {args.seconds:g} s per phase")
    print("stations + CSMS in a separate process; MainWindow (offscreen) + proxy on the Qt "
          "thread via qasync")
    results = _run_gui(args)
    base = results["direct"]
    print(f"\n{'phase':<34}{'trips':>7}{'failed':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
          f"{'GUI stall ms':>14}")
    labels = {"direct": "0 direct to CSMS (baseline)", "idle": "1 via proxy, GUI idle",
              "busy": "2 via proxy, GUI busy"}
    for name, label in labels.items():
        f = results[name]
        print(f"{label:<34}{f['round_trips']:>7}{f['failed']:>8}{f['p50_ms']:>9.2f}"
              f"{f['p99_ms']:>9.2f}{f['max_ms']:>9.2f}{f['stall_max_ms']:>14.1f}")
    ratios: dict[str, float] = {}
    for name in ("idle", "busy"):
        for key in ("p50_ms", "p99_ms", "max_ms"):
            ratios[f"{name}/direct_{key[:-3]}"] = _ratio(results[name][key], base[key])
    for key in ("p50_ms", "p99_ms", "max_ms"):
        ratios[f"busy/idle_{key[:-3]}"] = _ratio(results["busy"][key], results["idle"][key])
    results["ratios"] = ratios
    print("\nratios (latency of the phase / latency of the reference phase)")
    for pair in ("idle/direct", "busy/direct", "busy/idle"):
        print(f"   {pair:<12} p50 x{ratios[pair + '_p50']:6.2f}   p99 x{ratios[pair + '_p99']:6.2f}"
              f"   max x{ratios[pair + '_max']:6.2f}")
    busy = results["busy"]
    print(f"\nbusy phase: {busy['gui_actions']} GUI actions (filter + select + relative "
          f"times), the longest took {busy['gui_action_max_ms']:.1f} ms synchronously; "
          f"{results['records']} records in the window at the end")
    for name in labels:
        for line in results[name]["failures"]:
            print(f"   FAILED ({name}): {line}")
    return results


if __name__ == "__main__":
    main()
