"""Starting and stopping the live modes from the window, on the engine's own thread
(`widgets.engine`). Failures (port in use, bad certificate file, unreachable CSMS) come back
as one sentence through `failed`, never as a traceback; signals emitted on the engine thread
reach the window queued, on its own thread.

What weakens safety while a mode runs (`Running.cautions`: listening beyond loopback,
certificate checks switched off) is kept with it for the status bar, in the engine's words,
and the URLs shown never carry passwords or tokens (`app.net.secrets`).

The network engine (websockets, TLS, the endpoints) and its thread are loaded when a mode
first starts, not with the window: most runs open a file or look around first, and the
window shows sooner without them."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.errors import OcppScopeError
from widgets.engine import Engine, awaitable, shared_engine

if TYPE_CHECKING:  # the network engine is imported when a mode starts, not with the window
    from app.net.csms import CsmsConfig
    from app.net.intercept import Interceptor
    from app.net.policy import ResponsePolicy
    from app.net.proxy import ProxyConfig
    from app.net.station import StationConfig
    from app.replay.run import ReplayRun
    from app.session.capture import Capture

log = logging.getLogger(__name__)


@dataclass
class Running:
    mode: str          # "proxy", "csms", "station", "demo" or "replay"
    address: str       # what the status bar shows
    component: Any     # Proxy, CsmsEndpoint, StationEndpoint, Demo or ReplayRun
    stop: Callable[[], Awaitable[None]]
    cautions: list[str] = field(default_factory=list)  # one sentence each, for the status bar


class ModeRunner(QObject):
    started = Signal(str, str)   # mode, address
    stopped = Signal()
    failed = Signal(str)         # one sentence for an error dialog
    notice = Signal(str)         # things worth a line in the status bar

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.running: Running | None = None
        self._task: concurrent.futures.Future[Any] | None = None
        self.interceptor: Interceptor | None = None   # the proxy's intercept rules

    @property
    def engine(self) -> Engine:
        """The engine thread, started when a mode first needs it (not with the window)."""
        return shared_engine()

    @property
    def busy(self) -> bool:
        return self.running is not None or (self._task is not None and not self._task.done())

    def rules_not_applied(self) -> str:
        """Why the running mode does not apply `interceptor`'s rules, as a clause the
        intercept panel adds to what it says; empty when they apply or no proxy runs. A
        proxy takes its rules when it starts, and one started without them (wire-
        transparent, the default, or terminating) never looks at rules loaded later; the
        demo's proxy takes none at all (a held frame would stall its script)."""
        running = self.running
        if running is None:
            return ""
        if running.mode == "demo":
            return "the demo applies no intercept rules"
        if running.mode != "proxy":
            return ""
        if self.interceptor is not None and getattr(
                running.component, "interceptor", None) is self.interceptor:
            return ""
        return ("the running proxy started without rules and applies none: they hold from "
                "its next start")

    def start_demo(self, capture: Capture, pace: float = 0.3) -> None:
        from app.net.demo import Demo

        async def start() -> Running:
            demo = Demo(capture, self.notice.emit, pace=pace)
            await demo.start()
            assert demo.proxy is not None
            task = asyncio.ensure_future(demo.play())
            task.add_done_callback(self._demo_finished)

            async def stop() -> None:
                task.cancel()
                await demo.stop()

            return Running("demo", demo.proxy.url, demo, stop)

        self._launch(start(), capture)

    def _demo_finished(self, task: asyncio.Future[Any]) -> None:
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            reason = str(error) or ("a step got no answer in time"
                                    if isinstance(error, TimeoutError) else type(error).__name__)
            self.failed.emit(f"the demo stopped: {reason}")
        else:
            self.notice.emit("demo session complete; the station keeps sending heartbeats")

    def start_proxy(self, capture: Capture, config: ProxyConfig,
                    answer_timeout: float | None = None, *,
                    cautions: Sequence[str] = ()) -> None:
        """`cautions`: the dialog's (`app.mode_config.cautions`); listening beyond loopback is
        added here, once the port is known."""
        from app.net.errors import listen
        from app.net.splice import open_proxy

        async def start() -> Running:
            proxy = open_proxy(config, capture, self.notice.emit, self.interceptor)
            await listen(proxy, config.host, config.port)
            from app.net import secrets

            return Running("proxy", f"{proxy.url} → {secrets.mask_url(config.upstream)}",
                           proxy, proxy.stop, _cautions(cautions, config.host, proxy.port))

        self._launch(start(), capture, answer_timeout)

    def start_csms(self, capture: Capture, config: CsmsConfig, policy: ResponsePolicy,
                   answer_timeout: float | None = None, *,
                   cautions: Sequence[str] = ()) -> None:
        from app.net.csms import CsmsEndpoint
        from app.net.errors import listen

        async def start() -> Running:
            csms = CsmsEndpoint(config, capture, policy, self.notice.emit)
            await listen(csms, config.host, config.port)
            return Running("csms", f"{csms.url}/<stationId>", csms, csms.stop,
                           _cautions(cautions, config.host, csms.port))

        self._launch(start(), capture, answer_timeout)

    def start_station(self, capture: Capture, config: StationConfig, policy: ResponsePolicy,
                      answer_timeout: float | None = None, *,
                      cautions: Sequence[str] = ()) -> None:
        from app.net.station import StationEndpoint

        async def start() -> Running:
            station = StationEndpoint(config, capture, policy, self.notice.emit)
            await station.start()
            return Running("station", station.url, station, station.stop, list(cautions))

        self._launch(start(), capture, answer_timeout)

    def start_replay(self, capture: Capture, replay: ReplayRun,
                     played: Callable[[asyncio.Future[Any]], None],
                     answer_timeout: float | None = None) -> None:
        """Start `replay` (listening, as the CSMS) and play it; `played(task)` is called on
        the engine thread when playing ends, however it ended. The mode stays running
        until `stop()`, so the window stops it when it has read the outcome."""
        async def start() -> Running:
            stop = await replay.start(capture, self.notice.emit)
            task = asyncio.ensure_future(replay.play())
            task.add_done_callback(played)

            async def stop_all() -> None:
                replay.control.stop()
                await stop()
                await asyncio.wait({task}, timeout=10)

            return Running("replay", replay.address, replay, stop_all)

        self._launch(start(), capture, answer_timeout)

    def _launch(self, starting: Awaitable[Running], capture: Capture,
                answer_timeout: float | None = None) -> None:
        """Start a mode; its CALLs are flagged when unanswered after `answer_timeout`
        seconds (None: the capture's default, `ANSWER_TIMEOUT`)."""
        from app.ocpp.conversation import ANSWER_TIMEOUT
        from app.session.answer_watch import watch_answers

        timeout = ANSWER_TIMEOUT if answer_timeout is None else answer_timeout
        if self.busy:
            self.failed.emit("a mode is already running: stop it first")
            return

        async def run() -> None:
            try:
                running = await starting
            except OcppScopeError as exc:  # a file, a port: one sentence for the user
                self.failed.emit(str(exc))
                return
            except Exception as exc:  # anything else is our bug: say so, keep the window
                log.exception("starting a mode failed")
                self.failed.emit(f"could not start: {exc}")
                return
            # CALLs left unanswered get their finding while the mode runs
            watcher = asyncio.ensure_future(watch_answers(capture, timeout=timeout))
            stop = running.stop

            async def stop_all() -> None:
                watcher.cancel()
                await stop()

            running.stop = stop_all
            self.running = running
            self.started.emit(running.mode, running.address)

        self._task = self.engine.submit(run())

    def stop(self) -> Awaitable[None]:
        running, self.running = self.running, None

        async def stop() -> None:
            if running is not None:
                try:
                    await running.stop()
                except Exception:
                    log.exception("stopping %s failed", running.mode)
            self.stopped.emit()

        return awaitable(self.engine.submit(stop()))


def _cautions(given: Sequence[str], host: str, port: int) -> list[str]:
    from app.net import links

    listening = links.listening_caution(host, port)
    return [*given, listening] if listening else list(given)
