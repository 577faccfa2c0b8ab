"""`Recording`: one live capture written to one session file, from its first record.

The recorder subscribes to the capture and hands each record to a `QueuedSink`
(`app.session.sinks.recording_sink`), so a slow or full disk never holds up forwarding; the
sink's thread does the writing. What the user must hear (the recording stopped, it resumed)
comes through `notice(text, failing)`, called from the sink's thread or the engine's, with
`failing` saying which of the two it is, so a window can show a warning or clear it without
reading the words. `close()` returns the sink's report, which `summary` puts into words.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.session.capture import Annotation, Capture
from app.session.live_store import LiveStore
from app.session.message import Message
from app.session.sessionfile import SessionWriter
from app.session.sinks import QueuedSink, SinkReport, recording_sink
from app.wording import count, were

Notice = Callable[[str, bool], None]  # (text, whether the recording is failing now)


class Recording:
    """Writes every record published by `capture` from now on through `writer`."""

    def __init__(self, capture: Capture, writer: SessionWriter, notice: Notice, *,
                 capacity: int = 100_000) -> None:
        """When the capture keeps its records in a `LiveStore` over this very file, the
        store hears where each record was written, and reads it back from there."""
        self._writer = writer
        self._notice = notice
        store = capture.messages
        located: Callable[[list[Message], list[int]], None] | None = None
        restored: Callable[[], None] | None = None
        if isinstance(store, LiveStore) and store.path == writer.path:
            located = store.located

            def reopen() -> None:  # the file was written out again: read it there
                store.reopen(writer.path, writer.fileno())

            restored = reopen

        self.sink: QueuedSink[Message] = recording_sink(writer, self._tell,
                                                        capacity=capacity, located=located,
                                                        restored=restored)
        self._unsubscribe: Callable[[], None] | None = capture.subscribe(self._put)

    def _put(self, message: Message, _annotation: Annotation) -> None:
        self.sink.put(message)  # constant time, never blocks: this is the forwarding path

    def _tell(self, text: str) -> None:
        self._notice(text, self.sink.failing)

    @property
    def path(self) -> Path:
        """Where the records are: the path asked for, or the name beside it the recording
        went to when it was deleted and another file took that path."""
        return self._writer.path

    @property
    def requested(self) -> Path:
        """The path the recording was asked for."""
        return self._writer.requested

    @property
    def written(self) -> int:
        return self.sink.written

    @property
    def lost(self) -> int:
        return self.sink.lost

    def close(self, timeout: float = 10.0) -> SinkReport:
        """Stop taking records, write what is queued (for up to `timeout` seconds: a hung
        disk is not waited for longer), close the file and say what was done. Blocks: call
        it off the GUI thread."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        return self.sink.close(timeout)


def summary(report: SinkReport, path: Path | str, requested: Path | str | None = None) -> str:
    """What a recording did, in the words the command line uses at the end of a run; with
    the path it was asked for when that is not where the records went (the recording was
    deleted while it ran, and another file took its name)."""
    text = f"recorded {count(report.written, 'record')} to {path}"
    if requested is not None and Path(requested) != Path(path):
        text += f" (another file took the name {requested} while it was deleted)"
    if report.lost:
        text += f"; {were(report.lost, 'record')} lost ({report.reason})"
    return text
