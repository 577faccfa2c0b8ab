"""Stepping through a loaded session: the play-head is the selected record, the filter is
respected, playing moves on by itself, and the stations panel shows the state as of the head
until playback is left."""

import pytest
from PySide6.QtCore import Qt

from app.ocpp.conversation import Direction
from app.session.message import Message, RecordKind, frame_message
from tests.factories import write_session
from tests.widgets.conftest import open_judged, run_until
from widgets.stations_panel import STATE, STATION

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
START = 1.7e9

# position: what happens (seq = position + 1, one second apart unless said)
OPENED, BOOT, PENDING, BOOT_AGAIN, ACCEPTED, BEAT, BEAT_ANSWER, CLOSED, OTHER = range(9)


def write_story(path, gap_before_close: float = 0.0) -> None:
    """CP1 connects, is told Pending, boots again and is Accepted, beats, and closes; CP2
    only connects, last."""
    def frame(position: int, text: str, direction: Direction) -> Message:
        return frame_message(position + 1, text, connection="c1", station="CP1",
                             direction=direction, time=START + position, monotonic=position)

    def event(position: int, kind: RecordKind, station: str, meta: dict,
              extra: float = 0.0) -> Message:
        return Message(position + 1, START + position + extra, position + extra,
                       f"c-{station}", station, None, kind, meta=meta)

    boot = ('[2,"{id}","BootNotification",{{"reason":"PowerUp","chargingStation":'
            '{{"model":"AC22","vendorName":"Voltra"}}}}]')
    answer = '[3,"{id}",{{"currentTime":"2024-01-01T00:00:00Z","interval":300,"status":"{s}"}}]'
    records = [
        event(OPENED, RecordKind.OPENED, "CP1", {"subprotocol": "ocpp2.0.1"}),
        frame(BOOT, boot.format(id="b1"), UP),
        frame(PENDING, answer.format(id="b1", s="Pending"), DOWN),
        frame(BOOT_AGAIN, boot.format(id="b2"), UP),
        frame(ACCEPTED, answer.format(id="b2", s="Accepted"), DOWN),
        frame(BEAT, '[2,"h1","Heartbeat",{}]', UP),
        frame(BEAT_ANSWER, '[3,"h1",{"currentTime":"2024-01-01T00:00:05Z"}]', DOWN),
        event(CLOSED, RecordKind.CLOSED, "CP1", {"code": 1000, "by": "station"},
              gap_before_close),
        event(OTHER, RecordKind.OPENED, "CP2", {"subprotocol": "ocpp2.0.1"},
              gap_before_close),
    ]
    write_session(path, records)


@pytest.fixture
def loaded(window, qtbot, tmp_path):
    path = tmp_path / "playback.jsonl"
    write_story(path)
    open_judged(window, qtbot, path)
    return window


def station_state(window, name: str) -> str | None:
    table = window.stations.table
    for row in range(table.rowCount()):
        if table.item(row, STATION).text() == name:
            return table.item(row, STATE).text()
    return None


def selected_position(window) -> int:
    return window.model.rows[window.table.currentIndex().row()]


def test_next_and_previous_move_the_head_and_the_selection(loaded):
    playback = loaded.playback
    assert loaded.playback.bar.isVisible() and not playback.active
    playback.next()   # entering: the head starts on the first record shown
    assert playback.head == OPENED == selected_position(loaded)
    playback.next()
    playback.next()
    assert playback.head == PENDING == selected_position(loaded)
    playback.previous()
    assert playback.head == BOOT == selected_position(loaded)
    assert playback.bar.position.text().startswith("record 2 of 9 · ")
    assert "(+00:00:01)" in playback.bar.position.text()
    assert playback.bar.slider.value() == BOOT


def test_the_keyboard_steps_from_the_timeline(loaded, qtbot):
    loaded.table.setFocus()
    loaded.select_row(BEAT)
    qtbot.keyClick(loaded.table, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert loaded.playback.head == BEAT   # entering: on the selected record
    qtbot.keyClick(loaded.table, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert loaded.playback.head == BEAT_ANSWER
    qtbot.keyClick(loaded.table, Qt.Key.Key_Escape)
    assert not loaded.playback.active


def test_rows_after_the_head_are_dimmed(loaded):
    loaded.playback.next()
    assert loaded.model.head == OPENED
    loaded.playback.leave()
    assert loaded.model.head is None


def test_a_filter_makes_next_skip_the_records_it_hides(loaded, loop):
    loaded.playback.first()
    loaded.filter_bar.up.setChecked(True)   # only what stations sent
    run_until(loop, lambda: loaded.model.rowCount() == 3)
    loaded.playback.next()
    assert loaded.playback.head == BOOT
    loaded.playback.next()
    assert loaded.playback.head == BOOT_AGAIN == selected_position(loaded)
    loaded.playback.next()
    assert loaded.playback.head == BEAT
    loaded.playback.next()   # nothing shown after it: the head stays
    assert loaded.playback.head == BEAT


def test_a_filter_set_before_playback_starts_leaves_playback_available(loaded, qtbot):
    with qtbot.waitSignal(loaded.filtered, timeout=10000):
        loaded.filter_bar.up.setChecked(True)   # only what stations sent
    assert loaded.model.rowCount() == 3
    assert loaded.playback.next_action.isEnabled()
    assert "checked" not in loaded.playback.bar.position.text()
    loaded.playback.next()
    assert loaded.playback.head == BOOT == selected_position(loaded)


def test_a_far_jump_is_worked_out_in_slices_while_the_window_stays_live(loaded, qtbot,
                                                                       monkeypatch):
    monkeypatch.setattr("widgets.playback.STATE_SLICE_S", 0.0)   # a record a slice
    playback = loaded.playback
    states = []
    playback.state_changed.connect(states.append)
    playback.last()   # the head is there at once, its state a slice at a time
    assert playback.head == OTHER == selected_position(loaded)
    assert states == [] and "working out the state" in playback.bar.position.text()
    qtbot.waitUntil(lambda: len(states) == 1)
    assert set(states[0].stations) == {"CP1", "CP2"}
    assert "working out" not in playback.bar.position.text()


def test_the_stations_panel_shows_the_state_as_of_the_head(loaded):
    playback = loaded.playback
    assert station_state(loaded, "CP1").startswith("disconnected")   # the end of the file
    playback.move_to(BOOT)
    assert station_state(loaded, "CP1") == "connected"
    assert station_state(loaded, "CP2") is None   # not seen yet
    playback.move_to(PENDING)
    assert station_state(loaded, "CP1") == "registration Pending"
    playback.move_to(BEAT_ANSWER)
    assert station_state(loaded, "CP1") == "booted"   # connected, boot accepted
    playback.next()
    assert playback.head == CLOSED
    assert station_state(loaded, "CP1") == "disconnected (1000 by station)"


def test_stepping_back_rebuilds_the_earlier_picture(loaded):
    playback = loaded.playback
    playback.last()
    assert station_state(loaded, "CP2") == "connected"
    playback.move_to(PENDING)
    assert station_state(loaded, "CP1") == "registration Pending"
    assert station_state(loaded, "CP2") is None
    assert loaded.stations.table.rowCount() == 1


def test_leaving_playback_gives_every_view_the_end_of_the_session(loaded, qtbot):
    loaded.playback.move_to(BOOT)
    with qtbot.waitSignal(loaded.state_changed) as shown:
        loaded.playback.leave_action.trigger()
    assert shown.args[0] is loaded.state
    assert station_state(loaded, "CP1").startswith("disconnected")
    assert station_state(loaded, "CP2") == "connected"
    assert "end of the session" in loaded.playback.bar.position.text()
    assert not loaded.playback.leave_action.isEnabled()


def test_playing_advances_through_the_records_to_the_end(loaded, qtbot):
    playback = loaded.playback
    playback.bar.speed.setCurrentText("×100")
    playback.first()
    playback.toggle_play()
    assert playback.playing and "playing ×100" in playback.bar.position.text()
    qtbot.waitUntil(lambda: playback.head == OTHER, timeout=5000)
    qtbot.waitUntil(lambda: not playback.playing, timeout=1000)
    assert selected_position(loaded) == OTHER
    assert station_state(loaded, "CP2") == "connected"


def test_a_long_quiet_stretch_is_shortened_and_the_label_says_so(window, qtbot, tmp_path):
    path = tmp_path / "quiet.jsonl"
    write_story(path, gap_before_close=600.0)
    open_judged(window, qtbot, path)
    playback = window.playback
    playback.move_to(BEAT_ANSWER)
    playback.toggle_play()   # as recorded: ten minutes of silence ahead
    assert "10.0 min gap shortened to 1 s" in playback.bar.position.text()
    qtbot.waitUntil(lambda: playback.head == CLOSED, timeout=5000)
    playback.pause()


def test_playback_is_off_for_a_live_run(window, loop):
    window.start_demo()
    run_until(loop, lambda: window.model.rowCount() > 5, timeout=30)
    playback = window.playback
    assert not playback.bar.isVisible()
    assert not playback.next_action.isEnabled() and not playback.play_action.isEnabled()
    playback.next()
    playback.toggle_play()
    assert not playback.active and window.model.head is None


def test_the_slider_and_a_row_picked_in_the_timeline_move_the_head(loaded):
    playback = loaded.playback
    assert playback.bar.slider.value() == playback.bar.slider.maximum()   # off: the end
    playback.bar.slider.setValue(PENDING)
    assert playback.active and playback.head == PENDING == selected_position(loaded)
    assert station_state(loaded, "CP1") == "registration Pending"
    loaded.select_row(ACCEPTED)
    assert playback.head == ACCEPTED and playback.bar.slider.value() == ACCEPTED
    assert station_state(loaded, "CP1") == "booted"
