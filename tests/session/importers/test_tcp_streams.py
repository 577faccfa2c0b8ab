"""TCP reassembly of one direction: order, repeats, wrap-around and lost bytes."""

from __future__ import annotations

from app.session.importers.tcp_streams import Chunk, Gap, HalfStream, seq_diff


def data_of(deliveries):
    return b"".join(d.data for d in deliveries if isinstance(d, Chunk))


def test_segments_out_of_order_come_out_in_stream_order():
    half = HalfStream()
    half.syn(99)
    assert half.segment(106, b"world", 2.0, 2) == []
    assert data_of(half.segment(100, b"hello ", 3.0, 3)) == b"hello world"


def test_repeated_and_overlapping_segments_deliver_each_byte_once():
    half = HalfStream()
    half.syn(0)
    out = half.segment(1, b"abcd", 1.0, 1) + half.segment(1, b"abcd", 1.1, 2)
    out += half.segment(3, b"cdef", 1.2, 3)
    assert data_of(out) == b"abcdef" and half.retransmitted == 2


def test_sequence_numbers_wrap_around():
    half = HalfStream()
    half.syn(2**32 - 3)
    out = half.segment(2**32 - 2, b"ab", 1.0, 1) + half.segment(0, b"cd", 1.0, 2)
    assert data_of(out) == b"abcd" and seq_diff(1, 2**32 - 1) == 2


def test_an_ack_past_missing_bytes_reports_a_gap_and_reading_goes_on():
    half = HalfStream()
    half.syn(0)
    half.segment(1, b"ab", 1.0, 1)
    half.segment(9, b"later", 1.0, 3)
    out = half.acknowledged(9, 2.0, 4)
    assert isinstance(out[0], Gap) and out[0].missing == 6
    assert data_of(out) == b"later"


def test_the_fins_own_number_is_not_a_gap():
    half = HalfStream()
    half.syn(0)
    half.segment(1, b"ab", 1.0, 1)
    half.fin(3)
    assert half.acknowledged(4, 1.0, 2) == []
