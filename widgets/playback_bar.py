"""The playback bar's layout: transport buttons, a speed choice, a position slider over the
rows shown, the head's position in words, and a button to leave. It holds no logic; the
buttons show the actions of `widgets.playback.Playback`, which drives them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QToolButton,
    QWidget,
)

# What the speed choice offers: recorded seconds per real second, None: a fixed pace.
SPEEDS: tuple[tuple[str, float | None], ...] = (
    ("as recorded", 1.0), ("×10", 10.0), ("×100", 100.0), ("as fast as possible", None))


class PlaybackBar(QWidget):
    def __init__(self, transport: list[QAction], leave: QAction,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 2)
        layout.setSpacing(2)
        title = QLabel("Playback")
        title.setToolTip("Step through the session: the stations panel shows the state as "
                         "of the selected record")
        layout.addWidget(title)
        self.buttons: list[QToolButton] = []
        for action in transport:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            layout.addWidget(button)
            self.buttons.append(button)
        self.speed = QComboBox()
        self.speed.setToolTip("How fast playing goes: recorded gaps divided by this; long "
                              "quiet stretches are shortened")
        for text, speed in SPEEDS:
            self.speed.addItem(text, speed)
        layout.addWidget(self.speed)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("The play-head among the records shown")
        self.slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout.addWidget(self.slider, 1)
        self.position = QLabel()
        self.position.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.position, 2)
        self.leave = QToolButton()
        self.leave.setDefaultAction(leave)
        self.leave.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.leave.setAutoRaise(True)
        layout.addWidget(self.leave)

    def speed_value(self) -> float | None:
        value = self.speed.currentData()
        return float(value) if isinstance(value, (int, float)) else None
