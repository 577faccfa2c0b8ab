"""The payload form fits a laptop screen: no sideways scrolling, rarely used parts folded."""

import pytest
from PySide6.QtWidgets import QLineEdit

from app.ocpp import catalog, reference
from app.ocpp.schema_tree import field_tree
from app.ocpp.schemas import PayloadKind
from widgets.payload_form import FORM_FIELDS_LIMIT, CustomEditor, PayloadForm, fields_needed

# The window as it opens on a 1366x768 laptop screen: the full width, the height less a
# panel and the title bar.
LAPTOP_WINDOW = (1366, 738)


@pytest.fixture
def laptop_composer(window, qtbot):
    window.resize(*LAPTOP_WINDOW)
    window.show_tab(window.workbench.composer_tab)
    composer = window.workbench.composer
    qtbot.waitUntil(lambda: composer.form_area.viewport().width() > 0)
    return composer


def _fits(composer) -> bool:
    area = composer.form_area
    return (composer.form.minimumSizeHint().width() <= area.viewport().width()
            and composer.form.width() <= area.viewport().width()
            and area.horizontalScrollBar().maximum() == 0)


def test_every_payload_form_fits_its_pane_without_sideways_scrolling(laptop_composer, qtbot):
    """All 128 forms, each with every example the reference gives (the fullest content a
    user meets first), at the width the composer has on a laptop screen."""
    for action in catalog.ACTIONS:
        for kind in PayloadKind:
            for example in reference.page(action).examples_of(kind):
                laptop_composer.load(action, kind, example.payload)
                qtbot.waitUntil(lambda: _fits(laptop_composer), timeout=2000)


def test_custom_data_is_one_line_at_the_end_of_its_object(qtbot):
    form = PayloadForm(field_tree("Heartbeat", PayloadKind.REQUEST))
    qtbot.addWidget(form)
    editor = form.editor_at("customData")
    assert isinstance(editor, CustomEditor) and isinstance(editor.text, QLineEdit)
    form.set_value({"customData": {"vendorId": "acme", "n": 1}})
    assert form.value() == {"customData": {"vendorId": "acme", "n": 1}}
    boot = PayloadForm(field_tree("BootNotification", PayloadKind.REQUEST))
    qtbot.addWidget(boot)
    assert list(boot.root.children_)[-1] == "customData"


def test_an_unticked_optional_object_folds_to_its_header_line(qtbot):
    form = PayloadForm(field_tree("RequestStartTransaction", PayloadKind.REQUEST))
    qtbot.addWidget(form)
    form.show()
    profile = form.editor_at("chargingProfile")
    assert not profile.section.body.isVisible()
    folded = form.sizeHint().height()
    form.root.include("chargingProfile")
    assert profile.section.body.isVisible() and profile.isEnabled()
    assert form.sizeHint().height() > folded + 200
    assert "chargingProfile" in form.value()
    form.set_value({"idToken": {"idToken": "A", "type": "Local"}, "remoteStartId": 1})
    assert not profile.section.body.isVisible()


def test_list_items_are_titled_by_their_index(qtbot):
    form = PayloadForm(field_tree("GetVariables", PayloadKind.REQUEST))
    qtbot.addWidget(form)
    form.set_value({"getVariableData": [
        {"component": {"name": n}, "variable": {"name": "x"}} for n in "AB"]})
    items = form.editor_at("getVariableData")
    titles = [items.rows.itemAt(i).widget().title.text() for i in range(2)]
    assert titles == ["getVariableData [0]", "getVariableData [1]"]
    items._move(items.rows.itemAt(1).widget(), -1)
    assert items.rows.itemAt(0).widget().title.text() == "getVariableData [0]"
    assert form.value()["getVariableData"][0]["component"]["name"] == "B"


def test_the_form_limit_holds_19_notify_report_entries_not_20():
    """What the limit means to a user: each reportData entry costs some 30 fields, so a
    NotifyReport of 19 variables still gets a form and one of 20 is shown as JSON."""
    spec = field_tree("NotifyReport", PayloadKind.REQUEST)

    def report(entries: int) -> dict:
        return {"requestId": 1, "generatedAt": "2024-05-14T09:27:12Z", "seqNo": 0,
                "reportData": [{"component": {"name": f"C{i}"}, "variable": {"name": "V"},
                                "variableAttribute": [{"value": "1"}]}
                               for i in range(entries)]}

    assert fields_needed(spec, report(19)) <= FORM_FIELDS_LIMIT < fields_needed(spec, report(20))
    assert fields_needed(spec, report(2)) - fields_needed(spec, report(1)) == 30
