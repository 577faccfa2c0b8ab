"""Attempts that never reach the WebSocket layer, recorded all the same.

A TLS handshake that fails on a server of ours (a charger with no client certificate, plain
TCP sent to a wss:// port) is seen only inside asyncio's TLS layer, which drops it silently;
a plain HTTP request without an upgrade is answered by websockets before any handler. Both
are connection attempts a field engineer needs to see: here each becomes a `rejected`
record with its diagnosis, the same in every mode (proxy, CSMS).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import sys
from collections.abc import Callable, Mapping
from typing import Any

from websockets.asyncio.server import ServerConnection

from app.net import links
from app.net.diagnosis import TLS_WORDS, tls_facts, upgrade_problem
from app.session.capture import Capture
from app.session.message import RecordKind

log = logging.getLogger(__name__)

Notice = Callable[[str], None]
# A charger refused during TLS has not yet said which station it is (the path is inside).
STATION_UNKNOWN = "unknown until the handshake"


def watch_tls_handshakes(context: ssl.SSLContext | None, capture: Capture, notice: Notice,
                         role: str) -> None:
    """Make every failed TLS handshake on a server using `context` a `rejected` record
    (`role`: who we are, "proxy" or "csms"). Handshakes that succeed are not touched."""
    if context is None:
        return

    def failed(exc: ssl.SSLError, remote: str) -> None:
        try:
            facts = tls_facts(exc, "server") or {"class": "other", "detail": str(exc)}
            words = TLS_WORDS.get(facts["class"], TLS_WORDS["other"])
            meta = {"role": role, "hop": "station", "tls": facts, "remote": remote,
                    "station_id": STATION_UNKNOWN,
                    "reason": f"TLS handshake with a charger failed: {words}"}
            capture.event(RecordKind.REJECTED, links.next_connection_id(), "", meta)
            notice(f"{remote or 'a charger'}: refused during TLS: {words} "
                   f"({facts.get('detail')})")
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
                failed(exc, _handshaking_peer())
                raise

    context.sslobject_class = _Reporting


def _handshaking_peer() -> str:
    """The address of the charger whose TLS handshake is running, "" if not found.

    asyncio gives the TLS object no way to its socket, but the handshake is always driven by
    the connection's `SSLProtocol`, a few calls up the stack: its transport knows the peer.
    """
    frame = sys._getframe(1)
    for _ in range(8):
        if frame is None:
            break
        holder = frame.f_locals.get("self")
        if isinstance(holder, asyncio.sslproto.SSLProtocol):
            transport = getattr(holder, "_transport", None)
            address = transport.get_extra_info("peername") if transport is not None else None
            return _address(address)
        frame = frame.f_back
    return ""


def _address(address: Any) -> str:
    if not isinstance(address, tuple) or len(address) < 2:
        return ""
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"


def looks_like_tls(data: bytes) -> bool:
    """Whether the first bytes of a connection start a TLS ClientHello: a handshake record
    (0x16) of TLS 1.0 to 1.3 (0x03 0x01..0x04; some clients write 0x03 0x00 there)."""
    return len(data) >= 3 and data[0] == 0x16 and data[1] == 0x03 and data[2] <= 0x04


def tls_on_plain_port(capture: Capture, notice: Notice, role: str, remote: str) -> str:
    """Record a charger that started TLS on a plain ws:// port as a `rejected` attempt, and
    return the answer for it: a plain HTTP 400, which its TLS stack reports as "wrong version
    number", the nearest thing to the truth it can say."""
    meta = {"role": role, "hop": "station", "remote": remote, "station_id": STATION_UNKNOWN,
            "tls": {"class": "tls-to-plain", "detail": "a TLS ClientHello arrived"},
            "reason": "a TLS ClientHello arrived on a plain ws:// port"}
    try:
        message = capture.event(RecordKind.REJECTED, links.next_connection_id(), "", meta)
        notice(f"{remote or 'a charger'}: refused: {message.meta.get('diagnosis')}")
    except Exception:  # observing must never break the server
        log.exception("recording TLS sent to a plain port failed")
    body = b"this port speaks plain ws://, not TLS\n"
    return (b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body))


def watch_handshakes(context: ssl.SSLContext | None, capture: Capture, notice: Notice,
                     role: str, connection: type[ServerConnection] = ServerConnection
                     ) -> type[ServerConnection]:
    """Record the attempts a server's WebSocket layer never sees: failed TLS handshakes on a
    wss:// server (`watch_tls_handshakes`), TLS sent to a ws:// one. Returns the connection
    class to serve with (`create_connection` of websockets' `serve`)."""
    if context is not None:
        watch_tls_handshakes(context, capture, notice, role)
        return connection

    class _PlainOnly(connection):  # type: ignore[valid-type, misc]
        """A connection that looks at its first bytes: a TLS ClientHello is answered and
        recorded here, before websockets reads it as a broken HTTP request."""

        _first_bytes_seen = False

        def data_received(self, data: bytes) -> None:
            if not self._first_bytes_seen:
                self._first_bytes_seen = True
                if looks_like_tls(data):
                    remote = _address(self.transport.get_extra_info("peername"))
                    self.transport.write(tls_on_plain_port(capture, notice, role, remote))
                    self.transport.close()
                    return
            super().data_received(data)

    return _PlainOnly


def not_an_upgrade(meta: Mapping[str, Any]) -> str | None:
    """The refusal reason for a request without the WebSocket upgrade headers (`meta` holds
    `diagnosis.handshake_facts`), None for a proper upgrade."""
    problem = upgrade_problem(meta)
    if problem is None:
        return None
    return f"not a WebSocket upgrade request ({problem})"
