"""OCPP Scope's own session files, through the one registry like every other format (the
window and `validate` stream big sessions through `SessionReader` instead; this reads one
given as bytes, and `import_path` hands a session path to the streaming reader)."""

from __future__ import annotations

import json
from pathlib import Path

from app.errors import InputError, SessionFileError
from app.session.importing import NEWER_FORMAT, SESSION_FORMAT, Imported, ImportNote
from app.session.record_json import record_from_json
from app.session.sessionfile import FORMAT_VERSION, SessionReader, is_session_file

NAME = SESSION_FORMAT


def sniff(head: bytes) -> bool:
    return is_session_file(head)


def read(data: bytes) -> Imported:
    lines = data.split(b"\n")
    notes: list[ImportNote] = []
    try:
        header = json.loads(lines[0].decode("utf-8-sig"))  # a BOM is passed over
    except (UnicodeDecodeError, ValueError, RecursionError):
        header = {}
    version = header.get("version") if isinstance(header, dict) else None
    if not isinstance(version, int) or isinstance(version, bool):
        notes.append(ImportNote("line 1", f"the session header is damaged (its version is "
                                          f"{version!r}); records read as far as they can be"))
    elif version > FORMAT_VERSION:
        notes.append(ImportNote("line 1", f"session format version {version!r} is newer than "
                                          "this program reads; records read as far as they "
                                          "can be", NEWER_FORMAT))
    messages = []
    last_seq = 0
    for number, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw.decode("utf-8"))
            if not isinstance(value, dict):
                raise ValueError("not a JSON object")
            message = record_from_json(value)
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, OverflowError,
                RecursionError) as exc:
            torn = number == len(lines) and not data.endswith(b"\n")
            notes.append(ImportNote(f"line {number}", "incomplete last line ignored" if torn
                                    else f"skipped, not a valid record ({exc})"))
            continue
        if message.seq <= last_seq:
            notes.append(ImportNote(f"line {number}", f"seq {message.seq} does not follow "
                                                      f"{last_seq}: skipped"))
            continue
        last_seq = message.seq
        messages.append(message)
    return Imported(messages, notes, NAME, header=header if isinstance(header, dict) else {})


def read_path(path: Path) -> Imported:
    """A session file streamed by `SessionReader`, with its warnings as notes."""
    try:
        reader = SessionReader.open(path)
    except SessionFileError as exc:
        raise InputError(str(exc)) from None
    messages = list(reader)
    # a skipped line is a note with its place, as every importer gives one (`convert` and
    # `export` exit 1 for those); what the reader only did, such as renumbering, has none
    skipped = {f"{where}: {text}": ImportNote(where, text) for where, text in reader.skips}
    notes = [skipped.get(text, ImportNote("", text)) for text in reader.warnings]
    return Imported(messages, notes, NAME, header=dict(reader.header))
