import pytz

from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    support_entitlement_ids = fields.One2many(
        "support.entitlement", "partner_id", string="Support Entitlements"
    )
    support_entitlement_id = fields.Many2one(
        "support.entitlement",
        string="Current Entitlement",
        compute="_compute_support_entitlement_id",
        help="The support contract covering this customer today.",
    )
    support_tier_id = fields.Many2one(
        "support.tier",
        string="Support Tier",
        compute="_compute_support_entitlement_id",
        help="Tier applied to this customer's tickets today; empty: no support contract.",
    )

    @api.depends("commercial_partner_id.support_entitlement_ids.state")
    @api.depends_context("tz", "company")
    def _compute_support_entitlement_id(self):
        """Entitlement of the commercial entity covering today in the current company."""
        today = fields.Date.context_today(self)
        company = self.env.company.id
        found = self.env["support.entitlement"]._find_covering(
            {(partner.commercial_partner_id.id, today, company) for partner in self}
        )
        for partner in self:
            entitlement = found.get((partner.commercial_partner_id.id, today, company))
            if entitlement and entitlement.state == "expired":
                entitlement = entitlement.browse()
            partner.support_entitlement_id = entitlement
            partner.support_tier_id = entitlement.effective_tier_id

    def _sla_tz(self, company=None):
        """``(zone, assumed)``: the time zone the customer's day is read in.

        The contact's zone, else its company's; without either the zone of
        ``company`` (the support company) is assumed, UTC as the last resort. The one
        fallback of the SLA: contracts, tickets and the day a contract covers use it.
        """
        own = self.tz or self.commercial_partner_id.tz
        if own:
            return own, False
        company = company or self.env.company
        return company.partner_id.tz or "UTC", True

    def _sla_local_day(self, moment=None, company=None, zones=None):
        """The customer's calendar day at ``moment`` (naive UTC; now if empty).

        ``zones``: ``{(partner id, company id): zone}`` kept over a batch, which
        asks for many tickets of a few customers.
        """
        key = (self.id, company.id if company else False)
        zone = zones.get(key) if zones is not None else None
        if zone is None:
            zone = pytz.timezone(self._sla_tz(company)[0])
            if zones is not None:
                zones[key] = zone
        return pytz.utc.localize(moment or fields.Datetime.now()).astimezone(zone).date()
