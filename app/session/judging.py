"""A recorded session loaded and judged in one call, for the commands that read its state.

Judging is what fills `Capture.state` (the checker feeds the state tracker), so a command
that asks what a session says about its stations (`state`, `schedule`) loads the whole
file and judges it to the end first, exactly as the window does.
"""

from __future__ import annotations

from collections.abc import Callable

from app.errors import InputError
from app.session.capture import Capture
from app.session.importing import Imported
from app.session.loader import SessionLoader


def judged_session(path: str, warn: Callable[[str], None] | None = None) -> Capture:
    """The session (or any input the import layer reads) in `path`, judged (which fills its
    state). Raises InputError for a file that cannot be read, or from which no record could
    be read. `warn` hears, one line each and naming `path`, the lines that were skipped and
    why reading stopped early: what the answer is missing is never left unsaid."""
    return _judged(SessionLoader.open(path, freeze_gc=False), path, warn)


def judged_import(label: str, imported: Imported,
                  warn: Callable[[str], None] | None = None) -> Capture:
    """As `judged_session`, for records an import already read (standard input read once
    to find out what it holds), each warning naming `label`."""
    return _judged(SessionLoader.of_import(label, imported, freeze_gc=False), label, warn)


def _judged(loader: SessionLoader, path: str, warn: Callable[[str], None] | None) -> Capture:
    messages = loader.load_all()
    if loader.error and not messages:
        raise InputError(loader.error)  # it names the file already
    capture = Capture()
    capture.adopt(messages, times_known=loader.times_known,
                  directions_known=loader.directions_known,
                  answer_timeout=loader.answer_timeout)
    while capture.annotate(1.0):
        pass
    if warn is not None:
        for text in loader.warnings:
            warn(text if text == loader.error else f"{path}: {text}")
    return capture
