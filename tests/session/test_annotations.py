"""AnnotationTable and NoteLog: a capture's findings and round trips, compact in seq order."""

import pickle
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ocpp.findings import warning
from app.session.annotations import NO_ANNOTATION, Annotation, AnnotationTable

LATE = warning("protocol.answer-timeout", "Heartbeat got no answer within 30 s")


def test_answers_added_in_order_read_back_as_they_were_given():
    table = AnnotationTable()
    table[2] = Annotation((), 0.25, 1)
    table[4] = Annotation((), None, 3)
    table[5] = Annotation((LATE,))
    assert table[2] == Annotation((), 0.25, 1) and table.get(4) == Annotation((), None, 3)
    assert table[5].findings == (LATE,) and table[5].valid
    assert table.get(3) is None and table.get(3, NO_ANNOTATION) is NO_ANNOTATION
    assert 2 in table and 3 not in table and len(table) == 3
    assert dict(table.items()) == {2: Annotation((), 0.25, 1), 4: Annotation((), None, 3),
                                   5: Annotation((LATE,))}
    assert table.memory() == 3 * 18  # all three in the columns, findings as an id


def test_an_annotation_replaced_or_added_out_of_order_is_the_latest_one():
    table = AnnotationTable()
    table[10] = Annotation((), 0.5, 9)
    table[12] = Annotation((), 0.1, 11)
    table[10] = Annotation((LATE,), 0.5, 9)    # a finding noted later
    table[7] = Annotation((), 0.2, 6)          # judged out of order (parallel judging)
    assert table[10].findings == (LATE,) and table[7].latency == 0.2
    assert len(table) == 3 and sorted(table) == [7, 10, 12]
    del table[12]
    assert 12 not in table and len(table) == 2
    with pytest.raises(KeyError):
        del table[12]
    table.clear()
    assert len(table) == 0 and table.get(10) is None


def test_annotations_travel_to_worker_processes_and_back():
    annotation = Annotation((LATE,), 1.5, 3)
    assert pickle.loads(pickle.dumps(annotation)) == annotation


def test_the_same_findings_on_many_records_are_kept_once():
    early = warning("rule.heartbeat-early", "heartbeat 0.0 s after the previous one")
    table = AnnotationTable()
    for seq in range(1, 1001):
        table[seq] = Annotation((early,))  # a flood of heartbeats, each flagged alike
    table[1001] = Annotation((LATE, early), 0.5, 1000)
    assert table[500] == Annotation((early,)) and table[1001].findings == (LATE, early)
    assert table[1].findings is table[999].findings
    assert len(table._finding_sets) == 3 and not table._other  # (), (early,), (LATE, early)


def test_findings_that_cannot_be_shared_are_kept_as_given():
    table = AnnotationTable()
    odd = Annotation([LATE], 0.1, 1)  # type: ignore[arg-type]  # a list: not hashable
    table[2] = odd
    assert table[2] is odd


def test_seqs_beyond_32_bits_widen_the_columns_and_read_back_unchanged():
    table = AnnotationTable()
    table[5] = Annotation((), 0.5, 4)
    table[2**33] = Annotation((), 0.25, 2**33 - 1)
    assert table[5] == Annotation((), 0.5, 4) and table[2**33].call_seq == 2**33 - 1
    assert not table._other


def test_notes_read_back_in_order_with_equal_findings_kept_once():
    from app.session.annotations import NoteLog

    notes = NoteLog()
    for seq in (3, 7, 9):
        notes.append((seq, warning("protocol.answer-timeout",
                                   "Heartbeat got no answer within 30 s")))
    notes.append((11, LATE))
    assert notes == [(3, LATE), (7, LATE), (9, LATE), (11, LATE)] and len(notes) == 4
    assert notes[0][1] is notes[2][1] and notes[-1] == (11, LATE) and notes[1:2] == [(7, LATE)]
    notes.clear()
    assert notes == [] and list(notes) == []


def test_findings_noted_later_share_the_tuple_of_equal_ones():
    table = AnnotationTable()
    table[1] = Annotation((), None, None)
    table[2] = Annotation((), 0.1, 1)
    table[1] = Annotation((LATE,))  # a timeout noted after its answer was annotated
    table[3] = Annotation((LATE,))
    table[0] = Annotation((LATE,))  # out of order too
    assert table[1].findings is table[0].findings is table[3].findings == (LATE,)


def test_annotations_without_findings_leave_and_arrive_as_columns():
    source = AnnotationTable()
    source[2] = Annotation((), 0.25, 1)
    source[3] = Annotation((LATE,))
    source[5] = Annotation((), None, 4)
    source[7] = Annotation((), 0.5, 6)
    source[5] = Annotation((LATE,), None, 4)   # noted later: no longer a plain one
    seqs, calls, latencies = source.plain_columns()
    assert list(seqs) == [2, 7] and list(calls) == [1, 6] and list(latencies) == [0.25, 0.5]
    assert source.others() == [(3, Annotation((LATE,))), (5, Annotation((LATE,), None, 4))]

    target = AnnotationTable()
    target[1] = Annotation((), None, None)
    target.extend_plain(seqs, calls, latencies)
    for seq, annotation in source.others():
        target[seq] = annotation
    assert dict(target.items()) == {1: Annotation(), **dict(source.items())}
    assert list(target._keys) == [1, 2, 7]   # every plain one in the columns


def test_plain_annotations_that_do_not_come_after_the_held_ones_still_land():
    table = AnnotationTable()
    table[9] = Annotation((), 0.1, 8)
    source = AnnotationTable()
    source[4] = Annotation((), None, 3)
    source[12] = Annotation((), 0.2, 11)
    table.extend_plain(*source.plain_columns())
    assert dict(table.items()) == {4: Annotation((), None, 3), 9: Annotation((), 0.1, 8),
                                   12: Annotation((), 0.2, 11)}


def test_plain_columns_leave_out_the_held_annotations_with_findings_and_widen_on_arrival():
    source = AnnotationTable()
    source[2] = Annotation((), 0.25, 1)
    source[3] = Annotation((LATE,), 0.5, 2)   # held in the columns, with its findings
    source[2**33] = Annotation((), None, 2**33 - 1)
    seqs, calls, latencies = source.plain_columns()
    assert list(seqs) == [2, 2**33] and list(calls) == [1, 2**33 - 1]
    assert source.others() == [(3, Annotation((LATE,), 0.5, 2))]
    target = AnnotationTable()
    target.extend_plain(seqs, calls, latencies)
    assert target[2**33] == Annotation((), None, 2**33 - 1) and target[2].latency == 0.25


def test_held_annotations_leave_the_columns_open_for_earlier_plain_ones():
    table = AnnotationTable()
    table.hold(9, Annotation((LATE,), 0.5, 8))
    table.extend_plain(array("q", [2, 4]), array("q", [1, -1]), array("d", [0.1, float("nan")]))
    assert list(table._keys) == [2, 4] and table[9] == Annotation((LATE,), 0.5, 8)
    assert table[4] == Annotation() and len(table) == 3


def kept_sets(table):
    """The distinct sets of findings the table holds (the empty one always)."""
    return {findings for findings in table._finding_sets if findings}


def test_findings_of_removed_annotations_are_let_go():
    table = AnnotationTable()
    flagged = [warning("rule.seq-gap", f"seqNo {n} missing") for n in range(300)]
    for seq, finding in enumerate(flagged, start=1):
        table[seq] = Annotation((finding,))      # a distinct finding on each record
    for seq in range(1, 301, 2):
        table[seq] = Annotation((LATE,))         # replaced: into the dict
    table[0] = Annotation((flagged[0],))         # out of order: into the dict
    for seq in range(1, 300):
        del table[seq]
    assert kept_sets(table) == {(flagged[0],), (flagged[299],)}
    assert table[0].findings == (flagged[0],) and table[300].findings == (flagged[299],)
    for seq in range(301, 601):                  # later ones take the freed places
        table[seq] = Annotation((warning("rule.seq-gap", f"again {seq}"),))
    assert len(kept_sets(table)) == 302 and len(table._finding_sets) == 303  # none idle
    assert table[450].findings[0].message == "again 450" and table[300].findings == (
        flagged[299],)


def test_findings_shared_by_kept_annotations_stay_while_one_uses_them():
    table = AnnotationTable()
    table[1] = Annotation((LATE,))
    table[2] = Annotation((LATE,))
    table[0] = Annotation((LATE,))    # in the dict, sharing the columns' tuple
    del table[1]
    del table[2]
    assert kept_sets(table) == {(LATE,)}
    table[3] = Annotation((LATE,))
    assert table[3].findings is table[0].findings
    del table[0]
    del table[3]
    assert kept_sets(table) == set() and len(table) == 0


def test_a_held_annotation_counts_as_a_use_of_its_findings():
    table = AnnotationTable()
    table.hold(9, Annotation((LATE,)))
    table[10] = Annotation((LATE,))
    del table[10]
    assert table[9].findings == (LATE,) and (LATE,) in table._finding_ids
    del table[9]
    assert (LATE,) not in table._finding_ids


# --- plain answers stored as columns without an `Annotation` ---------------------------------

_OPERATIONS = st.lists(st.tuples(
    st.sampled_from(["plain", "plain", "plain", "findings", "delete", "hold"]),
    st.one_of(st.integers(min_value=0, max_value=40), st.just(2**33), st.just(2**40)),
    st.one_of(st.none(), st.integers(min_value=0, max_value=40), st.just(2**35)),
    st.one_of(st.none(), st.floats(min_value=0, max_value=100))), max_size=30)


@settings(max_examples=200, deadline=None, database=None)
@given(operations=_OPERATIONS)
def test_plain_annotations_added_without_objects_read_back_as_if_set(operations):
    """`add_plain` against the general `table[seq] = Annotation(...)`, over any order of
    seqs, replacements, removals and held annotations."""
    fast, general = AnnotationTable(), AnnotationTable()
    for what, seq, call, latency in operations:
        for table in (fast, general):
            if what == "plain":
                if table is fast:
                    table.add_plain(seq, call, latency)
                else:
                    table[seq] = Annotation((), latency, call)
            elif what == "findings":
                table[seq] = Annotation((LATE,), latency, call)
            elif what == "hold":
                table.hold(seq, Annotation((LATE,), latency, call))
            else:
                table.pop(seq, None)
        assert dict(fast.items()) == dict(general.items())
        assert len(fast) == len(general)
    assert fast.others() == general.others()
    assert _readable(fast.plain_columns()) == _readable(general.plain_columns())


def _readable(columns: tuple[array, array, array]) -> list[list[object]]:
    """Columns as lists, NaN (no latency) as None, so that equal columns compare equal."""
    seqs, calls, latencies = columns
    return [list(seqs), list(calls), [None if x != x else x for x in latencies]]
