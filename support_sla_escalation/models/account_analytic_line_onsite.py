from odoo import _, api, fields, models


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"  # pylint: disable=consider-merging-classes-inherited

    consulting_onsite = fields.Boolean(
        string="On Site",
        index=True,
        help="Time spent at the customer's site: counted against the on-site visits and "
        "hours of the customer's consulting package.",
    )
    consulting_onsite_warning = fields.Char(
        string="On-site Terms",
        compute="_compute_consulting_onsite_warning",
        help="Why this on-site time goes beyond the customer's package.",
    )

    @api.depends("consulting_onsite", "date", "unit_amount", "ticket_id.entitlement_id")
    def _compute_consulting_onsite_warning(self):
        """Beyond the package's on-site visits or hours of its year: said on the line.

        Every line is counted with the saved on-site lines of its contract and period
        (one query for all), unsaved ones too (a line being typed).
        """
        self.consulting_onsite_warning = False
        onsite = self.filtered(lambda line: line.consulting_onsite and line.date)
        extra = {}
        keys = {}
        for index, line in enumerate(onsite):
            entitlement = line.sudo().ticket_id.entitlement_id
            if not entitlement:
                continue
            key = (0, line._origin.id) if line._origin.id else (1, index)
            keys[line] = (entitlement, key)
            extra.setdefault(entitlement, []).append((key, line.date, line.unit_amount or 0.0))
        if not extra:
            return
        usage = self.env["support.entitlement"].sudo()._consulting_onsite_usage(extra)
        for line, (entitlement, key) in keys.items():
            used = usage.get((entitlement, line.date))
            if used:
                line.consulting_onsite_warning = line._consulting_onsite_message(
                    entitlement, used, key
                )

    def _consulting_onsite_message(self, entitlement, used, key):
        """The sentence of a line beyond ``entitlement``'s on-site terms, or False."""
        messages = []
        if key in used.over_visits:
            if not entitlement.consulting_onsite_visits:
                messages.append(
                    _("%(contract)s includes no on-site visit.", contract=entitlement.name)
                )
            else:
                messages.append(
                    _(
                        "Beyond the on-site visits of %(contract)s: %(used)s days on site this "
                        "year, %(allowed)s included.",
                        contract=entitlement.name,
                        used=used.visits,
                        allowed=entitlement.consulting_onsite_visits,
                    )
                )
        if key in used.over_hours:
            messages.append(
                _(
                    "Beyond the on-site hours of %(contract)s: %(used)s h on site this year, "
                    "%(allowed)s h included.",
                    contract=entitlement.name,
                    used=round(used.hours, 2),
                    allowed=round(entitlement.consulting_onsite_hours_allowed, 2),
                )
            )
        return " ".join(messages) or False

    @api.onchange("consulting_onsite", "date", "unit_amount")
    def _onchange_consulting_onsite(self):
        """Warn the agent while logging on-site time beyond the package."""
        if self.consulting_onsite_warning:
            return {
                "warning": {
                    "title": _("Beyond the on-site terms"),
                    "message": self.consulting_onsite_warning,
                }
            }
        return None
