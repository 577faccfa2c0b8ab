"""The one smoke test of a built program, run by the local build, the installer test and every
release job, so that they cannot drift apart.

    python packaging/smoke.py PROGRAM [--artifacts DIR]
    python packaging/smoke.py --source            # the program from this checkout

PROGRAM is the frozen `ocppscope` (or the installed one on the PATH). It must print the
version in pyproject.toml, say that it decodes JSON with orjson (a compiled extension a build
can lose without any other sign: the program then falls back to the standard library),
validate the example capture (11 messages, one with problems: exit status 1), record the demo
to a session file, relay a station of its own to a CSMS of its own through the headless proxy
(whose observer process must start inside the built program) and stop it as a user does,
render the window offscreen with the demo running, and open the recorded session file in the
window. The screenshots and recordings stay in DIR.
Prints one line per check and how long it took; exits 1 naming each failed check.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

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
        _check("orjson", program, ["--version"], _decodes_with_orjson),
        _check("validate", program, ["validate", str(EXAMPLE)], _validated_example),
        _check("demo", program, ["demo", "--pace", "0", "--quiet", "--record", str(session)],
               lambda result: _recorded(result, session)),
        _proxy_check(program, artifacts),
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


def _proxy_check(program: Sequence[str], artifacts: Path) -> Check:
    """A CSMS and a station of the program itself talk through `proxy --record`, which
    judges and records in its observer process; stopped as a user stops it (Ctrl-C, or the
    Ctrl-Break a program can send on Windows), the proxy exits 0 and its recording holds the
    station's boot, its answer and the connection's end."""
    started = time.monotonic()
    session = artifacts / "proxy-session.jsonl"
    session.unlink(missing_ok=True)
    csms_port, proxy_port = _free_port(), _free_port()
    running: list[subprocess.Popen[bytes]] = []
    logs: list[BinaryIO] = []

    def start(name: str, arguments: list[str], **options: object) -> subprocess.Popen[bytes]:
        logs.append((artifacts / f"proxy-check-{name}.log").open("wb"))
        process = subprocess.Popen([*program, *arguments], stdout=logs[-1], stderr=logs[-1],
                                   stdin=subprocess.DEVNULL, cwd=ROOT, **options)  # type: ignore[call-overload]
        running.append(process)
        return process

    try:
        csms = start("csms", ["csms", "--listen", f"127.0.0.1:{csms_port}", "--quiet"])
        failure = _listening(csms, csms_port, "the CSMS")
        proxy = start("proxy", ["proxy", "--listen", f"127.0.0.1:{proxy_port}", "--upstream",
                                f"ws://127.0.0.1:{csms_port}", "--record", str(session),
                                "--quiet"], **_interruptible())
        failure = failure or _listening(proxy, proxy_port, "the proxy")
        if failure is None:
            start("station", ["station", "--csms", f"ws://127.0.0.1:{proxy_port}", "--id",
                              "SMOKE-01", "--quiet"])
            failure = _waited_for(lambda: b'"StatusNotification"' in _read(session),
                                  "the station's StatusNotification was never recorded")
        if failure is None:
            running[-1].terminate()             # the station goes: a `closed` record
            running[-1].wait(TIMEOUT)
            _interrupt(proxy)
            failure = _stopped_cleanly(proxy, artifacts / "proxy-check-proxy.log", session)
    except (OSError, subprocess.TimeoutExpired) as exc:
        failure = f"could not run: {exc}"
    finally:
        for process in running:
            if process.poll() is None:
                process.kill()
                process.wait(TIMEOUT)
        for log in logs:
            log.close()
    return Check("proxy", failure, time.monotonic() - started)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _interruptible() -> dict[str, object]:
    """On Windows a console program can only be stopped politely by a Ctrl-Break sent to a
    process group of its own."""
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {}


def _interrupt(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.CTRL_BREAK_EVENT if sys.platform == "win32"  # type: ignore[attr-defined]
                        else signal.SIGINT)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _waited_for(condition: Callable[[], bool], failure: str) -> str | None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            return failure
        time.sleep(0.2)
    return None


def _listening(process: subprocess.Popen[bytes], port: int, what: str) -> str | None:
    def accepts() -> bool:
        if process.poll() is not None:
            return True  # it ended: said below
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    failure = _waited_for(accepts, f"{what} never listened on port {port}")
    if failure is None and process.poll() is not None:
        return f"{what} ended at once (exit {process.returncode})"
    return failure


def _stopped_cleanly(proxy: subprocess.Popen[bytes], log: Path, session: Path) -> str | None:
    status = proxy.wait(TIMEOUT)
    said = _read(log).decode("utf-8", "replace")
    if status != 0 or "Traceback" in said or "recorded" not in said:
        return f"the proxy did not stop cleanly (exit {status}): {said.strip()[-600:]!r}"
    recorded = _read(session)
    for needed in (b'"BootNotification"', b'"kind":"closed"'):
        if needed not in recorded:
            return f"the proxy's recording has no {needed.decode()}"
    return None


def _prints_version(result: subprocess.CompletedProcess[str]) -> str | None:
    """The version alone on the first line (what follows it is `_decodes_with_orjson`'s)."""
    expected = f"ocppscope {product().version}"
    first = result.stdout.strip().partition("\n")[0]
    if result.returncode == 0 and first == expected:
        return None
    return f"expected {expected!r}, got {first!r}"


# `--version` names the decoder on the line after the version: "Python 3.11.9, orjson 3.13.0"
_ORJSON_IN_USE = re.compile(r"^Python \S+, orjson \d", re.MULTILINE)


def _decodes_with_orjson(result: subprocess.CompletedProcess[str]) -> str | None:
    """Whether the program loaded orjson: `--version` says what `app.ocpp.fast_json` got
    when it imported it, the same module state every decode of the program goes through."""
    if result.returncode == 0 and _ORJSON_IN_USE.search(result.stdout):
        return None
    said = result.stdout.strip().partition("\n")[2] or result.stdout.strip()
    return f"the program decodes JSON without orjson: {said!r}"


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
