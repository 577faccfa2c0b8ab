"""The welcome page: the ways to begin, and the recent sessions once there are some."""

from widgets.welcome import WelcomePage


def test_the_recent_list_is_made_only_once_there_are_recent_sessions(qtbot):
    page = WelcomePage()
    qtbot.addWidget(page)
    page.set_recent([])
    assert page.recent is None and page.recent_label.isHidden()
    page.set_recent(["/data/a.jsonl", "/data/b.jsonl"])
    assert page.recent is not None and not page.recent.isHidden()
    assert not page.recent_label.isHidden()
    layout = page.layout()
    assert layout.indexOf(page.recent) == layout.indexOf(page.recent_label) + 1
    assert [page.recent.item(row).text() for row in range(page.recent.count())] == [
        "/data/a.jsonl", "/data/b.jsonl"]
    assert page.recent.item(1).toolTip() == "/data/b.jsonl"  # all of it, however narrow
    page.set_recent([])
    assert page.recent.isHidden() and page.recent_label.isHidden()


def test_activating_a_recent_session_asks_to_open_it(qtbot):
    page = WelcomePage()
    qtbot.addWidget(page)
    page.set_recent(["/data/a.jsonl"])
    assert page.recent is not None
    with qtbot.waitSignal(page.open_recent) as opened:
        page.recent.itemActivated.emit(page.recent.item(0))
    assert opened.args == ["/data/a.jsonl"]
