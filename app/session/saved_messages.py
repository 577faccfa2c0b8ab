"""Saved messages: the composer's library of payloads a user wants to send again.

One JSON file in the user data directory holds them all:

    {"format": "ocppscope-library", "version": 1,
     "messages": [{"name": ..., "action": ..., "kind": "request", "payload": {...},
                   "saved": "2024-01-01T12:00:00Z"}]}

Users build these up over weeks, so the file is treated as their work, not as a cache:

- Every change is written at once, to a temporary file that then replaces the library
  (`os.replace`), so a crash or a full disk leaves the old file or the new one, never half.
- A new library file is readable by its owner only (0600); exports follow the umask, and a
  file that exists keeps the permissions its owner gave it.
- A library that cannot be read is never overwritten: opening it raises `LibraryError` and
  leaves it alone. The caller decides; `MessageLibrary.set_aside(path)` renames it to
  `<name>.broken-<n>.json` so the user still has it, and the library starts empty.
- An entry this version does not understand (an action it does not know, a hand-edited entry
  with a field missing) is reported in `problems`, and written back unchanged on every save.

Payloads are stored as written, valid or not: sending a deliberately wrong message is part of
debugging a peer, so the library does not judge them against the schema.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import stat
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.errors import LibraryError
from app.ocpp.catalog import ACTIONS, OCPP16_SUCCESSORS, closest_action
from app.ocpp.schemas import PayloadKind

FORMAT_NAME = "ocppscope-library"
FORMAT_VERSION = 1


def utc_now() -> str:
    """The time for `SavedMessage.saved`: UTC to the second, with `Z`."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class SavedMessage:
    """One saved payload. `(name, action, kind)` identifies it: saving under the same three
    replaces it. `saved` is left empty to have `MessageLibrary.add` stamp the current time."""

    name: str
    action: str
    kind: PayloadKind
    payload: dict[str, Any]
    saved: str = ""

    @property
    def key(self) -> tuple[str, str, PayloadKind]:
        return (self.name, self.action, self.kind)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "action": self.action, "kind": self.kind.value,
                "payload": self.payload, "saved": self.saved}


def _parse_entry(entry: Any) -> SavedMessage:
    """A saved message from its JSON form; ValueError with the reason when it is not one."""
    if not isinstance(entry, dict):
        raise ValueError("not a JSON object")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("no name")
    action = entry.get("action")
    if not isinstance(action, str):
        raise ValueError("no action")
    if action not in ACTIONS:
        if action in OCPP16_SUCCESSORS:
            raise ValueError(f"{action!r} is an OCPP 1.6 action (in 2.0.1: "
                             f"{OCPP16_SUCCESSORS[action]})")
        hint = closest_action(action)
        raise ValueError(f"unknown action {action!r}"
                         + (f" (did you mean {hint!r}?)" if hint else ""))
    try:
        kind = PayloadKind(entry.get("kind"))
    except ValueError:
        raise ValueError(f"kind must be 'request' or 'response', not {entry.get('kind')!r}"
                         ) from None
    payload = entry.get("payload")
    if not isinstance(payload, dict):
        raise ValueError("the payload is not a JSON object")
    saved = entry.get("saved", "")
    if not isinstance(saved, str):
        raise ValueError("the saved time is not text")
    return SavedMessage(name, action, kind, payload, saved)


def _describe(entry: Any, index: int) -> str:
    """How a problem names an entry: by its name when it has one, else by position."""
    name = entry.get("name") if isinstance(entry, dict) else None
    where = f"entry {index + 1}"
    return f"{name!r} ({where})" if isinstance(name, str) and name.strip() else where


def _read_library(path: Path) -> list[Any]:
    """The raw entries of a library file; LibraryError when it is not one this version reads.

    A file that holds nothing but whitespace counts as an empty library: there is nothing in
    it to lose, and an editor or a full disk can leave one behind.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise LibraryError(f"{path} is not a message library (it is not UTF-8 text).") from None
    except OSError as exc:
        raise LibraryError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    if not text.strip():
        return []
    try:
        data = json.loads(text)
    except ValueError as exc:
        where = (f"line {exc.lineno} column {exc.colno}"
                 if isinstance(exc, json.JSONDecodeError) else "its content")
        raise LibraryError(f"{path} is not a message library (broken JSON at {where})."
                           ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise LibraryError(f"{path} is not an OCPP Scope message library.")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise LibraryError(f"{path} is a message library with a broken version number.")
    if version > FORMAT_VERSION:
        raise LibraryError(f"{path} was written by a newer OCPP Scope (library version "
                           f"{version}); update OCPP Scope to open it.")
    messages = data.get("messages", [])
    if not isinstance(messages, list):
        raise LibraryError(f"{path} is a message library whose message list is broken.")
    return messages


def _document(entries: list[Any]) -> str:
    data = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "messages": entries}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_atomically(path: Path, text: str, *, private: bool = True) -> None:
    """Replace `path` with `text` so that readers only ever see the old or the new file.

    The temporary file sits next to the target (os.replace is atomic only within one file
    system) and is removed on any failure. An existing file keeps its permissions. A new one
    is readable by its owner only when `private` (the library: the user's own work, which may
    hold id tokens); an export (`private=False`) gets what the umask allows, like any file
    the user saves to hand on.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = None
    handle, temporary = _temporary_beside(path, 0o600 if private else 0o666)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            with contextlib.suppress(OSError):
                os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _temporary_beside(path: Path, permissions: int) -> tuple[int, Path]:
    """A new file `.<name>.<random>.tmp` next to `path`, created with `permissions` less
    the umask (mkstemp would always make it 0600), and its descriptor."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = path.parent / f".{path.name}.{uuid.uuid4().hex[:12]}.tmp"
        try:
            return os.open(temporary, flags, permissions), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def _sort_key(message: SavedMessage) -> tuple[str, str, str, int]:
    return (message.action, message.name.casefold(), message.name,
            0 if message.kind is PayloadKind.REQUEST else 1)


class MessageLibrary:
    """The saved messages of one library file, kept in memory and written on every change.

    One instance per file: two instances (two windows) on the same file each write their own
    view, and the last save wins.
    """

    def __init__(self, path: Path) -> None:
        """Open the library at `path`; a missing file is an empty library.

        Raises LibraryError when the file exists but cannot be read as a library; the file is
        left untouched (see `set_aside`).
        """
        self.path = Path(path)
        self._messages: dict[tuple[str, str, PayloadKind], SavedMessage] = {}
        self._kept: list[Any] = []  # entries this version cannot use, written back as they are
        self.problems: list[str] = []  # one sentence per entry in _kept
        if not self.path.exists():
            return
        for index, entry in enumerate(_read_library(self.path)):
            try:
                message = _parse_entry(entry)
            except ValueError as exc:
                self._kept.append(entry)
                self.problems.append(f"{_describe(entry, index)} was kept but cannot be used: "
                                     f"{exc}.")
                continue
            self._messages[message.key] = message

    @staticmethod
    def set_aside(path: Path) -> Path:
        """Rename an unreadable library out of the way, so that a new one can start empty.

        Returns the new name, `<stem>.broken-<n><suffix>` with the first free n, for telling
        the user where their old file went. Raises LibraryError if it cannot be renamed.
        """
        path = Path(path)
        number = 1
        while True:
            backup = path.with_name(f"{path.stem}.broken-{number}{path.suffix}")
            if not backup.exists():
                break
            number += 1
        try:
            path.rename(backup)
        except OSError as exc:
            raise LibraryError(f"{path} cannot be moved aside: {exc.strerror or exc}.") from None
        return backup

    def __len__(self) -> int:
        return len(self._messages)

    def items(self) -> list[SavedMessage]:
        """All saved messages by action, then name; each with its own copy of the payload, so
        that a view editing one cannot change what the library saves next."""
        return [replace(m, payload=copy.deepcopy(m.payload))
                for m in sorted(self._messages.values(), key=_sort_key)]

    def for_action(self, action: str, kind: PayloadKind | None = None) -> list[SavedMessage]:
        return [m for m in self.items()
                if m.action == action and (kind is None or m.kind == kind)]

    def add(self, message: SavedMessage) -> None:
        """Save `message`, replacing the one with the same name, action and kind.

        Raises LibraryError when the message cannot be saved (unknown action, a payload JSON
        cannot hold, the disk refuses); the library is then as it was before.
        """
        entry = {"name": message.name, "action": message.action, "kind": str(message.kind),
                 "payload": message.payload, "saved": message.saved}
        try:
            # a JSON round trip both copies the payload and proves it can be written
            entry = json.loads(json.dumps(entry, ensure_ascii=False))
            stored = _parse_entry(entry)
        except (TypeError, ValueError) as exc:
            raise LibraryError(f"{message.name!r} cannot be saved: {exc}.") from None
        if not stored.saved:
            stored = replace(stored, saved=utc_now())
        self._change({**self._messages, stored.key: stored})

    def remove(self, name: str, action: str, kind: PayloadKind) -> bool:
        """Delete one saved message; False if there was none. Raises LibraryError when the
        change cannot be written (and then keeps the message)."""
        key = (name, action, PayloadKind(kind))
        if key not in self._messages:
            return False
        self._change({k: m for k, m in self._messages.items() if k != key})
        return True

    def export(self, path: Path, items: list[SavedMessage] | None = None) -> int:
        """Write `items` (default: all) to `path` as a library file; returns how many.

        Entries this version could not read stay out of an export: they would only carry
        the problem to someone else.
        """
        chosen = self.items() if items is None else list(items)
        try:
            entries = json.loads(json.dumps([m.to_json() for m in chosen], ensure_ascii=False))
            write_atomically(Path(path), _document(entries), private=False)
        except (TypeError, ValueError) as exc:
            raise LibraryError(f"The messages cannot be exported: {exc}.") from None
        except OSError as exc:
            raise LibraryError(f"{path} cannot be written: {exc.strerror or exc}.") from None
        return len(chosen)

    def import_file(self, path: Path) -> tuple[int, list[str]]:
        """Add the messages of another library file; returns (how many, problems).

        A message with the same name, action and kind as one in this library replaces it, as
        saving it again would. Entries that cannot be used are skipped, one problem each.
        Raises LibraryError when the file is not a library at all or the result cannot be
        saved.
        """
        entries = _read_library(Path(path))
        incoming: dict[tuple[str, str, PayloadKind], SavedMessage] = {}
        problems: list[str] = []
        for index, entry in enumerate(entries):
            try:
                message = _parse_entry(entry)
            except ValueError as exc:
                problems.append(f"{_describe(entry, index)} was skipped: {exc}.")
                continue
            if not message.saved:
                message = replace(message, saved=utc_now())
            incoming[message.key] = message
        if incoming:
            self._change({**self._messages, **incoming})
        return len(incoming), problems

    def _change(self, messages: dict[tuple[str, str, PayloadKind], SavedMessage]) -> None:
        """Write `messages` (plus the kept entries), and only then make them current."""
        ordered = sorted(messages.values(), key=_sort_key)
        text = _document([m.to_json() for m in ordered] + self._kept)
        try:
            write_atomically(self.path, text)
        except OSError as exc:
            raise LibraryError(f"The library cannot be saved to {self.path}: "
                               f"{exc.strerror or exc}.") from None
        self._messages = messages
