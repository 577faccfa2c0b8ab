"""Searching the reference: the page follows the search, the arrow keys walk the matches."""

from PySide6.QtCore import Qt

from widgets.reference_view import ReferenceView


def test_the_page_of_the_first_match_is_shown_while_typing(qtbot):
    view = ReferenceView()
    qtbot.addWidget(view)
    assert view.action == "BootNotification"
    qtbot.keyClicks(view.search, "profile")
    matches = view._matches()
    assert "SetChargingProfile" in matches and "BootNotification" not in matches
    assert view.action == matches[0]
    assert view.page.toPlainText().startswith(matches[0])
    assert view.tree.currentItem().text(0) == matches[0]
    view.search.setText("no such words anywhere")  # nothing found: the page stays
    assert view.action == matches[0]


def test_arrow_keys_move_from_the_search_box_into_the_matches(qtbot):
    view = ReferenceView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.search.setFocus()
    qtbot.keyClicks(view.search, "reservation")
    first, second = view._matches()[:2]
    qtbot.keyClick(view.search, Qt.Key.Key_Down)
    assert view.focusWidget() is view.tree and view.action == first
    qtbot.keyClick(view.tree, Qt.Key.Key_Down)
    assert view.action == second and view.page.toPlainText().startswith(second)
