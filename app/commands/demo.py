"""`ocppscope demo`: a complete charging session on loopback, through our own proxy."""

from __future__ import annotations

import argparse

from app import settings
from app.commands import live
from app.net.demo import Demo


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="watch a scripted charging session (station -> proxy -> CSMS)",
        description=(
            "Start a CSMS, a proxy and a station on this machine, all OCPP Scope, and play a "
            "charging session through the proxy: boot, status, authorization, a transaction "
            "with meter values and a charging profile, a frame with a typical fault, and a "
            "remotely started and stopped transaction. Shows what the proxy sees."))
    settings.add_options(parser, "demo")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Raises OcppScopeError for options that cannot work (reported by `app.cli.main`)."""
    settings.checked("demo", vars(args))
    demo_box: list[Demo] = []

    async def start(capture, notice):  # type: ignore[no-untyped-def]
        demo = Demo(capture, notice, pace=args.pace)
        demo_box.append(demo)
        await demo.start()
        return demo.stop

    async def until() -> None:
        await demo_box[0].play()
        if args.keep_running:
            import asyncio

            await asyncio.Event().wait()

    return live.run_live(args, "demo", {"station": "DEMO-CP-01"}, start, until=until)
