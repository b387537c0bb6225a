from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    support_consulting_product_id = fields.Many2one(
        related="company_id.support_consulting_product_id", readonly=False
    )
