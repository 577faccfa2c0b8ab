"""The proxy's two modes against the references a user would compare them with, each in a
process of its own, as deployed.

Run: python -m tests.benchmarks.proxy_modes [--seconds 2] [--rounds 3] [--fleet 500]
                                            [--fleet-seconds 5] [--deflate both]

Five routes from stations to one answering CSMS, all on 127.0.0.1:
- direct: stations talk to the CSMS itself (the cost of stations and CSMS alone);
- relay: a bare websockets relay written here, a frame received is a frame sent;
- splice: a raw TCP splice written here (asyncio protocols, no WebSocket at all);
- terminating / transparent: `ocppscope proxy` started as the real command
  (`python -m app proxy --record FILE --quiet`, validation on), in each mode.

The CSMS and every middle box run in child processes (this script with `--serve csms|relay|
splice`, or the command itself); the stations run in this process. A middle box's figures
are its own process tree's: CPU seconds per round trip (from /proc) and RSS at the end of
the pass. The routes take turns, round after round, and medians are reported, because the
machine may be shared. Figures: throughput of 1, 20 and 50 stations sending back to back, as
% of the relay's; added p50/p99 round-trip latency (route minus direct) as a multiple of the
relay's. Then 500 stations (`--fleet`) at one CALL per second each through the relay and
each proxy mode: round trips done, lost, and latency. At the end each proxy is stopped as a
user stops it (Ctrl-C), and its recording is counted: every round trip must be in it.
A proxy's CPU per round trip counts what its process tree (the observer process included)
used during the run: an observer that fell behind and catches up after the run (see
`app.net.observing`) does part of its work outside that window, so the figure is then below
the full cost. After each run of a middle box the next run waits until that box is idle, so
that a backlog judged late never takes the cores from the next route.
With `--deflate both`, every leg negotiates permessage-deflate in a second pass.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from tests.benchmarks.proxy import _ANSWER, HOST, OCPP, _percentile, call_frame, raise_fd_limit

ROUTES = ("direct", "relay", "splice", "terminating", "transparent")
PROXIES = ("terminating", "transparent")
SIZES = (1, 20, 50)
START_TIMEOUT = 30.0      # seconds a child may take to say where it listens
STOP_TIMEOUT = 30.0       # seconds a proxy may take to stop and write its recording
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _compression(deflate: bool) -> str | None:
    return "deflate" if deflate else None


class Csms:
    """Answers each CALL at once."""

    def __init__(self, deflate: bool) -> None:
        self.deflate = deflate
        self.server: Server | None = None

    async def start(self) -> str:
        self.server = await serve(self._serve, HOST, 0, subprotocols=[OCPP],  # type: ignore[list-item]
                                  compression=_compression(self.deflate), ping_interval=None,
                                  max_size=None)
        return f"ws://{HOST}:{self.server.sockets[0].getsockname()[1]}/ocpp"

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _serve(self, ws: ServerConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for text in ws:
                message_id = json.loads(text)[1]
                await ws.send(f"[3,{json.dumps(message_id)},{_ANSWER}]")


class Relay:
    """The bare websockets relay: one connection per hop, frames passed on as they come."""

    def __init__(self, upstream: str, deflate: bool) -> None:
        self.upstream, self.deflate = upstream, deflate
        self.server: Server | None = None

    async def start(self) -> str:
        self.server = await serve(self._serve, HOST, 0, subprotocols=[OCPP],  # type: ignore[list-item]
                                  compression=_compression(self.deflate), ping_interval=None)
        return f"ws://{HOST}:{self.server.sockets[0].getsockname()[1]}"

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _serve(self, station: ServerConnection) -> None:
        path = station.request.path if station.request else "/"
        async with connect(self.upstream + path, subprotocols=[OCPP],  # type: ignore[list-item]
                           compression=_compression(self.deflate), ping_interval=None,
                           proxy=None) as csms:
            async def pump(source: Any, target: Any) -> None:
                with contextlib.suppress(ConnectionClosed):
                    async for message in source:
                        await target.send(message)

            await asyncio.wait([asyncio.ensure_future(pump(station, csms)),
                                asyncio.ensure_future(pump(csms, station))],
                               return_when=asyncio.FIRST_COMPLETED)


class _SplicePipe(asyncio.Protocol):
    def __init__(self, peer: _SplicePipe | None = None) -> None:
        self.peer = peer
        self.transport: asyncio.Transport | None = None
        self.early = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self.peer is None or self.peer.transport is None:
            self.early += data
        else:
            self.peer.transport.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.close()


class Splice:
    """A raw TCP splice: the least any proxy can do."""

    def __init__(self, upstream: str) -> None:
        self.port = int(upstream.rsplit(":", 1)[1].split("/")[0])
        self.server: asyncio.Server | None = None

    async def start(self) -> str:
        loop = asyncio.get_running_loop()

        def accepted() -> _SplicePipe:
            station = _SplicePipe()

            async def join() -> None:
                _, csms = await loop.create_connection(lambda: _SplicePipe(station), HOST,
                                                       self.port)
                station.peer = csms
                if station.early:
                    csms.transport.write(bytes(station.early))  # type: ignore[union-attr]

            task = asyncio.ensure_future(join())
            station.join = task  # type: ignore[attr-defined]  # kept referenced
            return station

        self.server = await loop.create_server(accepted, HOST, 0)
        return f"ws://{HOST}:{self.server.sockets[0].getsockname()[1]}/ocpp"

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()



async def _serve_forever(kind: str, upstream: str, deflate: bool) -> None:
    """A child's life: start its server, say its URL on stdout, run until stdin closes."""
    server: Csms | Relay | Splice
    if kind == "csms":
        server = Csms(deflate)
    elif kind == "relay":
        server = Relay(upstream, deflate)
    else:
        server = Splice(upstream)
    url = await server.start()
    print(f"listening {url}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    await server.stop()


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants (Linux /proc; elsewhere `pid` alone)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as stream:
                    todo.extend(int(child) for child in stream.read().split())
    return found


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid` and its descendants."""
    total = 0.0
    for member in _tree(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            with open(f"/proc/{member}/stat") as stream:
                fields = stream.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / _TICK
    return total


def tree_rss_mb(pid: int) -> float:
    total = 0
    for member in _tree(pid):
        with contextlib.suppress(OSError, IndexError, ValueError), \
                open(f"/proc/{member}/statm") as stream:
            total += int(stream.read().split()[1]) * _PAGE
    return total / 1e6


class Box:
    """A child process that listens somewhere and says where on a line of its output."""

    def __init__(self, name: str, command: list[str], marker: str) -> None:
        self.name = name
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, cwd=Path(__file__).resolve().parents[2])
        self.lines: list[str] = []
        found = threading.Event()
        self.url = ""

        def read(source: Any) -> None:
            for line in source:
                self.lines.append(line.rstrip("\n"))
                if not self.url and marker in line:
                    self.url = line.split(marker, 1)[1].split()[0].removesuffix("/<stationId>")
                    found.set()
            found.set()

        for source in (self.process.stdout, self.process.stderr):
            threading.Thread(target=read, args=(source,), daemon=True).start()
        if not found.wait(START_TIMEOUT) or not self.url:
            self.process.kill()
            raise RuntimeError(f"{name} did not start: {' / '.join(self.lines[-5:])}")
        self.pid = self.process.pid

    def stop(self, interrupt: bool = False) -> None:
        """End the child: Ctrl-C for a proxy (a clean stop that writes its recording),
        closing stdin for the benchmark's own servers."""
        if interrupt:
            self.process.send_signal(signal.SIGINT)
        else:
            with contextlib.suppress(OSError):
                self.process.stdin.close()  # type: ignore[union-attr]
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _own(kind: str, upstream: str, deflate: bool) -> Box:
    command = [sys.executable, "-m", "tests.benchmarks.proxy_modes", "--serve", kind,
               "--upstream", upstream] + (["--deflate", "on"] if deflate else [])
    return Box(kind, command, "listening ")


def _ours(mode: str, upstream: str, record: Path) -> Box:
    command = [sys.executable, "-m", "app", "proxy", "--listen", f"{HOST}:0",
               "--upstream", upstream, "--record", str(record), "--quiet",
               "--transparent" if mode == "transparent" else "--no-transparent"]
    return Box(mode, command, "listening on ")


def recorded_frames(path: Path) -> Counter[str]:
    """Frames in a recording by their direction: what a proxy judged and wrote."""
    counts: Counter[str] = Counter()
    with contextlib.suppress(OSError), open(path, encoding="utf-8") as stream:
        for line in stream:
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict) and record.get("kind") == "frame":
                    counts[record.get("dir") or "?"] += 1
    return counts


async def _open(url: str, name: str, deflate: bool) -> ClientConnection:
    return await connect(f"{url}/ocpp/{name}", subprotocols=[OCPP],  # type: ignore[list-item]
                         compression=_compression(deflate), ping_interval=None,
                         open_timeout=20, proxy=None)


async def back_to_back(url: str, stations: int, seconds: float, deflate: bool,
                       pid: int | None) -> dict[str, float]:
    """`stations` stations, each sending its next CALL when its answer came; CPU is the
    middle box's (`pid`), none for the direct route."""
    connections = await asyncio.gather(*(_open(url, f"B{i:03d}", deflate)
                                         for i in range(stations)))
    latencies: list[float] = []
    done = 0
    end = time.perf_counter() + seconds
    cpu0 = tree_cpu(pid) if pid else 0.0

    async def station(index: int, ws: ClientConnection) -> None:
        nonlocal done
        n = 0
        while time.perf_counter() < end:
            n += 1
            started = time.perf_counter()
            await ws.send(call_frame(f"B{index}-{n}"))
            await ws.recv()
            latencies.append(time.perf_counter() - started)
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(station(i, ws) for i, ws in enumerate(connections)))
    elapsed = time.perf_counter() - started
    cpu = tree_cpu(pid) - cpu0 if pid else 0.0
    await asyncio.gather(*(ws.close() for ws in connections))
    latencies.sort()
    return {"per_s": done / elapsed, "p50_ms": _percentile(latencies, 0.5) * 1000,
            "p99_ms": _percentile(latencies, 0.99) * 1000,
            "cpu_ms": cpu / max(1, done) * 1000, "done": done}


async def settle(pid: int, quiet: float = 0.02, every: float = 0.2,
                 limit: float = 60.0) -> None:
    """Wait until `pid`'s process tree is idle (less than `quiet` CPU seconds per `every`):
    a proxy whose observer still judges the last run's backlog must not take the cores
    from the next route's run."""
    deadline = time.perf_counter() + limit
    before = tree_cpu(pid)
    while time.perf_counter() < deadline:
        await asyncio.sleep(every)
        now = tree_cpu(pid)
        if now - before < quiet:
            return
        before = now


async def fleet(url: str, stations: int, seconds: float, deflate: bool,
                pid: int) -> dict[str, float]:
    """`stations` stations, one CALL a second each."""
    gate = asyncio.Semaphore(50)

    async def opened(i: int) -> ClientConnection | None:
        async with gate:
            with contextlib.suppress(Exception):
                return await _open(url, f"F{i:04d}", deflate)
        return None

    connections = await asyncio.gather(*(opened(i) for i in range(stations)))
    latencies: list[float] = []
    lost = 0

    async def station(index: int, ws: ClientConnection) -> None:
        nonlocal lost
        await asyncio.sleep(index / stations)
        for n in range(int(seconds)):
            started = time.perf_counter()
            try:
                await ws.send(call_frame(f"F{index}-{n}"))
                await asyncio.wait_for(ws.recv(), 5)
                latencies.append(time.perf_counter() - started)
            except (TimeoutError, ConnectionClosed):
                lost += 1
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - started)))

    live = [ws for ws in connections if ws is not None]
    cpu0 = tree_cpu(pid)
    await asyncio.gather(*(station(i, ws) for i, ws in enumerate(live)))
    cpu = tree_cpu(pid) - cpu0
    await asyncio.gather(*(ws.close() for ws in live), return_exceptions=True)
    latencies.sort()
    return {"connected": len(live), "done": len(latencies), "lost": lost,
            "p50_ms": _percentile(latencies, 0.5) * 1000 if latencies else 0.0,
            "p99_ms": _percentile(latencies, 0.99) * 1000 if latencies else 0.0,
            "cpu_share": cpu / max(seconds, 1e-9)}


def _start_boxes(csms_url: str, deflate: bool, folder: Path) -> dict[str, Box]:
    base = csms_url.removesuffix("/ocpp")
    boxes = {"relay": _own("relay", base, deflate), "splice": _own("splice", csms_url, deflate)}
    for mode in PROXIES:
        boxes[mode] = _ours(mode, csms_url, folder / f"{mode}.jsonl")
    return boxes


async def run_pass(args: argparse.Namespace, deflate: bool) -> dict[str, Any]:
    runs: dict[tuple[str, int], list[dict[str, float]]] = {}
    rss: dict[str, float] = {}
    sent: Counter[str] = Counter()
    fleets: dict[str, dict[str, float]] = {}
    recorded: dict[str, Counter[str]] = {}
    csms = _own("csms", "", deflate)
    boxes: dict[str, Box] = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        try:
            boxes = _start_boxes(csms.url, deflate, folder)
            for _ in range(args.rounds):
                for stations in SIZES:
                    for route in ROUTES:  # in turn, so that drift hits every route alike
                        box = boxes.get(route)
                        url = box.url if box else csms.url.removesuffix("/ocpp")
                        figures = await back_to_back(url, stations, args.seconds, deflate,
                                                     box.pid if box else None)
                        runs.setdefault((route, stations), []).append(figures)
                        sent[route] += int(figures["done"])
                        if box is not None:
                            await settle(box.pid)
            if args.fleet:
                for route in ("relay", *PROXIES):
                    box = boxes[route]
                    fleets[route] = await fleet(box.url, args.fleet, args.fleet_seconds,
                                                deflate, box.pid)
                    sent[route] += int(fleets[route]["done"])
            for route, box in boxes.items():
                rss[route] = tree_rss_mb(box.pid)
        finally:
            for route, box in boxes.items():
                box.stop(interrupt=route in PROXIES)
            csms.stop()
        for mode in PROXIES:
            recorded[mode] = recorded_frames(folder / f"{mode}.jsonl")
    medians = {key: {figure: statistics.median(r[figure] for r in values)
                     for figure in values[0]} for key, values in runs.items()}
    return {"medians": medians, "rss_mb": rss, "fleet": fleets, "sent": dict(sent),
            "recorded": recorded,
            "stderr": {mode: boxes[mode].lines[-3:] for mode in PROXIES if mode in boxes}}


def table(result: dict[str, Any], deflate: bool) -> list[str]:
    medians = result["medians"]
    lines = [f"permessage-deflate {'on' if deflate else 'off'} on every leg",
             f"{'route':<12}{'n':>4}{'rt/s':>9}{'% relay':>9}{'+p50 ms':>9}{'×relay':>8}"
             f"{'+p99 ms':>9}{'×relay':>8}{'CPU ms/rt':>11}"]
    for stations in SIZES:
        direct = medians[("direct", stations)]
        relay = medians[("relay", stations)]
        for name in ROUTES:
            m = medians[(name, stations)]
            share = m["per_s"] / relay["per_s"] * 100
            cells = []
            for figure in ("p50_ms", "p99_ms"):
                added = m[figure] - direct[figure]
                reference = relay[figure] - direct[figure]
                ratio = f"{added / reference:.2f}" if reference > 0.005 else "-"
                cells.append(f"{added:>9.3f}{ratio:>8}")
            cpu = f"{m['cpu_ms']:>11.3f}" if name != "direct" else f"{'-':>11}"
            lines.append(f"{name:<12}{stations:>4}{m['per_s']:>9.0f}{share:>8.0f}%"
                         f"{''.join(cells)}{cpu}")
    lines.append("RSS of each middle box at the end (MB): " + ", ".join(
        f"{name} {mb:.0f}" for name, mb in result["rss_mb"].items()))
    for name, figures in result["fleet"].items():
        lines.append(f"{name}: {figures['connected']} stations at 1 CALL/s: "
                     f"{figures['done']} round trips, {figures['lost']} lost, p50 "
                     f"{figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms, "
                     f"CPU {figures['cpu_share'] * 100:.0f}% of one core")
    for mode, counts in result["recorded"].items():
        lines.append(f"{mode}: recorded {sum(counts.values()):,} frames for "
                     f"{result['sent'].get(mode, 0):,} round trips answered")
    return lines


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fleet", type=int, default=500)
    parser.add_argument("--fleet-seconds", type=float, default=5.0)
    parser.add_argument("--deflate", choices=("off", "on", "both"), default="both")
    parser.add_argument("--serve", choices=("csms", "relay", "splice"),
                        help=argparse.SUPPRESS)  # a child of the benchmark
    parser.add_argument("--upstream", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.serve:
        asyncio.run(_serve_forever(args.serve, args.upstream, args.deflate == "on"))
        return {}
    print(raise_fd_limit(args.fleet * 4 + 400))  # children inherit the raised limit
    passes = {"off": [False], "on": [True], "both": [False, True]}[args.deflate]
    results: dict[str, Any] = {}
    for deflate in passes:
        result = asyncio.run(run_pass(args, deflate))
        results["deflate" if deflate else "plain"] = result
        print("\n".join(table(result, deflate)), flush=True)
    return results


if __name__ == "__main__":
    main()
