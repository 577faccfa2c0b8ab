"""The compact logs of a transaction: they read, change and compare as the lists they
replace, hold what a column cannot as a list, and keep their name tables bounded."""

import copy
import pickle

from app.state.entries import Change, MeterSample
from app.state.history import keep_last
from app.state.logs import ChangeLog, IntLog, MeterLog
from app.state.model import TransactionState


def samples() -> list[MeterSample]:
    return [MeterSample(1.7e9, 5, "Energy.Active.Import.Register", 1200.0, "Wh"),
            MeterSample(1.7e9, 5, "Current.Import", 16.0, "A", "L1", "Sample.Periodic",
                        "Outlet"),
            MeterSample(1.7e9 + 60, 9, "Energy.Active.Import.Register", 1450.5, "Wh")]


def test_a_meter_log_gives_back_the_samples_it_was_given():
    log = MeterLog(samples())
    assert log == samples() and list(log) == samples() and log[1] == samples()[1]
    assert log[-1].value == 1450.5 and log[:2] == samples()[:2] and len(log) == 3
    assert log.memory() >= 3 * 22 and log._list is None  # in columns, not objects


def test_adding_a_sample_by_its_parts_equals_appending_it():
    by_parts, by_sample = MeterLog(), MeterLog()
    for sample in samples():
        by_parts.add(sample.time, sample.seq, sample.measurand, sample.value, sample.unit,
                     sample.phase, sample.context, sample.location)
        by_sample.append(sample)
    assert by_parts == by_sample == samples()


def test_a_sample_no_column_can_hold_turns_the_log_into_a_list_losing_nothing():
    odd = MeterSample(float("inf"), 1, "Power.Active.Import", "7", "W")  # type: ignore[arg-type]
    log = MeterLog(samples())
    log.append(odd)
    log.add(1.0, 2**70, "SoC", 50.0, "Percent", None, None, None)
    assert list(log) == [*samples(), odd, MeterSample(1.0, 2**70, "SoC", 50.0, "Percent")]


def test_int_log_reads_slices_and_bisects_like_a_list():
    log = IntLog([3, 4, 9, 10])
    assert log == [3, 4, 9, 10] and log[-2:] == [9, 10] and 9 in log and 5 not in log
    assert log[0] == 3 and list(log) == [3, 4, 9, 10]
    log.append(2**64)  # a peer's seqNo beyond 64 bits
    assert log == [3, 4, 9, 10, 2**64]


def test_keeping_the_last_entries_drops_the_oldest_of_each_log():
    seqs = IntLog(range(10))
    keep_last(seqs, 3)
    meter = MeterLog(samples())
    keep_last(meter, 1)
    assert seqs == [7, 8, 9] and meter == samples()[-1:]
    seqs.clear()
    assert seqs == [] and len(seqs) == 0


def test_change_log_keeps_a_bounded_table_of_names_under_a_history_limit():
    log = ChangeLog()
    for number in range(10_000):  # a peer with a new trigger in every event
        log.append(Change(float(number), number, f"Updated: Trigger{number}",
                          "TransactionEvent"))
        keep_last(log, 16)
    assert [c.seq for c in log] == list(range(9984, 10_000))
    assert log[-1] == Change(9999.0, 9999, "Updated: Trigger9999", "TransactionEvent")
    assert len(log._names.values) <= 2 * 16 + 64 + 1


def test_a_change_with_odd_values_is_kept_as_given():
    odd = Change(None, None, 42)  # type: ignore[arg-type]
    log = ChangeLog([Change(1.0, 1, "Charging", "TransactionEvent"), odd])
    assert log[1] is odd and log[0].value == "Charging"


def test_a_transaction_made_with_lists_holds_logs_equal_to_them():
    tx = TransactionState("T1", "CP1", record_seqs=[3, 4], seq_nos=[0, 1], meter=samples(),
                          trigger_reasons=[Change(1.0, 3, "Started: Authorized")])
    assert isinstance(tx.record_seqs, IntLog) and isinstance(tx.meter, MeterLog)
    assert tx.record_seqs == [3, 4] and tx.meter == samples()
    assert tx == TransactionState("T1", "CP1", record_seqs=IntLog([3, 4]), seq_nos=[0, 1],
                                  meter=MeterLog(samples()),
                                  trigger_reasons=[Change(1.0, 3, "Started: Authorized")])


def test_logs_survive_pickling_and_deep_copies():
    tx = TransactionState("T1", "CP1", record_seqs=[3, 4], meter=samples(),
                          charging_states=[Change(1.0, 3, "Charging", "TransactionEvent")])
    for copied in (pickle.loads(pickle.dumps(tx)), copy.deepcopy(tx)):
        assert copied == tx
        copied.meter.append(samples()[0])
        assert len(tx.meter) == 3


def test_a_seq_no_below_zero_or_beyond_32_bits_widens_its_column_keeping_the_rest():
    seq_nos = IntLog([0, 1, 2])
    seq_nos.append(-1)
    seq_nos.insert(0, 2**40)
    assert seq_nos == [2**40, 0, 1, 2, -1] and seq_nos._list is None
    meter = MeterLog(samples())
    meter.add(1.0, 2**33, "SoC", 50.0, "Percent", None, None, None)
    assert meter[-1].seq == 2**33 and meter[:3] == samples()
