"""Every finding of a capture, grouped by severity and code, then by station; and the same
findings by action and by station, each with its kinds of trouble: the data of the window's
Expert Info view (after Wireshark's), kept without Qt so it can be tested and reused by any
front end.

A field engineer facing thousands of records first wants the list of *kinds* of trouble,
worst first, with how often each happened and where: "schema.date-time, 1,204 times, all
from CP-7" says more than scrolling. The summary grows record by record (`add`), so a live
capture keeps it current at the cost of a few dict operations per finding; a loaded one is
summarised once judged, in slices (`SummaryBuild`), like every other pass over a million
records. "Which action has the trouble" (every TransactionEvent, or only the CSMS's
SetChargingProfile answers) and "which station" are the other two questions asked first,
so the same `add` counts under them too.

Findings that arrive after their record (a CALL that got no answer, learnt when its
connection closed) are in `Capture.notes`; `follow_notes` adds them, so that a live summary
counts each finding exactly once whether it came with its record or later.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from app.ocpp.findings import Finding, Severity
from app.session.capture import Annotation, Capture
from app.session.info import finding_words
from app.session.message import Message

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)   # worst first


class Grouping(StrEnum):
    """What the findings are grouped by first."""

    CODE = "code"          # severity, then code, then station
    ACTION = "action"      # action, then severity and code
    STATION = "station"    # station, then severity and code


@dataclass
class StationFindings:
    """The findings of one code at one station: how many, and on which records."""

    station: str
    count: int = 0
    seqs: array = field(default_factory=lambda: array("q"))   # each record once


@dataclass
class CodeGroup:
    severity: Severity
    code: str
    sample: str                    # the first such finding, in words (without its code)
    count: int = 0
    stations: dict[str, StationFindings] = field(default_factory=dict)

    def by_station(self) -> list[StationFindings]:
        return [self.stations[name] for name in sorted(self.stations)]


@dataclass
class KindFindings:
    """The findings of one code under one action or station: how many, on which records."""

    severity: Severity
    code: str
    sample: str                    # the first such finding there, in words
    count: int = 0
    seqs: array = field(default_factory=lambda: array("q"))   # each record once


@dataclass
class Heading:
    """One action (or station) and its findings by kind; `name` is "" for records without
    one (a malformed frame has no action)."""

    name: str
    count: int = 0
    kinds: dict[tuple[Severity, str], KindFindings] = field(default_factory=dict)

    def by_kind(self) -> list[KindFindings]:
        """Worst first, then by code."""
        return sorted(self.kinds.values(), key=lambda k: (-k.severity.rank, k.code))

    @property
    def worst(self) -> Severity:
        return max((kind.severity for kind in self.kinds.values()), key=lambda s: s.rank,
                   default=Severity.INFO)


class FindingsSummary:
    """Findings counted by (severity, code) and station, and by action and by station with
    their codes; `revision` changes with each one added, so a view can tell cheaply whether
    to look again."""

    def __init__(self) -> None:
        self._groups: dict[tuple[Severity, str], CodeGroup] = {}
        self._headings: dict[Grouping, dict[str, Heading]] = {
            Grouping.ACTION: {}, Grouping.STATION: {}}
        self._counts: dict[Severity, int] = dict.fromkeys(SEVERITIES, 0)
        self.revision = 0
        self.notes_seen = 0      # how many of the capture's notes are counted

    def add(self, seq: int, station: str, findings: Iterable[Finding],
            action: str | None = None) -> None:
        """Count `findings` of the record `seq` (of `action`, for a CALL or an answer);
        each finding must be added once."""
        under = ((self._headings[Grouping.ACTION], action or ""),
                 (self._headings[Grouping.STATION], station))
        for finding in findings:
            for headings, name in under:
                _count_under(headings, name, seq, finding)
            key = (finding.severity, finding.code)
            group = self._groups.get(key)
            if group is None:
                group = self._groups[key] = CodeGroup(finding.severity, finding.code,
                                                      finding_words(finding, code=False))
            place = group.stations.get(station)
            if place is None:
                place = group.stations[station] = StationFindings(station)
            group.count += 1
            place.count += 1
            if not place.seqs or place.seqs[-1] != seq:
                place.seqs.append(seq)
            self._counts[finding.severity] += 1
            self.revision += 1

    def follow_notes(self, capture: Capture) -> None:
        """Count the findings `capture` added to records after publishing them."""
        notes = capture.notes
        while self.notes_seen < len(notes):
            seq, finding = notes[self.notes_seen]
            self.notes_seen += 1
            position = capture.index_of(seq)
            message = capture.messages[position] if position is not None else None
            self.add(seq, message.station if message else "", (finding,),
                     message.action if message else None)

    def count(self, severity: Severity | None = None) -> int:
        return sum(self._counts.values()) if severity is None else self._counts[severity]

    def severities(self) -> list[Severity]:
        """The severities that have findings, worst first."""
        return [s for s in SEVERITIES if self._counts[s]]

    def groups(self, severity: Severity) -> list[CodeGroup]:
        """The codes of one severity, by name."""
        return sorted((g for (s, _), g in self._groups.items() if s is severity),
                      key=lambda g: g.code)

    def headings(self, grouping: Grouping) -> list[Heading]:
        """The actions (or stations) that have findings, by name (`Grouping.CODE` has
        `groups` instead)."""
        headings = self._headings.get(grouping, {})
        return [headings[name] for name in sorted(headings)]

    def structure_of(self, grouping: Grouping) -> tuple[object, ...]:
        """`structure` for any grouping: which headings and kinds there are."""
        if grouping is Grouping.CODE:
            return self.structure
        return tuple((heading.name, tuple((kind.severity, kind.code)
                                          for kind in heading.by_kind()))
                     for heading in self.headings(grouping))

    @property
    def structure(self) -> tuple[tuple[Severity, tuple[tuple[str, tuple[str, ...]], ...]],
                                 ...]:
        """Which severities, codes and stations there are (not how many of each): a view
        rebuilds its tree when this changes, and only updates counts otherwise."""
        return tuple((severity, tuple((group.code, tuple(sorted(group.stations)))
                                      for group in self.groups(severity)))
                     for severity in self.severities())


def _count_under(headings: dict[str, Heading], name: str, seq: int,
                 finding: Finding) -> None:
    heading = headings.get(name)
    if heading is None:
        heading = headings[name] = Heading(name)
    key = (finding.severity, finding.code)
    kind = heading.kinds.get(key)
    if kind is None:
        kind = heading.kinds[key] = KindFindings(finding.severity, finding.code,
                                                 finding_words(finding, code=False))
    heading.count += 1
    kind.count += 1
    if not kind.seqs or kind.seqs[-1] != seq:
        kind.seqs.append(seq)


def action_of(capture: Capture, message: Message, annotation: Annotation) -> str | None:
    """The action a record belongs to: a CALL's own, or for an answer its CALL's (a loaded
    answer may not carry it)."""
    if message.action or annotation.call_seq is None:
        return message.action
    position = capture.index_of(annotation.call_seq)
    return capture.messages[position].action if position is not None else None


class SummaryBuild:
    """Summarises the records of a judged capture, one slice per `step()`, for a window
    that must stay responsive over a million records."""

    def __init__(self, capture: Capture, summary: FindingsSummary) -> None:
        self.capture = capture
        self.summary = summary
        self.next = 0
        # the annotations read from now on already hold every note made so far
        summary.notes_seen = len(capture.notes)

    def step(self, budget: float = 0.03) -> bool:
        """Add records for about `budget` seconds; True while some remain."""
        deadline = time.perf_counter() + budget
        messages, annotations = self.capture.messages, self.capture.annotations
        end = min(len(messages), self.capture.unjudged)
        add = self.summary.add
        while self.next < end:
            stop = min(end, self.next + 2048)
            for message in messages[self.next:stop]:
                annotation = annotations.get(message.seq)
                if annotation is not None and annotation.findings:
                    add(message.seq, message.station, annotation.findings,
                        action_of(self.capture, message, annotation))
            self.next = stop
            if time.perf_counter() > deadline:
                break
        return self.next < end

    @property
    def progress(self) -> float:
        return self.next / max(1, len(self.capture.messages))


def record_line(capture: Capture, seq: int, code: str) -> str:
    """One record under a finding's code: `#22 · 12:00:01.125 · MeterValues · …timestamp:
    '…' has no UTC offset`: where it is and what the finding says about it there."""
    position = capture.index_of(seq)
    if position is None:
        return f"#{seq}"
    message = capture.messages[position]
    finding = next((f for f in capture.annotation(seq).findings if f.code == code), None)
    words = finding_words(finding, code=False) if finding is not None else ""
    return " · ".join(part for part in (f"#{seq}", _clock(capture, message),
                                        _what(message), words) if part)


def _clock(capture: Capture, message: Message) -> str:
    if not capture.times_known:
        return ""
    return datetime.fromtimestamp(message.time).strftime("%H:%M:%S.%f")[:-3]


def _what(message: Message) -> str:
    kind = {2: "CALL", 3: "RESULT", 4: "ERROR"}.get(message.message_type or 0, "malformed")
    return f"{kind} {message.action}" if message.action else kind
