"""`ocppscope replay FILE`: play one side of a recorded session to a live peer and report
where the peer now answers differently.

Exit status: 0 when every exchange matched, 1 when anything differed, was missing or extra
(or records were not recorded), 2 for unusable input: no such file, no such station, a peer
that cannot be reached, an address that cannot be listened on (one line, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from app import settings
from app.commands import live
from app.net import links, secrets
from app.net.csms import CsmsConfig
from app.replay.compare import DEFAULT_IGNORE
from app.replay.report import ReplayReport, console_lines, write_report
from app.replay.rewrite import rewriter_from
from app.replay.runner import ReplayOptions, ReplayRunner
from app.replay.script import load_recording
from app.session.capture import Capture

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
    v = settings.checked(settings.REPLAY, values)
    rewriter = rewriter_from(settings.repeated(values.get("rewrite")),
                             v["rewrite_file"] or None)
    reports = settings.repeated(values.get("report"))
    for path in reports:
        if not path.lower().endswith((".json", ".html", ".htm")):
            raise settings.UsageError(f"--report '{path}': name a .json or .html file")
    recording = load_recording(args.file)
    script = recording.script(v["station"] or None).starting_at(v["start_from"] or None)
    options = ReplayOptions(speed=v["speed"], rewriter=rewriter, settle=v["settle"],
                            ignore=DEFAULT_IGNORE.plus(settings.repeated(values.get("ignore"))),
                            max_size=v["max_size"])
    role = v["role"]
    peer = (secrets.mask_url(v["csms"]) if role == "station" else v["listen"])
    made: list[ReplayRunner] = []

    async def start(capture: Capture, notice: Callable[[str], None]) -> Any:
        runner = ReplayRunner(script, role, capture, options, notice=notice)
        made.append(runner)
        if role == "csms":
            host, port = settings.parse_address(v["listen"])
            endpoint = await runner.listen(CsmsConfig(host=host, port=port,
                                                      max_size=v["max_size"]))
            notice(f"replaying the CSMS side of {script.station}: listening on "
                   f"{endpoint.url}/<stationId>")
            live.caution(notice, links.listening_caution(host, endpoint.port))
        else:
            notice(f"replaying {script.station} to {peer}")
        return runner.stop

    async def play() -> None:
        runner = made[0]
        if role == "csms":
            await runner.play_as_csms(v["station"] or None, v["wait"] or None)
        else:
            await runner.play_as_station(v["csms"])

    header = {"replay": {"file": str(args.file), "station": script.station, "as": role,
                         "peer": peer}}
    status = live.run_live(args, "replay", header, start, until=play)
    if not made:
        return status
    runner = made[0]
    runner.close()
    report = ReplayReport(str(args.file), script.station, runner.live_station, role, peer,
                          runner.outcomes(), runner.ignored, runner.unexpected)
    for line in console_lines(report):
        print(line, file=sys.stdout)
    for path in reports:
        write_report(report, path)
    if status != live.EXIT_OK:
        return status
    return EXIT_MATCHED if report.counts.all_matched else EXIT_DIFFERENT
