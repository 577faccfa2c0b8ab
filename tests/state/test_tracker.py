"""The tracker on scripted sessions: what each message teaches the state, and what it
ignores (out of order, duplicated, missing, malformed)."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ocpp import catalog
from app.ocpp.checker import FrameChecker
from app.ocpp.findings import Severity
from app.ocpp.frames import Call, CallResult
from app.session.capture import Capture
from app.session.message import RecordKind
from app.state.model import SessionState, StationState
from app.state.readings import energy_wh
from app.state.tracker import MAX_PENDING, apply_event, apply_frame
from tests.factories import (
    DOWN,
    NOW,
    START,
    UP,
    boot,
    judged_capture,
    make_message,
    script_messages,
    tx_event,
)


def codes(capture, seq):
    return [f.code for f in capture.annotation(seq).findings]


def test_boot_registration_heartbeat_and_connections_are_tracked():
    capture = judged_capture([("opened", {"subprotocol": "ocpp2.0.1"}), *boot(),
                              (UP, [2, "h1", "Heartbeat", {}]),
                              (UP, "garbage"),
                              ("closed", {"code": 1006, "by": "station", "reason": ""})])
    station = capture.state.stations["CP1"]
    assert (station.vendor, station.model, station.serial, station.firmware,
            station.boot_reason) == ("Voltra", "AC22", "S-1", "4.2", "PowerUp")
    assert station.registration == "Accepted" and station.interval == 300
    assert station.last_heartbeat == capture.messages[3].time
    assert station.frames == 4 and station.invalid == 1
    [connection] = station.connections
    assert connection.subprotocol == "ocpp2.0.1" and not station.connected
    assert (connection.code, connection.closed_by) == (1006, "station")
    assert capture.state.pending == {}


def test_security_firmware_and_log_status_are_listed():
    capture = judged_capture([
        *boot(),
        (UP, [2, "s", "SecurityEventNotification", {"type": "TamperDetected",
                                                    "timestamp": NOW}]),
        (UP, [2, "f", "FirmwareStatusNotification", {"status": "Downloading"}]),
        (UP, [2, "l", "LogStatusNotification", {"status": "Uploaded"}])])
    station = capture.state.stations["CP1"]
    assert [c.value for c in station.security_events] == ["TamperDetected"]
    assert [c.value for c in station.firmware_status] == ["Downloading"]
    assert [c.value for c in station.log_status] == ["Uploaded"]


def test_connector_status_history_and_accepted_availability():
    status = {"timestamp": NOW, "connectorStatus": "Available", "evseId": 1, "connectorId": 1}
    capture = judged_capture([
        *boot(),
        (UP, [2, "1", "StatusNotification", status]), (DOWN, [3, "1", {}]),
        (UP, [2, "2", "StatusNotification", {**status, "connectorStatus": "Faulted"}]),
        (DOWN, [3, "2", {}]),
        (DOWN, [2, "3", "ChangeAvailability", {"operationalStatus": "Inoperative",
                                               "evse": {"id": 1}}]),
        (UP, [3, "3", {"status": "Accepted"}]),
        (DOWN, [2, "4", "ChangeAvailability", {"operationalStatus": "Operative",
                                               "evse": {"id": 1}}]),
        (UP, [3, "4", {"status": "Rejected"}])])
    evse = capture.state.stations["CP1"].evses[1]
    connector = evse.connectors[1]
    assert connector.status == "Faulted"
    assert [c.value for c in connector.history] == ["Available", "Faulted"]
    assert evse.availability == "Inoperative" and len(evse.availability_history) == 1


def test_reservations_follow_request_answer_cancel_and_update():
    capture = judged_capture([
        *boot(),
        (DOWN, [2, "r1", "ReserveNow", {"id": 7, "expiryDateTime": NOW, "evseId": 1,
                                        "idToken": {"idToken": "TAG", "type": "ISO14443"}}]),
        (UP, [3, "r1", {"status": "Accepted"}]),
        (DOWN, [2, "r2", "ReserveNow", {"id": 8, "expiryDateTime": NOW,
                                        "idToken": {"idToken": "X", "type": "Central"}}]),
        (UP, [3, "r2", {"status": "Occupied"}]),
        (DOWN, [2, "c", "CancelReservation", {"reservationId": 7}]),
        (UP, [3, "c", {"status": "Accepted"}]),
        (UP, [2, "u", "ReservationStatusUpdate", {"reservationId": 9,
                                                  "reservationUpdateStatus": "Expired"}])])
    reservations = capture.state.stations["CP1"].reservations
    assert reservations[7].status == "Cancelled" and reservations[7].id_token == "TAG"
    assert reservations[8].status == "Occupied"
    assert reservations[9].status == "Expired"


def test_a_transaction_with_meter_values_energy_and_its_records():
    capture = judged_capture([
        *boot(),
        *tx_event("t1", "Started", "T1", 0, energy=1000.0, chargingState="Charging"),
        (UP, [2, "m1", "MeterValues", {"evseId": 1, "meterValue": [{
            "timestamp": NOW, "sampledValue": [
                {"value": 1.5, "unitOfMeasure": {"unit": "kWh"}},
                {"value": 7, "measurand": "Power.Active.Import",
                 "unitOfMeasure": {"unit": "W", "multiplier": 3}}]}]}]),
        (DOWN, [3, "m1", {}]),
        (DOWN, [2, "q", "GetTransactionStatus", {"transactionId": "T1"}]),
        (UP, [3, "q", {"messagesInQueue": False}]),
        *tx_event("t2", "Ended", "T1", 1, energy=2500.0, stoppedReason="EVDisconnected"),
        (UP, [2, "m2", "MeterValues", {"evseId": 1, "meterValue": [{
            "timestamp": NOW, "sampledValue": [{"value": 9999}]}]}])])
    station = capture.state.stations["CP1"]
    tx = station.transactions["T1"]
    assert (tx.evse_id, tx.connector_id, tx.stopped_reason) == (1, 1, "EVDisconnected")
    assert not tx.running and station.evses[1].transaction_id is None
    assert [c.value for c in tx.charging_states] == ["Charging"]
    power = [s for s in tx.meter if s.measurand == "Power.Active.Import"]
    assert power[0].value == 7000.0
    assert energy_wh(tx) == 1500.0
    assert tx.record_seqs == [3, 4, 5, 6, 7, 8, 9, 10]  # not the MeterValues after it ended
    assert station.evses[1].connectors[1].status == "Occupied"


def test_a_state_without_meter_series_keeps_every_fact_but_the_samples():
    """`validate` tracks only what the rules read: the same transaction, EVSE and seqNo
    facts as a full state, and no sampled values."""
    steps = [*boot(),
             *tx_event("t1", "Started", "T1", 0, energy=1000.0, chargingState="Charging"),
             (UP, [2, "m1", "MeterValues", {"evseId": 1, "meterValue": [{
                 "timestamp": NOW, "sampledValue": [{"value": 1.5}]}]}]),
             (DOWN, [3, "m1", {}]),
             *tx_event("t2", "Updated", "T1", 2, energy=2500.0)]
    full = judged_capture(steps)
    lean = Capture(FrameChecker(state=SessionState(meter_series=False)))
    lean.adopt(script_messages(steps, station="CP1", connection="c1"))
    while lean.annotate(1.0):
        pass
    tx, lean_tx = (c.state.stations["CP1"].transactions["T1"] for c in (full, lean))
    assert tx.meter and not lean_tx.meter
    assert (lean_tx.highest_seq_no, lean_tx.missing_seq_nos, lean_tx.evse_id,
            lean_tx.record_seqs) == (2, [1], 1, tx.record_seqs)
    assert [(seq, lean.annotation(seq).findings) for seq in range(1, len(steps) + 1)] == \
        [(seq, full.annotation(seq).findings) for seq in range(1, len(steps) + 1)]


def test_seq_nos_out_of_order_duplicated_and_missing():
    capture = judged_capture([
        *boot(),
        *tx_event("a", "Started", "T1", 0),
        *tx_event("b", "Updated", "T1", 3),
        *tx_event("c", "Updated", "T1", 1),
        *tx_event("d", "Updated", "T1", 1),
        *tx_event("d", "Updated", "T1", 1)[:1],   # re-sent with the same id, unanswered
        *tx_event("e", "Ended", "T1", 4)])
    tx = capture.state.stations["CP1"].transactions["T1"]
    assert tx.missing_seq_nos == [2]
    assert sorted(set(tx.seq_nos)) == [0, 1, 3, 4]
    assert tx.ended is not None


def test_a_notify_report_with_a_missing_part_is_flagged_on_its_last_part():
    def part(message_id, seq_no, tbc, name):
        return (UP, [2, message_id, "NotifyReport", {
            "requestId": 4, "generatedAt": NOW, "seqNo": seq_no, "tbc": tbc,
            "reportData": [{"component": {"name": "OCPPCommCtrlr"},
                            "variable": {"name": name},
                            "variableAttribute": [{"value": "60",
                                                   "mutability": "ReadWrite"}]}]}])

    capture = judged_capture([*boot(), part("n0", 0, True, "HeartbeatInterval"),
                              (DOWN, [3, "n0", {}]), part("n2", 2, False, "RetryBackOff"),
                              (DOWN, [3, "n2", {}])])
    model = capture.state.stations["CP1"].device_model
    assert len(model) == 2 and model.reports[4].missing == [1]
    assert "state.report-part-missing" in codes(capture, 5)
    assert "state.report-part-missing" not in codes(capture, 3)
    finding = next(f for f in capture.annotation(5).findings
                   if f.code == "state.report-part-missing")
    assert finding.severity is Severity.WARNING and "1 never came" in finding.message


def test_get_and_set_variables_update_the_device_model():
    component, variable = {"name": "OCPPCommCtrlr"}, {"name": "HeartbeatInterval"}
    capture = judged_capture([
        *boot(),
        (DOWN, [2, "g", "GetVariables", {"getVariableData": [
            {"component": component, "variable": variable}]}]),
        (UP, [3, "g", {"getVariableResult": [{
            "attributeStatus": "Accepted", "attributeValue": "60",
            "component": component, "variable": variable}]}]),
        (DOWN, [2, "s", "SetVariables", {"setVariableData": [
            {"attributeValue": "120", "component": component, "variable": variable}]}]),
        (UP, [3, "s", {"setVariableResult": [{
            "attributeStatus": "Accepted", "component": component, "variable": variable}]}]),
        (UP, [2, "m", "NotifyMonitoringReport", {
            "requestId": 2, "seqNo": 0, "generatedAt": NOW, "monitor": [{
                "component": component, "variable": variable, "variableMonitoring": [
                    {"id": 1, "transaction": False, "value": 5, "type": "Delta",
                     "severity": 8}]}]}])])
    [found] = capture.state.stations["CP1"].device_model.variables.values()
    assert found.attributes["Actual"].value == "120"
    assert [m["id"] for m in found.monitors] == [1]


def test_unanswered_calls_are_bounded_and_dropped_when_the_connection_closes():
    state = SessionState()
    for n in range(MAX_PENDING + 10):
        apply_frame(state, seq=n + 1, time=1.0, connection="c1", station="CP1",
                    direction=DOWN, frame=Call(str(n), "ReserveNow", {"id": n}),
                    action="ReserveNow")
    assert len(state.pending["c1"]) == MAX_PENDING
    apply_event(state, make_message(99, kind=RecordKind.CLOSED, meta={"code": 1000}))
    assert "c1" not in state.pending


@pytest.mark.parametrize("payload", [
    None, [], {"transactionInfo": "x"}, {"transactionInfo": {"transactionId": 5}},
    {"evseId": {"a": 1}, "meterValue": "no"}, {"reportData": [1, None, {"component": 3}]},
    {"chargingProfile": [None]}, {"connectorStatus": 4, "evseId": "1"},
])
def test_odd_payloads_never_raise_nor_make_internal_errors(payload):
    state = SessionState()
    for seq, action in enumerate(catalog.ACTIONS, start=1):
        found = apply_frame(state, seq=2 * seq, time=1.0, connection="c", station="CP",
                            direction=UP, frame=Call(str(seq), action, payload),
                            action=action)
        found += apply_frame(state, seq=2 * seq + 1, time=1.0, connection="c", station="CP",
                             direction=DOWN, frame=CallResult(str(seq), payload),
                             action=action, call_seq=2 * seq)
        assert "internal.error" not in [f.code for f in found]


def _charge_for_long(capture, rounds):
    """A live session fed to `capture`: reconnects, short transactions on EVSE 2, and one
    endless transaction T1 on EVSE 1 with status changes, security events, meter values
    and Updated events whose seqNo grows."""
    from app.ocpp.conversation import Direction

    def exchange(ident, action, payload, answer=None):
        capture.frame("c1", "CP1", Direction.STATION_TO_CSMS,
                      json.dumps([2, ident, action, payload]))
        capture.frame("c1", "CP1", Direction.CSMS_TO_STATION,
                      json.dumps([3, ident, answer or {}]))

    def event(ident, kind, transaction, seq_no, evse, state="Charging"):
        exchange(ident, "TransactionEvent", {
            "eventType": kind, "timestamp": NOW, "triggerReason": "MeterValuePeriodic",
            "seqNo": seq_no, "evse": {"id": evse, "connectorId": 1},
            "transactionInfo": {"transactionId": transaction, "chargingState": state},
            "meterValue": [{"timestamp": NOW, "sampledValue": [{"value": seq_no * 10.0}]}]})

    capture.event(RecordKind.OPENED, "c1", "CP1", {"subprotocol": "ocpp2.0.1"})
    exchange("b", "BootNotification", {"reason": "PowerUp", "chargingStation": {
        "model": "M", "vendorName": "V"}}, {"currentTime": NOW, "interval": 300,
                                            "status": "Accepted"})
    event("s", "Started", "T1", 0, 1)
    for n in range(1, rounds + 1):
        status = "Occupied" if n % 2 else "Reserved"
        exchange(f"n{n}", "StatusNotification", {"timestamp": NOW, "connectorStatus": status,
                                                 "evseId": 1, "connectorId": 1})
        exchange(f"e{n}", "SecurityEventNotification", {"type": "T", "timestamp": NOW})
        exchange(f"m{n}", "MeterValues", {"evseId": 1, "meterValue": [
            {"timestamp": NOW, "sampledValue": [{"value": 1.0}, {"value": 2.0}]}]})
        event(f"u{n}", "Updated", "T1", n, 1, "SuspendedEV" if n % 2 else "Charging")
        if n % 10 == 0:
            event(f"x{n}", "Started", f"short{n}", 0, 2)
            event(f"y{n}", "Ended", f"short{n}", 1, 2)
            capture.event(RecordKind.CLOSED, "c1", "CP1", {"code": 1006, "by": "station"})
            capture.event(RecordKind.OPENED, "c1", "CP1", {"subprotocol": "ocpp2.0.1"})


def test_a_forgetting_capture_keeps_the_facts_and_its_lists_within_their_bounds():
    from app.session.capture import Capture
    from app.state.model import HEADLESS

    capture = Capture(keep=False)
    assert capture.state.limit is HEADLESS
    _charge_for_long(capture, 300)
    station = capture.state.stations["CP1"]
    assert station.registration == "Accepted" and station.interval == 300
    assert station.connected and station.evses[1].transaction_id == "T1"
    tx = station.transactions["T1"]
    assert tx.running and tx.highest_seq_no == 300 and tx.lowest_seq_no == 0
    assert tx.id_token is None and tx.missing_seq_nos == []
    assert tx.seq_nos[-1] == 300 and tx.meter[-1].value == 3000.0
    assert tx.charging_states[-1].value == "Charging"
    connector = station.evses[1].connectors[1]
    assert connector.status == "Occupied"  # the last Updated event shows a cable
    bound = HEADLESS.entries
    for entries in (tx.seq_nos, tx.record_seqs, tx.trigger_reasons, tx.charging_states,
                    connector.history, station.security_events, station.connections):
        assert 0 < len(entries) <= bound
    assert len(tx.meter) == HEADLESS.meter_samples
    ended = [t for t in station.transactions.values() if not t.running]
    assert len(ended) == HEADLESS.ended_transactions
    assert ended[-1].transaction_id == "short300"
    assert capture.state.pending == {}


def test_a_state_keeps_its_whole_history_by_default():
    from app.ocpp.checker import FrameChecker
    from app.session.capture import Capture

    assert SessionState().limit is None and FrameChecker().state.limit is None
    capture = Capture()
    assert capture.state.limit is None
    _charge_for_long(capture, 40)
    station = capture.state.stations["CP1"]
    tx = station.transactions["T1"]
    assert tx.seq_nos == list(range(41))
    assert len(tx.trigger_reasons) == 41 and len(tx.meter) == 41 + 2 * 40
    assert len(station.security_events) == 40 and len(station.connections) == 5
    assert len(station.evses[1].connectors[1].history) > 40  # and Occupied by events
    assert len([t for t in station.transactions.values() if not t.running]) == 4


def test_a_seq_no_leaping_to_two_billion_lists_a_bounded_number_of_holes():
    from app.state.transactions import MAX_MISSING_LISTED

    capture = judged_capture([*boot(), *tx_event("1", "Started", "T1", 0),
                              *tx_event("2", "Updated", "T1", 2**31 - 1),
                              *tx_event("3", "Updated", "T1", 2**31 - 5)])
    tx = capture.state.stations["CP1"].transactions["T1"]
    assert len(tx.missing_seq_nos) == MAX_MISSING_LISTED - 1
    assert tx.missing_seq_nos[-1] == 2**31 - 2 and 2**31 - 5 not in tx.missing_seq_nos
    assert tx.highest_seq_no == 2**31 - 1


def test_an_answer_long_after_its_call_still_joins_the_transaction():
    def meter(n):
        return [(UP, [2, f"m{n}", "MeterValues", {"evseId": 1, "meterValue": [{
                    "timestamp": NOW, "sampledValue": [{"value": n}]}]}]),
                (DOWN, [3, f"m{n}", {}])]

    capture = judged_capture([
        *boot(), *tx_event("t1", "Started", "T1", 0),
        (DOWN, [2, "q", "GetTransactionStatus", {"transactionId": "T1"}]),
        *[record for n in range(10) for record in meter(n)],
        (UP, [3, "q", {"messagesInQueue": False}])])
    tx = capture.state.stations["CP1"].transactions["T1"]
    status = capture.messages[-1]
    assert tx.record_seqs[-1] == status.seq  # its CALL is 20 records back in the list
    assert tx.record_seqs == sorted(tx.record_seqs)


# --- a state kept for verdicts only: the same verdicts as a whole state --------------------

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "smart-charging.jsonl"


def judge_both(frames):
    """Judge `frames` ((direction, frame as a list or text), station) with a whole state
    and with one kept for verdicts only; the findings of each frame, and both states."""
    whole = FrameChecker(state=SessionState())
    lean = FrameChecker(state=SessionState(verdicts_only=True))
    verdicts = ([], [])
    for seq, (direction, frame, station) in enumerate(frames, start=1):
        text = frame if isinstance(frame, str) else json.dumps(frame)
        for checker, found in zip((whole, lean), verdicts, strict=True):
            verdict = checker.check(text, connection=f"{station}#1", direction=direction,
                                    seq=seq, time=START + seq, station=station,
                                    wall=START + seq)
            found.append([(f.code, f.severity, f.message, f.path) for f in verdict.findings])
    return verdicts, whole.state, lean.state


def facts(station: StationState):
    """What the session rules read of a station's state."""
    return (station.registration, station.interval, station.frames, station.invalid,
            {key: (tx.lowest_seq_no, tx.highest_seq_no, tx.ended is None, tx.evse_id)
             for key, tx in station.transactions.items()},
            {key: evse.transaction_id for key, evse in station.evses.items()
             if evse.transaction_id is not None},
            {key: (report.seq_nos, report.complete)
             for key, report in station.device_model.reports.items()})


def assert_same_verdicts(frames):
    (whole, lean), whole_state, lean_state = judge_both(frames)
    assert lean == whole
    assert {k: facts(s) for k, s in lean_state.stations.items()} == {
        k: facts(s) for k, s in whole_state.stations.items()}
    assert lean_state.pending == {}
    return whole


def test_the_example_session_gets_the_same_verdicts_and_no_history():
    frames = []
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines()[1:]:
        record = json.loads(line)
        if record.get("kind") == "frame":
            direction = UP if record["dir"] == "station_to_csms" else DOWN
            frames.append((direction, record["text"], record["station"]))
    assert_same_verdicts(frames)
    _, whole, lean = judge_both(frames)
    lean_tx = next(iter(lean.stations["DEMO-CP-01"].transactions.values()))
    whole_tx = next(iter(whole.stations["DEMO-CP-01"].transactions.values()))
    assert len(whole_tx.meter) > 0 and len(whole_tx.record_seqs) > 0
    assert lean_tx.meter == [] and lean_tx.record_seqs == [] and lean_tx.seq_nos == []


def test_seq_no_gaps_repeats_restarts_overlaps_and_events_after_the_end_are_all_found():
    steps = [*boot(), *tx_event("1", "Started", "T1", 0), *tx_event("2", "Updated", "T1", 2),
             *tx_event("3", "Updated", "T1", 2), *tx_event("4", "Updated", "T1", 1),
             *tx_event("5", "Started", "T2", 0),  # on EVSE 1 while T1 runs there
             *tx_event("6", "Started", "T1", 0), *tx_event("7", "Ended", "T1", 1),
             *tx_event("8", "Updated", "T1", 2), *tx_event("9", "Ended", "T2", 5, evse=None),
             *boot("b2", "Pending"), (UP, [2, "h", "Heartbeat", {}])]
    whole = assert_same_verdicts([(side, frame, "CP1") for side, frame in steps])
    codes = {code for found in whole for code, *_ in found}
    assert {"rule.seqno-gap", "rule.seqno-repeat", "rule.seqno-order", "rule.tx-overlap",
            "rule.tx-started-twice", "rule.tx-after-ended"} <= codes


def test_a_report_with_a_missing_part_is_found_with_either_state():
    report = {"requestId": 4, "generatedAt": NOW, "reportData": []}
    frames = [(UP, [2, "r0", "NotifyReport", {**report, "seqNo": 0, "tbc": True}], "CP1"),
              (UP, [2, "r2", "NotifyReport", {**report, "seqNo": 2}], "CP1")]
    whole = assert_same_verdicts(frames)
    assert "state.report-part-missing" in [code for code, *_ in whole[1]]


_odd = st.one_of(st.none(), st.booleans(), st.text(max_size=3), st.floats(),
                 st.integers(-2, 2**64), st.lists(st.integers(), max_size=1))
_event = st.fixed_dictionaries({}, optional={
    "eventType": st.one_of(st.sampled_from(["Started", "Updated", "Ended"]), _odd),
    "timestamp": st.one_of(st.just(NOW), _odd),
    "triggerReason": st.one_of(st.just("Authorized"), _odd),
    "seqNo": st.one_of(st.integers(-1, 6), _odd),
    "transactionInfo": st.one_of(st.fixed_dictionaries(
        {"transactionId": st.one_of(st.sampled_from(["T1", "T2"]), _odd)},
        optional={"chargingState": st.one_of(st.just("Charging"), _odd)}), _odd),
    "evse": st.one_of(st.fixed_dictionaries({}, optional={
        "id": st.one_of(st.integers(0, 2), _odd),
        "connectorId": st.one_of(st.integers(1, 2), _odd)}), _odd)})


@st.composite
def _frames(draw):
    frames = []
    for n, (station, payload) in enumerate(draw(st.lists(
            st.tuples(st.sampled_from(["CP1", "CP2"]), _event), max_size=14))):
        frames.append((UP, [2, f"e{n}", "TransactionEvent", payload], station))
        if draw(st.booleans()):
            frames.append((DOWN, [3, f"e{n}", {}], station))
    return frames


@settings(max_examples=150, deadline=None)
@given(_frames())
def test_any_run_of_transaction_events_gets_the_same_verdicts(frames):
    assert_same_verdicts(frames)


def test_a_heartbeat_interval_no_float_holds_is_no_interval_and_no_internal_error():
    capture = judged_capture([*boot(interval=10 ** 400), (UP, [2, "h1", "Heartbeat", {}])])
    assert capture.state.stations["CP1"].interval is None
    assert not any(code.startswith("internal") for seq in (1, 2, 3)
                   for code in codes(capture, seq))
