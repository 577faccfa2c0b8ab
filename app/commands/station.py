"""`ocppscope station`: be a charging station connecting to a CSMS."""

from __future__ import annotations

import argparse
import os

from app import mode_config, settings
from app.commands import live
from app.net.station import StationEndpoint


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "station", help="act as a charging station connecting to a CSMS",
        description=(
            "Connect to CSMS_URL/<ID> with subprotocol ocpp2.0.1, send BootNotification "
            "(again while Pending or Rejected), report each connector Available, then send "
            "Heartbeats at the CSMS's interval. Every request from the CSMS gets a "
            "schema-valid answer (see --responses). Reconnects with backoff when dropped. "
            "The Basic auth password comes from --password, else --password-file, else the "
            f"environment variable {settings.PASSWORD_ENV}: the last two keep it out of "
            "`ps`. Without one, a user:password in the CSMS URL is sent; either way exactly "
            "one Authorization header, and the password is masked in everything printed and "
            "recorded unless --record-secrets."),
        epilog=f"example: {settings.PASSWORD_ENV}=s3cret ocppscope station "
               "--csms ws://localhost:9000/ocpp --id CP-001")
    settings.add_options(parser, "station")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Raises OcppScopeError for options that cannot work (reported by `app.cli.main`)."""
    values = vars(args)
    config, policy = mode_config.station_setup(values, os.environ)

    async def start(capture, notice):  # type: ignore[no-untyped-def]
        station = StationEndpoint(config, capture, policy, notice)
        await station.start()
        notice(f"connecting to {station.url}")
        return station.stop

    return live.run_live(args, "station", mode_config.header_details("station", values), start,
                         cautions=mode_config.cautions("station", values))
