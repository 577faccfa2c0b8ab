"""Reading a spliced WebSocket connection from the side: bytes in, messages and events out.

The wire-transparent proxy (`app.net.splice`) forwards each direction's bytes unchanged and
hands the same bytes, once forwarded, to this sans-io observer. It does no I/O and never
raises for what a peer sent: it parses frames with websockets' own frame parser (masking
and permessage-deflate, context takeover included, done by the library that speaks the
protocol every day), puts fragmented messages back together and pairs pings with pongs.
What it cannot follow (bytes that are not WebSocket frames, a frame beyond the size limit,
bytes the observer never got because it fell behind) becomes a `StreamProblem`; forwarding
never depends on it.

Each observation carries the time its last byte was forwarded, so a record says when the
frame crossed the proxy, not when the observer got round to it.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator
from dataclasses import dataclass, field

from websockets.exceptions import InvalidHeader, InvalidParameterValue
from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import Close, Frame, Opcode
from websockets.headers import parse_extension
from websockets.streams import StreamReader

from app.ocpp.conversation import Direction

PAYLOAD_SHOWN = 32            # bytes of a control frame's payload kept in its record (hex)
PONG_TIMEOUT = 10.0           # seconds a ping may wait for its pong before it is flagged
_CONTROL_NAMES = {Opcode.PING: "ping", Opcode.PONG: "pong", Opcode.CLOSE: "close"}
_DEFLATE = "permessage-deflate"
_serials = itertools.count(1)

Moment = tuple[float, float]  # (wall clock, monotonic) when a byte was forwarded


@dataclass(frozen=True, slots=True)
class DataMessage:
    """A whole text or binary message, inflated and unmasked, as its sender meant it."""

    direction: Direction
    data: bytes
    text: bool
    seen: Moment
    fragments: int = 1


@dataclass(frozen=True, slots=True)
class ControlFrame:
    """A ping, pong or close frame. `serial` names a ping for its pong and for a missed-pong
    finding; `rtt` is the seconds since the ping a pong answers."""

    direction: Direction
    opcode: str
    payload: bytes
    seen: Moment
    serial: int = 0
    rtt: float | None = None
    answers: int | None = None     # a pong: the serial of the ping it answers
    close: tuple[int, str] | None = None

    @property
    def meta(self) -> dict[str, object]:
        """What the record of this control frame says (`RecordKind.CONTROL`)."""
        meta: dict[str, object] = {
            "opcode": self.opcode, "size": len(self.payload),
            "payload": self.payload[:PAYLOAD_SHOWN].hex(),
            "by": "station" if self.direction is Direction.STATION_TO_CSMS else "csms"}
        if len(self.payload) > PAYLOAD_SHOWN:
            meta["cut"] = True
        if self.close is not None:
            meta["code"], meta["reason"] = self.close
        if self.opcode == "pong":
            if self.rtt is not None:
                meta["rtt"] = round(self.rtt, 6)
            else:
                meta["unsolicited"] = True
        return meta


@dataclass(frozen=True, slots=True)
class MissedPong:
    """A ping that got no pong within `PONG_TIMEOUT` (or before the connection ended)."""

    ping: ControlFrame
    waited: float
    closed: bool = False

    @property
    def text(self) -> str:
        by = "station" if self.ping.direction is Direction.STATION_TO_CSMS else "CSMS"
        other = "CSMS" if by == "station" else "station"
        if self.closed:
            return f"ping by the {by} got no pong from the {other} before the connection ended"
        return f"ping by the {by} got no pong from the {other} within {self.waited:g} s"


@dataclass(frozen=True, slots=True)
class StreamProblem:
    """Something the observer could not follow; forwarding went on regardless."""

    direction: Direction
    text: str


Observation = DataMessage | ControlFrame | StreamProblem | MissedPong


def negotiated_deflate(header: str | None, direction: Direction) -> PerMessageDeflate | None:
    """The permessage-deflate decoder for frames travelling `direction`, from the
    `Sec-WebSocket-Extensions` value the CSMS answered with; None when none was agreed or
    the answer is unreadable (the frames then tell: compressed ones become a problem)."""
    if not header:
        return None
    try:
        extensions = parse_extension(header)
    except InvalidHeader:
        return None
    for name, params in extensions:
        if name != _DEFLATE:
            continue
        values = dict(params)
        # the sender's side of the agreement: the station is the client, the CSMS the server
        sender = "client" if direction is Direction.STATION_TO_CSMS else "server"
        try:
            bits = int(values.get(f"{sender}_max_window_bits") or 15)
            return PerMessageDeflate(
                remote_no_context_takeover=f"{sender}_no_context_takeover" in values,
                local_no_context_takeover=False,
                remote_max_window_bits=min(15, max(8, bits)), local_max_window_bits=15)
        except (ValueError, InvalidParameterValue):
            return None
    return None


@dataclass
class _Fragments:
    text: bool
    parts: list[bytes] = field(default_factory=list)
    size: int = 0


class FrameStream:
    """One direction of one connection: feed it bytes in order, get its observations.

    Frames from the station are masked (it is the client), frames from the CSMS are not.
    """

    def __init__(self, direction: Direction, *, deflate: PerMessageDeflate | None = None,
                 max_size: int | None = None) -> None:
        self.direction = direction
        self.max_size = max_size
        self._deflate = deflate
        self._masked = direction is Direction.STATION_TO_CSMS
        self._reader = StreamReader()
        self._parser = self._frames()
        self._moment: Moment = (0.0, 0.0)
        self._out: list[Observation] = []
        self._message: _Fragments | None = None
        self.following = True    # False: this direction is no longer read (see problems)
        next(self._parser)

    def feed(self, data: bytes, seen: Moment) -> list[Observation]:
        """The observations completed by `data` (forwarded at `seen`); after a gap, reading
        starts again at the first offset that looks like a frame boundary."""
        if self._resyncing and self.following:
            data = self._resume_at(data)
        if not self.following or not data:
            return []
        self._moment, self._out = seen, []
        self._reader.feed_data(data)
        try:
            next(self._parser)
        except StopIteration:  # the parser ended on a problem it reported
            pass
        except Exception as exc:  # a frame websockets refuses: say what, stop reading
            self._give_up(f"cannot follow the frames any more ({exc})")
        return self._out

    def lost(self, count: int) -> list[Observation]:
        """`count` bytes went by unobserved (the observer fell behind). Frame boundaries are
        lost with them: the stream is read again from the next chunk if that starts a frame
        plausibly, and an inflater that keeps context cannot be resumed at all."""
        self._out = []
        if not self.following:
            return []
        if self._deflate is not None and not self._deflate.remote_no_context_takeover:
            self._give_up(f"{count:,} bytes were not observed, and compression with context "
                          "takeover cannot be resumed after a gap; frames from here on are "
                          "forwarded but not recorded")
            return self._out
        self._out.append(StreamProblem(self.direction, f"{count:,} bytes were not observed "
                                       "(the observer fell behind); frames in them are not "
                                       "recorded"))
        self._reader = StreamReader()
        self._message = None
        self._resyncing = True
        self._parser = self._frames()
        next(self._parser)
        return self._out

    _resyncing = False

    def _resume_at(self, data: bytes) -> bytes:
        """After a gap: `data` from the first offset that reads as a frame header followed
        by another one or by the end, or nothing while no such offset is found."""
        for start in range(len(data)):
            end = _frame_end(data, start, self._masked)
            if end is not None and (end == len(data)
                                    or _frame_end(data, end, self._masked) is not None):
                self._resyncing = False
                return data[start:]
        return b""

    def _give_up(self, why: str) -> None:
        self.following = False
        self._out.append(StreamProblem(self.direction, why))

    def _frames(self) -> Generator[None, None, None]:
        extensions = [self._deflate] if self._deflate is not None else []
        while True:
            frame = yield from Frame.parse(self._reader.read_exact, mask=self._masked,
                                           max_size=self.max_size,
                                           extensions=extensions)  # type: ignore[arg-type]
            if not self._take(frame):
                return

    def _take(self, frame: Frame) -> bool:
        opcode = frame.opcode
        if opcode in _CONTROL_NAMES:
            self._out.append(self._control(frame))
            return True
        if opcode is Opcode.CONT:
            if self._message is None:
                self._out.append(StreamProblem(self.direction,
                                               "a continuation frame started no message"))
                return True
            message = self._message
        else:
            if self._message is not None:
                self._out.append(StreamProblem(
                    self.direction, "a new message began before the previous one ended"))
            message = self._message = _Fragments(opcode is Opcode.TEXT)
        message.parts.append(bytes(frame.data))
        message.size += len(frame.data)
        if self.max_size is not None and message.size > self.max_size:
            self._give_up(f"a message exceeds {self.max_size:,} bytes; it and what follows "
                          "are forwarded but not recorded")
            return False
        if frame.fin:
            self._message = None
            data = message.parts[0] if len(message.parts) == 1 else b"".join(message.parts)
            self._out.append(DataMessage(self.direction, data, message.text, self._moment,
                                         len(message.parts)))
        return True

    def _control(self, frame: Frame) -> ControlFrame:
        name = _CONTROL_NAMES[frame.opcode]
        payload = bytes(frame.data)
        close = None
        if name == "close":
            try:
                parsed = Close.parse(payload)
                close = (int(parsed.code), parsed.reason)
            except Exception:  # a malformed close payload is recorded, not understood
                close = (1005, "")
        return ControlFrame(self.direction, name, payload, self._moment,
                            next(_serials) if name == "ping" else 0, close=close)


def _frame_end(data: bytes, start: int, masked: bool) -> int | None:
    """Where the frame whose header starts at `start` ends, if the header is plausible
    (known opcode, mask bit as this direction uses it, a control frame short and final)."""
    if start + 2 > len(data):
        return None
    head1, head2 = data[start], data[start + 1]
    opcode = head1 & 0x0F
    if head1 & 0x30 or opcode not in (0, 1, 2, 8, 9, 10) or bool(head2 & 0x80) != masked:
        return None
    length = head2 & 0x7F
    offset = start + 2
    if opcode >= 8 and (length > 125 or not head1 & 0x80):
        return None
    if length == 126:
        if offset + 2 > len(data):
            return None
        length, offset = int.from_bytes(data[offset:offset + 2], "big"), offset + 2
    elif length == 127:
        if offset + 8 > len(data):
            return None
        length, offset = int.from_bytes(data[offset:offset + 8], "big"), offset + 8
    end = offset + (4 if masked else 0) + length
    return end if end <= len(data) else None


class LinkObserver:
    """Both directions of one spliced connection, and the pings travelling across it."""

    def __init__(self, extensions: str | None = None, *, max_size: int | None = None,
                 pong_timeout: float = PONG_TIMEOUT) -> None:
        self.streams = {direction: FrameStream(
            direction, deflate=negotiated_deflate(extensions, direction), max_size=max_size)
            for direction in Direction}
        self.pong_timeout = pong_timeout
        self._pings: dict[Direction, list[ControlFrame]] = {d: [] for d in Direction}
        self.first_close: ControlFrame | None = None
        self.closes: dict[Direction, ControlFrame] = {}

    def feed(self, direction: Direction, data: bytes, seen: Moment) -> list[Observation]:
        """What `data`, forwarded in `direction` at `seen`, completes."""
        observed = self.streams[direction].feed(data, seen)
        return [self._pair(item) if isinstance(item, ControlFrame) else item
                for item in observed]

    def lost(self, direction: Direction, count: int) -> list[Observation]:
        return self.streams[direction].lost(count)

    def _pair(self, control: ControlFrame) -> ControlFrame:
        if control.opcode == "ping":
            self._pings[control.direction].append(control)
            return control
        if control.opcode == "close":
            self.closes.setdefault(control.direction, control)
            if self.first_close is None:
                self.first_close = control
            return control
        waiting = self._pings[control.direction.opposite]
        for index in range(len(waiting) - 1, -1, -1):
            ping = waiting[index]
            if ping.payload == control.payload:
                # a pong may answer only the latest ping (RFC 6455 5.5.3): older ones end too
                del waiting[:index + 1]
                rtt = control.seen[1] - ping.seen[1]
                return ControlFrame(control.direction, control.opcode, control.payload,
                                    control.seen, rtt=max(0.0, rtt), answers=ping.serial)
        return control

    def missed(self, now: float) -> list[MissedPong]:
        """Pings waiting longer than `pong_timeout` at monotonic time `now`, each told once."""
        found = []
        for waiting in self._pings.values():
            while waiting and now - waiting[0].seen[1] > self.pong_timeout:
                found.append(MissedPong(waiting.pop(0), self.pong_timeout))
        return found

    def ended(self) -> list[MissedPong]:
        """The connection is gone: every ping still waiting never got its pong."""
        found = [MissedPong(ping, 0.0, closed=True)
                 for waiting in self._pings.values() for ping in waiting]
        for waiting in self._pings.values():
            waiting.clear()
        return found
