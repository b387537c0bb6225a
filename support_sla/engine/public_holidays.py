"""Public holidays of a country from the maintained ``holidays`` library (PyPI).

Which days are closed, under which name, as which instants of a time zone, and
which of them a calendar still lacks (the idempotence rule): plain Python, no
Odoo. The Odoo layer (``models/resource_calendar_holidays.py``) turns the days
into time off of the calendar.
"""

from datetime import datetime, time, timezone

import holidays as holidays_lib

from .errors import SlaError
from .schedule import load_zone

# Years a single load may span: a typing error (2206) must not create centuries of days.
MAX_YEARS = 10
_FIRST_YEAR = 1950
_LAST_YEAR = 2100


def subdivisions(country):
    """The subdivision codes the library knows for ``country`` (ISO 3166-1 alpha-2)."""
    entity = holidays_lib.list_supported_countries().get((country or "").upper())
    if entity is None:
        raise SlaError.of("holiday_country", country=country)
    return tuple(entity)


def _language(entity, lang):
    """The library's language closest to the Odoo ``lang`` (``fr_BE`` → ``fr``), or None."""
    if not lang:
        return None
    supported = getattr(entity, "supported_languages", ()) or ()
    for candidate in (lang, lang.split("_")[0]):
        if candidate in supported:
            return candidate
    return None


def check_years(years):
    """The sorted distinct years of ``years``, refused when empty, absurd or too many."""
    years = sorted({int(year) for year in years or ()})
    if not years:
        raise SlaError.of("holiday_years", first=_FIRST_YEAR, last=_LAST_YEAR, count=MAX_YEARS)
    if years[0] < _FIRST_YEAR or years[-1] > _LAST_YEAR or len(years) > MAX_YEARS:
        raise SlaError.of("holiday_years", first=_FIRST_YEAR, last=_LAST_YEAR, count=MAX_YEARS)
    return years


def year_span(first, last):
    """The years ``first`` to ``last`` included, refused as :func:`check_years` does
    (without building a list of a typing error's million years)."""
    if last < first:
        raise SlaError.of("holiday_years_reversed", first=first, last=last)
    if last - first >= MAX_YEARS:
        raise SlaError.of("holiday_years", first=_FIRST_YEAR, last=_LAST_YEAR, count=MAX_YEARS)
    return check_years(range(first, last + 1))


def public_holidays(country, years, tz, subdivision=None, lang=None):
    """``[(day, name, start, end)]`` of the public holidays of ``country``, by day.

    ``start``/``end``: the local day in ``tz`` from midnight to 23:59:59 (Odoo's
    convention for a day of time off) as aware UTC datetimes. ``name`` is in
    ``lang`` when the library has it, else in the country's own language.
    Several holidays on one day give one day, their names joined.
    """
    codes = subdivisions(country)
    if subdivision and subdivision.upper() not in codes:
        raise SlaError.of("holiday_subdivision", country=country, subdivision=subdivision)
    years = check_years(years)
    zone = load_zone(tz)
    country = country.upper()
    entity = getattr(holidays_lib, country, None)
    calendar = holidays_lib.country_holidays(
        country,
        subdiv=subdivision.upper() if subdivision else None,
        years=years,
        language=_language(entity, lang),
    )
    days = []
    for day in sorted(calendar):
        if day.year not in years:
            continue
        start = datetime.combine(day, time(0, 0), zone)
        end = datetime.combine(day, time(23, 59, 59), zone)
        days.append(
            (day, calendar[day], start.astimezone(timezone.utc), end.astimezone(timezone.utc))
        )
    return days


def missing(days, existing):
    """The ``days`` (as from :func:`public_holidays`) not yet closed by ``existing``.

    ``existing``: ``(start, end)`` aware intervals of the calendar's time off. A day
    whose middle already lies in one of them is closed: loading twice, or over a
    holiday typed by hand, creates nothing.
    """
    result = []
    for day in days:
        middle = day[2] + (day[3] - day[2]) / 2
        if not any(start <= middle <= end for start, end in existing):
            result.append(day)
    return result
