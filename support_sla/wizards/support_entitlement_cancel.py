from odoo import fields, models


class SupportEntitlementCancel(models.TransientModel):
    """Confirmation of a contract's cancellation, with buttons that say what they do."""

    _name = "support.entitlement.cancel"
    _description = "Cancel Support Contracts"

    entitlement_ids = fields.Many2many("support.entitlement", string="Contracts", required=True)

    def action_confirm(self):
        self.entitlement_ids.action_cancel()
        return {"type": "ir.actions.act_window_close"}
