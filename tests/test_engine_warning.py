"""The deadline and the warning moment of a clock in one walk of the schedule
(``clock_state_and_warning``), checked with hypothesis against the two separate
calls the models made before: ``clock_state``, then ``deadline_with_pauses`` of the
warning's share with the open pauses closed at the evaluation instant."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_engine_properties import PROFILE, instants, schedules

from support_sla.engine import (
    Schedule,
    SlaError,
    clock_state,
    clock_state_and_warning,
    deadline_with_pauses,
)
from support_sla.engine.clock import (
    deadline_with_pauses_ts,
    deadlines_with_pauses_ts,
    normalise_pauses,
)
from support_sla.engine.schedule import to_timestamp

shares = st.sampled_from([0.01, 0.25, 0.5, 0.75, 0.8, 0.9, 0.999, 1.0, 1.5])
targets = st.integers(1, 5 * 24 * 60)  # minutes


@st.composite
def pauses_around(draw, start):
    """Pauses before, across and after ``start``; the last one may be open."""
    result = []
    for _n in range(draw(st.integers(0, 3))):
        begin = start + timedelta(minutes=draw(st.integers(-3 * 60, 7 * 24 * 60)))
        result.append((begin, begin + timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))))
    result.sort()
    if result and draw(st.booleans()):
        result[-1] = (result[-1][0], None)
    return result


def separately(schedule, start, minutes, share, at, pauses, completed):
    """What the models computed before: two walks of the schedule."""
    state = clock_state(schedule, start, minutes, at=at, pauses=pauses, completed=completed)
    closed = [(begin, end or max(at, begin)) for begin, end in pauses]
    return state, deadline_with_pauses(schedule, start, minutes * share, closed)


def outcome(call):
    try:
        return call()
    except SlaError as error:
        return ("error", error.code, str(error), error.params)


@PROFILE
@given(schedules(), instants, targets, shares, st.data())
def test_one_walk_gives_what_the_two_calls_give(schedule, start, minutes, share, data):
    pauses = data.draw(pauses_around(start))
    at = start + timedelta(minutes=data.draw(st.integers(-60, 10 * 24 * 60)))
    completed = None
    if data.draw(st.booleans()):
        completed = start + timedelta(minutes=data.draw(st.integers(0, 10 * 24 * 60)))
    expected = outcome(lambda: separately(schedule, start, minutes, share, at, pauses, completed))
    got = outcome(
        lambda: clock_state_and_warning(
            schedule, start, minutes, minutes * share, at=at, pauses=pauses, completed=completed
        )
    )
    assert got == expected


@PROFILE
@given(schedules(), instants, targets, st.data())
def test_several_deadlines_in_one_walk(schedule, start, minutes, data):
    pauses = [
        (begin, end or begin + timedelta(hours=1)) for begin, end in data.draw(pauses_around(start))
    ]
    start_ts = to_timestamp(start)
    spans = normalise_pauses(pauses, start_ts, None)
    wanted = sorted(data.draw(st.lists(st.integers(1, minutes * 60), min_size=1, max_size=4)))
    assert deadlines_with_pauses_ts(schedule, start_ts, wanted, spans) == [
        deadline_with_pauses_ts(schedule, start_ts, target, spans) for target in wanted
    ]


def test_a_share_too_small_is_refused_as_before():
    """A warning share that rounds to no time at all: the same error as the two calls."""
    schedule = Schedule.twenty_four_seven("UTC")
    start = datetime(2025, 6, 2, 9, 0, tzinfo=timezone.utc)
    at = start + timedelta(hours=1)
    with pytest.raises(SlaError) as separate:
        separately(schedule, start, 60, 0.0001, at, [], None)
    with pytest.raises(SlaError) as combined:
        clock_state_and_warning(schedule, start, 60, 60 * 0.0001, at=at)
    assert combined.value.code == separate.value.code
    assert str(combined.value) == str(separate.value)
