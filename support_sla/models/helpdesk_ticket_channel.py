from odoo import models


class HelpdeskTicketChannel(models.Model):
    _inherit = "helpdesk.ticket.channel"

    def write(self, vals):
        result = super().write(vals)
        if "active" in vals:
            self.env.registry.clear_cache()  # the tiers' active channels (support.tier)
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()  # the tiers' channels (support.tier._sla_setup)
        return result
