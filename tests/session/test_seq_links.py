"""SeqLinks: a dict from a CALL's seq to its answer's, compact whatever the answers' order."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.session.seq_links import SeqLinks


def test_links_from_calls_to_answers_behave_as_a_dict():
    links = SeqLinks()
    links[1] = 2
    links[3] = 5
    links[4] = 6
    links[1] = 8       # answered again: the latest answer wins
    links[0] = 9       # out of order
    assert links == {0: 9, 1: 8, 3: 5, 4: 6}
    assert links.get(2) is None and 3 in links and 7 not in links
    del links[3]
    assert len(links) == 3 and links.get(3) is None
    with pytest.raises(KeyError):
        del links[3]
    with pytest.raises(KeyError):
        links[3]
    links.clear()
    assert len(links) == 0 and links.get(1) is None and list(links) == []


def test_keys_that_are_no_seqs_are_simply_absent():
    links = SeqLinks()
    links[1] = 2
    assert "1" not in links and None not in links and 1.5 not in links
    assert links.get("1") is None
    with pytest.raises(KeyError):
        links["1"]  # type: ignore[index]
    with pytest.raises(KeyError):
        del links["1"]  # type: ignore[arg-type]


def interleaved_exchanges(stations: int, calls: int, seed: int) -> list[tuple[int, int]]:
    """(CALL seq, answer seq) in the order the answers come: each station's CALL is
    answered some frames later, while the other stations' frames go on in between."""
    rng = random.Random(seed)
    waiting: dict[int, int] = {}       # station -> the seq of its CALL in flight
    links: list[tuple[int, int]] = []
    seq, sent = 0, 0
    while sent < calls or waiting:
        seq += 1
        station = rng.randrange(stations)
        if station in waiting:
            links.append((waiting.pop(station), seq))
        elif sent < calls:
            waiting[station] = seq
            sent += 1
    return links


def test_answers_of_interleaved_stations_all_stay_compact():
    exchanges = interleaved_exchanges(stations=20, calls=20_000, seed=1)
    keys = [call for call, _ in exchanges]
    assert keys != sorted(keys)  # the answers came out of their CALLs' order
    links = SeqLinks()
    for call, answer in exchanges:
        links[call] = answer
    assert dict(links.items()) == dict(exchanges) and len(links) == len(exchanges)
    assert not links._other
    assert links.memory() < 3 * len(exchanges)  # a byte a seq, about two seqs a link


def test_links_learnt_in_reverse_order_are_all_kept_compact():
    links = SeqLinks()
    for call in range(4999, 0, -2):
        links[call] = call + 1
    assert links[1] == 2 and links[4999] == 5000 and len(links) == 2500
    assert list(links) == list(range(1, 5000, 2)) and not links._other


def test_a_far_answer_widens_its_block_and_the_others_read_back_unchanged():
    links = SeqLinks()
    for call in range(1, 2048, 2):
        links[call] = call + 1
    links[100] = 100 + 40_000          # a CALL answered many frames later
    assert links[100] == 40_100 and links[99] == 100 and links[1101] == 1102
    assert not links._other


def test_answers_that_no_block_can_hold_go_to_the_dict():
    links = SeqLinks()
    links[10] = 11
    links[20] = 20 + 70_000            # beyond two bytes
    links[30] = 29                     # an answer before its CALL (a peer's odd ids)
    links[40] = 40                     # or the same seq
    links[50] = -1
    assert links == {10: 11, 20: 70_020, 30: 29, 40: 40, 50: -1}
    links[20] = 21                     # answered again, close by: back into its block
    links[10] = 5                      # and the other way
    assert links == {10: 5, 20: 21, 30: 29, 40: 40, 50: -1} and len(links) == 5
    assert set(links._other) == {10, 30, 40, 50}


def test_links_scattered_across_gaps_start_no_block_each():
    links = SeqLinks()
    seqs = [n * 1_000_003 for n in range(1, 2001)]  # a file whose seqs leave wide gaps
    for seq in seqs:
        links[seq] = seq + 1
    assert len(links) == 2000 and all(links[seq] == seq + 1 for seq in seqs)
    assert links.memory() <= 64 * 1024  # a few blocks, then the dict


def test_seqs_beyond_32_bits_and_below_zero_read_back_unchanged():
    links = SeqLinks()
    links[4] = 5
    links[2**33 - 1] = 2**33
    links[-3] = 7
    links[2**70] = 2**70 + 1
    assert links == {4: 5, 2**33 - 1: 2**33, -3: 7, 2**70: 2**70 + 1}


@settings(max_examples=200, deadline=None, database=None)
@given(links=st.lists(st.tuples(st.one_of(st.integers(min_value=0, max_value=30),
                                          st.integers(min_value=1000, max_value=1100),
                                          st.just(2**33)),
                                st.one_of(st.integers(min_value=-3, max_value=30),
                                          st.integers(min_value=250, max_value=70_000),
                                          st.just(2**34))), max_size=30))
def test_links_in_any_order_read_back_as_a_dict_would(links):
    table, reference = SeqLinks(), {}
    for seq, value in links:
        table[seq] = value
        reference[seq] = value
        assert dict(table.items()) == reference and len(table) == len(reference)
    for seq, _ in links[::2]:
        if seq in reference:
            del table[seq]
            del reference[seq]
        assert dict(table.items()) == reference and len(table) == len(reference)
