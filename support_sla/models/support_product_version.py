from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date


class SupportProductVersion(models.Model):
    """A product version the company supports, and until when (Ivanti: "supported
    versions and their end-of-life dates are published")."""

    _name = "support.product.version"
    _inherit = ["support.sla.retime.mixin"]
    _description = "Supported Product Version"
    _order = "product_name, date_release desc, name desc, id desc"
    _sla_retime_ticket_field = "product_version_id"
    # A moved end of support moves the tickets in or out of entitlement.
    _sla_retime_fields = frozenset({"date_end_support"})

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    product_name = fields.Char(
        string="Product", required=True, help="Product as the customers name it on the portal."
    )
    name = fields.Char(string="Version", required=True)
    date_release = fields.Date(string="Release Date")
    date_end_support = fields.Date(
        string="End of Support",
        help="Last day the version is supported. A ticket received later on this "
        "version is out of entitlement (best effort). Empty: no end announced.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "version_uniq",
            "unique (company_id, product_name, name)",
            "This version of the product is already listed.",
        ),
    ]

    @api.depends("product_name", "name")
    def _compute_display_name(self):
        for version in self:
            version.display_name = f"{version.product_name} {version.name}"

    @api.constrains("date_release", "date_end_support")
    def _check_dates(self):
        for version in self:
            if (
                version.date_release
                and version.date_end_support
                and version.date_end_support < version.date_release
            ):
                raise ValidationError(
                    _(
                        "%(version)s: the end of support cannot come before the release.",
                        version=version.display_name,
                    )
                )

    def _sla_portal_label(self):
        """The version as the portal offers it, with its end of support."""
        self.ensure_one()
        if not self.date_end_support:
            return self.display_name
        return _(
            "%(version)s (supported until %(date)s)",
            version=self.display_name,
            date=format_date(self.env, self.date_end_support),
        )
