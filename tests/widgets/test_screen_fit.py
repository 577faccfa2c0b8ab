"""The first window fits a laptop screen, whatever size it had or remembered."""

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QToolBar

from widgets.screen_fit import DECORATION_HEIGHT, fitted

LAPTOP = QRect(0, 0, 1366, 768 - 40)  # 1366x768 less a panel


def test_a_window_larger_than_the_screen_is_shrunk_onto_it():
    rect = fitted(QRect(200, 100, 1400, 860), LAPTOP)
    assert LAPTOP.contains(rect)
    assert rect.height() + DECORATION_HEIGHT <= LAPTOP.height()


def test_a_window_that_fits_is_left_alone():
    assert fitted(QRect(10, 10, 800, 600), LAPTOP) == QRect(10, 10, 800, 600)


def test_a_window_remembered_off_screen_comes_back():
    rect = fitted(QRect(3000, 2000, 900, 600), LAPTOP)
    assert LAPTOP.contains(rect) and rect.size().width() == 900


def test_the_window_and_every_toolbar_button_fit_a_laptop_screen(window):
    assert window.minimumSizeHint().width() <= LAPTOP.width()
    assert window.minimumSizeHint().height() + DECORATION_HEIGHT <= LAPTOP.height()
    for toolbar in window.findChildren(QToolBar):
        assert toolbar.sizeHint().width() <= LAPTOP.width()
    screen = window.screen().availableGeometry()
    assert window.width() <= max(screen.width(), window.minimumSizeHint().width())
