"""`ocppscope csms`: be the CSMS that stations connect to."""

from __future__ import annotations

import argparse

from app.commands import live
from app.net import errors, tls
from app.net.csms import CsmsConfig, CsmsEndpoint


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "csms", help="act as a CSMS that stations connect to",
        description=(
            "Accept charging stations on ws://HOST:PORT/ocpp/<stationId> (subprotocol "
            "ocpp2.0.1) and answer every request they send with a schema-valid answer: "
            "BootNotification Accepted, Authorize Accepted, and so on for all 64 actions. "
            "--responses changes the answer per action (reject, a given payload, a CALLERROR, "
            "no answer, a delay)."),
        epilog="example: ocppscope csms --listen 0.0.0.0:9000 --record bench.jsonl")
    parser.add_argument("--listen", default="127.0.0.1:9000", metavar="HOST:PORT",
                        help="where stations connect (default 127.0.0.1:9000)")
    parser.add_argument("--heartbeat-interval", type=int, default=300, metavar="SECONDS",
                        help="the interval given in BootNotification answers (default 300)")
    server = parser.add_argument_group("TLS (wss://)")
    server.add_argument("--cert", metavar="PEM", help="server certificate (chain) to present")
    server.add_argument("--key", metavar="PEM", help="its private key, if not in --cert")
    server.add_argument("--client-ca", metavar="PEM",
                        help="require station certificates signed by this CA (profile 3)")
    live.add_policy_options(parser)
    live.add_live_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        host, port = live.parse_address(args.listen)
        policy = live.policy_from(args, args.heartbeat_interval)
        config = CsmsConfig(host=host, port=port, max_size=args.max_size,
                            record_secrets=args.record_secrets,
                            server_ssl=tls.server_context(args.cert, args.key, args.client_ca)
                            if args.cert else None)
    except (live.UsageError, tls.TlsSetupError) as exc:
        print(f"ocppscope csms: {exc}")
        return live.EXIT_USAGE

    async def start(capture, notice):  # type: ignore[no-untyped-def]
        csms = CsmsEndpoint(config, capture, policy, notice)
        await errors.listen(csms, host, port)
        notice(f"listening on {csms.url}/<stationId>")
        return csms.stop

    return live.run_live(args, "csms", {"listen": args.listen}, start)
