"""The HTTP upgrade of a captured connection: what the station asked for, what it got.

Request and response are parsed by websockets' sans-io HTTP parser; the summary kept of
them uses the same helpers and the same keys as a live proxy's connection events (path,
remote, offered, subprotocol, auth with the user name only), so an imported connection reads
like a recorded one. The negotiated permessage-deflate settings become one inflater per side.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from websockets.exceptions import InvalidHeader
from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.headers import parse_extension
from websockets.http11 import Request, Response
from websockets.streams import StreamReader

from app.net import links
from app.session.importers.websocket_stream import deflate_decoder


class HttpHead:
    """Reads one HTTP request (from the client) or response (from the server) off a stream;
    `feed` returns True once it is complete or failed (`error` then says why). What follows
    the head stays in `rest`."""

    def __init__(self, request: bool) -> None:
        self._reader = StreamReader()
        self._parser: Generator[None, None, Request | Response] = (
            Request.parse(self._reader.read_line) if request else
            Response.parse(self._reader.read_line, self._reader.read_exact,
                           self._reader.read_to_eof))
        self.head: Request | Response | None = None
        self.error: str | None = None

    def feed(self, data: bytes, eof: bool = False) -> bool:
        if self.head is not None or self.error is not None:
            return True
        self._reader.feed_data(data)
        if eof:
            self._reader.feed_eof()
        try:
            next(self._parser)
            return False
        except StopIteration as done:
            self.head = done.value
        except Exception as exc:  # any malformed head from a peer is a note, never a crash
            self.error = str(exc) or type(exc).__name__
        return True

    @property
    def rest(self) -> bytes:
        return bytes(self._reader.buffer)


def station_of(request: Request) -> str:
    return links.station_id_from_path(request.path)


def opened_meta(request: Request, response: Response | None,
                remote: str) -> dict[str, Any]:
    """The OPENED record's meta, as a live proxy writes it (never a password); without the
    response (not captured) the subprotocol chosen is unknown (None)."""
    offer = links.read_offer(request.headers)
    meta: dict[str, Any] = {"path": request.path, "remote": remote,
                            "offered": list(offer.protocols)}
    if offer.malformed or not offer.raw:
        meta["offered_raw"] = offer.describe()
    auth = links.auth_summary(request.headers, record_secrets=False)
    if auth:
        meta["auth"] = auth
    meta["subprotocol"] = response.headers.get("Sec-WebSocket-Protocol") if response else None
    extensions = response.headers.get_all("Sec-WebSocket-Extensions") if response else []
    if extensions:
        meta["extensions"] = ", ".join(extensions)
    return meta


def rejected_meta(request: Request, response: Response, remote: str) -> dict[str, Any]:
    meta = opened_meta(request, response, remote)
    meta.pop("subprotocol", None)
    meta.update(status=response.status_code, reason=response.reason_phrase)
    return meta


def inflaters(response: Response) -> tuple[PerMessageDeflate | None, PerMessageDeflate | None]:
    """(for what the station sends, for what the CSMS sends), from the permessage-deflate
    the server accepted; (None, None) when it accepted none."""
    try:
        accepted = [ext for value in response.headers.get_all("Sec-WebSocket-Extensions")
                    for ext in parse_extension(value)]
    except InvalidHeader:
        return None, None
    for name, params in accepted:
        if name != "permessage-deflate":
            continue
        settings = dict(params)
        return (deflate_decoder("client_no_context_takeover" in settings,
                                _bits(settings.get("client_max_window_bits"))),
                deflate_decoder("server_no_context_takeover" in settings,
                                _bits(settings.get("server_max_window_bits"))))
    return None, None


def _bits(value: str | None) -> int:
    return int(value) if value is not None and value.isdigit() else 15
