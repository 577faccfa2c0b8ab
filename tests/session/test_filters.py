from app.ocpp.conversation import Direction
from app.query import compile_query
from app.session.capture import Capture
from app.session.filters import RecordFilter, scan
from app.session.message import RecordKind
from tests.factories import NOW, boot, judged_capture

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


def sample():
    capture = Capture()
    capture.event(RecordKind.OPENED, "c1", "CP1", {"subprotocol": "ocpp2.0.1"})
    capture.frame("c1", "CP1", UP, '[2,"a","Heartbeat",{}]')                       # 1
    capture.frame("c1", "CP1", DOWN, '[3,"a",{"currentTime":"2024-01-01T00:00:00Z"}]')
    capture.event(RecordKind.OPENED, "c2", "CP2", {"subprotocol": "ocpp2.0.1"})
    capture.frame("c2", "CP2", UP, '[2,"b","Authorize",{"idToken":{"idToken":"X","type":'
                                   '"iso14443"}}]')                                # 4
    capture.frame("c2", "CP2", DOWN, '[4,"b","InternalError","oops",{}]')          # 5
    capture.frame("c2", "CP2", UP, "not json")                                     # 6
    return capture


def shown(capture, record_filter):
    rows, end = scan(capture, record_filter.predicate(capture), 0)
    assert end == len(capture.messages)
    return rows


def test_empty_filter_shows_everything():
    capture = sample()
    assert RecordFilter().is_empty
    assert shown(capture, RecordFilter()) == list(range(7))


def test_station_direction_and_type():
    capture = sample()
    assert shown(capture, RecordFilter(stations=frozenset({"CP2"}))) == [3, 4, 5, 6]
    assert shown(capture, RecordFilter(directions=frozenset({DOWN}))) == [2, 5]
    assert shown(capture, RecordFilter(message_types=frozenset({2}))) == [1, 4]
    assert shown(capture, RecordFilter(only_errors=True)) == [5]


def test_only_invalid_includes_malformed_frames():
    capture = sample()
    assert shown(capture, RecordFilter(only_invalid=True)) == [4, 6]


def test_text_matches_action_id_and_payload_case_insensitively():
    capture = sample()
    assert shown(capture, RecordFilter(text="heartbeat", show_events=False)) == [1, 2]
    assert shown(capture, RecordFilter(text="ISO14443")) == [4]
    assert shown(capture, RecordFilter(text="cp2")) == [3]   # the event of CP2's connection


def test_events_can_be_hidden():
    capture = sample()
    assert shown(capture, RecordFilter(show_events=False)) == [1, 2, 4, 5, 6]


def test_scan_works_in_slices():
    capture = sample()
    accepts = RecordFilter().predicate(capture)
    rows, end = scan(capture, accepts, 2, budget=0)
    assert rows[0] == 2 and end == len(capture.messages)


def test_a_record_set_keeps_exactly_those_records_events_included_only_if_chosen():
    capture = sample()
    chosen = frozenset({capture.messages[1].seq, capture.messages[4].seq})
    record_filter = RecordFilter(seqs=chosen, label="transaction 1a2b")
    assert not record_filter.is_empty
    assert shown(capture, record_filter) == [1, 4]
    assert shown(capture, RecordFilter(seqs=frozenset({capture.messages[0].seq}))) == [0]


def test_a_record_set_combines_with_the_other_criteria():
    capture = sample()
    chosen = frozenset(m.seq for m in capture.messages)
    assert shown(capture, RecordFilter(seqs=chosen, stations=frozenset({"CP1"}))) == [0, 1, 2]
    assert shown(capture, RecordFilter(seqs=frozenset())) == []


def test_an_expression_narrows_the_quick_filters():
    capture = judged_capture([*boot(), (UP, [2, "h1", "Heartbeat", {}]),
                              (DOWN, [3, "h1", {"currentTime": NOW}])])
    record_filter = RecordFilter(directions=frozenset({DOWN}),
                                 expression='action == "Heartbeat"')
    accepts = record_filter.predicate(capture)
    assert [m.seq for m in capture.messages if accepts(m)] == [4]


def test_quick_filters_are_shown_as_the_expression_they_mean():
    record_filter = RecordFilter(stations=frozenset({'CP "1"'}), directions=frozenset({UP}),
                                 message_types=frozenset({2, 4}), only_invalid=True,
                                 expression="size > 10 || rtt > 5")
    text = record_filter.as_expression()
    assert text == ('station == "CP \\"1\\"" && dir == "up" && type in {CALL, ERROR} && !valid '
                    "&& (size > 10 || rtt > 5)")
    assert compile_query(text).text == text   # it is itself a valid expression
    assert RecordFilter().as_expression() == ""


def test_filters_over_a_session_file_read_back_only_what_the_index_cannot_rule_out(
        tmp_path, monkeypatch):
    from app.session.filters import FilterScan
    from app.session.loader import SessionLoader
    from app.session.store import RecordStore
    from tests.benchmarks.make_session import write_session

    path = tmp_path / "s.jsonl"
    write_session(path, 3000, stations=5)
    capture = Capture()
    capture.adopt(SessionLoader.open(path).load_all())
    while capture.annotate(1.0):
        pass
    store = capture.messages
    station = store.station_at(0)
    reads = []
    real_read = RecordStore._read
    monkeypatch.setattr(RecordStore, "_read",
                        lambda self, position: reads.append(position) or real_read(
                            self, position))
    for record_filter in (RecordFilter(stations=frozenset({station})),
                          RecordFilter(only_invalid=True),
                          RecordFilter(directions=frozenset({DOWN}), message_types=
                                       frozenset({3})),
                          RecordFilter(stations=frozenset({"nobody"})),
                          RecordFilter(text="charging", show_events=False),
                          RecordFilter(seqs=frozenset({5, 6, 7}))):
        everything = [i for i in range(len(store))
                      if record_filter.predicate(capture)(store[i])]
        store.close()  # no cached records: every read below is counted
        reads.clear()
        scanning = FilterScan(capture, record_filter.predicate(capture),
                              record_filter.index_test(capture))
        while scanning.step():
            pass
        assert scanning.found == everything, record_filter
        if not record_filter.text:
            assert len(reads) < len(store) / 2, record_filter
    assert RecordFilter().index_test(capture) is None
    assert RecordFilter(only_invalid=True).index_test(sample()) is None  # a list


def test_a_text_search_over_a_session_file_finds_what_reading_every_record_finds(tmp_path):
    import json as json_module

    from app.session.filters import FilterScan
    from app.session.loader import SessionLoader
    from app.session.sessionfile import SessionWriter, make_header

    live = Capture()
    texts = ['[2,"a","DataTransfer",{"vendorId":"Straße/Nord","data":"say \\"hi\\""}]',
             '[2,"b","DataTransfer",{"vendorId":"ΣΊΣΥΦΟΣ","data":"tab\\there"}]',
             '[2,"c","Heartbeat",{}]', "not json at all: Grüße/x", '[2,"\ud800","Heartbeat",{}]']
    for text in texts:
        live.frame("c1", "CP1", UP, text)
    path = tmp_path / "s.jsonl"
    with SessionWriter(path, make_header("proxy")) as writer:
        writer.write_batch(live.messages)
    line = json_module.loads(path.read_text(encoding="utf-8").splitlines()[1])
    with path.open("a", encoding="utf-8") as stream:  # another tool's escapes
        escaped = json_module.dumps({**line, "seq": 9, "text": "Stra\u00dfe/Nord"},
                                    ensure_ascii=True).replace("/", "\\/")
        stream.write(escaped + "\n")
    capture = Capture()
    capture.adopt(SessionLoader.open(path).load_all())
    store = capture.messages
    found = {}
    for needle in ("strasse", "straße/nord", "σίσυφος", "hi", "tab", "grüsse/x", "heart",
                   "datatransfer", "c", "nowhere", 'say "hi'):
        record_filter = RecordFilter(text=needle)
        accepts = record_filter.predicate(capture)
        everything = [i for i in range(len(store)) if accepts(store[i])]
        scanning = FilterScan(capture, accepts, record_filter.index_test(capture))
        while scanning.step():
            pass
        assert scanning.found == everything, needle
        found[needle] = scanning.found
    assert found["strasse"] == found["straße/nord"] == [0, 5]
    assert found["σίσυφος"] == [1] and found["grüsse/x"] == [3] and not found["nowhere"]
    assert RecordFilter(text="straße/nord").index_test(capture)(5)  # the escaped line
