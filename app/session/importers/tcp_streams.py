"""TCP reassembly for captured traffic: segments in capture order in, each direction's bytes
in stream order out.

A capture shows what crossed a wire, not what an application read: segments arrive out of
order, are sent twice, or were never captured at all. `HalfStream` puts one direction back in
order, drops what was already delivered, and, when bytes are certainly missing (the receiver
acknowledged past them, the sender finished, the capture ended), reports a gap and goes on
after it, so that the layer above can resynchronise instead of reading garbage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_SEQ_SPACE = 1 << 32
# bytes kept waiting for a missing segment before it is declared lost
MAX_PENDING = 4 * 1024 * 1024


def seq_diff(a: int, b: int) -> int:
    """`a - b` in TCP sequence space (wrapping at 2**32), as a signed number."""
    diff = (a - b) % _SEQ_SPACE
    return diff - _SEQ_SPACE if diff >= _SEQ_SPACE // 2 else diff


@dataclass(frozen=True, slots=True)
class Chunk:
    """Bytes that continue a direction's stream, and the packet that completed them."""

    data: bytes
    time: float
    packet: int


@dataclass(frozen=True, slots=True)
class Gap:
    """Bytes of a direction's stream that the capture does not have."""

    missing: int          # how many bytes (0: unknown, e.g. before the first one seen)
    time: float
    packet: int


Delivery = Chunk | Gap


@dataclass(slots=True)
class _Held:
    data: bytes
    time: float
    packet: int


@dataclass(slots=True)
class HalfStream:
    """One direction of one TCP connection.

    `started_at_syn` tells whether the stream's first byte is known (its SYN was captured):
    without it, the capture began mid-connection and the first bytes seen may be the middle
    of something."""

    next_seq: int | None = None
    started_at_syn: bool = False
    fin_at: int | None = None            # where this side's FIN sits (its data ends there)
    retransmitted: int = 0               # segments (or parts) seen again, dropped
    _held: dict[int, _Held] = field(default_factory=dict)

    @property
    def held_bytes(self) -> int:
        return sum(len(h.data) for h in self._held.values())

    def syn(self, seq: int) -> None:
        """The side's SYN: its data starts at `seq + 1`. A repeated SYN changes nothing."""
        if self.next_seq is None:
            self.next_seq = (seq + 1) % _SEQ_SPACE
            self.started_at_syn = True

    def segment(self, seq: int, data: bytes, time: float, packet: int) -> list[Delivery]:
        """A data segment as captured; returns what it makes deliverable, in order."""
        if not data:
            return []
        if self.next_seq is None:  # first sight of a connection already running
            self.next_seq = seq
        ahead = seq_diff(seq, self.next_seq)
        if ahead < 0:  # starts in what was delivered: keep only what is new, if anything
            if -ahead >= len(data):
                self.retransmitted += 1
                return []
            self.retransmitted += 1
            data, seq = data[-ahead:], self.next_seq
        held = self._held.get(seq)
        if held is None or len(held.data) < len(data):
            self._held[seq] = _Held(data, time, packet)
        else:
            self.retransmitted += 1
        delivered = self._drain()
        if self.held_bytes > MAX_PENDING:
            delivered += self.skip_gap(time, packet)
        return delivered

    def fin(self, seq: int) -> None:
        """This side's FIN, at `seq` (after its last data byte); it takes one number."""
        self.fin_at = seq % _SEQ_SPACE

    def acknowledged(self, ack: int, time: float, packet: int) -> list[Delivery]:
        """The other side acknowledged up to `ack`: bytes before it that were never captured
        are missing for good (the receiver has them, the capture does not)."""
        if self.fin_at is not None and seq_diff(ack, self.fin_at) > 0:
            ack = self.fin_at  # the FIN's own number is no data
        if self.next_seq is None or seq_diff(ack, self.next_seq) <= 0:
            return []
        return self._skip_to(ack, time, packet)

    def skip_gap(self, time: float, packet: int) -> list[Delivery]:
        """Declare the hole before the earliest held segment lost and go on after it; called
        when no more data can fill it (FIN, RST, end of capture, too much held)."""
        if not self._held or self.next_seq is None:
            return []
        base = self.next_seq
        first = min(self._held, key=lambda seq: seq_diff(seq, base))
        return self._skip_to(first, time, packet)

    def _skip_to(self, seq: int, time: float, packet: int) -> list[Delivery]:
        assert self.next_seq is not None
        missing = seq_diff(seq, self.next_seq)
        self.next_seq = seq
        for start in list(self._held):  # what the jump passed over, or its start
            held = self._held[start]
            behind = seq_diff(seq, start)
            if behind > 0:
                del self._held[start]
                if behind < len(held.data):
                    self._held.setdefault(seq, _Held(held.data[behind:], held.time,
                                                     held.packet))
        return [Gap(missing, time, packet), *self._drain()]

    def _drain(self) -> list[Delivery]:
        delivered: list[Delivery] = []
        while self.next_seq is not None:
            held = self._held.pop(self.next_seq, None)
            if held is None:
                break
            # a longer copy of bytes already passed may sit at a later key: trimmed on use
            delivered.append(Chunk(held.data, held.time, held.packet))
            self.next_seq = (self.next_seq + len(held.data)) % _SEQ_SPACE
            self._trim_overlaps()
        return delivered

    def _trim_overlaps(self) -> None:
        """Held segments that start inside what was just delivered: keep their new part."""
        assert self.next_seq is not None
        for start in list(self._held):
            behind = seq_diff(self.next_seq, start)
            if behind > 0:
                held = self._held.pop(start)
                self.retransmitted += 1
                if behind < len(held.data) and self.next_seq not in self._held:
                    self._held[self.next_seq] = _Held(held.data[behind:], held.time,
                                                      held.packet)
