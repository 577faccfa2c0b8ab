"""Validation throughput on a realistic mix of frames, against jsonschema in the same run.

Run: python -m tests.benchmarks.validation [--seconds 2]

Prints messages/second for our full check (envelope + pairing + schema) and for two
baselines measured on the same frames: a fresh `jsonschema.validate` call per message (what
naive code does) and a cached jsonschema Draft 6 validator with a date-time check.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import jsonschema

from app.ocpp import datetimes
from app.ocpp.checker import FrameChecker
from app.ocpp.conversation import Direction
from app.ocpp.frames import Call, CallResult, parse_frame
from app.ocpp.jsontext import spans_in
from app.ocpp.schemas import PayloadKind, load_schema

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
NOW = "2026-11-25T09:00:00.000Z"


def _frame(kind: int, mid: str, *rest: object) -> str:
    return json.dumps([kind, mid, *rest], separators=(",", ":"))


def _meter_value(i: int) -> dict:
    return {"timestamp": NOW, "sampledValue": [
        {"value": 1200.5 + i, "measurand": "Energy.Active.Import.Register",
         "unitOfMeasure": {"unit": "Wh"}},
        {"value": 7200, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "W"}},
        {"value": 31.5, "measurand": "Current.Import", "phase": "L1"},
        {"value": 31.2, "measurand": "Current.Import", "phase": "L2"},
        {"value": 31.4, "measurand": "Current.Import", "phase": "L3"},
        {"value": 230.1, "measurand": "Voltage", "phase": "L1-N"},
        {"value": 64, "measurand": "SoC", "location": "EV"},
    ]}


def _report_entries(n: int) -> list[dict]:
    return [{
        "component": {"name": "EVSE", "evse": {"id": 1 + i % 2}},
        "variable": {"name": f"Variable{i}"},
        "variableAttribute": [{"type": "Actual", "value": str(i), "mutability": "ReadOnly"}],
        "variableCharacteristics": {"dataType": "integer", "supportsMonitoring": True},
    } for i in range(n)]


def exchanges(i: int) -> list[tuple[str, Direction]]:
    """One round of traffic: what a charging station and its CSMS send in a typical hour."""
    m = f"{i:06d}"
    boot = {"reason": "PowerUp", "chargingStation": {"model": "AC22-T2", "vendorName": "Voltra"}}
    tx = {"eventType": "Updated", "timestamp": NOW, "triggerReason": "MeterValuePeriodic",
          "seqNo": i, "transactionInfo": {"transactionId": "TX-7781", "chargingState": "Charging"},
          "evse": {"id": 1, "connectorId": 1}, "meterValue": [_meter_value(i)]}
    out = [
        (_frame(2, f"b{m}", "BootNotification", boot), UP),
        (_frame(3, f"b{m}", {"currentTime": NOW, "interval": 300, "status": "Accepted"}), DOWN),
        (_frame(2, f"h{m}", "Heartbeat", {}), UP),
        (_frame(3, f"h{m}", {"currentTime": NOW}), DOWN),
        (_frame(2, f"s{m}", "StatusNotification", {"timestamp": NOW, "connectorStatus":
                                                   "Occupied", "evseId": 1, "connectorId": 1}),
         UP),
        (_frame(3, f"s{m}", {}), DOWN),
    ]
    for k in range(4):
        out += [(_frame(2, f"t{m}{k}", "TransactionEvent", tx), UP),
                (_frame(3, f"t{m}{k}", {"totalCost": 4.2}), DOWN)]
    out += [  # invalid traffic: an enum in the wrong case, a date without offset, broken JSON
        (_frame(2, f"a{m}", "Authorize", {"idToken": {"idToken": "04A2B3", "type": "iso14443"}}),
         UP),
        (_frame(3, f"a{m}", {"idTokenInfo": {"status": "Accepted"}}), DOWN),
        (_frame(2, f"x{m}", "StatusNotification", {"timestamp": "2026-11-25T09:00:00",
                                                   "connectorStatus": "Available", "evseId": 1,
                                                   "connectorId": 1}), UP),
        (_frame(3, f"x{m}", {}), DOWN),
        ('[2,"broken","TransactionEvent",{"transactionId":,}]', UP),
    ]
    return out


def notify_report(entries: int = 200) -> list[tuple[str, Direction]]:
    payload = {"requestId": 1, "generatedAt": NOW, "seqNo": 0, "tbc": False,
               "reportData": _report_entries(entries)}
    return [(_frame(2, "r1", "NotifyReport", payload), UP), (_frame(3, "r1", {}), DOWN)]


def _rate(frames: list[tuple[str, Direction]], check: Callable[[str, Direction], object],
          seconds: float) -> float:
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for text, direction in frames:
            check(text, direction)
        count += len(frames)
        if time.perf_counter() >= deadline:
            break
    return count / (time.perf_counter() - start)


def _ours() -> Callable[[str, Direction], object]:
    checker = FrameChecker()
    return lambda text, direction: checker.check(text, direction=direction)


def _jsonschema_baseline(cached: bool) -> Callable[[str, Direction], object]:
    """Parse, pair by id, validate with jsonschema: the same work, done the plain way."""
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time")(datetimes.is_rfc3339)
    validators: dict[tuple[str, PayloadKind], jsonschema.Draft6Validator] = {}
    pending: dict[str, str] = {}

    def check(text: str, direction: Direction) -> object:
        frame = parse_frame(text).frame
        if isinstance(frame, Call):
            pending[frame.message_id] = frame.action
            action, kind, payload = frame.action, PayloadKind.REQUEST, frame.payload
        elif isinstance(frame, CallResult) and frame.message_id in pending:
            action, kind = pending.pop(frame.message_id), PayloadKind.RESPONSE
            payload = frame.payload
        else:
            return None
        schema = load_schema(action, kind)
        if not cached:
            try:
                jsonschema.validate(payload, schema, format_checker=checker)
            except jsonschema.ValidationError:
                return False
            return True
        validator = validators.get((action, kind))
        if validator is None:
            validator = validators[(action, kind)] = jsonschema.Draft6Validator(
                schema, format_checker=checker)
        return list(validator.iter_errors(payload))

    return check


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args(argv)

    typical: list[tuple[str, Direction]] = []
    for i in range(50):
        typical += exchanges(i)
    mixes = {
        "typical (boot, status, meter values, 15% invalid)": typical,
        "NotifyReport, 200 entries": notify_report(),
        "typical + 1 NotifyReport per 500 frames": typical[: 500 - 2] + notify_report(),
    }
    results: dict[str, dict[str, float]] = {}
    print(f"validation throughput, messages/second ({args.seconds:g} s per figure, one core)")
    for name, frames in mixes.items():
        ours = _rate(frames, _ours(), args.seconds)
        fresh = _rate(frames, _jsonschema_baseline(cached=False), args.seconds)
        cached = _rate(frames, _jsonschema_baseline(cached=True), args.seconds)
        results[name] = {"ours": ours, "jsonschema_fresh": fresh, "jsonschema_cached": cached}
        print(f"\n{name} ({len(frames)} frames)")
        print(f"  ocppscope (full check)       {ours:>10,.0f}/s")
        print(f"  jsonschema.validate per call {fresh:>10,.0f}/s   ours is {ours / fresh:5.1f}x")
        print(f"  jsonschema, cached validator {cached:>10,.0f}/s   ours is {ours / cached:5.1f}x")
    results["value spans"] = _spans(args.seconds)
    return results


def _spans(seconds: float) -> dict[str, float]:
    """Finding every value's place in a pasted 200-entry NotifyReport (what the validator
    view and the detail pane highlight), against `json.loads` of the same text."""
    text = json.dumps(json.loads(notify_report()[0][0]), indent=2)
    spans = _rate([(text, UP)], lambda t, _: spans_in(t), seconds)
    loads = _rate([(text, UP)], lambda t, _: json.loads(t), seconds)
    print(f"\nvalue spans of a 200-entry NotifyReport ({len(text):,} characters)")
    print(f"  spans_in {spans:>10,.0f}/s   json.loads {loads:>10,.0f}/s   "
          f"spans_in takes {loads / spans:5.1f}x as long")
    return {"spans_in": spans, "json_loads": loads}


if __name__ == "__main__":
    main()
