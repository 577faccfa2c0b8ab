"""The tabs around the timeline: composer, responder, reference, validator, and what ties
them to the running mode (sending, "ask me" answers) and to each other.

Every tab but the Timeline is built when first shown or first used (its attribute is a
property that builds), not with the window: together with the modules they import (charts,
pygments, the schemas, the network engine) they were most of the start-up. Until then a tab
holds an empty placeholder; what the window tells a tool (the targets of the running mode) is
kept and handed over when it is built, and `tab_built` (`widgets.lazy_tabs`) lets the window
wire a state view and give it the state it shows.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMessageBox, QTabWidget, QWidget

from app.errors import NotConnected
from app.ocpp import catalog
from app.ocpp.schemas import PayloadKind
from widgets.engine import awaitable
from widgets.lazy_tabs import LazyTabs
from widgets.workbench_tabs import TAB_TITLES

if TYPE_CHECKING:
    from app.net.peer import CallOutcome
    from app.net.policy import Answer, ResponsePolicy
    from app.session.capture import Capture
    from app.session.message import Message
    from app.session.saved_messages import MessageLibrary
    from widgets.composer import Composer
    from widgets.connections_view import ConnectionsView
    from widgets.reference_view import ReferenceView
    from widgets.responder import ResponderPanel
    from widgets.runner import ModeRunner
    from widgets.schedule_view import ScheduleView
    from widgets.station_view import StationView
    from widgets.transactions_view import TransactionsView
    from widgets.validator_view import ValidatorView

log = logging.getLogger(__name__)


class Workbench(QTabWidget):
    # an "ask me" request from the engine thread: action, request payload, answer future
    ask_requested = Signal(str, object, object)
    # an "ask me" request that ended without the user's answer (its connection closed)
    ask_ended = Signal(object)

    def __init__(self, timeline: QWidget, runner: ModeRunner, saved_path: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.lazy = LazyTabs(self)
        self.tab_built = self.lazy.built   # a tab built on first use: its name and widget
        self._targets: tuple[str | None, list[str]] = (None, [])
        titles = iter(TAB_TITLES)
        self.timeline_tab = self.addTab(timeline, next(titles))
        self.station_tab = self.lazy.add("station_view", next(titles), self._build_station_view)
        self.transactions_tab = self.lazy.add("transactions", next(titles),
                                              self._build_transactions)
        self.schedule_tab = self.lazy.add("schedule", next(titles), self._build_schedule)
        self.connections_tab = self.lazy.add("connections", next(titles),
                                             self._build_connections)
        self.composer_tab = self.lazy.add("composer", next(titles), self._build_composer)
        self.responder_tab = self.lazy.add("responder", next(titles), self._build_responder)
        self.reference_tab = self.lazy.add("reference", next(titles), self._build_reference)
        self.validator_tab = self.lazy.add("validator", next(titles), self._build_validator)
        self._saved_path = saved_path
        self._library: MessageLibrary | None = None
        self._library_read = False   # read when first needed, not with the window
        self._asking: concurrent.futures.Future[Answer | None] | None = None
        self._ask_lock: asyncio.Lock | None = None
        self.ask_requested.connect(self._show_ask)
        self.ask_ended.connect(self._ask_ended)
        self._tasks: set[asyncio.Future[Any]] = set()

    # --- the tabs, built on first use -----------------------------------------------------

    @property
    def station_view(self) -> StationView:
        return self._tab("station_view")  # type: ignore[return-value]

    @property
    def transactions(self) -> TransactionsView:
        return self._tab("transactions")  # type: ignore[return-value]

    @property
    def schedule(self) -> ScheduleView:
        return self._tab("schedule")  # type: ignore[return-value]

    @property
    def connections(self) -> ConnectionsView:
        return self._tab("connections")  # type: ignore[return-value]

    @property
    def composer(self) -> Composer:
        return self._tab("composer")  # type: ignore[return-value]

    @property
    def responder(self) -> ResponderPanel:
        return self._tab("responder")  # type: ignore[return-value]

    @property
    def reference(self) -> ReferenceView:
        return self._tab("reference")  # type: ignore[return-value]

    @property
    def validator(self) -> ValidatorView:
        return self._tab("validator")  # type: ignore[return-value]

    def built(self, name: str) -> bool:
        """Whether the tab `name` ("station_view", "composer", ...) exists yet."""
        return self.lazy.is_built(name)

    def _tab(self, name: str) -> QWidget:
        return self.lazy.get(name)

    # each import comes with its tab, not with the window
    def _build_station_view(self) -> QWidget:
        from widgets.station_view import StationView

        return StationView()

    def _build_transactions(self) -> QWidget:
        from widgets.transactions_view import TransactionsView

        return TransactionsView()

    def _build_schedule(self) -> QWidget:
        from widgets.schedule_view import ScheduleView

        return ScheduleView()

    def _build_connections(self) -> QWidget:
        from widgets.connections_view import ConnectionsView

        return ConnectionsView()

    def _build_composer(self) -> QWidget:
        from widgets.composer import Composer

        composer = Composer()
        composer.saved_lookup = self._saved
        composer.send_requested.connect(self._send)
        composer.save_requested.connect(self._save)
        composer.answer_ready.connect(self._answered)
        composer.error_ready.connect(self._answered_with_error)
        composer.use_as_answer.connect(
            lambda action, payload: self.responder.set_payload(action, payload))
        composer.use_error_as_answer.connect(
            lambda action, code, text: self.responder.set_error(action, code, text))
        mode, stations = self._targets
        if mode is not None:
            composer.set_targets(mode, stations)
        return composer

    def _build_responder(self) -> QWidget:
        from widgets.responder import ResponderPanel

        responder = ResponderPanel()
        responder.edit_payload.connect(self._write_answer_payload)
        return responder

    def _build_reference(self) -> QWidget:
        from widgets.reference_view import ReferenceView

        reference = ReferenceView()
        reference.open_in_composer.connect(self.compose)
        reference.validate_payload.connect(self.validate_as)
        return reference

    def _build_validator(self) -> QWidget:
        from widgets.validator_view import ValidatorView

        return ValidatorView()

    # --- between the tabs -----------------------------------------------------------------

    def compose(self, action: str, kind: PayloadKind = PayloadKind.REQUEST,
                payload: Any = None) -> None:
        self.composer.load(action, kind, payload)
        self.setCurrentIndex(self.composer_tab)

    def validate_as(self, action: str) -> None:
        self.validator.check_as(action)
        self.setCurrentIndex(self.validator_tab)

    def edit_as_new(self, capture: Capture, message: Message) -> bool:
        """Open a frame of the timeline in the composer (a CALL as its request, an answer
        as the response of its CALL's action)."""
        frame = message.parse().frame
        if frame is None or message.action not in catalog.ACTIONS or message.message_type == 4:
            return False
        kind = PayloadKind.REQUEST if message.message_type == 2 else PayloadKind.RESPONSE
        payload = getattr(frame, "payload", None)
        self.compose(message.action, kind, payload if payload is not None else {})
        return True

    def _write_answer_payload(self, action: str) -> None:
        self.compose(action, PayloadKind.RESPONSE)

    # --- the running mode -----------------------------------------------------------------

    def mode_started(self, mode: str, policy: ResponsePolicy | None) -> None:
        """An endpoint mode answers by `policy`, which keeps the rules the Responder tab
        held before (a rules file given at the start wins where it speaks)."""
        if policy is not None:
            policy.carry_over(self.responder.policy)
            policy.asker = self.ask
            self.responder.adopt(policy)
            self.responder.set_side(mode)
        self.responder.set_mode(mode)

    def update_targets(self, mode: str | None, stations: list[str]) -> None:
        self._targets = (mode, stations)  # for a composer built later
        if self.built("composer"):
            self.composer.set_targets(mode, stations)
        if mode is None and self.built("responder"):  # a new one starts without a mode
            self.responder.set_mode(None)

    def _send(self, action: str, text: str, target: str, direction: str) -> None:
        task = asyncio.ensure_future(self._send_async(action, text, target, direction))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_async(self, action: str, text: str, target: str, direction: str) -> None:
        sent = (action, target, direction)

        def show(status: str, payload: Any, detail: str = "") -> None:
            self.composer.show_outcome(status, payload, detail, sent=sent)

        running = self.runner.running
        if running is None:
            show("not sent", None, "no mode is running")
            return
        try:
            payload = json.loads(text)
        except (ValueError, RecursionError):
            payload = None
        try:
            # delivered on the engine's thread; the outcome comes back here
            outcome = await awaitable(self.runner.engine.submit(self._deliver(
                running.mode, running.component, action, text, payload, target, direction)))
        except NotConnected as exc:
            show("not sent", None, str(exc))
            return
        except Exception as exc:  # our bug or I/O: say it, keep the window
            log.exception("sending %s failed", action)
            show("not sent", None, str(exc))
            return
        if outcome is None:
            show("sent", None, "not JSON, so no answer is awaited")
        elif outcome.status == "result":
            show("answered", outcome.payload)
        elif outcome.status == "error":
            code, description, _ = outcome.error or ("", "", None)
            show("CALLERROR", None, f"{code} {description}")
        else:
            show(outcome.status, None, "no answer in time" if outcome.status == "timeout"
                 else "the connection closed")

    async def _deliver(self, mode: str, component: Any, action: str, text: str, payload: Any,
                       target: str, direction: str) -> CallOutcome | None:
        from app.ocpp.conversation import Direction

        if mode in ("proxy", "demo"):
            from app.net.proxy import INJECTED_ID_PREFIX

            proxy = component.proxy if mode == "demo" else component
            if payload is None or not isinstance(payload, dict):
                message_id = INJECTED_ID_PREFIX + uuid.uuid4().hex[:12]
                frame = f'[2,"{message_id}",{json.dumps(action)},{text}]'
                return await proxy.inject_text(target, Direction(direction), frame,
                                               expect_answer_to=message_id)
            return await proxy.inject(target, Direction(direction), action, payload)
        if mode == "csms":
            if not isinstance(payload, dict):
                peer = component.peers.get(target)
                if peer is None:
                    raise NotConnected(f"station '{target}' is not connected")
                await peer.send_text(f'[2,"{peer.new_message_id()}",{json.dumps(action)},'
                                     f"{text}]")
                return None
            return await component.call(target, action, payload)
        if not isinstance(payload, dict):
            peer = component.peer
            if peer is None:
                raise NotConnected("not connected to the CSMS")
            await peer.send_text(f'[2,"{peer.new_message_id()}",{json.dumps(action)},{text}]')
            return None
        return await component.call(action, payload)

    async def ask(self, action: str, request: Any) -> Answer | None:
        """"Ask me", on the engine thread: hold the request until the user sends an answer
        from the composer (one request at a time)."""
        if self._ask_lock is None:
            self._ask_lock = asyncio.Lock()  # made on the engine loop, where it is used
        async with self._ask_lock:
            answer: concurrent.futures.Future[Answer | None] = concurrent.futures.Future()
            self.ask_requested.emit(action, request, answer)
            return await asyncio.wrap_future(answer)

    def _show_ask(self, action: str, request: Any,
                  answer: concurrent.futures.Future[Answer | None]) -> None:
        """On the GUI thread: put the waiting request's default answer in the composer."""
        from app.ocpp.responses import default_response

        self._asking = answer
        # the peer's task is cancelled when its connection closes, and the future with it
        answer.add_done_callback(self.ask_ended.emit)  # on the engine thread: a signal
        self.compose(action, PayloadKind.RESPONSE,
                     default_response(action, request if isinstance(request, dict) else {}))
        self.composer.set_asking(action)

    def _ask_ended(self, answer: concurrent.futures.Future[Answer | None]) -> None:
        if answer is not self._asking:
            return
        self._asking = None
        if answer.cancelled():
            self.composer.status.setText(f"{self.composer.asking_action} no longer waits: "
                                         "its connection closed")
        self.composer.set_asking(None)

    def _answered(self, action: str, text: str) -> None:
        if self._asking is None or self._asking.done():
            self.composer.set_asking(None)
            return
        try:
            payload = json.loads(text)
        except (ValueError, RecursionError):
            QMessageBox.warning(self, "Answer", "The answer must be JSON.")
            return
        if not isinstance(payload, dict):
            QMessageBox.warning(self, "Answer", "An answer's payload is a JSON object {…}.")
            return
        from app.net.policy import Answer

        self._give_answer(action, Answer(payload=payload))

    def _answered_with_error(self, action: str, code: str, description: str) -> None:
        if self._asking is None or self._asking.done():
            self.composer.set_asking(None)
            return
        from app.net.policy import Answer

        self._give_answer(action, Answer(error=(code, description, {})))

    def _give_answer(self, action: str, answer: Answer) -> None:
        assert self._asking is not None
        asking, self._asking = self._asking, None
        asking.set_result(answer)
        self.composer.set_asking(None)
        self.composer.status.setText(f"answer to {action} sent")

    # --- library --------------------------------------------------------------------------

    @property
    def saved(self) -> MessageLibrary | None:
        """The saved-message library, read from its file the first time it is needed
        (None when that file cannot be read: the rest of the window works without it)."""
        if not self._library_read:
            from app.session.saved_messages import LibraryError, MessageLibrary

            self._library_read = True
            try:
                self._library = MessageLibrary(self._saved_path)
            except LibraryError as exc:
                log.warning("message library not loaded: %s", exc)
        return self._library

    def export_saved(self, path: str) -> str:
        from app.session.saved_messages import LibraryError

        if self.saved is None:
            return "the message library could not be read"
        try:
            count = self.saved.export(Path(path))
        except (LibraryError, OSError) as exc:
            return str(exc)
        return f"exported {count} saved messages to {path}"

    def import_saved(self, path: str) -> str:
        from app.session.saved_messages import LibraryError

        if self.saved is None:
            return "the message library could not be read"
        try:
            added, problems = self.saved.import_file(Path(path))
        except (LibraryError, OSError) as exc:
            return str(exc)
        if self.built("composer"):
            self.composer.set_saved(self._saved(self.composer.current_action,
                                                  self.composer.current_kind))
        text = f"imported {added} saved messages"
        if problems:
            text += f"; {len(problems)} skipped: " + "; ".join(problems[:3])
        return text

    def _saved(self, action: str, kind: PayloadKind) -> list[tuple[str, Any]]:
        if self.saved is None:
            return []
        return [(m.name, m.payload) for m in self.saved.for_action(action, kind)]

    def _save(self, name: str, action: str, kind: str, payload: Any) -> None:
        if self.saved is None:
            QMessageBox.warning(self, "Library", "The message library could not be read, "
                                "so nothing can be saved to it.")
            return
        from datetime import UTC, datetime

        from app.session.saved_messages import LibraryError, SavedMessage

        try:
            self.saved.add(SavedMessage(name, action, PayloadKind(kind), payload,
                                          datetime.now(UTC).isoformat(timespec="seconds")))
        except (LibraryError, OSError) as exc:
            QMessageBox.warning(self, "Library", str(exc))
            return
        self.composer.set_saved(self._saved(action, PayloadKind(kind)))

