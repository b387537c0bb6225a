from odoo import fields, models


class SupportSlaPause(models.Model):
    """A time span a ticket spent waiting on the customer (an SLA-pausing stage)."""

    _name = "support.sla.pause"
    _description = "SLA Pause"
    _order = "ticket_id, date_start"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="ticket_id.company_id", store=True)
    stage_id = fields.Many2one("helpdesk.ticket.stage", readonly=True)
    date_start = fields.Datetime(required=True, readonly=True)
    date_end = fields.Datetime(readonly=True, help="Empty while the ticket still waits.")
