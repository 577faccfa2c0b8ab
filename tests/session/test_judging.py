"""Loading a session (or any input the import layer reads) and judging it in one call fills
its state; a file that cannot be read is refused with a sentence."""

from __future__ import annotations

import pytest

from app.errors import InputError
from app.session.judging import judged_session
from tests.factories import boot, script_messages, write_session


def test_a_judged_session_has_its_state_filled(tmp_path):
    path = write_session(tmp_path / "s.jsonl", script_messages(boot()))
    capture = judged_session(str(path))
    assert capture.state.stations["CP1"].registration == "Accepted"


def test_a_log_of_another_tool_is_judged_too(tmp_path):
    path = tmp_path / "frames.json"
    path.write_text('[[2, "1", "Heartbeat", {}]]')
    capture = judged_session(str(path))
    assert [m.action for m in capture.messages] == ["Heartbeat"] and capture.judged


def test_an_unreadable_file_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / "noise.bin"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError):
        judged_session(str(path))
