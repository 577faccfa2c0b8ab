"""The Replay page against `ocpp`-package CSMSs: progress, controls, the status line, and
the two timelines kept on the same exchange."""

import json
from typing import Any

import pytest
from ocpp.routing import on
from ocpp.v201 import call_result

from app.ocpp.conversation import Direction
from app.replay.compare import Verdict
from app.session.message import RecordKind
from tests.net.peers import OcppCsms, run
from tests.replay.sessions import record_session
from tests.widgets.conftest import run_until
from tests.widgets.replay_helpers import LiveCsms, finish, start_replay


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    path = tmp_path_factory.mktemp("rec") / "bench.jsonl"
    run(record_session(path))
    return str(path)


def test_a_replay_against_the_same_csms_ends_all_same_with_the_bar_full(window, loop,
                                                                          recorded):
    csms = LiveCsms(loop)
    try:
        page = start_replay(window, recorded, csms.url)
        finish(loop, page)
    finally:
        csms.close()
    assert page.status.text() == "Finished: 5 same / 0 different / 0 missing / 0 extra"
    assert page.progress.value() == page.progress.maximum() == 3
    assert [o.verdict for o in page.report.outcomes] == [Verdict.SAME] * 5
    assert window.workbench.currentWidget() is page
    assert window.capture is page.live_model.capture   # the window shows the live run
    run_until(loop, lambda: len(page.live_model.rows) == len(window.capture.messages))
    window.resize(1400, 900)
    window.grab().save("/tmp/rw/page.png")


class RefusingCsms(OcppCsms):
    """The CSMS after a change: it no longer knows the tag."""

    @on("Authorize")
    def on_authorize(self, id_token: dict, **_: Any) -> Any:
        return call_result.Authorize(id_token_info={"status": "Invalid"})


def _our_calls(capture):
    return [m for m in capture.messages if m.kind is RecordKind.FRAME
            and m.message_type == 2 and m.direction is Direction.STATION_TO_CSMS]


def test_a_changed_csms_is_listed_and_highlighted_in_the_differences_view(window, loop,
                                                                         recorded, tmp_path):
    csms = LiveCsms(loop, RefusingCsms)
    try:
        page = start_replay(window, recorded, csms.url)
        finish(loop, page)
    finally:
        csms.close()
    assert page.status.text() == "Finished: 4 same / 1 different / 0 missing / 0 extra"
    view = page.differences
    view.only.setChecked(True)
    assert view.proxy.rowCount() == 1
    assert view.proxy.index(0, 3).data() == "Authorize"
    outcome = view.current_outcome()       # the first difference is chosen at once
    assert outcome.action == "Authorize"
    items = [view.difference_list.item(i).text() for i in range(view.difference_list.count())]
    assert items == ["idTokenInfo.status: 'Accepted' -> 'Invalid'"]
    for json_view, value in ((view.recorded_view, "Accepted"), (view.live_view, "Invalid")):
        marked = [s.cursor.selectedText() for s in json_view.extraSelections()]
        assert any(value in text for text in marked), marked
    assert "currentTime" in view.ignored.text()
    window.resize(1400, 900)
    window.grab().save("/tmp/rw/differences.png")

    view.show_in_timelines()
    assert page.selected_seq(recorded=True) == outcome.recorded.seq
    assert page.selected_seq(recorded=False) == outcome.live.seq
    assert window.detail.message.seq == outcome.live.seq   # the window's timeline too

    report = tmp_path / "diff.json"
    assert view.export(str(report)) == f"report written to {report}"
    assert json.loads(report.read_text())["counts"]["different"] == 1
    assert "name a .json or .html file" in view.export(str(tmp_path / "diff.txt"))


def test_pause_holds_the_next_call_and_step_lets_exactly_one_through(window, loop,
                                                                     recorded):
    csms = LiveCsms(loop)
    try:
        page = start_replay(window, recorded, csms.url, paused=True)
        capture = window.capture
        # connected, at the gate of the first CALL: nothing of ours has gone
        run_until(loop, lambda: page.status.text().startswith("Playing")
                  or any(m.kind is RecordKind.OPENED for m in capture.messages))
        assert not page.pause_button.isEnabled() and page.resume_button.isEnabled()
        assert _our_calls(capture) == []
        page.step()
        # the boot is answered and the CSMS's GetVariables that follows it answered too:
        # an unpaused replay would have sent its Authorize by now
        run_until(loop, lambda: sum(1 for m in capture.messages if m.message_type == 3)
                  >= 2)
        run_until(loop, lambda: page.progress.value() == 1)
        assert [m.action for m in _our_calls(capture)] == ["BootNotification"]
        page.resume()
        finish(loop, page)
    finally:
        csms.close()
    assert page.report.counts.all_matched
    assert page.progress.value() == 3


def test_stop_ends_the_run_cleanly_and_judges_what_ran(window, loop, recorded):
    csms = LiveCsms(loop)
    try:
        page = start_replay(window, recorded, csms.url, paused=True)
        run_until(loop, lambda: any(m.kind is RecordKind.OPENED
                                    for m in window.capture.messages))
        page.stop()
        finish(loop, page)
    finally:
        csms.close()
    assert page.status.text() == "Finished: 0 same / 0 different / 5 missing / 0 extra"
    assert not any(b.isEnabled() for b in (page.pause_button, page.resume_button,
                                           page.step_button, page.stop_button))
    assert window.capture.messages[-1].kind is RecordKind.CLOSED
    assert window.runner.running is None and window.mode_label.text() == "Stopped"


def test_an_unreachable_csms_is_one_sentence_in_the_status_line(window, loop, recorded,
                                                               no_message_boxes):
    page = start_replay(window, recorded, "ws://127.0.0.1:9/ocpp")
    finish(loop, page)
    assert page.status.text() == ("Failed: connection to ws://127.0.0.1:9/ocpp/CP-17 "
                                  "refused: nothing listens there")
    assert page.report.outcomes and all(o.verdict is Verdict.MISSING
                                        for o in page.report.outcomes)
