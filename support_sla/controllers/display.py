"""How SLA values read for a portal customer: their time zone and language."""

import pytz

from odoo.tools import format_datetime
from odoo.tools.misc import babel_locale_parse, get_lang

from ..engine import (
    PRIORITY_LABELS,
    STATUS_BREACHED,
    STATUS_NONE,
    STATUS_PAUSED,
    STATUS_RUNNING,
)

LIVE = (STATUS_RUNNING, STATUS_PAUSED)


def customer_tz(env, fallback=None):
    """The visitor's own time zone, else ``fallback`` (the ticket's), else UTC."""
    user = env.user
    tz = (not user._is_public() and user.tz) or fallback or "UTC"
    return tz if tz in pytz.all_timezones_set else "UTC"


def minute_pattern(env):
    """The reader's medium date with a short time: to the minute, no seconds."""
    locale = babel_locale_parse(get_lang(env).code)
    return locale.datetime_formats["medium"].format(
        locale.time_formats["short"].pattern, locale.date_formats["medium"].pattern
    )


def local_text(env, value, tz):
    """A stored UTC datetime in ``tz`` and the reader's language, to the minute."""
    return format_datetime(env, value, tz=tz, dt_format=minute_pattern(env)) if value else ""


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
        "met": env._("Met"),
        STATUS_BREACHED: env._("Breached"),
    }


def ticket_sla(env, ticket):
    """What the portal shows of a ticket's SLA (``ticket`` read with sudo)."""
    tz = customer_tz(env, ticket.sla_tz)
    labels = status_labels(env)
    clocks = {}
    for clock in ("response", "resolve"):
        status = ticket[f"sla_{clock}_status"]
        left = ""
        if status in LIVE:
            overdue, minutes = ticket._sla_time_left(clock)
            text = ticket._sla_duration_text(minutes)
            if overdue:
                left = env._("overdue by %s", text)
                # Past its deadline a running clock is breached, whether or not the
                # scheduled check has marked it yet: state and wording agree.
                if status == STATUS_RUNNING:
                    status = STATUS_BREACHED
            else:
                left = env._("%(time)s left", time=text)
        clocks[clock] = {
            "status": status,
            "status_label": labels.get(status, ""),
            "deadline": local_text(env, ticket[f"sla_{clock}_deadline"], tz),
            "left": left,
        }
    user = ticket.priority_override_user_id
    if not ticket.priority_overridden:
        override_by = ""
    elif user == env.user:
        override_by = env._("you")
    elif user.share:
        override_by = user.name
    else:
        override_by = env._("the support team")
    product = [ticket.sla_product]
    if ticket.sla_client_version:
        product.append(env._("client %s", ticket.sla_client_version))
    if ticket.sla_server_version:
        product.append(env._("server %s", ticket.sla_server_version))
    return {
        "tz": tz,
        "product": ", ".join(part for part in product if part),
        "priority_label": PRIORITY_LABELS.get(ticket.priority, ""),
        "matrix_label": PRIORITY_LABELS.get(ticket.matrix_priority, ""),
        "override_by": override_by,
        "no_sla_note": ticket.sla_coverage != "covered" and ticket.sla_note,
        "response": clocks["response"],
        "resolve": clocks["resolve"],
        "callback_date": local_text(env, ticket.sla_callback_date, tz),
    }
