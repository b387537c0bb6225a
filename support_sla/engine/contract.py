"""Dates of support contracts: coverage, expiry, automatic renewal, notice.

A contract covers the days from its start to its end, both included (no end:
for ever), while it is in trial or active, and still covers them once it has
expired: a ticket received while it ran keeps its SLA. A draft or cancelled
contract covers nothing.

Ivanti: the period ends one year after it starts and renews by itself for one
more year, unless one party gave written notice at least ``notice_days`` days
before the end. A notice given too late takes effect at the following end.
"""

from datetime import timedelta

from .dates import add_months, check_date
from .errors import SlaError

ACTIVE_STATES = ("trial", "active")
"""States of a contract in force (it may renew or expire)."""

COVERAGE_STATES = (*ACTIVE_STATES, "expired")
"""States in which a contract covers the days from its start to its end."""


def lapse(state, date_start, date_end, day):
    """Why a contract does not cover ``day``, or None when it does.

    ``state`` (``draft``, ``cancelled``: a state that covers nothing), ``future``
    (it starts after ``day``) or ``expired`` (it ended before ``day``); in that
    order. ``date_end`` is the last day covered; empty (None, False): no end.
    """
    check_date(day, "day")
    check_date(date_start, "start date")
    if date_end:
        check_date(date_end, "end date")
    if state not in COVERAGE_STATES:
        return state
    if date_start > day:
        return "future"
    if date_end and date_end < day:
        return "expired"
    return None


def covers(state, date_start, date_end, day):
    """Whether a contract in ``state`` from ``date_start`` to ``date_end`` covers ``day``.

    ``date_end`` is the last day covered; empty (None, False): no end.
    """
    return lapse(state, date_start, date_end, day) is None


def version_lapsed(date_end_support, day):
    """Whether a product version whose support ends on ``date_end_support`` (the last
    day supported; empty: no end announced) is past its end of support on ``day``."""
    check_date(day, "day")
    if not date_end_support:
        return False
    check_date(date_end_support, "end of support")
    return date_end_support < day


def notice_deadline(date_end, notice_days):
    """Last day on which a notice of non-renewal still stops the renewal."""
    check_date(date_end, "end date")
    if isinstance(notice_days, bool) or not isinstance(notice_days, int) or notice_days < 0:
        raise SlaError.of("notice_days", days=notice_days)
    return date_end - timedelta(days=notice_days)


def renews(date_end, auto_renew, notice_days, notice_date=None):
    """Whether a contract ending on ``date_end`` renews by itself."""
    if not auto_renew or date_end is None:
        return False
    return not notice_date or notice_date > notice_deadline(date_end, notice_days)


def transition(state, date_end, today, auto_renew=False, notice_days=60, notice_date=None):
    """``(state, date_end)`` of a contract on ``today``: renewed, expired or unchanged.

    A trial never renews. A contract renewed while nobody looked (the daily job
    did not run) is renewed as many times as needed, one year at a time.
    """
    check_date(today, "date")
    if state not in ACTIVE_STATES or date_end is None or date_end >= today:
        return state, date_end
    if state == "active" and renews(date_end, auto_renew, notice_days, notice_date):
        while date_end < today:
            date_end = add_months(date_end, 12)
        return state, date_end
    return "expired", date_end
