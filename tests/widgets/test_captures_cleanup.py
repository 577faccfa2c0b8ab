"""The clean-up dialog of File > Recent captures: what it would delete, never a file in use."""

from tests.widgets.test_captures_menu import capture_file
from widgets.captures_cleanup import CleanupDialog


def test_cleanup_never_deletes_the_capture_in_use(qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "captures"
    in_use = capture_file(folder, "2026-01-01T00-00-00-proxy.jsonl", age_days=90)
    other = capture_file(folder, "2026-01-02T00-00-00-proxy.jsonl", age_days=90)
    dialog = CleanupDialog(folder, {in_use}, 30)
    qtbot.addWidget(dialog)
    assert [item.path for item in dialog.chosen()] == [other]
    assert dialog.summary.text().startswith("1 capture, ")
