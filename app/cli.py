"""The `ocppscope` command: one entry point, a subcommand per mode.

Subcommands live in `app.commands`; each module adds its parser and a `run(args) -> int`.
Errors a user can cause end in a one-line message and an exit status, never a traceback: a
`run` may raise any `OcppScopeError` (see `app.errors`), which ends the command here with its
message on stderr, one line per problem, and exit status 2, as argparse does for its own.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app import __version__
from app.commands import (
    convert,
    csms,
    demo,
    export,
    gui,
    proxy,
    replay,
    schedule,
    state,
    station,
    validate,
)
from app.errors import OcppScopeError
from app.net import limits

COMMANDS = (gui, demo, proxy, csms, station, validate, replay, schedule, state, convert,
            export)
COMMAND_NAMES = frozenset(module.__name__.rsplit(".", 1)[-1] for module in COMMANDS)
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ocppscope",
        description=(
            "OCPP Scope: a debugger for OCPP 2.0.1. Sits between a charging station and its "
            "CSMS, or plays either side, and checks every frame against the official schemas."),
    )
    parser.add_argument("--version", action="version", version=f"ocppscope {__version__}")
    subparsers = parser.add_subparsers(
        title="commands", metavar="COMMAND",
        description="without a command, `ocppscope [FILE] [--demo]` opens the window")
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    words = list(sys.argv[1:] if argv is None else argv)
    if not words or (words[0] not in COMMAND_NAMES and words[0] not in ("-h", "--help",
                                                                   "--version")):
        words = ["gui", *words]  # `ocppscope`, `ocppscope FILE`, `ocppscope --demo`
    args = parser.parse_args(words)
    run = args.run
    limits.raise_open_file_limit()  # a proxy needs two descriptors a station
    try:
        return int(run(args))
    except OcppScopeError as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"ocppscope {words[0]}: {line}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0

