"""File > Recent captures: the automatic files newest first, openable, and a cleanup that
says what it deletes and deletes only old files, after consent."""

import os
import time

from app.session.message import frame_message
from tests.factories import write_session
from tests.widgets.conftest import run_until
from widgets.captures_cleanup import CleanupDialog
from widgets.captures_menu import CapturesMenu


def capture_file(folder, name, records=3, age_days=0.0):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    write_session(path, [frame_message(seq, f'[2,"{seq}","Heartbeat",{{}}]')
                         for seq in range(1, records + 1)])
    when = time.time() - age_days * 86400
    os.utime(path, (when, when))
    return path


def texts(menu):
    return [action.text() for action in menu.actions() if not action.isSeparator()]


def test_recent_captures_lists_the_files_newest_first_and_opens_them(window, loop, qtbot):
    folder = window.capture_guard.folder
    capture_file(folder, "2026-11-29T08-00-00-csms.jsonl", records=1)
    newest = capture_file(folder, "2026-11-30T10-00-00-proxy.jsonl", records=1200)
    menu = window.capture_guard.captures_menu
    menu.refresh()
    listed = texts(menu)
    assert listed[0].startswith("2026-11-30 10:00:00  proxy  ·  ")
    assert listed[0].endswith("  ·  1,200 records")
    assert listed[1].startswith("2026-11-29 08:00:00  csms  ·  ")
    assert listed[1].endswith("  ·  1 record")
    assert "kB" in listed[0]
    assert listed[2:] == ["Show the captures folder", "Clean up captures older than 30 days…"]
    with qtbot.waitSignal(window.load_finished, timeout=20000):
        menu.actions()[0].trigger()
    assert window.session_path == newest and len(window.capture.messages) == 1200


def test_the_file_being_recorded_is_listed_but_not_opened(window, loop):
    window.start_demo()
    run_until(loop, lambda: window.capture_guard.file is not None)
    window.capture_guard.captures_menu.refresh()
    first = window.capture_guard.captures_menu.actions()[0]
    assert first.text().endswith("(current)") and not first.isEnabled()
    assert first.toolTip() == str(window.capture_guard.file)


def test_an_empty_folder_says_so(qtbot, tmp_path):
    menu = CapturesMenu(tmp_path / "captures", set)
    qtbot.addWidget(menu)
    menu.refresh()
    assert texts(menu)[0] == "No captures yet"
    assert not menu.cleanup_action.isEnabled()


def test_cleanup_deletes_only_old_files_after_consent(window, monkeypatch):
    folder = window.capture_guard.folder
    old = [capture_file(folder, f"2026-0{n}-01T00-00-00-demo.jsonl", age_days=40 + n)
           for n in (1, 2)]
    recent = capture_file(folder, "2026-11-30T10-00-00-demo.jsonl", age_days=2)
    shown = []

    def answer(consent, days=None):
        def exec_(dialog):
            if days is not None:
                dialog.spin.setValue(days)
            shown.append((dialog.summary.text(), dialog.delete_button.isEnabled()))
            return consent
        monkeypatch.setattr(CleanupDialog, "exec", exec_)

    menu = window.capture_guard.captures_menu
    menu.refresh()
    answer(consent=False)
    menu.cleanup_action.trigger()
    assert all(path.exists() for path in [*old, recent])  # no consent, nothing deleted
    assert shown[-1][0].startswith("2 captures, ") and "cannot be restored" in shown[-1][0]
    assert shown[-1][1]
    answer(consent=False, days=365)
    menu.cleanup_action.trigger()
    assert shown[-1] == ("No capture is that old: nothing to delete.", False)
    answer(consent=True, days=10)
    menu.cleanup_action.trigger()
    assert [path.exists() for path in old] == [False, False] and recent.exists()
    assert window.statusBar().currentMessage().startswith("deleted 2 captures, ")
    assert "older than 10 days" in menu.cleanup_action.text()  # remembered


def test_records_are_counted_only_within_a_budget_of_bytes(qtbot, tmp_path, monkeypatch):
    from widgets import captures_menu

    folder = tmp_path / "captures"
    newest = capture_file(folder, "2026-11-30T10-00-00-proxy.jsonl", records=50)
    capture_file(folder, "2026-11-29T10-00-00-proxy.jsonl", records=50)
    monkeypatch.setattr(captures_menu, "COUNT_BUDGET", newest.stat().st_size + 10)
    menu = CapturesMenu(folder, set)
    qtbot.addWidget(menu)
    menu.refresh()
    first, second = texts(menu)[:2]
    assert first.endswith("50 records") and "records" not in second  # the older one: size
