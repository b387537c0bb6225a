from odoo import fields, models


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    sla_acknowledge = fields.Boolean(
        string="Acknowledge New Tickets",
        default=True,
        help="E-mail the customer an acknowledgement of each new ticket of the team, "
        "with its reference, priority and promised first-response time.",
    )
