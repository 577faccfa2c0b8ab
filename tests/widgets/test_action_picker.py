"""The action picker: grouped by the side that sends each action, searchable by typing."""

from PySide6.QtCore import Qt

from app.ocpp import catalog
from widgets.action_picker import ActionPicker
from widgets.composer import Composer


def _groups(picker):
    groups: dict[str, list[str]] = {}
    header = ""
    for row in range(picker.count()):
        if picker.itemData(row) is None:
            header = picker.itemText(row)
            groups[header] = []
        else:
            groups[header].append(picker.itemData(row))
    return groups


def test_actions_are_grouped_by_their_sender_and_headers_cannot_be_chosen(qtbot):
    picker = ActionPicker()
    qtbot.addWidget(picker)
    groups = _groups(picker)
    assert list(groups) == ["Charging Station → CSMS", "CSMS → Charging Station",
                            "either side"]
    assert sorted(n for names in groups.values() for n in names) == sorted(catalog.ACTIONS)
    for label, names in groups.items():
        assert {catalog.ACTIONS[n].sender.label for n in names} == {label}
        assert names == sorted(names)
    header = picker.model().item(0)
    assert not header.flags() & Qt.ItemFlag.ItemIsSelectable


def test_typing_filters_by_any_part_of_the_name(qtbot):
    picker = ActionPicker()
    qtbot.addWidget(picker)
    picker.show()
    picker.lineEdit().clear()
    qtbot.keyClicks(picker.lineEdit(), "profile")
    completer = picker.completer()
    listed = [completer.completionModel().index(r, 0).data()
              for r in range(completer.completionModel().rowCount())]
    assert listed == picker.matches("profile") == [
        "ClearChargingProfile", "GetChargingProfiles", "ReportChargingProfiles",
        "SetChargingProfile", "SetNetworkProfile"]
    assert picker.matches("stop trans") == ["RequestStopTransaction"]


def test_enter_picks_the_one_match_and_a_non_action_is_never_kept(qtbot):
    composer = Composer()
    qtbot.addWidget(composer)
    composer.show()
    line = composer.action.lineEdit()
    line.selectAll()
    qtbot.keyClicks(line, "stop trans")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert composer.current_action == "RequestStopTransaction"
    assert "idToken" not in composer.payload()  # the form was rebuilt for the new action
    line.selectAll()
    qtbot.keyClicks(line, "heartbeat")  # any case
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert composer.current_action == "Heartbeat"
    line.selectAll()
    qtbot.keyClicks(line, "Charging")  # several actions: nothing changes
    line.editingFinished.emit()
    assert composer.current_action == "Heartbeat" and line.text() == "Heartbeat"
