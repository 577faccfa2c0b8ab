"""File > Export redacted… in the window: the session shown is written with its secrets
replaced, off the GUI thread, with progress, and the summary is told at the end."""

from app.session.sessionfile import SessionWriter, make_header
from tests.session import redaction_samples as samples
from tests.widgets.conftest import open_judged


def _open_secret_session(window, qtbot, tmp_path):
    path = tmp_path / "secret.jsonl"
    with SessionWriter(path, make_header("proxy", station=samples.STATION)) as writer:
        writer.write_batch(samples.secret_session())
    open_judged(window, qtbot, path)
    return path


def test_the_file_menu_offers_it(window):
    [menu] = [a.menu() for a in window.menuBar().actions() if a.text() == "&File"]
    assert window.redact_export.action in menu.actions()


def test_an_export_writes_no_secret_and_tells_the_summary(window, qtbot, tmp_path, dialogs,
                                                          monkeypatch):
    _open_secret_session(window, qtbot, tmp_path)
    out = tmp_path / "shared.jsonl"
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                        lambda *args: (str(out), ""))
    window.redact_export.ask()
    assert window.progress.isVisible()  # the work runs on its own thread meanwhile
    qtbot.waitUntil(lambda: window.redact_export.job is None, timeout=20000)
    data = out.read_bytes()
    assert not [secret for secret in samples.SECRETS if secret.encode() in data]
    [(kind, text)] = dialogs
    assert kind == "information" and "idToken: 3 values in 5 places" in text
    assert not window.progress.isVisible()


def test_nothing_to_export_is_said_in_a_sentence(window, dialogs):
    window.redact_export.ask()
    assert dialogs == [("information", "There is no session to export: open one or record "
                                       "one first.")]


def test_an_output_that_cannot_be_written_is_one_sentence(window, qtbot, tmp_path, dialogs):
    _open_secret_session(window, qtbot, tmp_path)
    window.redact_export.start(str(tmp_path / "no-such-folder" / "x.jsonl"))
    qtbot.waitUntil(lambda: window.redact_export.job is None, timeout=20000)
    [(kind, text)] = dialogs
    assert kind in ("warning", "critical")
    assert "Export redacted failed" in text and "cannot write" in text


def test_a_cancelled_export_leaves_no_file(window, qtbot, tmp_path, dialogs):
    _open_secret_session(window, qtbot, tmp_path)
    out = tmp_path / "shared.jsonl"
    job = window.redact_export.start(str(out))
    job.cancel()
    job.wait(20)
    qtbot.waitUntil(lambda: window.redact_export.job is None, timeout=20000)
    # the worker may have finished before the cancel came: then the file is whole
    assert not out.exists() or dialogs


def test_a_cancelled_export_leaves_a_file_it_was_to_replace_as_it_was(qtbot, tmp_path):
    from widgets.redact_export import RedactedExport

    out = tmp_path / "kept.jsonl"
    out.write_text("the user's own file\n", encoding="utf-8")
    job = RedactedExport(samples.secret_session(), "secret.jsonl", str(out), True)
    job.cancel()   # before any work: nothing will have been written
    with qtbot.waitSignal(job.cancelled, timeout=20000):
        job.start()
    job.wait(20)
    assert out.read_text(encoding="utf-8") == "the user's own file\n"
