"""`ocppscope validate`: judge the frames of files, print findings and a summary.

Exit status: 0 when every message is valid and without findings, 1 when any finding was
reported, 2 when an input is unusable (missing, a directory, binary, empty).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from typing import TextIO

from app.inputs import FrameSource, InputError, InputFrame, open_frames
from app.ocpp import catalog
from app.ocpp.checker import FrameChecker, Verdict, shared_validator
from app.ocpp.findings import Finding, Severity
from app.ocpp.frames import MessageType
from app.ocpp.schemas import PayloadKind

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
        epilog="exit status: 0 all valid, 1 findings reported, 2 unusable input",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="files to check")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per message instead of text")
    parser.add_argument("--action", metavar="NAME",
                        help="treat each file as a bare payload of this action")
    parser.add_argument("--response", action="store_true",
                        help="with --action: the payload is the response, not the request")
    parser.set_defaults(run=run)


@dataclass
class Tally:
    messages: int = 0
    valid: int = 0
    warned: int = 0
    invalid: int = 0
    malformed: int = 0

    def add(self, findings: tuple[Finding, ...], malformed: bool = False) -> None:
        self.messages += 1
        if malformed:
            self.malformed += 1
        elif any(f.severity is Severity.ERROR for f in findings):
            self.invalid += 1
        else:
            self.valid += 1
            self.warned += bool(findings)

    @property
    def clean(self) -> bool:
        return self.invalid == 0 and self.malformed == 0 and self.warned == 0

    def summary(self) -> str:
        warned = f" ({self.warned} with warnings)" if self.warned else ""
        return (f"{self.messages} message{'s' * (self.messages != 1)}: {self.valid} valid"
                f"{warned}, {self.invalid} invalid, {self.malformed} malformed")


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    if args.response and not args.action:
        print("ocppscope validate: --response needs --action", file=err)
        return EXIT_UNUSABLE
    if args.action and args.action not in catalog.ACTIONS:
        guess = catalog.closest_action(args.action)
        hint = f"; did you mean {guess}?" if guess else ""
        print(f"ocppscope validate: unknown action '{args.action}'{hint}", file=err)
        return EXIT_UNUSABLE
    style = _Style(out)
    status = EXIT_OK
    for name in args.files:
        try:
            if args.action:
                tally = _validate_payload_file(name, args, out, style)
            else:
                tally = _validate_frames(open_frames(name), args.json, out, err, style)
        except InputError as exc:
            print(f"ocppscope validate: {exc}", file=err)
            status = EXIT_UNUSABLE
            continue
        if not tally.clean and status == EXIT_OK:
            status = EXIT_FINDINGS
    return status


def _validate_frames(source: FrameSource, as_json: bool, out: TextIO, err: TextIO,
                     style: _Style) -> Tally:
    checker = FrameChecker()
    tally = Tally()
    for index, item in enumerate(source.frames):
        verdict = checker.check(item.text, connection=item.connection,
                                direction=item.direction, seq=item.seq, time=item.time,
                                binary=item.binary, station=item.station or None)
        tally.add(verdict.findings, verdict.malformed)
        if as_json:
            print(json.dumps(_json_line(source, index, item, verdict), ensure_ascii=False),
                  file=out)
        elif verdict.findings:
            _print_verdict(source, item, verdict, out, style)
    if not as_json:
        # the last CALL of a capture may well be unanswered: a note, not a finding
        for call in checker.pending():
            print(style.dim(f"{source.path}: note: {call.action} (id {call.message_id}) "
                            "got no answer in this file"), file=out)
        for gap in source.gaps:
            records = "1 record was" if gap.lost == 1 else f"{gap.lost} records were"
            why = f": {gap.reason}" if gap.reason else ""
            print(style.dim(f"{source.path}: note: {records} not recorded between seq "
                            f"{gap.first_seq} and seq {gap.last_seq}{why}"), file=out)
    for warning_text in source.warnings:
        print(f"{source.path}: {warning_text}", file=err)
    if not as_json:
        print(f"{source.path}: {tally.summary()}", file=out)
    return tally


def _validate_payload_file(name: str, args: argparse.Namespace, out: TextIO,
                           style: _Style) -> Tally:
    source = open_frames(name)  # the same checks for missing, empty and binary files
    path = source.path
    text = "\n".join(str(item.text) for item in source.frames)
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{path}: not a JSON payload ({exc})") from None
    kind = PayloadKind.RESPONSE if args.response else PayloadKind.REQUEST
    findings = tuple(shared_validator().validate(args.action, kind, payload))
    tally = Tally()
    tally.add(findings)
    label = f"{args.action} {kind.value}"
    if args.json:
        print(json.dumps({"index": 0, "file": str(path), "action": args.action,
                          "message_type": None, "message_id": None, "valid": tally.invalid == 0,
                          "findings": [f.to_json() for f in findings]}, ensure_ascii=False),
              file=out)
    else:
        if findings:
            print(style.bold(f"{path}  {label}"), file=out)
            for finding in findings:
                _print_finding(finding, out, style)
        print(f"{path}: {tally.summary()}", file=out)
    return tally


def _json_line(source: FrameSource, index: int, item: InputFrame, verdict: Verdict) -> dict:
    frame = verdict.frame
    return {
        "index": index,
        "file": str(source.path),
        "position": item.position,
        "action": verdict.action,
        "message_type": MessageType(frame.message_type).name if frame else None,
        "message_id": frame.message_id if frame else None,
        "valid": verdict.valid and not verdict.malformed,
        "findings": [f.to_json() for f in verdict.findings],
    }


def _print_verdict(source: FrameSource, item: InputFrame, verdict: Verdict, out: TextIO,
                   style: _Style) -> None:
    frame = verdict.frame
    if frame is None:
        head = "malformed frame"
    else:
        kind = MessageType(frame.message_type).name
        head = f"{kind} {verdict.action or '?'} id={frame.message_id}"
    print(style.bold(f"{source.path}:{item.position}  {head}"), file=out)
    for finding in verdict.findings:
        _print_finding(finding, out, style)


def _print_finding(finding: Finding, out: TextIO, style: _Style) -> None:
    where = f"{finding.path}: " if finding.path else ""
    print(f"  {style.severity(finding.severity)}  {finding.code}  {where}{finding.message}",
          file=out)


class _Style:
    """ANSI colours on a terminal, plain text everywhere else."""

    def __init__(self, stream: TextIO) -> None:
        self.on = hasattr(stream, "isatty") and stream.isatty()

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.on else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def severity(self, severity: Severity) -> str:
        label = f"{severity.value:<7}"
        colour = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}[severity]
        return self._wrap(colour, label)
