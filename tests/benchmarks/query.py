"""The filter language against a plain Python predicate over the same records.

Run: python -m tests.benchmarks.query [--records 1000000]

Each expression is compiled once and run over every record, as the timeline's filter does;
the figure that matters is the ratio to a hand-written lambda asking the same question (the
floor any interpreter of expressions pays for). Payload paths parse each frame they look at,
so they are measured over records narrowed by action first, which is how they are written.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from app.ocpp.conversation import Direction
from app.query import RecordContext, compile_query
from app.session.message import Message

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION

_MIX = [
    (UP, 2, "Heartbeat", "{}"),
    (DOWN, 3, "Heartbeat", '{"currentTime":"2024-05-01T10:00:00Z"}'),
    (UP, 2, "StatusNotification", '{"evseId":1,"connectorId":1,"connectorStatus":"Occupied",'
                                  '"timestamp":"2024-05-01T10:00:00Z"}'),
    (DOWN, 3, "StatusNotification", "{}"),
    (UP, 2, "TransactionEvent", '{"eventType":"Ended","seqNo":3,"meterValue":[{"sampledValue"'
                                ':[{"value":0}]}],"transactionInfo":{"transactionId":"t"}}'),
    (DOWN, 3, "TransactionEvent", "{}"),
    (UP, 2, "MeterValues", '{"evseId":1,"meterValue":[]}'),
    (DOWN, 4, "MeterValues", '"NotImplemented","",{}'),
]


def make_records(count: int) -> list[Message]:
    """`count` records cycling through a small mix of stations, directions and actions."""
    records = []
    for seq in range(count):
        direction, kind, action, body = _MIX[seq % len(_MIX)]
        message_id = f"m{seq // 2}"
        text = (f'[{kind},"{message_id}","{action}",{body}]' if kind == 2
                else f'[{kind},"{message_id}",{body}]')
        records.append(Message(seq + 1, 1_700_000_000.0 + seq, float(seq), "c1",
                               f"CP{seq % 50}", direction, text=text, message_type=kind,
                               message_id=message_id, action=action))
    return records


CASES: list[tuple[str, str, Callable[[Message], bool]]] = [
    ("one field", 'action == "Heartbeat"', lambda m: m.action == "Heartbeat"),
    ("three fields", 'station == "CP8" && dir == "up" && type == CALL',
     lambda m: m.station == "CP8" and m.direction == UP and m.message_type == 2),
    ("set and size", 'action in {"MeterValues", "StatusNotification"} || size > 150',
     lambda m: m.action in {"MeterValues", "StatusNotification"} or m.size > 150),
]
PAYLOAD_CASE = ('action == "TransactionEvent" && payload.eventType == "Ended" && '
                'payload.meterValue[*].sampledValue[*].value == 0',
                lambda m: m.action == "TransactionEvent" and m.message_type == 2 and (
                    p := json.loads(m.text)[3]).get("eventType") == "Ended" and any(
                    s.get("value") == 0 for v in p.get("meterValue", [])
                    for s in v.get("sampledValue", [])))


def _timed(keep: Callable[[Message], bool], records: list[Message]) -> tuple[float, int]:
    started = time.perf_counter()
    found = sum(1 for m in records if keep(m))
    return time.perf_counter() - started, found


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    records = make_records(args.records)
    context = RecordContext()
    results: dict[str, dict[str, float]] = {}
    for name, text, plain in [*CASES, ("payload path", *PAYLOAD_CASE)]:
        query_s, query_found = _timed(compile_query(text).predicate(context), records)
        plain_s, plain_found = _timed(plain, records)
        assert query_found == plain_found, (name, query_found, plain_found)
        results[name] = {"records": len(records), "query_s": query_s, "plain_s": plain_s,
                         "ratio": query_s / max(plain_s, 1e-9), "matched": query_found}
        print(f"{name:>13}: {query_s:6.3f} s for {len(records):,} records "
              f"({plain_s:6.3f} s plain Python, x{query_s / max(plain_s, 1e-9):.1f})"
              f"  {text}")
    return results


if __name__ == "__main__":
    main()
