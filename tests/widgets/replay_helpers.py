"""What the Replay tests share: a recorded session, a live `ocpp`-package CSMS on the
test's loop, and a replay started from the dialog's values as the window would."""

from __future__ import annotations

from typing import Any

from tests.net.peers import OcppCsms, OcppCsmsServer
from tests.replay.sessions import csms_calls
from tests.widgets.conftest import run_until


class LiveCsms:
    """An `ocpp` CSMS that makes the recorded CSMS CALLs, on the window's loop."""

    def __init__(self, loop: Any, csms_class: type[OcppCsms] = OcppCsms) -> None:
        self.loop = loop
        self.server = OcppCsmsServer(csms_class)
        loop.run_until_complete(self.server.__aenter__())
        self.calls = loop.create_task(csms_calls(self.server, "CP-17", timeout=20))

    @property
    def url(self) -> str:
        return self.server.url

    def close(self) -> None:
        if not self.calls.done():
            self.calls.cancel()
        self.loop.run_until_complete(self.server.__aexit__(None, None, None))


def start_replay(window: Any, file: str, url: str, paused: bool = False, **values: Any) -> Any:
    """Fill the Replay dialog, press Start, and run the plan as File > Replay would."""
    dialog = window.replay.dialog()
    dialog.file_edit.setText(file)
    dialog._fill_stations()
    dialog.editors["csms"].setText(url)
    dialog.editors["settle"].setValue(values.pop("settle", 10))
    for name, value in values.items():
        dialog.editors[name].setValue(value)
    dialog.accept()
    assert dialog.plan is not None, dialog.problems()
    window.replay.start(dialog.plan, dialog.values(), paused=paused)
    return window.replay.page


def finish(loop: Any, page: Any) -> None:
    run_until(loop, lambda: page.report is not None and page.runner.running is None)
