"""The engine's refusals (``SlaError``) in the reader's language."""

from datetime import date, datetime, timezone

from odoo.tools.misc import format_date, format_datetime

from ..engine.errors import INVALID_INPUT, MESSAGES


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

    The sentence is the engine's template for the error's code (``MESSAGES``,
    whose terms and translations are the addon's); ``tz`` is the zone in which
    its dates are shown (the reader's by default).
    """
    template = MESSAGES.get(error.code)
    if template is None or error.code == INVALID_INPUT:
        # Values of the wrong type: a programming error, reported with its detail.
        return env._(MESSAGES[INVALID_INPUT], detail=str(error))
    params = {name: _param_text(env, value, tz) for name, value in error.params.items()}
    return env._(template, **params)
