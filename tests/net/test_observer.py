"""The sans-io observer of spliced bytes: frames in, messages and control events out."""

from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import Close, Frame, Opcode

from app.net.observer import (
    ControlFrame,
    DataMessage,
    FrameStream,
    LinkObserver,
    StreamProblem,
    negotiated_deflate,
)
from app.ocpp.conversation import Direction

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
AT = (1000.0, 5.0)


def wire(*frames: Frame, masked: bool = True, deflate: PerMessageDeflate | None = None
         ) -> bytes:
    """Frames as a station (masked) or a CSMS (unmasked) puts them on the wire."""
    extensions = [deflate] if deflate is not None else []
    return b"".join(f.serialize(mask=masked, extensions=extensions) for f in frames)


def sender_deflate(no_context_takeover: bool) -> PerMessageDeflate:
    return PerMessageDeflate(False, no_context_takeover, 15, 15)


def test_text_message_arrives_whole_with_the_time_of_its_last_byte():
    stream = FrameStream(UP)
    data = wire(Frame(Opcode.TEXT, b'[2,"1","Heartbeat",{}]'))
    assert stream.feed(data[:5], (1.0, 1.0)) == []
    [message] = stream.feed(data[5:], (2.0, 2.0))
    assert message == DataMessage(UP, b'[2,"1","Heartbeat",{}]', True, (2.0, 2.0))


def test_fragmented_message_is_put_back_together_around_a_ping():
    stream = FrameStream(DOWN)
    observed = stream.feed(wire(Frame(Opcode.TEXT, b'[3,"1",', fin=False),
                                Frame(Opcode.PING, b"p"),
                                Frame(Opcode.CONT, b"{}", fin=False),
                                Frame(Opcode.CONT, b"]"), masked=False), AT)
    assert [type(o) for o in observed] == [ControlFrame, DataMessage]
    assert observed[1].data == b'[3,"1",{}]' and observed[1].fragments == 3


def test_binary_and_invalid_utf8_text_keep_their_bytes_and_opcode():
    stream = FrameStream(UP)
    observed = stream.feed(wire(Frame(Opcode.BINARY, b"\x00\xff"),
                                Frame(Opcode.TEXT, b"\xc3\x28")), AT)
    assert [(o.data, o.text) for o in observed] == [(b"\x00\xff", False), (b"\xc3\x28", True)]


def test_close_frame_gives_its_code_and_reason():
    stream = FrameStream(UP)
    [close] = stream.feed(wire(Frame(Opcode.CLOSE, Close(4001, "bye").serialize())), AT)
    assert close.opcode == "close" and close.close == (4001, "bye")
    assert close.meta["code"] == 4001 and close.meta["by"] == "station"


def test_deflated_messages_are_inflated_with_context_takeover():
    encoder = sender_deflate(no_context_takeover=False)
    header = "permessage-deflate"
    stream = FrameStream(UP, deflate=negotiated_deflate(header, UP))
    texts = [b'[2,"%d","Heartbeat",{}]' % i for i in range(3)]
    data = wire(*(Frame(Opcode.TEXT, t) for t in texts), deflate=encoder)
    assert [o.data for o in stream.feed(data, AT)] == texts


def test_deflated_messages_are_inflated_without_context_takeover():
    encoder = sender_deflate(no_context_takeover=True)
    header = "permessage-deflate; client_no_context_takeover; server_no_context_takeover"
    stream = FrameStream(UP, deflate=negotiated_deflate(header, UP))
    assert stream._deflate.remote_no_context_takeover
    texts = [b'[2,"a","Heartbeat",{}]', b'[2,"b","Heartbeat",{}]']
    data = wire(*(Frame(Opcode.TEXT, t) for t in texts), deflate=encoder)
    assert [o.data for o in stream.feed(data, AT)] == texts


def test_bytes_that_are_no_websocket_stop_the_direction_with_a_problem():
    stream = FrameStream(UP)
    [problem] = stream.feed(b"GET / HTTP/1.1\r\n\r\n", AT)
    assert isinstance(problem, StreamProblem) and not stream.following
    assert stream.feed(wire(Frame(Opcode.TEXT, b"x")), AT) == []


def test_a_message_over_the_size_limit_is_a_problem_not_an_exception():
    stream = FrameStream(DOWN, max_size=10)
    [problem] = stream.feed(wire(Frame(Opcode.TEXT, b"x" * 20), masked=False), AT)
    assert isinstance(problem, StreamProblem) and "10" in problem.text


def test_after_lost_bytes_the_stream_reads_on_from_the_next_frame():
    stream = FrameStream(UP)
    first, second = wire(Frame(Opcode.TEXT, b"one")), wire(Frame(Opcode.TEXT, b"two"))
    stream.feed(first[:3], AT)
    [problem] = stream.lost(100)
    assert "100 bytes" in problem.text
    [message] = stream.feed(b"\x01\x02" + second, AT)
    assert message.data == b"two"


def test_a_gap_under_context_takeover_ends_observation_of_that_direction():
    stream = FrameStream(UP, deflate=negotiated_deflate("permessage-deflate", UP))
    [problem] = stream.lost(10)
    assert "context takeover" in problem.text and not stream.following


def test_pong_from_the_other_side_answers_the_ping_with_its_round_trip():
    link = LinkObserver()
    [ping] = link.feed(UP, wire(Frame(Opcode.PING, b"42")), (0.0, 10.0))
    [pong] = link.feed(DOWN, wire(Frame(Opcode.PONG, b"42"), masked=False), (0.0, 10.25))
    assert pong.answers == ping.serial and pong.rtt == 0.25
    assert pong.meta["rtt"] == 0.25 and pong.meta["by"] == "csms"


def test_unsolicited_pong_is_marked_so():
    link = LinkObserver()
    [pong] = link.feed(UP, wire(Frame(Opcode.PONG, b"")), AT)
    assert pong.rtt is None and pong.meta["unsolicited"] is True


def test_ping_without_pong_is_missed_once_after_the_timeout():
    link = LinkObserver(pong_timeout=5.0)
    link.feed(DOWN, wire(Frame(Opcode.PING, b"x"), masked=False), (0.0, 100.0))
    assert link.missed(104.0) == []
    [missed] = link.missed(106.0)
    assert missed.text == "ping by the CSMS got no pong from the station within 5 s"
    assert link.missed(200.0) == [] and link.ended() == []


def test_pings_still_waiting_when_the_connection_ends_are_missed():
    link = LinkObserver()
    link.feed(UP, wire(Frame(Opcode.PING, b"x")), AT)
    [missed] = link.ended()
    assert missed.closed and "before the connection ended" in missed.text


def test_first_close_tells_who_closed():
    link = LinkObserver()
    link.feed(DOWN, wire(Frame(Opcode.CLOSE, Close(1001, "").serialize()), masked=False), AT)
    link.feed(UP, wire(Frame(Opcode.CLOSE, Close(1001, "").serialize())), AT)
    assert link.first_close.direction is DOWN and len(link.closes) == 2
