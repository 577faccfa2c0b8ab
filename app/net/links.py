"""What the endpoints and the proxy share about one WebSocket connection: the station id
from the URL path, the offered subprotocols (read leniently), Basic auth, and how it closed."""

from __future__ import annotations

import asyncio
import base64
import binascii
import ipaddress
import itertools
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from websockets.asyncio.connection import Connection
from websockets.asyncio.server import Server
from websockets.datastructures import Headers

OCPP201 = "ocpp2.0.1"

_connection_ids = itertools.count(1)


def next_connection_id() -> str:
    return f"c{next(_connection_ids)}"


def station_id_from_path(path: str) -> str:
    """The last non-empty path segment, decoded: `/ocpp/CP-001` -> `CP-001`."""
    segments = [s for s in urlsplit(path).path.split("/") if s]
    return unquote(segments[-1]) if segments else ""


@dataclass(frozen=True, slots=True)
class Offer:
    """The `Sec-WebSocket-Protocol` a client sent: the raw header values and the list read
    from them leniently (empty entries like in `,ocpp2.0.1` dropped and reported)."""

    raw: tuple[str, ...]
    protocols: tuple[str, ...]

    @property
    def malformed(self) -> bool:
        return any(not item.strip() for value in self.raw for item in value.split(","))

    def describe(self) -> str:
        if not self.raw:
            return "no Sec-WebSocket-Protocol header"
        shown = ", ".join(repr(v) for v in self.raw)
        return f"Sec-WebSocket-Protocol {shown}" + (" (has empty entries)" if self.malformed
                                                     else "")


def read_offer(headers: Headers) -> Offer:
    raw = tuple(headers.get_all("Sec-WebSocket-Protocol"))
    protocols = tuple(item.strip() for value in raw for item in value.split(",") if item.strip())
    return Offer(raw, protocols)


def clean_offer(headers: Headers, offer: Offer) -> None:
    """Rewrite a malformed header so the handshake can go on; the raw value is recorded."""
    if offer.malformed:
        del headers["Sec-WebSocket-Protocol"]
        if offer.protocols:
            headers["Sec-WebSocket-Protocol"] = ", ".join(offer.protocols)


def first_authorization(headers: Headers) -> str | None:
    """The first `Authorization` value: a request may (wrongly) carry several, and the
    mapping's own lookup raises for that."""
    values = headers.get_all("Authorization")
    return values[0] if values else None


def basic_auth(headers: Headers) -> tuple[str, str] | None:
    """(user, password) from an `Authorization: Basic` header, None if absent or unreadable."""
    value = first_authorization(headers) or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "basic" or not token:
        return None
    try:
        user, _, password = base64.b64decode(token.strip(), validate=True).decode(
            "utf-8", "replace").partition(":")
    except (binascii.Error, ValueError):
        return None
    return user, password


def auth_summary(headers: Headers, record_secrets: bool) -> dict[str, Any] | None:
    """What a session file may keep of the credentials: the user, never the password unless
    the user asked for it."""
    value = first_authorization(headers)
    if value is None:
        return None
    credentials = basic_auth(headers)
    if credentials is None:
        return {"scheme": value.partition(" ")[0] or "?", "readable": False}
    summary: dict[str, Any] = {"scheme": "Basic", "user": credentials[0]}
    if record_secrets:
        summary["password"] = credentials[1]
    return summary


def listening_port(server: Server | None) -> int:
    """The port a started server listens on (the one the OS chose, for port 0)."""
    assert server is not None, "start() first"
    return server.sockets[0].getsockname()[1]


def listening_url(ssl: object, host: str, port: int, path: str = "") -> str:
    """The URL peers use to reach a server of ours (wss:// when it has a TLS context); an
    IPv6 address goes in brackets, as URLs write it (`ws://::1:9000` is no URL)."""
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"{'wss' if ssl else 'ws'}://{shown}:{port}{path}"


def peer_address(connection: Connection) -> str:
    address = connection.remote_address
    if not address:
        return ""
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True, slots=True)
class CloseInfo:
    code: int
    reason: str
    by: str          # which side started the close: "station", "csms", "proxy", "us"...
    clean: bool      # a closing handshake took place (False: the TCP connection dropped)


def close_info(connection: Connection, remote: str, local: str) -> CloseInfo:
    """How `connection` ended: `remote` names the peer, `local` ourselves (for `by`)."""
    protocol = connection.protocol
    received, sent = protocol.close_rcvd, protocol.close_sent
    if received is not None and (sent is None or protocol.close_rcvd_then_sent):
        return CloseInfo(received.code, received.reason, remote, True)
    if sent is not None:
        return CloseInfo(sent.code, sent.reason, local, received is not None)
    return CloseInfo(1006, "connection lost without a closing handshake", remote, False)


# Seconds a closing handshake may take before the connection is cut.
CLOSE_TIMEOUT = 2.0


async def close_within(connection: Connection, code: int = 1000, reason: str = "",
                       timeout: float = CLOSE_TIMEOUT) -> None:
    """Close `connection` with `code`, and cut it if that takes longer than `timeout`.

    websockets' `close()` first writes the close frame and waits for it to drain, with no
    time limit: a peer that stopped reading holds it forever (and with it a stop, or the
    link to the other side). Here the close runs for `timeout` seconds; then the transport
    is aborted, which also wakes every send blocked on that peer. Never raises for the
    connection's state: a connection already gone is closed enough."""
    closing = asyncio.ensure_future(connection.close(code, reason))
    done, _ = await asyncio.wait({closing}, timeout=timeout)
    if not done:
        connection.transport.abort()
        done, _ = await asyncio.wait({closing}, timeout=timeout)
        if not done:
            closing.cancel()
            return
    if not closing.cancelled():
        closing.exception()  # retrieved: a failed close is the peer's business, not ours


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach `host`: 127.0.0.0/8, ::1 (also IPv4-mapped) or
    localhost. Anything else, including "" and 0.0.0.0 (every address), counts as reachable."""
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def listening_caution(host: str, port: int) -> str | None:
    """The one sentence to show while a server listens beyond loopback, None on loopback:
    a debugger reachable from the network is the user's explicit choice, and should look it."""
    if is_loopback(host):
        return None
    shown = f"[{host}]" if ":" in host else host or "*"
    return f"listening on {shown}:{port} — reachable from the network, not only this machine"
