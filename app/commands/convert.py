"""`ocppscope convert IN OUT`: any input OCPP Scope reads into a session file, and sessions
out to a trace (JSON Lines), CSV or an HTML report; `--station`, `--from`, `--to` take a
slice (moments in any form `app.moments` reads), `--filter` keeps what an expression of
the filter language selects.

Exit status: 0 converted; 1 converted, but the input had lines or entries that were skipped
(each told on stderr); 2 unusable input (one line, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from app.errors import InputError, UsageError
from app.moments import Moment, add_moment_option
from app.query.selection import filter_option, select_messages
from app.session.exporting import (
    check_output_folder,
    judged,
    sliced,
    write_csv,
    write_trace,
)
from app.session.importing import Imported, import_path, left_out
from app.session.message import RecordKind
from app.session.report_html import html_report
from app.session.sessionfile import SessionWriter, make_header, recorded_answer_timeout
from app.wording import count

EXIT_OK, EXIT_SKIPPED = 0, 1
FORMATS = ("session", "trace", "csv", "html")
_BY_SUFFIX = {".jsonl": "session", ".ndjson": "trace", ".csv": "csv", ".html": "html",
              ".htm": "html"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "convert", help="convert logs and captures to a session, a trace, CSV or HTML",
        description=(
            "Read IN in any format OCPP Scope reads (its sessions, logs of other OCPP "
            "implementations, trace and HAR files, frame lists, an OCPP.Core dump folder; "
            "recognised from the content) and write OUT: a session (.jsonl), a trace of one "
            "JSON object per frame (--format trace, or .ndjson), CSV (.csv) or an HTML "
            "report (.html) with counts per station, action and finding and every invalid "
            "frame. --station, --from and --to write a slice."),
        epilog="exit status: 0 converted, 1 converted but lines of the input were skipped "
               "(listed on stderr), 2 unusable input")
    parser.add_argument("input", metavar="IN",
                        help="a file, an OCPP.Core dump folder, or - for standard input")
    parser.add_argument("output", metavar="OUT", help="the file to write")
    parser.add_argument("--format", choices=FORMATS,
                        help="what to write (default: from OUT's extension; .jsonl is a "
                             "session)")
    parser.add_argument("--station", metavar="ID", help="only this station's records")
    add_moment_option(parser, "--from", "only the records from this moment on", dest="start")
    add_moment_option(parser, "--to", "only the records up to this moment", dest="end")
    parser.add_argument("--filter", metavar="EXPR",
                        help='only the records this expression keeps, e.g. '
                             '\'action == "TransactionEvent" && !valid\' (see the README\'s '
                             "filter language)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, err: TextIO | None = None) -> int:
    """Raises an OcppScopeError (one line, exit 2) for unusable input or options."""
    err = err or sys.stderr
    kind = args.format or _BY_SUFFIX.get(Path(args.output).suffix.lower())
    if kind is None:
        raise UsageError(f"{args.output}: say what to write with --format "
                         f"({', '.join(FORMATS)}), or name a .jsonl, .csv or .html file")
    if Path(args.output).resolve() == Path(args.input).resolve():
        raise UsageError(f"{args.output}: the output would overwrite the input")
    query = filter_option(getattr(args, "filter", None))   # a broken expression: before reading
    check_output_folder(args.output)
    imported = import_path(args.input)
    messages = imported.messages
    if args.station is not None:
        present = sorted({m.station for m in messages if m.station})
        if args.station not in present:
            raise UsageError(f"no station '{args.station}' in {args.input}; stations "
                             f"present: {', '.join(present) or 'none named'}")
    start, end = (_epoch(moment, imported) for moment in (args.start, args.end))
    chosen = sliced(messages, station=args.station, start=start, end=end)
    if query is not None:   # judged first, so that `valid`, `finding` and `rtt` can be asked
        capture = judged(messages, times_known=imported.times_known,
                         directions_known=imported.directions_known,
                         answer_timeout=recorded_answer_timeout(imported.header))
        chosen = list(select_messages(chosen, query, capture))
    try:
        written = _write(kind, chosen, imported, args)
    except OSError as exc:
        raise InputError(f"{args.output}: cannot write ({exc.strerror or exc})") from None
    skipped = left_out(imported.notes)
    for note in imported.notes:
        err.write(f"{args.input}: {note.placed}\n")
    err.write(f"{args.input}: read as {imported.format}; {count(written, 'record')} written "
              f"to {args.output}\n")
    return EXIT_SKIPPED if skipped else EXIT_OK


def _epoch(moment: Moment | None, imported: Imported) -> float | None:
    """A slice's end as epoch seconds (None: open); an input without times has none."""
    if moment is None:
        return None
    if not imported.times_known:
        raise UsageError(f"{moment.option}: this input has no times, so no slice by time")
    return moment.epoch(imported.messages[0].time if imported.messages else None)


def _write(kind: str, messages: list, imported: Imported, args: argparse.Namespace) -> int:
    output = Path(args.output)
    if kind == "session":
        # a session's answer timeout goes with its records: they are judged by it
        recorded = {key: imported.header[key] for key in ("answer_timeout",)
                    if key in imported.header}
        header = make_header("converted", source=Path(args.input).name,
                             source_format=imported.format,
                             times_known=imported.times_known,
                             directions_known=imported.directions_known, **recorded)
        with SessionWriter(output, header) as writer:
            writer.write_batch(messages)
        return len(messages)
    with output.open("w", encoding="utf-8", newline="" if kind == "csv" else None) as out:
        if kind == "trace":
            return write_trace(messages, out, times_known=imported.times_known)
        capture = judged(messages, times_known=imported.times_known,
                         directions_known=imported.directions_known,
                         answer_timeout=recorded_answer_timeout(imported.header))
        if kind == "csv":
            return write_csv(capture, out)
        out.write(html_report(capture, title=f"OCPP Scope report: {Path(args.input).name}",
                              notes=imported.notes))
        return sum(m.kind is RecordKind.FRAME for m in messages)
