"""The window's status bar, whose passing messages give way to the permanent widgets.

Qt clips a passing message (`showMessage`) where the first permanent widget (progress,
counts, mode) begins, mid-letter and with no gap, so a long message ("recording to
<a long path>", what an opened file held) ran straight into the counts and lost its end.
This bar draws the message itself, cut in the middle with "…" (the start says what,
the end names the file) and whole in the bar's tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QSizeGrip, QStatusBar, QStyle, QStyleOption, QWidget

GAP = 12   # pixels between the message's end and the first permanent widget


class StatusLine(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.messageChanged.connect(self.setToolTip)

    def message_rect(self) -> QRect:
        """Where a passing message may be drawn: up to the permanent widgets, which alone
        stay visible while it shows (the others are hidden then)."""
        left, right = 6, self.width() - 6
        for child in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if child.isVisible() and not isinstance(child, QSizeGrip):
                right = min(right, child.x() - GAP)
        return QRect(left, 0, max(0, right - left), self.height())

    def shown_message(self) -> str:
        """The passing message as drawn: whole when it fits, else cut in the middle."""
        return self.fontMetrics().elidedText(self.currentMessage(),
                                             Qt.TextElideMode.ElideMiddle,
                                             self.message_rect().width())

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.currentMessage():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, option,
                                   painter, self)
        painter.setPen(self.palette().windowText().color())
        painter.drawText(self.message_rect(), int(Qt.AlignmentFlag.AlignLeading
                                                  | Qt.AlignmentFlag.AlignVCenter
                                                  | Qt.TextFlag.TextSingleLine),
                         self.shown_message())
