"""Bringing captures and logs of other tools in as records: the contract every importer keeps.

An importer is a module with a `NAME` (what a person calls the format: "pcapng capture",
"EVerest OCPP log"), `sniff(head: bytes) -> bool` (does the start of the content look like
this format; never the file name alone) and `read(data: bytes) -> Imported`. It yields the
same `Message` records a live capture makes, numbered from 1, and says what it skipped and
why in `notes`, so nothing is dropped silently. It never raises for the content: whatever
cannot be read becomes a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.session.message import Message


@dataclass(frozen=True, slots=True)
class ImportNote:
    where: str    # where a person finds it: "line 12", "packet 345", "10.0.0.5:51234 -> :80"
    text: str     # what was skipped or assumed, and why


@dataclass(slots=True)
class Imported:
    messages: list[Message]
    notes: list[ImportNote] = field(default_factory=list)
    format: str = ""               # the importer's NAME
    times_known: bool = True       # False: the input carries no times (records say 0)
    directions_known: bool = True  # False: directions were inferred from the actions
