"""The `ocppscope` command: one entry point, a subcommand per mode.

Subcommands live in `app.commands`; each module adds its parser and a `run(args) -> int`.
A command's module (and whatever engine it pulls in: asyncio, websockets, the validators) is
imported only when that command runs: `--help` lists the commands from `COMMANDS` alone, so
that it, and `validate` on a small file, start as fast as Python allows.
Errors a user can cause end in a one-line message and an exit status, never a traceback: a
`run` may raise any `OcppScopeError` (see `app.errors`), which ends the command here with its
message on stderr, one line per problem, and exit status 2, as argparse does for its own;
so may an option's `type` while the words are parsed (`app.moments`).
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from app import __version__
from app.errors import OcppScopeError
from app.net import limits

# name -> the one-line help `ocppscope --help` shows; each is the module `app.commands.<name>`
# whose `add_parser` repeats the same line (a test holds the two together)
COMMANDS: dict[str, str] = {
    "gui": "open the window (the default when no command is given)",
    "demo": "watch a scripted charging session (station -> proxy -> CSMS)",
    "proxy": "relay stations to their CSMS and check every frame",
    "csms": "act as a CSMS that stations connect to",
    "station": "act as a charging station connecting to a CSMS",
    "validate": "check OCPP 2.0.1 frames in files against the official schemas",
    "replay": "replay a recorded session against a live peer and compare",
    "schedule": "compute the composite charging schedule of an EVSE from profiles",
    "state": "show what a recorded session says about its stations",
    "convert": "convert logs and captures to a session, a trace, CSV or HTML",
    "export": "write a session with its secrets replaced, to share it",
}
COMMAND_NAMES = frozenset(COMMANDS)
EXIT_USAGE = 2


def misspelt_command(word: str) -> str | None:
    """The command `word` was probably meant to be (`valdate`), when it is no file the
    window could open instead: otherwise argparse would say only "unrecognized arguments"
    about the words after it, or the window would look for a file of that name."""
    if word.startswith("-") or any(mark in word for mark in "./\\") or os.path.exists(word):
        return None
    import difflib

    close = difflib.get_close_matches(word.lower(), COMMANDS, n=1, cutoff=0.75)
    return close[0] if close else None


def command_module(name: str) -> ModuleType:
    """The module of one command, imported now (and only now)."""
    return importlib.import_module(f"app.commands.{name}")


def version_text() -> str:
    """What `--version` prints: the version alone on its first line (for scripts), then what
    the program runs on. A frozen build or an install can lose orjson, a compiled extension,
    and then decodes with the standard library, correctly but slower: this line is where a
    user, a bug report and the smoke test of a built program see which one it got."""
    from app.ocpp import fast_json

    python = ".".join(str(part) for part in sys.version_info[:3])
    return f"ocppscope {__version__}\nPython {python}, {fast_json.decoder()}"


class _PrintVersion(argparse.Action):
    """`--version` as argparse's own, but printed as written: argparse rewraps its text
    into one paragraph."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(version_text())
        parser.exit()


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser; given a `command`, only that command's module is imported and the
    others are just listed (any other word, such as `--help`, lists them all)."""
    parser = argparse.ArgumentParser(
        prog="ocppscope",
        description=(
            "OCPP Scope: a debugger for OCPP 2.0.1. Sits between a charging station and its "
            "CSMS, or plays either side, and checks every frame against the official schemas."),
    )
    parser.add_argument("--version", action=_PrintVersion, nargs=0,
                        help="show the version, and the Python and JSON decoder it runs on")
    subparsers = parser.add_subparsers(
        title="commands", metavar="COMMAND",
        description="without a command, `ocppscope [FILE] [--demo]` opens the window")
    for name, help_line in COMMANDS.items():
        if command is None or name == command:
            command_module(name).add_parser(subparsers)
        else:
            subparsers.add_parser(name, help=help_line)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if not words or (words[0] not in COMMAND_NAMES and words[0] not in ("-h", "--help",
                                                                   "--version")):
        meant = misspelt_command(words[0]) if words else None
        if meant is not None:
            print(f"ocppscope: '{words[0]}' is not a command; did you mean '{meant}'? "
                  "(ocppscope --help lists them)", file=sys.stderr)
            return EXIT_USAGE
        words = ["gui", *words]  # `ocppscope`, `ocppscope FILE`, `ocppscope --demo`
    parser = build_parser(words[0])  # `--help` and `--version` import no command
    try:
        # inside: an option's `type` may refuse a value with an OcppScopeError of its own
        # (a moment, `app.moments`), which is reported like a refusal of `run`
        args = parser.parse_args(words)
        limits.raise_open_file_limit()  # a proxy needs two descriptors a station
        return int(args.run(args))
    except OcppScopeError as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"ocppscope {words[0]}: {line}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if exc.errno not in _FULL:
            raise
        # what a command prints, redirected to a file on a full disk: the files a command
        # writes itself say so in their own words, so this is its standard output
        print(f"ocppscope {words[0]}: cannot write the output ({exc.strerror})",
              file=sys.stderr)
        _drop_pending_output()
        return EXIT_USAGE


# errors that only writing gives: a full disk, a quota, a file grown past its limit
_FULL = frozenset(getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EFBIG")
                  if hasattr(errno, name))


def _drop_pending_output() -> None:
    """Point standard output at the null device, so that what its buffer still holds is
    not written (and fails again, in a second message) when the interpreter exits."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # a stream without a descriptor
        pass

