"""`ocppscope replay FILE`: play one side of a recorded session to a live peer and report
where the peer now answers differently.

Exit status: 0 when every exchange matched, 1 when anything differed, was missing or extra
(or records were not recorded), 2 for unusable input: no such file, no such station, a peer
that cannot be reached, an address that cannot be listened on (one line, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app import settings
from app.commands import live
from app.replay.report import console_lines, write_report
from app.replay.run import ReplayRun, plan_replay
from app.session.exporting import folder_problem

EXIT_MATCHED, EXIT_DIFFERENT = 0, 1


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "replay", help="replay a recorded session against a live peer and compare",
        description=(
            "Play one station's side (--as station, to the CSMS at --csms) or the CSMS side "
            "(--as csms, waiting on --listen) of a recorded session to a live peer. CALLs go "
            "in recorded order, each after the previous one was answered; the peer's CALLs "
            "get the recorded answers. Message ids are fresh, timestamps move so the first "
            "is now, --rewrite maps other fields. Each live exchange is then compared with "
            "the recorded one (by direction, action and ordinal): one line per difference "
            "and the counts; --report writes JSON or HTML. Exit status 0: all matched, 1: "
            "something differed, was missing or extra, 2: unusable input."),
        epilog="example: ocppscope replay bench.jsonl --as station --csms "
               "ws://localhost:9000/ocpp --report diff.html")
    parser.add_argument("file", metavar="FILE", help="a session file recorded by OCPP Scope")
    settings.add_options(parser, settings.REPLAY)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Raises OcppScopeError for input that cannot work (reported by `app.cli.main`)."""
    values = vars(args)
    reports = settings.repeated(values.get("report"))
    for path in reports:
        if not path.lower().endswith((".json", ".html", ".htm")):
            raise settings.UsageError(f"--report '{path}': name a .json or .html file")
        # said now, not after a run that may take long: where the report cannot go
        problem = folder_problem(path)
        if problem is not None:
            raise settings.UsageError(f"--report '{path}': {problem}")
        if Path(path).is_dir():
            raise settings.UsageError(f"--report '{path}': is a directory")
    plan = plan_replay(args.file, values)
    for skipped in plan.recording.skipped:  # what the comparison cannot know of
        print(f"ocppscope replay: {args.file}: {skipped}", file=sys.stderr)
    replay = ReplayRun(plan)
    status = live.run_live(args, "replay", plan.header(), replay.start, until=replay.play,
                           keep=True)  # the outcome is read from the live records
    if replay.runner is None or status == live.EXIT_USAGE:
        return status   # it never ran (an address in use...): there is nothing to compare
    report = replay.report()
    for line in console_lines(report):
        print(line, file=sys.stdout)
    for path in reports:
        write_report(report, path)
    if status != live.EXIT_OK:
        return status
    return EXIT_MATCHED if report.counts.all_matched else EXIT_DIFFERENT
