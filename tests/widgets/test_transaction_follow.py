"""Following a transaction in the timeline: the frame context menu's action is live only on
a frame of a transaction, and following filters the timeline to exactly its records until
the chip is cleared."""

from app.state.model import SessionState, StationState, TransactionState
from tests.widgets.conftest import run_until
from tests.widgets.test_filter_bar import open_session


def session_state(seqs):
    transaction = TransactionState("1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b9999", "CP1",
                                   record_seqs=list(seqs))
    return SessionState(stations={"CP1": StationState(
        station="CP1", transactions={transaction.transaction_id: transaction})})


def shown_seqs(window):
    return [window.model.message_at(r).seq for r in range(window.model.rowCount())]


def test_the_context_menu_follows_the_transaction_of_the_selected_frame(window, loop, qtbot,
                                                                        tmp_path):
    open_session(window, qtbot, tmp_path / "s.jsonl", count=20)
    seqs = [4, 5, 10, 11]
    window.state_source = lambda: session_state(seqs)
    action = window.transaction_follow.action
    assert action in window.table.actions()
    window.select_seq(7)
    assert not action.isEnabled()
    window.select_seq(10)
    assert action.isEnabled() and action.text() == "Follow transaction 1a2b3c4d…9999"
    action.trigger()
    run_until(loop, lambda: window.model.rowCount() == 4)
    assert shown_seqs(window) == seqs
    assert window.filter_bar.chip.text() == "Transaction 1a2b3c4d…9999 ✕"
    assert window.detail.message.seq == 10          # the frame stays selected
    window.filter_bar.chip.click()
    run_until(loop, lambda: window.model.rowCount() == 40)


def test_a_transaction_picked_elsewhere_is_followed_on_the_timeline_tab(window, loop, qtbot,
                                                                        tmp_path):
    open_session(window, qtbot, tmp_path / "s.jsonl", count=10)
    window.show_tab(window.workbench.composer_tab)
    window.transaction_follow.follow("TX-77", [2, 3])
    run_until(loop, lambda: window.model.rowCount() == 2)
    assert window.workbench.currentIndex() == window.workbench.timeline_tab
    assert shown_seqs(window) == [2, 3]
