from odoo import fields, models


class SupportEscalationReason(models.Model):
    """Why a ticket changes level, whether the Level 2 work is billable, and why."""

    _name = "support.escalation.reason"
    _description = "Escalation Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    billable = fields.Boolean(
        help="Level 2 work on a ticket escalated for this reason is charged to the customer "
        "(beyond their prepaid hours)."
    )
    customer_explanation = fields.Text(
        translate=True,
        help="Shown to the customer on the portal ticket page: why the work is (or is not) "
        "charged.",
    )
    rnd_involved = fields.Boolean(
        string="R&D Involved",
        help="Escalating for this reason marks the ticket as handed to R&D: the fix may only "
        "come in a future patch.",
    )
    portal_code = fields.Selection(
        [("critical", "Critical issue"), ("dissatisfied", "Not satisfied with the support")],
        help="The reason a customer picks when requesting an escalation from the portal.",
    )

    _sql_constraints = [
        (
            "portal_code_unique",
            "UNIQUE (portal_code)",
            "Only one reason can answer each kind of customer request.",
        ),
    ]
