"""Why a connection could not be made, in one sentence, and the HTTP status a proxy answers.

Users at a charger see only "connection refused" from most tools. Here every failure to
reach a peer names its cause: the name did not resolve, nothing listens, TLS failed (and
which check), the peer answered 401/404, or it did not answer in time.

Failing to reach a peer is described, not raised (a proxy answers the station and carries
on); failing to *listen* is raised as `ListenError` by `listen`, for the command line and
the window alike (see `app.errors` for the whole tree).
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from websockets.exceptions import InvalidHandshake, InvalidMessage, InvalidStatus, InvalidURI

from app.errors import ListenError


@dataclass(frozen=True, slots=True)
class ConnectFailure:
    status: int      # what a proxy answers the station: the peer's own status, or 502/504
    reason: str      # one sentence for the user
    body: str = ""   # the peer's response body, when it sent one
    answered: bool = False  # the peer sent `status` itself; else no HTTP answer came at all

    @property
    def peer_status(self) -> int | None:
        """The HTTP status the peer really answered, None when it never answered: a station
        that could not connect must not show a 502 nobody sent."""
        return self.status if self.answered else None


def describe_connect_error(exc: BaseException, url: str) -> ConnectFailure:
    if isinstance(exc, InvalidStatus):
        response = exc.response
        body = response.body.decode("utf-8", "replace") if response.body else ""
        phrase = _phrase(response.status_code)
        hint = {
            401: " (credentials missing or wrong: check the Basic auth user and password)",
            403: " (the CSMS refuses this station)",
            404: " (the CSMS does not know this path: check the URL and the station id)",
        }.get(response.status_code, "")
        return ConnectFailure(response.status_code,
                              f"{url} answered HTTP {response.status_code} {phrase}{hint}", body,
                              answered=True)
    if isinstance(exc, InvalidURI):
        return ConnectFailure(HTTPStatus.BAD_GATEWAY, f"'{url}' is not a ws:// or wss:// URL")
    if isinstance(exc, socket.gaierror):
        return ConnectFailure(HTTPStatus.BAD_GATEWAY,
                              f"cannot resolve the host name of {url} ({exc.strerror})")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return ConnectFailure(HTTPStatus.BAD_GATEWAY,
                              f"TLS certificate of {url} not accepted: {exc.verify_message}")
    if isinstance(exc, ssl.SSLError):
        return ConnectFailure(HTTPStatus.BAD_GATEWAY,
                              f"TLS handshake with {url} failed: {exc.reason or exc}")
    if isinstance(exc, ConnectionRefusedError):
        return ConnectFailure(HTTPStatus.BAD_GATEWAY,
                              f"connection to {url} refused: nothing listens there")
    if isinstance(exc, TimeoutError):
        return ConnectFailure(HTTPStatus.GATEWAY_TIMEOUT, f"{url} did not answer in time")
    if isinstance(exc, InvalidMessage):
        return ConnectFailure(HTTPStatus.BAD_GATEWAY, f"{url} {_no_http_answer(exc, url)}")
    if isinstance(exc, InvalidHandshake):
        return ConnectFailure(HTTPStatus.BAD_GATEWAY,
                              f"WebSocket handshake with {url} failed: {exc}")
    if isinstance(exc, OSError):
        return ConnectFailure(HTTPStatus.BAD_GATEWAY,
                              f"cannot connect to {url}: {exc.strerror or exc}")
    return ConnectFailure(HTTPStatus.BAD_GATEWAY, f"cannot connect to {url}: {exc}")


# What websockets' errors about the first line of an answer begin with: that line did not
# make an HTTP/1.1 status line, so it is what the server "sent" instead.
_STATUS_LINE_FAULTS = ("invalid HTTP status line", "unsupported protocol",
                       "invalid status code", "invalid HTTP reason phrase")
_ANSWER_START = "answer_start"  # attribute of an InvalidMessage: see `keep_answer_start`


def keep_answer_start(exc: InvalidMessage, received: bytes) -> None:
    """Keep on `exc` the first bytes (up to the end of the first line) a server answered an
    upgrade with, which websockets' message leaves out: the status line of an answer that
    was cut off or malformed, or nothing at all."""
    setattr(exc, _ANSWER_START, received)


def _no_http_answer(exc: InvalidMessage, url: str) -> str:
    """What came instead of a complete HTTP/1.1 answer to the upgrade. Only a connection
    closed before any answer came suggests TLS (a TLS server given ws:// drops what is not a
    TLS hello); an answer cut off or malformed after its status line quotes that line."""
    cause = exc.__cause__
    fault = str(cause or exc)
    received: bytes | None = getattr(exc, _ANSWER_START, None)  # None: not kept
    first_line = (received or b"").partition(b"\n")[0].rstrip(b"\r")
    quoted = repr(first_line.decode("utf-8", "replace"))
    if isinstance(cause, EOFError) and "status line" in fault:
        if received:  # a part of a first line, then the end
            return (f"began an answer to the WebSocket handshake ({quoted}) and closed the "
                    "connection before its status line ended")
        hint = ": does it expect TLS (wss://)?" if url.lower().startswith("ws://") else ""
        return f"closed the connection without answering the WebSocket handshake{hint}"
    if isinstance(cause, ValueError) and fault.startswith(_STATUS_LINE_FAULTS):
        sent = quoted if first_line else repr(fault.partition(": ")[2])
        return f"did not answer as a WebSocket server: it sent {sent}"
    if isinstance(cause, EOFError | ValueError):  # after a status line
        answered = f"answered the WebSocket handshake with {quoted}" if first_line \
            else "answered the WebSocket handshake"
        what = "was cut off" if isinstance(cause, EOFError) else "is malformed"
        return f"{answered}, but the answer {what} ({fault})"
    return f"did not answer the WebSocket handshake in HTTP ({fault})"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def describe_listen_error(exc: OSError, host: str, port: int) -> str:
    """One sentence for a server that cannot start listening."""
    import errno

    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use: stop the other program or pick a port"
    if exc.errno == errno.EACCES:
        return f"no permission to listen on port {port} (ports below 1024 need privileges)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve listen address '{host}'"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


async def listen(server: Any, host: str, port: int) -> None:
    """`await server.start()` for a Proxy, CsmsEndpoint or anything with that method; a
    failure to listen becomes a `ListenError` whose message says why in words."""
    try:
        await server.start()
    except OSError as exc:
        raise ListenError(describe_listen_error(exc, host, port)) from None
