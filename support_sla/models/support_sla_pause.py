from odoo import api, fields, models

from ..tools.display import duration_text


class SupportSlaPause(models.Model):
    """A time span a ticket spent waiting on the customer (an SLA-pausing stage)."""

    _name = "support.sla.pause"
    _description = "SLA Pause"
    _order = "ticket_id, date_start"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="ticket_id.company_id", store=True)
    stage_id = fields.Many2one("helpdesk.ticket.stage", string="Stage", readonly=True)
    date_start = fields.Datetime(string="Waiting Since", required=True, readonly=True)
    date_end = fields.Datetime(
        string="Until", readonly=True, help="Empty while the ticket still waits."
    )
    duration_text = fields.Char(
        string="Waited",
        compute="_compute_duration_text",
        help="Calendar time waited; only its business hours pause the SLA.",
    )

    @api.depends("date_start", "date_end")
    @api.depends_context("lang")
    def _compute_duration_text(self):
        """Time spent waiting (calendar time, up to now while still waiting)."""
        now = fields.Datetime.now()
        for pause in self:
            seconds = ((pause.date_end or now) - pause.date_start).total_seconds()
            pause.duration_text = duration_text(self.env, seconds // 60)
