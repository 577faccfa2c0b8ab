"""The proxy's two modes against the references a user would compare them with.

Run: python -m tests.benchmarks.proxy_modes [--seconds 2] [--rounds 3] [--fleet 500]
                                            [--fleet-seconds 5] [--deflate both]

Five routes from stations to one answering CSMS, all on 127.0.0.1:
- direct: stations talk to the CSMS itself (the cost of stations and CSMS alone);
- relay: a bare websockets relay written here, a frame received is a frame sent;
- splice: a raw TCP splice written here (asyncio protocols, no WebSocket at all);
- terminating / transparent: `ocppscope proxy` in each mode, validating every frame and
  recording every record to a session file through the recorder's queued sink.

Everything runs in this one process and one event loop (the observer of the transparent
mode on its own thread), so each figure includes the stations' and the CSMS's share; the
direct route measures that share. The routes take turns, round after round, and medians are
reported, because the machine may be shared. Figures: throughput of 1, 20 and 50 stations
sending back to back, as % of the relay's; added p50/p99 round-trip latency (route minus
direct) as a multiple of the relay's; CPU seconds of the process per round trip; the
process's RSS at the end. Then 500 stations (`--fleet`) at one CALL per second each through
each proxy mode: round trips done, lost, and latency. With `--deflate both`, every leg
negotiates permessage-deflate in a second pass (like for like: every route alike).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from app.net.proxy import Proxy, ProxyConfig
from app.net.splice import TransparentProxy
from app.session.capture import Capture
from app.session.sessionfile import SessionWriter, make_header
from app.session.sinks import recording_sink
from tests.benchmarks.proxy import _ANSWER, HOST, OCPP, _percentile, call_frame, raise_fd_limit

ROUTES = ("direct", "relay", "splice", "terminating", "transparent")
SIZES = (1, 20, 50)


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


class OurProxy:
    """`ocppscope proxy` as in real use: validation on, recording to a file."""

    def __init__(self, upstream: str, transparent: bool, folder: Path) -> None:
        self.capture = Capture()
        path = folder / f"{'transparent' if transparent else 'terminating'}.jsonl"
        self.writer = SessionWriter(path, make_header("proxy", benchmark="proxy_modes"))
        self.recorder = recording_sink(self.writer, lambda text: None)
        self.capture.subscribe(lambda message, _annotation: self.recorder.put(message))
        config = ProxyConfig(upstream=upstream, transparent=transparent)
        self.proxy = (TransparentProxy if transparent else Proxy)(config, self.capture)

    async def start(self) -> str:
        await self.proxy.start()
        return self.proxy.url + "/ocpp"

    async def stop(self) -> None:
        await self.proxy.stop()
        self.recorder.close()


async def _open(url: str, name: str, deflate: bool) -> ClientConnection:
    return await connect(f"{url}/{name}", subprotocols=[OCPP],  # type: ignore[list-item]
                         compression=_compression(deflate), ping_interval=None,
                         open_timeout=20, proxy=None)


async def back_to_back(url: str, stations: int, seconds: float, deflate: bool
                       ) -> dict[str, float]:
    """`stations` stations, each sending its next CALL when its answer came."""
    connections = await asyncio.gather(*(_open(url, f"B{i:03d}", deflate)
                                         for i in range(stations)))
    latencies: list[float] = []
    done = 0
    cpu0, end = time.process_time(), time.perf_counter() + seconds

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
    cpu = time.process_time() - cpu0
    await asyncio.gather(*(ws.close() for ws in connections))
    latencies.sort()
    return {"per_s": done / elapsed, "p50_ms": _percentile(latencies, 0.5) * 1000,
            "p99_ms": _percentile(latencies, 0.99) * 1000, "cpu_ms": cpu / max(1, done) * 1000}


async def fleet(url: str, stations: int, seconds: float, deflate: bool) -> dict[str, float]:
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
    cpu0 = time.process_time()
    await asyncio.gather(*(station(i, ws) for i, ws in enumerate(live)))
    cpu = time.process_time() - cpu0
    await asyncio.gather(*(ws.close() for ws in live), return_exceptions=True)
    latencies.sort()
    return {"connected": len(live), "done": len(latencies), "lost": lost,
            "p50_ms": _percentile(latencies, 0.5) * 1000 if latencies else 0.0,
            "p99_ms": _percentile(latencies, 0.99) * 1000 if latencies else 0.0,
            "cpu_share": cpu / max(seconds, 1e-9)}


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as stream:
            return int(stream.read().split()[1]) * 4096 / 1e6
    except OSError:  # not Linux: no figure
        return 0.0


Starter = Callable[[str], Any]


async def _route(name: str, csms_url: str, deflate: bool, folder: Path) -> Any:
    if name == "direct":
        return None
    if name == "relay":
        return Relay(csms_url.rsplit("/ocpp", 1)[0] + "/ocpp", deflate)
    if name == "splice":
        return Splice(csms_url)
    return OurProxy(csms_url, name == "transparent", folder)


async def run_pass(args: argparse.Namespace, deflate: bool) -> dict[str, Any]:
    csms = Csms(deflate)
    csms_url = await csms.start()
    runs: dict[tuple[str, int], list[dict[str, float]]] = {}
    rss: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.rounds):
            for stations in SIZES:
                for name in ROUTES:  # in turn, so that drift hits every route alike
                    route = await _route(name, csms_url, deflate, Path(folder))
                    url = csms_url if route is None else await route.start()
                    try:
                        figures = await back_to_back(url, stations, args.seconds, deflate)
                    finally:
                        if route is not None:
                            await route.stop()
                    runs.setdefault((name, stations), []).append(figures)
                    rss[name] = max(rss.get(name, 0.0), _rss_mb())
        fleets = {}
        if args.fleet:
            for name in ("terminating", "transparent"):
                route = await _route(name, csms_url, deflate, Path(folder))
                url = await route.start()
                try:
                    fleets[name] = await fleet(url, args.fleet, args.fleet_seconds, deflate)
                finally:
                    await route.stop()
    await csms.stop()
    medians = {key: {figure: statistics.median(r[figure] for r in values)
                     for figure in values[0]} for key, values in runs.items()}
    return {"medians": medians, "rss_mb": rss, "fleet": fleets}


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
            lines.append(f"{name:<12}{stations:>4}{m['per_s']:>9.0f}{share:>8.0f}%"
                         f"{''.join(cells)}{m['cpu_ms']:>11.3f}")
    lines.append("RSS after each route's runs (MB): " + ", ".join(
        f"{name} {mb:.0f}" for name, mb in result["rss_mb"].items()))
    for name, figures in result["fleet"].items():
        lines.append(f"{name}: {figures['connected']} stations at 1 CALL/s: "
                     f"{figures['done']} round trips, {figures['lost']} lost, p50 "
                     f"{figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms, "
                     f"CPU {figures['cpu_share'] * 100:.0f}% of one core")
    return lines


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fleet", type=int, default=500)
    parser.add_argument("--fleet-seconds", type=float, default=5.0)
    parser.add_argument("--deflate", choices=("off", "on", "both"), default="both")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    print(raise_fd_limit(args.fleet * 4 + 400))
    passes = {"off": [False], "on": [True], "both": [False, True]}[args.deflate]
    results: dict[str, Any] = {}
    for deflate in passes:
        result = asyncio.run(run_pass(args, deflate))
        results["deflate" if deflate else "plain"] = result
        print("\n".join(table(result, deflate)), flush=True)
    return results


if __name__ == "__main__":
    main()
