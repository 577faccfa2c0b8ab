"""`ocppscope gui` (also `ocppscope` alone): the window. Qt is imported only here, lazily,
so every other command runs without it."""

from __future__ import annotations

import argparse
import os
import sys

from app import desktop
from app.errors import UsageError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gui", help="open the window (the default when no command is given)",
        description="Open the OCPP Scope window, optionally with a session file or the demo.")
    add_arguments(parser)
    parser.set_defaults(run=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", metavar="FILE",
                        help="a session file (or any file `validate` reads) to open")
    parser.add_argument("--demo", action="store_true", help="start the demo at once")
    parser.add_argument("--screenshot", metavar="PNG",
                        help="render the window offscreen after loading (and after the demo "
                             "ran) to this PNG file, then exit; nothing waits for a click: "
                             "problems are told on stderr, one line each, and the exit "
                             "status is 2 when FILE could not be opened (the PNG then shows "
                             "the welcome page)")


# The window opens files only: a standard input that never ends would hold up the window
# before it showed, and a session read from it could not be opened again from the recent
# files. `./-` opens a file of that name.
STANDARD_INPUT_REFUSED = ("-: the window does not read standard input; save it to a file "
                          "and open that (ocppscope convert - FILE.jsonl makes a session "
                          "of it)")

# what the window's picture can be written as (Qt picks the format by the extension)
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")


def run(args: argparse.Namespace) -> int:
    if args.screenshot:
        if not args.screenshot.lower().endswith(PICTURE_SUFFIXES):
            # said now, not after the window loaded and rendered for nothing
            raise UsageError(f"--screenshot '{args.screenshot}': name a .png file "
                             "(or .jpg, .bmp)")
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if _no_display():
        print("ocppscope: no display to open the window on (neither DISPLAY nor "
              "WAYLAND_DISPLAY is set). On a machine without a screen, use the commands "
              "(ocppscope --help), or QT_QPA_PLATFORM=offscreen with --screenshot.",
              file=sys.stderr)
        return 2
    problem = desktop.window_problem()
    if problem is not None:  # Qt would abort the process (SIGABRT) loading its X plugin
        print(f"ocppscope: {problem}", file=sys.stderr)
        return 2
    if args.file == "-" and not args.screenshot:
        print(f"ocppscope: {STANDARD_INPUT_REFUSED}", file=sys.stderr)
        return 2
    if args.file and not args.screenshot and not os.path.exists(args.file):
        # with --screenshot the window says it, and still shows what it has
        print(f"ocppscope: {args.file}: no such file", file=sys.stderr)
        return 2
    try:
        from widgets.app import run_gui
    except ImportError as exc:
        print(f"ocppscope gui: the window needs Qt (PySide6), which failed to load: {exc}",
              file=sys.stderr)
        return 2
    return run_gui(args.file, demo=args.demo, screenshot=args.screenshot)


def _no_display() -> bool:
    """Qt aborts the process without a display; say why instead (Linux and other X11/Wayland
    systems only: Windows and macOS always have one)."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return False
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
