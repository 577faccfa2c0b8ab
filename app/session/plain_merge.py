"""Merging the workers' plain verdicts into one seq order: `PlainMerge`.

A pure piece of `app.session.parallel`, apart from its processes, pipes and clock: arrays
in, arrays out. It is where the window's thread spends most of its time per record once
the workers are done, and its order is easy to get subtly wrong, so it stands alone and is
tested alone (against a heap merge, on generated shares).
"""

from __future__ import annotations

import bisect
from array import array

Columns = tuple[array, array, array]    # seqs, calls (-1: none), latencies (NaN: none)


class PlainMerge:
    """The workers' plain annotations (`AnnotationTable.plain_columns`, each in increasing
    seq) merged into one seq order, a slice at a time.

    A merge that yields a tuple per annotation costs the window's thread about a
    microsecond each, while the workers still want the cores. Here each slice is cut from
    every worker's columns up to a common seq (found by bisection), joined, and put in
    order by one sort of the slice's positions: the work per annotation stays in C."""

    def __init__(self, shares: list[Columns]) -> None:
        self._shares = [share for share in shares if len(share[0])]
        self._cursors = [0] * len(self._shares)

    def next_slice(self, size: int) -> Columns | None:
        """The next annotations in seq order, at most `size` from each worker and at least
        one; None once all are taken."""
        live = [(number, share) for number, share in enumerate(self._shares)
                if self._cursors[number] < len(share[0])]
        if not live:
            return None
        cursors = self._cursors
        # every seq up to the lowest of the workers' seqs `size` ahead: all of one worker's
        # next `size`, and what the others hold below it
        bound = min(share[0][min(cursors[number] + size, len(share[0])) - 1]
                    for number, share in live)
        seqs, calls, latencies = array("q"), array("q"), array("d")
        for number, (share_seqs, share_calls, share_latencies) in live:
            start = cursors[number]
            end = bisect.bisect_right(share_seqs, bound, start)
            seqs += share_seqs[start:end]
            calls += share_calls[start:end]
            latencies += share_latencies[start:end]
            cursors[number] = end
        if len(live) == 1:
            return seqs, calls, latencies
        order = sorted(range(len(seqs)), key=seqs.__getitem__)
        return (array("q", map(seqs.__getitem__, order)),
                array("q", map(calls.__getitem__, order)),
                array("d", map(latencies.__getitem__, order)))
