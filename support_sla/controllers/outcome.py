"""The outcome of a portal POST on a ticket: one value, ``{level, text}``, shown by
the ticket page's one alert block (``sla_outcome``).

Done: the route stores the outcome in the session and redirects (303); the ticket
page pops it, so a reload shows nothing more (flash). Refused by the model: the
page is rendered again with a 4xx status and the outcome, nothing written. A URL
cannot make the page say anything: the message never travels in it.
"""

from odoo.http import request

OUTCOME_KEY = "support_sla_outcome"
LEVELS = ("success", "warning", "danger")


def outcome(text, level="success"):
    """The value the ticket page's alert block shows."""
    return {"level": level if level in LEVELS else "warning", "text": str(text)}


def say_once(ticket_id, text, level="success"):
    """Store ``text`` to be shown once on the page of ticket ``ticket_id``."""
    request.session[OUTCOME_KEY] = {"ticket_id": ticket_id, **outcome(text, level)}


def redirect_saying(ticket_id, text, level="success", code=303):
    """Back to the ticket page, which says ``text`` once."""
    say_once(ticket_id, text, level)
    return request.redirect(f"/my/ticket/{ticket_id}", code=code)


def pop_outcome(ticket_id):
    """The outcome stored for ticket ``ticket_id`` (consumed), or None."""
    if OUTCOME_KEY not in request.session:
        return None
    stored = request.session.pop(OUTCOME_KEY)
    if stored.get("ticket_id") != ticket_id:
        return None
    return outcome(stored.get("text", ""), stored.get("level"))
