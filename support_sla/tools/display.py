"""How SLA values read: durations, time left, moments in a time zone, colors.

The one home of the wording and the colors that the ticket form, list and card,
the chatter notes, the activities and the portal share. Plain functions of an
environment (its language) and values: no record is read here.
"""

import functools

import babel.dates
import pytz

from odoo.tools.misc import babel_locale_parse, get_lang

from ..engine import STATUS_BREACHED, STATUS_MET, STATUS_NONE, STATUS_PAUSED, STATUS_RUNNING

# Colour of each clock status and ticket SLA state, as Bootstrap names them (badges,
# ``text-bg-*``); list and form decorations read the same names. A pause waits on
# the customer: muted everywhere, never a warning.
STATUS_COLORS = {
    STATUS_NONE: "secondary",
    STATUS_RUNNING: "info",
    STATUS_PAUSED: "secondary",
    STATUS_MET: "success",
    STATUS_BREACHED: "danger",
}
STATE_COLORS = {
    "breached": "danger",
    "at_risk": "warning",
    "out_of_entitlement": "warning",
    "paused": "secondary",
    "on_track": "success",
    "met": "success",
    "contract_expired": "secondary",
    "no_contract": "secondary",
    "no_target": "secondary",
}
# Selection of the color fields, for the views.
COLOR_SELECTION = [
    ("secondary", "Muted"),
    ("info", "Info"),
    ("success", "Success"),
    ("warning", "Warning"),
    ("danger", "Danger"),
]


def duration_text(env, minutes):
    """Business minutes as the reader says them: "2 h 15 min", "3 h", "40 min"."""
    hours, minutes = divmod(round(abs(minutes)), 60)
    if hours and minutes:
        return env._("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)
    if hours:
        return env._("%s h", hours)
    return env._("%s min", minutes)


def time_left(remaining_hours):
    """``(overdue, minutes)`` of a clock: whole minutes left, or overdue by.

    Rounded up, so that a clock at or past its deadline is overdue by at least a
    minute and one still running has at least a minute left: the wording always
    agrees with the state (never "overdue by 0 min").
    """
    seconds = round(remaining_hours * 3600)
    return seconds <= 0, max(1, -(-abs(seconds) // 60))


def time_left_text(env, remaining_hours, say_left=False):
    """``(overdue, text)``: "overdue by 40 min", else "2 h" ("2 h left" with ``say_left``)."""
    overdue, minutes = time_left(remaining_hours)
    text = duration_text(env, minutes)
    if overdue:
        return True, env._("overdue by %s", text)
    return False, env._("%(time)s left", time=text) if say_left else text


def zone_text(env, value, tz):
    """A stored UTC moment in ``tz``, short, followed by the zone: for agents, who
    read it beside their own time."""
    return zone_texts(env, [(value, tz)]).get((value, tz), False)


def zone_texts(env, moments):
    """``{(value, tz): text}`` of :func:`zone_text` for many ``(value, tz)``: the
    language and its locale are looked up once, not once per moment (batch jobs, lists)."""
    locale = babel_locale_parse(get_lang(env).code)
    zones = {}
    texts = {}
    for value, tz in moments:
        if not value or (value, tz) in texts:
            continue
        name = tz or env.user.tz or "UTC"
        if name not in zones:
            zones[name] = pytz.timezone(name) if name in pytz.all_timezones_set else pytz.utc
        local = pytz.utc.localize(value, is_dst=False).astimezone(zones[name])
        short = babel.dates.format_datetime(local, "short", locale=locale)
        texts[value, tz] = f"{short} ({tz})"
    return texts


def customer_tz(env, fallback=None):
    """The visitor's own time zone, else ``fallback`` (the ticket's), else UTC."""
    return known_tz(visitor_tz(env) or fallback)


def visitor_tz(env):
    """The signed-in visitor's own time zone, or False (a page of tickets asks once)."""
    user = env.user
    return not user._is_public() and user.tz


def known_tz(tz):
    """``tz`` if it names a time zone, else UTC."""
    return tz if tz and tz in pytz.all_timezones_set else "UTC"


def minute_pattern(env):
    """The reader's medium date with a short time: to the minute, no seconds."""
    return _minute_pattern(get_lang(env).code)


@functools.lru_cache(maxsize=64)
def _minute_pattern(lang_code):
    """:func:`minute_pattern` of a language: babel's locale data never changes."""
    locale = babel_locale_parse(lang_code)
    return locale.datetime_formats["medium"].format(
        locale.time_formats["short"].pattern, locale.date_formats["medium"].pattern
    )


def local_text(env, value, tz):
    """A stored UTC datetime in ``tz`` and the reader's language, to the minute: for
    customers, in their own zone."""
    return local_texts(env)(value, tz)


def local_texts(env):
    """:func:`local_text` as a function of ``(value, tz)``, the reader's language and
    pattern looked up once: a page of tickets says hundreds of moments. As Odoo's
    ``format_datetime`` says them (an unknown zone: UTC)."""
    code = get_lang(env).code
    locale = babel_locale_parse(code)
    pattern = _minute_pattern(code)
    default_tz = env.user.tz or "UTC"

    def text(value, tz):
        if not value:
            return ""
        moment = pytz.utc.localize(value, is_dst=False)
        try:
            zone = pytz.timezone(tz or default_tz)
        except pytz.UnknownTimeZoneError:
            zone = pytz.utc
        return babel.dates.format_datetime(moment.astimezone(zone), pattern, locale=locale)

    return text


def local_iso(value, tz):
    """A stored UTC datetime as ISO 8601 with the UTC offset of ``tz``."""
    if not value:
        return None
    return pytz.utc.localize(value).astimezone(pytz.timezone(tz)).isoformat()


def status_labels(env):
    """Clock statuses as a customer reads them."""
    return {
        STATUS_NONE: env._("No response time applies"),
        STATUS_RUNNING: env._("Running"),
        STATUS_PAUSED: env._("Paused while waiting for you"),
        STATUS_MET: env._("Met"),
        STATUS_BREACHED: env._("Breached"),
    }
