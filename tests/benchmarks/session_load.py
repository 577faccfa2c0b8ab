"""Opening a big session in the GUI: `SessionLoader` against plain reading of the same file.

Run: python -m tests.benchmarks.session_load [--sizes 100000,1000000] [--budget 0.03]
                                             [--no-tracemalloc] [--headless-frames 1000000]
     python -m tests.benchmarks.session_load --sizes "" --headless-frames 1000000

For each size a realistic session (`make_session`: 20 stations, meter values, some invalid
frames) is written to a temporary directory and measured in a fresh Python process, so that
one size's memory does not hide in the next one's figures. In that process:

1. baseline: counting the lines, `sum(1 for _ in open(path))` (also warms the page cache);
2. `SessionLoader`, driven by `step(budget)` as the GUI drives it: total time, number of
   steps, and the longest step (how long the GUI thread is blocked at most); then how long a
   full garbage collection takes with the records loaded (what the GUI would stall for);
3. baselines: the plain `[json.loads(line) for line in f]` that keeps every line as a dict,
   the same parsing keeping nothing (`json.loads` alone, the floor for any JSON reader), and
   `list(SessionReader.open(path))`, the loader's reading without steps or GC handling.
   These come after the loader, whose memory figure they would otherwise distort: memory
   they free is reused, not returned to the system;
4. memory per message beyond the frames' own text, two ways:
   - RSS: (resident set after the load - before it - text bytes) / N, which includes the
     allocator's own overhead and is what the machine pays;
   - tracemalloc: (Python memory still allocated after a second, traced and untimed load,
     traced from just before it - text bytes) / N, the objects alone;
   where text bytes = the sum of `len(message.text) + len(message.data)`: the frames as they
   crossed the wire. A session file is now its own store (`RecordStore`), so the text stays
   in the file and the figure that matters is the RSS per record, all in;
5. judging every record in worker processes as the window does (`ParallelJudge`): total
   time and the longest step on the window's thread, the CPU of the window's process and
   of each worker (how evenly the work was shared); then the filters a user reaches for
   first (a text search, one station, invalid only), each as a ratio to the json.loads list.
With `--headless-frames N`, a capture that forgets (what `ocppscope proxy` runs) judges N
frames of one endless charging session on one connection (`proxy_loop`: Heartbeat,
MeterValues, TransactionEvent Updated with a growing seqNo, and their answers) in a fresh
process: its RSS at 10%, 50% and 100% of the way, and the growth from 10% to 100%.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.benchmarks.make_session import write_session

ROOT = Path(__file__).resolve().parents[2]


def _rss() -> int | None:
    """Resident set size in bytes now (Linux); None where /proc is not there."""
    try:
        with open("/proc/self/statm") as stream:
            return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _text_bytes(messages: list[Any]) -> int:
    return sum(len(m.text) + len(m.data) for m in messages)


def measure(path: Path, budget: float, traced: bool) -> dict[str, float]:
    """All figures for one file, in this process (meant to be a fresh one)."""
    from app.session.loader import SessionLoader
    from app.session.sessionfile import SessionReader

    figures: dict[str, float] = {}
    start = time.perf_counter()
    with open(path) as stream:
        lines = sum(1 for _ in stream)
    figures["line_count_s"] = time.perf_counter() - start
    figures["lines"] = lines

    rss_before = _rss()
    start = time.perf_counter()
    loader = SessionLoader.open(path)
    steps, longest = 0, 0.0
    while True:
        begun = time.perf_counter()
        more = loader.step(budget)
        longest = max(longest, time.perf_counter() - begun)
        steps += 1
        if not more:
            break
    figures["loader_s"] = time.perf_counter() - start
    rss_after = _rss()
    messages = loader.messages
    count = len(messages)
    text = _text_bytes(messages)
    figures.update(loaded=count, skipped=loader.skipped, steps=steps,
                   max_step_ms=longest * 1000, text_bytes=text)
    if rss_before is not None and rss_after is not None:
        figures["rss_delta_bytes"] = rss_after - rss_before
        figures["rss_overhead_per_message"] = (rss_after - rss_before - text) / max(count, 1)
        figures["rss_per_record"] = (rss_after - rss_before) / max(count, 1)
    start = time.perf_counter()
    gc.collect()
    figures["gc_full_collect_ms"] = (time.perf_counter() - start) * 1000
    figures.update(_judge_and_filter(messages, budget))
    del messages, loader

    start = time.perf_counter()
    with open(path) as stream:
        values = [json.loads(line) for line in stream]
    figures["json_loads_s"] = time.perf_counter() - start
    del values

    start = time.perf_counter()
    with open(path) as stream:
        for line in stream:
            json.loads(line)
    figures["json_loads_discard_s"] = time.perf_counter() - start

    start = time.perf_counter()
    records = list(SessionReader.open(path))
    figures["reader_s"] = time.perf_counter() - start
    del records
    gc.collect()

    if traced:
        tracemalloc.start()
        loader = SessionLoader.open(path)
        loader.load_all()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figures["traced_bytes"] = current
        figures["traced_peak_bytes"] = peak
        figures["traced_overhead_per_message"] = (current - text) / max(count, 1)
        del loader
    return figures


def _cpu_seconds() -> tuple[float, float]:
    """CPU seconds of this process (all its threads) and of its ended children; zeros
    where there is no `resource` module (Windows)."""
    try:
        import resource
    except ImportError:
        return 0.0, 0.0
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _judge_and_filter(messages: Any, budget: float) -> dict[str, float]:
    """Judging the loaded records in worker processes as the window does (total time and
    the longest step on the window's thread), then the three filters a user reaches for
    first, each over every record: a text search, one station, invalid only."""
    from app.session.capture import Capture
    from app.session.filters import FilterScan, RecordFilter
    from app.session.parallel import ParallelJudge

    figures: dict[str, float] = {}
    capture = Capture()
    capture.adopt(messages)
    judge = ParallelJudge(capture)
    # CPU seconds besides wall time: on a machine shared with others the workers (niced)
    # wait for a core, and only these say what judging itself cost
    own, workers = _cpu_seconds()
    start, longest, longest_cpu = time.perf_counter(), 0.0, 0.0
    while True:
        begun, begun_cpu = time.perf_counter(), time.thread_time()
        more = judge.step(budget)
        longest = max(longest, time.perf_counter() - begun)
        longest_cpu = max(longest_cpu, time.thread_time() - begun_cpu)
        if not more:
            break
    own_after, workers_after = _cpu_seconds()
    figures.update(judge_parallel_s=time.perf_counter() - start,
                   judge_max_step_ms=longest * 1000, judge_max_step_cpu_ms=longest_cpu * 1000,
                   judge_window_cpu_s=own_after - own,
                   judge_workers_cpu_s=workers_after - workers,
                   judge_serial_fallback=judge.serial,
                   judge_worker_cpu_s=[judge.worker_cpu[number]
                                       for number in sorted(judge.worker_cpu)],
                   judge_workers=judge.workers, invalid=capture.invalid)
    station = messages.station_at(0) if len(messages) else ""
    for name, chosen in (("text", RecordFilter(text="Charging")),
                         ("station", RecordFilter(stations=frozenset({station}))),
                         ("invalid", RecordFilter(only_invalid=True))):
        scan = FilterScan(capture, chosen.predicate(capture), chosen.index_test(capture))
        start = time.perf_counter()
        while scan.step(budget):
            pass
        figures[f"filter_{name}_s"] = time.perf_counter() - start
        figures[f"filter_{name}_rows"] = len(scan.found)
    return figures


_EPOCH = 1_750_000_000  # when the benchmark's station starts charging (June 2025)


def _stamp(second: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(_EPOCH + second))


def proxy_loop(frames: int) -> Iterator[tuple[Any, str]]:
    """A headless proxy's traffic on one connection, CALL then answer: a boot and a
    Started transaction, then in turn a Heartbeat, a MeterValues and a TransactionEvent
    Updated whose seqNo grows, as one endless charging session sends them."""
    from app.ocpp.conversation import Direction

    up, down = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
    boot = {"reason": "PowerUp", "chargingStation": {"model": "Bench", "vendorName": "Us"}}
    started = {"eventType": "Started", "timestamp": _stamp(0), "triggerReason": "Authorized",
               "seqNo": 0, "transactionInfo": {"transactionId": "TX-BENCH-1",
                                               "chargingState": "Charging"},
               "evse": {"id": 1, "connectorId": 1}, "idToken": {"idToken": "TAG-1",
                                                                "type": "ISO14443"}}
    yield up, json.dumps([2, "boot", "BootNotification", boot])
    yield down, json.dumps([3, "boot", {"currentTime": _stamp(0), "interval": 300,
                                        "status": "Accepted"}])
    yield up, json.dumps([2, "start", "TransactionEvent", started])
    yield down, '[3,"start",{}]'
    sent, number = 4, 0
    while sent < frames:
        number += 1
        when = _stamp(number * 10)
        sampled = [{"value": 1000.0 + number * 5.5, "measurand":
                    "Energy.Active.Import.Register", "unitOfMeasure": {"unit": "Wh"}},
                   {"value": 7200 + number % 50, "measurand": "Power.Active.Import",
                    "unitOfMeasure": {"unit": "W"}}]
        meter = [{"timestamp": when, "sampledValue": sampled}]
        calls = (
            ("Heartbeat", {}, {"currentTime": when}),
            ("MeterValues", {"evseId": 1, "meterValue": meter}, {}),
            ("TransactionEvent", {
                "eventType": "Updated", "timestamp": when,
                "triggerReason": "MeterValuePeriodic", "seqNo": number,
                "transactionInfo": {"transactionId": "TX-BENCH-1",
                                    "chargingState": "Charging"},
                "meterValue": meter}, {}))
        for action, request, answer in calls:
            if sent >= frames:
                return
            ident = f"M{number}-{action[0]}"
            yield up, json.dumps([2, ident, action, request])
            yield down, json.dumps([3, ident, answer])
            sent += 2


def headless_memory(frames: int) -> dict[str, float]:
    """RSS of a headless proxy's capture (one that forgets, judging every frame) over
    `frames` frames of `proxy_loop` on one connection: at 10%, 50% and 100% of the way."""
    from app.session.capture import Capture

    capture = Capture(keep=False)
    capture.subscribe(lambda message, annotation: None)
    marks: dict[str, float] = {}
    checkpoints = {max(frames // 10, 1): "rss_tenth", max(frames // 2, 1): "rss_half"}
    start = time.perf_counter()
    done = 0
    for direction, text in proxy_loop(frames):
        capture.frame("c1", "CP-1", direction, text)
        done += 1
        if done in checkpoints:
            gc.collect()
            marks[checkpoints[done]] = _rss() or 0
    gc.collect()
    marks["rss_end"] = _rss() or 0
    marks["frames"] = done
    marks["seconds"] = time.perf_counter() - start
    marks["growth"] = marks["rss_end"] / max(marks.get("rss_tenth", 0), 1)
    return marks


def _measure_in_child(path: Path, budget: float, traced: bool) -> dict[str, float]:
    command = [sys.executable, "-m", "tests.benchmarks.session_load", "--child", str(path),
               "--budget", str(budget)]
    if not traced:
        command.append("--no-tracemalloc")
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _report(size: int, figures: dict[str, float]) -> None:
    n = figures["loaded"]
    count, plain = figures["line_count_s"], figures["json_loads_s"]
    load = figures["loader_s"]
    print(f"\n{size:,} messages: {figures['file_bytes'] / 1e6:,.1f} MB "
          f"({figures['file_bytes'] / size:,.0f} bytes a line; written in "
          f"{figures['generate_s']:.1f} s)")
    print("  baselines")
    print(f"    count lines, sum(1 for _ in open(path))  {count:7.2f} s")
    print(f"    [json.loads(line) for line in f]          {plain:7.2f} s")
    print(f"    json.loads(line) for each, keeping none   {figures['json_loads_discard_s']:7.2f} s")
    print("  SessionLoader, driven by step() as the GUI does")
    print(f"    load {n:,} messages ({figures['skipped']:,} lines skipped)     {load:7.2f} s  "
          f"= {n / load:,.0f}/s")
    print(f"      = {load / plain:.2f}x the list of json.loads, "
          f"{load / figures['json_loads_discard_s']:.2f}x json.loads keeping none, "
          f"{load / count:.0f}x counting lines")
    print(f"    steps {figures['steps']:,}, longest {figures['max_step_ms']:.1f} ms "
          f"(budget {figures['budget'] * 1000:.0f} ms)")
    print(f"    full gc.collect() with all loaded       {figures['gc_full_collect_ms']:7.1f} ms")
    print(f"    (list(SessionReader), no steps, GC left on: {figures['reader_s']:.2f} s)")
    print("  judging, in worker processes as the window does")
    print(f"    {figures['judge_workers']} workers: {figures['judge_parallel_s']:7.2f} s, "
          f"longest step {figures['judge_max_step_ms']:.1f} ms"
          + (" (fell back to serial!)" if figures["judge_serial_fallback"] else ""))
    print(f"    CPU: workers {figures['judge_workers_cpu_s']:.2f} s "
          f"({figures['judge_workers_cpu_s'] / n * 1e6:.1f} us a record), window's process "
          f"{figures['judge_window_cpu_s']:.2f} s, longest step "
          f"{figures['judge_max_step_cpu_ms']:.1f} ms of its thread's time")
    shares = figures.get("judge_worker_cpu_s") or []
    if shares:  # how evenly the stations were shared: the slowest worker sets the time
        print("    CPU of each worker: " + ", ".join(f"{seconds:.2f} s" for seconds in shares)
              + f" (slowest / mean {max(shares) / (sum(shares) / len(shares)):.2f})")
    print("  filters over every record")
    for name in ("text", "station", "invalid"):
        print(f"    {name:8} {figures[f'filter_{name}_s']:7.2f} s "
              f"({figures[f'filter_{name}_rows']:,} rows) = "
              f"{figures[f'filter_{name}_s'] / plain:.2f}x the list of json.loads")
    if "rss_per_record" in figures:
        print(f"  RSS per record, all in: {figures['rss_per_record']:,.0f} bytes")
    text = figures["text_bytes"]
    print(f"  memory, beyond the frames' text ({text / 1e6:,.1f} MB, {text / n:,.0f} bytes a "
          f"message)")
    if "rss_overhead_per_message" in figures:
        print(f"    RSS delta {figures['rss_delta_bytes'] / 1e6:,.1f} MB: "
              f"{figures['rss_overhead_per_message']:,.0f} bytes a message beyond the text")
    if "traced_overhead_per_message" in figures:
        print(f"    tracemalloc, retained {figures['traced_bytes'] / 1e6:,.1f} MB (peak "
              f"{figures['traced_peak_bytes'] / 1e6:,.1f} MB): "
              f"{figures['traced_overhead_per_message']:,.0f} bytes a message beyond the text")


def main(argv: list[str] | None = None) -> dict[int, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000",
                        help="comma-separated numbers of messages (empty: none)")
    parser.add_argument("--budget", type=float, default=0.03, help="seconds per step")
    parser.add_argument("--no-tracemalloc", action="store_true",
                        help="skip the traced (slow) second load")
    parser.add_argument("--headless-frames", type=int, default=0,
                        help="also measure a headless capture's memory over this many frames")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-headless", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:  # the measuring process: figures as one JSON line
        figures = measure(args.child, args.budget, not args.no_tracemalloc)
        print(json.dumps(figures))
        return {}
    if args.child_headless:
        print(json.dumps(headless_memory(args.child_headless)))
        return {}

    # an empty --sizes measures no session file (only the headless run, when asked for)
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    results: dict[int, dict[str, float]] = {}
    print(f"opening a session file: SessionLoader vs plain reading, {os.cpu_count()} CPUs, "
          f"Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="ocppscope-load-") as tmp:
        for size in sizes:
            path = Path(tmp) / f"session-{size}.jsonl"
            start = time.perf_counter()
            file_bytes = write_session(path, size)
            generated = time.perf_counter() - start
            figures = _measure_in_child(path, args.budget, not args.no_tracemalloc)
            figures.update(messages=size, file_bytes=file_bytes, generate_s=generated,
                           budget=args.budget)
            results[size] = figures
            _report(size, figures)
            path.unlink()
    if args.headless_frames:
        done = subprocess.run([sys.executable, "-m", "tests.benchmarks.session_load",
                               "--child-headless", str(args.headless_frames)], cwd=ROOT,
                              capture_output=True, text=True, check=True)
        marks = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"\nheadless proxy capture, {marks['frames']:,} frames on one connection in "
              f"{marks['seconds']:.1f} s: RSS {marks['rss_tenth'] / 1e6:,.1f} MB at 10%, "
              f"{marks['rss_half'] / 1e6:,.1f} MB at 50%, {marks['rss_end'] / 1e6:,.1f} MB "
              f"at 100% ({marks['growth']:.3f}x from 10% to 100%; goal <= 1.10x)")
        results[0] = marks
    return results


if __name__ == "__main__":
    main()
