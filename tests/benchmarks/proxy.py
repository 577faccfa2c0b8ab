"""What the proxy costs: the same traffic sent straight to a CSMS and through our `Proxy`.

Run: python -m tests.benchmarks.proxy [--round-trips 2000] [--seconds 3] [--stations 500]
                                      [--station-seconds 5]

The proxy runs as in real use, with validation and recording on: its `Capture` checks every
frame and hands each record to the recorder's queued sink, whose thread writes them in
batches to a temporary session file (`--inline-recording`: written on the event loop, one
write per record, as before the sinks, for comparison).
The CSMS is a plain websockets server that answers each CALL at once, so that what is
measured is the proxy, not the CSMS. Three figures, all from one run on 127.0.0.1:

1. round-trip latency (p50/p99) of sequential TransactionEvent CALLs, direct vs via proxy;
2. throughput of 20 busy stations, direct vs via proxy;
3. 500 stations through the proxy, one CALL per second each: is any frame lost on the way,
   unanswered, or missing from the recording, and how much CPU does the process use.

Stations, proxy and CSMS share one process and one event loop, so every figure includes the
cost of the stations and of the CSMS as well; the "direct" runs measure that share. 1 and 2
also measure a second proxy that observes nothing ("relay only"), which separates the cost of
the extra WebSocket hop from the cost of validating and recording.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import json
import logging
import math
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from app.net.proxy import Proxy, ProxyConfig
from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.message import Message, RecordKind
from app.session.sessionfile import SessionReader, SessionWriter, make_header
from app.session.sinks import QueuedSink, recording_sink

try:  # Unix only; elsewhere the descriptor limit is left as it is and the run says so
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

OCPP = "ocpp2.0.1"
HOST = "127.0.0.1"
NOW = "2026-11-25T09:00:00.000Z"
WARMUP = 50                # round trips per connection before latency is measured
OPEN_TIMEOUT = 10.0        # one WebSocket handshake (through the proxy: two of them)
ANSWER_TIMEOUT = 5.0       # one CALLRESULT in the many-stations run
CONNECT_CONCURRENCY = 50   # handshakes in flight at once when opening many stations
FDS_PER_STATION = 4        # station socket, proxy's two sockets, CSMS socket: one process
ADDED_P50_GOAL_MS = 0.5
THROUGHPUT_GOAL = 0.5

# websockets >= 15 would route through an HTTP(S)_PROXY from the environment; the stations
# must reach 127.0.0.1 themselves. Older versions have no such parameter (and no such habit).
_NO_ENV_PROXY: dict[str, Any] = (
    {"proxy": None} if "proxy" in inspect.signature(connect.__init__).parameters else {})

# A TransactionEvent as a meter sends it during charging: the request whose size and schema
# work dominate real traffic. Serialised once; only the message id changes per CALL.
_PAYLOAD = json.dumps({
    "eventType": "Updated", "timestamp": NOW, "triggerReason": "MeterValuePeriodic",
    "seqNo": 12, "transactionInfo": {"transactionId": "TX-0001-7781",
                                     "chargingState": "Charging"},
    "evse": {"id": 1, "connectorId": 1},
    "meterValue": [{"timestamp": NOW, "sampledValue": [
        {"value": 12345.6, "measurand": "Energy.Active.Import.Register",
         "unitOfMeasure": {"unit": "Wh"}},
        {"value": 7200, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "W"}},
        {"value": 31.5, "measurand": "Current.Import", "phase": "L1"},
        {"value": 230.1, "measurand": "Voltage", "phase": "L1-N"},
        {"value": 64, "measurand": "SoC", "location": "EV"},
    ]}],
}, separators=(",", ":"))
_ANSWER = '{"totalCost":4.2}'


def call_frame(message_id: str) -> str:
    """The CALL every station sends (message ids are ASCII, so no escaping is needed)."""
    return f'[2,"{message_id}","TransactionEvent",{_PAYLOAD}]'


def _answers(reply: str | bytes, message_id: str) -> bool:
    """Whether `reply` is the CALLRESULT to `message_id`; the proxy relays text unchanged,
    so the CSMS's exact spelling is what arrives."""
    return isinstance(reply, str) and reply.startswith(f'[3,"{message_id}"')


class EchoCsms:
    """The CSMS stand-in: answers each CALL at once and counts, per station, the CALLs it saw
    and the answers it sent, so that frames lost in the proxy show up as a difference."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.answers: Counter[str] = Counter()
        self._server: Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        return f"ws://{HOST}:{self._server.sockets[0].getsockname()[1]}/ocpp"

    async def start(self) -> None:
        self._server = await serve(self._serve, HOST, 0, subprotocols=[OCPP],  # type: ignore[list-item]
                                   compression=None, ping_interval=None)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close(close_connections=True)
            await self._server.wait_closed()

    async def _serve(self, ws: ServerConnection) -> None:
        station = ws.request.path.rsplit("/", 1)[-1] if ws.request else ""
        with contextlib.suppress(ConnectionClosed):
            async for text in ws:
                frame = json.loads(text)
                if frame[0] == 2:
                    self.calls[station] += 1
                    await ws.send(f"[3,{json.dumps(frame[1])},{_ANSWER}]")
                    self.answers[station] += 1


class RelayOnlyCapture(Capture):
    """A Capture that neither checks nor keeps anything: the proxy with it measures relaying
    alone, which tells the cost of observing (validation + recording) apart from the cost
    of a second WebSocket hop. A reference point, not a mode of the product."""

    def frame(self, connection: str, station: str, direction: Direction,
              data: str | bytes, *, text_frame: bool = False,
              meta: Mapping[str, Any] | None = None) -> Message:
        return Message(0, 0.0, 0.0, connection, station, direction)

    def event(self, kind: RecordKind, connection: str, station: str,
              meta: Mapping[str, Any]) -> Message:
        return Message(0, 0.0, 0.0, connection, station, None, kind)


class _LogTap(logging.Handler):
    """Keeps the warnings and errors logged during the run (the proxy logs an exception in
    observing, websockets a failed handler) so the run can report them instead of hiding
    them in a scrolled-away console."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = f"{record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            text += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
        self.lines.append(text)


async def _open(url: str, station: str) -> ClientConnection:
    return await connect(f"{url}/{station}", subprotocols=[OCPP],  # type: ignore[list-item]
                         compression=None, ping_interval=None, open_timeout=OPEN_TIMEOUT,
                         **_NO_ENV_PROXY)


async def _open_many(url: str, names: Sequence[str], spread: float = 0.0
                     ) -> tuple[list[ClientConnection | None], list[str]]:
    """Open one connection per name, the starts spread over `spread` seconds and at most
    CONNECT_CONCURRENCY handshakes at once, so 500 stations do not arrive as one SYN storm.
    A failed connect is reported (None plus a reason), never raised."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    errors: list[str] = []

    async def one(index: int, name: str) -> ClientConnection | None:
        await asyncio.sleep(spread * index / max(1, len(names)))
        async with gate:
            try:
                return await _open(url, name)
            except Exception as exc:  # counted and shown: a refused station is a finding
                errors.append(f"{name}: {type(exc).__name__}: {exc}")
                return None

    connections = await asyncio.gather(*(one(i, n) for i, n in enumerate(names)))
    return list(connections), errors


async def _close_all(connections: Sequence[ClientConnection | None]) -> None:
    live = [ws for ws in connections if ws is not None]
    if live:
        await asyncio.wait([asyncio.ensure_future(ws.close()) for ws in live], timeout=10)


def _percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted sequence."""
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


async def _round_trip(ws: ClientConnection, message_id: str) -> None:
    await ws.send(call_frame(message_id))
    reply = await ws.recv()
    if not _answers(reply, message_id):
        raise RuntimeError(f"expected the answer to {message_id}, got {reply[:80]!r}")


async def measure_latency(routes: Mapping[str, str], round_trips: int) -> dict[str, float]:
    """Sequential round trips over each route (name -> URL), taking turns round trip by
    round trip so that any drift of the machine (frequency scaling, other load) affects
    every route the same way. Returns `<name>_p50_ms` and `<name>_p99_ms`."""
    stations = {name: f"LAT-{name}" for name in routes}
    connections: dict[str, ClientConnection] = {}
    times: dict[str, list[float]] = {name: [] for name in routes}
    clock = time.perf_counter
    try:
        for name, url in routes.items():
            connections[name] = await _open(url, stations[name])
        async with asyncio.timeout(60 + 0.05 * len(routes) * round_trips):
            for i in range(WARMUP):
                for name, ws in connections.items():
                    await _round_trip(ws, f"{stations[name]}-w{i}")
            for i in range(round_trips):
                for name, ws in connections.items():
                    start = clock()
                    await _round_trip(ws, f"{stations[name]}-{i}")
                    times[name].append(clock() - start)
    finally:
        await _close_all(list(connections.values()))
    figures: dict[str, float] = {}
    for name, values in times.items():
        values.sort()
        figures[f"{name}_p50_ms"] = _percentile(values, 0.50) * 1000
        figures[f"{name}_p99_ms"] = _percentile(values, 0.99) * 1000
    return figures


async def measure_throughput(url: str, prefix: str, stations: int, seconds: float) -> float:
    """Round trips per second of `stations` stations, each sending its next CALL as soon as
    the answer to the previous one arrives."""
    names = [f"{prefix}-{i:02d}" for i in range(stations)]
    connections, errors = await _open_many(url, names)
    try:
        if errors:
            raise RuntimeError(f"{len(errors)} stations could not connect: {errors[0]}")
        loop = asyncio.get_running_loop()
        done = [0] * stations
        deadline = loop.time() + seconds

        async def busy(index: int, ws: ClientConnection) -> None:
            count = 0
            while loop.time() < deadline:
                await _round_trip(ws, f"{names[index]}-{count}")
                count += 1
            done[index] = count

        start = loop.time()
        async with asyncio.timeout(seconds + 30):
            await asyncio.gather(*(busy(i, ws) for i, ws in enumerate(connections)
                                   if ws is not None))
        return sum(done) / (loop.time() - start)
    finally:
        await _close_all(connections)


async def run_fleet(url: str, prefix: str, stations: int, seconds: float) -> dict[str, Any]:
    """`stations` connections, each sending one CALL per second for `seconds` and waiting
    for its answer; the sends are spread evenly over each second, as real stations'
    clocks are. Returns what the stations saw, and the CPU share of the steady phase."""
    names = [f"{prefix}-{i:04d}" for i in range(stations)]
    connections, errors = await _open_many(url, names, spread=min(1.0, 0.002 * stations))
    loop = asyncio.get_running_loop()
    calls_each = max(1, math.ceil(seconds))
    sent = [0] * stations
    answered = [0] * stations
    problems: list[str] = []
    begin = loop.time() + 0.1

    async def station(index: int, ws: ClientConnection) -> None:
        name = names[index]
        for k in range(calls_each):
            await asyncio.sleep(max(0.0, begin + k + index / stations - loop.time()))
            message_id = f"{name}-{k}"
            try:
                await ws.send(call_frame(message_id))
                sent[index] += 1
                async with asyncio.timeout(ANSWER_TIMEOUT):
                    reply = await ws.recv()
            except (TimeoutError, ConnectionClosed) as exc:
                problems.append(f"{name}: {type(exc).__name__} waiting for {message_id}")
                return
            if _answers(reply, message_id):
                answered[index] += 1
            else:
                problems.append(f"{name}: wrong answer to {message_id}: {reply[:60]!r}")

    wall, cpu = time.perf_counter(), time.process_time()
    tasks = [asyncio.ensure_future(station(i, ws)) for i, ws in enumerate(connections)
             if ws is not None]
    pending: set[asyncio.Future[None]] = set()
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=calls_each + ANSWER_TIMEOUT + 10)
    for task in pending:
        task.cancel()
        problems.append("a station was still running at the deadline")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await _close_all(connections)
    return {
        "names": names, "connected": sum(ws is not None for ws in connections),
        "connect_errors": errors, "sent": sum(sent), "answered": sum(answered),
        "problems": problems, "cpu": cpu / wall if wall else 0.0,
    }


def _frames_of(messages: Sequence[Message], prefix: str) -> Counter[Direction | None]:
    return Counter(m.direction for m in messages
                   if m.kind is RecordKind.FRAME and m.station.startswith(prefix))


async def _settle(capture: Capture, prefix: str, expected: int, limit: float = 3.0) -> None:
    """Wait until the proxy has recorded `expected` frames of `prefix` (it records after
    forwarding, so the last answers can reach a station before they are recorded)."""
    deadline = time.monotonic() + limit
    while (sum(_frames_of(capture.messages, prefix).values()) < expected
           and time.monotonic() < deadline):
        await asyncio.sleep(0.05)


def raise_fd_limit(needed: int) -> str:
    """Raise the soft descriptor limit to `needed` if it is lower; says what happened."""
    if resource is None:
        return "file-descriptor limit: not adjustable here (no resource module)"
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return f"file-descriptor limit {soft} (>= {needed} needed)"
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError) as exc:
        return (f"file-descriptor limit {soft} could NOT be raised to {needed} ({exc}): "
                "expect failed connects")
    if target < needed:
        return (f"file-descriptor limit raised from {soft} to the hard limit {hard} only, "
                f"below the {needed} needed: expect failed connects")
    return f"file-descriptor limit raised from {soft} to {target}"


async def _run(args: argparse.Namespace, record_path: Path) -> dict[str, Any]:
    capture = Capture()
    writer = SessionWriter(record_path, make_header("proxy", benchmark="tests.benchmarks.proxy"))
    notices: list[str] = []
    recorder: QueuedSink[Message] | None = None
    if args.inline_recording:
        capture.subscribe(lambda message, _annotation: writer.write(message))
    else:
        recorder = recording_sink(writer, notices.append)
        capture.subscribe(lambda message, _annotation: recorder.put(message))
    csms = EchoCsms()
    await csms.start()
    proxy = Proxy(ProxyConfig(upstream=csms.url), capture, notice=notices.append)
    relay = Proxy(ProxyConfig(upstream=csms.url), RelayOnlyCapture(), notice=notices.append)
    results: dict[str, Any] = {}
    try:
        await proxy.start()
        await relay.start()
        routes = {"direct": csms.url, "proxy": f"{proxy.url}/ocpp",
                  "relay": f"{relay.url}/ocpp"}
        results["latency"] = await _latency_section(args, routes)
        results["throughput"] = await _throughput_section(args, routes)
        results["stations"] = await _many_stations(args, csms, capture, routes["proxy"],
                                                   record_path, recorder)
    finally:
        await relay.stop()
        await proxy.stop()
        await csms.stop()
        if recorder is not None:
            report = recorder.close()
            results["recording"] = {"written": report.written, "lost": report.lost}
        writer.close()
    errors = [a for a in capture.annotations.values() if not a.valid]
    results["validation"] = {"frames": sum(m.kind is RecordKind.FRAME
                                           for m in capture.messages),
                             "invalid": len(errors)}
    results["notices"] = notices
    return results


_LABELS = {"direct": "direct", "proxy": "via proxy", "relay": "relay only"}
_RELAY_NOTE = ("   relay only: a second Proxy whose Capture checks and keeps nothing, a reference "
               "for the cost of the extra hop alone")


async def _latency_section(args: argparse.Namespace, routes: Mapping[str, str]
                           ) -> dict[str, float]:
    print(f"\n1. round-trip latency: {args.round_trips} sequential TransactionEvent CALLs "
          f"({len(call_frame('LAT-proxy-0'))} bytes) each waiting for its CALLRESULT, "
          "routes taking turns")
    lat: dict[str, float] = {"round_trips": args.round_trips,
                             **await measure_latency(routes, args.round_trips)}
    lat["added_p50_ms"] = lat["proxy_p50_ms"] - lat["direct_p50_ms"]
    lat["added_p99_ms"] = lat["proxy_p99_ms"] - lat["direct_p99_ms"]
    for name in routes:
        print(f"   {_LABELS[name]:<11} p50 {lat[f'{name}_p50_ms']:7.3f} ms   "
              f"p99 {lat[f'{name}_p99_ms']:7.3f} ms")
    print(_RELAY_NOTE)
    met = "met" if lat["added_p50_ms"] < ADDED_P50_GOAL_MS else "NOT met"
    print(f"   proxy adds {lat['added_p50_ms']:7.3f} ms at p50, "
          f"{lat['added_p99_ms']:.3f} ms at p99   "
          f"(goal: proxy adds < {ADDED_P50_GOAL_MS} ms at p50: {met})")
    return lat


async def _throughput_section(args: argparse.Namespace, routes: Mapping[str, str]
                              ) -> dict[str, float]:
    stations = 20
    print(f"\n2. throughput: {stations} stations, each sending its next CALL as soon as "
          f"its answer arrives, {args.seconds:g} s per route")
    figures: dict[str, float] = {"stations": stations, "seconds": args.seconds}
    for name, url in routes.items():
        rate = await measure_throughput(url, f"TP-{name}", stations, args.seconds)
        figures[f"{name}_per_s"] = rate
        print(f"   {_LABELS[name]:<11} {rate:9,.0f} round trips/s ({2 * rate:,.0f} messages/s)")
    figures["ratio"] = figures["proxy_per_s"] / figures["direct_per_s"]
    figures["relay_ratio"] = figures["relay_per_s"] / figures["direct_per_s"]
    met = "met" if figures["ratio"] >= THROUGHPUT_GOAL else "NOT met"
    print(f"   proxy keeps {figures['ratio']:.0%} of direct "
          f"(goal: >= {THROUGHPUT_GOAL:.0%}: {met}); relaying alone keeps "
          f"{figures['relay_ratio']:.0%}")
    print("   (one process: the proxy's two extra hops cost as much CPU as the stations' and the "
          "CSMS's own sends and receives, so a proxy that observed for free would reach ~50%)")
    return figures


async def _many_stations(args: argparse.Namespace, csms: EchoCsms, capture: Capture,
                         proxy_url: str, record_path: Path,
                         recorder: QueuedSink[Message] | None) -> dict[str, Any]:
    n = args.stations
    print(f"\n3. {n} stations through the proxy, one CALL per second each for "
          f"{args.station_seconds:g} s (connects spread over {min(1.0, 0.002 * n):g} s)")
    print(f"   {raise_fd_limit(FDS_PER_STATION * n + 100)}")
    fleet = await run_fleet(proxy_url, "MANY-P", n, args.station_seconds)
    seen = sum(csms.calls[name] for name in fleet["names"])
    answers = sum(csms.answers[name] for name in fleet["names"])
    await _settle(capture, "MANY-P", fleet["sent"] + answers)
    recorded = _frames_of(capture.messages, "MANY-P")
    up, down = recorded[Direction.STATION_TO_CSMS], recorded[Direction.CSMS_TO_STATION]
    # Every batch is one write to the file, so it can be read back while it is still open,
    # once the recorder has handled every record the capture has.
    deadline = time.monotonic() + 3.0
    while (recorder is not None and recorder.written + recorder.lost < len(capture.messages)
           and time.monotonic() < deadline):
        await asyncio.sleep(0.05)
    in_file = sum(1 for m in SessionReader.open(record_path)
                  if m.kind is RecordKind.FRAME and m.station.startswith("MANY-P"))
    lost = {
        "stations_not_connected": n - fleet["connected"],
        "calls_lost_before_csms": fleet["sent"] - seen,
        "answers_lost_before_station": answers - fleet["answered"],
        "calls_not_recorded": fleet["sent"] - up,
        "answers_not_recorded": answers - down,
        "records_not_in_file": up + down - in_file,
    }
    figures: dict[str, Any] = {
        "stations": n, "connected": fleet["connected"], "sent": fleet["sent"],
        "seen_by_csms": seen, "answers_sent_by_csms": answers, "answered": fleet["answered"],
        "recorded_calls": up, "recorded_answers": down, "recorded_in_file": in_file,
        "lost": lost, "problems": fleet["connect_errors"] + fleet["problems"],
        "cpu_proxy_run": fleet["cpu"],
    }
    figures["no_frame_lost"] = not any(lost.values()) and not figures["problems"]
    print(f"   connected {fleet['connected']}/{n}; CALLs sent {fleet['sent']}, seen by the CSMS "
          f"{seen}; answers sent {answers}, received by the stations {fleet['answered']}")
    print(f"   recorded by the Capture: {up} CALLs, {down} answers; in the session file: "
          f"{in_file} frame records")
    if figures["no_frame_lost"]:
        print("   no frame lost: every CALL reached the CSMS, every station got every answer, "
              "every frame was recorded")
    else:
        print("   FRAMES LOST: " + ", ".join(f"{k} {v}" for k, v in lost.items() if v))
        for line in figures["problems"][:5]:
            print(f"     {line}")
    print(f"\n   same {n} stations straight to the CSMS, for the CPU baseline")
    direct = await run_fleet(csms.url, "MANY-D", n, args.station_seconds)
    figures["cpu_direct_run"] = direct["cpu"]
    figures["cpu_proxy_estimate"] = fleet["cpu"] - direct["cpu"]
    print("   CPU of the whole process (time.process_time / wall time). Stations, proxy and "
          "CSMS all run in this ONE process on one core, so this is their sum:")
    print(f"     via proxy {fleet['cpu']:6.1%}   direct {direct['cpu']:6.1%}   "
          f"difference (the proxy's share, estimated) {figures['cpu_proxy_estimate']:6.1%} "
          f"of one core for {n} CALLs/s + answers")
    return figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--round-trips", type=int, default=2000,
                        help="sequential round trips each way for the latency figures")
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="duration of each throughput measurement")
    parser.add_argument("--stations", type=int, default=500,
                        help="concurrent stations through the proxy")
    parser.add_argument("--station-seconds", type=float, default=5.0,
                        help="how long the many stations send, one CALL per second each")
    parser.add_argument("--inline-recording", action="store_true",
                        help="write records on the event loop, one write each (the old way)")
    args = parser.parse_args(argv)

    print("proxy benchmark on 127.0.0.1: our Proxy with validation and recording on, against "
          "the same traffic sent directly to the same minimal CSMS")
    print("one process, one event loop: stations, proxy and CSMS share the core")
    tap = _LogTap()
    root = logging.getLogger()
    root.addHandler(tap)
    try:
        with tempfile.TemporaryDirectory(prefix="ocppscope-bench-") as folder:
            results = asyncio.run(_run(args, Path(folder) / "proxy-bench.jsonl"))
    finally:
        root.removeHandler(tap)
    validation = results["validation"]
    print(f"\nvalidation: {validation['frames']:,} frames checked by the proxy's Capture, "
          f"{validation['invalid']} judged invalid")
    results["log_warnings"] = tap.lines
    if tap.lines or results["notices"]:
        print(f"logged during the run: {len(tap.lines)} warnings/errors, "
              f"{len(results['notices'])} proxy notices")
        for line in (tap.lines + results["notices"])[:10]:
            print(f"  {line}")
    else:
        print("logged during the run: no warning, no error, no proxy notice")
    return results


if __name__ == "__main__":
    main()
