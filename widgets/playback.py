"""Offline playback: a play-head over a loaded session, stepped or played at a speed.

The head is one record. It is the timeline's selected row (rows after it are dimmed), and
every view of state follows it: `state_changed` carries the state as of the head while
playback is on, and the session's end state otherwise (the window relays it to its views).
Next and previous move among the rows the filter shows; playing moves the head by the
recorded time gaps scaled by the chosen speed, from a single-shot QTimer, so the window never
waits. Leaving (the bar's button, or Escape) hands every view back the end of the session.

Playback is offered for a loaded session once it is checked (the states need each record's
verdict) and never during a live run, whose end keeps moving.
"""

from __future__ import annotations

import bisect
import math
import time
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QStyle, QTableView, QWidget

from app.session.capture import Capture
from app.session.info import duration_text
from app.session.play_clock import PlayClock, Wait, offset_text
from app.state.model import SessionState
from app.state.timeline import StateTimeline
from widgets.playback_bar import PlaybackBar
from widgets.timeline import TimelineModel

SOONEST_MS = 10   # no timer tick sooner: records due together move the head in one step
STATE_SLICE_S = 0.03   # working out the state at a far head: this long, then the window's turn


class Playback(QObject):
    state_changed = Signal(object)   # a SessionState: as of the head, or the session's end;
                                     # read it on the signal (the head's state moves on)
    head_moved = Signal(int)         # the head's record position (in capture.messages)
    active_changed = Signal(bool)    # the head came on (True) or went off

    def __init__(self, model: TimelineModel, table: QTableView,
                 select_row: Callable[[int], None], end_state: Callable[[], SessionState],
                 parent: QObject | None = None) -> None:
        """`select_row` selects a timeline row and scrolls to it; `end_state` gives the state
        of the whole session (the one the window keeps up to date)."""
        super().__init__(parent)
        self.model = model
        self.table = table
        self._select_row = select_row
        self._end_state = end_state
        self.head: int | None = None    # the head's record position; None: playback is off
        self.available = False          # a loaded, checked session with records
        self._states: StateTimeline | None = None
        self._capture: Capture | None = None   # the capture `available` speaks of
        self._clock = PlayClock(1.0)
        self._note = ""                 # a gap being shortened, said in the label
        self._selecting = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)
        # the records the views' state must hold for the head, while it is worked out
        self._wanted: int | None = None
        self._catch_up_timer = QTimer(self)
        self._catch_up_timer.setSingleShot(True)
        self._catch_up_timer.timeout.connect(self._catch_up)

        icon = table.style().standardIcon
        pixmap = QStyle.StandardPixmap
        self.first_action = self._action("First record", icon(pixmap.SP_MediaSkipBackward),
                                         "Alt+Home", self.first)
        self.previous_action = self._action("Previous record",
                                            icon(pixmap.SP_MediaSeekBackward), "Alt+Left",
                                            self.previous)
        self.play_action = self._action("Play", icon(pixmap.SP_MediaPlay), "Space",
                                        self.toggle_play)
        self.next_action = self._action("Next record", icon(pixmap.SP_MediaSeekForward),
                                        "Alt+Right", self.next)
        self.last_action = self._action("Last record", icon(pixmap.SP_MediaSkipForward),
                                        "Alt+End", self.last)
        self.leave_action = self._action("Leave playback", icon(pixmap.SP_DialogCloseButton),
                                         "Escape", self.leave)
        self._play_icon = icon(pixmap.SP_MediaPlay)
        self._pause_icon = icon(pixmap.SP_MediaPause)
        # Space only where it means nothing else: in the timeline (and on the bar's button)
        self.play_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        table.addAction(self.play_action)
        self.bar = PlaybackBar([self.first_action, self.previous_action, self.play_action,
                                self.next_action, self.last_action], self.leave_action)
        self.bar.speed.currentIndexChanged.connect(self._speed_changed)
        self.bar.slider.valueChanged.connect(self._slid)
        self.menu = QMenu("&Playback")
        for action in (self.play_action, self.first_action, self.previous_action,
                       self.next_action, self.last_action, self.leave_action):
            self.menu.addAction(action)

        model.modelReset.connect(self._rows_changed)
        model.rowsInserted.connect(self._rows_changed)
        table.selectionModel().currentRowChanged.connect(self._row_chosen)
        self._rows_changed()

    def _action(self, text: str, icon: object, shortcut: str, slot: Callable[[], None]
                ) -> QAction:
        action = QAction(icon, text, self)  # type: ignore[call-overload]
        action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{text} ({shortcut})")
        action.triggered.connect(lambda _=False: slot())
        return action

    def install_shortcuts(self, scope: QWidget) -> None:
        """Make the keys work anywhere inside `scope` (the timeline's page), and nowhere
        else: Alt+Left in the composer's fields is not a step through the session."""
        for action in (self.first_action, self.previous_action, self.next_action,
                       self.last_action, self.leave_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            scope.addAction(action)

    # --- what the window tells ------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self.head is not None

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def end_changed(self) -> None:
        """The session's end state changed (records arrived or were checked): views show
        it, unless the head holds them."""
        if not self.active:
            self.state_changed.emit(self._end_state())

    def session_checked(self) -> None:
        """Every record of a loaded session has its verdict: playback can begin. The
        capture is remembered, so that a later filter (a reset of the same capture's rows)
        is told apart from another capture, which is not checked yet."""
        if self.model.capture is not self._capture:
            self._capture = self.model.capture
            self._states = None
        self.available = not self.model.live and bool(self.model.capture.messages)
        self._update_bar()

    # --- moving the head ------------------------------------------------------------------

    def first(self) -> None:
        if self._enter():
            self._move_to_row(0)

    def last(self) -> None:
        if self._enter():
            self._move_to_row(len(self.model.rows) - 1)

    def next(self) -> None:
        """One record on among those shown; entering playback, the head starts on the
        selected record (or the first shown)."""
        if self.active:
            self._restart_clock_after(self._step(forward=True))
        else:
            self._enter_at_selection()

    def previous(self) -> None:
        if self.active:
            self._restart_clock_after(self._step(forward=False))
        else:
            self._enter_at_selection()

    def toggle_play(self) -> None:
        if self.playing:
            self.pause()
            return
        if not self.active and not self._enter_at_selection():
            return
        if self._following() is None:   # at the end: play again from the start
            self._move_to_row(0)
        self._start_clock()
        self._schedule()
        self._update_bar()

    def pause(self) -> None:
        self._timer.stop()
        self._note = ""
        self._update_bar()

    def leave(self) -> None:
        """Playback off: every view shows the end of the session again."""
        if not self.active:
            return
        self._timer.stop()
        self._catch_up_timer.stop()
        self._wanted = None
        self._note = ""
        self.head = None
        self.model.set_head(None)
        self.state_changed.emit(self._end_state())
        self.active_changed.emit(False)
        self._update_bar()

    def move_to(self, position: int) -> None:
        """Put the head on record `position` (of the capture), shown or not."""
        if not self._enter() or self._states is None:
            return
        position = max(0, min(position, len(self.model.capture.messages) - 1))
        if position == self.head:
            return
        self.head = position
        self.model.set_head(position)
        self._wanted = position + 1
        self._catch_up()
        row = self.model.row_of_position(position)
        current = self.table.currentIndex()
        if row is not None and (not current.isValid() or current.row() != row):
            self._selecting = True
            try:
                self._select_row(row)
            finally:
                self._selecting = False
        self.head_moved.emit(position)
        self._update_bar()

    def _catch_up(self) -> None:
        """Bring the views' state to the head, a slice at a time: a far jump in a long
        session (the last record of 100,000) is worked out while the window stays live, the
        label saying how far it got; a step costs one record and is there at once."""
        if self._states is None or self._wanted is None:
            return
        if self._states.advance(self._wanted, STATE_SLICE_S):
            wanted, self._wanted = self._wanted, None
            self.state_changed.emit(self._states.after(wanted))
        else:
            self._catch_up_timer.start(0)
        self._update_label()

    def _enter(self) -> bool:
        if not self.available or not self.model.rows:
            return False
        if self._states is None or self._capture is not self.model.capture:
            self._capture = self.model.capture
            self._states = StateTimeline(self._capture)
        if not self.active:
            self.active_changed.emit(True)
        return True

    def _enter_at_selection(self) -> bool:
        if not self._enter():
            return False
        index = self.table.currentIndex()
        self._move_to_row(index.row() if index.isValid() else 0)
        return True

    def _move_to_row(self, row: int) -> None:
        if 0 <= row < len(self.model.rows):
            self.move_to(self.model.rows[row])

    def _following(self) -> int | None:
        """The position of the first row shown after the head, if any."""
        rows = self.model.rows
        row = bisect.bisect_right(rows, -1 if self.head is None else self.head)
        return rows[row] if row < len(rows) else None

    def _preceding(self) -> int | None:
        rows = self.model.rows
        row = bisect.bisect_left(rows, 0 if self.head is None else self.head) - 1
        return rows[row] if row >= 0 else None

    def _step(self, forward: bool) -> bool:
        position = self._following() if forward else self._preceding()
        if position is None:
            return False
        self.move_to(position)
        return True

    # --- playing --------------------------------------------------------------------------

    def _speed(self) -> float | None:
        return self.bar.speed_value() if self.model.capture.times_known else None

    def _start_clock(self) -> None:
        self._clock = PlayClock(self._speed())
        head = self.head if self.head is not None else 0
        self._clock.start(self.model.capture.messages[head].time, time.monotonic())

    def _restart_clock_after(self, moved: bool) -> None:
        """A step while playing: play on from the new head, at the recorded pace."""
        if moved and self.playing:
            self._note = ""
            self._start_clock()
            self._schedule()

    def _speed_changed(self, _index: int) -> None:
        if self.playing:
            self._clock = PlayClock(self._speed())
            self._clock.start(self._clock_now(), time.monotonic())
            self._schedule()
        self._update_bar()

    def _clock_now(self) -> float:
        head = self.head if self.head is not None else 0
        return self.model.capture.messages[head].time

    def _schedule(self) -> None:
        following = self._following()
        if following is None:
            self.pause()
            return
        wait = self._clock.wait_for(self.model.capture.messages[following].time,
                                    time.monotonic())
        self._note = _shortened(wait)
        self._timer.start(max(SOONEST_MS, math.ceil(wait.seconds * 1000)))
        self._update_label()

    def _tick(self) -> None:
        """Move the head to the last shown record the clock has reached (one at least)."""
        messages, rows = self.model.capture.messages, self.model.rows
        row = bisect.bisect_right(rows, -1 if self.head is None else self.head)
        if row >= len(rows):
            self.pause()
            return
        if self._clock.speed is not None:
            reached = self._clock.recorded_now(time.monotonic())
            while row + 1 < len(rows) and messages[rows[row + 1]].time <= reached:
                row += 1
        self.move_to(rows[row])
        self._schedule()

    # --- following the timeline -----------------------------------------------------------

    def _row_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        """A row picked while the head is on moves the head there (playing goes on)."""
        if self._selecting or not self.active or not current.isValid():
            return
        row = current.row()
        if row < len(self.model.rows) and self.model.rows[row] != self.head:
            self.move_to(self.model.rows[row])
            self._restart_clock_after(True)

    def _slid(self, row: int) -> None:
        if self.bar.slider.isEnabled() and self._enter():
            self._move_to_row(row)
            self._restart_clock_after(True)

    def _rows_changed(self, *_args: object) -> None:
        """A new capture (leave playback; none during a live run) or a new filter."""
        if self.model.capture is not self._capture:
            self.leave()
            self._capture = None
            self._states = None
            self.available = False
        self._update_bar()

    # --- showing --------------------------------------------------------------------------

    def _update_bar(self) -> None:
        usable = self.available and bool(self.model.rows)
        if self.bar.parentWidget() is not None:  # never a window of its own
            self.bar.setVisible(not self.model.live)
        for action in (self.first_action, self.previous_action, self.play_action,
                       self.next_action, self.last_action):
            action.setEnabled(usable)
        self.leave_action.setEnabled(self.active)
        self.bar.speed.setEnabled(usable and self.model.capture.times_known)
        self.play_action.setIcon(self._pause_icon if self.playing else self._play_icon)
        self.play_action.setText("Pause" if self.playing else "Play")
        self.play_action.setToolTip("Pause (Space)" if self.playing else
                                    "Play from the selected record (Space)")
        slider = self.bar.slider
        slider.blockSignals(True)
        slider.setEnabled(usable)
        slider.setRange(0, max(0, len(self.model.rows) - 1))
        # off, the views show the end: so does the slider
        slider.setValue(slider.maximum() if self.head is None else
                        min(bisect.bisect_left(self.model.rows, self.head), slider.maximum()))
        slider.blockSignals(False)
        self._update_label()

    def _update_label(self) -> None:
        self.bar.position.setText(self._position_text())

    def _position_text(self) -> str:
        capture = self.model.capture
        if not self.available:
            return "" if self.model.live else "ready once the session is checked"
        if self.head is None:
            return ("off: the views show the end of the session · ▶ or Alt+→ starts at the "
                    "selected record")
        messages = capture.messages
        text = f"record {self.head + 1:,} of {len(messages):,}"
        if capture.times_known:
            moment = messages[self.head].time
            clock = datetime.fromtimestamp(moment).strftime("%H:%M:%S.%f")[:-3]
            text += f" · {clock} ({offset_text(moment - messages[0].time)})"
        if self.model.row_of_position(self.head) is None:
            text += " · hidden by the filter"
        if self._wanted is not None and self._states is not None:
            text += (f" · working out the state: {self._states.applied:,} of "
                     f"{self._wanted:,} records")
        if self.playing:
            text += f" · playing {self.bar.speed.currentText()}"
        if self._note:
            text += f" · {self._note}"
        return text


def _shortened(wait: Wait) -> str:
    if wait.shortened_from is None:
        return ""
    return f"a {duration_text(wait.shortened_from)} gap shortened to {wait.seconds:g} s"
