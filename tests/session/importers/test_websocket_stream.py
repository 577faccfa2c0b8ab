"""Reading one direction's WebSocket frames from stream bytes, whole or from the middle."""

from __future__ import annotations

from websockets.frames import Frame, Opcode

from app.session.importers.tcp_streams import Chunk, Gap
from app.session.importers.websocket_stream import FrameStream, WsKind


def wire(*frames: Frame, mask: bool = True) -> bytes:
    return b"".join(frame.serialize(mask=mask) for frame in frames)


def feed(stream: FrameStream, data: bytes, step: int = 7):
    events = []
    for offset in range(0, len(data), step):
        events += stream.feed(Chunk(data[offset:offset + step], float(offset), offset))
    return events


def test_masked_frames_fed_in_pieces_become_messages_and_controls():
    data = wire(Frame(Opcode.TEXT, b'[2,"1","Heartbeat",{}]'), Frame(Opcode.PING, b"p"))
    events = feed(FrameStream(True), data)
    assert [(e.kind, e.data) for e in events] == [
        (WsKind.TEXT, b'[2,"1","Heartbeat",{}]'), (WsKind.PING, b"p")]


def test_a_stream_joined_mid_frame_starts_at_the_first_trusted_frame():
    data = wire(Frame(Opcode.TEXT, b'[2,"1","Heartbeat",{}]' * 3),
                Frame(Opcode.TEXT, b'[3,"1",{}]'))
    stream = FrameStream(None, synced=False)
    events = feed(stream, data[9:])
    assert [e.data for e in events if e.kind is WsKind.TEXT] == [b'[3,"1",{}]']
    assert stream.masked is True
    assert any("skipped" in e.note for e in events if e.kind is WsKind.NOTE)


def test_after_a_gap_the_cut_message_is_dropped_and_the_next_one_read():
    first = wire(Frame(Opcode.TEXT, b'[2,"1","Heartbeat",{}]'))
    second = wire(Frame(Opcode.TEXT, b'[3,"1",{}]'))
    stream = FrameStream(True)
    events = stream.feed(Chunk(first[:10], 1.0, 1))
    events += stream.feed(Gap(5, 2.0, 2))
    events += stream.feed(Chunk(first[15:] + second, 3.0, 3))
    assert [e.data for e in events if e.kind is WsKind.TEXT] == [b'[3,"1",{}]']


def test_garbage_is_never_an_exception():
    stream = FrameStream(None, synced=False)
    assert all(e.kind is WsKind.NOTE for e in feed(stream, bytes(range(256)) * 8))
    assert all(e.kind is WsKind.NOTE for e in stream.end())
