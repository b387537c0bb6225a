"""The ticket's product version and what its end of support means for the SLA."""

# One concern of the ticket per file, as Odoo splits its own models (mail/models/discuss/).
# pylint: disable=consider-merging-classes-inherited

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..engine import version_lapsed


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    product_version_id = fields.Many2one(
        "support.product.version",
        string="Product Version",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('company_id', '=', company_id)]",
        help="Supported version the ticket is about. A version past its end of support "
        "on the ticket's date is out of entitlement: no SLA deadline.",
    )

    @api.onchange("product_version_id")
    def _onchange_product_version_id(self):
        """The product named by the chosen version."""
        if self.product_version_id:
            self.sla_product = self.product_version_id.product_name

    @api.constrains("product_version_id", "company_id")
    def _check_product_version_company(self):
        """A ticket names a version its own company supports."""
        for ticket in self:
            version = ticket.product_version_id.sudo()
            if version and version.company_id != ticket.company_id:
                raise ValidationError(
                    _(
                        "%(version)s is a version of another company.",
                        version=version.display_name,
                    )
                )

    def _sla_version_lapsed(self):
        """Whether the ticket's version was past its end of support on the ticket's
        date (the customer's day, as for the contract)."""
        self.ensure_one()
        version = self.product_version_id.sudo()
        if not version.date_end_support:
            return False
        day = self._sla_customer()._sla_local_day(self.sla_start_date, self.company_id)
        return version_lapsed(version.date_end_support, day)
