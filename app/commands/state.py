"""`ocppscope state FILE`: what a recorded session says about its stations, at its end or
at a chosen moment: boot info and registration, EVSEs and connectors, transactions with
their energy, charging profiles installed and rejected, the device model and its holes.

The file is judged as the window judges it (which fills the state); `--at` (a moment in any
form `app.moments` reads) rebuilds the state up to it through `app.state.timeline`. Exit
status 0, or 2 with one line for input that cannot be used (no such file, not a session, no
such station, a bad --at).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from app.errors import UsageError
from app.moments import add_moment_option
from app.session.judging import judged_session
from app.session.message import iso_time
from app.state.model import SessionState, StationState
from app.state.readings import energy_wh
from app.state.summary import last_close, named_stations, station_summary
from app.state.timeline import StateTimeline

JSON_FORMAT = "ocppscope-state/1"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "state", help="show what a recorded session says about its stations",
        description=(
            "Print the picture of a recorded session at its end (or at --at): per station "
            "its boot info and registration, EVSEs and connectors with their status, the "
            "transactions (EVSE, start, end, energy, stop reason), the charging profiles "
            "installed and those rejected with their reason, and the size of the device "
            "model with any report parts that never came."),
        epilog="exit status: 0 shown, 2 unusable input (no file, not a session, no such "
               "station, a bad --at)")
    parser.add_argument("file", metavar="FILE",
                        help="a session, or any log or capture OCPP Scope reads (- for "
                             "standard input)")
    parser.add_argument("--station", metavar="ID", help="only this station")
    add_moment_option(parser, "--at", "the state at this moment instead of at the end")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (documented in the README)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Raises an OcppScopeError (one line, exit 2) for unusable input."""
    out = out or sys.stdout
    capture = judged_session(args.file, warn=lambda text: print(text, file=sys.stderr))
    state = capture.state
    moment: float | None = None
    if args.at is not None:
        moment = args.at.epoch(capture.messages[0].time if capture.messages else None)
        state = StateTimeline(capture).at_time(moment)
    stations = named_stations(state)
    if args.station is not None:
        chosen = [s for s in stations if s.station == args.station]
        if not chosen:
            present = ", ".join(s.station for s in stations) or "none"
            raise UsageError(f"no station '{args.station}' in {args.file}; "
                             f"stations present: {present}")
        stations = chosen
    if args.json:
        out.write(json.dumps(state_json(state, stations, moment), ensure_ascii=False) + "\n")
    else:
        out.write("".join(line + "\n" for line in state_lines(stations, moment)))
    return 0


def _when(epoch: float | None) -> str | None:
    return iso_time(epoch) if epoch else None


def station_json(station: StationState) -> dict[str, Any]:
    model = station.device_model
    return {
        "station": station.station, "summary": station_summary(station),
        "vendor": station.vendor, "model": station.model, "serial": station.serial,
        "firmware": station.firmware, "boot_reason": station.boot_reason,
        "registration": station.registration, "interval": station.interval,
        "last_heartbeat": _when(station.last_heartbeat), "connected": station.connected,
        "connections": len(station.connections), "last_close": last_close(station) or None,
        "frames": station.frames, "invalid": station.invalid,
        "evses": [{"evse_id": evse.evse_id, "availability": evse.availability,
                   "transaction_id": evse.transaction_id,
                   "connectors": [{"connector_id": c.connector_id, "status": c.status}
                                  for _, c in sorted(evse.connectors.items())]}
                  for _, evse in sorted(station.evses.items())],
        "transactions": [{"transaction_id": tx.transaction_id, "evse_id": tx.evse_id,
                          "connector_id": tx.connector_id, "id_token": tx.id_token,
                          "started": _when(tx.started), "ended": _when(tx.ended),
                          "energy_wh": energy_wh(tx), "stopped_reason": tx.stopped_reason,
                          "missing_seq_nos": tx.missing_seq_nos}
                         for tx in station.transactions.values()],
        "profiles": [{"id": p.profile_id, "purpose": p.purpose, "stack_level": p.stack_level,
                      "evse_id": p.evse_id, "source": p.source, "seq": p.seq}
                     for p in station.profiles],
        "rejected_profiles": [{"id": r.profile.get("id"),
                               "purpose": r.profile.get("chargingProfilePurpose"),
                               "evse_id": r.evse_id, "status": r.status,
                               "reason_code": r.reason_code,
                               "additional_info": r.additional_info, "seq": r.seq}
                              for r in station.rejected_profiles],
        "device_model": {"variables": len(model),
                         "missing_parts": [{"request_id": r.request_id, "action": r.action,
                                            "missing_seq_nos": r.missing}
                                           for r in model.reports.values() if r.missing]},
    }


def state_json(state: SessionState, stations: list[StationState],
               moment: float | None) -> dict[str, Any]:
    return {"format": JSON_FORMAT, "at": _when(moment), "upto_seq": state.upto_seq,
            "stations": [station_json(s) for s in stations]}


def state_lines(stations: list[StationState], moment: float | None) -> list[str]:
    lines = [f"state at {_when(moment)}"] if moment is not None else []
    if not stations:
        lines.append("no station in this session")
    for station in stations:
        lines.extend(_station_lines(station_json(station)))
    return lines


def _station_lines(s: dict[str, Any]) -> list[str]:
    boot = " ".join(p for p in (s["vendor"], s["model"]) if p) or "no BootNotification seen"
    extras = ", ".join(f"{label} {s[key]}" for label, key in (
        ("serial", "serial"), ("firmware", "firmware"), ("reason", "boot_reason")) if s[key])
    lines = [f"{s['station']}: {s['summary']}",
             f"  boot: {boot}" + (f" ({extras})" if extras else "")]
    registration = f"  registration: {s['registration'] or 'none'}"
    if s["interval"] is not None:
        registration += f", heartbeat interval {s['interval']} s"
    if s["last_heartbeat"]:
        registration += f", last heartbeat {s['last_heartbeat']}"
    lines.append(registration)
    lines.append(f"  frames: {s['frames']} ({s['invalid']} invalid), "
                 f"connections: {s['connections']}")
    for evse in s["evses"]:
        connectors = ", ".join(f"connector {c['connector_id']} {c['status'] or '?'}"
                               for c in evse["connectors"])
        extra = [e for e in (connectors, evse["availability"] and
                             f"availability {evse['availability']}",
                             evse["transaction_id"] and f"transaction {evse['transaction_id']}")
                 if e]
        lines.append(f"  EVSE {evse['evse_id']}: " + ("; ".join(extra) or "nothing known"))
    for tx in s["transactions"]:
        energy = f"{tx['energy_wh']:g} Wh" if tx["energy_wh"] is not None else "energy ?"
        line = (f"  transaction {tx['transaction_id']} on EVSE {tx['evse_id']}: "
                f"{tx['started'] or '?'} → {tx['ended'] or 'running'}, {energy}")
        if tx["stopped_reason"]:
            line += f", stopped {tx['stopped_reason']}"
        if tx["missing_seq_nos"]:
            line += f", seqNos missing {', '.join(map(str, tx['missing_seq_nos']))}"
        lines.append(line)
    for p in s["profiles"]:
        lines.append(f"  profile {p['id']}: {p['purpose']} stack {p['stack_level']} "
                     f"on EVSE {p['evse_id']} ({p['source']})")
    for r in s["rejected_profiles"]:
        reason = ": ".join(x for x in (r["reason_code"], r["additional_info"]) if x)
        lines.append(f"  rejected profile {r['id']}: {r['purpose']} on EVSE {r['evse_id']}: "
                     f"{r['status']}" + (f" ({reason})" if reason else " (no reason given)"))
    model = s["device_model"]
    line = f"  device model: {model['variables']} variables"
    for hole in model["missing_parts"]:
        line += (f"; {hole['action']} {hole['request_id']} misses part"
                 f"{'s' * (len(hole['missing_seq_nos']) != 1)} "
                 f"{', '.join(map(str, hole['missing_seq_nos']))}")
    lines.append(line)
    return lines
