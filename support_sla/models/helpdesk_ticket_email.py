"""Tickets opened by an e-mail to the helpdesk (AvePoint: "the e-mail service is only
available for updates to already existing cases")."""

# One concern of the ticket per file, as Odoo splits its own models (mail/models/discuss/).
# pylint: disable=consider-merging-classes-inherited

from odoo import api, fields, models

# Context key of a ticket being opened by the mail gateway (read by ``create``).
MAIL_GATEWAY_KEY = "support_sla_mail_gateway"


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    sla_opened_by_email = fields.Boolean(
        string="Opened by E-mail",
        readonly=True,
        copy=False,
        help="The ticket was opened by an e-mail to the helpdesk. Under a tier whose "
        "e-mail only updates existing tickets, it is out of entitlement.",
    )

    @api.model
    def message_new(self, msg, custom_values=None):
        """A new ticket from the mail gateway is marked as opened by e-mail, on the
        e-mail channel (replies to an existing ticket go through ``message_update``
        and change nothing)."""
        values = dict(custom_values or {})
        if "channel_id" not in values:
            channel = self.env.ref(
                "helpdesk_mgmt.helpdesk_ticket_channel_email", raise_if_not_found=False
            )
            if channel:
                values["channel_id"] = channel.id
        return super(HelpdeskTicket, self.with_context(**{MAIL_GATEWAY_KEY: True})).message_new(
            msg, custom_values=values
        )

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """For the mail gateway, only the name: mail.thread's ``message_new`` asks every
        field's description just to know whether the ticket has one (the addons' many
        fields made that ~15 ms an e-mail)."""
        if self.env.context.get(MAIL_GATEWAY_KEY) and allfields is None and attributes is None:
            allfields = [self._rec_name or "name"]
        return super().fields_get(allfields, attributes)
