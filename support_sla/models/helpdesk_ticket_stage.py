from odoo import fields, models


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    sla_pause = fields.Boolean(
        string="Pauses SLA",
        help="Waiting on the customer: time spent in this stage does not count "
        "towards the SLA targets.",
    )
