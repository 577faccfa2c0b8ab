"""Big sessions in the window: judged in worker processes, saved over their own file."""

from app.session import parallel
from app.session.sessionfile import SessionReader
from app.session.store import RecordStore
from tests.benchmarks.make_session import write_session
from tests.widgets.conftest import open_judged
from widgets import session_io


def test_a_big_session_is_judged_in_workers_with_the_window_responsive(
        window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 100)
    path = tmp_path / "big.jsonl"
    write_session(path, 3000)
    runs: list[session_io.JudgeRun] = []
    real = session_io.JudgeRun

    def spy(capture):
        run = real(capture)
        runs.append(run)
        return run

    monkeypatch.setattr(session_io, "JudgeRun", spy)  # looked up when judging starts
    open_judged(window, qtbot, path, timeout=60000)
    [run] = runs
    assert run.parallel is not None and not run.parallel.serial
    assert isinstance(window.capture.messages, RecordStore)
    assert window.model.rowCount() == 3000 and window.capture.judged
    assert window.capture.invalid > 0
    assert window.model.text(0, 1) == window.capture.messages[0].station


def test_saving_a_loaded_session_over_its_own_file_keeps_every_record(
        window, qtbot, tmp_path):
    path = tmp_path / "s.jsonl"
    write_session(path, 2000)
    before = list(SessionReader.open(path))
    open_judged(window, qtbot, path, timeout=60000)
    window.save_session(str(path))
    qtbot.waitUntil(lambda: not window.job.running, timeout=60000)
    assert list(SessionReader.open(path)) == before
    assert window.capture.messages[1999] == before[1999]
    assert not (tmp_path / ".s.jsonl.saving").exists()
