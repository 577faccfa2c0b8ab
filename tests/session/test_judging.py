"""Loading a session and judging it in one call fills its state, and a file that names no
stations is refused with a sentence."""

from __future__ import annotations

import pytest

from app.errors import InputError
from app.session.judging import judged_session
from tests.factories import boot, script_messages, write_session


def test_a_judged_session_has_its_state_filled(tmp_path):
    path = write_session(tmp_path / "s.jsonl", script_messages(boot()))
    capture = judged_session(str(path))
    assert capture.state.stations["CP1"].registration == "Accepted"


def test_a_bare_list_of_frames_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / "frames.json"
    path.write_text('[[2, "1", "Heartbeat", {}]]')
    with pytest.raises(InputError, match="is not a session recorded by OCPP Scope"):
        judged_session(str(path))
