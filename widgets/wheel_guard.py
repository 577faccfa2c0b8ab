"""The mouse wheel scrolls the page, never the value under the pointer.

A combo box or spin box changes its value on a wheel turn by default, so scrolling through a
long form (or the responder's table) silently rewrites whatever field passes under the
pointer. Guarded widgets take the wheel only once they have focus (a click or Tab gives it;
the wheel never does); until then the turn goes to the scroll area they sit in.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QWidget


class _WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget):
            return False
        if watched.hasFocus():
            return False
        area = _scroll_area_of(watched)
        if area is not None:
            # sent on explicitly: Qt does not pass a synthetic wheel event up to parents
            QCoreApplication.sendEvent(area.viewport(), event)
        else:
            event.ignore()  # a real turn then travels on to the parent widgets
        return True


_GUARD: _WheelGuard | None = None


def guard_wheel(*widgets: QWidget) -> None:
    """Let these widgets take the wheel only while they have focus."""
    global _GUARD
    if _GUARD is None:
        # one filter for the whole program, parented to the application so it lives as long
        _GUARD = _WheelGuard(QCoreApplication.instance())
    for widget in widgets:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        widget.installEventFilter(_GUARD)


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None
