"""Errors raised by the SLA engine, and the one sentence of each.

Every rule that refuses an input has a code and one sentence, a template with
named placeholders (``%(tz)s``) in :data:`MESSAGES`. The engine renders it in
English for ``str(error)``; the Odoo layer (``models/sla_error.py``) renders the
same template in the reader's language. ``_lt`` marks the templates for Odoo's
extraction of translatable terms, which reads ``_lt("...")`` calls in every
Python file of the addon: the terms, and their translations, live in the
addon's ``i18n`` files.
"""

from datetime import date, datetime, timezone

INVALID_INPUT = "invalid_input"


def _lt(source):
    """Mark ``source`` as a translatable term; the engine keeps it as it is."""
    return source


MESSAGES = {
    # Values of the wrong type: only a programming error produces them.
    INVALID_INPUT: _lt("The SLA engine refused its input: %(detail)s"),
    "no_working_time": _lt(
        "The working schedule has no working time at all; add at least one working window."
    ),
    "tz_required": _lt("A time zone is required."),
    "tz_unknown": _lt("Unknown time zone %(tz)s."),
    "window_hour": _lt("The hours of a working window must be within 0-24 h, got %(hour)s."),
    "window_reversed": _lt("A working window ends before it starts (%(start)s to %(end)s)."),
    "closure_reversed": _lt("A closed period ends before it starts (%(start)s to %(end)s)."),
    "pause_reversed": _lt("A pause ends before it starts (%(start)s to %(end)s)."),
    "pause_open": _lt("A pause that has not ended has no deadline yet."),
    "stop_before_start": _lt("The clock cannot stop (%(stop)s) before it starts (%(start)s)."),
    "target_not_positive": _lt(
        "An SLA target must be a positive duration, got %(minutes)s minutes."
    ),
    "duration_negative": _lt(
        "A business-time duration cannot be negative, got %(minutes)s minutes."
    ),
    "no_opening": _lt(
        "No working time found within %(years)s years after %(start)s: the holidays and "
        "closures of this schedule cover all of its working hours."
    ),
    "span_too_long": _lt("Business time can only be measured over at most %(years)s years."),
    "year_out_of_range": _lt(
        "Dates in the year %(year)s are outside what the SLA engine supports (%(first)s-%(last)s)."
    ),
    "date_out_of_range": _lt("That date is outside what the SLA engine supports."),
    "matrix_level": _lt(
        "Impact and urgency are high, medium or low; got impact %(impact)s, urgency %(urgency)s."
    ),
    "matrix_priority": _lt(
        "Unknown priority %(priority)s for impact %(impact)s, urgency %(urgency)s."
    ),
    "matrix_twice": _lt("The priority of impact %(impact)s, urgency %(urgency)s is given twice."),
    "matrix_missing": _lt("The priority matrix has no priority for (impact/urgency): %(cells)s."),
    "notice_days": _lt("The notice period must be a whole number of days, got %(days)s."),
    "before_package": _lt("%(date)s is before the start of the package (%(start)s)."),
    "hours_negative": _lt("Hours cannot be negative, got %(hours)s."),
    "onsite_share": _lt("The share of hours on site is a percentage (0-100), got %(share)s."),
    "onsite_visits": _lt("The number of on-site visits cannot be negative, got %(visits)s."),
    "holiday_country": _lt("The holidays library has no public holidays for country %(country)s."),
    "holiday_subdivision": _lt(
        "The holidays library has no subdivision %(subdivision)s for country %(country)s."
    ),
    "holiday_years_reversed": _lt(
        "The last year of public holidays (%(last)s) comes before the first one (%(first)s)."
    ),
    "holiday_years": _lt(
        "Give between 1 and %(count)s years of public holidays, within %(first)s-%(last)s."
    ),
}
"""``{code: sentence template}`` of every refusal."""


def english(value):
    """A parameter of a sentence as the engine writes it: instants in UTC, ISO dates."""
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            return f"{value.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC"
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class SlaError(ValueError):
    """Bad input or an impossible request.

    ``code`` names the rule that refused the input and ``params`` its values, so
    that the Odoo layer can say the same in the reader's language; ``str(error)``
    is the English sentence (logs, engine tests). Raise a rule's refusal with
    :meth:`of`, which writes its sentence of :data:`MESSAGES`;
    ``SlaError(detail)`` is an ``invalid_input``: a value of the wrong type, which
    only a programming error can produce, described in ``detail``.
    """

    def __init__(self, message, code=INVALID_INPUT, **params):
        super().__init__(message)
        self.code = code
        self.params = params

    @classmethod
    def of(cls, code, **params):
        """The refusal of rule ``code`` with its values, its sentence in English."""
        sentence = MESSAGES[code] % {name: english(value) for name, value in params.items()}
        return cls(sentence, code, **params)
