"""The first page a new user sees: what the program does and the four ways to begin."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from app import __version__


class WelcomePage(QWidget):
    demo = Signal()
    open_session = Signal()
    open_recent = Signal(str)
    proxy = Signal()
    csms = Signal()
    station = Signal()
    reference = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel(f"<h1>OCPP Scope</h1><p>Version {__version__} · OCPP 2.0.1</p>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            "See every frame between a charging station and its CSMS, checked against the "
            "official OCPP 2.0.1 schemas and the protocol's rules, with what is wrong "
            "explained in plain words.")
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(text)
        for label, tip, signal in (
            ("▶  Run the demo", "a charging session through the proxy, on this machine",
             self.demo),
            ("▤  Open a session…", "a recording, or a file of frames", self.open_session),
            ("⇄  Proxy between a station and its CSMS…", "watch and record real traffic",
             self.proxy),
            ("▣  Act as a CSMS…", "stations connect to OCPP Scope", self.csms),
            ("⚡  Act as a charging station…", "connect to a CSMS under test", self.station),
            ("?  Message reference", "all 64 messages: fields, examples, common errors",
             self.reference),
        ):
            button = QPushButton(label)
            button.setToolTip(tip)
            button.setMinimumHeight(36)
            button.clicked.connect(signal.emit)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
            button.setMinimumWidth(360)
        self.recent_label = QLabel("Recent sessions (double-click to open)")
        layout.addWidget(self.recent_label, 0, Qt.AlignmentFlag.AlignHCenter)
        self.recent: QListWidget | None = None  # made when there is a recent session
        layout.addStretch(2)

    def set_recent(self, paths: list[str]) -> None:
        if self.recent is None and paths:
            self.recent = QListWidget()
            self.recent.setMaximumHeight(120)
            self.recent.setFixedWidth(560)
            # a long path loses its middle, not the file's name; the whole one is its tip
            self.recent.setTextElideMode(Qt.TextElideMode.ElideMiddle)
            self.recent.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.recent.itemActivated.connect(
                lambda item: self.open_recent.emit(item.text()))
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(layout.indexOf(self.recent_label) + 1, self.recent, 0,
                                Qt.AlignmentFlag.AlignHCenter)
        if self.recent is not None:
            self.recent.clear()
            self.recent.addItems(paths)
            for row, path in enumerate(paths):
                self.recent.item(row).setToolTip(path)
            self.recent.setVisible(bool(paths))
        self.recent_label.setVisible(bool(paths))
