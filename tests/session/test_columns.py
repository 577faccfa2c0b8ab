"""Narrow columns widen once a value does not fit, keeping every value they held."""

from array import array

import pytest

from app.session.columns import SEQ, SMALL_ID, append_widening, extend_widening, widened


def test_a_small_id_column_widens_to_four_bytes_then_to_eight():
    ids = array(SMALL_ID, [1, 2, 65_535])
    ids = append_widening(ids, 65_536)
    assert ids.tolist() == [1, 2, 65_535, 65_536] and ids.itemsize == 4
    ids = append_widening(ids, 2**40)
    assert ids[-1] == 2**40 and ids.typecode == "q"


def test_a_seq_column_takes_a_negative_value_by_widening():
    seqs = append_widening(array(SEQ, [5, 6]), -1)
    assert seqs.tolist() == [5, 6, -1]


def test_a_value_that_fits_keeps_the_same_column():
    seqs = array(SEQ, [1])
    assert append_widening(seqs, 2) is seqs and seqs.tolist() == [1, 2]


def test_a_value_beyond_64_bits_is_refused():
    with pytest.raises(OverflowError):
        widened(array(SEQ), 2**64)


def test_extending_widens_for_the_smallest_and_the_largest_value():
    column = extend_widening(array(SEQ, [1, 2]), array("q", [3, -1, 2**40]))
    assert list(column) == [1, 2, 3, -1, 2**40]
    same = array(SEQ, [1])
    assert extend_widening(same, array("q", [5])) is same and list(same) == [1, 5]
