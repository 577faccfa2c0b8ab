"""Hostile traffic at volume: 100,000 frames through the proxy and into the CSMS endpoint.

Run: python -m tests.benchmarks.hostile [--frames 100000]

Prints, for each route, how many frames were forwarded (or answered) and recorded, whether
the connection survived, how many internal errors and logged errors there were, and the
rate, beside the rate of as many valid Heartbeats over the same route in the same run (the
baseline): what judging odd frames costs compared with ordinary traffic.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from app.session.message import RecordKind
from tests.net.hostile import Run, hostile_frames, into_csms, through_proxy


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _figures(run: Run, sent: int) -> dict[str, Any]:
    recorded = sum(1 for m in run.capture.messages
                   if m.kind in (RecordKind.FRAME, RecordKind.BINARY))
    internal = sum(1 for a in run.capture.annotations.values() for f in a.findings
                   if f.code == "internal.error")
    return {"sent": sent, "far_side_got": len(run.received), "recorded": recorded,
            "still_open": run.close_code is None, "internal_errors": internal,
            "seconds": run.seconds, "per_s": sent / run.seconds if run.seconds else 0.0}


def main(argv: list[str] | None = None) -> dict[str, dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000)
    args = parser.parse_args(argv)
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    hostile = list(hostile_frames(args.frames))
    valid: list[str | bytes] = [f'[2,"hb-{n}","Heartbeat",{{}}]' for n in range(args.frames)]
    results: dict[str, dict[str, Any]] = {}
    try:
        for route, runner in (("proxy", through_proxy), ("csms", into_csms)):
            baseline = asyncio.run(runner(valid, timeout=600))
            results[f"{route}_valid"] = _figures(baseline, len(valid))
            before = errors.count
            odd = asyncio.run(runner(hostile, timeout=600))
            results[route] = _figures(odd, len(hostile))
            results[route]["logged_errors"] = errors.count - before
            results[route]["ratio_to_valid"] = (results[route]["per_s"]
                                                / results[f"{route}_valid"]["per_s"])
    finally:
        logging.getLogger().removeHandler(errors)
    for route in ("proxy", "csms"):
        odd, base = results[route], results[f"{route}_valid"]
        what = "forwarded" if route == "proxy" else "answers"
        print(f"{route}: {odd['sent']:,} hostile frames, {odd['far_side_got']:,} {what}, "
              f"{odd['recorded']:,} records, connection "
              f"{'still open' if odd['still_open'] else 'DROPPED'}, "
              f"{odd['internal_errors']} internal errors, {odd['logged_errors']} logged errors; "
              f"{odd['per_s']:,.0f} frames/s = {odd['ratio_to_valid']:.2f}x the "
              f"{base['per_s']:,.0f}/s of valid Heartbeats")
    return results


if __name__ == "__main__":
    main()
