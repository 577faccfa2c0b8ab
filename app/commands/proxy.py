"""`ocppscope proxy`: sit between stations and their CSMS, show and record every frame."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from app.commands import live
from app.net import errors, tls
from app.net.proxy import Proxy, ProxyConfig


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "proxy", help="relay stations to their CSMS and check every frame",
        description=(
            "Listen for charging stations and relay each one to the CSMS: a station that "
            "connects to ws://HOST:PORT/<anything>/<stationId> is connected to "
            "UPSTREAM/<stationId>. Frames are forwarded unchanged before they are checked, "
            "printed or recorded. Subprotocols and Basic auth pass through; when the CSMS "
            "refuses or cannot be reached, the station gets its HTTP status and you get the "
            "reason."),
        epilog="example: ocppscope proxy --listen 0.0.0.0:9000 "
               "--upstream wss://csms.example.com/ocpp --record site.jsonl")
    parser.add_argument("--listen", default="127.0.0.1:9000", metavar="HOST:PORT",
                        help="where stations connect (default 127.0.0.1:9000)")
    parser.add_argument("--upstream", required=True, metavar="URL",
                        help="the CSMS base URL, ws:// or wss://; the station id is appended")
    server = parser.add_argument_group("TLS towards the stations (wss://)")
    server.add_argument("--cert", metavar="PEM", help="server certificate (chain) to present")
    server.add_argument("--key", metavar="PEM", help="its private key, if not in --cert")
    server.add_argument("--client-ca", metavar="PEM",
                        help="require station certificates signed by this CA (profile 3)")
    upstream = parser.add_argument_group("TLS towards the CSMS")
    upstream.add_argument("--upstream-ca", metavar="PEM",
                          help="CA bundle to trust (default: the system's)")
    upstream.add_argument("--upstream-cert", metavar="PEM",
                          help="client certificate to present to the CSMS (profile 3)")
    upstream.add_argument("--upstream-key", metavar="PEM", help="its private key")
    upstream.add_argument("--insecure", action="store_true",
                          help="do not verify the CSMS certificate (testing only)")
    parser.add_argument("--ping-interval", type=float, default=None, metavar="SECONDS",
                        help="send our own pings on both hops (default: none, transparent)")
    live.add_live_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        host, port = live.parse_address(args.listen)
        scheme = urlsplit(args.upstream).scheme
        if scheme not in ("ws", "wss"):
            raise live.UsageError(f"--upstream '{args.upstream}' must start with ws:// or wss://")
        config = ProxyConfig(
            upstream=args.upstream, host=host, port=port, max_size=args.max_size,
            ping_interval=args.ping_interval, record_secrets=args.record_secrets,
            server_ssl=tls.server_context(args.cert, args.key, args.client_ca)
            if args.cert else None,
            upstream_ssl=tls.client_context(args.upstream_ca, args.upstream_cert,
                                            args.upstream_key, verify=not args.insecure)
            if scheme == "wss" else None)
    except (live.UsageError, tls.TlsSetupError) as exc:
        print(f"ocppscope proxy: {exc}")
        return live.EXIT_USAGE

    async def start(capture, notice):  # type: ignore[no-untyped-def]
        proxy = Proxy(config, capture, notice)
        await errors.listen(proxy, host, port)
        notice(f"listening on {proxy.url}/<stationId>, relaying to {args.upstream}/<stationId>")
        return proxy.stop

    return live.run_live(args, "proxy", {"listen": args.listen, "upstream": args.upstream},
                         start)
