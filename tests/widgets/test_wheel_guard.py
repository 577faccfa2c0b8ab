"""The wheel scrolls the form, not the field under the pointer (until that field has focus)."""

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from app.ocpp.schemas import PayloadKind
from widgets.composer import Composer
from widgets.responder import ResponderPanel


def _turn(widget, notches=-1):
    """One wheel turn over the middle of `widget` (negative: towards the user)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def _long_form(qtbot):
    composer = Composer()
    qtbot.addWidget(composer)
    composer.resize(1000, 500)
    composer.show()
    qtbot.waitExposed(composer)
    composer.load("SetVariables", PayloadKind.REQUEST, {"setVariableData": [
        {"attributeType": "Actual", "attributeValue": str(n), "component": {"name": "C"},
         "variable": {"name": "V"}} for n in range(8)]})
    return composer


def test_wheel_on_an_unfocused_combo_scrolls_the_form_and_keeps_the_value(qtbot):
    composer = _long_form(qtbot)
    combo = composer.form.editor_at("setVariableData[0].attributeType").combo
    scroll = composer.form_area.verticalScrollBar()
    qtbot.waitUntil(lambda: scroll.maximum() > 0)
    assert not combo.hasFocus() and combo.focusPolicy() == Qt.FocusPolicy.StrongFocus
    _turn(combo)
    assert combo.currentText() == "Actual"
    assert scroll.value() > 0  # the turn went to the form's scroll area


def test_wheel_on_a_focused_combo_changes_it(qtbot):
    composer = _long_form(qtbot)
    combo = composer.form.editor_at("setVariableData[0].attributeType").combo
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    _turn(combo)
    assert combo.currentText() != "Actual"


def test_wheel_on_an_unfocused_spin_box_leaves_its_value(qtbot):
    composer = Composer()
    qtbot.addWidget(composer)
    composer.load("Reset", PayloadKind.REQUEST, {"type": "OnIdle", "evseId": 3})
    spin = composer.form.editor_at("evseId").spin
    _turn(spin)
    assert spin.value() == 3


def test_wheel_over_the_responder_table_leaves_its_rules(qtbot):
    panel = ResponderPanel()
    qtbot.addWidget(panel)
    mode, _, delay = panel._widgets("Authorize")
    _turn(mode)
    _turn(delay)
    assert mode.currentData() == "default" and delay.value() == 0
    assert "Authorize" not in panel.policy.rules
