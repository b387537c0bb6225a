"""The outcome of a portal POST, said once on the page it redirects to (flash).

The POST route stores the message in the session and redirects (303); the ticket
page pops it. A reload shows nothing more, and a URL cannot make the page say
anything: the message never travels in it.
"""

from odoo.http import request

OUTCOME_KEY = "support_sla_outcome"
LEVELS = ("success", "warning", "danger")


def say_once(ticket_id, text, level="success"):
    """Store ``text`` to be shown once on the page of ticket ``ticket_id``."""
    request.session[OUTCOME_KEY] = {
        "ticket_id": ticket_id,
        "level": level if level in LEVELS else "warning",
        "text": str(text),
    }


def redirect_saying(ticket_id, text, level="success", code=303):
    """Back to the ticket page, which says ``text`` once."""
    say_once(ticket_id, text, level)
    return request.redirect(f"/my/ticket/{ticket_id}", code=code)


def pop_outcome(ticket_id):
    """The outcome stored for ticket ``ticket_id`` (consumed), or None."""
    if OUTCOME_KEY not in request.session:
        return None
    outcome = request.session.pop(OUTCOME_KEY)
    return outcome if outcome.get("ticket_id") == ticket_id else None
