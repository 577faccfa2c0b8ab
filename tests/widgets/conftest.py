"""GUI test set-up: an asyncio loop inside Qt's (qasync), settings kept out of the user's
own, and message boxes that record instead of blocking."""

import asyncio

import pytest
import qasync
from PySide6.QtCore import QAbstractEventDispatcher, QCoreApplication, QSettings
from PySide6.QtWidgets import QMessageBox
from websockets.asyncio.client import connect

from app.net.csms import CsmsConfig
from app.net.policy import ResponsePolicy


@pytest.fixture
def loop(qapp):
    event_loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    # let what the test started finish its closing handshakes before the loop goes away
    event_loop.run_until_complete(asyncio.sleep(0.1))
    pending = [task for task in asyncio.all_tasks(event_loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        event_loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    event_loop.close()
    asyncio.set_event_loop(None)
    # qasync leaves the Qt timers of callbacks still scheduled (sleeps, call_later) running
    # after close. Should the loop then be garbage-collected on another thread (the
    # engine's, wherever Python's collector happens to run), Qt keeps a timer of a deleted
    # object and crashes a later test: unregister them here, on the GUI thread.
    QAbstractEventDispatcher.instance().unregisterTimers(event_loop._timer)


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, qapp, monkeypatch):
    QCoreApplication.setOrganizationName("OCPP Scope Tests")
    QCoreApplication.setApplicationName("OCPP Scope Tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the message library
    yield


@pytest.fixture(autouse=True)
def unanswered_questions_fail(monkeypatch):
    """A question box (`QMessageBox.exec`) that a test did not answer fails the test at
    once instead of waiting for a click that never comes. See `questions` to answer."""
    def refuse(box):
        raise AssertionError(f"an unanswered question: {box.text()}")

    monkeypatch.setattr(QMessageBox, "exec", refuse)


@pytest.fixture
def questions(monkeypatch):
    """Question boxes shown during the test, as their texts, each answered with `answer`
    (a StandardButton, Cancel unless the test sets another)."""
    class Questions(list):
        answer = QMessageBox.StandardButton.Cancel

    asked = Questions()

    def answer(box):
        asked.append(box.text())
        return asked.answer.value

    monkeypatch.setattr(QMessageBox, "exec", answer)
    return asked


@pytest.fixture
def dialogs(monkeypatch):
    """Message boxes shown during the test, as (kind, text), instead of modal windows."""
    shown = []
    for kind in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind,
                            lambda *args, kind=kind: shown.append((kind, args[2])))
    return shown


@pytest.fixture
def no_message_boxes(monkeypatch):
    """Any message box fails the test: headless, nobody could click it away."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"a modal message box was shown: {args[1:3]}")

    for kind in ("warning", "information", "critical", "question", "about"):
        monkeypatch.setattr(QMessageBox, kind, refuse)
    monkeypatch.setattr(QMessageBox, "exec", refuse)


def choose_answer(panel, action, mode):
    """Set the responder's answer mode for `action` ("error", "ask", ...), as a user picks
    it; the row's (mode, detail, delay) editors, for the test to fill in."""
    editors = panel._widgets(action)
    editors[0].setCurrentIndex(editors[0].findData(mode))
    return editors


def csms_in_window(window, loop, **answers):
    """The window runs its CSMS on a free port with a fresh capture and a default answer
    policy, the responder answering each action of `answers` as its mode says
    (`Authorize="ask"`); the URL stations connect to."""
    window.policy = ResponsePolicy()
    window.runner.start_csms(window._fresh_capture(), CsmsConfig(), window.policy)
    run_until(loop, lambda: window.runner.running is not None)
    for action, mode in answers.items():
        choose_answer(window.workbench.responder, action, mode)
    return window.runner.running.component.url


async def answer_to(url, frame, timeout=10.0):
    """What a bare station connected at `url` is sent back after it sends `frame`."""
    async with connect(url, subprotocols=["ocpp2.0.1"]) as ws:
        await ws.send(frame)
        return await asyncio.wait_for(ws.recv(), timeout)


def open_judged(window, qtbot, path, timeout=20000):
    """Open the session file (or log, or capture) at `path` in the window, as a user does,
    and wait until it is judged: only then do the views show its verdicts."""
    with qtbot.waitSignal(window.judged, timeout=timeout):
        window.open_session(str(path))


def run_until(event_loop, condition, timeout=20.0):
    """Run Qt and asyncio together until `condition()` holds (or fail after `timeout`)."""
    async def wait():
        deadline = event_loop.time() + timeout
        while not condition():
            if event_loop.time() > deadline:
                raise TimeoutError("condition not reached")
            await asyncio.sleep(0.02)

    event_loop.run_until_complete(wait())


@pytest.fixture
def window(qtbot, loop, qapp):
    from widgets.main_window import MainWindow

    win = MainWindow()  # closed here, not by qtbot: a running mode must stop first
    win.show()
    yield win
    if win.runner.running is not None:
        loop.run_until_complete(win.runner.stop())
    # no one answers now: what was recorded stays in the test's own captures folder
    win.capture_guard.headless = True
    quits = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)  # the loop must outlive the window
    win.close()
    run_until(loop, lambda: not win.isVisible())  # after the recording closed
    qapp.setQuitOnLastWindowClosed(quits)
    win.deleteLater()
