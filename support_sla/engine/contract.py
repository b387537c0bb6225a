"""Dates of support contracts: expiry, automatic renewal, notice of non-renewal.

Ivanti: the period ends one year after it starts and renews by itself for one
more year, unless one party gave written notice at least ``notice_days`` days
before the end. A notice given too late takes effect at the following end.
"""

from datetime import date, datetime, timedelta

from .dates import add_months
from .errors import SlaError

ACTIVE_STATES = ("trial", "active")


def _check_date(value, what):
    if isinstance(value, datetime) or not isinstance(value, date):
        raise SlaError(f"The {what} must be a date, got {value!r}.")


def notice_deadline(date_end, notice_days):
    """Last day on which a notice of non-renewal still stops the renewal."""
    _check_date(date_end, "end date")
    if isinstance(notice_days, bool) or not isinstance(notice_days, int) or notice_days < 0:
        raise SlaError(
            f"The notice period must be a whole number of days, got {notice_days!r}.",
            "notice_days",
            days=notice_days,
        )
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
    _check_date(today, "date")
    if state not in ACTIVE_STATES or date_end is None or date_end >= today:
        return state, date_end
    if state == "active" and renews(date_end, auto_renew, notice_days, notice_date):
        while date_end < today:
            date_end = add_months(date_end, 12)
        return state, date_end
    return "expired", date_end
