"""SLA clocks: pauses, statuses, elapsed and remaining time, bad input."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from policies import premium, standard

from support_sla.engine import (
    STATUS_BREACHED,
    STATUS_MET,
    STATUS_PAUSED,
    STATUS_RUNNING,
    SlaError,
    clock_state,
    deadline_with_pauses,
)

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture
def schedule():
    return standard("Europe/Paris")


def test_running_clock(schedule):
    created = paris(2025, 6, 2, 10, 0)
    state = clock_state(schedule, created, 3 * 60, at=paris(2025, 6, 2, 11, 0))
    assert state.status == STATUS_RUNNING
    assert state.deadline == paris(2025, 6, 2, 13, 0)
    assert (state.elapsed_seconds, state.remaining_seconds) == (HOUR, 2 * HOUR)
    assert state.paused_seconds == 0


def test_clock_does_not_run_out_of_hours(schedule):
    created = paris(2025, 6, 2, 16, 0)
    state = clock_state(schedule, created, 3 * 60, at=paris(2025, 6, 3, 7, 0))
    assert (state.status, state.elapsed_seconds) == (STATUS_RUNNING, HOUR)


def test_breached_when_deadline_passes(schedule):
    created = paris(2025, 6, 2, 10, 0)
    state = clock_state(schedule, created, 60, at=paris(2025, 6, 2, 11, 0, 1))
    assert state.status == STATUS_BREACHED
    assert state.remaining_seconds == -1
    at_deadline = clock_state(schedule, created, 60, at=paris(2025, 6, 2, 11, 0))
    assert at_deadline.status == STATUS_RUNNING


def test_met_and_breached_on_completion(schedule):
    created = paris(2025, 6, 2, 10, 0)
    later = paris(2025, 6, 9, 10, 0)
    met = clock_state(schedule, created, 60, at=later, completed=paris(2025, 6, 2, 11, 0))
    late = clock_state(schedule, created, 60, at=later, completed=paris(2025, 6, 2, 11, 1))
    assert (met.status, met.elapsed_seconds) == (STATUS_MET, HOUR)
    assert (late.status, late.remaining_seconds) == (STATUS_BREACHED, -60)


def test_closed_pause_pushes_deadline_by_paused_business_time(schedule):
    created = paris(2025, 6, 2, 10, 0)
    # Waiting on the customer from 11:00 Monday to 09:00 Tuesday: 6 + 1 business hours.
    pauses = [(paris(2025, 6, 2, 11, 0), paris(2025, 6, 3, 9, 0))]
    deadline = deadline_with_pauses(schedule, created, 3 * 60, pauses)
    assert deadline == paris(2025, 6, 3, 11, 0)
    state = clock_state(schedule, created, 3 * 60, at=paris(2025, 6, 3, 10, 0), pauses=pauses)
    assert state.status == STATUS_RUNNING
    assert state.paused_seconds == 7 * HOUR
    assert state.elapsed_seconds == 2 * HOUR
    assert state.deadline == paris(2025, 6, 3, 11, 0)


def test_pause_outside_business_hours_changes_nothing(schedule):
    created = paris(2025, 6, 2, 10, 0)
    pauses = [(paris(2025, 6, 2, 18, 0), paris(2025, 6, 3, 7, 0))]
    assert deadline_with_pauses(schedule, created, 8 * 60, pauses) == schedule.add(created, 8 * 60)


def test_open_pause_is_paused_and_never_breaches(schedule):
    created = paris(2025, 6, 2, 10, 0)
    pauses = [(paris(2025, 6, 2, 10, 30), None)]
    for at in (paris(2025, 6, 2, 10, 45), paris(2025, 6, 20, 12, 0)):
        state = clock_state(schedule, created, 60, at=at, pauses=pauses)
        assert state.status == STATUS_PAUSED
        assert state.elapsed_seconds == 30 * 60
        assert state.remaining_seconds == 30 * 60
        assert state.deadline > at


def test_pause_entered_after_breach_stays_breached(schedule):
    created = paris(2025, 6, 2, 10, 0)
    pauses = [(paris(2025, 6, 2, 12, 0), None)]
    state = clock_state(schedule, created, 60, at=paris(2025, 6, 2, 12, 30), pauses=pauses)
    assert state.status == STATUS_BREACHED
    assert state.deadline == paris(2025, 6, 2, 11, 0)


def test_several_overlapping_pauses_count_once(schedule):
    created = paris(2025, 6, 2, 8, 0)
    pauses = [
        (paris(2025, 6, 2, 9, 0), paris(2025, 6, 2, 11, 0)),
        (paris(2025, 6, 2, 10, 0), paris(2025, 6, 2, 12, 0)),
        (paris(2025, 6, 2, 7, 0), paris(2025, 6, 2, 8, 30)),  # starts before creation
    ]
    deadline = deadline_with_pauses(schedule, created, 60, pauses)
    # 08:30-09:00 counts, 09:00-12:00 paused, then 30 more minutes.
    assert deadline == paris(2025, 6, 2, 12, 30)


def test_pauses_on_24x7():
    schedule = premium("Europe/Paris")
    created = datetime(2025, 6, 7, 3, 0, tzinfo=timezone.utc)
    pauses = [(created + timedelta(minutes=5), created + timedelta(hours=2))]
    assert deadline_with_pauses(schedule, created, 15, pauses) == created + timedelta(
        hours=2, minutes=10
    )


# -- bad input -------------------------------------------------------------


@pytest.mark.parametrize("target", [0, -15, None])
def test_targets_must_be_positive(schedule, target):
    with pytest.raises(SlaError):
        clock_state(schedule, paris(2025, 6, 2, 10, 0), target, at=paris(2025, 6, 2, 11, 0))


def test_completion_before_creation_is_refused(schedule):
    with pytest.raises(SlaError, match="before it starts"):
        clock_state(
            schedule,
            paris(2025, 6, 2, 10, 0),
            60,
            at=paris(2025, 6, 2, 11, 0),
            completed=paris(2025, 6, 2, 9, 0),
        )


def test_evaluation_before_creation_has_spent_nothing(schedule):
    state = clock_state(schedule, paris(2025, 6, 2, 10, 0), 60, at=paris(2025, 6, 1, 10, 0))
    assert (state.status, state.elapsed_seconds, state.remaining_seconds) == (
        STATUS_RUNNING,
        0,
        3600,
    )


def test_bad_pauses_are_refused(schedule):
    created = paris(2025, 6, 2, 10, 0)
    with pytest.raises(SlaError, match="ends before it starts"):
        deadline_with_pauses(
            schedule, created, 60, [(paris(2025, 6, 2, 12), paris(2025, 6, 2, 11))]
        )
    with pytest.raises(SlaError, match="has not ended"):
        deadline_with_pauses(schedule, created, 60, [(paris(2025, 6, 2, 12), None)])
    with pytest.raises(SlaError, match="no time zone"):
        deadline_with_pauses(schedule, created, 60, [(datetime(2025, 6, 2, 12), None)])
    with pytest.raises(SlaError, match="is \\(start, end\\)"):
        deadline_with_pauses(schedule, created, 60, [paris(2025, 6, 2, 12)])
