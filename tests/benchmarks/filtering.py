"""Filtering and judging a loaded session, as the window does it, against a plain list
comprehension over the same records measured in the same run.

Run: python -m tests.benchmarks.filtering [--sizes 100000,1000000]

The window runs `filters.scan` in slices of about 30 ms and `Capture.annotate` (the verdict
of every loaded record) in the background, then summarises the findings for Expert Info
(`SummaryBuild`); each figure is printed with the longest slice, which is how long the
window is ever busy at once.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from app.session.capture import Capture
from app.session.filters import RecordFilter, scan
from app.session.findings_summary import FindingsSummary, SummaryBuild
from app.session.loader import SessionLoader
from tests.benchmarks.make_session import write_session

SLICE = 0.03


def _sliced(work: Callable[[], bool]) -> tuple[float, float, int]:
    """Total seconds, longest slice, number of slices of a sliced job."""
    started = time.perf_counter()
    longest, slices, more = 0.0, 0, True
    while more:
        t = time.perf_counter()
        more = work()
        longest = max(longest, time.perf_counter() - t)
        slices += 1
    return time.perf_counter() - started, longest, slices


def measure(size: int, folder: Path, judge: bool) -> dict[str, float]:
    path = folder / f"session-{size}.jsonl"
    write_session(path, size)
    capture = Capture()
    capture.adopt(SessionLoader.open(path).load_all())
    messages = capture.messages
    figures: dict[str, float] = {"records": len(messages)}

    started = time.perf_counter()
    baseline = [i for i, m in enumerate(messages) if "heartbeat" in m.text.casefold()]
    figures["baseline_s"] = time.perf_counter() - started

    if judge:
        def judge_step() -> bool:  # as the window's JudgeRun does it
            gc.disable()
            try:
                return capture.annotate(SLICE)
            finally:
                gc.freeze()
                gc.enable()

        total, longest, _ = _sliced(judge_step)
        figures.update(judge_s=total, judge_longest_ms=longest * 1000)
        summary = FindingsSummary()
        build = SummaryBuild(capture, summary)
        total, longest, _ = _sliced(lambda: build.step(SLICE))
        figures.update(summary_s=total, summary_longest_ms=longest * 1000,
                       findings=summary.count())

    cases = {
        "text 'heartbeat'": RecordFilter(text="heartbeat"),
        "one station": RecordFilter(stations=frozenset({messages[len(messages) // 2].station})),
        "CALLs to the CSMS": RecordFilter(message_types=frozenset({2}),
                                          directions=frozenset({messages[1].direction})
                                          if messages[1].direction else frozenset()),
        "only invalid": RecordFilter(only_invalid=True),
    }
    for name, record_filter in cases.items():
        accepts = record_filter.predicate(capture)
        found: list[int] = []
        state = {"next": 0}

        def step(accepts=accepts, found=found, state=state) -> bool:
            rows, state["next"] = scan(capture, accepts, state["next"], SLICE)
            found.extend(rows)
            return state["next"] < len(messages)

        total, longest, _ = _sliced(step)
        figures[f"{name}_s"] = total
        figures[f"{name}_longest_ms"] = longest * 1000
        figures[f"{name}_rows"] = len(found)
        if name.startswith("text"):
            assert len(found) >= len(baseline)
    return figures


def main(argv: list[str] | None = None) -> dict[int, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--no-judge", action="store_true",
                        help="skip judging the records (only invalid then finds none)")
    args = parser.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            figures = measure(size, Path(folder), not args.no_judge)
            results[size] = figures
            print(f"\n{size:,} records")
            print(f"  baseline: list comprehension, text search   {figures['baseline_s']:6.2f} s")
            if "judge_s" in figures:
                print(f"  judging every record (background)         {figures['judge_s']:6.2f} s"
                      f"  = {size / figures['judge_s']:,.0f}/s, longest slice "
                      f"{figures['judge_longest_ms']:.0f} ms")
                print(f"  summarising {figures['findings']:,} findings (Expert info)"
                      f"{figures['summary_s']:6.2f} s  longest slice "
                      f"{figures['summary_longest_ms']:.0f} ms")
            for key in [k for k in figures if k.endswith("_rows")]:
                name = key[: -len("_rows")]
                seconds = figures[f"{name}_s"]
                print(f"  filter {name:<32} {seconds:6.2f} s  = "
                      f"{seconds / figures['baseline_s']:4.1f}x baseline, longest slice "
                      f"{figures[f'{name}_longest_ms']:.0f} ms, {figures[key]:,} rows")
    return results


if __name__ == "__main__":
    main()
