"""How the terminating proxy hands what it forwarded to the capture: inline, or aside.

Inline (the default, and the window's choice): each frame is judged and recorded on the
event loop right after it was forwarded, so the record exists when the relay moves on.
Aside (`ProxyConfig.observe_aside`, what `ocppscope proxy` uses): the frame's text and the
time it was forwarded go to the observer thread of `app.net.observing`, which judges and
records it in batches; parsing, validation, rules and recording then never hold up the
next frame. Either way the records are the same: same seqs in the same order, same times
(when the frame's last byte was forwarded), same meta. The headless proxy's observer ships
its batches to a process of its own (`app.net.shipping`); the judging there is the same.

A frame whose record its caller needs at once (an injected CALL and its answer, a frame an
intercept rule took) is judged in place after the observer caught up (`now`), so that it
still comes after every frame forwarded before it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from app.net.observing import Watched
from app.net.shipping import RemoteCapture, observing_for
from app.net.wire import as_text
from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.message import Message, RecordKind

log = logging.getLogger(__name__)


class LinkJudge:
    """The terminating proxy's way to its capture, for every connection it relays."""

    def __init__(self, capture: Capture | RemoteCapture, notice: Callable[[str], None], *,
                 aside: bool = False) -> None:
        """A capture in another process (`app.net.shipping.RemoteCapture`) is always fed
        aside: nothing can be judged inline there."""
        self.capture = capture
        aside = aside or isinstance(capture, RemoteCapture)
        self.observing = observing_for(capture, notice) if aside else None
        self._watched: dict[str, Watched] = {}

    @property
    def behind(self) -> int:
        """Frames forwarded and not judged yet (0 inline)."""
        return self.observing.behind if self.observing is not None else 0

    def opened(self, connection: str, station: str, meta: Mapping[str, Any]) -> None:
        if self.observing is not None:
            self._watched[connection] = self.observing.watch(connection, station, meta)
            return
        self._event(RecordKind.OPENED, connection, station, meta)

    def closed(self, connection: str, station: str, meta: Mapping[str, Any]) -> None:
        watched = self._watched.pop(connection, None)
        if self.observing is not None and watched is not None:
            self.observing.closed(watched, meta)
            return
        self._event(RecordKind.CLOSED, connection, station, meta)

    def frame(self, connection: str, station: str, direction: Direction, data: bytes,
              is_text: bool, meta: Mapping[str, Any] | None = None) -> None:
        """A frame was just forwarded (or could not be: `meta` says so): judge it, here or
        on the observer thread."""
        watched = self._watched.get(connection)
        if self.observing is None or watched is None:
            self.now(connection, station, direction, data, is_text, meta)
            return
        # as it came: the observer decodes the text, off the forwarding path
        self.observing.whole(watched, direction, data, text_frame=is_text, meta=meta)

    def now(self, connection: str, station: str, direction: Direction, data: bytes | str,
            is_text: bool = True, meta: Mapping[str, Any] | None = None) -> Message | None:
        """Judge a frame here and now, after what was queued before it; its record, or None
        when recording it failed (our bug: logged, and the relay goes on)."""
        try:
            if self.observing is not None:
                self.observing.catch_up()
            text = data if isinstance(data, str) else as_text(data) if is_text else None
            if text is not None:
                return self.capture.frame(connection, station, direction, text, meta=meta)
            return self.capture.frame(connection, station, direction, data,  # type: ignore[arg-type]
                                      text_frame=is_text, meta=meta)
        except Exception:  # a bug in observing must not stop the relay
            log.exception("observing a frame of %s failed", station)
            return None

    def stop(self, timeout: float = 10.0) -> int:
        """Judge what is still queued and end the observer thread; blocks (run it off the
        event loop). Returns how many items were left unjudged."""
        return self.observing.stop(timeout) if self.observing is not None else 0

    def _event(self, kind: RecordKind, connection: str, station: str,
               meta: Mapping[str, Any]) -> None:
        try:
            if self.observing is not None:
                self.observing.catch_up()
            self.capture.event(kind, connection, station, meta)
        except Exception:
            log.exception("recording a connection event of %s failed", station)
