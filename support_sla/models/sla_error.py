"""The engine's refusals (``SlaError``) in the reader's language."""

from datetime import date, datetime, timezone

from odoo.tools.misc import format_date, format_datetime

from ..engine.errors import INVALID_INPUT


def _param_text(env, value, tz):
    """A parameter as the reader reads it: dates in their language and zone."""
    if isinstance(value, datetime):
        if value.tzinfo:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return format_datetime(env, value, tz=tz, dt_format="short")
    if isinstance(value, date):
        return format_date(env, value)
    return str(value)


def sla_error_message(env, error, tz=False):
    """Sentence of ``error`` (an engine ``SlaError``) in ``env``'s language.

    ``tz`` is the zone in which its dates are shown (the reader's by default).
    """
    params = {name: _param_text(env, value, tz) for name, value in error.params.items()}
    messages = {
        "no_working_time": lambda: env._(
            "The working schedule has no working time at all; add at least one working window."
        ),
        "tz_required": lambda: env._("A time zone is required."),
        "tz_unknown": lambda: env._("Unknown time zone %(tz)s.", **params),
        "window_hour": lambda: env._(
            "The hours of a working window must be within 0-24 h, got %(hour)s.", **params
        ),
        "window_reversed": lambda: env._(
            "A working window ends before it starts (%(start)s to %(end)s).", **params
        ),
        "closure_reversed": lambda: env._(
            "A closed period ends before it starts (%(start)s to %(end)s).", **params
        ),
        "pause_reversed": lambda: env._(
            "A pause ends before it starts (%(start)s to %(end)s).", **params
        ),
        "pause_open": lambda: env._("A pause that has not ended has no deadline yet."),
        "stop_before_start": lambda: env._(
            "The clock cannot stop (%(stop)s) before it starts (%(start)s).", **params
        ),
        "target_not_positive": lambda: env._(
            "An SLA target must be a positive duration, got %(minutes)s minutes.", **params
        ),
        "duration_negative": lambda: env._(
            "A business-time duration cannot be negative, got %(minutes)s minutes.", **params
        ),
        "no_opening": lambda: env._(
            "No working time found within %(years)s years after %(start)s: the holidays and "
            "closures of this schedule cover all of its working hours.",
            **params,
        ),
        "span_too_long": lambda: env._(
            "Business time can only be measured over at most %(years)s years.", **params
        ),
        "year_out_of_range": lambda: env._(
            "Dates in the year %(year)s are outside what the SLA engine supports "
            "(%(first)s-%(last)s).",
            **params,
        ),
        "date_out_of_range": lambda: env._("That date is outside what the SLA engine supports."),
        "matrix_level": lambda: env._(
            "Impact and urgency are high, medium or low; got impact %(impact)s, "
            "urgency %(urgency)s.",
            **params,
        ),
        "matrix_priority": lambda: env._(
            "Unknown priority %(priority)s for impact %(impact)s, urgency %(urgency)s.", **params
        ),
        "matrix_twice": lambda: env._(
            "The priority of impact %(impact)s, urgency %(urgency)s is given twice.", **params
        ),
        "matrix_missing": lambda: env._(
            "The priority matrix has no priority for (impact/urgency): %(cells)s.", **params
        ),
        "notice_days": lambda: env._(
            "The notice period must be a whole number of days, got %(days)s.", **params
        ),
        "before_package": lambda: env._(
            "%(date)s is before the start of the package (%(start)s).", **params
        ),
        "hours_negative": lambda: env._("Hours cannot be negative, got %(hours)s.", **params),
    }
    message = messages.get(error.code)
    if message is None or error.code == INVALID_INPUT:
        # Values of the wrong type: a programming error, reported with its detail.
        return env._("The SLA engine refused its input: %(detail)s", detail=str(error))
    return message()
