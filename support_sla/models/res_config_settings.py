from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sla_warning_percent = fields.Integer(related="company_id.sla_warning_percent", readonly=False)
    support_portal_team_id = fields.Many2one(
        related="company_id.support_portal_team_id", readonly=False
    )
