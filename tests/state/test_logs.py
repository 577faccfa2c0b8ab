"""The compact logs of a transaction: they read, change and compare as the lists they
replace, hold what a column cannot as a list, and keep their name tables bounded."""

import copy
import pickle
from bisect import bisect_left

import pytest

from app.state.entries import Change, MeterSample
from app.state.history import keep_last
from app.state.logs import ChangeLog, IntLog, MeterLog, _ColumnLog
from app.state.model import DEFAULT_MEASURAND, TransactionState


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


def add_parts(log: MeterLog, sample: MeterSample) -> None:
    log.add(sample.time, sample.seq, sample.measurand, sample.value, sample.unit,
            sample.phase, sample.context, sample.location)


def test_a_sample_added_by_parts_with_a_value_that_is_no_number_is_kept_whole():
    log = MeterLog(samples())
    odd = MeterSample(1.7e9 + 120, 11, "Energy.Active.Import.Register", "12.5", "Wh")
    add_parts(log, odd)  # a peer's string where a number belongs: no error
    assert len(log) == 4 and list(log) == [*samples(), odd] and log[-1].value == "12.5"
    add_parts(log, samples()[0])
    assert list(log)[-1] == samples()[0] and len(log) == 5


def test_a_row_that_fails_halfway_leaves_every_column_as_it_was():
    log = MeterLog(samples())
    with pytest.raises(TypeError):
        log._append_row((1.7e9, 12, "not a number", 0))
    assert len(log) == 3 and list(log) == samples()
    assert {len(column) for column in log._columns} == {3}


@pytest.mark.parametrize("number", [9007199254740993, -9007199254740993, 2**60 + 1, 2**63 - 1])
def test_an_int_a_double_cannot_hold_exactly_comes_back_unchanged(number):
    log = MeterLog(samples())
    log.append(MeterSample(1.7e9, 12, "Energy.Active.Import.Register", number, "Wh"))
    add_parts(log, MeterSample(number, 13, "Energy.Active.Import.Register", 1.0, "Wh"))
    assert log[3].value == number and log[4].time == number
    changes = ChangeLog([Change(number, 1, "Charging", "CablePluggedIn")])
    assert changes[0].time == number


@pytest.mark.parametrize("by_parts", [False, True])
@pytest.mark.parametrize("value", [2**53, -(2**53), -5, 0, 12.75, -0.5, float("inf"),
                                   None, "12", True])
def test_every_value_a_peer_sends_comes_back_as_it_was_sent(value, by_parts):
    log = MeterLog(samples())
    sample = MeterSample(1.7e9, 12, "Energy.Active.Import.Register", value, "Wh")
    if by_parts:
        add_parts(log, sample)
    else:
        log.append(sample)
    back = log[-1]
    assert back == sample and list(log) == [*samples(), sample]
    # an int a double holds exactly may come back as that double; anything else as sent
    assert type(back.value) is type(value) or type(value) is int


class _UnwalkableIntLog(IntLog):
    """An IntLog that fails if anyone walks it item by item."""

    __slots__ = ()

    def __iter__(self):
        raise AssertionError("membership walked the log item by item")


def test_int_log_membership_asks_its_column():
    log = _UnwalkableIntLog([5, 9, 2**40, -1])
    assert 9 in log and 2**40 in log and -1 in log and 7 not in log
    assert "9" not in log and None not in log and 9.0 in log  # as a list answers
    listed = IntLog([5, 2**70])  # a value beyond 64 bits: kept as a list
    assert 2**70 in listed and 5 in listed and 6 not in listed


# --- the tracker's quick appends give what the general path gives -------------------------

class _Count(int):
    """An int of another type (an IntEnum-like value): the general path's business."""


_ODD_INTS = [0, 5, 2**32 - 1, 2**32, -1, 2**63 - 1, 2**63, -(2**63) - 1, 2**70, True,
             _Count(7), 3.0, "9", None]


class _Label(str):
    """A str of another type: kept as given, by the general path."""


def test_appending_any_int_to_an_int_log_equals_the_general_path():
    quick, general = IntLog([1, 2]), IntLog([1, 2])
    for value in _ODD_INTS:
        quick.append(value)
        _ColumnLog.append(general, value)
        assert repr(list(quick)) == repr(list(general))
        assert quick._list == general._list and (quick._list is not None or [
            c.typecode for c in quick._columns] == [c.typecode for c in general._columns])


@pytest.mark.parametrize("time", [1.7e9, 5, 2**60 + 1, float("nan"), "soon", None])
@pytest.mark.parametrize("seq", [3, 2**40, -1, 2**70, True])
@pytest.mark.parametrize("value", ["Charging", _Label("Charging"), 7, None])
def test_adding_a_change_by_its_parts_equals_appending_it(time, seq, value):
    by_parts = ChangeLog([Change(1.0, 1, "EVConnected", "TransactionEvent")])
    whole = ChangeLog([Change(1.0, 1, "EVConnected", "TransactionEvent")])
    by_parts.add(time, seq, value, "TransactionEvent")
    whole.append(Change(time, seq, value, "TransactionEvent"))
    assert repr(list(by_parts)) == repr(list(whole)) and len(by_parts) == 2
    assert (by_parts._list is None) == (whole._list is None)


_KINDS = [("Voltage", "V", "L1-N", None, None), (DEFAULT_MEASURAND, "Wh", None, None, None),
          ("SoC", "Percent", None, "Sample.Periodic", "EV")]


@pytest.mark.parametrize("time", [1.7e9, 5, 2**60 + 1, float("inf")])
@pytest.mark.parametrize("seq", [3, 2**40, -1, 2**70])
def test_samples_taken_together_equal_samples_added_one_by_one(time, seq):
    together, one_by_one = MeterLog(samples()), MeterLog(samples())
    values = [230.5, 1200.0, 80.0]
    together.add_taken_together(time, seq, values, _KINDS)
    for value, (measurand, unit, phase, context, location) in zip(values, _KINDS,
                                                                   strict=True):
        one_by_one.add(time, seq, measurand, value, unit, phase, context, location)
    assert repr(list(together)) == repr(list(one_by_one)) and len(together) == 6


def test_samples_taken_together_widen_a_column_that_cannot_hold_them():
    log = MeterLog(samples())
    log.add_taken_together(1.0, 2**33, [1.0, 2.0], _KINDS[:2])
    kinds = [(f"m{n}", "Wh", None, None, None) for n in range(70_000)]  # ids beyond 2 bytes
    log.add_taken_together(2.0, 4, [0.5] * len(kinds), kinds)
    assert log[:3] == samples() and log[3].seq == 2**33 and log[4].value == 2.0
    assert log[-1] == MeterSample(2.0, 4, "m69999", 0.5, "Wh") and len(log) == 70_005
    assert {len(column) for column in log._columns} == {70_005}


@pytest.mark.parametrize("items", [[], [4], list(range(0, 40, 2)), [9, 3, 7, 1],
                                   [1, 2, 2**40, 2**70]])
def test_an_int_log_answers_membership_in_order_as_its_list_would(items):
    log = IntLog(items)
    for value in range(-1, 42):
        tail_or_bisected = value in items[-8:] or (
            (position := bisect_left(items, value)) < len(items)
            and items[position] == value)
        assert log.holds_in_order(value) == tail_or_bisected


def test_the_last_value_of_a_change_log_is_that_of_its_last_change():
    log = ChangeLog()
    assert log.last_value() is None
    log.add(1.0, 1, "EVConnected", "TransactionEvent")
    log.add(2.0, 2, "Charging", "TransactionEvent")
    assert log.last_value() == log[-1].value == "Charging"
    log.append(Change(3.0, 2**70, "SuspendedEV", "TransactionEvent"))  # a list from here
    assert log._list is not None and log.last_value() == "SuspendedEV"
