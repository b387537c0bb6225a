"""SPEC section 2: the reference policies' response deadlines, to the second."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from policies import TARGETS, basic, premium, standard

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def local(tz, *args):
    return datetime(*args, tzinfo=tz)


# (created, priority, expected deadline) in the customer's local time; 2025-06-02
# is a Monday, 2025-06-06 a Friday.
BASIC_CASES = [
    ((2025, 6, 2, 10, 0), "P1", (2025, 6, 2, 12, 0)),
    ((2025, 6, 2, 18, 30), "P1", (2025, 6, 3, 8, 30)),  # 30 min today, 1 h 30 tomorrow
    ((2025, 6, 2, 6, 0), "P2", (2025, 6, 2, 11, 0)),  # before opening: starts at 07:00
    ((2025, 6, 2, 10, 0), "P3", (2025, 6, 4, 10, 0)),  # 24 business hours = 2 days of 12 h
    ((2025, 6, 6, 18, 0), "P2", (2025, 6, 9, 10, 0)),  # Friday 18:00: 1 h, then Monday
    ((2025, 6, 7, 11, 0), "P1", (2025, 6, 9, 9, 0)),  # Saturday: next working day
    ((2025, 6, 2, 10, 0), "P4", (2025, 6, 6, 10, 0)),
]

STANDARD_CASES = [
    ((2025, 6, 2, 10, 0), "P1", (2025, 6, 2, 11, 0)),
    ((2025, 6, 2, 16, 30), "P1", (2025, 6, 3, 8, 30)),
    ((2025, 6, 2, 10, 0), "P2", (2025, 6, 2, 13, 0)),
    ((2025, 6, 2, 10, 0), "P3", (2025, 6, 3, 9, 0)),  # 7 h Monday + 1 h Tuesday
    ((2025, 6, 2, 10, 0), "P4", (2025, 6, 4, 16, 0)),  # 7 h + 9 h + 8 h
    ((2025, 6, 6, 20, 0), "P3", (2025, 6, 9, 16, 0)),  # Friday evening: Monday 08:00 + 8 h
    ((2025, 6, 2, 17, 0), "P1", (2025, 6, 3, 9, 0)),  # at closing time: next morning
]

PREMIUM_CASES = [
    ((2025, 6, 7, 3, 0), "P1", (2025, 6, 7, 3, 15)),  # Saturday night, 24x7
    ((2025, 6, 2, 23, 30), "P2", (2025, 6, 3, 0, 30)),
    ((2025, 6, 6, 22, 0), "P3", (2025, 6, 7, 2, 0)),
    ((2025, 12, 25, 12, 0), "P4", (2025, 12, 25, 20, 0)),  # 365 days a year
]


@pytest.mark.parametrize("tz", [PARIS, NEW_YORK, TOKYO], ids=str)
@pytest.mark.parametrize(
    "tier, cases",
    [("basic", BASIC_CASES), ("standard", STANDARD_CASES), ("premium", PREMIUM_CASES)],
)
def test_reference_deadlines_in_customer_time(tier, cases, tz):
    schedule = {"basic": basic, "standard": standard, "premium": premium}[tier](str(tz))
    for created, priority, expected in cases:
        deadline = schedule.add(local(tz, *created), TARGETS[tier][priority])
        assert deadline.astimezone(tz) == local(tz, *expected), (tier, created, priority)
        assert deadline.tzinfo is not None and deadline.utcoffset().total_seconds() == 0


def test_same_request_lands_differently_per_time_zone():
    """One UTC instant: still open in New York, already closed in Paris."""
    created = datetime(2025, 6, 2, 19, 0, tzinfo=ZoneInfo("UTC"))  # 21:00 Paris, 15:00 NY
    paris = standard("Europe/Paris").add(created, 60)
    new_york = standard("America/New_York").add(created, 60)
    assert paris.astimezone(PARIS) == local(PARIS, 2025, 6, 3, 9, 0)
    assert new_york.astimezone(NEW_YORK) == local(NEW_YORK, 2025, 6, 2, 16, 0)


def test_public_holidays_are_closed():
    # Thursday 2025-05-01 (Labour Day) and Friday 2025-05-02 (bridge) closed in France.
    schedule = standard("Europe/Paris", holidays=[date(2025, 5, 1), date(2025, 5, 2)])
    created = local(PARIS, 2025, 4, 30, 16, 0)  # Wednesday
    assert schedule.add(created, 3 * 60).astimezone(PARIS) == local(PARIS, 2025, 5, 5, 10, 0)
    # A request made on the holiday waits for the next working day.
    on_holiday = local(PARIS, 2025, 5, 1, 9, 0)
    assert schedule.add(on_holiday, 60).astimezone(PARIS) == local(PARIS, 2025, 5, 5, 9, 0)


def test_holiday_is_a_local_date():
    """Christmas in Tokyo starts at 15:00 UTC on the 24th."""
    schedule = basic("Asia/Tokyo", holidays=[date(2025, 12, 25)])
    created = datetime(2025, 12, 24, 15, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 on the 25th
    assert schedule.add(created, 60).astimezone(TOKYO) == local(TOKYO, 2025, 12, 26, 8, 0)


@pytest.mark.parametrize(
    "tz, friday, monday_opening_utc",
    [
        # Europe switches to summer time on Sunday 2025-03-30.
        ("Europe/Paris", (2025, 3, 28, 18, 30), (2025, 3, 31, 6, 0)),
        # The United States switch on Sunday 2025-03-09.
        ("America/New_York", (2025, 3, 7, 18, 30), (2025, 3, 10, 12, 0)),
        # Back to winter time: Paris on 2025-10-26, New York on 2025-11-02.
        ("Europe/Paris", (2025, 10, 24, 18, 30), (2025, 10, 27, 7, 0)),
        ("America/New_York", (2025, 10, 31, 18, 30), (2025, 11, 3, 13, 0)),
    ],
)
def test_friday_evening_across_a_dst_weekend(tz, friday, monday_opening_utc):
    zone = ZoneInfo(tz)
    schedule = standard(tz)
    created = local(zone, *friday)
    utc = ZoneInfo("UTC")
    opening = datetime(*monday_opening_utc, tzinfo=utc)
    assert schedule.next_opening(created) == opening
    assert schedule.next_opening(created).astimezone(zone).hour == 8
    # P2 (3 h) lands at 11:00 local on Monday, whatever the offset became.
    deadline = schedule.add(created, TARGETS["standard"]["P2"])
    monday = opening.astimezone(zone)
    assert deadline.astimezone(zone) == local(zone, monday.year, monday.month, monday.day, 11, 0)
    # The weekend counts for nothing, the DST change included.
    assert schedule.business_seconds(created, opening) == 0


def test_premium_across_dst_counts_real_hours():
    """24x7: 8 h are 8 real hours even on the night the clocks go back."""
    schedule = premium("Europe/Paris")
    created = local(PARIS, 2025, 10, 25, 22, 0)  # 20:00 UTC
    deadline = schedule.add(created, TARGETS["premium"]["P4"])
    assert deadline == datetime(2025, 10, 26, 4, 0, tzinfo=ZoneInfo("UTC"))
    assert deadline.astimezone(PARIS) == local(PARIS, 2025, 10, 26, 5, 0)
