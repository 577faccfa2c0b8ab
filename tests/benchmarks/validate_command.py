"""`ocppscope validate --json` on a realistic session, against jsonschema in the same run.

Run: python -m tests.benchmarks.validate_command [--messages 100000] [--rounds 3]

The session is the synthetic one of `make_session` (twenty stations: boots, heartbeats,
status, transactions with meter values, about 3% invalid frames). Our figure is the whole
command, reading the file and writing every JSON line (to a null stream); the baseline reads
the same frames from memory, pairs answers with their CALLs by id and lists every error with
a cached jsonschema Draft 6 validator: the least a plain implementation would do. Ours runs
as a user runs it (a process per core on a file this big) and in one process
(`--jobs 1`). The cases run in alternation and
the medians are compared.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from app.cli import main as ocppscope
from app.ocpp import datetimes
from app.ocpp.frames import Call, CallResult, parse_frame
from app.ocpp.schemas import PayloadKind, load_schema
from tests.benchmarks.make_session import write_session


class _Null(io.TextIOBase):
    """Takes text and keeps none of it, as a pipe to a fast reader would."""

    def write(self, text: str) -> int:
        return len(text)


def _ours(path: Path, jobs: int | None = None) -> float:
    import contextlib

    start = time.perf_counter()
    with contextlib.redirect_stdout(_Null()):
        ocppscope(["validate", "--json", *(["--jobs", str(jobs)] if jobs else []), str(path)])
    return time.perf_counter() - start


def _frames(path: Path) -> list[str]:
    texts = []
    with path.open(encoding="utf-8") as lines:
        next(lines)  # the header
        for line in lines:
            record = json.loads(line)
            if record.get("kind") == "frame":
                texts.append(record["text"])
    return texts


def _jsonschema(texts: list[str]) -> float:
    import jsonschema

    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time")(datetimes.is_rfc3339)
    validators: dict[tuple[str, PayloadKind], jsonschema.Draft6Validator] = {}
    pending: dict[str, str] = {}
    start = time.perf_counter()
    for text in texts:
        frame = parse_frame(text).frame
        if isinstance(frame, Call):
            pending[frame.message_id] = frame.action
            key, payload = (frame.action, PayloadKind.REQUEST), frame.payload
        elif isinstance(frame, CallResult) and frame.message_id in pending:
            key = (pending.pop(frame.message_id), PayloadKind.RESPONSE)
            payload = frame.payload
        else:
            continue
        validator = validators.get(key)
        if validator is None:
            validator = validators[key] = jsonschema.Draft6Validator(
                load_schema(*key), format_checker=checker)
        list(validator.iter_errors(payload))
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "session.jsonl"
        write_session(path, args.messages)
        texts = _frames(path)
        ours, serial, baseline = [], [], []
        for _ in range(args.rounds):
            ours.append(_ours(path))
            serial.append(_ours(path, jobs=1))
            baseline.append(_jsonschema(texts))
    frames = len(texts)
    rate = frames / statistics.median(ours)
    one = frames / statistics.median(serial)
    base = frames / statistics.median(baseline)
    print(f"ocppscope validate --json, {frames:,} frames (median of {args.rounds})")
    print(f"  ocppscope validate --json        {rate:>10,.0f} frames/s   ours is "
          f"{rate / base:5.1f}x  (a process per core, {os.cpu_count() or 1} here)")
    print(f"  ocppscope validate --jobs 1      {one:>10,.0f} frames/s   ours is "
          f"{one / base:5.1f}x")
    print(f"  jsonschema, cached validator     {base:>10,.0f} frames/s")
    return {"frames": frames, "ours_per_s": rate, "ours_one_process_per_s": one,
            "jsonschema_cached_per_s": base, "ratio": rate / base}


if __name__ == "__main__":
    main()
