"""Session lines read in blocks are the lines a file iterates, and seqs always increase."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.session.lines import Sequencer, line_blocks, lines_at


@pytest.mark.parametrize("block", [1, 3, 7, 64, 1 << 20])
@pytest.mark.parametrize("content", [b"a\nbb\n\nccc\n", b"a\nbb\ntorn", b"x" * 50 + b"\ny",
                                     b"\n\n", b"one line without end"])
def test_blocks_hold_the_lines_the_file_iterates_whatever_the_block_size(tmp_path, block,
                                                                        content):
    path = tmp_path / "f"
    path.write_bytes(b"HEADER\n" + content)
    with path.open("rb") as stream:
        expected = list(stream)[1:]
    blocks = list(line_blocks(path, len(b"HEADER\n"), block))
    assert all(blocks) and [line for lines in blocks for line in lines] == expected


def test_seqs_that_stop_increasing_are_renumbered_from_there_and_said_once():
    notes = []
    sequencer = Sequencer(notes.append)
    assert [sequencer.next(n, seq) for n, seq in enumerate([1, 5, 3, 9, 2], start=2)] == \
        [1, 5, 6, 7, 8]
    assert len(notes) == 1 and notes[0].startswith("line 4: seq 3 does not follow 5")


@pytest.mark.parametrize("block", [1, 5, 64])
def test_a_line_spanning_many_blocks_comes_whole_with_its_neighbours(tmp_path, block):
    long_line = bytes(range(1, 10)) * 40 + b"\n"
    content = b"a\n" + long_line + b"b\n" + b"\0" * 300  # a torn tail of NULs
    path = tmp_path / "f"
    path.write_bytes(content)
    lines = [line for lines in line_blocks(path, 0, block) for line in lines]
    assert lines == [b"a\n", long_line, b"b\n", b"\0" * 300]


@pytest.mark.parametrize("block", [1, 4, 1 << 20])
def test_bytes_past_the_end_given_are_not_read(tmp_path, block):
    path = tmp_path / "f"
    path.write_bytes(b"HEADER\none\ntwo\nthree\n")
    start = len(b"HEADER\n")
    end = len(b"HEADER\none\ntw")  # the file grew past here after `end` was taken
    lines = [line for lines in line_blocks(path, start, block, end=end) for line in lines]
    assert lines == [b"one\n", b"tw"]
    assert list(line_blocks(path, start, block, end=start)) == []


def _readline_at(path, offset):
    with path.open("rb") as stream:
        stream.seek(offset)
        return stream.readline()


@pytest.mark.parametrize("block", [1, 3, 16, 1 << 20])
@pytest.mark.parametrize("content", [b"a\nbb\n\nccc\n", b"a\nbb\ntorn", b"x" * 50 + b"\ny",
                                     b"\n\n", b"one line without end", b"a\n" + b"\0" * 90])
def test_lines_at_give_what_a_seek_and_readline_give_in_file_order(tmp_path, block, content):
    path = tmp_path / "f"
    path.write_bytes(content)
    offsets = [0] + [i + 1 for i, byte in enumerate(content) if byte == ord("\n")]
    assert list(lines_at(path, offsets, block)) == [_readline_at(path, o) for o in offsets]


@settings(max_examples=200, deadline=None)
@given(content=st.binary(max_size=200).map(lambda b: b.replace(b"\r", b"\n")),
       offsets=st.lists(st.integers(min_value=0, max_value=260), max_size=30),
       block=st.integers(min_value=1, max_value=64))
def test_lines_at_any_offsets_in_any_order_match_readline(tmp_path_factory, content, offsets,
                                                           block):
    path = tmp_path_factory.mktemp("lines") / "f"
    path.write_bytes(content)
    assert list(lines_at(path, offsets, block)) == [_readline_at(path, o) for o in offsets]


def test_lines_at_skip_lines_between_wanted_ones_and_give_none_for_no_line(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"zero\none\ntwo\nthree\n")
    assert list(lines_at(path, [0, -1, 9, 13], block=4)) == [b"zero\n", None, b"two\n",
                                                              b"three\n"]


def test_lines_at_of_a_file_that_cannot_be_read_are_none(tmp_path):
    assert list(lines_at(tmp_path / "gone", [0, 5])) == [None, None]
