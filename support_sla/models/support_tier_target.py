from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

# Changing one of these re-times the open tickets of the target.
SLA_FIELDS = {"tier_id", "priority", "response_minutes", "resolve_minutes", "calendar_id"}


class SupportTierTarget(models.Model):
    """How fast one priority of a tier must be answered and resolved."""

    _name = "support.tier.target"
    _inherit = ["support.priority.level.mixin", "support.coverage.mixin"]
    _description = "Support Tier Target"
    _order = "tier_id, priority desc"
    _check_company_auto = True

    tier_id = fields.Many2one("support.tier", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="tier_id.company_id", store=True)
    response_minutes = fields.Integer(
        string="Response (minutes)",
        required=True,
        help="Business time from the ticket's creation to the first public reply.",
    )
    resolve_minutes = fields.Integer(
        string="Resolution (minutes)",
        help="Business time from the ticket's creation to a closed stage; 0 for none.",
    )
    # Entered and shown as hours:minutes, stored in minutes.
    response_time = fields.Float(
        compute="_compute_times",
        inverse="_inverse_response_time",
        help="Business time from the ticket's creation to the first public reply (hours:minutes).",
    )
    resolve_time = fields.Float(
        string="Resolution Time",
        compute="_compute_times",
        inverse="_inverse_resolve_time",
        help="Business time from the ticket's creation to a closed stage (hours:minutes); "
        "00:00 for none.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Coverage Override",
        check_company=True,
        help="Coverage hours of this priority only (e.g. P1 on a 24/7 calendar while the "
        "other priorities follow business hours). Empty: the tier's coverage.",
    )

    _sql_constraints = [
        (
            "tier_priority_uniq",
            "unique (tier_id, priority)",
            "A tier has one target per priority.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        targets = super().create(vals_list)
        self.env.registry.clear_cache()  # the tiers' targets cached by support.tier._sla_setup
        targets._sla_retime_tickets()
        return targets

    @api.depends("response_minutes", "resolve_minutes")
    def _compute_times(self):
        """Targets in hours, for the hours:minutes widget."""
        for target in self:
            target.response_time = target.response_minutes / 60
            target.resolve_time = target.resolve_minutes / 60

    def _inverse_response_time(self):
        for target in self:
            target.response_minutes = round(target.response_time * 60)

    def _inverse_resolve_time(self):
        for target in self:
            target.resolve_minutes = round(target.resolve_time * 60)

    def write(self, vals):
        before = self.mapped(lambda target: (target.tier_id.id, target.priority))
        result = super().write(vals)
        if {"tier_id", "priority"} & vals.keys():
            self.env.registry.clear_cache()  # the tiers' targets cached by support.tier
        if SLA_FIELDS & vals.keys():
            self._sla_retime_tickets(before)
        return result

    def unlink(self):
        before = self.mapped(lambda target: (target.tier_id.id, target.priority))
        result = super().unlink()
        self.env.registry.clear_cache()  # the tiers' targets cached by support.tier
        self.env["support.tier.target"]._sla_retime_tickets(before)
        return result

    def _sla_retime_tickets(self, also=()):
        """Re-time the open tickets of these targets' tiers and priorities (one query)."""
        cells = {(target.tier_id.id, target.priority) for target in self} | set(also)
        if not cells:
            return
        self.env["helpdesk.ticket"]._sla_retime(
            expression.OR(
                [
                    [("tier_id", "=", tier_id), ("priority", "=", priority)]
                    for tier_id, priority in cells
                ]
            )
        )

    @api.constrains("response_minutes", "resolve_minutes")
    def _check_minutes(self):
        for target in self:
            if target.response_minutes <= 0:
                raise ValidationError(
                    _(
                        "The response target of %(level)s in %(tier)s must be a positive "
                        "number of minutes.",
                        level=target.priority_label,
                        tier=target.tier_id.display_name,
                    )
                )
            if target.resolve_minutes < 0:
                raise ValidationError(
                    _(
                        "The resolution target of %(level)s in %(tier)s cannot be negative "
                        "(use 0 for no resolution target).",
                        level=target.priority_label,
                        tier=target.tier_id.display_name,
                    )
                )
