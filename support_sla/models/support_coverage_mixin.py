from odoo import api, fields, models


class SupportCoverageMixin(models.AbstractModel):
    """A record whose calendar gives SLA coverage hours (tiers, tier targets)."""

    _name = "support.coverage.mixin"
    _description = "SLA coverage hours"

    calendar_id = fields.Many2one("resource.calendar")

    @api.constrains("calendar_id")
    def _check_calendar_usable(self):
        self.calendar_id._sla_check_usable()
