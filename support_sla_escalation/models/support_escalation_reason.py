from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .support_escalation import SUPPORT_LEVEL_SELECTION


class SupportEscalationReason(models.Model):
    """Why a ticket changes level, whether the Level 2 work is billable, and why."""

    _name = "support.escalation.reason"
    _description = "Escalation Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    to_level = fields.Selection(
        SUPPORT_LEVEL_SELECTION,
        string="Moves To",
        required=True,
        default="l2",
        help="Level 2: a reason to escalate; Level 1: a reason to send the ticket back to "
        "Level 1 (never billable).",
    )
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
        [
            ("critical", "Critical issue"),
            ("dissatisfied", "Not satisfied with the support received"),
        ],
        string="Customer Request",
        help="The reason a customer picks when requesting an escalation from the portal; "
        "the customer reads this wording, not the reason's name.",
    )

    @api.constrains("to_level", "billable", "portal_code")
    def _check_back_to_level1(self):
        for reason in self.filtered(lambda r: r.to_level == "l1"):
            if reason.billable or reason.portal_code:
                raise ValidationError(
                    _(
                        "%s sends tickets back to Level 1: it is never billable nor offered "
                        "to customers.",
                        reason.name,
                    )
                )

    _sql_constraints = [
        (
            "portal_code_unique",
            "UNIQUE (portal_code)",
            "Only one reason can answer each kind of customer request.",
        ),
    ]
