"""`ocppscope proxy`: sit between stations and their CSMS, show and record every frame."""

from __future__ import annotations

import argparse

from app import mode_config, settings
from app.commands import live, observer_process
from app.net import links, secrets
from app.net.errors import listen
from app.net.intercept import Interceptor
from app.net.intercept_rules import load_rules
from app.net.splice import open_proxy


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "proxy", help="relay stations to their CSMS and check every frame",
        description=(
            "Listen for charging stations and relay each one to the CSMS: a station that "
            "connects to ws://HOST:PORT/<anything>/<stationId> is connected to "
            "UPSTREAM/<stationId>. Frames are forwarded unchanged before they are checked, "
            "printed or recorded. Subprotocols and Basic auth pass through (one Authorization "
            "header: see --upstream-auth); when the CSMS refuses or cannot be reached, the "
            "station gets its HTTP status and you get the reason. Passwords and tokens in "
            "URLs are masked in everything printed and recorded unless --record-secrets. "
            "With --rules, frames selected by intercept rules are held, rewritten, delayed, "
            "dropped, duplicated, answered in place of the peer, or end the connection; each "
            "such frame is recorded with what arrived and what was sent on."),
        epilog="example: ocppscope proxy --listen 0.0.0.0:9000 "
               "--upstream wss://csms.example.com/ocpp --record site.jsonl")
    settings.add_options(parser, "proxy")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Raises OcppScopeError for options that cannot work (reported by `app.cli.main`)."""
    values = vars(args)
    config = mode_config.proxy_config(values)
    # headless: nothing needs a record the moment its frame is forwarded, so the terminating
    # proxy judges and records on its observer thread, off the forwarding path
    config.observe_aside = True
    # read before listening, so a broken rules file is one line and nothing started
    interceptor = Interceptor(load_rules(values["rules"])) if values.get("rules") else None

    async def start(capture, notice):  # type: ignore[no-untyped-def]
        proxy = open_proxy(config, capture, notice, interceptor)
        await listen(proxy, config.host, config.port)
        if interceptor is not None:
            armed = [rule.name for rule in interceptor.rules if rule.enabled]
            notice(f"intercept rules armed: {', '.join(armed) or 'none enabled'}")
        notice(f"listening on {proxy.url}/<stationId>, relaying to "
               f"{secrets.mask_url(args.upstream)}/<stationId>"
               + live.room(proxy.capacity))
        live.caution(notice, links.listening_caution(config.host, proxy.port))
        return proxy.stop

    # Intercept rules need a frame's record the moment it is taken (a held frame is shown,
    # a rewritten one recorded with what arrived): the capture must be in this process, so
    # with rules the proxy judges here, on its observer thread. Without, it judges in a
    # process of its own, where judging cannot slow forwarding.
    run = live.run_live if interceptor is not None else observer_process.run_apart
    return run(args, "proxy", mode_config.header_details("proxy", values), start,
               cautions=mode_config.cautions("proxy", values))
