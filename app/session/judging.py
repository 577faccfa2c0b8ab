"""A recorded session loaded and judged in one call, for the commands that read its state.

Judging is what fills `Capture.state` (the checker feeds the state tracker), so a command
that asks what a session says about its stations (`state`, `schedule`) loads the whole
file and judges it to the end first, exactly as the window does.
"""

from __future__ import annotations

from app.errors import InputError
from app.session.capture import Capture
from app.session.loader import SessionLoader


def judged_session(path: str) -> Capture:
    """The session in `path`, judged (which fills its state). Raises InputError for a file
    that cannot be read or is a bare list of frames, which names no stations."""
    loader = SessionLoader.open(path, freeze_gc=False)
    if loader.kind != "session":
        loader.cancel()
        raise InputError(f"{path} is not a session recorded by OCPP Scope (a list of frames "
                         "names no stations); `ocppscope validate` checks such files")
    capture = Capture()
    capture.adopt(loader.load_all(), times_known=loader.times_known)
    while capture.annotate(1.0):
        pass
    return capture
