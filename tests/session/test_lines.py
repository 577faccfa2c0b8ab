"""Session lines read in blocks are the lines a file iterates, and seqs always increase."""

import pytest

from app.session.lines import Sequencer, line_blocks


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
