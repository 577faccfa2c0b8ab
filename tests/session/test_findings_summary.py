"""Findings grouped by severity, code and station, and by action and by station with their
codes, counted once each, live or loaded."""

from app.ocpp.conversation import Direction
from app.ocpp.findings import Severity, error, warning
from app.session.capture import Capture
from app.session.findings_summary import FindingsSummary, Grouping, SummaryBuild, record_line
from app.session.message import RecordKind
from tests.factories import make_message

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
BAD_TIME = ('[2,"{n}","MeterValues",{{"evseId":1,"meterValue":[{{"timestamp":'
            '"2024-01-01T00:00:00","sampledValue":[{{"value":1}}]}}]}}]')


def fill(capture):
    """Two stations: CP1 sends two bad times and a malformed frame; CP2 one bad time and,
    before its answer, a second CALL; both are left unanswered when its connection closes."""
    capture.frame("c1", "CP1", UP, BAD_TIME.format(n=1))
    capture.frame("c1", "CP1", DOWN, '[3,"1",{}]')
    capture.frame("c1", "CP1", UP, BAD_TIME.format(n=2))
    capture.frame("c1", "CP1", UP, "not json")
    capture.frame("c2", "CP2", UP, BAD_TIME.format(n=3))
    capture.frame("c2", "CP2", UP, '[2,"4","Heartbeat",{}]')
    capture.event(RecordKind.CLOSED, "c2", "CP2", {"code": 1006})


def summarised_live(capture):
    summary = FindingsSummary()
    capture.subscribe(lambda m, a: summary.add(m.seq, m.station, a.findings, m.action))
    fill(capture)
    summary.follow_notes(capture)
    return summary


def test_findings_are_grouped_worst_first_by_code_and_station():
    summary = summarised_live(Capture())
    assert summary.severities() == [Severity.ERROR, Severity.WARNING]
    assert summary.count() == 7 and summary.count(Severity.ERROR) == 4
    codes = {g.code: g for g in summary.groups(Severity.ERROR)}
    assert set(codes) == {"schema.date-time", "frame.not-json"}
    dates = codes["schema.date-time"]
    assert dates.count == 3
    assert [(s.station, s.count, list(s.seqs)) for s in dates.by_station()] == [
        ("CP1", 2, [1, 3]), ("CP2", 1, [5])]
    assert dates.sample.startswith("…timestamp: '2024-01-01T00:00:00' has no UTC offset")
    assert "[schema.date-time]" not in dates.sample
    concurrent, unanswered = summary.groups(Severity.WARNING)
    assert concurrent.code == "protocol.concurrent-call"
    assert unanswered.code == "protocol.no-answer" and list(
        unanswered.stations["CP2"].seqs) == [5, 6]


def test_a_note_is_counted_once_however_often_notes_are_followed():
    capture = Capture()
    summary = summarised_live(capture)
    before = summary.revision
    summary.follow_notes(capture)
    assert summary.revision == before and summary.count(Severity.WARNING) == 3


def test_a_record_with_two_findings_of_one_code_is_listed_once():
    summary = FindingsSummary()
    summary.add(7, "CP1", [error("schema.enum", "a", "x"), error("schema.enum", "b", "y")])
    group = summary.groups(Severity.ERROR)[0]
    assert group.count == 2 and list(group.stations["CP1"].seqs) == [7]


def test_a_loaded_capture_is_summarised_in_slices_to_the_same_counts():
    live = Capture()
    expected = summarised_live(live)
    loaded = Capture()
    loaded.adopt(list(live.messages))
    while loaded.annotate():
        pass
    summary = FindingsSummary()
    build = SummaryBuild(loaded, summary)
    steps = 0
    while build.step(budget=0.0):
        steps += 1
    assert build.progress == 1.0
    assert summary.structure == expected.structure
    for grouping in Grouping:
        assert summary.structure_of(grouping) == expected.structure_of(grouping)
    assert summary.count() == expected.count()
    summary.follow_notes(loaded)   # the notes are already in the annotations read
    assert summary.count() == expected.count()


def test_the_structure_changes_only_with_a_new_code_or_station():
    summary = FindingsSummary()
    summary.add(1, "CP1", [warning("w.one", "m")])
    first = summary.structure
    summary.add(2, "CP1", [warning("w.one", "m")])
    assert summary.structure == first
    summary.add(3, "CP2", [warning("w.one", "m")])
    assert summary.structure != first


def test_a_record_line_says_where_and_what():
    capture = Capture()
    fill(capture)
    line = record_line(capture, 1, "schema.date-time")
    assert line.startswith("#1 · ") and " · CALL MeterValues · …timestamp: '2024" in line
    assert "[schema.date-time]" not in line
    assert record_line(capture, 4, "frame.not-json").split(" · ")[2] == "malformed"
    assert record_line(capture, 999, "x") == "#999"


def kinds(heading):
    return [(k.severity.value, k.code, k.count, list(k.seqs)) for k in heading.by_kind()]


def test_findings_are_counted_per_action_with_their_kinds_worst_first():
    summary = summarised_live(Capture())
    names = [(h.name, h.count) for h in summary.headings(Grouping.ACTION)]
    assert names == [("", 1), ("Heartbeat", 2), ("MeterValues", 4)]
    malformed, heartbeat, meter_values = summary.headings(Grouping.ACTION)
    assert kinds(malformed) == [("error", "frame.not-json", 1, [4])]
    assert kinds(heartbeat) == [("warning", "protocol.concurrent-call", 1, [6]),
                                ("warning", "protocol.no-answer", 1, [6])]
    assert kinds(meter_values) == [("error", "schema.date-time", 3, [1, 3, 5]),
                                   ("warning", "protocol.no-answer", 1, [5])]
    assert meter_values.worst is Severity.ERROR and heartbeat.worst is Severity.WARNING


def test_findings_are_counted_per_station_with_their_kinds():
    summary = summarised_live(Capture())
    cp1, cp2 = summary.headings(Grouping.STATION)
    assert (cp1.name, cp1.count, cp2.name, cp2.count) == ("CP1", 3, "CP2", 4)
    assert kinds(cp1) == [("error", "frame.not-json", 1, [4]),
                          ("error", "schema.date-time", 2, [1, 3])]
    assert [k.code for k in cp2.by_kind()] == [
        "schema.date-time", "protocol.concurrent-call", "protocol.no-answer"]
    assert cp2.by_kind()[0].sample.startswith("…timestamp: '2024-01-01T00:00:00'")


def test_a_loaded_answer_is_counted_under_the_action_of_its_call():
    capture = Capture()
    capture.adopt([make_message(1, '[2,"1","Heartbeat",{}]'),
                   make_message(2, '[3,"1",{}]', direction=DOWN)])
    while capture.annotate():
        pass
    assert capture.messages[1].action is None      # the file did not say it
    summary = FindingsSummary()
    build = SummaryBuild(capture, summary)
    while build.step():
        pass
    [heading] = summary.headings(Grouping.ACTION)
    assert heading.name == "Heartbeat" and kinds(heading)[0][3] == [2]


def test_the_structure_of_a_grouping_changes_only_with_a_new_heading_or_kind():
    summary = FindingsSummary()
    summary.add(1, "CP1", [warning("w.one", "m")], "Heartbeat")
    first = summary.structure_of(Grouping.ACTION)
    summary.add(2, "CP2", [warning("w.one", "m")], "Heartbeat")
    assert summary.structure_of(Grouping.ACTION) == first
    assert summary.structure_of(Grouping.STATION) != first
    summary.add(3, "CP2", [error("e.one", "m")], "Heartbeat")
    assert summary.structure_of(Grouping.ACTION) != first
