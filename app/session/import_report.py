"""What a session read from another tool's file is, in words: the format it was read as,
each note the import made, and what the input lacked with the checks that therefore did not
run. The window shows it beside the session for as long as that session is shown, so a
reader never takes a missing heartbeat finding for a clean bill of health when the log had
no times to judge them by.

Recorded OCPP Scope sessions have times and directions of their own: they get no report.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.session.importing import ImportNote
from app.session.loader import SessionLoader
from app.wording import count

NO_TIMES = "no times: heartbeat timing and answer timeouts not checked, no round trips shown"
NO_DIRECTIONS = ("a second CALL while one is outstanding is only a note, as the input "
                 "never said which way it went")


@dataclass(frozen=True, slots=True)
class ImportReport:
    format: str                      # what the file was read as ("SteVe WebSocketLogger logs")
    records: int                     # how many records it gave
    notes: tuple[ImportNote, ...]    # what the import skipped or assumed, where and why
    lacks: tuple[str, ...]           # what the input did not have, and what that left out

    @property
    def headline(self) -> str:
        return f"Read as {self.format}: {count(self.records, 'record')}"


def import_report(loader: SessionLoader) -> ImportReport | None:
    """The report of a finished load; None for an OCPP Scope session (nothing was
    imported, nothing assumed)."""
    if loader.kind == "session":
        return None
    return ImportReport(loader.format or "frames", len(loader.messages), tuple(loader.notes),
                        lacking(loader.times_known, loader.directions_known,
                                loader.inferred, loader.unplaced))


def lacking(times_known: bool, directions_known: bool, inferred: int,
            unplaced: int) -> tuple[str, ...]:
    """What an input without times or directions could not be judged on, one line each."""
    lines: list[str] = []
    if not times_known:
        lines.append(NO_TIMES)
    if not directions_known:
        if inferred:
            lines.append(f"no directions: inferred from the actions' senders for "
                         f"{count(inferred, 'frame')}; {NO_DIRECTIONS}")
        elif not unplaced:
            lines.append(f"directions inferred for some connections (see the notes); "
                         f"{NO_DIRECTIONS}")
        if unplaced:
            lines.append(f"{count(unplaced, 'frame')} of unknown direction (actions either "
                         "side sends, answers whose CALL is not in the file): the checks "
                         "that need a direction skipped them")
    return tuple(lines)
