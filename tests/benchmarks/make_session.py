"""A realistic synthetic session file of N records, written fast enough to make a million.

Run: python -m tests.benchmarks.make_session OUT.jsonl [--messages 1000000] [--stations 20]

Twenty stations (by default) talk to one CSMS, interleaved the way a proxy records them:
each connects (an `opened` event), boots, then loops through heartbeats, status changes,
transactions with periodic meter values, MeterValues and a few invalid frames (broken JSON,
an enum in the wrong case, a date without offset); now and then a station drops and
reconnects under a new connection id, and at the end every connection is `closed`.

`SessionWriter` flushes and `json.dumps`es a dict per record, which is right for a recorder
and far too slow for a million lines, so lines are formatted here directly, with the same
keys in the same order as `record_to_json`. The tests check that every kind of line this
writes survives `record_from_json` -> `record_to_json` unchanged, so the two cannot drift.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Iterator
from pathlib import Path

from app.session.sessionfile import make_header

START = 1_795_597_200.0          # 2026-11-25T09:00:00Z
UP, DOWN = "station_to_csms", "csms_to_station"
RECONNECT_EVERY = 20_000         # records of one station between a drop and a reconnect

# (conn, station, dir, kind, text, type, id, action, meta-json) before seq/time are added
Item = tuple[str, str, str | None, str, str, int | None, str | None, str | None, str | None]


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class _Clock:
    """Wall-clock stamps in the session format, formatting only the microseconds per call."""

    def __init__(self, start: float) -> None:
        self.us = int(start * 1_000_000)
        self.mono_us = 5_000_000
        self._second = -1
        self._prefix = ""

    def tick(self, step_us: int) -> tuple[str, str]:
        self.us += step_us
        self.mono_us += step_us
        second, micro = divmod(self.us, 1_000_000)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        mono_s, mono_micro = divmod(self.mono_us, 1_000_000)
        mono = f"{mono_s}.{mono_micro:06d}".rstrip("0")  # as json.dumps(round(mono, 6))
        return f"{self._prefix}.{micro:06d}Z", mono + "0" if mono.endswith(".") else mono


def _meter_value(stamp: str, energy: float, power: int, soc: int) -> dict:
    return {"timestamp": stamp, "sampledValue": [
        {"value": round(energy, 1), "measurand": "Energy.Active.Import.Register",
         "unitOfMeasure": {"unit": "Wh"}},
        {"value": power, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "W"}},
        {"value": round(power / 690, 1), "measurand": "Current.Import", "phase": "L1"},
        {"value": round(power / 692, 1), "measurand": "Current.Import", "phase": "L2"},
        {"value": round(power / 688, 1), "measurand": "Current.Import", "phase": "L3"},
        {"value": 230.1, "measurand": "Voltage", "phase": "L1-N"},
        {"value": soc, "measurand": "SoC", "location": "EV"},
    ]}


class _Station:
    """One station's traffic as an endless stream of records without seq and time."""

    def __init__(self, number: int, rng: random.Random) -> None:
        self.name = f"CP-{number:04d}"
        self.rng = rng
        self.connection = 0
        self.ids = 0
        self.sent = 0
        self.stamp = "2026-11-25T09:00:00.000Z"
        self.items = self._traffic()

    def conn(self) -> str:
        return f"{self.name}#{self.connection}"

    def _id(self) -> str:
        self.ids += 1
        if self.rng.random() < 0.5:  # half the stations' firmwares use UUIDs, half counters
            bits = self.rng.getrandbits(128)
            raw = f"{bits:032x}"
            return f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-a{raw[17:20]}-{raw[20:]}"
        return str(self.ids)

    def _exchange(self, action: str, payload: object, answer: object) -> Iterator[Item]:
        mid = self._id()
        conn = self.conn()
        yield (conn, self.name, UP, "frame", _dumps([2, mid, action, payload]), 2, mid, action,
               None)
        yield (conn, self.name, DOWN, "frame", _dumps([3, mid, answer]), 3, mid, action, None)

    def _opened(self) -> Item:
        self.connection += 1
        meta = _dumps({"path": f"/ocpp/{self.name}", "subprotocols": ["ocpp2.0.1"],
                       "subprotocol": "ocpp2.0.1",
                       "remote": f"10.0.{self.connection % 250}.{self.rng.randrange(2, 250)}:"
                                 f"{self.rng.randrange(40000, 60000)}"})
        return (self.conn(), self.name, None, "opened", "", None, None, None, meta)

    def closed(self) -> Item:
        meta = _dumps({"code": 1006, "reason": "", "by": "station"})
        return (self.conn(), self.name, None, "closed", "", None, None, None, meta)

    def _traffic(self) -> Iterator[Item]:
        rng = self.rng
        transaction = 0
        while True:
            yield self._opened()
            yield from self._exchange(
                "BootNotification",
                {"reason": "PowerUp", "chargingStation": {
                    "model": "AC22-T2", "vendorName": "Voltra", "firmwareVersion": "3.4.1",
                    "serialNumber": f"VT{self.name[3:]}X"}},
                {"currentTime": self.stamp, "interval": 300, "status": "Accepted"})
            since_connect = 0
            while since_connect < RECONNECT_EVERY:
                transaction += 1
                tx_id = f"{self.name}-TX-{transaction:06d}"
                energy = rng.uniform(1000, 90000)
                seq_no = 0
                before = self.sent
                yield from self._exchange("Heartbeat", {}, {"currentTime": self.stamp})
                yield from self._exchange(
                    "StatusNotification",
                    {"timestamp": self.stamp, "connectorStatus": "Occupied", "evseId": 1,
                     "connectorId": 1}, {})
                yield from self._exchange(
                    "TransactionEvent",
                    {"eventType": "Started", "timestamp": self.stamp,
                     "triggerReason": "CablePluggedIn", "seqNo": seq_no,
                     "transactionInfo": {"transactionId": tx_id, "chargingState": "EVConnected"},
                     "evse": {"id": 1, "connectorId": 1},
                     "idToken": {"idToken": f"04A2{rng.getrandbits(24):06X}", "type": "ISO14443"},
                     "meterValue": [_meter_value(self.stamp, energy, 0, 20)]},
                    {"idTokenInfo": {"status": "Accepted"}})
                for _ in range(rng.randrange(4, 9)):
                    seq_no += 1
                    power = rng.randrange(3000, 22000)
                    energy += power / 12
                    yield from self._exchange(
                        "TransactionEvent",
                        {"eventType": "Updated", "timestamp": self.stamp,
                         "triggerReason": "MeterValuePeriodic", "seqNo": seq_no,
                         "transactionInfo": {"transactionId": tx_id,
                                             "chargingState": "Charging"},
                         "meterValue": [_meter_value(self.stamp, energy, power,
                                                     min(100, 20 + seq_no * 8))]},
                        {"totalCost": round(energy / 4000, 2)})
                    if seq_no % 3 == 0:
                        yield from self._exchange(
                            "MeterValues",
                            {"evseId": 1, "meterValue": [
                                _meter_value(self.stamp, energy, power, 50)]}, {})
                if rng.random() < 0.3:  # invalid traffic that real stations send
                    yield from self._exchange(
                        "StatusNotification",
                        {"timestamp": "2026-11-25T09:00:00", "connectorStatus": "available",
                         "evseId": 1, "connectorId": 1}, {})
                    mid = self._id()
                    yield (self.conn(), self.name, UP, "frame",
                           f'[2,"{mid}","MeterValues",{{"evseId":1,"meterValue":[{{"timestamp"'
                           f':"{self.stamp}","sampledValue":[{{"value":,}}]}}]}}]',
                           None, None, None, None)
                seq_no += 1
                yield from self._exchange(
                    "TransactionEvent",
                    {"eventType": "Ended", "timestamp": self.stamp, "triggerReason": "EVDeparted",
                     "seqNo": seq_no, "transactionInfo": {
                         "transactionId": tx_id, "chargingState": "Idle",
                         "stoppedReason": "EVDisconnected"},
                     "meterValue": [_meter_value(self.stamp, energy, 0, 80)]}, {})
                yield from self._exchange(
                    "StatusNotification",
                    {"timestamp": self.stamp, "connectorStatus": "Available", "evseId": 1,
                     "connectorId": 1}, {})
                since_connect += self.sent - before
            yield self.closed()


def _line(seq: int, stamp: str, mono: str, item: Item) -> str:
    conn, station, direction, kind, text, mtype, mid, action, meta = item
    head = (f'{{"seq":{seq},"time":"{stamp}","mono":{mono},"conn":"{conn}",'
            f'"station":"{station}",')
    if kind != "frame":
        return f'{head}"dir":null,"kind":"{kind}","meta":{meta}}}\n'
    body = f'{head}"dir":"{direction}","kind":"frame","text":{_dumps(text)}'
    if mtype is None:
        return body + "}\n"
    return f'{body},"type":{mtype},"id":"{mid}","action":"{action}"}}\n'


def write_session(path: str | Path, messages: int = 1_000_000, *, stations: int = 20,
                  seed: int = 1) -> int:
    """Write a session of exactly `messages` records; returns the file size in bytes."""
    rng = random.Random(seed)
    fleet = [_Station(number, random.Random(rng.random())) for number in range(1, stations + 1)]
    clock = _Clock(START)
    path = Path(path)
    header = make_header("proxy", listen="0.0.0.0:9000", upstream="ws://csms.example:9000/ocpp")
    header["created"] = "2026-11-25T09:00:00.000000Z"
    connected: dict[_Station, None] = {}  # stations with an open connection, in order
    lines: list[str] = [_dumps(header) + "\n"]
    seq = 0

    def add(item: Item) -> str:
        nonlocal seq
        seq += 1
        stamp, mono = clock.tick(rng.randrange(200, 40_000))
        lines.append(_line(seq, stamp, mono, item))
        return stamp

    with path.open("w", encoding="utf-8", newline="\n") as stream:
        while seq + len(connected) < messages:  # keep room to close every connection
            station = fleet[rng.randrange(stations)]
            item = next(station.items)
            if item[3] == "opened":
                connected[station] = None
            elif item[3] == "closed":
                del connected[station]
            station.sent += 1
            stamp = add(item)
            station.stamp = stamp[:-4] + "Z"  # payload times: milliseconds, as stations send
            if len(lines) >= 10_000:
                stream.write("".join(lines))
                lines.clear()
        for station in list(connected)[: messages - seq]:
            add(station.closed())
        stream.write("".join(lines))
    return path.stat().st_size


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--stations", type=int, default=20)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    size = write_session(args.out, args.messages, stations=args.stations)
    seconds = time.perf_counter() - start
    print(f"wrote {args.messages:,} records, {size / 1e6:,.1f} MB, to {args.out} "
          f"in {seconds:.1f} s")
    return {"messages": args.messages, "bytes": size, "seconds": seconds}


if __name__ == "__main__":
    main()
