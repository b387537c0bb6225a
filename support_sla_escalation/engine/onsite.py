"""On-site terms of a consulting package (Ivanti TRM): what is used, what goes beyond.

A package allows a share of its yearly hours on site and a number of on-site visits
per year (or visits as needed). A visit is a day on which on-site time was logged
for the customer, however many people or lines. Lines are counted in the order
they were worked (day, then the order logged): the first ones within the terms,
the rest beyond.
"""

from typing import NamedTuple

from ...support_sla.engine import SlaError, check_date


class OnsiteUsage(NamedTuple):
    """On-site use of one annual period."""

    hours: float
    visits: int
    # Keys of the lines beyond the hours, beyond the visits.
    over_hours: frozenset
    over_visits: frozenset


def onsite_hours_allowed(annual_hours, share):
    """Hours that may be spent on site in a period: ``share`` percent of the yearly hours."""
    for value in (annual_hours, share):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SlaError(f"Hours and shares must be numbers, got {value!r}.")
    if annual_hours < 0:
        raise SlaError.of("hours_negative", hours=annual_hours)
    if not 0 <= share <= 100:
        raise SlaError.of("onsite_share", share=share)
    return annual_hours * share / 100.0


def onsite_usage(lines, hours_allowed, visits_allowed=None, tolerance=1e-6):
    """Use of the on-site terms by ``lines`` ``[(key, day, hours)]`` of one period.

    ``visits_allowed`` None: visits as needed. A line is beyond the hours when the
    on-site hours up to and including it exceed ``hours_allowed``, beyond the
    visits when its day comes after the allowed number of visit days.
    """
    if visits_allowed is not None and visits_allowed < 0:
        raise SlaError.of("onsite_visits", visits=visits_allowed)
    ordered = []
    for key, day, hours in lines:
        check_date(day, "date")
        if hours < 0:
            raise SlaError.of("hours_negative", hours=hours)
        ordered.append((day, key, hours))
    ordered.sort(key=lambda line: (line[0], line[1]))
    total = 0.0
    days = []
    over_hours = set()
    over_visits = set()
    for day, key, hours in ordered:
        total += hours
        if not days or days[-1] != day:
            days.append(day)
        if total > hours_allowed + tolerance:
            over_hours.add(key)
        if visits_allowed is not None and len(days) > visits_allowed:
            over_visits.add(key)
    return OnsiteUsage(total, len(days), frozenset(over_hours), frozenset(over_visits))
