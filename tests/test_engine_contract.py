"""Contracts: which days a contract covers (and why not), the one date check."""

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support_sla.engine import (
    ACTIVE_STATES,
    COVERAGE_STATES,
    SlaError,
    add_months,
    check_date,
    covers,
    lapse,
    version_lapsed,
)

STATES = ("draft", "trial", "active", "expired", "cancelled")
JAN_1 = date(2025, 1, 1)
DEC_31 = date(2025, 12, 31)


@pytest.mark.parametrize(
    ("state", "start", "end", "day", "expected"),
    [
        ("active", JAN_1, DEC_31, JAN_1, None),  # first day included
        ("active", JAN_1, DEC_31, DEC_31, None),  # last day included
        ("trial", JAN_1, DEC_31, date(2025, 6, 1), None),
        ("expired", JAN_1, DEC_31, date(2025, 6, 1), None),  # covered while it ran
        ("active", JAN_1, None, date(2099, 6, 1), None),  # no end
        ("active", JAN_1, False, date(2099, 6, 1), None),  # Odoo's empty date
        ("active", JAN_1, DEC_31, date(2024, 12, 31), "future"),
        ("active", JAN_1, DEC_31, date(2026, 1, 1), "expired"),
        ("expired", JAN_1, DEC_31, date(2026, 1, 1), "expired"),
        ("draft", JAN_1, DEC_31, date(2025, 6, 1), "draft"),
        ("cancelled", JAN_1, DEC_31, date(2025, 6, 1), "cancelled"),
        ("cancelled", JAN_1, DEC_31, date(2026, 6, 1), "cancelled"),  # the state first
        ("draft", JAN_1, None, date(2024, 6, 1), "draft"),
    ],
)
def test_lapse_and_covers(state, start, end, day, expected):
    assert lapse(state, start, end, day) == expected
    assert covers(state, start, end, day) is (expected is None)


def test_states():
    assert ACTIVE_STATES == ("trial", "active")
    assert COVERAGE_STATES == ("trial", "active", "expired")


days = st.integers(0, 60).map(lambda n: JAN_1 + timedelta(days=n))


@given(st.sampled_from(STATES), days, st.one_of(st.none(), days), days)
def test_covers_is_membership_of_the_days_of_the_contract(state, start, end, day):
    last = end or date(2026, 12, 31)  # past every day drawn
    covered = set()
    cursor = start
    while cursor <= last:
        covered.add(cursor)
        cursor += timedelta(days=1)
    expected = state in ("trial", "active", "expired") and day in covered
    assert covers(state, start, end, day) is expected
    reason = lapse(state, start, end, day)
    assert (reason is None) is expected
    if state in ("draft", "cancelled"):
        assert reason == state
    elif not expected:
        assert reason == ("future" if day < start else "expired")


@pytest.mark.parametrize(
    "value", [datetime(2025, 1, 1), datetime(2025, 1, 1, tzinfo=timezone.utc), "2025-01-01", None]
)
def test_check_date_refuses_anything_but_a_date(value):
    with pytest.raises(SlaError, match="must be a date") as caught:
        check_date(value, "day")
    assert caught.value.code == "invalid_input"
    with pytest.raises(SlaError, match="must be a date"):
        covers("active", JAN_1, None, value)
    with pytest.raises(SlaError, match="must be a date"):
        covers("active", value, None, JAN_1)


def test_check_date_accepts_a_date():
    assert check_date(JAN_1, "day") is None


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    with pytest.raises(SlaError) as caught:
        add_months(date(9999, 12, 1), 1)
    assert caught.value.code == "date_out_of_range"


@given(st.dates(), st.dates())
def test_version_supported_through_its_last_day(end, day):
    """A version is supported up to its end-of-support date included, then lapsed."""
    assert version_lapsed(end, day) is (day > end)
    assert not version_lapsed(end, end)


@given(st.dates())
def test_version_without_end_of_support_never_lapses(day):
    assert version_lapsed(None, day) is False
    assert version_lapsed(False, day) is False


def test_version_lapsed_refuses_datetimes():
    with pytest.raises(SlaError):
        version_lapsed(DEC_31, datetime(2026, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(SlaError):
        version_lapsed("2025-12-31", JAN_1)
