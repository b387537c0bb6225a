"""Schedule operations: windows, closures, DST edges and bad input."""

import threading
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from policies import standard, weekdays

from support_sla.engine import HORIZON_YEARS, Schedule, SlaError

PARIS = ZoneInfo("Europe/Paris")


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


def test_split_day_windows_skip_lunch():
    schedule = Schedule(
        [(d, 8, 12) for d in range(5)] + [(d, 13, 17) for d in range(5)], "Europe/Paris"
    )
    assert schedule.add(paris(2025, 6, 2, 11, 0), 90).astimezone(PARIS) == paris(2025, 6, 2, 13, 30)
    assert schedule.business_seconds(paris(2025, 6, 2, 0, 0), paris(2025, 6, 3, 0, 0)) == 8 * 3600
    assert not schedule.is_open(paris(2025, 6, 2, 12, 30))
    assert schedule.is_open(paris(2025, 6, 2, 12, 59, 59)) is False
    assert schedule.is_open(paris(2025, 6, 2, 13, 0))


def test_windows_accept_times_and_half_hours():
    by_time = Schedule([(0, time(8, 30), time(17, 15))], "UTC")
    by_hour = Schedule([(0, 8.5, 17.25)], "UTC")
    assert by_time.key == by_hour.key
    assert (
        by_hour.business_seconds(
            datetime(2025, 6, 2, tzinfo=timezone.utc), datetime(2025, 6, 3, tzinfo=timezone.utc)
        )
        == (8 * 60 + 45) * 60
    )


def test_overlapping_windows_are_merged():
    schedule = Schedule([(0, 8, 12), (0, 10, 14)], "UTC")
    assert schedule.windows[0] == ((8 * 3600, 14 * 3600),)


def test_deadline_exactly_at_closing_stays_that_day():
    schedule = standard("Europe/Paris")
    assert schedule.add(paris(2025, 6, 2, 16, 0), 60).astimezone(PARIS) == paris(2025, 6, 2, 17, 0)


def test_zero_duration_is_next_opening():
    schedule = standard("Europe/Paris")
    assert schedule.add(paris(2025, 6, 2, 10, 0)) == paris(2025, 6, 2, 10, 0)
    assert schedule.add(paris(2025, 6, 2, 17, 0)).astimezone(PARIS) == paris(2025, 6, 3, 8, 0)


def test_closure_interval_is_skipped():
    closure = (paris(2025, 6, 3, 12, 0), paris(2025, 6, 4, 10, 0))  # an office move
    schedule = Schedule(weekdays(8, 17), "Europe/Paris", closures=[closure])
    assert schedule.add(paris(2025, 6, 3, 11, 0), 120).astimezone(PARIS) == paris(2025, 6, 4, 11, 0)


def test_closure_spanning_new_year():
    closure = (paris(2025, 12, 24, 0, 0), paris(2026, 1, 5, 0, 0))
    schedule = Schedule(weekdays(8, 17), "Europe/Paris", closures=[closure])
    assert schedule.add(paris(2025, 12, 23, 16, 0), 120).astimezone(PARIS) == paris(
        2026, 1, 5, 9, 0
    )
    assert schedule.business_seconds(paris(2025, 12, 23, 16, 0), paris(2026, 1, 5, 9, 0)) == 7200


def test_measuring_across_years():
    schedule = standard("Europe/Paris")
    start = paris(2024, 6, 3, 8, 0)
    end = paris(2026, 6, 1, 8, 0)
    # Two years of Monday-Friday 9 h days, counted day by day.
    days = sum(1 for n in range((end - start).days) if (start + timedelta(days=n)).weekday() < 5)
    assert schedule.business_seconds(start, end) == days * 9 * 3600
    assert schedule.business_seconds(end, start) == -days * 9 * 3600


def test_window_in_skipped_dst_hour_is_empty():
    """02:00-03:00 on 2025-03-30 does not exist in Paris."""
    schedule = Schedule([(6, 2, 3), (0, 8, 9)], "Europe/Paris")
    start = paris(2025, 3, 29, 0, 0)
    assert schedule.next_opening(start).astimezone(PARIS) == paris(2025, 3, 31, 8, 0)


def test_window_across_dst_changes_lasts_what_the_clock_says():
    night = Schedule([(6, 1, 4)], "Europe/Paris")  # Sunday 01:00-04:00
    spring = night.business_seconds(paris(2025, 3, 30, 0, 0), paris(2025, 3, 31, 0, 0))
    autumn = night.business_seconds(paris(2025, 10, 26, 0, 0), paris(2025, 10, 27, 0, 0))
    summer = night.business_seconds(paris(2025, 6, 1, 0, 0), paris(2025, 6, 2, 0, 0))
    assert (spring, summer, autumn) == (2 * 3600, 3 * 3600, 4 * 3600)


def test_results_are_utc_and_inputs_any_zone():
    schedule = standard("Europe/Paris")
    tokyo = datetime(2025, 6, 2, 17, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # 10:00 Paris
    assert schedule.add(tokyo, 60) == datetime(2025, 6, 2, 9, 0, tzinfo=timezone.utc)


def test_always_open_is_wall_clock_arithmetic():
    schedule = Schedule.twenty_four_seven("America/New_York")
    assert schedule.always_open
    start = datetime(2025, 3, 9, 1, 30, tzinfo=timezone.utc)
    assert schedule.add(start, 10_000) == start + timedelta(minutes=10_000)


def test_tickets_created_decades_ahead_get_a_correct_deadline():
    schedule = standard("Europe/Paris")
    created = paris(2071, 6, 1, 10, 0)  # a Monday
    assert schedule.add(created, 60).astimezone(PARIS) == paris(2071, 6, 1, 11, 0)
    # Building the far year does not disturb the near ones.
    assert schedule.add(paris(2025, 6, 2, 10, 0), 60).astimezone(PARIS) == paris(2025, 6, 2, 11, 0)


# -- bad input -------------------------------------------------------------


@pytest.mark.parametrize(
    "windows",
    [[], [(0, 8, 8)], [(d, 0, 0) for d in range(7)]],
    ids=["none", "empty window", "all empty"],
)
def test_schedule_without_working_time_is_refused(windows):
    with pytest.raises(SlaError, match="no working time"):
        Schedule(windows, "Europe/Paris")


@pytest.mark.parametrize(
    "window, message",
    [
        ((7, 8, 17), "weekday"),
        ((-1, 8, 17), "weekday"),
        ((0, 17, 8), "ends before it starts"),
        ((0, 8, 25), "within 0-24"),
        ((0, "8", 17), "must be an hour"),
        ((0, 8), "weekday, start, end"),
    ],
)
def test_bad_windows_are_refused(window, message):
    with pytest.raises(SlaError, match=message):
        Schedule([window], "UTC")


@pytest.mark.parametrize("tz", ["Mars/Olympus", "", None, "../../etc/passwd"])
def test_unknown_time_zone_is_refused(tz):
    with pytest.raises(SlaError, match="time zone"):
        Schedule(weekdays(8, 17), tz)


def test_naive_datetimes_are_refused():
    schedule = standard("Europe/Paris")
    with pytest.raises(SlaError, match="no time zone"):
        schedule.add(datetime(2025, 6, 2, 10, 0), 60)
    with pytest.raises(SlaError, match="no time zone"):
        schedule.business_seconds(datetime(2025, 6, 2), paris(2025, 6, 3))
    with pytest.raises(SlaError, match="date and time"):
        schedule.add(date(2025, 6, 2), 60)


@pytest.mark.parametrize("minutes", [-1, -60.5, float("nan"), float("inf"), True, "60"])
def test_bad_durations_are_refused(minutes):
    with pytest.raises(SlaError):
        standard("Europe/Paris").add(paris(2025, 6, 2, 10, 0), minutes)


def test_holidays_covering_all_working_time_for_years_raise_not_hang():
    start = date(2025, 1, 1)
    holidays = [start + timedelta(days=n) for n in range(366 * (HORIZON_YEARS + 2))]
    schedule = standard("Europe/Paris", holidays=holidays)
    with pytest.raises(SlaError, match=f"within {HORIZON_YEARS} years"):
        schedule.add(paris(2025, 1, 1, 9, 0), 60)
    with pytest.raises(SlaError, match=f"within {HORIZON_YEARS} years"):
        schedule.next_opening(paris(2025, 1, 1, 9, 0))


def test_closure_covering_everything_raises():
    closure = (paris(2000, 1, 1, 0, 0), paris(2100, 1, 1, 0, 0))
    schedule = Schedule(weekdays(8, 17), "Europe/Paris", closures=[closure])
    with pytest.raises(SlaError, match="cover all of its working hours"):
        schedule.add(paris(2025, 1, 1, 9, 0), 60)


def test_bad_holidays_and_closures_are_refused():
    with pytest.raises(SlaError, match="holiday must be a date"):
        Schedule(weekdays(8, 17), "UTC", holidays=[datetime(2025, 1, 1, tzinfo=timezone.utc)])
    with pytest.raises(SlaError, match="ends before it starts"):
        Schedule(weekdays(8, 17), "UTC", closures=[(paris(2025, 1, 2), paris(2025, 1, 1))])
    with pytest.raises(SlaError, match="no time zone"):
        Schedule(weekdays(8, 17), "UTC", closures=[(datetime(2025, 1, 1), paris(2025, 1, 2))])


def test_out_of_range_years_are_refused():
    schedule = standard("UTC")
    with pytest.raises(SlaError, match="supports"):
        schedule.add(datetime(9999, 12, 1, tzinfo=timezone.utc), 60)


def test_one_schedule_shared_by_threads_gives_the_same_results():
    """Odoo serves requests in threads that share cached schedules."""
    starts = [paris(2016 + n % 12, 1 + n % 12, 1 + n % 28, 9, 0) for n in range(600)]
    expected = [standard("Europe/Paris").add(start, 600) for start in starts]
    shared = standard("Europe/Paris")
    results = [None] * len(starts)

    def work(offset):
        for i in range(offset, len(starts), 6):
            results[i] = shared.add(starts[i], 600)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == expected
