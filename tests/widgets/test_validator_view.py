"""The validator takes several frames (lines, a JSON list, a log) and judges each one as
`ocppscope validate` does, listing findings per frame."""

import json

from app.ocpp.findings import Severity
from widgets.detail import FINDING_MARK, WARNING_MARK, WARNING_TEXT
from widgets.validator_view import FRAME, ValidatorView

HEARTBEAT = '[2,"1","Heartbeat",{}]'
LATE_ANSWER = '[3,"1",{"currentTime":"yesterday"}]'
BAD_TOKEN = '[2,"2","Authorize",{"idToken":{"idToken":"A","type":"iso14443"}}]'


def _view(qtbot, text):
    view = ValidatorView()
    qtbot.addWidget(view)
    assert view.what.currentText() == FRAME
    view.input.setPlainText(text)
    view.validate()
    return view


def _rows(view):
    return [view.findings.item(i).text() for i in range(view.findings.count())]


def test_several_frames_one_per_line_are_judged_each_with_its_findings(qtbot):
    view = _view(qtbot, "\n".join([HEARTBEAT, LATE_ANSWER, BAD_TOKEN]))
    assert [(j.item.position, j.label) for j in view.judged] == [
        ("line 1", "CALL Heartbeat"), ("line 2", "CALLRESULT Heartbeat"),
        ("line 3", "CALL Authorize")]
    rows = _rows(view)
    assert rows[0] == "line 1 · CALL Heartbeat: valid"
    assert rows[1] == "line 2 · CALLRESULT Heartbeat: 1 error"  # paired with its CALL
    assert "currentTime" in rows[2] and "schema.date-time" in rows[2]
    assert rows[3] == "line 3 · CALL Authorize: 1 error"
    assert view.summary.text() == "3 frames: 2 invalid"
    assert [f.code for f in view.current] == ["schema.date-time", "schema.enum"]
    view._clicked(view.findings.item(4))
    assert view.input.textCursor().selectedText() == '"type":"iso14443"'
    view._clicked(view.findings.item(1))  # a heading selects its whole frame
    assert view.input.textCursor().selectedText() == LATE_ANSWER


def test_a_json_list_of_frames_is_judged_frame_by_frame(qtbot):
    frames = [json.loads(t) for t in (HEARTBEAT, LATE_ANSWER, BAD_TOKEN)]
    view = _view(qtbot, json.dumps(frames, indent=2))
    assert [j.item.position for j in view.judged] == ["[0]", "[1]", "[2]"]
    assert [f.code for f in view.current] == ["schema.date-time", "schema.enum"]
    spans = [(s.cursor.selectionStart(), s.cursor.selectionEnd())
             for s in view.input.extraSelections()]
    text = view.input.toPlainText()
    assert [text[a:b] for a, b in spans] == ['"currentTime": "yesterday"',
                                             '"type": "iso14443"']


def test_log_lines_with_prefixes_are_read_for_the_frame_inside(qtbot):
    log = "\n".join([
        "2026-11-30 10:00:00 [INFO] connected to wss://csms.example.com/ocpp/CP-1",
        f"2026-11-30 10:00:01 [INFO] → {HEARTBEAT}",
        f"2026-11-30 10:00:01 [INFO] ← {LATE_ANSWER}",
        f"[2026-11-30 10:00:02] [DEBUG] >> {BAD_TOKEN} (sent)",
    ])
    view = _view(qtbot, log)
    assert [(j.item.position, j.text) for j in view.judged] == [
        ("line 2", HEARTBEAT), ("line 3", LATE_ANSWER), ("line 4", BAD_TOKEN)]
    assert view.summary.text() == "3 frames: 2 invalid; 1 line without a frame skipped"
    marked = [view.input.toPlainText()[s.cursor.selectionStart():s.cursor.selectionEnd()]
              for s in view.input.extraSelections()]
    assert marked == ['"currentTime":"yesterday"', '"type":"iso14443"']


def test_one_frame_is_listed_without_a_heading(qtbot):
    view = _view(qtbot, f"10:00:01 → {BAD_TOKEN}")
    assert view.summary.text() == "CALL Authorize: 1 error"
    assert [view.findings.item(i).text()[:1] for i in range(view.findings.count())] == ["✗"]


def test_text_without_frames_says_so(qtbot):
    view = _view(qtbot, "10:00:00 [INFO] started\n10:00:01 [INFO] connected")
    assert view.judged == [] and view.summary.text() == (
        "no OCPP-J frame found; 2 lines without a frame skipped")


def test_warnings_are_shown_in_the_warning_colour(qtbot):
    view = _view(qtbot, "\n".join([HEARTBEAT, '[3,"1",{"currentTime":"1970-01-01T00:00:00Z"}]',
                                   BAD_TOKEN]))
    assert [f.severity for f in view.judged[1].verdict.findings] == [Severity.WARNING]
    heading, warning = view.findings.item(1), view.findings.item(2)
    assert heading.text() == "line 2 · CALLRESULT Heartbeat: valid, 1 warning"
    assert heading.foreground().color() == WARNING_TEXT
    assert warning.foreground().color() == WARNING_TEXT
    tints = [s.format.background().color() for s in view.input.extraSelections()]
    assert tints == [WARNING_MARK, FINDING_MARK]  # the error drawn last, on top
