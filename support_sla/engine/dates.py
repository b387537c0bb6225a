"""Calendar dates shared by the engines (support contracts, prepaid hours)."""

import calendar
from datetime import date, datetime

from .errors import SlaError


def add_months(day, months):
    """``day`` moved by ``months`` calendar months, clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise SlaError("That date is outside the supported calendar.", "date_out_of_range")
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def check_date(value, what):
    """Refuse anything but a date (a datetime is not one here)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise SlaError(f"The {what} must be a date, got {value!r}.")
