"""The message timeline: a thin Qt table model over the records of a `Capture`.

The model holds only a list of record positions (the filtered view); `data()` formats what
the record and its annotation already say and never parses a payload itself, so a million
rows scroll smoothly. The Info column is the engine's `info_line`, derived once per record
and kept for the rows in view (`InfoLines`). Rows are appended in batches (one
beginInsertRows per batch); filtering runs in slices from a timer and swaps the new row list
in when done. A file without times shows none, rather than 00:00:00.000 and 0 ms.
"""

from __future__ import annotations

import bisect
import time
from array import array
from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from app.query.colouring import Colouring
from app.query.record_view import RecordContext
from app.session.capture import Annotation, Capture
from app.session.filters import EVENT_KINDS
from app.session.info import InfoLines, duration_text
from app.session.message import Message, RecordKind
from app.wording import count
from widgets.table_model import ColumnsTableModel

COLUMNS = ("Time", "Station", "", "Type", "Action", "Message ID", "RTT", "Size", "Valid",
           "Info")
TIME, STATION, DIRECTION, TYPE, ACTION, MESSAGE_ID, RTT, SIZE, VALID, INFO = range(
    len(COLUMNS))

# Tints with alpha, so they read on light and dark palettes alike.
INVALID = QColor(220, 50, 47, 70)
CALLERROR = QColor(255, 140, 0, 70)
UNANSWERED = QColor(230, 200, 0, 60)
EVENT = QColor(90, 120, 200, 45)
GAP = QColor(220, 50, 47, 40)   # records missing from a recording: worth seeing at once
AHEAD = QColor(128, 128, 128)   # text of records after the play-head: not happened yet

HEADER_TIPS = {
    RTT: "round-trip time: from the CALL to this answer",
    VALID: "✓ valid · ✗ n: invalid, n findings · ! n: warnings only · …: not checked yet",
    INFO: "the key facts of the frame, or why it is invalid",
}

_DISPLAY, _BACKGROUND, _TOOLTIP, _ALIGNMENT, _FONT, _FOREGROUND = (int(role) for role in (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.ForegroundRole))
_ROLES = frozenset((_DISPLAY, _BACKGROUND, _TOOLTIP, _ALIGNMENT, _FONT, _FOREGROUND))
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_CENTRE = int(Qt.AlignmentFlag.AlignCenter)

TYPE_NAMES = {2: "CALL", 3: "RESULT", 4: "ERROR"}
EVENT_NAMES = {RecordKind.OPENED: "connected", RecordKind.CLOSED: "closed",
               RecordKind.REJECTED: "refused", RecordKind.GAP: "gap",
               RecordKind.CONTROL: "control"}

Index = QModelIndex | QPersistentModelIndex


class TimelineModel(ColumnsTableModel):
    columns = COLUMNS
    header_tips = HEADER_TIPS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.capture = Capture()
        self.rows = array("q")          # positions in capture.messages, in order
        self.delta_time = False
        self.live = True                # unanswered is judged against the clock, not the end
        self.info = InfoLines()
        self.head: int | None = None    # the play-head's record position; later rows dim
        self.colouring = Colouring()    # the user's colouring rules (widgets.colouring)
        self._rule_context = RecordContext(self.capture)
        self._tints: dict[str, QColor | None] = {}
        self._italic = QFont()
        self._italic.setItalic(True)

    # --- what is shown -------------------------------------------------------------------

    def set_capture(self, capture: Capture, rows: list[int] | None = None,
                    live: bool = True) -> None:
        self.beginResetModel()
        self.capture = capture
        self.head = None
        self.info.clear()
        self.colouring.forget()
        self._rule_context = RecordContext(capture)
        self.rows = array("q", range(len(capture.messages)) if rows is None else rows)
        self.live = live
        self.endResetModel()

    def set_colouring(self, colouring: Colouring) -> None:
        """Colour rows by these rules from now on; repaints the rows' backgrounds."""
        self.colouring = colouring
        self._tints.clear()
        if self.rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.rows) - 1, len(COLUMNS) - 1),
                                  [Qt.ItemDataRole.BackgroundRole])

    def set_rows(self, rows: array | list[int]) -> None:
        """Show exactly these record positions (the result of a filter)."""
        self.beginResetModel()
        self.rows = array("q", rows)
        self.endResetModel()

    def append_positions(self, positions: list[int]) -> None:
        if not positions:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(positions) - 1)
        self.rows.extend(positions)
        self.endInsertRows()

    def refresh_column(self, column: int) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0, column),
                                  self.index(len(self.rows) - 1, column))

    def set_head(self, position: int | None) -> None:
        """Dim the rows after record `position` (None: dim none); repaints only the rows
        whose look changed."""
        old, self.head = self.head, position
        if old == position or not self.rows:
            return
        end = len(self.capture.messages)
        low, high = sorted((end if old is None else old, end if position is None else position))
        first = bisect.bisect_right(self.rows, low)
        last = bisect.bisect_right(self.rows, high) - 1
        if first <= last:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1),
                                  [Qt.ItemDataRole.ForegroundRole])

    def message_at(self, row: int) -> Message:
        return self.capture.messages[self.rows[row]]

    def row_of_position(self, position: int) -> int | None:
        """The row showing record position `position`, if the filter shows it."""
        row = bisect.bisect_left(self.rows, position)
        if row < len(self.rows) and self.rows[row] == position:
            return row
        return None

    # --- Qt model API ---------------------------------------------------------------------

    def row_count(self) -> int:
        return len(self.rows)

    def column_title(self, section: int) -> str:
        if section == TIME:
            return "Δ time" if self.delta_time else "Time"
        return COLUMNS[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Qt asks about nine roles for every cell it paints: the ones not answered here
        # leave at once, and the others compare plain ints (a Qt enum lookup costs more).
        if role not in _ROLES or not index.isValid():
            return None
        row, column = index.row(), index.column()
        message = self.capture.messages[self.rows[row]]
        if role == _DISPLAY:
            return self._display(row, column, message)
        if role == _BACKGROUND:
            return self._background(message, self.rows[row])
        if role == _TOOLTIP:
            return self._tooltip(message)
        if role == _ALIGNMENT:
            return _RIGHT if column in (RTT, SIZE) else _CENTRE if column == DIRECTION else None
        if role == _FOREGROUND:
            head = self.head
            return AHEAD if head is not None and self.rows[row] > head else None
        if message.kind in EVENT_KINDS:  # the font
            return self._italic
        return None

    def text(self, row: int, column: int) -> str:
        """What a cell shows, without a model index (for sizing columns)."""
        return self._display(row, column, self.capture.messages[self.rows[row]])

    def _annotation(self, message: Message) -> Annotation:
        return self.capture.annotation(message.seq)

    def info_of(self, message: Message) -> str:
        return self.info.line(message, self._annotation(message))

    def _display(self, row: int, column: int, message: Message) -> str:
        if column == TIME:
            if not self.capture.times_known:
                return ""
            if self.delta_time and row > 0:
                previous = self.capture.messages[self.rows[row - 1]]
                return "+" + duration_text(message.time - previous.time)
            return datetime.fromtimestamp(message.time).strftime("%H:%M:%S.%f")[:-3]
        if column == STATION:
            return message.station
        if column == INFO:
            return self.info_of(message)
        if message.kind in EVENT_KINDS:
            return self._event_cell(column, message)
        if column == DIRECTION:
            return message.direction.arrow if message.direction else ""
        if column == TYPE:
            if message.kind is RecordKind.BINARY:
                return "BINARY"
            return TYPE_NAMES.get(message.message_type or 0, "MALFORMED")
        if column == ACTION:
            return message.action or ""
        if column == MESSAGE_ID:
            return message.message_id or ""
        if column == RTT:
            latency = self._annotation(message).latency
            if latency is None or not self.capture.times_known:
                return ""
            return duration_text(latency)
        if column == SIZE:
            return str(message.size)
        if column == VALID:
            return self._validity(message, self.rows[row])
        return ""

    def _event_cell(self, column: int, message: Message) -> str:
        meta = message.meta or {}
        if column == TYPE:
            return EVENT_NAMES.get(message.kind, "")
        if column == ACTION:
            if message.kind is RecordKind.OPENED:
                return f"subprotocol {meta.get('subprotocol')}"
            if message.kind is RecordKind.CLOSED:
                return f"{meta.get('code')} by {meta.get('by')}"
            if message.kind is RecordKind.CONTROL:
                return str(meta.get("opcode") or "control")
            if message.kind is RecordKind.GAP:
                lost = meta.get("lost")
                return (f"{count(lost, 'record')} not recorded" if isinstance(lost, int)
                        else f"{lost} records not recorded")
            return f"HTTP {meta.get('status')}"
        return ""  # the reason, path and peer are in the Info column

    def _validity(self, message: Message, position: int) -> str:
        if message.message_type is None:
            return "✗"  # the Type column says MALFORMED, the Info column why
        if position >= self.capture.unjudged:
            return "…"  # loaded from a file and not judged yet
        annotation = self._annotation(message)
        if not annotation.findings:
            return "✓"
        if not annotation.valid:
            return f"✗ {len(annotation.findings)}"
        return f"! {len(annotation.findings)}"

    def _unanswered(self, message: Message) -> bool:
        if message.message_type != 2 or message.seq in self.capture.answers:
            return False
        if self.live:  # by the capture's timeout: the live run's setting, as its watch's
            timeout = self.capture.checker.answer_timeout
            return timeout is not None and time.monotonic() - message.monotonic > timeout
        return self.capture.judged

    def _background(self, message: Message, position: int) -> QColor | None:
        """The built-in alarms first (a gap, an invalid frame, a CALLERROR, a CALL left
        unanswered): they are what the timeline exists to show at once, and a user's rule
        must not hide them. Then the user's colouring rules; then the tint of events."""
        if message.kind is RecordKind.GAP:
            return GAP
        if message.kind in EVENT_KINDS:
            return self._user_tint(message, position) or EVENT
        if message.message_type is None or not self._annotation(message).valid:
            return INVALID
        if message.message_type == 4:
            return CALLERROR
        if self._unanswered(message):
            return UNANSWERED
        return self._user_tint(message, position)

    def _user_tint(self, message: Message, position: int) -> QColor | None:
        if not self.colouring:
            return None
        # a verdict not reached yet may change what `valid` or `finding` select
        name = self.colouring.colour_of(message, self._rule_context,
                                        remember=position < self.capture.unjudged)
        if name is None:
            return None
        if name not in self._tints:
            self._tints[name] = rule_tint(name)
        return self._tints[name]

    def _tooltip(self, message: Message) -> str | None:
        if message.kind is RecordKind.GAP:
            meta = message.meta or {}
            return (f"the recorder could not write seq {meta.get('first_seq')} to "
                    f"{meta.get('last_seq')}: {meta.get('reason')}")
        findings = self._annotation(message).findings
        if not findings:  # the whole info line, which the column may elide
            return self.info_of(message) or None
        lines = [f"{f.severity.value}: {f.path + ': ' if f.path else ''}{f.message}"
                 for f in findings[:8]]
        if len(findings) > 8:
            lines.append(f"… and {len(findings) - 8} more")
        return "\n".join(lines)


def rule_tint(name: str) -> QColor | None:
    """A colouring rule's colour as a row tint: see-through, as the built-in tints are, so
    text reads on light and dark palettes, unless the rule gave its own alpha (#aarrggbb).
    None for a name Qt does not know."""
    colour = QColor(name)
    if not colour.isValid():
        return None
    if not (name.startswith("#") and len(name) == 9):
        colour.setAlpha(90)
    return colour

