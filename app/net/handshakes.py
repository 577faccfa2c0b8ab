"""Attempts that never reach the WebSocket layer, recorded all the same.

A TLS handshake that fails on a server of ours (a charger with no client certificate, plain
TCP sent to a wss:// port) is seen only inside asyncio's TLS layer, which drops it silently;
a plain HTTP request without an upgrade is answered by websockets before any handler. Both
are connection attempts a field engineer needs to see: here each becomes a `rejected`
record with its diagnosis, the same in every mode (proxy, CSMS).
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable, Mapping
from typing import Any

from app.net import links
from app.net.diagnosis import TLS_WORDS, tls_facts, upgrade_problem
from app.session.capture import Capture
from app.session.message import RecordKind

log = logging.getLogger(__name__)

Notice = Callable[[str], None]


def watch_tls_handshakes(context: ssl.SSLContext | None, capture: Capture, notice: Notice,
                         role: str) -> None:
    """Make every failed TLS handshake on a server using `context` a `rejected` record
    (`role`: who we are, "proxy" or "csms"). Handshakes that succeed are not touched."""
    if context is None:
        return

    def failed(exc: ssl.SSLError) -> None:
        try:
            facts = tls_facts(exc) or {"class": "other", "detail": str(exc)}
            words = TLS_WORDS.get(facts["class"], TLS_WORDS["other"])
            meta = {"role": role, "hop": "station", "tls": facts,
                    "reason": f"TLS handshake with a charger failed: {words}"}
            capture.event(RecordKind.REJECTED, links.next_connection_id(), "", meta)
            notice(f"refused during TLS: {words} ({facts.get('detail')})")
        except Exception:  # observing must never break the server
            log.exception("recording a failed TLS handshake failed")

    class _Reporting(ssl.SSLObject):
        """The TLS object asyncio drives; it tells `failed` why a handshake broke."""

        def do_handshake(self) -> None:
            try:
                super().do_handshake()
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                raise
            except ssl.SSLError as exc:
                failed(exc)
                raise

    context.sslobject_class = _Reporting


def not_an_upgrade(meta: Mapping[str, Any]) -> str | None:
    """The refusal reason for a request without the WebSocket upgrade headers (`meta` holds
    `diagnosis.handshake_facts`), None for a proper upgrade."""
    problem = upgrade_problem(meta)
    if problem is None:
        return None
    return f"not a WebSocket upgrade request ({problem})"
