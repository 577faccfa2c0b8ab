"""Bringing captures and logs of other tools in as records: the contract every importer keeps,
and the one registry every reader goes through (`import_path`, `import_bytes`).

An importer is a module with a `NAME` (what a person calls the format: "pcapng capture",
"EVerest OCPP log"), `sniff(head: bytes) -> bool` (does the start of the content look like
this format; never the file name alone) and `read(data: bytes) -> Imported`; it may add
`read_path(path) -> Imported` to stream a file rather than hold it whole. It yields the
same `Message` records a live capture makes, numbered from 1, and says what it skipped and
why in `notes`, so nothing is dropped silently. It never raises for the content: whatever
cannot be read becomes a note.

The registry lists importers by module name, most specific first (session files first, text
with one frame per line last), and asks each in turn whether it recognises the content. A
listed module that is not installed is passed over, so that an importer written elsewhere
(a packet-capture reader) is picked up as soon as its module exists.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from app.errors import InputError
from app.session.message import Message

# What an import note says, as a code that `validate --json` reports it under. A note of
# SKIPPED tells that part of the input was not imported (a warning: frames may be missing);
# the others tell how the input was read, and lose nothing.
SKIPPED = "input.skipped"
DIRECTIONS_INFERRED = "input.directions-inferred"   # the input did not say who sent what
TIMES_UNKNOWN = "input.times-unknown"               # some or all frames have no time
LOCAL_TIMES = "input.local-times"                   # times without a zone read as local
SENT_RECEIVED = "input.sent-received"               # a log that says only sent/received
OTHER_VERSION = "input.other-version"               # a connection of another OCPP version
NOT_UTF8 = "input.not-utf8"                         # bytes not UTF-8 shown as U+FFFD
SUBPROTOCOL_UNKNOWN = "input.subprotocol-unknown"   # the CSMS's choice was not captured
NEWER_FORMAT = "input.newer-format"                 # a session file of a newer program


@dataclass(frozen=True, slots=True)
class ImportNote:
    where: str    # where a person finds it: "line 12", "packet 345", "10.0.0.5:51234 -> :80"
    text: str     # what was skipped or assumed, and why
    code: str = SKIPPED
    quoted: str = ""  # the input's own words that end `text` (a skipped line): they may
                      # hold a PIN or a token, which a redacting export must not print

    @property
    def assumed(self) -> bool:
        """True when the note tells how the input was read, not what was left out."""
        return self.code != SKIPPED

    @property
    def placed(self) -> str:
        """`where: text`, as a list of what an import left out shows it."""
        return f"{self.where}: {self.text}" if self.where else self.text

    @property
    def unquoted(self) -> str:
        """`text` without the input's own words."""
        return self.text.removesuffix(f": {self.quoted}") if self.quoted else self.text


def left_out(notes: list[ImportNote]) -> list[ImportNote]:
    """The notes of lines, entries or packets the import left out, each at its place: what
    makes `convert` and `export` exit 1, and what `state` and `replay` warn of."""
    return [note for note in notes if note.where and not note.assumed]


@dataclass(slots=True)
class Imported:
    messages: list[Message]
    notes: list[ImportNote] = field(default_factory=list)
    format: str = ""               # the importer's NAME
    times_known: bool = True       # False: the input carries no times (records say 0)
    directions_known: bool = True  # False: directions were inferred from the actions
    places: list[str] = field(default_factory=list)  # where each message is in the input
                                                     # ("line 12"), when the importer says
    inferred: int = 0              # frames whose direction came from the action's sender
    unplaced: int = 0              # well-formed frames whose direction stayed unknown
    header: dict[str, Any] = field(default_factory=dict)  # a session's own header


PACKAGE = "app.session.importers"
# Most specific first: a format is tried only if none before it recognised the content.
IMPORTERS: tuple[str, ...] = (
    "session", "pcap", "har", "citrineos", "traces", "everest_html", "everest",
    "ocpp_python", "steve", "evcc", "microocpp", "frames",
)
HEAD_BYTES = 65536


def importers() -> list[ModuleType]:
    """The importers installed, in sniffing order."""
    found = []
    for name in IMPORTERS:
        qualified = f"{PACKAGE}.{name}"
        if qualified not in sys.modules and importlib.util.find_spec(qualified) is None:
            continue  # listed but not installed (yet): skipped, never an error
        found.append(importlib.import_module(qualified))
    return found


def format_names() -> list[str]:
    """What the installed importers read, in words, for a sentence to the user."""
    return [module.NAME for module in importers()] + [_folder_importer().NAME]


def understood() -> str:
    names = format_names()
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def importer_for(head: bytes) -> ModuleType | None:
    for module in importers():
        try:
            if module.sniff(head):
                return module
        except Exception:  # a sniffer's bug must not hide the formats after it
            continue
    return None


SESSION_FORMAT = "OCPP Scope sessions (.jsonl)"  # `importers.session` goes by this name
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def as_utf8(data: bytes, label: str = "input", *, head: bool = False) -> bytes:
    """`data` as UTF-8: text saved as UTF-16 with its byte order mark (what Windows
    PowerShell's `>` and `Out-File` write) is converted, anything else is left as it is.
    InputError for UTF-16 that does not decode; `head`: the first bytes of a file only, cut
    anywhere, converted as far as they go (to recognise the format)."""
    if not data.startswith(UTF16_BOMS):
        return data
    try:
        return data.decode("utf-16", errors="ignore" if head else "strict").encode("utf-8")
    except UnicodeError as exc:
        raise InputError(f"{label}: UTF-16 text that does not decode ({exc.reason} at "
                         f"byte {exc.start})") from None


def import_bytes(data: bytes, name: str = "") -> Imported:
    """The records in `data`, in the first format that recognises it. Raises InputError,
    one sentence naming `name`, for content no importer reads (empty, binary, unknown)."""
    label = name or "input"
    data = as_utf8(data, label)
    head = data[:HEAD_BYTES]
    if not head.strip():
        raise InputError(f"{label}: the file is empty")
    module = importer_for(head)
    if module is None:
        raise InputError(unknown_format(label, head))
    imported = module.read(data)
    if not imported.messages and imported.format != SESSION_FORMAT:
        # a capture of the wrong port, a log with nothing in it: as unusable as a file of
        # no known format, in the words its importer found (a session may hold no record
        # yet: a recording that just started)
        reasons = "; ".join(note.text for note in imported.notes) or "no OCPP frames in it"
        raise InputError(f"{label}: {reasons}")
    return imported


def import_path(path: str | Path) -> Imported:
    """The records in the file (or OCPP.Core dump folder) at `path`, or of standard input
    for `-` (`docker logs csms | ocppscope convert - site.jsonl`); InputError with one
    sentence for a path that cannot be used."""
    if str(path) == "-":
        data = read_standard_input()
        if not data.strip():
            raise InputError("-: standard input is empty")
        return import_bytes(data, "-")
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        return _folder_importer().read_folder(path)
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_BYTES)
        module = importer_for(head) if head.strip() else None
        if module is not None and hasattr(module, "read_path"):
            return module.read_path(path)  # a format that streams its files (sessions)
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return import_bytes(data, str(path))


def read_standard_input() -> bytes:
    """All of standard input, for an input named `-`. InputError, one line, when there is
    none to read: started with standard input closed (`<&-`, or by a service manager),
    Python has no `sys.stdin` at all, which would otherwise end in a traceback."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise InputError("-: standard input is closed")
    try:
        return stream.read()
    except ValueError:  # closed by the program itself
        raise InputError("-: standard input is closed") from None
    except OSError as exc:
        raise InputError(f"-: cannot read standard input ({exc.strerror or exc})") from None


def unknown_format(label: str, head: bytes) -> str:
    """The sentence for content no importer recognised."""
    if b"\x00" in head:
        return f"{label}: binary data, not a text file of OCPP frames nor a capture " \
               f"OCPP Scope reads ({understood()})"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut at the head's end
            return f"{label}: not UTF-8 text (invalid byte at offset {exc.start})"
    return (f"{label}: no OCPP frames in this file, in none of the formats OCPP Scope reads "
            f"({understood()})")


def _folder_importer() -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.ocpp_core")
