"""`ocppscope station`: be a charging station connecting to a CSMS."""

from __future__ import annotations

import argparse

from app import settings
from app.commands import live
from app.net.station import StationEndpoint


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "station", help="act as a charging station connecting to a CSMS",
        description=(
            "Connect to CSMS_URL/<ID> with subprotocol ocpp2.0.1, send BootNotification "
            "(again while Pending or Rejected), report each connector Available, then send "
            "Heartbeats at the CSMS's interval. Every request from the CSMS gets a "
            "schema-valid answer (see --responses). Reconnects with backoff when dropped."),
        epilog="example: ocppscope station --csms ws://localhost:9000/ocpp --id CP-001")
    settings.add_options(parser, "station")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Raises OcppScopeError for options that cannot work (reported by `app.cli.main`)."""
    config, policy = settings.station_setup(vars(args))

    async def start(capture, notice):  # type: ignore[no-untyped-def]
        station = StationEndpoint(config, capture, policy, notice)
        await station.start()
        notice(f"connecting to {station.url}")
        return station.stop

    return live.run_live(args, "station", {"csms": args.csms, "station": args.station_id},
                         start)
