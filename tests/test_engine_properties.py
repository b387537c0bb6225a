"""Properties of business-time arithmetic, checked with hypothesis.

The reference is a brute-force walk, minute by minute, asking of each minute
whether the local wall clock is inside a window on a non-holiday date. Window
edges are drawn outside 00:30-03:30 so that no edge falls in a DST gap or
overlap, where "the local time" of an edge is a convention, not a fact.
"""

import os
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support_sla.engine import Schedule, clock_state, deadline_with_pauses

ZONES = [
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Asia/Tokyo",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "America/St_Johns",  # half-hour offset
    "Asia/Kolkata",
]
FIRST = datetime(2024, 1, 1, tzinfo=timezone.utc)
DAYS = 4 * 365  # instants drawn in 2024-2027, across many DST changes
MINUTE = timedelta(minutes=1)

# Quarter-hour edges: midnight, or from 04:00 to 24:00.
edges = st.sampled_from([0] + [h / 4 for h in range(16, 97)])


@st.composite
def windows(draw):
    result = []
    for weekday in range(7):
        for _n in range(draw(st.integers(0, 2))):
            start, end = sorted((draw(edges), draw(edges)))
            result.append((weekday, start, end))
    if not any(start < end for _w, start, end in result):
        result.append((draw(st.integers(0, 6)), 8, 17))
    return result


@st.composite
def schedules(draw):
    tz = draw(st.sampled_from(ZONES))
    holidays = draw(
        st.sets(
            st.integers(0, DAYS + 60).map(lambda n: date(2024, 1, 1) + timedelta(n)), max_size=40
        )
    )
    return Schedule(draw(windows()), tz, holidays)


instants = st.integers(0, DAYS * 24 * 60).map(lambda n: FIRST + n * MINUTE)
seconds_instants = st.integers(0, DAYS * 86400).map(lambda n: FIRST + timedelta(seconds=n))
durations = st.integers(1, 5 * 24 * 60)  # minutes


def is_open_minute(schedule, instant):
    """Reference: the wall clock of the minute starting at ``instant`` is in a window."""
    local = instant.astimezone(schedule.tz)
    if local.date() in schedule.holidays:
        return False
    second = local.hour * 3600 + local.minute * 60
    return any(start <= second < end for start, end in schedule.windows[local.weekday()])


def reference_minutes(schedule, start, end):
    count = 0
    cursor = start.astimezone(timezone.utc)  # aware arithmetic in a local zone is wall-clock
    while cursor < end:
        count += is_open_minute(schedule, cursor)
        cursor += MINUTE
    return count


# More examples with HYPOTHESIS_EXAMPLES=2000 (the default keeps CI quick).
PROFILE = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROFILE
@given(schedules(), instants, st.integers(0, 10 * 24 * 60))
def test_business_time_matches_a_minute_by_minute_walk(schedule, start, span):
    end = start + span * MINUTE
    assert schedule.business_seconds(start, end) == 60 * reference_minutes(schedule, start, end)


@PROFILE
@given(schedules(), seconds_instants, durations)
def test_adding_then_measuring_returns_the_duration(schedule, start, minutes):
    deadline = schedule.add(start, minutes)
    assert schedule.business_seconds(start, deadline) == minutes * 60
    # The last second before the deadline was open time: nothing is added for nothing.
    assert schedule.is_open(deadline - timedelta(seconds=1))


@PROFILE
@given(schedules(), seconds_instants)
def test_next_opening_is_open_and_nothing_before_it_is(schedule, start):
    opening = schedule.next_opening(start)
    assert opening >= start
    assert schedule.is_open(opening)
    assert schedule.business_seconds(start, opening) == 0


@PROFILE
@given(schedules(), seconds_instants, durations, durations)
def test_deadlines_are_monotonic_in_the_target(schedule, start, a, b):
    small, large = sorted((a, b))
    assert schedule.add(start, small) <= schedule.add(start, large)


@PROFILE
@given(schedules(), seconds_instants, st.integers(0, 20 * 86400), durations)
def test_deadlines_are_monotonic_in_the_start(schedule, start, shift, minutes):
    later = start + timedelta(seconds=shift)
    assert schedule.add(start, minutes) <= schedule.add(later, minutes)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ZONES), seconds_instants, st.integers(0, 60 * 24 * 60), st.booleans())
def test_24x7_is_wall_clock_arithmetic_in_utc(tz, start, minutes, general_path):
    # A closure long before the instants drawn turns the always-open shortcut off,
    # so that both the shortcut and the general tables are checked.
    closures = [
        (datetime(1990, 1, 1, tzinfo=timezone.utc), datetime(1990, 1, 2, tzinfo=timezone.utc))
    ]
    schedule = Schedule.twenty_four_seven(tz, closures=closures if general_path else ())
    assert schedule.always_open is not general_path
    deadline = schedule.add(start, minutes)
    assert deadline == start.replace(microsecond=0) + timedelta(minutes=minutes)
    assert schedule.business_seconds(start, deadline) == minutes * 60


@st.composite
def pauses_after(draw, start):
    result = []
    for _n in range(draw(st.integers(0, 3))):
        begin = start + timedelta(minutes=draw(st.integers(-120, 7 * 24 * 60)))
        result.append((begin, begin + timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))))
    return result


@PROFILE
@given(schedules(), instants, durations, st.data())
def test_pauses_act_like_closures(schedule, start, minutes, data):
    pauses = data.draw(pauses_after(start))
    with_closures = Schedule(
        [(d, s / 3600, e / 3600) for d, day in enumerate(schedule.windows) for s, e in day],
        schedule.tz_name,
        schedule.holidays,
        closures=pauses,
    )
    assert deadline_with_pauses(schedule, start, minutes, pauses) == with_closures.add(
        start, minutes
    )


@PROFILE
@given(schedules(), seconds_instants, durations, instants)
def test_a_clock_without_pauses_ends_where_the_schedule_says(schedule, start, minutes, at):
    # What the models call (clock_state, deadline_with_pauses) against Schedule.add.
    expected = schedule.add(start, minutes)
    assert deadline_with_pauses(schedule, start, minutes) == expected
    assert clock_state(schedule, start, minutes, at=at).deadline == expected


def test_reference_walk_sees_dst():
    """Sanity check of the reference itself: a Paris 24 h day in March has 23 hours."""
    schedule = Schedule.twenty_four_seven("Europe/Paris")
    paris = ZoneInfo("Europe/Paris")
    start = datetime(2025, 3, 30, tzinfo=paris)
    end = datetime(2025, 3, 31, tzinfo=paris)
    assert reference_minutes(schedule, start, end) == 23 * 60
    assert schedule.business_seconds(start, end) == 23 * 3600
