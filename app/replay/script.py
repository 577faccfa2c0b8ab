"""One station's side of a recording, as a script to replay, and the recorded answer for a
live CALL.

A recording is judged once with the same `Capture` a live run uses, so that pairing a CALL
with its answer, and the schema findings of each, come from the one place that decides them
everywhere; `exchanges_of` then reads recorded and live captures alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import InputError
from app.net.links import OCPP201
from app.ocpp.conversation import Direction
from app.ocpp.frames import Call, CallError, CallResult
from app.replay.compare import Exchange, Reply, differences
from app.session.capture import Capture
from app.session.importing import import_path, left_out
from app.session.message import RecordKind
from app.session.sessionfile import recorded_answer_timeout


def exchanges_of(capture: Capture, station: str | None = None) -> list[Exchange]:
    """The CALLs of a judged capture (one station's, or all), in order, each with its answer
    and ordinal. `after` counts the other side's CALLs before it: the point in the
    conversation where a CSMS sent its own CALL."""
    exchanges: list[Exchange] = []
    ordinals: dict[tuple[Direction, str], int] = {}
    calls_by: dict[Direction, int] = {d: 0 for d in Direction}
    for message in capture.messages:
        if (message.kind is not RecordKind.FRAME or message.message_type != 2
                or message.direction is None or (station is not None
                                                 and message.station != station)):
            continue
        frame = message.parse().frame
        if not isinstance(frame, Call):
            continue
        key = (message.direction, frame.action)
        ordinals[key] = ordinals.get(key, 0) + 1
        exchanges.append(Exchange(
            message.seq, message.direction, frame.action, ordinals[key], frame.payload,
            _reply(capture, message.seq), message.time,
            calls_by[message.direction.opposite],
            capture.annotation(message.seq).findings))
        calls_by[message.direction] += 1
    return exchanges


def _reply(capture: Capture, seq: int) -> Reply:
    answer_seq = capture.answers.get(seq)
    position = None if answer_seq is None else capture.index_of(answer_seq)
    if position is None:
        return Reply()
    answer = capture.messages[position]
    frame = answer.parse().frame
    findings = capture.annotation(answer.seq).findings
    if isinstance(frame, CallResult):
        return Reply("result", frame.payload, seq=answer.seq, findings=findings)
    if isinstance(frame, CallError):
        return Reply("error", error_code=frame.error_code,
                     error_description=frame.error_description,
                     error_details=frame.error_details, seq=answer.seq, findings=findings)
    return Reply()


@dataclass
class Script:
    """What one station said and was told, to be played from one side."""

    station: str
    subprotocol: str
    exchanges: list[Exchange]

    def sent_by(self, direction: Direction) -> list[Exchange]:
        return [e for e in self.exchanges if e.direction is direction]

    def starting_at(self, seq: int | None) -> Script:
        """The script from the record `seq` on (a window's "start from here"); `after` and
        the ordinals count only the CALLs that are still in it, as the live run will."""
        if not seq:
            return self
        return self.keeping(lambda exchange: exchange.seq >= seq)

    def keeping(self, keep: Callable[[Exchange], bool]) -> Script:
        """The script with only the exchanges `keep` accepts (a start, a `--filter`); the
        ordinals and `after` count only the CALLs that stay, as the live run will."""
        kept = [e for e in self.exchanges if keep(e)]
        if len(kept) == len(self.exchanges):
            return self
        skipped = {d: sum(1 for e in self.exchanges if not keep(e) and e.direction is d)
                   for d in Direction}
        ordinals: dict[tuple[Direction, str], int] = {}
        exchanges = []
        for e in kept:
            ordinal = ordinals[e.direction, e.action] = ordinals.get((e.direction, e.action),
                                                                     0) + 1
            exchanges.append(Exchange(e.seq, e.direction, e.action, ordinal, e.request,
                                      e.reply, e.time,
                                      max(0, e.after - skipped[e.direction.opposite]),
                                      e.findings))
        return Script(self.station, self.subprotocol, exchanges)


@dataclass
class Recording:
    """A session file read and judged, ready to give the script of any of its stations."""

    path: Path
    header: dict[str, Any]
    capture: Capture
    skipped: list[str] = field(default_factory=list)  # lines of the file that were not read

    def stations(self) -> list[str]:
        seen: dict[str, None] = {}
        for message in self.capture.messages:
            if message.kind is RecordKind.FRAME and message.station:
                seen.setdefault(message.station)
        return list(seen)

    def script(self, station: str | None = None) -> Script:
        """The side of `station`, or of the only station; InputError naming the stations
        there are when it is missing or ambiguous."""
        stations = self.stations()
        if not stations:
            raise InputError(f"{self.path}: no OCPP frames of any station to replay")
        listed = ", ".join(stations)
        if station is None:
            if len(stations) > 1:
                raise InputError(f"{self.path} holds {len(stations)} stations ({listed}): "
                                 "choose one with --station")
            station = stations[0]
        elif station not in stations:
            raise InputError(f"{self.path}: no station '{station}' (it holds {listed})")
        return Script(station, self._subprotocol(station),
                      exchanges_of(self.capture, station))

    def _subprotocol(self, station: str) -> str:
        for message in self.capture.messages:
            if message.kind is RecordKind.OPENED and message.station == station:
                chosen = (message.meta or {}).get("subprotocol")
                if isinstance(chosen, str) and chosen:
                    return chosen
        return OCPP201


def load_recording(path: str | Path) -> Recording:
    """Read and judge a session file, or any input the import layer reads (a log of another
    implementation); InputError if it is unusable."""
    imported = import_path(path)
    header = imported.header if imported.header else {"format": imported.format}
    capture = Capture()
    capture.adopt(imported.messages, times_known=imported.times_known,
                  directions_known=imported.directions_known,
                  answer_timeout=recorded_answer_timeout(imported.header or {}))
    while capture.annotate(budget=1.0):
        pass
    skipped = [note.placed for note in left_out(imported.notes)]
    return Recording(Path(path), dict(header), capture, skipped)


@dataclass
class AnswerBook:
    """Finds the recorded answer for a CALL the live peer sends: a recorded CALL of the same
    action, the closest payload first, each used once while unused ones remain."""

    exchanges: Iterable[Exchange]
    _used: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.exchanges = list(self.exchanges)

    def answer_for(self, action: str, payload: Any) -> Exchange | None:
        candidates = [e for e in self.exchanges if e.action == action]  # type: ignore[union-attr]
        if not candidates:
            return None
        fresh = [e for e in candidates if e.seq not in self._used] or candidates
        best = min(fresh, key=lambda e: len(differences(e.request, payload)))
        self._used.add(best.seq)
        return best
