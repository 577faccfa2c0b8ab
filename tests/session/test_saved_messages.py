"""The message library: saved at once, never half-written, never losing a user's file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from app.ocpp.schemas import PayloadKind
from app.session import saved_messages as library_module
from app.session.saved_messages import (
    FORMAT_NAME,
    FORMAT_VERSION,
    LibraryError,
    MessageLibrary,
    SavedMessage,
)

REQ, RES = PayloadKind.REQUEST, PayloadKind.RESPONSE
BOOT = {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"}


def _message(name: str = "boot", action: str = "BootNotification",
             kind: PayloadKind = REQ, payload: dict[str, Any] | None = None,
             saved: str = "2024-01-01T00:00:00Z") -> SavedMessage:
    return SavedMessage(name, action, kind, BOOT if payload is None else payload, saved)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _write(path: Path, messages: list[Any], **header: Any) -> None:
    data = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "messages": messages, **header}
    path.write_text(json.dumps(data), encoding="utf-8")


def test_a_missing_file_is_an_empty_library(tmp_path: Path) -> None:
    library = MessageLibrary(tmp_path / "library.json")
    assert library.items() == [] and len(library) == 0 and library.problems == []
    assert not (tmp_path / "library.json").exists()  # nothing is written until a change


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "data" / "library.json"  # the data directory may not exist yet
    library = MessageLibrary(path)
    library.add(_message())
    library.add(_message("answer", "BootNotification", RES,
                         {"currentTime": "2024-01-01T00:00:00Z", "interval": 300,
                          "status": "Accepted"}))
    library.add(_message("grüße ⚡", "Authorize", payload={"idToken": {"idToken": "04A2",
                                                                      "type": "ISO14443"}}))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "ocppscope-library" and data["version"] == 1
    assert {m["name"] for m in data["messages"]} == {"boot", "answer", "grüße ⚡"}
    assert set(data["messages"][0]) == {"name", "action", "kind", "payload", "saved"}
    again = MessageLibrary(path)
    assert again.items() == library.items()
    assert [(m.action, m.name) for m in again.items()] == \
        [("Authorize", "grüße ⚡"), ("BootNotification", "answer"), ("BootNotification", "boot")]
    assert again.items()[2] == _message()
    assert isinstance(again.items()[0].kind, PayloadKind)


def test_items_sort_by_action_then_name(tmp_path: Path) -> None:
    library = MessageLibrary(tmp_path / "l.json")
    for name, action in [("b", "Heartbeat"), ("B2", "Authorize"), ("a", "Heartbeat"),
                         ("a1", "Authorize")]:
        library.add(_message(name, action, payload={}))
    assert [(m.action, m.name) for m in library.items()] == \
        [("Authorize", "a1"), ("Authorize", "B2"), ("Heartbeat", "a"), ("Heartbeat", "b")]


def test_for_action_filters_by_action_and_kind(tmp_path: Path) -> None:
    library = MessageLibrary(tmp_path / "l.json")
    library.add(_message("x", "Heartbeat", REQ, {}))
    library.add(_message("x", "Heartbeat", RES, {"currentTime": "2024-01-01T00:00:00Z"}))
    library.add(_message("y", "Authorize", REQ, {}))
    assert [m.kind for m in library.for_action("Heartbeat")] == [REQ, RES]
    assert [m.kind for m in library.for_action("Heartbeat", RES)] == [RES]
    assert library.for_action("Reset") == []


def test_add_replaces_the_same_name_action_and_kind(tmp_path: Path) -> None:
    path = tmp_path / "l.json"
    library = MessageLibrary(path)
    library.add(_message(payload={"reason": "PowerUp"}))
    library.add(_message(payload={"reason": "Watchdog"}))
    library.add(_message(kind=RES, payload={}))  # same name, other kind: a second message
    assert len(library) == 2
    assert library.for_action("BootNotification", REQ)[0].payload == {"reason": "Watchdog"}
    assert len(MessageLibrary(path)) == 2


def test_add_stamps_the_time_when_none_is_given(tmp_path: Path) -> None:
    library = MessageLibrary(tmp_path / "l.json")
    library.add(SavedMessage("hb", "Heartbeat", REQ, {}))
    saved = library.items()[0].saved
    assert len(saved) == 20 and saved.endswith("Z") and saved[10] == "T"


def test_add_accepts_the_kind_as_text(tmp_path: Path) -> None:
    library = MessageLibrary(tmp_path / "l.json")
    library.add(SavedMessage("hb", "Heartbeat", "request", {}))  # type: ignore[arg-type]
    assert library.items()[0].kind is REQ


def test_the_library_keeps_its_own_copy_of_payloads(tmp_path: Path) -> None:
    library = MessageLibrary(tmp_path / "l.json")
    payload = {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"}
    library.add(_message(payload=payload))
    payload["reason"] = "changed by the caller"
    library.items()[0].payload["chargingStation"]["model"] = "changed by a view"
    assert library.items()[0].payload == BOOT


@pytest.mark.parametrize(("message", "words"), [
    (_message(action="StopTransaction"), "'StopTransaction' is an OCPP 1.6 action"),
    (_message(action="Foo"), "unknown action 'Foo'"),
    (_message(action="bootnotification"), "did you mean 'BootNotification'?"),
    (_message(name="  "), "no name"),
    (_message(payload={"when": {1, 2}}), "not JSON serializable"),
    (_message(payload=[1, 2]), "not a JSON object"),  # type: ignore[arg-type]
    (SavedMessage("x", "Heartbeat", "call", {}), "kind must be"),  # type: ignore[arg-type]
])
def test_add_refuses_what_cannot_be_saved(tmp_path: Path, message: SavedMessage,
                                          words: str) -> None:
    path = tmp_path / "l.json"
    library = MessageLibrary(path)
    with pytest.raises(LibraryError, match=words.replace("?", r"\?").replace("(", r"\(")):
        library.add(message)
    assert len(library) == 0 and not path.exists()


def test_invalid_payloads_are_saved_as_written(tmp_path: Path) -> None:
    library = MessageLibrary(tmp_path / "l.json")
    wrong = {"reason": "powerup", "extra": [1, None, 2.5], "nested": {"deep": {"x": "é"}}}
    library.add(_message("faulty on purpose", payload=wrong))
    assert MessageLibrary(tmp_path / "l.json").items()[0].payload == wrong


def test_remove(tmp_path: Path) -> None:
    path = tmp_path / "l.json"
    library = MessageLibrary(path)
    library.add(_message())
    library.add(_message(kind=RES, payload={}))
    assert library.remove("boot", "BootNotification", REQ) is True
    assert library.remove("boot", "BootNotification", REQ) is False
    assert library.remove("nothing", "Heartbeat", REQ) is False
    assert [m.kind for m in library.items()] == [RES]
    assert [m.kind for m in MessageLibrary(path).items()] == [RES]


def test_export_and_import(tmp_path: Path) -> None:
    source = MessageLibrary(tmp_path / "a.json")
    source.add(_message())
    source.add(_message("hb", "Heartbeat", payload={}))
    source.add(_message("auth", "Authorize", payload={"idToken": {}}))
    assert source.export(tmp_path / "all.json") == 3
    assert source.export(tmp_path / "some.json", source.for_action("Heartbeat")) == 1

    target = MessageLibrary(tmp_path / "b.json")
    target.add(_message(payload={"old": True}))
    added, problems = target.import_file(tmp_path / "all.json")
    assert (added, problems) == (3, [])
    assert target.items() == source.items()  # the import replaced the older "boot"
    assert MessageLibrary(tmp_path / "b.json").items() == source.items()
    assert [m.name for m in MessageLibrary(tmp_path / "some.json").items()] == ["hb"]


def test_import_keeps_good_entries_and_reports_bad_ones(tmp_path: Path) -> None:
    good = _message().to_json()
    _write(tmp_path / "incoming.json", [
        good,
        {**good, "name": "old habit", "action": "StopTransaction"},
        {**good, "name": "typo", "action": "Hearbeat"},
        {**good, "name": "no kind", "kind": "both"},
        {**good, "name": "not an object", "payload": "text"},
        {"action": "Heartbeat", "kind": "request", "payload": {}},
        "a string",
        {**good, "name": "no time", "action": "Heartbeat", "payload": {}, "saved": None},
        {"name": "untimed", "action": "Heartbeat", "kind": "request", "payload": {}},
    ])
    library = MessageLibrary(tmp_path / "l.json")
    added, problems = library.import_file(tmp_path / "incoming.json")
    assert added == 2
    assert [m.name for m in library.items()] == ["boot", "untimed"]
    assert library.for_action("Heartbeat")[0].saved  # stamped on import
    assert len(problems) == 7
    assert problems[0] == ("'old habit' (entry 2) was skipped: 'StopTransaction' is an "
                           "OCPP 1.6 action (in 2.0.1: TransactionEvent (eventType Ended)).")
    assert "did you mean 'Heartbeat'?" in problems[1]
    assert problems[4] == "entry 6 was skipped: no name."
    assert problems[5] == "entry 7 was skipped: not a JSON object."


@pytest.mark.parametrize("content", [
    "not json at all", '{"format": "something-else", "messages": []}', "[1, 2]",
    '{"format": "ocppscope-library", "version": 9, "messages": []}',
])
def test_import_of_something_else_raises_and_changes_nothing(tmp_path: Path,
                                                             content: str) -> None:
    (tmp_path / "other.json").write_text(content, encoding="utf-8")
    library = MessageLibrary(tmp_path / "l.json")
    library.add(_message())
    before = (tmp_path / "l.json").read_bytes()
    with pytest.raises(LibraryError):
        library.import_file(tmp_path / "other.json")
    assert (tmp_path / "l.json").read_bytes() == before
    with pytest.raises(LibraryError):
        library.import_file(tmp_path / "missing.json")


@pytest.mark.parametrize(("content", "words"), [
    ('{"format": "ocppscope-library", "version": 1, "messages": [', "broken JSON at line 1"),
    ("\x00\x01binary", "broken JSON"),
    ('{"format": "ocppscope-session", "version": 1}', "not an OCPP Scope message library"),
    ('{"format": "ocppscope-library", "version": 2, "messages": []}', "newer OCPP Scope"),
    ('{"format": "ocppscope-library", "version": "1", "messages": []}', "version number"),
    ('{"format": "ocppscope-library", "version": 1, "messages": {}}', "message list"),
])
def test_a_broken_file_raises_and_is_left_alone(tmp_path: Path, content: str,
                                                words: str) -> None:
    path = tmp_path / "library.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LibraryError, match=words) as raised:
        MessageLibrary(path)
    assert str(raised.value).startswith(str(path))
    assert path.read_text(encoding="utf-8") == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library.json"]


def test_a_file_that_is_not_utf8_raises(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    path.write_bytes(b'{"format": "\xff\xfe"}')
    with pytest.raises(LibraryError, match="not UTF-8"):
        MessageLibrary(path)


def test_a_directory_in_the_way_raises(tmp_path: Path) -> None:
    (tmp_path / "library.json").mkdir()
    with pytest.raises(LibraryError, match="cannot be read"):
        MessageLibrary(tmp_path / "library.json")


def test_set_aside_moves_a_broken_file_and_a_new_library_starts(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    for number in (1, 2):
        path.write_text("{broken", encoding="utf-8")
        with pytest.raises(LibraryError):
            MessageLibrary(path)
        backup = MessageLibrary.set_aside(path)
        assert backup == tmp_path / f"library.broken-{number}.json"
        assert backup.read_text(encoding="utf-8") == "{broken"
    library = MessageLibrary(path)
    library.add(_message())
    assert len(MessageLibrary(path)) == 1
    assert (tmp_path / "library.broken-1.json").exists()


def test_an_empty_file_is_an_empty_library(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    path.write_text("\n", encoding="utf-8")
    assert len(MessageLibrary(path)) == 0


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    _write(path, [_message().to_json()])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(MessageLibrary(path)) == 1


def test_unusable_entries_are_reported_and_kept_on_save(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    future = {"name": "from 2.1", "action": "NotifyAllowedEnergyTransfer", "kind": "request",
              "payload": {}, "saved": "2030-01-01T00:00:00Z"}
    _write(path, [_message().to_json(), future, 42])
    library = MessageLibrary(path)
    assert [m.name for m in library.items()] == ["boot"]
    assert len(library.problems) == 2
    assert library.problems[0].startswith("'from 2.1' (entry 2) was kept but cannot be used")
    library.add(_message("hb", "Heartbeat", payload={}))
    library.remove("boot", "BootNotification", REQ)
    messages = json.loads(path.read_text(encoding="utf-8"))["messages"]
    assert future in messages and 42 in messages
    assert [m.name for m in MessageLibrary(path).items()] == ["hb"]
    library.export(tmp_path / "out.json")
    assert len(json.loads((tmp_path / "out.json").read_text())["messages"]) == 1


def test_saving_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    library = MessageLibrary(path)
    for index in range(5):
        library.add(_message(f"m{index}"))
    library.remove("m0", "BootNotification", REQ)
    library.export(tmp_path / "export.json")
    assert _leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.json", "library.json"]


def test_a_failed_write_keeps_the_old_file_and_the_old_state(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "library.json"
    library = MessageLibrary(path)
    library.add(_message())
    before = path.read_bytes()

    def refuse(source: Any, target: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(library_module.os, "replace", refuse)
    with pytest.raises(LibraryError, match="No space left on device"):
        library.add(_message("second"))
    with pytest.raises(LibraryError):
        library.remove("boot", "BootNotification", REQ)
    assert [m.name for m in library.items()] == ["boot"]
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_a_write_interrupted_midway_removes_its_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "library.json"

    def crash(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(library_module.os, "fsync", crash)
    with pytest.raises(KeyboardInterrupt):
        MessageLibrary(path).add(_message())
    assert not path.exists() and _leftovers(tmp_path) == []


def test_a_new_library_is_readable_by_its_owner_only(tmp_path: Path, usual_umask: None
                                                     ) -> None:
    path = tmp_path / "library.json"
    MessageLibrary(path).add(_message())
    assert path.stat().st_mode & 0o777 == 0o600


def test_an_export_follows_the_umask_like_any_file_the_user_saves(
        tmp_path: Path, usual_umask: None) -> None:
    library = MessageLibrary(tmp_path / "library.json")
    library.add(_message())
    library.export(tmp_path / "export.json")
    assert (tmp_path / "export.json").stat().st_mode & 0o777 == 0o644
    os.umask(0o077)
    library.export(tmp_path / "private-export.json")
    assert (tmp_path / "private-export.json").stat().st_mode & 0o777 == 0o600


def test_permissions_of_an_existing_file_survive_a_save(tmp_path: Path, usual_umask: None
                                                        ) -> None:
    path = tmp_path / "library.json"
    library = MessageLibrary(path)
    library.add(_message())
    path.chmod(0o640)
    library.add(_message("second"))
    assert path.stat().st_mode & 0o777 == 0o640
