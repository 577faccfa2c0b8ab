"""PlainMerge: the workers' plain verdicts come out in one seq order, a slice at a time."""

import heapq
from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from app.session.plain_merge import PlainMerge


def _columns(seqs):
    """Plain columns as a worker sends them: some answers (call = seq - 1), some not."""
    return (array("q", seqs), array("q", (seq - 1 if seq % 3 else -1 for seq in seqs)),
            array("d", (float("nan") if seq % 3 == 0 else seq / 7 for seq in seqs)))


@settings(max_examples=200, deadline=None)
@given(owners=st.lists(st.integers(min_value=0, max_value=3), max_size=300),
       size=st.integers(min_value=1, max_value=50))
def test_plain_merge_gives_the_workers_columns_in_one_seq_order(owners, size):
    shares = [_columns([seq for seq, owner in enumerate(owners) if owner == worker])
              for worker in range(4)]
    expected = list(heapq.merge(*(zip(*share, strict=True) for share in shares)))
    merge = PlainMerge(shares)
    got = []
    while (piece := merge.next_slice(size)) is not None:
        assert 0 < len(piece[0]) <= size * 4
        assert [column.typecode for column in piece] == ["q", "q", "d"]
        got.extend(zip(*piece, strict=True))
    assert repr(got) == repr(expected)  # NaN latencies compare by their text


def test_plain_merge_of_nothing_is_done_at_once():
    assert PlainMerge([]).next_slice(10) is None
    assert PlainMerge([_columns([])]).next_slice(10) is None
