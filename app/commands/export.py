"""`ocppscope export --redact IN OUT`: a session that can be shared, with every secret
replaced by a consistent pseudonym (see `app.session.redaction`).

IN is anything OCPP Scope reads; OUT is a session file that opens, validates and replays
like the original. What was redacted is summed up on stderr, one `kind: count` line each.
Exit status: 0 written; 1 written, but lines or entries of the input were skipped (each
told on stderr, as `convert` does: a shared file must not be silently short); 2 unusable
input, rules or options (one line, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from app.errors import InputError, UsageError
from app.session.exporting import check_output_folder
from app.session.importing import Imported, import_path, left_out
from app.session.redaction import Progress, Redacted, redact, summary_lines
from app.session.redaction_rules import DEFAULT_RULES, load_rules
from app.session.sessionfile import SessionWriter, make_header
from app.wording import count

EXIT_OK, EXIT_SKIPPED = 0, 1
# header fields the export writes itself; the rest of the input's header is kept, redacted
_OWN_HEADER = frozenset({"format", "version", "program", "created"})


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="write a session with its secrets replaced, to share it",
        description=(
            "Read IN in any format OCPP Scope reads and write OUT, a session file, with "
            "--redact: idTokens, serial numbers, certificates, CSRs and keys, passwords "
            "(also AuthorizationKey and BasicAuthPassword in SetVariables), network profile "
            "connection data, host names, IP addresses and station ids are replaced by "
            "pseudonyms, the same original by the same pseudonym throughout, so the session "
            "still correlates, validates and replays. KeyCode idTokens are always removed. "
            "Meter values, timestamps and everything else are unchanged. The rules are "
            f"data: see {DEFAULT_RULES.name} in the README; --rules adds your own."),
        epilog="exit status: 0 written (what was redacted is listed on stderr), 1 written "
               "but lines of the input were skipped (listed on stderr), 2 unusable input or "
               "rules")
    parser.add_argument("input", metavar="IN",
                        help="a file, an OCPP.Core dump folder, or - for standard input")
    parser.add_argument("output", metavar="OUT", help="the session file to write")
    parser.add_argument("--redact", action="store_true",
                        help="replace secrets by pseudonyms (the only export there is, and "
                             "required so that a plain copy is never made by mistake)")
    parser.add_argument("--rules", metavar="FILE",
                        help="a JSON file of redaction rules added to the defaults")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, err: TextIO | None = None) -> int:
    """Raises an OcppScopeError (one line, exit 2) for unusable input, rules or options."""
    err = err or sys.stderr
    if not args.redact:
        raise UsageError("export writes redacted sessions only: add --redact")
    if Path(args.output).resolve() == Path(args.input).resolve():
        raise UsageError(f"{args.output}: the output would overwrite the input")
    rules = load_rules(args.rules)
    check_output_folder(args.output)
    imported = import_path(args.input)
    redacted = export_redacted(imported, rules_file=args.rules, output=args.output,
                               source=Path(args.input).name, rules=rules)
    for line in summary_lines(redacted.summary):
        err.write(f"redacted {line}\n")
    for note in imported.notes:  # without the skipped lines' words: they are not redacted
        err.write(f"{args.input}: {note.where + ': ' if note.where else ''}{note.unquoted}\n")
    err.write(f"{args.input}: read as {imported.format}; "
              f"{count(len(redacted.messages), 'record')} written to {args.output}\n")
    return EXIT_SKIPPED if left_out(imported.notes) else EXIT_OK


def export_redacted(imported: Imported, *, output: str | Path, source: str,
                    rules_file: str | None = None, rules: Any = None,
                    progress: Progress | None = None) -> Redacted:
    """Redact `imported` and write it to `output` as a session; the window calls this too.
    Raises InputError for rules or an output that cannot be used."""
    rules = rules if rules is not None else load_rules(rules_file)
    kept = {key: value for key, value in imported.header.items() if key not in _OWN_HEADER}
    kept.setdefault("source", source)
    kept.setdefault("source_format", imported.format)
    kept.update(times_known=imported.times_known, directions_known=imported.directions_known)
    redacted = redact(imported.messages, kept, rules, progress)
    mode = redacted.header.pop("mode", "converted")
    header = make_header(mode if isinstance(mode, str) else "converted", **redacted.header,
                         redacted={kind: places for kind, (_, places)
                                   in redacted.summary.items()})
    try:
        with SessionWriter(Path(output), header) as writer:
            writer.write_batch(redacted.messages)
    except OSError as exc:
        raise InputError(f"{output}: cannot write ({exc.strerror or exc})") from None
    return redacted
