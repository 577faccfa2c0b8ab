"""The status bar's passing messages end before the counts, cut with "…", whole in the
tooltip."""

from widgets.status_line import StatusLine


def ink_between(bar, left, right):
    """Whether anything but the bar's background is drawn in these pixel columns."""
    image = bar.grab().toImage()
    scale = image.width() / bar.width()
    return any(image.pixel(int(x * scale), int(y * scale)) != image.pixel(1, int(y * scale))
               for x in range(left, right + 1) for y in range(bar.height()))


def test_a_long_message_is_cut_before_the_counts_and_whole_in_the_tooltip(window):
    window.resize(900, 600)
    window.show_workspace()
    bar = window.statusBar()
    assert isinstance(bar, StatusLine)
    path = "/home/someone/.local/share/OCPP Scope/captures/" + "deep/" * 20 + "s.jsonl"
    bar.showMessage(f"recording to {path}", 10000)
    shown = bar.shown_message()
    assert "…" in shown
    assert shown.startswith("recording to /home") and shown.endswith("s.jsonl")
    counts = window.counts_label
    assert bar.message_rect().right() < counts.x()
    assert bar.fontMetrics().horizontalAdvance(shown) <= bar.message_rect().width()
    assert bar.toolTip() == f"recording to {path}"
    assert not ink_between(bar, counts.x() - 8, counts.x() - 3)
    bar.clearMessage()
    assert bar.toolTip() == ""


def test_a_short_message_is_shown_whole(window):
    window.resize(900, 600)
    bar = window.statusBar()
    bar.showMessage("5 records in 0.1 s")
    assert bar.shown_message() == "5 records in 0.1 s"
