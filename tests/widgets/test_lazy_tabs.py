"""A lazy tab is an empty placeholder until it is shown or asked for; then it is built
once, in its place, under the title it had by then."""

from PySide6.QtWidgets import QLabel, QTabWidget

from widgets.lazy_tabs import LazyTabs


def make_tabs(qtbot):
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QLabel("always there"), "First")
    lazy = LazyTabs(tabs)
    built = []
    lazy.add("second", "Second", lambda: built.append("second") or QLabel("second"))
    lazy.add("third", "Third", lambda: built.append("third") or QLabel("third"))
    return tabs, lazy, built


def test_nothing_is_built_until_a_tab_is_shown(qtbot):
    tabs, lazy, built = make_tabs(qtbot)
    tabs.show()
    assert built == [] and not lazy.is_built("second")
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["First", "Second", "Third"]


def test_showing_a_tab_builds_it_in_its_place_and_keeps_it_shown(qtbot):
    tabs, lazy, built = make_tabs(qtbot)
    tabs.show()
    with qtbot.waitSignal(lazy.built) as signal:
        tabs.setCurrentIndex(2)
    assert built == ["third"] and signal.args[0] == "third"
    assert tabs.currentIndex() == 2 and tabs.currentWidget() is lazy.get("third")
    assert tabs.currentWidget().text() == "third" and tabs.tabText(2) == "Third"


def test_asking_for_a_tab_builds_it_once_without_changing_the_shown_tab(qtbot):
    tabs, lazy, built = make_tabs(qtbot)
    second = lazy.get("second")
    assert lazy.get("second") is second and built == ["second"]
    assert tabs.currentIndex() == 0 and tabs.indexOf(second) == 1


def test_a_title_changed_before_the_tab_was_built_is_kept(qtbot):
    tabs, lazy, _built = make_tabs(qtbot)
    tabs.setTabText(1, "Second (2 new)")
    lazy.get("second")
    assert tabs.tabText(1) == "Second (2 new)"
