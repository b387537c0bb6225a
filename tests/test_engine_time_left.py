"""The time left on a clock from its deadline (``time_left``), checked with hypothesis
against what :func:`clock_state` says after walking the clock from its start: the list
of tickets reads it from the stored deadline."""

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from test_engine_properties import PROFILE, instants, schedules
from test_engine_warning import outcome, pauses_around, targets

from support_sla.engine import Schedule, clock_state, time_left


@PROFILE
@given(schedules(), instants, targets, st.data())
def test_time_left_from_the_deadline_is_the_clocks_remaining_time(schedule, start, minutes, data):
    pauses = data.draw(pauses_around(start))
    at = start + timedelta(minutes=data.draw(st.integers(-60, 10 * 24 * 60)))
    completed = None
    if data.draw(st.booleans()):
        completed = start + timedelta(minutes=data.draw(st.integers(0, 10 * 24 * 60)))
    state = outcome(
        lambda: clock_state(schedule, start, minutes, at=at, pauses=pauses, completed=completed)
    )
    if isinstance(state, tuple):
        return  # refused inputs: nothing to read the time left from
    until = completed or max(at, start)
    assert time_left(schedule, state.deadline, until, pauses) == state.remaining_seconds


def test_a_pause_after_the_deadline_does_not_count_in_the_overrun():
    schedule = Schedule.twenty_four_seven("UTC")
    start = datetime(2025, 6, 2, 9, 0, tzinfo=timezone.utc)
    pause = (start + timedelta(hours=2), start + timedelta(hours=3))
    at = start + timedelta(hours=5)
    state = clock_state(schedule, start, 60, at=at, pauses=[pause])
    assert state.remaining_seconds == -3 * 3600
    assert time_left(schedule, state.deadline, at, [pause]) == -3 * 3600
    assert time_left(schedule, state.deadline, at) == -4 * 3600
