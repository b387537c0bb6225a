from odoo import fields, models


class SupportSlaRetimeQueue(models.Model):
    """Tickets waiting to be re-timed after a change of SLA configuration.

    A narrow table rather than a flag on the (wide, much indexed) tickets:
    queuing 100,000 tickets is one cheap INSERT, and each ticket row is then
    written once, by its re-timing. Filled and emptied in SQL by
    ``helpdesk.ticket`` (``_sla_retime``, ``_cron_sla_retime``).
    """

    _name = "support.sla.retime.queue"
    _description = "Tickets to Re-time"
    _log_access = False

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=False, readonly=True
    )
    refresh = fields.Boolean(
        readonly=True, help="Recompute the ticket's tier, time zone and matrix priority too."
    )

    _sql_constraints = [
        ("ticket_uniq", "unique (ticket_id)", "A ticket is queued once."),
    ]
