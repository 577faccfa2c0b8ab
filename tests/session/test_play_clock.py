import pytest

from app.session.play_clock import PlayClock, Wait, offset_text


def test_the_clock_runs_at_its_speed_from_where_it_was_started():
    clock = PlayClock(10)
    clock.start(recorded=1000.0, real=50.0)
    assert clock.recorded_now(50.5) == pytest.approx(1005.0)
    assert clock.wait_for(1012.0, real=50.5) == Wait(pytest.approx(0.7))


def test_a_record_already_due_is_waited_for_no_time():
    clock = PlayClock(1)
    clock.start(recorded=10.0, real=0.0)
    assert clock.wait_for(10.5, real=2.0) == Wait(0.0)


def test_a_long_quiet_stretch_is_shortened_and_the_clock_jumps_over_it():
    clock = PlayClock(1, longest_wait=3.0, shortened_to=1.0)
    clock.start(recorded=0.0, real=0.0)
    wait = clock.wait_for(600.0, real=0.0)
    assert wait.seconds == 1.0 and wait.shortened_from == pytest.approx(600.0)
    assert clock.recorded_now(1.0) == pytest.approx(600.0)  # due when the wait ends


def test_as_fast_as_possible_is_a_fixed_pace_per_record():
    clock = PlayClock(None, pace=0.02)
    clock.start(recorded=0.0, real=0.0)
    assert clock.wait_for(3600.0, real=5.0) == Wait(0.02)


@pytest.mark.parametrize(("seconds", "text"), [(0, "+00:00:00"), (151.9, "+00:02:31"),
                                               (3600 * 101 + 61, "+101:01:01")])
def test_offsets_read_as_hours_minutes_seconds(seconds, text):
    assert offset_text(seconds) == text
