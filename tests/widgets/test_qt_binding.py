"""The Qt binding itself must not corrupt the interpreter: some PySide6 builds (6.12.0 on
Python 3.11) drop a reference to None on every call that returns None, and the window then
aborts with 'none_dealloc' after a few seconds of live traffic."""

import sys

from PySide6.QtWidgets import QLabel, QTableWidget


def test_qt_calls_returning_none_keep_none_alive(qtbot):
    label = QLabel()
    table = QTableWidget(1, 1)
    qtbot.addWidget(label)
    qtbot.addWidget(table)
    before = sys.getrefcount(None)
    for _ in range(1000):
        label.setText("x")
        label.setToolTip("y")
        table.item(0, 0)  # an empty cell: returns None
    assert sys.getrefcount(None) - before > -50
