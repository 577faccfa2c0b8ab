"""Receiving frames exactly as they came: the bytes, and whether it was a text frame.

websockets decodes text frames and, on invalid UTF-8, fails the connection (1007). A proxy
that must forward "non-UTF-8 text as such" needs the raw bytes *and* the opcode, which
`recv(decode=False)` alone does not tell. These connection classes note the opcode of each
data message as its first frame arrives; `receive()` pairs it with the bytes. Messages are
queued in arrival order, so the two queues stay in step.
"""

from __future__ import annotations

from collections import deque

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.server import ServerConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import Event


class _OpcodeLog:
    def _note_opcode(self, event: Event) -> None:
        if isinstance(event, Frame) and event.opcode in (Opcode.TEXT, Opcode.BINARY):
            log: deque[bool] | None = getattr(self, "_text_flags", None)
            if log is None:
                log = self._text_flags = deque()  # type: ignore[misc]
            log.append(event.opcode is Opcode.TEXT)


class RawServerConnection(ServerConnection, _OpcodeLog):
    def process_event(self, event: Event) -> None:
        self._note_opcode(event)
        super().process_event(event)


class RawClientConnection(ClientConnection, _OpcodeLog):
    def process_event(self, event: Event) -> None:
        self._note_opcode(event)
        super().process_event(event)


RawConnection = RawServerConnection | RawClientConnection


async def receive(connection: RawConnection) -> tuple[bytes, bool]:
    """The next message's bytes and whether it came as a text frame.

    Raises ConnectionClosed when the connection ends, like `recv()`.
    """
    data = await connection.recv(decode=False)
    return data, connection._text_flags.popleft()  # type: ignore[union-attr]


def as_text(data: bytes) -> str | None:
    """The text of a text frame, or None when it is not valid UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
