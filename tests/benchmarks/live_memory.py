"""Memory of a live run in the window: records kept in a list, or in their recording.

Run: python -m tests.benchmarks.live_memory [--frames 200000] [--repeat 3]

The window records every live run from its first frame (`widgets.capture_guard`). Its
capture used to keep each record as a `Message` in a list as well (text, payload and all);
now its records live in the recording (`app.session.live_store.LiveStore`): memory holds an
index per record, and a record only until the recorder has written its line.

Each run is a fresh process that builds the capture as the window does (a `Recording` to a
session file in a temporary folder), feeds it `--frames` frames of one endless charging
session on one connection (`session_load.proxy_loop`: Heartbeat, MeterValues,
TransactionEvent Updated, each answered), lets the recorder catch up, and measures:
- RSS per record: (resident set at the end - before the first frame) / frames, all in:
  records or their index, annotations (one per answer: its CALL and round trip), state;
- of which the store's index (`RecordStore.memory()`), and the annotations' count;
- frames per second through `Capture.frame` (judging included): the forwarding path's cost.
The two ways alternate, `--repeat` times each, and the medians are printed. The machine is
shared: figures vary from run to run, the ratio less so.

Where the bytes of the store way live (tracemalloc, what grows between 50,000 and 200,000
frames; the RSS figure adds a fixed few MB of compiled schemas and bounded caches, spread
over the records):
- at 311 bytes a record: the store's index 39; meter samples as objects about 80; each
  early heartbeat's finding (this loop sends them back to back) with its own words, tuple
  and annotation about 65; record seqs and seqNos as lists of boxed ints about 40; a
  `Change` per trigger about 25; the annotation columns about 20.
- at 88: the index 29 (seqs in 4 bytes, name ids in 2); the annotations 15 (findings as an
  id of a distinct set); the links from CALLs to answers 4; a transaction's meter samples 15,
  record seqs 3, seqNos and triggers 3 (`app.state.logs`). The checker's answered ids (for
  reused-id findings) are bounded at 4,096 per connection: a fixed cost, not a per-record
  one.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.session_load import ROOT, _rss, proxy_loop

WAYS = ("list", "store")


def run(way: str, frames: int, folder: Path) -> dict[str, float]:
    """One live run of `frames` frames, its records kept the `way` given; in this process."""
    from app.session.capture import Capture
    from app.session.live_store import LiveStore
    from app.session.recording import Recording
    from app.session.sessionfile import SessionWriter, make_header

    path = folder / f"{way}.jsonl"
    writer = SessionWriter(path, make_header("proxy"))
    capture = Capture(messages=LiveStore(path) if way == "store" else None)
    recording = Recording(capture, writer, lambda *_: None)
    gc.collect()
    before = _rss() or 0
    start = time.perf_counter()
    for done, (direction, text) in enumerate(proxy_loop(frames), 1):
        capture.frame("c1", "CP-1", direction, text)
        if done % 5000 == 0:
            while recording.sink.queued > 20_000:  # network pace: the recorder keeps up
                time.sleep(0.01)
    seconds = time.perf_counter() - start
    report = recording.close(60)
    gc.collect()
    after = _rss() or 0
    messages = capture.messages
    figures: dict[str, float] = {
        "frames": len(messages),
        "lost": report.lost,
        "frames_per_s": frames / seconds,
        "rss_per_record": (after - before) / max(len(messages), 1),
        "annotations": len(capture.annotations),
        "file_bytes": path.stat().st_size,
    }
    if isinstance(messages, LiveStore):
        figures["index_per_record"] = messages.memory() / max(len(messages), 1)
        figures["held"] = messages.held
    return figures


def _in_child(way: str, frames: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="ocppscope-live-") as folder:
        command = [sys.executable, "-m", "tests.benchmarks.live_memory", "--child", way,
                   "--frames", str(frames), "--folder", folder]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each way, alternated")
    parser.add_argument("--child", choices=WAYS, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run(args.child, args.frames, args.folder)))
        return {}
    runs: dict[str, list[dict[str, float]]] = {way: [] for way in WAYS}
    for _ in range(args.repeat):
        for way in WAYS:
            runs[way].append(_in_child(way, args.frames))
    medians: dict[str, dict[str, Any]] = {
        way: {key: statistics.median(r[key] for r in results) for key in results[0]}
        for way, results in runs.items()}
    print(f"A live run of {args.frames:,} frames on one connection, recorded "
          f"(medians of {args.repeat} alternated runs each)")
    for way in WAYS:
        figures = medians[way]
        line = (f"  {way:6} RSS {figures['rss_per_record']:6.0f} bytes a record, "
                f"{figures['frames_per_s']:8,.0f} frames/s, "
                f"{figures['annotations']:,.0f} annotations, {figures['lost']:.0f} lost")
        if "index_per_record" in figures:
            line += (f"; index {figures['index_per_record']:.0f} bytes a record, "
                     f"{figures['held']:.0f} held")
        print(line)
    ratio = medians["list"]["rss_per_record"] / max(medians["store"]["rss_per_record"], 1)
    print(f"  the store takes 1/{ratio:.1f} of the list's memory per record "
          f"(file: {medians['store']['file_bytes'] / args.frames:.0f} bytes a record)")
    return medians


if __name__ == "__main__":
    main()
