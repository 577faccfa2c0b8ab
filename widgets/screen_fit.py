"""The first window fits the screen it opens on.

The default size (or a size remembered from a bigger monitor) can exceed a laptop's screen:
on 1366x768 the status bar, the findings pane and the right end of the toolbar would then be
out of sight, with no hint that they exist. The window is shrunk to the screen's available
area (less room for the window manager's decorations) and moved onto it.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# Room left for a title bar and borders, which a window does not own before it is shown.
DECORATION_WIDTH, DECORATION_HEIGHT = 16, 48


def fitted(window: QRect, area: QRect) -> QRect:
    """`window` made to fit inside `area` (size first, then position)."""
    width = min(window.width(), max(area.width() - DECORATION_WIDTH, 1))
    height = min(window.height(), max(area.height() - DECORATION_HEIGHT, 1))
    x = min(max(window.x(), area.left()), area.left() + area.width() - width)
    y = min(max(window.y(), area.top()), area.top() + area.height() - height - DECORATION_HEIGHT)
    return QRect(x, max(y, area.top()), width, height)


def fit_to_screen(window: QWidget) -> None:
    """Shrink and move `window` onto the available area of its screen."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    target = fitted(window.geometry(), screen.availableGeometry())
    if target != window.geometry():
        window.setGeometry(target)
