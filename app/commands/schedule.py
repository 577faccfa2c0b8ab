"""`ocppscope schedule`: the composite schedule that charging profiles give an EVSE.

Computes what a station should report to GetCompositeSchedule for the profiles in a file,
or for those a recorded session shows installed at --start (`app.state.profiles_file`
reads both), so that a developer can check a station's answer, or a CSMS's profiles,
without a station. Exit status: 0, or 2 with one line for unusable input.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import TextIO

from app.errors import UsageError
from app.moments import LATEST, Moment, add_moment_option, read_moment
from app.state.profiles_file import schedule_input
from app.state.schedule import (
    CompositeSchedule,
    ScheduleOptions,
    composite_schedule,
    ocpp_time,
)
from app.state.schedule_history import latest_unit

DEFAULTS = ScheduleOptions()


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "schedule", help="compute the composite charging schedule of an EVSE from profiles",
        description=(
            "Compute the composite schedule an EVSE (or, with --evse 0, the whole station) "
            "gets from charging profiles, by the OCPP 2.0.1 smart-charging rules: stack "
            "levels, the four purposes, Absolute, Relative and Recurring kinds, validity and "
            "duration. INPUT is a JSON file holding a list of SetChargingProfile requests "
            '({"evseId": 1, "chargingProfile": {...}}), installed in that order, or a '
            "session recorded by OCPP Scope: then the profiles its station held at --start "
            "count, with the transactions running then."),
        epilog=("Where no profile limits, the default limit applies. With several "
                "chargingSchedules in a profile, the first is used. exit status: 0, or 2 "
                "for unusable input"))
    parser.add_argument("input", metavar="INPUT",
                        help="JSON file of SetChargingProfile requests, or a session file "
                             "(- for standard input)")
    parser.add_argument("--station", metavar="ID",
                        help="for a session holding several stations: which one")
    parser.add_argument("--evse", type=int, required=True, metavar="N",
                        help="the EVSE (0: the whole station)")
    add_moment_option(parser, "--start", "start of the schedule", required=True)
    parser.add_argument("--duration", type=int, required=True, metavar="SECONDS",
                        help="length of the schedule in seconds")
    parser.add_argument("--unit", choices=("A", "W"),
                        help="charging rate unit of the result (default: that of the "
                             "profile installed last, else A)")
    parser.add_argument("--transaction", action="append", default=[], metavar="EVSE[=START]",
                        help="an EVSE that runs a transaction, started at START (a moment "
                             "in any form --start takes; unknown without it); repeat for "
                             "several EVSEs (default for a session: the transactions running "
                             "at --start)")
    parser.add_argument("--evses", type=int, metavar="N",
                        help="for --evse 0: the station has EVSEs 1 to N (default: those "
                             "the profiles and transactions name)")
    parser.add_argument("--default-limit-amps", type=float, default=DEFAULTS.default_limit_amps,
                        metavar="X", help="limit where no profile limits, in A "
                                          "(default %(default)g)")
    parser.add_argument("--default-limit-watts", type=float,
                        default=DEFAULTS.default_limit_watts, metavar="Y",
                        help="limit where no profile limits, in W (default %(default)g)")
    parser.add_argument("--voltage", type=float, default=DEFAULTS.voltage, metavar="V",
                        help="phase voltage for A <-> W (default %(default)g)")
    parser.add_argument("--phases", type=int, default=DEFAULTS.phases, metavar="N",
                        help="phases where a period names none (default %(default)s)")
    parser.add_argument("--json", action="store_true",
                        help="print the schedule as GetCompositeScheduleResponse.schedule")
    parser.set_defaults(run=run)


def _transactions(values: list[str]) -> dict[int, Moment | None]:
    """--transaction EVSE[=START] values: EVSE -> when its transaction started (None:
    unknown), read before the input so that a bad value is refused at once."""
    found: dict[int, Moment | None] = {}
    for value in values:
        evse_text, _, start = value.partition("=")
        try:
            evse = int(evse_text)
        except ValueError:
            raise UsageError(f"--transaction: '{value}' is not EVSE or EVSE=START "
                             "(for example 1=2024-05-01T12:00:00Z)") from None
        if evse < 1:
            raise UsageError(f"--transaction: EVSE {evse} runs no transaction; EVSEs count "
                             "from 1")
        found[evse] = read_moment(start, "--transaction") if start else None
    return found


def _options(args: argparse.Namespace) -> ScheduleOptions:
    # written so that nan fails them too: argparse's float() takes 'nan' and 'inf'
    for option, value in (("--default-limit-amps", args.default_limit_amps),
                          ("--default-limit-watts", args.default_limit_watts),
                          ("--voltage", args.voltage)):
        if not value >= 0 or (option == "--voltage" and not value > 0):
            least = "be more than 0" if option == "--voltage" else "be at least 0"
            raise UsageError(f"{option}: must {least}, not {value:g}")
        if value == math.inf:
            raise UsageError(f"{option}: must be a finite number, not {value:g}")
    if not 1 <= args.phases <= 3:
        raise UsageError(f"--phases: must be 1, 2 or 3, not {args.phases}")
    return ScheduleOptions(args.default_limit_amps, args.default_limit_watts, args.voltage,
                           args.phases)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Raises OcppScopeError for unusable input (reported by `app.cli.main`, exit 2)."""
    out = out or sys.stdout
    if args.duration < 1:
        raise UsageError(f"--duration: must be at least 1 second, not {args.duration}")
    if args.evse < 0:
        raise UsageError(f"--evse: must be 0 (the station) or an EVSE number, not {args.evse}")
    if args.evses is not None and args.evses < 1:
        raise UsageError(f"--evses: must be at least 1, not {args.evses}")
    options = _options(args)
    given = _transactions(args.transaction)
    found = schedule_input(args.input, at=args.start, station=args.station,
                           warn=lambda text: print(text, file=sys.stderr))
    start = found.start
    if start + args.duration > LATEST:  # no time past the year 9999 can be shown
        raise UsageError(f"--duration: {args.duration} s from the start ends past the year "
                         "9999")
    if args.transaction:
        transactions: dict[int, float | None] = {
            evse: None if moment is None else moment.epoch(found.first_record)
            for evse, moment in given.items()}
        ids: dict[int, str] = {}
    else:
        transactions, ids = found.transactions, found.transaction_ids
    evses = range(1, args.evses + 1) if args.evses is not None else (found.evses or None)
    schedule = composite_schedule(found.profiles, args.evse, start, args.duration,
                                  unit=args.unit or latest_unit(found.profiles),
                                  transactions=transactions, evses=evses, options=options,
                                  transaction_ids=ids)
    if args.json:
        out.write(json.dumps(schedule.to_ocpp()) + "\n")
    else:
        write_table(schedule, out)
    return 0


def write_table(schedule: CompositeSchedule, out: TextIO) -> None:
    """One line per period: when, the limit (marked where the default applies), phases and
    the profile that sets it."""
    rows = [("start", "end", "limit", "unit", "phases", "profile")]
    for period in schedule.periods:
        if period.limit is None:
            limit = f"{schedule.default_limit:g} (default)" if schedule.default_limit \
                is not None else "-"
        else:
            limit = f"{period.limit:.1f}".rstrip("0").rstrip(".")
        source = "-"
        if period.profile_id is not None or period.purpose:
            source = f"#{period.profile_id} {period.purpose or ''}".strip()
            if period.stack_level is not None:
                source += f" (level {period.stack_level})"
        elif period.limit is not None:
            source = "sum of the EVSEs"
        rows.append((ocpp_time(period.start), ocpp_time(period.end), limit, schedule.unit,
                     str(period.number_phases or "-"), source))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    where = "the whole station" if schedule.evse_id == 0 else f"EVSE {schedule.evse_id}"
    out.write(f"Composite schedule of {where}, {schedule.duration} s from "
              f"{ocpp_time(schedule.start)}\n")
    for row in rows:
        out.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                  .rstrip() + "\n")
