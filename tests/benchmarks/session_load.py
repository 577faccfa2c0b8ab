"""Opening a big session in the GUI: `SessionLoader` against plain reading of the same file.

Run: python -m tests.benchmarks.session_load [--sizes 100000,1000000] [--budget 0.03]
                                             [--no-tracemalloc]

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
   crossed the wire, the part of the file that any viewer must keep.
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
    start = time.perf_counter()
    gc.collect()
    figures["gc_full_collect_ms"] = (time.perf_counter() - start) * 1000
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
                        help="comma-separated numbers of messages")
    parser.add_argument("--budget", type=float, default=0.03, help="seconds per step")
    parser.add_argument("--no-tracemalloc", action="store_true",
                        help="skip the traced (slow) second load")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:  # the measuring process: figures as one JSON line
        figures = measure(args.child, args.budget, not args.no_tracemalloc)
        print(json.dumps(figures))
        return {}

    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",")]
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
    return results


if __name__ == "__main__":
    main()
