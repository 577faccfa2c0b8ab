"""The link from each CALL to its answer (a capture's `answers`), kept compact in any order.

A capture learns a link when the answer comes: the CALL's seq is the key, the answer's seq
the value. With many stations on one proxy the answers come out of the CALLs' order (station
A's CALL before station B's, B's answer first), so a layout that needs its keys in increasing
order kept two links in three of a 20-station session in a dict, at about 100 bytes each.

`SeqLinks` stores each link where its CALL's seq puts it, as the distance to the answer: the
seqs are cut into blocks of 1024, each block an array of one byte a seq (0: no link), made
two bytes wide for a block where an answer comes more than 255 records after its CALL (a
busy proxy). Links that do not fit (an answer before its CALL or more than 65,535 records
after it) go into a dict. Every seq of a block costs its byte whether it is a CALL or not,
which is a byte or two a link for a session where every other record is a CALL. A file may
leave gaps between its seqs: a block is only started while the blocks hold 16 links each on
average, so that links scattered one a block (a stranger's file) cost no more than the dict.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, MutableMapping
from itertools import compress

_SHIFT = 10                    # a block covers 2**10 seqs
_BLOCK = 1 << _SHIFT
_PLACE = _BLOCK - 1            # seq & _PLACE: the seq's place in its block
_EMPTY = bytes(_BLOCK)
_WIDE = "H"                    # the wider type of a block, for distances up to 65,535
_FREE_BLOCKS = 16              # blocks started whatever their links
_LINKS_PER_BLOCK = 16          # beyond those, the average number of links a block must hold


class SeqLinks(MutableMapping[int, int]):
    """seq -> seq (a CALL to its answer): a dict, compact for answers that come after their
    CALLs, in whatever order. Lookup and insertion are O(1)."""

    def __init__(self) -> None:
        self._blocks: dict[int, array] = {}  # seq >> _SHIFT -> distances, 0 for no link
        self._held = 0                        # links in the blocks
        self._other: dict[int, int] = {}      # links no block holds

    def __setitem__(self, seq: int, value: int) -> None:
        block = self._blocks.get(seq >> _SHIFT)
        if block is not None and value > seq and (not self._other or seq not in self._other):
            place = seq & _PLACE
            if not block[place]:   # the usual link: new, in a block that has begun
                try:
                    block[place] = value - seq
                except OverflowError:  # far: the general way widens the block
                    pass
                else:
                    self._held += 1
                    return
        self._set(seq, value)

    def _set(self, seq: int, value: int) -> None:
        """Any link: the one this seq had is let go, the new one goes into a block if one
        holds it (started or widened for it if it must be), else into the dict."""
        self._discard(seq)
        distance = value - seq
        if 0 < distance < 1 << 16:
            number, place = seq >> _SHIFT, seq & _PLACE
            block = self._blocks.get(number)
            if block is None and (len(self._blocks) < _FREE_BLOCKS
                                  or len(self._blocks) * _LINKS_PER_BLOCK <= self._held):
                block = self._blocks[number] = array("B", _EMPTY)
            if block is not None:
                if distance > 255 and block.typecode != _WIDE:
                    block = self._blocks[number] = array(_WIDE, block)
                block[place] = distance
                self._held += 1
                return
        self._other[seq] = value

    def _discard(self, seq: int) -> None:
        block = self._blocks.get(seq >> _SHIFT)
        if block is not None and block[seq & _PLACE]:
            block[seq & _PLACE] = 0
            self._held -= 1
        elif self._other:
            self._other.pop(seq, None)

    def __getitem__(self, seq: int) -> int:
        try:
            block = self._blocks.get(seq >> _SHIFT)
        except TypeError:  # not an integer: no seq of ours
            raise KeyError(seq) from None
        if block is not None:
            distance = block[seq & _PLACE]
            if distance:
                return seq + distance
        return self._other[seq]

    def __contains__(self, seq: object) -> bool:
        return self.get(seq) is not None if isinstance(seq, int) else False  # type: ignore[arg-type]

    def __delitem__(self, seq: int) -> None:
        try:
            block = self._blocks.get(seq >> _SHIFT)
        except TypeError:
            raise KeyError(seq) from None
        if block is not None and block[seq & _PLACE]:
            block[seq & _PLACE] = 0
            self._held -= 1
            return
        del self._other[seq]

    def __iter__(self) -> Iterator[int]:
        """The seqs the blocks hold, in increasing order, then the others."""
        for number in sorted(self._blocks):
            start = number << _SHIFT
            yield from compress(range(start, start + _BLOCK), self._blocks[number])
        yield from list(self._other)

    def __len__(self) -> int:
        return self._held + len(self._other)

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def memory(self) -> int:
        """Bytes the blocks take (the dict of the others not counted)."""
        return sum(len(block) * block.itemsize for block in self._blocks.values())
