"""`Capture`: the live record of one run, fed by the network engine.

The engine hands every frame to `Capture.frame()` *after* forwarding it. The capture gives it
a sequence number, judges it (envelope, pairing, schema), keeps the record and its
annotation, and tells each subscriber (recorder, console, GUI bridge). A failing subscriber
is logged and skipped: an observer must never break the traffic it observes.
"""

from __future__ import annotations

import bisect
import logging
import threading
import time
from array import array
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import replace
from typing import Any

from app.ocpp.checker import FrameChecker, Verdict, has_error, internal_error
from app.ocpp.conversation import (
    Direction,
    Lost,
    PendingCall,
    answer_due,
    answer_timeout,
    no_answer_at_close,
)
from app.ocpp.findings import Finding
from app.ocpp.frames import Parsed
from app.ocpp.other_versions import OtherVersions, chosen_subprotocol
from app.session.annotations import NO_ANNOTATION, Annotation, AnnotationTable, NoteLog
from app.session.answer_watch import WatchClock, last_time
from app.session.attempts import AttemptTracker
from app.session.message import Message, RecordKind, frame_message
from app.session.seq_links import SeqLinks
from app.session.store import RecordStore
from app.state.model import HEADLESS, SessionState
from app.state.tracker import apply_event

log = logging.getLogger(__name__)


MAX_WAITING = 10_000  # CALLs a capture that forgets keeps while they wait for an answer
_FRAME, _BINARY = RecordKind.FRAME, RecordKind.BINARY  # read for every record
_FRAMES = (_FRAME, _BINARY)
Subscriber = Callable[[Message, Annotation], None]


class Capture:
    """Records in order, their annotations, and who answered whom.

    A live run fills it through `frame()` and `event()`. A session loaded from a file enters
    through `adopt()`, unjudged; `annotate()` then judges it in slices, so that a window can
    show a million records at once and fill in their verdicts while staying responsive.

    `state` is what the records say about the stations (`app.state.model.SessionState`),
    filled as records are judged, live or loaded: every view reads this one object.
    """

    def __init__(self, checker: FrameChecker | None = None, *, keep: bool = True,
                 messages: RecordStore | None = None) -> None:
        """`keep=False` makes a capture that forgets: a headless run whose records are
        written (recorder) and shown (console) as they come need not hold them, nor their
        verdicts, so that a proxy can run for weeks in flat memory. It keeps only the
        CALLs still waiting for an answer (`record` finds them, for a late finding) and
        its counts (`published`, `invalid`); `messages` stays empty. Its state, unless a
        `checker` brings one, keeps a limited history (`HEADLESS`): the facts the rules
        need and the current values, not every meter sample of an endless transaction.

        `messages`, an empty store, keeps the records instead of a list: a live run whose
        recording is its store (`app.session.live_store.LiveStore`) holds an index per
        record rather than the record."""
        self.keep = keep
        self.published = 0                              # records published, kept or not
        self._waiting: dict[int, Message] = {}          # forgetting: CALLs not answered yet
        self.checker = checker or FrameChecker(
            state=SessionState() if keep else SessionState(limit=HEADLESS))
        self.state: SessionState = self.checker.state
        # the records: a list, or a `RecordStore` (read back from its file on demand) for
        # a session adopted from a file or a live run recorded to one; both index and
        # slice alike
        self.messages: list[Message] | RecordStore = [] if messages is None else messages
        # only records that have one; compact mappings, not dicts (`app.session.annotations`,
        # `app.session.seq_links`)
        self.annotations: MutableMapping[int, Annotation] = AnnotationTable()
        self.answers: MutableMapping[int, int] = SeqLinks()  # a CALL's seq -> its answer's
        self.unjudged = 0                               # index of the first unjudged record
        self.invalid = 0                                # records with an error finding
        self.invalid_seqs = array("q")                  # their seqs, in order (judged so)
        self.notes = NoteLog()                          # findings added after a record was
                                                        # published or judged, in order
        self._timed_out: set[int] = set()               # CALLs flagged by `expire`
        self.watch_clock = WatchClock()                 # the time `expire` looks at
        self._unreported: list[tuple[int, Finding]] = []  # live timeouts for `expire`
        self._times_known = True                        # False: adopted records have none
        self._ended = False                             # `annotate` reached the last record
        self._subscribers: list[Subscriber] = []
        self._seq = 0
        # each open connection's activity, for the diagnosis its closing record carries
        self.attempts = AttemptTracker()
        self._other_versions = OtherVersions()         # connections not in 2.0.1
        # Held while a record is judged or a finding noted: a proxy may judge on an observer
        # thread while the event loop flags late answers (`expire`).
        self.lock = threading.RLock()

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call `subscriber(message, annotation)` for each new record; returns an undo.

        Subscribers run on the forwarding path, inline: one that writes anywhere (console,
        file) must only hand the record to a `app.session.sinks.QueuedSink`."""
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber)

    @property
    def times_known(self) -> bool:
        """False for records adopted from a file without times (they say 0): views then
        show no times or round trips rather than 00:00:00 and 0 ms."""
        return self._times_known

    def annotation(self, seq: int) -> Annotation:
        return self.annotations.get(seq, NO_ANNOTATION)

    def index_of(self, seq: int) -> int | None:
        """Position of the record with this seq (seqs increase, but may have gaps)."""
        if isinstance(self.messages, RecordStore):
            return self.messages.index_of(seq)  # from the index, reading no record back
        index = bisect.bisect_left(self.messages, seq, key=lambda m: m.seq)
        if index < len(self.messages) and self.messages[index].seq == seq:
            return index
        return None

    def record(self, seq: int) -> Message | None:
        """The record with this seq, if the capture still has it (one that forgets keeps
        only the CALLs that wait for their answer)."""
        if not self.keep:
            return self._waiting.get(seq)
        position = self.index_of(seq)
        return self.messages[position] if position is not None else None

    def pair_of(self, seq: int) -> int | None:
        """The seq of the other half of an exchange: a CALL's answer, an answer's CALL."""
        answer = self.answers.get(seq)
        if answer is not None:
            return answer
        return self.annotation(seq).call_seq

    @property
    def directions_known(self) -> bool:
        """False for records adopted from a file that did not say which way its frames
        went (their directions were inferred from the actions' senders)."""
        return not self.checker.directions_inferred

    def adopt(self, messages: Sequence[Message], *, times_known: bool = True,
              directions_known: bool = True, answer_timeout: float | None = None) -> None:
        """Take records loaded from a file, as they are; `annotate()` judges them later.
        `times_known=False` for files that carry no times (their records say 0): then no
        rule about timing judges them, rather than every heartbeat looking 0 s early.
        `directions_known=False` for files whose directions were inferred: then no finding
        rests on a direction the file never gave (see `Conversation`). A `RecordStore`
        given to an empty capture becomes its records, so that they stay in their file
        rather than in memory. `answer_timeout`: the one the session was recorded with
        (`app.session.loader.SessionLoader.answer_timeout`); None keeps the checker's."""
        self._times_known = times_known
        if answer_timeout is not None:
            self.checker.answer_timeout = answer_timeout
        self.checker.directions_inferred = not directions_known
        if isinstance(messages, RecordStore) and not self.messages:
            self.messages = messages
        else:
            self.messages.extend(messages)
        if messages:
            last = (messages.seqs[-1] if isinstance(messages, RecordStore)
                    else messages[-1].seq)
            self._seq = max(self._seq, last)

    @property
    def judged(self) -> bool:
        return self.unjudged >= len(self.messages)

    def annotate(self, budget: float = 0.03) -> bool:
        """Judge adopted records for about `budget` seconds; True while some remain."""
        deadline = time.perf_counter() + budget
        messages = self.messages
        while self.unjudged < len(messages):
            message = messages[self.unjudged]
            self.unjudged += 1
            self.judge_adopted(message)
            if self.unjudged % 256 == 0 and time.perf_counter() > deadline:
                break
        # once the last record is judged, even by a slice that ran out of time on it
        if self.unjudged >= len(messages) and not self._ended and self._times_known:
            self._ended = True
            at = last_time(messages)
            if at is not None:
                self.give_up_overdue(at)
        return not self.judged

    def judge_adopted(self, message: Message) -> None:
        """Judge one record taken from a file, in its turn: what `annotate` does for each.
        Judging a session in parallel (`app.session.parallel`) runs this on the records of
        a group of stations in another process."""
        kind = message.kind
        if kind is _FRAME or kind is _BINARY or kind in _FRAMES:
            # a text frame's text, read here as `Message.wire` reads it, saving the call
            data, binary = (message.text, False) if kind is _FRAME and not message.data \
                else message.wire
            if self._other_versions:
                verdict = self._other_versions.verdict(
                    message.connection, data, binary, message.direction, message.seq,
                    message.monotonic if self._times_known else None)
                if verdict is not None:
                    self._annotate(message.seq, verdict)
                    return
            # the verdict's parts, kept without a `Verdict` in between
            checker = self.checker
            _, _, findings, call, latency = checker.judge(
                data, message.connection, message.direction, message.seq,
                message.monotonic if self._times_known else None, binary, message.station,
                message.time)
            if checker.given_up_now:
                self._given_up(checker.take_given_up())
            if findings or call is not None:
                self._keep(message.seq, findings, call, latency)
        elif kind in (RecordKind.OPENED, RecordKind.CLOSED):
            apply_event(self.state, message)
            self._version_of(message)
            if kind is RecordKind.CLOSED:
                self._closed(message.connection,
                             message.monotonic if self._times_known else None)

    def _version_of(self, event: Message) -> None:
        """Follow which connections agreed another OCPP version than 2.0.1 (a 1.6 one in
        the same capture): their frames are kept and shown, not judged by 2.0.1's rules."""
        if event.kind is RecordKind.CLOSED:
            self._other_versions.closed(event.connection)
        elif event.kind is RecordKind.OPENED:
            self._other_versions.opened(event.connection, chosen_subprotocol(event.meta))

    def _given_up(self, lost: tuple[tuple[PendingCall, Lost], ...]) -> list[
            tuple[int, Finding]]:
        """Note a timeout on each CALL that timed out (unless `expire` already did while
        its connection was silent); returns the (seq, finding) pairs added. A reboot or an
        overtaking answer says nothing here: the CALL stays as it was."""
        added: list[tuple[int, Finding]] = []
        timeout = self.checker.answer_timeout
        for call, why in lost:
            if why is not Lost.TIMEOUT or timeout is None:
                continue
            if call.seq in self._timed_out:
                self._timed_out.discard(call.seq)
                continue
            finding = answer_timeout(call, timeout)
            self._note(call.seq, finding)
            added.append((call.seq, finding))
        return added

    def _hand_on(self, added: list[tuple[int, Finding]]) -> None:
        """Keep live findings for `expire` to return (the newest, if nobody asks)."""
        self._unreported.extend(added)
        del self._unreported[:-MAX_WAITING]

    def _closed(self, connection: str, now: float | None) -> list[tuple[int, Finding]]:
        """A connection ended at `now`: the CALLs it had waited out the timeout for by then
        timed out, as its next frame would have said (returned, as `_given_up` does); the
        others still waiting will never be answered: say so on each of them (unless a
        timeout already did), then forget its pairing state."""
        overdue, waiting = self.checker.close(connection, now)
        timed_out = self._given_up(tuple((call, Lost.TIMEOUT) for call in overdue))
        for call in waiting:
            if call.seq not in self._timed_out:
                self._note(call.seq, no_answer_at_close(call))
            self._waiting.pop(call.seq, None)
            self._timed_out.discard(call.seq)
        return timed_out

    def give_up_overdue(self, now: float) -> None:
        """The end of a file judged, whose last record came at `now`: give up on the CALLs
        overdue by then, as a live watch did while their connections were silent and as
        `validate`'s sweep does, with the same finding. Those not yet due stay pending."""
        self._given_up(tuple((call, Lost.TIMEOUT) for call in self.checker.expire(now)))

    def expire(self, timeout: float, now: float | None = None) -> list[tuple[int, Finding]]:
        """Flag CALLs whose answer has not come `timeout` seconds after they were sent
        (once each); returns the (seq, finding) pairs added since the last call, for a
        console. Live modes call it every second, so that a CALL is seen timed out while
        its connection is silent; it stays pending until that connection's next frame
        gives it up (`Conversation`), so the verdict is the one a file of the same records
        gets. `timeout` becomes the one the capture's frames are judged by; `now` is the
        watch's clock's (held back to the frames not judged yet)."""
        now = self.watch_clock.now(now)
        with self.lock:
            if timeout != self.checker.answer_timeout:
                self.checker.answer_timeout = timeout
            return self._expire(timeout, now)

    def _expire(self, timeout: float, now: float) -> list[tuple[int, Finding]]:
        added, self._unreported = self._unreported, []
        pending = self.checker.pending()
        # a CALL no longer pending (forgotten by a peer that never answers) cannot time
        # out again: forget that it did, or a peer that never answers grows this set
        self._timed_out.intersection_update(call.seq for call in pending)
        for call in pending:
            if call.seq in self._timed_out or call.time is None \
                    or not answer_due(call.time, now, timeout):
                continue
            self._timed_out.add(call.seq)
            finding = answer_timeout(call, timeout)
            self._note(call.seq, finding)
            added.append((call.seq, finding))
        return added

    def note(self, seq: int, finding: Finding) -> None:
        """Add a finding to a record already published (a ping whose pong never came)."""
        with self.lock:
            self._note(seq, finding)

    def _note(self, seq: int, finding: Finding) -> None:
        if not self.keep:
            return  # said to whoever watches (`expire`'s caller); nothing keeps verdicts
        old = self.annotations.get(seq, NO_ANNOTATION)
        self.annotations[seq] = Annotation((*old.findings, finding), old.latency, old.call_seq)
        self.notes.append((seq, finding))

    def _annotate(self, seq: int, verdict: Verdict) -> Annotation:
        """Keep what a verdict says of the record `seq`; returns it as an annotation, for
        the subscribers."""
        findings, call, latency = verdict.findings, verdict.call, verdict.latency
        if not findings and call is None:
            return NO_ANNOTATION
        self._keep(seq, findings, call, latency)
        return Annotation(findings, latency, call.seq if call is not None else None)

    def _keep(self, seq: int, findings: tuple[Finding, ...], call: PendingCall | None,
              latency: float | None) -> None:
        """Count and keep a verdict given as its parts (one with findings or a CALL): an
        answer without findings, most of them, goes into the annotation columns as two
        numbers, without an `Annotation` built for it."""
        if not findings and self.keep:  # then `call` is not None: the usual answer
            call_seq = call.seq  # type: ignore[union-attr]
            self.annotations.add_plain(seq, call_seq, latency)
            self.answers[call_seq] = seq
            return
        call_seq = call.seq if call is not None else None
        valid = not findings or not has_error(findings)
        if not valid:
            self.invalid += 1
        if not self.keep:
            if call_seq is not None:
                self._waiting.pop(call_seq, None)
                self._timed_out.discard(call_seq)
            return
        if findings:
            self.annotations[seq] = Annotation(findings, latency, call_seq)
        else:
            self.annotations.add_plain(seq, call_seq, latency)
        if not valid:
            self.invalid_seqs.append(seq)
        if call_seq is not None:
            self.answers[call_seq] = seq

    def frame(self, connection: str, station: str, direction: Direction,
              data: str | bytes, *, text_frame: bool = False,
              meta: Mapping[str, Any] | None = None) -> Message:
        """Record one frame that crossed `connection`: text as str, binary as bytes, and a
        text frame that was not valid UTF-8 as bytes with `text_frame=True`. `meta` notes
        what happened to it (`{"delivered": False}` when the other side was gone)."""
        return self.judge_frame(connection, station, direction, data, text_frame=text_frame,
                                meta=meta)[0]

    def judge_frame(self, connection: str, station: str, direction: Direction,
                    data: str | bytes, *, text_frame: bool = False,
                    meta: Mapping[str, Any] | None = None,
                    seen: tuple[float, float] | None = None) -> tuple[Message, Verdict]:
        """`frame()`, also giving the verdict, so that an endpoint answering the frame reads
        the parse that judged it instead of parsing it again. Never raises for the frame's
        content: the record is kept whatever it holds. `seen` is (wall, monotonic) when the
        frame crossed, for an observer that judges it later; default: now."""
        with self.lock:
            return self._judge_frame(connection, station, direction, data, text_frame, meta,
                                     seen)

    def _judge_frame(self, connection: str, station: str, direction: Direction,
                     data: str | bytes, text_frame: bool, meta: Mapping[str, Any] | None,
                     seen: tuple[float, float] | None) -> tuple[Message, Verdict]:
        self._seq += 1
        now, mono = seen if seen is not None else (time.time(), time.monotonic())
        checker = self.checker
        verdict = self._other_versions.verdict(connection, data, not text_frame, direction,
                                                self._seq, mono) or \
            checker.check(data, connection=connection, direction=direction,
                          seq=self._seq, time=mono, binary=not text_frame,
                          station=station, wall=now)
        if checker.given_up_now:  # noted before the frame is published, as a file says
            self._hand_on(self._given_up(checker.take_given_up()))
        try:
            message = self._frame_record(connection, station, direction, data, text_frame,
                                         now, mono, verdict)
        except Exception as exc:  # our bug: keep the frame as it came, say what failed
            log.exception("building the record of a frame failed")
            verdict = replace(verdict, findings=(
                *verdict.findings, internal_error("recording", exc)))
            message = _bare_record(self._seq, now, mono, connection, station, direction,
                                   data, text_frame)
        if meta:
            message = replace(message, meta=dict(meta))
        annotation = self._annotate(message.seq, verdict)
        self.unjudged = len(self.messages) + 1
        self._publish(message, annotation)
        return message, verdict

    def _frame_record(self, connection: str, station: str, direction: Direction,
                      data: str | bytes, text_frame: bool, now: float, mono: float,
                      verdict: Verdict) -> Message:
        if isinstance(data, str):
            return frame_message(self._seq, data, connection=connection, station=station,
                                 direction=direction, time=now, monotonic=mono,
                                 parsed=Parsed(verdict.frame), action=verdict.action)
        if text_frame:
            return Message(self._seq, now, mono, connection, station, direction,
                           RecordKind.FRAME, text=data.decode("utf-8", "replace"), data=data)
        return Message(self._seq, now, mono, connection, station, direction,
                       RecordKind.BINARY, data=data, action=verdict.action)

    def event(self, kind: RecordKind, connection: str, station: str,
              meta: Mapping[str, Any], *, direction: Direction | None = None,
              seen: tuple[float, float] | None = None) -> Message:
        """Record a connection event (`RecordKind.OPENED`, `CLOSED`, or a `CONTROL` frame
        with the `direction` it travelled); `seen` as for `judge_frame`."""
        with self.lock:
            return self._event(kind, connection, station, meta, direction, seen)

    def _event(self, kind: RecordKind, connection: str, station: str,
               meta: Mapping[str, Any], direction: Direction | None,
               seen: tuple[float, float] | None) -> Message:
        self._seq += 1
        now, mono = seen if seen is not None else (time.time(), time.monotonic())
        if kind is RecordKind.CLOSED or kind is RecordKind.REJECTED:
            meta = self.attempts.conclude(kind, connection, meta, mono)
        message = Message(self._seq, now, mono, connection, station, direction,
                          kind, meta=dict(meta))
        apply_event(self.state, message)
        self._version_of(message)
        if kind is RecordKind.CLOSED:
            self._hand_on(self._closed(connection, mono))
        elif kind is RecordKind.OPENED:
            # with the first connection: the diagnosis module loads ssl, which a capture
            # judging a file (the window, `validate`) never needs
            from app.net.diagnosis import opening_findings

            for finding in opening_findings(message.meta or {}):
                self._note(message.seq, finding)
        self.unjudged = len(self.messages) + 1
        self._publish(message, self.annotations.get(message.seq, NO_ANNOTATION))
        return message

    def _publish(self, message: Message, annotation: Annotation) -> None:
        self.published += 1
        self.attempts.saw(message)
        if self.keep:
            self.messages.append(message)
        elif message.message_type == 2:
            waiting = self._waiting
            waiting[message.seq] = message
            if len(waiting) > MAX_WAITING:  # a peer that never answers: forget the oldest
                del waiting[next(iter(waiting))]
        for subscriber in list(self._subscribers):
            try:
                subscriber(message, annotation)
            except Exception:  # an observer's bug must not stop the capture
                log.exception("a capture subscriber failed on record %d", message.seq)


def _bare_record(seq: int, now: float, mono: float, connection: str, station: str,
                 direction: Direction, data: str | bytes, text_frame: bool) -> Message:
    """A frame's record with nothing derived from its content: what is kept when deriving
    failed."""
    if isinstance(data, str):
        return Message(seq, now, mono, connection, station, direction, text=data)
    kind = RecordKind.FRAME if text_frame else RecordKind.BINARY
    text = data.decode("utf-8", "replace") if text_frame else ""
    return Message(seq, now, mono, connection, station, direction, kind, text=text, data=data)
