"""What the state views (stations panel, Station, Transactions, Charging schedule) are shown,
and when.

A live capture's own state is written on the engine's thread as frames are judged; a view
that walked its dicts while a frame lands there could fail half way. So for a live capture
the window keeps a mirror on its own thread: a `StateTimeline` moved forward over the records
the window has been given (the records are parsed once more here, off the forwarding path).
A loaded session is judged on the window's thread, so its own state is read directly.

Records arrive in batches every ~100 ms; the views are refreshed at most every
`INTERVAL_MS`, and only the view on screen does real work (each view skips what is hidden).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from app.session.capture import Capture
from app.state.model import SessionState
from app.state.timeline import StateTimeline

INTERVAL_MS = 250
NO_SNAPSHOTS = 1 << 62   # a mirror only moves forward: copies to go back would be waste


class StateFeed(QObject):
    due = Signal()   # the end-of-session state changed: time to show it

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._capture = Capture()
        self._mirror: StateTimeline | None = None
        self._count = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.due)

    def show_capture(self, capture: Capture, live: bool) -> None:
        self._capture = capture
        self._mirror = StateTimeline(capture, snapshot_every=NO_SNAPSHOTS) if live else None
        self._count = 0
        self._timer.stop()

    def arrived(self, count: int) -> None:
        """The window has been given the first `count` records of a live capture."""
        self._count = max(self._count, count)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Show what has arrived now rather than at the next tick (a run ended, a test)."""
        self._timer.stop()
        self.due.emit()

    def end_state(self) -> SessionState:
        """The state after every record the window has: the mirror for a live capture,
        the capture's own for a loaded one."""
        if self._mirror is None:
            return self._capture.state
        return self._mirror.after(self._count)
