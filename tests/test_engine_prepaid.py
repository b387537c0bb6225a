"""Prorated prepaid hours (Ivanti TRM): support_sla_escalation's engine."""

from datetime import date, datetime

import pytest

from support_sla.engine import SlaError, add_months
from support_sla_escalation.engine import accrued_hours, annual_period, available_hours


@pytest.mark.parametrize(
    "annual, on, expected",
    [
        (96, date(2025, 1, 15), 8),  # first month available on day one
        (96, date(2025, 2, 14), 8),
        (96, date(2025, 2, 15), 16),
        (96, date(2026, 1, 14), 96),  # last day of the period: all of it
        (192, date(2025, 7, 15), 112),
        (1600, date(2025, 3, 20), 400),
        (96, date(2026, 1, 15), 8),  # next period: starts again
        (96, date(2025, 1, 14), 0),  # before the start
    ],
)
def test_accrual_is_spread_over_the_months(annual, on, expected):
    assert accrued_hours(annual, date(2025, 1, 15), on) == pytest.approx(expected)


def test_unused_hours_expire_at_period_end():
    anchor = date(2025, 1, 15)
    # 10 h used during the first year: 86 h unused on its last day...
    assert available_hours(96, anchor, date(2026, 1, 14), 10) == pytest.approx(86)
    # ... gone the next day, when the second year starts with its first month only.
    assert available_hours(96, anchor, date(2026, 1, 15), 0) == pytest.approx(8)


def test_no_accrual_after_the_contract_ends():
    anchor = date(2025, 1, 15)
    assert accrued_hours(384, anchor, date(2025, 12, 1), end=date(2025, 4, 30)) == pytest.approx(
        128
    )


def test_overused_hours_leave_nothing_not_less():
    assert available_hours(96, date(2025, 1, 1), date(2025, 1, 2), 20) == 0


def test_month_ends_are_clamped():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert accrued_hours(96, date(2025, 1, 31), date(2025, 2, 28)) == 16
    assert annual_period(date(2024, 2, 29), date(2025, 3, 1)) == (
        date(2025, 2, 28),
        date(2026, 2, 28),
    )
    assert annual_period(date(2024, 2, 29), date(2028, 2, 29))[0] == date(2028, 2, 29)


@pytest.mark.parametrize(
    "call",
    [
        lambda: accrued_hours(-1, date(2025, 1, 1), date(2025, 2, 1)),
        lambda: accrued_hours("96", date(2025, 1, 1), date(2025, 2, 1)),
        lambda: accrued_hours(96, datetime(2025, 1, 1), date(2025, 2, 1)),
        lambda: available_hours(96, date(2025, 1, 1), date(2025, 2, 1), -3),
        lambda: annual_period(date(2025, 1, 1), date(2024, 1, 1)),
    ],
)
def test_bad_prepaid_input_is_refused(call):
    with pytest.raises(SlaError):
        call()


def test_refusals_name_their_rule():
    with pytest.raises(SlaError) as caught:
        available_hours(10, date(2025, 1, 1), date(2025, 2, 1), -1)
    assert str(caught.value)
    assert caught.value.code == "hours_negative"
    assert caught.value.params == {"hours": -1}
