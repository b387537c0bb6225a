"""What the portal shows of a ticket's SLA, in the customer's time zone and language."""

from ..engine import PRIORITY_LABELS, STATUS_BREACHED, STATUS_RUNNING
from ..models.helpdesk_ticket_sla_clock import LIVE
from ..tools.display import (
    STATUS_COLORS,
    known_tz,
    local_texts,
    status_labels,
    time_left_text,
    visitor_tz,
)


def page_sla(env):
    """What :func:`ticket_sla` needs of the visitor, looked up once for a page of tickets."""
    return {
        "visitor_tz": visitor_tz(env),
        "labels": status_labels(env),
        "local_text": local_texts(env),
    }


def ticket_sla(env, ticket, page=None):
    """What the portal shows of a ticket's SLA (``ticket`` read with sudo); ``page``:
    :func:`page_sla`, when a list shows many tickets."""
    page = page or page_sla(env)
    tz = known_tz(page["visitor_tz"] or ticket.sla_tz)
    labels = page["labels"]
    local_text = page["local_text"]
    clocks = {}
    for clock in ("response", "resolve"):
        status = ticket[f"sla_{clock}_status"]
        left = ""
        if status in LIVE:
            overdue, left = time_left_text(env, ticket[f"sla_{clock}_remaining"], say_left=True)
            # Past its deadline a running clock is breached, whether or not the
            # scheduled check has marked it yet: state and wording agree.
            if overdue and status == STATUS_RUNNING:
                status = STATUS_BREACHED
        clocks[clock] = {
            "status": status,
            "color": STATUS_COLORS[status],
            "status_label": labels.get(status, ""),
            "deadline": local_text(ticket[f"sla_{clock}_deadline"], tz),
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
    version = ticket.product_version_id.sudo()
    product = [version.display_name if version else ticket.sla_product]
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
        "callback_date": local_text(ticket.sla_callback_date, tz),
    }
