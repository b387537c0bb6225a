from odoo import _, api, fields, models
from odoo.tools import ormcache


class SupportTier(models.Model):
    """A support level sold to customers: Basic, Standard, Premium, ..."""

    _name = "support.tier"
    _inherit = ["support.coverage.mixin", "support.sla.retime.mixin"]
    _description = "Support Tier"
    _order = "sequence, id"
    _check_company_auto = True
    _sla_retime_ticket_field = "tier_id"
    # Targets re-time their own tickets (support.tier.target).
    _sla_retime_fields = frozenset({"calendar_id", "channel_ids", "email_opens_tickets", "active"})

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short code used in reports and imports.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        help="Leave empty to offer this tier in every company.",
    )
    channel_ids = fields.Many2many(
        "helpdesk.ticket.channel",
        string="Channels",
        help="Channels included in the tier. A ticket received through another channel "
        "is flagged out of entitlement and gets no SLA deadline.",
    )
    email_opens_tickets = fields.Boolean(
        string="E-mail Opens New Tickets",
        default=True,
        help="Untick when e-mail only updates existing tickets: a new ticket opened by "
        "e-mail is still created, but flagged out of entitlement, and its "
        "acknowledgement asks the customer to use the web portal or the phone.",
    )
    priority_handling = fields.Boolean(
        help="Requests of this tier's customers are handled before the others."
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Coverage Hours",
        check_company=True,
        help="Working hours during which the SLA clocks run, read in the customer's "
        "time zone. Leave empty for 24x7 coverage.",
    )
    target_ids = fields.One2many("support.tier.target", "tier_id", string="Targets", copy=True)
    description = fields.Html(
        string="Included Services",
        translate=True,
        help="What the tier includes (maintenance, upgrades, training); shown to customers.",
    )
    entitlement_ids = fields.One2many("support.entitlement", "tier_id")
    entitlement_count = fields.Integer(compute="_compute_entitlement_count")
    coverage_label = fields.Char(compute="_compute_coverage_label")

    _sql_constraints = [
        ("code_company_uniq", "unique (code, company_id)", "A tier code must be unique."),
    ]

    @api.depends("entitlement_ids")
    def _compute_entitlement_count(self):
        """Number of entitlements on this tier, in any state."""
        counts = dict(
            self.env["support.entitlement"]._read_group(
                [("tier_id", "in", self.ids)], ["tier_id"], ["__count"]
            )
        )
        for tier in self:
            tier.entitlement_count = counts.get(tier, 0)

    @api.depends("calendar_id")
    def _compute_coverage_label(self):
        """Coverage in words: the calendar's name, or 24x7."""
        for tier in self:
            tier.coverage_label = tier.calendar_id.name or _("24x7")

    @api.model_create_multi
    def create(self, vals_list):
        tiers = super().create(vals_list)
        self.env.registry.clear_cache()  # the cached setup of _sla_setup
        return tiers

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()  # the cached setup of _sla_setup
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()  # the cached setup of _sla_setup
        return result

    def _sla_retime_tickets(self):
        self.env.registry.clear_cache()  # re-timed with the tiers' new channels
        return super()._sla_retime_tickets()

    @api.model
    @ormcache()
    def _sla_setup(self):
        """``{tier id: (ids of its active channels, {priority: target id})}`` of every
        tier, kept by the registry.

        Every ticket evaluation (a page of tickets, a form, a new ticket) needs them
        and they seldom change: read once per worker, not per request (4 queries).
        A change of a tier, of a target's tier or priority, or of a channel clears
        the cache; Odoo tells the other workers.
        """
        tiers = self.sudo().with_context(active_test=False).search([])
        tiers = tiers.with_context(active_test=True)  # archived channels are not included
        return {
            tier.id: (
                frozenset(tier.channel_ids.ids),
                {target.priority: target.id for target in tier.target_ids},
            )
            for tier in tiers
        }

    def _sla_channel_sets(self):
        """``{tier id: ids of its active channels}`` of these tiers."""
        setup = self._sla_setup()
        return {
            tier.id: set(setup[tier.id][0]) if tier.id in setup else set(tier.channel_ids.ids)
            for tier in self
        }

    def _sla_includes_channel(self, channel_id, channels=None):
        """Whether the tier includes the channel ``channel_id``: one of its active
        channels, or any channel when it lists none. ``channels``: the tier's
        channel ids (:meth:`_sla_channel_sets`), when a batch has read them."""
        if channels is None:
            channels = self._sla_channel_sets().get(self.id, set())
        return not channels or channel_id in channels

    def _target_for(self, priority):
        """The target line of ``priority``, or an empty recordset."""
        self.ensure_one()
        setup = self._sla_setup().get(self.id)
        if setup is None:  # a tier not saved yet
            return self.target_ids.filtered(lambda target: target.priority == priority)[:1]
        target_id = setup[1].get(priority)
        return self.env["support.tier.target"].browse(target_id and [target_id])

    def action_view_entitlements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "support_sla.support_entitlement_action"
        )
        action["domain"] = [("tier_id", "=", self.id)]
        action["context"] = {"default_tier_id": self.id}
        return action
