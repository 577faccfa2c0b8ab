"""`ocppscope station`: be a charging station connecting to a CSMS."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from app.commands import live
from app.net import tls
from app.net.station import StationConfig, StationEndpoint


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "station", help="act as a charging station connecting to a CSMS",
        description=(
            "Connect to CSMS_URL/<ID> with subprotocol ocpp2.0.1, send BootNotification "
            "(again while Pending or Rejected), report each connector Available, then send "
            "Heartbeats at the CSMS's interval. Every request from the CSMS gets a "
            "schema-valid answer (see --responses). Reconnects with backoff when dropped."),
        epilog="example: ocppscope station --csms ws://localhost:9000/ocpp --id CP-001")
    parser.add_argument("--csms", required=True, metavar="URL",
                        help="the CSMS base URL, ws:// or wss://; the station id is appended")
    parser.add_argument("--id", required=True, metavar="ID", help="the station id")
    parser.add_argument("--password", metavar="TEXT",
                        help="HTTP Basic auth password (the user is the station id)")
    parser.add_argument("--connectors", type=int, default=1, metavar="N",
                        help="EVSEs with one connector each (default 1)")
    parser.add_argument("--vendor", default="OCPP Scope", help="vendorName in BootNotification")
    parser.add_argument("--model", default="Virtual Station", help="model in BootNotification")
    parser.add_argument("--heartbeat-interval", type=float, default=None, metavar="SECONDS",
                        help="override the interval the CSMS gives")
    tls_group = parser.add_argument_group("TLS (wss://)")
    tls_group.add_argument("--ca", metavar="PEM", help="CA bundle to trust (default: system's)")
    tls_group.add_argument("--client-cert", metavar="PEM",
                           help="client certificate to present (profile 3)")
    tls_group.add_argument("--client-key", metavar="PEM", help="its private key")
    tls_group.add_argument("--insecure", action="store_true",
                           help="do not verify the CSMS certificate (testing only)")
    live.add_policy_options(parser)
    live.add_live_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        scheme = urlsplit(args.csms).scheme
        if scheme not in ("ws", "wss"):
            raise live.UsageError(f"--csms '{args.csms}' must start with ws:// or wss://")
        if args.connectors < 1:
            raise live.UsageError("--connectors must be at least 1")
        config = StationConfig(
            csms_url=args.csms, station_id=args.id, password=args.password,
            vendor=args.vendor, model=args.model, connectors=[1] * args.connectors,
            heartbeat_interval=args.heartbeat_interval, max_size=args.max_size,
            record_secrets=args.record_secrets,
            client_ssl=tls.client_context(args.ca, args.client_cert, args.client_key,
                                          verify=not args.insecure)
            if scheme == "wss" else None)
        policy = live.policy_from(args)
    except (live.UsageError, tls.TlsSetupError) as exc:
        print(f"ocppscope station: {exc}")
        return live.EXIT_USAGE

    async def start(capture, notice):  # type: ignore[no-untyped-def]
        station = StationEndpoint(config, capture, policy, notice)
        await station.start()
        notice(f"connecting to {station.url}")
        return station.stop

    return live.run_live(args, "station", {"csms": args.csms, "station": args.id}, start)
