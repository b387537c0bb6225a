from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    support_consulting_product_id = fields.Many2one(
        "product.product",
        string="Level 2 Consulting Product",
        domain="[('type', '=', 'service'), ('service_type', '=', 'timesheet'), "
        "('invoice_policy', '=', 'delivery')]",
        help="Service invoiced on timesheets, put on the customers' consulting sale orders.",
    )

    def _support_consulting_product(self):
        """The company's Level 2 consulting product, else the default one of the data."""
        self.ensure_one()
        return self.support_consulting_product_id or self.env.ref(
            "support_sla_escalation.product_level2_consulting", raise_if_not_found=False
        )
