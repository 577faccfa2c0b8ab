"""The HTTP heads the wire-transparent proxy reads and writes around a WebSocket upgrade.

The transparent proxy (`app.net.splice`) relays the upgrade itself instead of running a
WebSocket stack, so it parses the station's request head, writes the CSMS's copy of it, and
answers the station itself when the CSMS cannot be reached. These are pure functions on bytes
and text, apart from the sockets they travel on: they are tested without any, and read
leniently, because a head is relayed, not judged (the handshake facts judge it).
"""

from __future__ import annotations

from typing import Any

from websockets.datastructures import Headers

# The request headers the proxy writes itself; every other one goes to the CSMS as it came.
REWRITTEN = frozenset({"host", "authorization"})

_PHRASES = {400: "Bad Request", 404: "Not Found", 502: "Bad Gateway",
            503: "Service Unavailable", 504: "Gateway Timeout"}


def parse_head(head: bytes) -> tuple[str, Headers]:
    """The first line and the headers of an HTTP head, read leniently (latin-1, lines
    without a colon skipped): the head is relayed, not judged."""
    lines = head.decode("latin-1").split("\r\n")
    headers = Headers()
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon and name.strip():
            headers[name.strip()] = value.strip()
    return lines[0], headers


def status_of(line: str) -> int:
    """The status code of a response's first line; 0 for a line that has none."""
    parts = line.split(" ", 2)
    try:
        return int(parts[1])
    except (IndexError, ValueError):
        return 0


def request_head(target: Any, headers: Headers, authorization: dict[str, str]) -> bytes:
    """The station's request as the CSMS gets it (`target`: the CSMS URL, split): the
    CSMS's path and Host, our one Authorization header; every other header in its order,
    as the station wrote it."""
    path = target.path or "/"
    if target.query:
        path += "?" + target.query
    default_port = 443 if target.scheme == "wss" else 80
    host = target.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if target.port and target.port != default_port:
        host += f":{target.port}"
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.raw_items()
              if name.lower() not in REWRITTEN]
    lines += [f"{name}: {value}" for name, value in authorization.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


def answer_head(status: int, text: str) -> bytes:
    """An HTTP answer of our own (the CSMS was not reached, or the request is no upgrade):
    `text` as its plain-text body, and the connection closed after it."""
    body = (text.rstrip("\n") + "\n").encode("utf-8")
    phrase = _PHRASES.get(status, "Error")
    return (f"HTTP/1.1 {status} {phrase}\r\nServer: OCPP Scope\r\nConnection: close\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n"
            .encode("latin-1") + body)
