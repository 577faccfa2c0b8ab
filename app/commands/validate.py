"""`ocppscope validate`: judge the frames of files, print findings and a summary.

This module drives the checker over a file; `validate_report` decides what is printed. Files
other than sessions say neither when nor which way a frame went: `app.inputs` infers the
directions, and the checks that need times (heartbeat spacing, answer timeouts) do not run.

Exit status: 0 when every message is valid and without findings, 1 when any finding was
reported (or an answer could not be checked), 2 when an input is unusable (missing, a
directory, binary, empty).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from app.commands import validate_parallel
from app.commands.json_lines import write_json, write_line
from app.commands.validate_judging import FileJudging
from app.commands.validate_report import FileReport, Style, Tally, finding_line
from app.errors import UsageError
from app.inputs import FrameSource, InputError, open_frames
from app.ocpp import catalog
from app.ocpp.checker import shared_validator
from app.ocpp.conversation import ANSWER_TIMEOUT, ANSWER_TIMEOUTS
from app.ocpp.schemas import PayloadKind
from app.query.selection import FILTER_HELP, filter_option
from app.session.importing import read_standard_input

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check OCPP 2.0.1 frames in files against the official schemas",
        description=(
            "Check every frame in the given files: the OCPP-J envelope, the payload against "
            "the official OCPP 2.0.1 schema (answers are matched to their CALL by message id), "
            "and protocol rules such as unanswered or duplicate ids. A file may be a session "
            "recorded by OCPP Scope, a JSON file holding one frame or a list of frames, or a "
            "text file with one frame per line (`-` reads frames from standard input). "
            "With --action, a file holding one bare payload "
            "(a JSON object) is checked against that action's schema."),
        epilog=("Files other than sessions carry no times, so heartbeat spacing and answer "
                "timeouts are not checked, and each frame's direction is inferred from the "
                "side that sends its action. exit status: 0 all valid, 1 findings reported "
                "(or answers that could not be checked), 2 unusable input"),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="files to check")
    parser.add_argument("--json", action="store_true",
                        help="print JSON objects instead of text: one per message "
                             '("kind": "message"), then the notes ("note") and a "summary"')
    parser.add_argument("--action", metavar="NAME",
                        help="treat each file as a bare payload of this action")
    parser.add_argument("--response", action="store_true",
                        help="with --action: the payload is the response, not the request")
    parser.add_argument("--answer-timeout", type=float, metavar="SECONDS",
                        help="in sessions (which record times): flag a CALL still unanswered "
                             "this long after it was sent (default: the timeout the session "
                             f"was recorded with, or {ANSWER_TIMEOUT:g})")
    parser.add_argument("--filter", metavar="EXPR", help=(
        FILTER_HELP + "; every frame is still judged (answers need their CALLs), only the "
        "selected ones are reported and counted"))
    parser.add_argument("--jobs", type=int, metavar="N", help=(
        "processes judging a session file of more than a few thousand frames, each the "
        "frames of some stations (default: one per core; 1 judges in this process "
        "alone); "
        "the output is the same either way"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    problem = _option_problem(args)
    if problem:
        write_line(err, f"ocppscope validate: {problem}")
        return EXIT_UNUSABLE
    if args.response and not args.action:
        write_line(err, "ocppscope validate: --response needs --action")
        return EXIT_UNUSABLE
    if args.action and args.action not in catalog.ACTIONS:
        guess = catalog.closest_action(args.action)
        hint = f"; did you mean {guess}?" if guess else ""
        write_line(err, f"ocppscope validate: unknown action '{args.action}'{hint}")
        return EXIT_UNUSABLE
    try:
        args.query = filter_option(getattr(args, "filter", None))
    except UsageError as exc:
        write_line(err, f"ocppscope validate: {exc}")
        return EXIT_UNUSABLE
    style = Style(out)
    status = EXIT_OK
    for name in args.files:
        try:
            if args.action:
                tally = _validate_payload_file(name, args, out, style)
            else:
                tally = _validate_frames(open_frames(name), args, out, err, style)
        except InputError as exc:
            write_line(err, f"ocppscope validate: {exc}")
            status = EXIT_UNUSABLE
            continue
        if not tally.clean and status == EXIT_OK:
            status = EXIT_FINDINGS
    return status


def _option_problem(args: argparse.Namespace) -> str:
    """What is wrong with a number option, in words; empty when nothing is (argparse's
    float() reads 'nan' and '-5' alike, and a negative timeout flagged every CALL)."""
    timeout = getattr(args, "answer_timeout", None)
    least, most = ANSWER_TIMEOUTS  # as a live run's setting takes it
    if timeout is not None and not least <= timeout <= most:
        return f"--answer-timeout: must be from {least:g} to {most:g} seconds, not {timeout:g}"
    jobs = getattr(args, "jobs", None)
    if jobs is not None and jobs < 1:
        return f"--jobs: must be at least 1, not {jobs}"
    return ""


def _validate_frames(source: FrameSource, args: argparse.Namespace, out: TextIO, err: TextIO,
                     style: Style) -> Tally:
    workers = validate_parallel.workers_for(source, getattr(args, "jobs", None))
    skip = 0
    tally: Tally | None = None
    if workers > 1:
        tally, skip = validate_parallel.validate_in_parallel(source, args, out, style, workers)
    if tally is None:
        # one process, or workers that failed: this one judges, skipping the lines they
        # had already written
        report = FileReport(source, as_json=args.json, out=out, style=style, skip=skip)
        judging = FileJudging(source, args, report)
        index = 0  # of the frame: events are not messages
        for item in source.frames:
            if item.event is not None:
                judging.event(item)
                continue
            judging.frame(index, item)
            index += 1
            for call in judging.sweep(item):
                judging.lost(call, item)
        for call in judging.end():
            judging.lost(call)
        tally = report.finish(source, judging.checker.pending())
    for warning_text in source.warnings:
        write_line(err, f"{source.path}: {warning_text}")
    return tally


def _read_payload(name: str) -> tuple[Path, Any]:
    """The JSON value a file (or `-`, standard input) holds, whole: a payload is not read as
    frames, which would take a list of frames apart and a frame out of broken JSON.
    InputError, one line, for a file that cannot be read or is not JSON."""
    path = Path(name)
    try:
        data = read_standard_input() if name == "-" else path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a payload file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    try:
        return path, json.loads(data.decode("utf-8-sig"))  # Notepad writes a BOM
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{path}: not a JSON payload ({exc})") from None


def _validate_payload_file(name: str, args: argparse.Namespace, out: TextIO,
                           style: Style) -> Tally:
    path, payload = _read_payload(name)
    kind = PayloadKind.RESPONSE if args.response else PayloadKind.REQUEST
    findings = tuple(shared_validator().validate(args.action, kind, payload))
    tally = Tally()
    tally.add(findings)
    label = f"{args.action} {kind.value}"
    if args.json:
        write_json(out, {"kind": "message", "index": 0, "file": str(path),
                         "action": args.action, "message_type": None, "message_id": None,
                         "valid": tally.invalid == 0, "checked": True,
                         "findings": [f.to_json() for f in findings]})
        write_json(out, {"kind": "summary", "file": str(path), **tally.to_json()})
    else:
        if findings:
            write_line(out, style.bold(f"{path}  {label}"))
            for finding in findings:
                write_line(out, finding_line(finding, style))
        write_line(out, f"{path}: {tally.summary()}")
    return tally
