"""Prepaid hours spread evenly over the months of annual periods.

A package of ``annual_hours`` starts on an anchor date and renews every year on
the same day. Within a period, one twelfth of the hours becomes available on the
first day of each of its twelve months; whatever is unused expires when the
period ends (Ivanti TRM: "réparties proportionnellement sur 12 mois", "les jours
non utilisés expirent à la fin de chaque période annuelle").
"""

# Relative: ``odoo.addons.support_sla`` under Odoo, the same package in the engine tests.
from ...support_sla.engine import SlaError, add_months, check_date


def _period_index(anchor, on):
    """How many whole years separate the period of ``on`` from ``anchor``."""
    check_date(anchor, "start date")
    check_date(on, "date")
    if on < anchor:
        raise SlaError.of("before_package", date=on, start=anchor)
    years = on.year - anchor.year
    # Always counted from the anchor, so that a 29 February start keeps its day.
    if add_months(anchor, 12 * years) > on:
        years -= 1
    return years


def annual_period(anchor, on):
    """``(first day, first day of the next period)`` of the period containing ``on``."""
    index = _period_index(anchor, on)
    return add_months(anchor, 12 * index), add_months(anchor, 12 * (index + 1))


def accrued_hours(annual_hours, anchor, on, end=None):
    """Hours made available so far in the period of ``on``.

    Nothing accrues before ``anchor`` or in months starting after ``end``.
    """
    if isinstance(annual_hours, bool) or not isinstance(annual_hours, int | float):
        raise SlaError(f"Annual hours must be a number, got {annual_hours!r}.")
    if annual_hours < 0:
        raise SlaError.of("hours_negative", hours=annual_hours)
    check_date(anchor, "start date")
    check_date(on, "date")
    if on < anchor:
        return 0.0
    first = 12 * _period_index(anchor, on)
    last_day = on if end is None or end > on else end
    months = sum(1 for month in range(first, first + 12) if add_months(anchor, month) <= last_day)
    return annual_hours * months / 12


def available_hours(annual_hours, anchor, on, used_in_period, end=None):
    """Hours still available on ``on``: accrued in its period minus those used there."""
    if isinstance(used_in_period, bool) or not isinstance(used_in_period, int | float):
        raise SlaError(f"Used hours must be a number, got {used_in_period!r}.")
    if used_in_period < 0:
        raise SlaError.of("hours_negative", hours=used_in_period)
    return max(accrued_hours(annual_hours, anchor, on, end) - used_in_period, 0.0)
