"""Schedules of the reference policies (SPEC section 2), built for the tests."""

from support_sla.engine import Schedule

MINUTES = 60  # minutes in an hour, for readable targets

# Targets in minutes per priority label (response times of SPEC section 2).
TARGETS = {
    "basic": {"P1": 2 * MINUTES, "P2": 4 * MINUTES, "P3": 24 * MINUTES, "P4": 48 * MINUTES},
    "standard": {"P1": 1 * MINUTES, "P2": 3 * MINUTES, "P3": 8 * MINUTES, "P4": 24 * MINUTES},
    "premium": {"P1": 15, "P2": 60, "P3": 4 * MINUTES, "P4": 8 * MINUTES},
}


def weekdays(start, end):
    """Monday-Friday windows from ``start`` to ``end`` hours."""
    return [(weekday, start, end) for weekday in range(5)]


def basic(tz, holidays=()):
    """AvePoint Basic: Monday-Friday 07:00-19:00 local, holidays closed."""
    return Schedule(weekdays(7, 19), tz, holidays)


def standard(tz, holidays=()):
    """Zmanda Standard: Monday-Friday 08:00-17:00 local, holidays closed."""
    return Schedule(weekdays(8, 17), tz, holidays)


def premium(tz="UTC"):
    """Zmanda Premium: 24x7x365."""
    return Schedule.twenty_four_seven(tz)
