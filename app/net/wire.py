"""Receiving frames exactly as they came: the bytes, and whether it was a text frame.

websockets decodes text frames and, on invalid UTF-8, fails the connection (1007). A proxy
that must forward "non-UTF-8 text as such" needs the raw bytes *and* the opcode, which
`recv(decode=False)` alone does not tell. These connection classes note the opcode of each
data message as its first frame arrives; `receive()` pairs it with the bytes. Messages are
queued in arrival order, so the two queues stay in step.

Client connections also keep the start of the server's answer to the upgrade (its first
line), which websockets' errors leave out, so that an answer cut off or malformed after its
status line can be quoted (`app.net.errors`).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import InvalidMessage
from websockets.frames import Frame, Opcode
from websockets.protocol import Event

from app.net.errors import keep_answer_start


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


ANSWER_START_LIMIT = 4096  # bytes of an answer kept for its first line, at most


class AnswerKeepingConnection(ClientConnection):
    """A client connection that keeps what the server answered the upgrade with, up to
    the end of its first line, and hands it to a failed handshake's error."""

    _answer_start = b""

    def data_received(self, data: bytes) -> None:
        start = self._answer_start
        if self.response is None and b"\n" not in start and len(start) < ANSWER_START_LIMIT:
            self._answer_start = (start + data)[:ANSWER_START_LIMIT]
        super().data_received(data)

    async def handshake(self, *args: Any, **kwargs: Any) -> None:
        try:
            await super().handshake(*args, **kwargs)
        except InvalidMessage as exc:
            keep_answer_start(exc, self._answer_start)
            raise


class RawClientConnection(AnswerKeepingConnection, _OpcodeLog):
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
