"""The one smoke test of a built program, run by the local build, the installer test and every
release job, so that they cannot drift apart.

    python packaging/smoke.py PROGRAM [--artifacts DIR]
    python packaging/smoke.py --source            # the program from this checkout

PROGRAM is the frozen `ocppscope` (or the installed one on the PATH). It must print the
version in pyproject.toml, validate the example capture (11 messages, one with problems:
exit status 1), record the demo to a session file, render the window offscreen with the demo
running, and open the recorded session file in the window. The screenshots stay in DIR.
Prints one line per check and how long it took; exits 1 naming each failed check.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))

from buildinfo import product  # noqa: E402

EXAMPLE = ROOT / "resources" / "examples" / "mixed-frames.txt"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TIMEOUT = 300  # seconds: a first start on a slow CI runner unpacks and caches a lot


@dataclass(frozen=True)
class Check:
    name: str
    failure: str | None  # None when it passed
    seconds: float


def run_checks(program: Sequence[str], artifacts: Path) -> list[Check]:
    """Every check, in order; a failed one does not stop the next."""
    artifacts.mkdir(parents=True, exist_ok=True)
    session = artifacts / "demo-session.jsonl"
    session.unlink(missing_ok=True)
    return [
        _check("version", program, ["--version"], _prints_version),
        _check("validate", program, ["validate", str(EXAMPLE)], _validated_example),
        _check("demo", program, ["demo", "--pace", "0", "--quiet", "--record", str(session)],
               lambda result: _recorded(result, session)),
        _check("window", program, ["gui", "--demo", "--screenshot",
                                   str(artifacts / "window-demo.png")],
               lambda result: _rendered(result, artifacts / "window-demo.png")),
        _check("open session", program, ["gui", str(session), "--screenshot",
                                          str(artifacts / "window-session.png")],
               lambda result: _rendered(result, artifacts / "window-session.png")),
    ]


Judge = Callable[[subprocess.CompletedProcess[str]], str | None]


def _check(name: str, program: Sequence[str], arguments: list[str], judge: Judge) -> Check:
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.monotonic()
    try:
        result = subprocess.run([*program, *arguments], capture_output=True, text=True,
                                timeout=TIMEOUT, env=environment, stdin=subprocess.DEVNULL,
                                cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check(name, f"could not run: {exc}", time.monotonic() - started)
    failure = judge(result)
    if failure is not None:
        failure += f" (exit {result.returncode}; stderr: {result.stderr.strip()[-600:]!r})"
    return Check(name, failure, time.monotonic() - started)


def _prints_version(result: subprocess.CompletedProcess[str]) -> str | None:
    expected = f"ocppscope {product().version}"
    if result.returncode == 0 and result.stdout.strip() == expected:
        return None
    return f"expected {expected!r}, got {result.stdout.strip()!r}"


def _validated_example(result: subprocess.CompletedProcess[str]) -> str | None:
    if result.returncode == 1 and "11 messages" in result.stdout:
        return None
    return f"the example capture did not validate as expected: {result.stdout[-300:]!r}"


def _recorded(result: subprocess.CompletedProcess[str], session: Path) -> str | None:
    if result.returncode != 0:
        return "the demo failed"
    try:
        head = session.read_bytes()[:200]
    except OSError:
        return f"the demo wrote no session file at {session}"
    return None if b'"format":"ocppscope-session"' in head else "no session header written"


def _rendered(result: subprocess.CompletedProcess[str], png: Path) -> str | None:
    if result.returncode != 0:
        return "the window failed"
    try:
        data = png.read_bytes()
    except OSError:
        return f"no screenshot at {png}"
    if not data.startswith(PNG_SIGNATURE) or len(data) < 10_000:
        return f"{png} is not a picture of the window ({len(data)} bytes)"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("program", nargs="?", help="the program to check")
    parser.add_argument("--source", action="store_true",
                        help="check this checkout run by this Python instead")
    parser.add_argument("--artifacts", type=Path, default=ROOT / "dist" / "smoke",
                        help="where the screenshots and the session file go")
    args = parser.parse_args(argv)
    if args.source == bool(args.program):
        parser.error("give PROGRAM or --source (one of them)")
    program = [sys.executable, "-m", "app"] if args.source else [args.program]
    checks = run_checks(program, args.artifacts)
    for check in checks:
        print(f"{'ok  ' if check.failure is None else 'FAIL'} {check.name:<13}"
              f" {check.seconds:6.2f} s  {check.failure or ''}".rstrip())
    failed = [check.name for check in checks if check.failure is not None]
    if failed:
        print(f"smoke test failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"smoke test passed; screenshots in {args.artifacts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
