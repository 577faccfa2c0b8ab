"""Starting the window: Qt application, theme, qasync event loop, and the `--screenshot`
mode that renders the window offscreen to a PNG and exits (for tests and for looking at the
GUI on a machine without a display). That mode is headless: nobody can click a dialog away,
so the window's notices become lines on stderr, and the program always ends."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import qasync
from PySide6.QtCore import (
    QCoreApplication,
    QMessageLogContext,
    Qt,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from app import __version__
from widgets.main_window import MainWindow

DEMO_SETTLE_SECONDS = 20.0
SCREENSHOT_SIZE = (1400, 860)
LOAD_SETTLE_SECONDS = 600.0  # a screenshot of a huge file shows what loaded by then
ICON = Path(__file__).resolve().parents[1] / "resources" / "icons" / "ocppscope.svg"


def apply_theme(app: QApplication) -> None:
    """Fusion everywhere; a dark palette when the system says dark, following its changes."""
    app.setStyle("Fusion")

    def update() -> None:
        dark = QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark
        app.setPalette(_dark_palette() if dark else app.style().standardPalette())

    QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _: update())
    update()


def _dark_palette() -> QPalette:
    palette = QPalette()
    base, window, text = QColor(30, 31, 34), QColor(43, 45, 48), QColor(223, 225, 229)
    role = QPalette.ColorRole
    for key, colour in ((role.Window, window), (role.WindowText, text), (role.Base, base),
                        (role.AlternateBase, window), (role.Text, text),
                        (role.Button, window), (role.ButtonText, text),
                        (role.ToolTipBase, window), (role.ToolTipText, text),
                        (role.Highlight, QColor(53, 116, 240)),
                        (role.HighlightedText, QColor(255, 255, 255)),
                        (role.PlaceholderText, QColor(140, 140, 140))):
        palette.setColor(key, colour)
    muted = QColor(120, 122, 128)
    for role_name in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role_name, muted)
    return palette


def run_gui(file: str | None = None, demo: bool = False, screenshot: str | None = None) -> int:
    """Runs the window until it closes. With `screenshot` nobody is watching: nothing modal
    is shown (problems go to stderr, see `widgets.notices`), the PNG is written of whatever
    the window shows once loading settled, and the window closes. The exit status is then 2
    when something asked for did not happen (the file could not be opened, the demo failed,
    the PNG could not be written), else 0, a damaged file that loaded in part included."""
    if screenshot:
        qInstallMessageHandler(_without_offscreen_noise)
    QCoreApplication.setOrganizationName("OCPP Scope")
    QCoreApplication.setApplicationName("OCPP Scope")
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app)  # type: ignore[arg-type]
    app.setWindowIcon(QIcon(str(ICON)))  # type: ignore[union-attr]
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow()
    # nobody to click a dialog away; the capture guard, when made, keeps what it records
    window.notices.headless = bool(screenshot)
    if screenshot:
        # the same picture on every run: a geometry remembered from an earlier run was
        # squeezed onto the offscreen platform's small screen
        window.resize(*SCREENSHOT_SIZE)
    window.show()

    if file:
        window.open_session(file)
    elif demo:
        window.start_demo()

    tasks = []
    if screenshot:
        tasks.append(asyncio.ensure_future(
            _screenshot(window, screenshot, bool(file), demo)))
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    # let Python see Ctrl-C while Qt runs
    ticker = QTimer()
    ticker.start(250)
    ticker.timeout.connect(lambda: None)
    with loop:
        loop.run_until_complete(_until_closed(app))
    return 2 if window.notices.failed else 0


def _without_offscreen_noise(mode: QtMsgType, context: QMessageLogContext,
                             message: str) -> None:
    """Qt's offscreen platform warns about every window it cannot resize: noise for whoever
    reads stderr for our own line. Everything else Qt says passes through."""
    if "does not support propagateSizeHints" in message:
        return
    category = context.category
    print(message if not category or category == "default" else f"{category}: {message}",
          file=sys.stderr)


async def _until_closed(app: QApplication) -> None:
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    app.aboutToQuit.connect(closed.set)
    await closed.wait()


async def _screenshot(window: MainWindow, path: str, loading: bool, demo: bool) -> None:
    try:
        if loading:
            # open_session ran before: it failed (told by notices), or a load is running
            # that ends in a check; either way the picture is ready once neither runs
            await _wait_for(lambda: not _busy(window), LOAD_SETTLE_SECONDS)
        elif demo:
            await _wait_for(lambda: _demo_done(window) or window.notices.failed,
                            DEMO_SETTLE_SECONDS)
            window.bridge.flush()
        await asyncio.sleep(0.3)
        _select_interesting_row(window)
        await asyncio.sleep(0.2)
        if not window.grab().save(path):
            window.notices.error(f"{path}: cannot write the screenshot")
        else:
            print(f"screenshot written to {Path(path).resolve()}")
    finally:
        if window.runner.running is not None:
            await window.runner.stop()
        window.close()


def _busy(window: MainWindow) -> bool:
    return any(job is not None and job.running for job in (window.job, window._judge_job))


def _demo_done(window: MainWindow) -> bool:
    return any(m.action == "RequestStopTransaction" and m.message_type == 3
               for m in window.capture.messages[-8:])


async def _wait_for(condition, timeout: float) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition() and loop.time() < deadline:
        await asyncio.sleep(0.05)


def _select_interesting_row(window: MainWindow) -> None:
    """Select the first invalid frame, so the picture shows findings; else the first CALL
    (none while the welcome page shows: nothing was opened or run)."""
    if not window.workspace_built:
        return
    model = window.model
    fallback = None
    for row in range(model.rowCount()):
        message = model.message_at(row)
        if message.message_type is not None and not window.capture.annotation(
                message.seq).valid:
            window.select_row(row)
            return
        if fallback is None and message.message_type == 2:
            fallback = row
    if fallback is not None:
        window.select_row(fallback)
