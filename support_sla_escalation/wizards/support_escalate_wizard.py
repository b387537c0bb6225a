from odoo import api, fields, models

from ..models.support_escalation import SUPPORT_LEVEL_SELECTION


class SupportEscalateWizard(models.TransientModel):
    """An agent moves a ticket to another level, saying why."""

    _name = "support.escalate.wizard"
    _description = "Escalate a Ticket"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, readonly=True)
    current_level = fields.Selection(related="ticket_id.support_level")
    to_level = fields.Selection(SUPPORT_LEVEL_SELECTION, string="To", required=True, default="l2")
    team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Team",
        compute="_compute_team_id",
        store=True,
        readonly=False,
        domain="[('support_level', '=', to_level)]",
        help="Team receiving the ticket: the configured one by default (Level 2 team or "
        "senior analysts).",
    )
    reason_id = fields.Many2one(
        "support.escalation.reason",
        string="Reason",
        required=True,
        compute="_compute_reason_id",
        store=True,
        readonly=False,
        domain="[('to_level', '=', to_level)]",
    )
    billable = fields.Boolean(related="reason_id.billable")
    customer_explanation = fields.Text(related="reason_id.customer_explanation")
    note = fields.Text()

    @api.depends("ticket_id", "to_level")
    def _compute_team_id(self):
        for wizard in self:
            wizard.team_id = (
                wizard.ticket_id
                and wizard.to_level
                and wizard.ticket_id._escalation_target_team(wizard.to_level)
            )

    @api.depends("to_level")
    def _compute_reason_id(self):
        # Escalation and de-escalation have their own reasons.
        for wizard in self:
            if wizard.reason_id.to_level != wizard.to_level:
                wizard.reason_id = False

    def action_confirm(self):
        self.ensure_one()
        self.ticket_id._escalate(
            self.to_level, self.reason_id, note=self.note, origin="agent", team=self.team_id
        )
        return {"type": "ir.actions.act_window_close"}
