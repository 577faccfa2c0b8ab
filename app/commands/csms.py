"""`ocppscope csms`: be the CSMS that stations connect to."""

from __future__ import annotations

import argparse

from app import mode_config, settings
from app.commands import live
from app.net import links
from app.net.csms import CsmsEndpoint
from app.net.errors import listen


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
    settings.add_options(parser, "csms")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Raises OcppScopeError for options that cannot work (reported by `app.cli.main`)."""
    values = vars(args)
    config, policy = mode_config.csms_setup(values)

    async def start(capture, notice):  # type: ignore[no-untyped-def]
        csms = CsmsEndpoint(config, capture, policy, notice)
        await listen(csms, config.host, config.port)
        notice(f"listening on {csms.url}/<stationId>" + live.room(csms.capacity))
        live.caution(notice, links.listening_caution(config.host, csms.port))
        return csms.stop

    return live.run_live(args, "csms", mode_config.header_details("csms", values), start,
                         cautions=mode_config.cautions("csms", values))
