"""On-site terms of consulting packages (Ivanti TRM): visits and hours used, beyond."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support_sla.engine import SlaError
from support_sla_escalation.engine import onsite_hours_allowed, onsite_usage

D = date(2026, 3, 2)


def test_premier_share_of_its_yearly_hours():
    assert onsite_hours_allowed(192, 25) == 48
    assert onsite_hours_allowed(96, 0) == 0


def test_a_visit_is_a_day_whatever_the_lines():
    usage = onsite_usage([(1, D, 4), (2, D, 4), (3, date(2026, 3, 9), 2)], 48, 2)
    assert (usage.hours, usage.visits) == (10, 2)
    assert not usage.over_hours and not usage.over_visits


def test_lines_beyond_the_visits_and_the_hours():
    lines = [
        (1, D, 8),
        (2, date(2026, 4, 1), 8),
        (3, date(2026, 5, 1), 8),
        (4, date(2026, 5, 1), 1),
    ]
    usage = onsite_usage(lines, 20, 2)
    assert usage.over_visits == {3, 4}
    assert usage.over_hours == {3, 4}  # 24 h then 25 h of 20


def test_in_the_order_worked_not_logged():
    usage = onsite_usage([(2, D, 8), (1, date(2026, 4, 1), 8)], 10, 1)
    assert usage.over_visits == {1} and usage.over_hours == {1}


def test_as_needed_has_no_visit_limit():
    usage = onsite_usage([(i, date(2026, 1, i), 1) for i in range(1, 20)], 400, None)
    assert usage.visits == 19 and not usage.over_visits


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: onsite_hours_allowed(100, 120), "onsite_share"),
        (lambda: onsite_hours_allowed(-1, 25), "hours_negative"),
        (lambda: onsite_usage([], 10, -1), "onsite_visits"),
        (lambda: onsite_usage([(1, D, -2)], 10, 1), "hours_negative"),
    ],
)
def test_bad_terms_are_refused(call, code):
    with pytest.raises(SlaError) as caught:
        call()
    assert caught.value.code == code


LINES = st.lists(
    st.tuples(st.dates(date(2026, 1, 1), date(2026, 12, 31)), st.integers(0, 16)), max_size=30
)


@given(LINES, st.integers(0, 100), st.one_of(st.none(), st.integers(0, 6)))
def test_usage_properties(raw, allowed, visits):
    lines = [(key, day, hours) for key, (day, hours) in enumerate(raw)]
    usage = onsite_usage(lines, allowed, visits)
    assert usage.hours == sum(hours for _k, _d, hours in lines)
    assert usage.visits == len({day for _k, day, _h in lines})
    assert bool(usage.over_hours) == (usage.hours > allowed)
    if visits is None or usage.visits <= visits:
        assert not usage.over_visits
    else:
        # The lines of the first allowed days are within, all others beyond.
        first_days = sorted({day for _k, day, _h in lines})[:visits]
        assert usage.over_visits == {k for k, day, _h in lines if day not in first_days}
