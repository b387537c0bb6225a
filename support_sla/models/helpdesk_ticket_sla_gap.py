"""What the ticket's tier does not include: the ticket is flagged out of entitlement
(no deadline, the reason said) rather than refused, since the request has arrived."""

# One concern of the ticket per file, as Odoo splits its own models (mail/models/discuss/).
# pylint: disable=consider-merging-classes-inherited

from odoo import models

# Coverages of a ticket its tier does not include: flagged out of entitlement.
OUT_OF_ENTITLEMENT = ("channel", "email", "version")


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    def _sla_entitlement_gap(self, tier_channels=None):
        """What the ticket's tier does not include, one of ``OUT_OF_ENTITLEMENT``
        (its channel, a new ticket by e-mail, a version past its end of support), or
        False. ``tier_channels``: ``{tier id: ids of its channels}`` already read, when
        a batch asks for many tickets of a few tiers."""
        self.ensure_one()
        tier = self.tier_id
        channels = (tier_channels or {}).get(tier.id)
        if self.channel_id and not tier._sla_includes_channel(self.channel_id.id, channels):
            return "channel"
        if self.sla_opened_by_email and not tier.email_opens_tickets:
            return "email"
        if self.product_version_id and self._sla_version_lapsed():
            return "version"
        return False
