"""Compare a live run with its recording, exchange by exchange; pure, no I/O.

Exchanges are aligned by direction + action + the ordinal of that action (the 3rd
StatusNotification live against the 3rd recorded), never by message id: ids are fresh in
every run. Each aligned pair gets a verdict:

- same: the answer (for CALLs we sent) or the request (for CALLs the peer sent) equals the
  recorded one, volatile fields aside;
- different: a field-level diff with dotted paths (`idTokenInfo.status: 'Accepted' ->
  'Invalid'`), or schema findings the recorded frame did not have;
- missing: the recording has it, the live run does not (no answer; a CALLERROR where a
  result was recorded; a CALL the peer never sent);
- extra: the live peer sent a CALL the recording does not have.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.ocpp.conversation import Direction
from app.ocpp.findings import Finding, Severity, shorten, show_value

# Values that change in every run by nature; message ids are never compared at all.
VOLATILE = ("currentTime", "timestamp")


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


ABSENT: Any = _Absent()   # a field one side has and the other has not


@dataclass(frozen=True, slots=True)
class Ignore:
    """Paths left out of the comparison. A pattern names a field by its dotted path without
    list indices, or by its tail: `timestamp` ignores every `timestamp` at any depth,
    `idTokenInfo.status` that field wherever an `idTokenInfo` sits."""

    patterns: tuple[str, ...] = ()

    def matches(self, path: str) -> bool:
        bare = _INDEX.sub("", path)
        return any(bare == p or bare.endswith("." + p) for p in self.patterns)

    def plus(self, patterns: Iterable[str]) -> Ignore:
        more = tuple(p for p in patterns if p and p not in self.patterns)
        return Ignore(self.patterns + more)


_INDEX = re.compile(r"\[\d+\]")
DEFAULT_IGNORE = Ignore(VOLATILE)


@dataclass(frozen=True, slots=True)
class Difference:
    path: str
    recorded: Any
    live: Any

    def __str__(self) -> str:
        return f"{self.path or '(payload)'}: {_show(self.recorded)} -> {_show(self.live)}"


def _show(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    if isinstance(value, str):  # quoted the way the issue writes them: 'Accepted'
        return repr(shorten(value, 60))
    return show_value(value, 60)


def differences(recorded: Any, live: Any, ignore: Ignore = Ignore(), path: str = ""
                ) -> list[Difference]:
    """Every leaf where `live` differs from `recorded`, in document order."""
    if path and ignore.matches(path):
        return []
    if isinstance(recorded, dict) and isinstance(live, dict):
        found: list[Difference] = []
        for key in [*recorded, *(k for k in live if k not in recorded)]:
            sub = f"{path}.{key}" if path else str(key)
            found.extend(differences(recorded.get(key, ABSENT), live.get(key, ABSENT),
                                     ignore, sub))
        return found
    if isinstance(recorded, list) and isinstance(live, list):
        found = []
        for index in range(max(len(recorded), len(live))):
            found.extend(differences(
                recorded[index] if index < len(recorded) else ABSENT,
                live[index] if index < len(live) else ABSENT, ignore, f"{path}[{index}]"))
        return found
    if recorded == live and type(recorded) is type(live):
        return []
    return [Difference(path, recorded, live)]


@dataclass(frozen=True, slots=True)
class Reply:
    """How a CALL was answered: "result" (with `payload`), "error" (with a code), or
    "none" (no answer before the connection or the run ended)."""

    kind: str = "none"
    payload: Any = None
    error_code: str = ""
    error_description: str = ""
    error_details: Any = None
    seq: int | None = None
    findings: tuple[Finding, ...] = ()

    def describe(self) -> str:
        if self.kind == "error":
            return f"CALLERROR {self.error_code}" + (
                f" ({self.error_description})" if self.error_description else "")
        return "CALLRESULT" if self.kind == "result" else "no answer"


@dataclass(frozen=True, slots=True)
class Exchange:
    """One CALL and its answer, recorded or live."""

    seq: int                       # the CALL's record
    direction: Direction           # of the CALL
    action: str
    ordinal: int                   # 1 for the first CALL of this direction and action
    request: Any
    reply: Reply = Reply()
    time: float = 0.0              # wall clock of the CALL
    after: int = 0                 # CALLs of the other direction before this one
    findings: tuple[Finding, ...] = ()   # of the CALL itself

    @property
    def key(self) -> tuple[Direction, str, int]:
        return self.direction, self.action, self.ordinal


class Verdict(StrEnum):
    SAME = "same"
    DIFFERENT = "different"
    MISSING = "missing"
    EXTRA = "extra"


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict
    direction: Direction
    action: str
    ordinal: int
    recorded: Exchange | None
    live: Exchange | None
    differences: tuple[Difference, ...] = ()
    findings: tuple[Finding, ...] = ()   # schema errors the live frame has, the recording not
    note: str = ""

    @property
    def matched(self) -> bool:
        return self.verdict is Verdict.SAME


def compare(recorded: Sequence[Exchange], live: Sequence[Exchange], ours: Direction,
            ignore: Ignore = DEFAULT_IGNORE) -> list[Outcome]:
    """Align and judge. `ours` is the direction of the CALLs the replay sent: for those the
    live *answers* are compared; for the peer's own CALLs, their *requests* are."""
    by_key = {exchange.key: exchange for exchange in live}
    seen: set[tuple[Direction, str, int]] = set()
    outcomes: list[Outcome] = []
    for old in recorded:
        new = by_key.get(old.key)
        seen.add(old.key)
        if new is None:
            note = "not sent in the live run" if old.direction is ours else (
                "the live peer never sent it")
            outcomes.append(_outcome(Verdict.MISSING, old, None, note=note))
        elif old.direction is ours:
            outcomes.append(_compare_replies(old, new, ignore))
        else:
            outcomes.append(_compare_requests(old, new, ignore))
    for new in live:
        if new.key not in seen:
            outcomes.append(_outcome(Verdict.EXTRA, None, new,
                                     note="the recording has no such CALL"))
    return outcomes


def _outcome(verdict: Verdict, old: Exchange | None, new: Exchange | None,
             diffs: Sequence[Difference] = (), findings: Sequence[Finding] = (),
             note: str = "") -> Outcome:
    some = old or new
    assert some is not None
    return Outcome(verdict, some.direction, some.action, some.ordinal, old, new,
                   tuple(diffs), tuple(findings), note)


def _new_errors(old: Sequence[Finding], new: Sequence[Finding]) -> list[Finding]:
    """Schema and frame errors of the live frame that the recorded frame did not have."""
    known = {(f.code, f.path) for f in old}
    return [f for f in new if f.severity is Severity.ERROR and (f.code, f.path) not in known]


def _compare_requests(old: Exchange, new: Exchange, ignore: Ignore) -> Outcome:
    diffs = differences(old.request, new.request, ignore)
    errors = _new_errors(old.findings, new.findings)
    verdict = Verdict.DIFFERENT if diffs or errors else Verdict.SAME
    return _outcome(verdict, old, new, diffs, errors)


def _compare_replies(old: Exchange, new: Exchange, ignore: Ignore) -> Outcome:
    was, now = old.reply, new.reply
    if was.kind == "result" and now.kind != "result":
        return _outcome(Verdict.MISSING, old, new, note=f"{now.describe()} where a result "
                        "was recorded")
    if was.kind != now.kind:
        return _outcome(Verdict.DIFFERENT, old, new,
                        [Difference("(answer)", was.describe(), now.describe())])
    diffs: list[Difference] = []
    if now.kind == "result":
        diffs = differences(was.payload, now.payload, ignore)
    elif now.kind == "error" and was.error_code != now.error_code:
        diffs = [Difference("errorCode", was.error_code, now.error_code)]
    errors = _new_errors(was.findings, now.findings)
    return _outcome(Verdict.DIFFERENT if diffs or errors else Verdict.SAME, old, new,
                    diffs, errors)


@dataclass
class Counts:
    same: int = 0
    different: int = 0
    missing: int = 0
    extra: int = 0

    @classmethod
    def of(cls, outcomes: Iterable[Outcome]) -> Counts:
        counts = cls()
        for outcome in outcomes:
            name = outcome.verdict.value
            setattr(counts, name, getattr(counts, name) + 1)
        return counts

    @property
    def all_matched(self) -> bool:
        return not (self.different or self.missing or self.extra)
