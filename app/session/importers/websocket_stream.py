"""One direction of a captured WebSocket connection: stream bytes in, whole messages and
control frames out.

Frames are read by websockets' sans-io parser (`Frame.parse`), which unmasks them and, with a
`PerMessageDeflate` extension, inflates them, with or without context takeover. This module
adds what a live endpoint never needs and a capture always does: going on after bytes the
capture lost, and finding the first frame boundary it can trust when the capture began in
the middle of a connection. There, every offset is tried until a whole text frame holding an
OCPP-J array parses; what came before it is skipped and said so.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from enum import StrEnum

from websockets.exceptions import PayloadTooBig, ProtocolError
from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from app.session.importers.tcp_streams import Chunk, Gap

MAX_MESSAGE = 64 * 1024 * 1024     # a bigger message is a desynchronised stream, not OCPP
_RESYNC_PATIENCE = 256 * 1024      # bytes to wait for a frame that claims to be this long
_PARSE_ERRORS = (ProtocolError, PayloadTooBig, EOFError, ValueError, UnicodeDecodeError)


class WsKind(StrEnum):
    TEXT = "text"
    BINARY = "binary"
    PING = "ping"
    PONG = "pong"
    CLOSE = "close"
    NOTE = "note"        # something skipped or assumed; `note` says what


@dataclass(frozen=True, slots=True)
class WsEvent:
    kind: WsKind
    data: bytes
    time: float
    packet: int
    note: str = ""


_CONTROL = {Opcode.PING: WsKind.PING, Opcode.PONG: WsKind.PONG, Opcode.CLOSE: WsKind.CLOSE}


def deflate_decoder(no_context_takeover: bool, max_window_bits: int = 15) -> PerMessageDeflate:
    """An inflater for the frames one side sends, as that side was told to compress them.
    The local half (compression) is never used here."""
    bits = max_window_bits if 8 <= max_window_bits <= 15 else 15
    return PerMessageDeflate(no_context_takeover, True, bits, 15)


class FrameStream:
    """The frames one side sent. `masked`: whether this side is the client (clients mask
    every frame), None while unknown. `deflate`: the negotiated inflater, if any. `synced`:
    False when the stream's start is not a frame boundary (the capture began mid-way)."""

    def __init__(self, masked: bool | None, deflate: PerMessageDeflate | None = None,
                 *, synced: bool = True) -> None:
        self.masked = masked
        self._deflate = deflate
        self._reader = StreamReader()
        self._parser: Generator[None, None, Frame] | None = None
        self._synced = synced
        self._loose = bytearray()         # bytes not yet known to start at a frame boundary
        self._skipped = 0                 # bytes passed over while looking for one
        self._fragments: list[bytes] = []
        self._fragment_kind: WsKind | None = None
        self._time, self._packet = 0.0, 0
        self.closed = False               # a close frame was sent on this side

    @property
    def deflated(self) -> bool:
        return self._deflate is not None

    def feed(self, delivery: Chunk | Gap) -> list[WsEvent]:
        """The next bytes of the stream, or a hole in it; returns what became complete."""
        self._time, self._packet = delivery.time, delivery.packet
        if isinstance(delivery, Gap):
            return self._lost(delivery)
        if not self._synced:
            self._loose += delivery.data
            return self._resync()
        self._reader.feed_data(delivery.data)
        return self._run()

    def end(self) -> list[WsEvent]:
        """The stream ended (FIN, RST or the end of the capture): say what was left unread."""
        left = len(self._reader.buffer) + len(self._loose)
        events: list[WsEvent] = []
        if self._fragments or self._parser is not None or left:
            pending = sum(len(f) for f in self._fragments) + left
            events.append(self._note(
                f"the stream ends inside a frame: {pending} bytes of an unfinished message "
                "were not imported"))
        self._reader, self._parser, self._loose = StreamReader(), None, bytearray()
        self._fragments, self._fragment_kind = [], None
        return events

    def _run(self) -> list[WsEvent]:
        events: list[WsEvent] = []
        while True:
            if self._parser is None:
                if not self._reader.buffer:
                    return events
                self._parser = Frame.parse(
                    self._reader.read_exact, mask=bool(self.masked), max_size=MAX_MESSAGE,
                    extensions=[self._deflate] if self._deflate else None)
            try:
                next(self._parser)
                return events  # waiting for more bytes
            except StopIteration as done:
                self._parser = None
                events.extend(self._frame(done.value))
            except _PARSE_ERRORS as exc:
                self._parser = None
                events.append(self._note(f"a frame could not be read ({exc}); looking for the "
                                         "next frame that can be trusted"))
                self._desync()
                events.extend(self._resync())
                return events

    def _frame(self, frame: Frame) -> list[WsEvent]:
        if self.closed:  # nothing legitimate follows a close frame on the same side
            return [self._note(f"a {frame.opcode.name.lower()} frame after this side's close "
                               "frame")]
        control = _CONTROL.get(frame.opcode)
        if control is not None:
            self.closed = control is WsKind.CLOSE
            return [self._event(control, bytes(frame.data))]
        if frame.opcode is Opcode.CONT:
            if self._fragment_kind is None:
                return [self._note("a continuation frame without a message to continue "
                                   "(its start was not captured); skipped")]
            self._fragments.append(bytes(frame.data))
        else:
            events = []
            if self._fragment_kind is not None:
                events.append(self._note("a message started before the previous one was "
                                         "finished; the unfinished one is dropped"))
            self._fragment_kind = WsKind.TEXT if frame.opcode is Opcode.TEXT else WsKind.BINARY
            self._fragments = [bytes(frame.data)]
            if not frame.fin:
                return events
            return [*events, self._message()]
        return [self._message()] if frame.fin else []

    def _message(self) -> WsEvent:
        kind = self._fragment_kind or WsKind.BINARY
        data = b"".join(self._fragments)
        self._fragments, self._fragment_kind = [], None
        return self._event(kind, data)

    def _lost(self, gap: Gap) -> list[WsEvent]:
        events: list[WsEvent] = []
        if self._fragments or self._parser is not None or self._reader.buffer:
            events.append(self._note("bytes missing from the capture cut a message short; "
                                     "it is dropped"))
        what = f"{gap.missing} bytes" if gap.missing > 0 else "bytes"
        events.append(self._note(f"{what} of this direction are missing from the capture; "
                                 "reading resumes at the next frame that can be trusted"))
        self._desync()
        self._loose.clear()
        if self._deflate is not None and not self._deflate.remote_no_context_takeover:
            # the compression window built from the lost bytes is gone: start a fresh one
            self._deflate = deflate_decoder(False, self._deflate.remote_max_window_bits)
        return events

    def _desync(self) -> None:
        self._loose = bytearray(self._reader.buffer)
        self._reader = StreamReader()
        self._parser = None
        self._fragments, self._fragment_kind = [], None
        self._synced = False

    def _resync(self) -> list[WsEvent]:
        """Look for the first whole text frame holding an OCPP-J array; start there."""
        buffer = self._loose
        waiting: int | None = None   # the first offset where a frame may still be arriving
        for offset in range(len(buffer)):
            found = self._trusted_frame_at(offset)
            if found is None:
                continue
            if found is _WAIT:
                waiting = offset if waiting is None else waiting
                continue
            events = []
            skipped, self._skipped = self._skipped + offset, 0
            if skipped:
                events.append(self._note(f"{skipped} bytes before the first frame boundary "
                                         "that can be trusted were skipped"))
            self._synced = True
            rest = bytes(buffer[offset:])
            self._loose = bytearray()
            self._reader.feed_data(rest)
            return [*events, *self._run()]
        keep = waiting if waiting is not None else max(0, len(buffer) - 1)
        if len(buffer) - keep > _RESYNC_PATIENCE:
            keep = len(buffer) - 16
        self._skipped += keep
        del buffer[:keep]
        return []

    def _trusted_frame_at(self, offset: int) -> object:
        """`_WAIT` if a frame may start here but is not complete yet, a truthy value for a
        whole text frame holding an OCPP-J array, else None."""
        buffer = self._loose
        if len(buffer) - offset < 2:
            return _WAIT
        head1, head2 = buffer[offset], buffer[offset + 1]
        if head1 & 0x0F != Opcode.TEXT or not head1 & 0x80 or head1 & 0x30:
            return None
        masked = bool(head2 & 0x80)
        if self.masked is not None and masked != self.masked:
            return None
        reader = StreamReader()
        reader.feed_data(bytes(buffer[offset:offset + _RESYNC_PATIENCE + 14]))
        reader.feed_eof()
        decoder = self._probe_decoder() if head1 & 0x40 else None
        try:
            frame = _parse_all(reader, masked, decoder)
        except EOFError:
            return _WAIT if len(buffer) - offset <= _RESYNC_PATIENCE else None
        except _PARSE_ERRORS:
            return None
        if not bytes(frame.data).lstrip().startswith(b"["):
            return None
        try:
            bytes(frame.data).decode("utf-8")
        except UnicodeDecodeError:
            return None
        self.masked = masked
        return True

    def _probe_decoder(self) -> PerMessageDeflate | None:
        """An inflater for trying a compressed candidate: the negotiated one's settings, or,
        when the start of the connection was not captured, one without context takeover
        (the only kind that can be read from the middle of a connection)."""
        if self._deflate is None:
            self._deflate = deflate_decoder(True)
        return deflate_decoder(self._deflate.remote_no_context_takeover,
                               self._deflate.remote_max_window_bits)

    def _event(self, kind: WsKind, data: bytes) -> WsEvent:
        return WsEvent(kind, data, self._time, self._packet)

    def _note(self, text: str) -> WsEvent:
        return WsEvent(WsKind.NOTE, b"", self._time, self._packet, text)


_WAIT = object()


def _parse_all(reader: StreamReader, masked: bool,
               decoder: PerMessageDeflate | None) -> Frame:
    parser = Frame.parse(reader.read_exact, mask=masked, max_size=MAX_MESSAGE,
                         extensions=[decoder] if decoder else None)
    try:
        while True:
            next(parser)
    except StopIteration as done:
        return done.value
