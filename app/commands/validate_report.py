"""What `ocppscope validate` prints for one file: the findings of each message, notes, and a
summary that counts.

Real logs repeat one warning in every frame (a CSMS that writes 6 fractional digits in each
timestamp); printed every time, it buries the errors. So the text output shows a repeated
warning or info in full only the first `SHOWN_REPEATS` times per code and sender, then counts
it, and the summary gives each code's count per sender. `--json` gives every finding, and
notes and the summary as objects of their own (`"kind": "note"`, `"kind": "summary"`), so
that a program learns what a person reads at the end.

Every line goes out through `app.commands.json_lines`: a peer may send any string, and a
JSON escape like `\\ud800` decodes to a lone surrogate that no encoding can write. JSON lines
are written a batch at a time, each message's from a template rather than a dict.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, TextIO

from app.commands.json_lines import (
    JsonLines,
    json_string,
    json_text,
    json_value,
    write_line,
)
from app.inputs import FrameSource, InputFrame
from app.ocpp import catalog
from app.ocpp.checker import Verdict
from app.ocpp.conversation import Direction, Lost, PendingCall, answer_timeout, no_answer_at_close
from app.ocpp.findings import Finding, Severity, warning
from app.ocpp.frames import Call, CallError, MessageType
from app.ocpp.legacy import ocpp16_hint
from app.ocpp.other_versions import not_judged
from app.ocpp.schemas import PayloadKind
from app.wording import were

SHOWN_REPEATS = 3           # a repeated warning is printed in full this often per sender
SHOWN_UNANSWERED = 10       # CALLs left unanswered at the end, named one by one
SKIPPED_WITHOUT_TIMES = ("rule.heartbeat-early", "protocol.answer-timeout")
_REMEMBERED_POSITIONS = 100_000
_SPOOL_BYTES = 4 << 20      # text output kept in memory up to this, then on disk


_TYPE_NAMES = {kind.value: json_string(kind.name) for kind in MessageType}
_SENDERS = {direction: direction.sender.value for direction in Direction}
_DIRECTIONS = {direction: json_string(direction.value) for direction in Direction}


class Style:
    """ANSI colours on a terminal, plain text everywhere else."""

    def __init__(self, stream: TextIO) -> None:
        self.on = hasattr(stream, "isatty") and stream.isatty()

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.on else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def severity(self, severity: Severity) -> str:
        label = f"{severity.value:<7}"
        colour = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}[severity]
        return self._wrap(colour, label)


@dataclass
class Tally:
    """Messages by verdict. An answer whose CALL's action has no 2.0.1 schema (an OCPP 1.6
    action, an unknown one) is `unchecked`: nothing was wrong with it, but nothing was
    verified either, so it is never counted valid; so is every frame of a connection that
    agreed another OCPP version (`other_version` counts those among the unchecked). `late`
    counts findings about earlier messages (an answer that never came)."""

    messages: int = 0
    valid: int = 0
    warned: int = 0
    unchecked: int = 0
    invalid: int = 0
    malformed: int = 0
    late: int = 0
    other_version: int = 0   # of the unchecked: frames of a connection not in OCPP 2.0.1

    def add(self, findings: tuple[Finding, ...], malformed: bool = False,
            checked: bool = True) -> None:
        self.messages += 1
        if not findings and checked and not malformed:  # most messages: no scan to do
            self.valid += 1
            return
        if malformed:
            self.malformed += 1
        elif any(f.severity is Severity.ERROR for f in findings):
            self.invalid += 1
        elif not checked:
            self.unchecked += 1
        else:
            self.valid += 1
            self.warned += bool(findings)

    @property
    def clean(self) -> bool:
        return not (self.invalid or self.malformed or self.warned or self.unchecked
                    or self.late)

    def summary(self) -> str:
        warned = f" ({self.warned} with warnings)" if self.warned else ""
        unchecked = f", {self.unchecked} unchecked" if self.unchecked else ""
        return (f"{self.messages} message{'s' * (self.messages != 1)}: {self.valid} valid"
                f"{warned}{unchecked}, {self.invalid} invalid, {self.malformed} malformed")

    def to_json(self) -> dict[str, int]:
        return {"messages": self.messages, "valid": self.valid, "warned": self.warned,
                "unchecked": self.unchecked, "other_version": self.other_version,
                "invalid": self.invalid, "malformed": self.malformed}


@dataclass(frozen=True)
class Note:
    """Something said about the file rather than one message (an answer that never came,
    a check that could not run); `severity` INFO unless it is a finding about a message."""

    code: str
    message: str
    severity: Severity = Severity.INFO
    about: dict[str, Any] = field(default_factory=dict)  # position, action, message_id

    def to_json(self, path: str) -> dict[str, Any]:
        return {"kind": "note", "file": path, "code": self.code,
                "severity": self.severity.value, "message": self.message, **self.about}


def checked(verdict: Verdict) -> bool:
    """Whether the message was checked as a whole: a CALLRESULT only when its CALL's action
    has a 2.0.1 schema (not an unknown or 1.6 action, nor a CALL not seen)."""
    frame = verdict.frame
    if frame is None:
        return False
    if isinstance(frame, CallError):
        return True  # nothing in it depends on the action
    return verdict.action in catalog.ACTIONS


def sender_key(direction: Direction | None) -> str | None:
    """`station`, `csms`, or None when the input does not say and it could not be inferred."""
    return _SENDERS[direction] if direction is not None else None


_SENDER_WORDS = {"station": "station", "csms": "CSMS", None: "sender unknown"}


class FileReport:
    """The output for one file, fed in order: `message` for each frame, `lost` for each CALL
    given up on, then `finish`. Text goes to a spool first, so that a line that can only be
    known at the end (most frames look like OCPP 1.6) can still be printed first."""

    def __init__(self, source: FrameSource, *, as_json: bool, out: TextIO,
                 style: Style, skip: int = 0) -> None:
        """`skip`: JSON lines already written by an attempt that failed midway."""
        self.path = str(source.path)
        self.as_json = as_json
        self.out = out
        self.style = style
        self.tally = Tally()
        self.counts: Counter[tuple[str, Severity, str | None]] = Counter()
        self.notes: list[Note] = []
        self.ocpp16 = 0
        self._ocpp16_calls: set[int] = set()
        self._positions: dict[int, str] = {}      # seq of a CALL -> where it is in the file
        # in a session a frame's position is its seq: nothing to remember
        self._by_seq = source.kind == "session"
        self.lines = JsonLines(out, skip=skip) if as_json else None
        self._file = json_string(self.path)
        # the fixed pieces of a message's JSON line (`message`)
        self._head = '{"kind": "message", "index": '
        self._after_index = f', "file": {self._file}, "position": '
        self._middles: dict[tuple[str | None, int | None], str] = {}
        self._tails = {
            (valid, is_checked, direction):
                f', "valid": {json_value(valid)}, "checked": {json_value(is_checked)}, '
                f'"direction": {_DIRECTIONS[direction] if direction else "null"}, '
                '"findings": '
            for valid in (True, False) for is_checked in (True, False)
            for direction in (None, *Direction)}
        # closed by `finish`; surrogatepass keeps a peer's lone surrogates for `write_line`
        self._body = None if as_json else tempfile.SpooledTemporaryFile(  # noqa: SIM115
            _SPOOL_BYTES, mode="w+", encoding="utf-8", errors="surrogatepass")

    # --- per message ----------------------------------------------------------------------

    def message(self, index: int, item: InputFrame, verdict: Verdict) -> None:
        frame = verdict.frame
        findings = verdict.findings
        # `checked(verdict)` and `verdict.valid`, asked once here for every frame
        is_checked = frame is not None and (
            isinstance(frame, CallError) or verdict.action in catalog.ACTIONS)
        # a frame of a connection not in 2.0.1 is unchecked, even one that does not parse:
        # nothing about it was judged (as in the window, where it is not invalid either)
        unjudged = bool(findings) and not_judged(findings)
        if unjudged:
            is_checked = False
            self.tally.other_version += 1
        valid = not findings or verdict.valid
        self.tally.add(findings, frame is None and not unjudged, is_checked)
        if not self._by_seq:
            self._remember(item, verdict, unjudged)
        elif frame is not None and not unjudged \
                and looks_ocpp16(verdict, self._ocpp16_calls):
            # `_remember` for a session, whose positions are its seqs: only the 1.6 signs
            self.ocpp16 += 1
            if isinstance(frame, Call):
                self._ocpp16_calls.add(item.seq)
        sender = sender_key(item.direction) if findings or self.lines is None else None
        if self.lines is not None:
            if findings:
                self._count([(f.code, f.severity, sender) for f in findings])
                listed = json_text([f.to_json() for f in findings])
            else:
                listed = "[]"
            # the line `json_text` makes of the message's fields, without building them:
            # the fields between two variable ones come from templates made once
            kind = frame.message_type if frame is not None else None
            middle = self._middles.get((verdict.action, kind))
            if middle is None:
                middle = self._middle(verdict.action, kind)
            position = item.position
            position = json_string(position) if position.__class__ is str \
                else json_value(position)
            message_id = frame.message_id if frame is not None else None
            message_id = json_string(message_id) if message_id.__class__ is str \
                else json_value(message_id)
            tail = self._tails[valid and is_checked, is_checked, item.direction]
            self.lines.add(f"{self._head}{index}{self._after_index}{position}{middle}"
                           f"{message_id}{tail}{listed}}}\n")
            return
        if frame is None:
            head = "malformed frame"
        else:
            head = f"{MessageType(frame.message_type).name} {verdict.action or '?'} " \
                   f"id={frame.message_id}"
        self._print_findings(f"{self.path}:{item.position}  {head}", findings, sender)

    def _middle(self, action: str | None, kind: int | None) -> str:
        """The fixed text of a message line from its action to its message id; kept for
        the actions of the catalog (a peer's made-up actions are not piled up)."""
        middle = (f', "action": {json_value(action)}, "message_type": '
                  f'{_TYPE_NAMES[kind] if kind is not None else "null"}, "message_id": ')
        if action is None or action in catalog.ACTIONS:
            self._middles[action, kind] = middle
        return middle

    def lost(self, call: PendingCall, why: Lost, at: InputFrame, timeout: float) -> None:
        """A CALL given up on at frame `at`: a timeout or an overtaking answer is a finding
        about the CALL; a reboot is a note (a station retrying its boot while Pending may
        still be answered)."""
        where = self._call_position(call, forget=True)
        about = {"position": where, "action": call.action, "message_id": call.message_id}
        if why is Lost.REBOOT:
            self._note(Note("protocol.cleared-by-boot",
                            f"{call.action} (id {call.message_id}, {where}) got no answer "
                            f"before the station booted again ({at.position})", about=about))
            return
        if why is Lost.TIMEOUT or why is Lost.CLOSED:  # in the words a capture notes it
            finding = answer_timeout(call, timeout) if why is Lost.TIMEOUT \
                else no_answer_at_close(call)
            about["given_up_at"] = at.position
        else:
            finding = warning("protocol.no-answer",
                              f"{call.action} got no answer: its sender went on, and its "
                              f"later CALL was answered ({at.position})")
        self.tally.late += 1
        sender = sender_key(call.direction)
        if self.lines is not None:
            self._count([(finding.code, finding.severity, sender)])
            self.lines.value(Note(finding.code, finding.message, finding.severity,
                                  about).to_json(self.path))
            return
        if "given_up_at" in about:  # where the text says it, as `--json` does
            finding = replace(finding, message=f"{finding.message} (given up at "
                                               f"{about['given_up_at']})")
        self._print_findings(f"{self.path}:{where}  CALL {call.action} id={call.message_id}",
                             (finding,), sender)

    def _count(self, keys: list[tuple[str, Severity, str | None]]) -> None:
        """Count findings by (code, severity, sender), in the order they were found."""
        self.counts.update(keys)

    def _call_position(self, call: PendingCall, *, forget: bool = False) -> str:
        """Where the CALL is in the file: in a session its seq; otherwise where it was
        remembered (`#seq` once it was forgotten)."""
        if self._by_seq:
            return f"seq {call.seq}"
        if forget:
            return self._positions.pop(call.seq, f"#{call.seq}")
        return self._positions.get(call.seq, f"#{call.seq}")

    def _remember(self, item: InputFrame, verdict: Verdict, unjudged: bool) -> None:
        """Where CALLs are (to name them when their answer never comes), and which frames
        look like OCPP 1.6 (not those of a connection known to be in another version)."""
        frame = verdict.frame
        if self._by_seq:
            pass  # a session's positions are its seqs
        elif isinstance(frame, Call):
            self._positions[item.seq] = item.position
            if len(self._positions) > _REMEMBERED_POSITIONS:
                del self._positions[next(iter(self._positions))]
        elif verdict.call is not None:
            self._positions.pop(verdict.call.seq, None)
        if not unjudged and looks_ocpp16(verdict, self._ocpp16_calls):
            self.ocpp16 += 1
            if isinstance(frame, Call):
                self._ocpp16_calls.add(item.seq)

    def _print_findings(self, head: str, findings: tuple[Finding, ...],
                        sender: str | None) -> None:
        lines: list[str] = []
        for finding in findings:
            key = (finding.code, finding.severity, sender)
            self.counts[key] += 1
            seen = self.counts[key]
            if finding.severity is Severity.ERROR or seen <= SHOWN_REPEATS:
                lines.append(finding_line(finding, self.style))
            elif seen == SHOWN_REPEATS + 1:
                whose = "of unknown sender" if sender is None else \
                    f"from the {_SENDER_WORDS[sender]}"
                lines.append(f"  {self.style.dim('…'.ljust(7))}  {finding.code}  again; "
                             f"further ones {whose} are counted in the summary, not shown")
        if lines and self._body is not None:
            write_line(self._body, self.style.bold(head))
            for line in lines:
                write_line(self._body, line)

    def _note(self, note: Note) -> None:
        if self.lines is not None:
            self.lines.value(note.to_json(self.path))
        else:
            self.notes.append(note)

    # --- at the end -----------------------------------------------------------------------

    def finish(self, source: FrameSource, pending: list[PendingCall]) -> Tally:
        """Notes about the file as a whole, the counts and the tally; returns the tally."""
        messages = self.tally.messages
        majority = messages and 2 * self.ocpp16 > messages
        verb = "looks" if self.ocpp16 == 1 else "look"
        ocpp16 = Note("input.ocpp16", f"{self.ocpp16} of {messages} frames {verb} like OCPP "
                      "1.6" + (": this is probably a 1.6 log, and OCPP Scope checks 2.0.1, so "
                               "most findings below only say so" if majority else ""))
        end_notes = [self._unanswered(call) for call in pending]
        end_notes += [Note("input.skipped", text, Severity.WARNING) for text in source.warnings
                      ] if self.as_json else []
        end_notes += self._input_notes(source)
        end_notes += [Note(note.code, f"{note.where}: {note.text}" if note.where else note.text)
                      for note in source.assumptions]
        if self.ocpp16 and (self.as_json or not majority):
            end_notes.append(ocpp16)
        if self.lines is not None:
            for note in end_notes:
                self.lines.value(note.to_json(self.path))
            self.lines.value(self._summary_json(source))
            self.lines.flush()
            return self.tally
        if majority:
            write_line(self.out, self.style.bold(f"{self.path}: {ocpp16.message}"))
        self._flush_body()
        self._print_notes([*self.notes, *end_notes])
        for line in self._count_lines():
            write_line(self.out, f"{self.path}: {line}")
        write_line(self.out, f"{self.path}: {self.tally.summary()}")
        return self.tally

    def close(self) -> None:
        """Drop what was kept for `finish` (a report given up on)."""
        if self._body is not None:
            self._body.close()
            self._body = None

    def _unanswered(self, call: PendingCall) -> Note:
        """The last CALLs of a capture may well be unanswered: a note, not a finding."""
        where = self._call_position(call)
        return Note("protocol.unanswered-at-end",
                    f"{call.action} (id {call.message_id}, {where}) got no answer in this file",
                    about={"position": where, "action": call.action,
                           "message_id": call.message_id})

    def _input_notes(self, source: FrameSource) -> list[Note]:
        notes: list[Note] = []
        for gap in source.gaps:  # the recorder could not write these (disk full...)
            records = were(gap.lost, "record")
            why = f": {gap.reason}" if gap.reason else ""
            notes.append(Note("input.gap", f"{records} not recorded between seq "
                                           f"{gap.first_seq} and seq {gap.last_seq}{why}",
                              about={"lost": gap.lost, "first_seq": gap.first_seq,
                                     "last_seq": gap.last_seq, "reason": gap.reason}))
        if not source.times_known:
            notes.append(Note("input.times-unknown",
                              "times unknown: heartbeat and timeout checks skipped"))
        if not source.directions_known:
            text = "directions inferred from the action's sender"
            if source.unplaced:
                one = source.unplaced == 1
                text += (f"; {source.unplaced} frame{'' if one else 's'} "
                         f"stay{'s' if one else ''} of unknown direction (actions either "
                         "side sends such as DataTransfer, unknown actions, answers whose "
                         "CALL is not in the file), and the checks that need one skipped "
                         "them")
            notes.append(Note("input.directions-inferred", text))
        answers = self.tally.unchecked - self.tally.other_version
        if answers:
            notes.append(Note("input.unchecked",
                              f"{answers} answer{'s' * (answers != 1)} unchecked: their CALL's "
                              "action is not OCPP 2.0.1, so no schema applies"))
        if self.tally.other_version:
            frames = self.tally.other_version
            notes.append(Note("input.other-version",
                              f"{frames} frame{'s' * (frames != 1)} unchecked: their "
                              "connection agreed another OCPP version than 2.0.1"))
        return notes

    def _print_notes(self, notes: list[Note]) -> None:
        unanswered = 0
        for note in notes:
            if note.code == "protocol.unanswered-at-end":
                unanswered += 1
                if unanswered > SHOWN_UNANSWERED:
                    continue
            write_line(self.out, self.style.dim(f"{self.path}: note: {note.message}"))
        if unanswered > SHOWN_UNANSWERED:
            write_line(self.out, self.style.dim(
                f"{self.path}: note: {unanswered - SHOWN_UNANSWERED} more CALLs got no "
                "answer in this file"))

    def _flush_body(self) -> None:
        body = self._body
        if body is None:
            return
        body.seek(0)
        while chunk := body.read(1 << 16):
            try:
                self.out.write(chunk)
            except UnicodeEncodeError:
                encoding = getattr(self.out, "encoding", None) or "utf-8"
                self.out.write(chunk.encode(encoding, "backslashreplace").decode(encoding))
        body.close()

    def _count_lines(self) -> list[str]:
        """`warnings: datetime.precision ×1,240 (CSMS), ...`: one line per severity, codes
        most frequent first, each with the side that sent it."""
        lines = []
        for severity, label in ((Severity.ERROR, "errors"), (Severity.WARNING, "warnings"),
                                (Severity.INFO, "info")):
            by_code: dict[str, Counter[str | None]] = {}
            for (code, level, sender), count in self.counts.items():
                if level is severity:
                    by_code.setdefault(code, Counter())[sender] += count
            if not by_code:
                continue
            items = sorted(by_code.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
            lines.append(f"{label}: " + ", ".join(_count_item(code, senders)
                                                   for code, senders in items))
        return lines

    def _summary_json(self, source: FrameSource) -> dict[str, Any]:
        return {
            "kind": "summary", "file": self.path, **self.tally.to_json(),
            "counts": [{"code": code, "severity": severity.value, "sender": sender,
                        "count": count}
                       for (code, severity, sender), count in sorted(
                           self.counts.items(), key=lambda kv: (-kv[1], kv[0][0]))],
            "ocpp16_frames": self.ocpp16,
            "times": "recorded" if source.times_known else "unknown",
            "directions": "recorded" if source.directions_known else "inferred",
            "skipped_checks": [] if source.times_known else list(SKIPPED_WITHOUT_TIMES),
        }


def _count_item(code: str, senders: Counter[str | None]) -> str:
    total = sum(senders.values())
    if len(senders) == 1:
        return f"{code} ×{total:,} ({_SENDER_WORDS[next(iter(senders))]})"
    parts = ", ".join(f"{_SENDER_WORDS[s]} {n:,}" for s, n in senders.most_common())
    return f"{code} ×{total:,} ({parts})"


def finding_line(finding: Finding, style: Style) -> str:
    where = f"{finding.path}: " if finding.path else ""
    return f"  {style.severity(finding.severity)}  {finding.code}  {where}{finding.message}"


def looks_ocpp16(verdict: Verdict, ocpp16_calls: set[int]) -> bool:
    """Whether a frame bears a sign of OCPP 1.6: a 1.6 action (or an answer to one), a payload
    in a 1.6 form, the 1.6 error code spelling, or an answer to a CALL that looked 1.6."""
    frame = verdict.frame
    if frame is None:
        return False
    call = verdict.call
    if ocpp16_calls and call is not None and call.seq in ocpp16_calls:
        ocpp16_calls.discard(call.seq)
        return True
    action = verdict.action
    if action in catalog.OCPP16_SUCCESSORS:
        return True
    if isinstance(frame, CallError):
        return frame.error_code == "FormationViolation"
    payload = frame.payload
    if action not in catalog.ACTIONS or not isinstance(payload, dict):
        return False
    kind = PayloadKind.REQUEST if isinstance(frame, Call) else PayloadKind.RESPONSE
    return ocpp16_hint(action, kind, payload) is not None

