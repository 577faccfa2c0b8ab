"""Going to the trouble: F8 / Shift+F8 select the next / previous invalid frame in the
timeline, and a record chosen in Expert Info is selected there, saying when the filter had
to be cleared for it.

The search reads `Capture.invalid_seqs` (the invalid records in order) and asks the
timeline which of them it shows, a couple of bisections per candidate, so a jump over a
million rows takes no noticeable time.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Sequence

from PySide6.QtCore import QObject

from widgets.timeline import TimelineModel


class FindingJumps(QObject):
    def __init__(self, model: TimelineModel, current_row: Callable[[], int | None],
                 select_row: Callable[[int], None], select_seq: Callable[[int], bool],
                 notify: Callable[[str], None], parent: QObject | None = None) -> None:
        """`select_seq` selects any record, clearing a filter that hides it; `notify` puts a
        sentence in the status bar."""
        super().__init__(parent)
        self.model = model
        self._current_row = current_row
        self._select_row = select_row
        self._select_seq = select_seq
        self._notify = notify

    def next_invalid(self) -> None:
        self._jump(forward=True)

    def previous_invalid(self) -> None:
        self._jump(forward=False)

    def show_record(self, seq: int) -> None:
        """Select `seq` in the timeline; when the filter hid it, the filter is cleared and
        the status bar says so (a timeline that changes silently looks broken)."""
        capture = self.model.capture
        position = capture.index_of(seq)
        if position is None:
            self._notify(f"record #{seq} is not in this capture")
            return
        hidden = self.model.row_of_position(position) is None
        if not self._select_seq(seq):
            self._notify(f"record #{seq} cannot be shown")
        elif hidden:
            self._notify(f"the filter hid record #{seq}: it was cleared to show it")

    def _jump(self, forward: bool) -> None:
        capture = self.model.capture
        invalid = capture.invalid_seqs
        if not invalid:
            self._notify("no invalid frame in this capture")
            return
        row = self._current_row()
        here = self.model.message_at(row).seq if row is not None else None
        found = wrapped = None
        for seq, wraps in _candidates(invalid, here, forward):
            position = capture.index_of(seq)
            shown = self.model.row_of_position(position) if position is not None else None
            if shown is not None:
                found, wrapped = shown, wraps
                break
        if found is None:
            self._notify(f"{len(invalid):,} invalid frames, none among the rows shown: "
                         "clear the filter to see them")
            return
        self._select_row(found)
        if found == row:
            self._notify("this is the only invalid frame shown")
        elif wrapped:
            self._notify("wrapped around to the " + ("first" if forward else "last")
                         + " invalid frame")


def _candidates(seqs: Sequence[int], here: int | None, forward: bool
                ) -> Iterator[tuple[int, bool]]:
    """The invalid seqs after (before) `here`, then from the other end up to it: each with
    whether the search wrapped around to reach it."""
    count = len(seqs)
    if forward:
        start = 0 if here is None else bisect.bisect_right(seqs, here)
        first, then = range(start, count), range(0, start)
    else:
        end = count if here is None else bisect.bisect_left(seqs, here)
        first, then = range(end - 1, -1, -1), range(count - 1, end - 1, -1)
    for index in first:
        yield seqs[index], False
    for index in then:
        yield seqs[index], here is not None
