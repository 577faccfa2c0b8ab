"""The two hops of a terminating proxy link, as each side sees the other: what a handshake
offered and agreed, where the station's URL goes upstream, which side closed first, how a
close is passed on, and the watch for a peer that reset while nobody read it.

Plain functions over websockets connections, shared by the terminating proxy
(`app.net.proxy`) and, where they apply, the wire-transparent one (`app.net.splice`).
"""

from __future__ import annotations

import asyncio
import socket

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers

from app.net import links

# Close codes that cannot be sent in a close frame; the other side is told differently.
_UNSENDABLE = {1005, 1006, 1015}
# Seconds between two looks for a reset peer while a link is backed up.
RESET_CHECK_INTERVAL = 1.0
# Seconds a close passed on to the other side may take before that side is cut.
_PROPAGATE_TIMEOUT = 5.0


def offers_deflate(headers: Headers) -> bool:
    """Whether a client's handshake offers permessage-deflate."""
    return any("permessage-deflate" in value.lower()
               for value in headers.get_all("Sec-WebSocket-Extensions"))


def negotiated_extensions(connection: ClientConnection | ServerConnection) -> str:
    """The `Sec-WebSocket-Extensions` a handshake agreed on ("" for none)."""
    response = connection.response
    return (response.headers.get("Sec-WebSocket-Extensions") or "") if response else ""


def upstream_url(upstream: str, path: str) -> str:
    """The upstream URL with the station's id (the last segment of the `path` it asked for)
    appended to its path; the query of the upstream URL (a token) and the station's own
    query are both kept, after the path."""
    base, _, base_query = upstream.partition("?")
    query = path.partition("?")[2]
    segment = path.partition("?")[0].rstrip("/").rsplit("/", 1)[-1]
    queries = "&".join(q for q in (base_query, query) if q)
    return f"{base.rstrip('/')}/{segment}" + (f"?{queries}" if queries else "")


def first_closed(ended: list[ClientConnection | ServerConnection]
                  ) -> ClientConnection | ServerConnection:
    """Of the sides that ended the relay, the one that closed first: a side whose peer sent a
    close frame before we sent one wins over a side we only saw go away."""
    for ws in ended:
        protocol = ws.protocol
        if protocol.close_rcvd is not None and (protocol.close_sent is None
                                                or protocol.close_rcvd_then_sent):
            return ws
    return ended[0]


async def watch_for_resets(*sides: ClientConnection | ServerConnection) -> None:
    """Cut a side whose peer reset the connection while nobody was reading it.

    When one peer stops reading, the relay stops reading the other (backpressure); a reset
    of that other peer then goes unseen, and the link would wait forever with its buffers
    full. While anything waits to be written, the kernel's pending socket error tells: a
    side with one is aborted, which ends the link as if it had been read."""
    while True:
        await asyncio.sleep(RESET_CHECK_INTERVAL)
        if not any(ws.transport.get_write_buffer_size() for ws in sides):
            continue  # everything flows: a reset will be read like any close
        for ws in sides:
            sock = ws.transport.get_extra_info("socket")
            if sock is not None and sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                ws.transport.abort()


async def propagate_close(other: ClientConnection | ServerConnection,
                           info: links.CloseInfo) -> None:
    """Close the other side the way this side was closed, as far as the protocol allows;
    a side that does not take the close in time is cut (see `links.close_within`)."""
    if info.code == 1006 or (not info.clean and info.by != "proxy"):
        other.transport.abort()  # the peer vanished: let the other side see the same
        return
    if info.code in _UNSENDABLE:
        code, reason = 1000, ""
    elif info.by == "proxy":
        code, reason = 1001, f"proxy closed the other side: {info.code} {info.reason}"[:120]
    else:
        code, reason = info.code, info.reason
    # shielded: runs to its end even when the relay is cancelled meanwhile
    await asyncio.shield(links.close_within(other, code, reason, _PROPAGATE_TIMEOUT))
