"""The ticket's SLA: its contract, zone and received date, and the ORM entry points.

The SLA concerns of the ticket live beside this file, one per file, loaded in the
order of ``models/__init__.py``: priority (matrix and override), clock (pauses,
plan, evaluate, store), text (what the clocks say to a reader), alert (time left,
warnings and breaches), retime (after a configuration change, and repair), portal
(what a customer does from the portal). ``create`` and ``write`` stay here so that
their order is visible.
"""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.base.models.res_partner import _tz_get

from .helpdesk_ticket_email import MAIL_GATEWAY_KEY
from .helpdesk_ticket_sla_clock import CLOCKS

# Changing one of these fields recomputes the running clocks from creation.
SLA_TRIGGERS = {
    "sla_start_date",
    "priority",
    "impact",
    "urgency",
    "partner_id",
    "entitlement_id",
    "channel_id",
    "stage_id",
    "company_id",
    "product_version_id",
}
# What the SLA machinery computes and records: never typed by a user (the machinery
# writes them under sudo). The received date may be given at creation by a manager
# (import of historical tickets).
SLA_COMPUTED = (
    "sla_start_date",
    "sla_first_response_date",
    "sla_coverage",
    "sla_out_of_entitlement",
    "sla_calendar_id",
    "sla_paused_minutes",
    *(f"sla_{clock}_{name}" for clock in CLOCKS for name in ("status", "deadline")),
    *(f"sla_{clock}_{name}" for clock in CLOCKS for name in ("warning_date", "warned")),
    *(f"sla_{clock}_business_minutes" for clock in CLOCKS),
    "sla_response_compliance",
    "priority_override_user_id",
    "priority_override_date",
    "sla_callback_mode",
    "sla_callback_date",
    "sla_callback_activity_id",
    # Derived from the customer, the contract and the matrix: typed, they would bend
    # the targets, the zone or the matrix result shown beside an override.
    "tier_id",
    "matrix_priority",
    "sla_tz",
    "sla_tz_assumed",
    "sla_next_deadline",
    "sla_next_warning_date",
    "sla_opened_by_email",
    "sla_ack_pending",
)
SLA_IMPORTABLE = ("sla_start_date",)


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    entitlement_id = fields.Many2one(
        "support.entitlement",
        string="Entitlement",
        compute="_compute_entitlement_id",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        domain="[('partner_id', '=', commercial_partner_id), ('state', 'in', ('trial', 'active'))]",
        help="Support contract covering the ticket, found from the customer and the ticket's date.",
    )
    tier_id = fields.Many2one(
        "support.tier",
        string="Support Tier",
        compute="_compute_tier_id",
        store=True,
        index=True,
        help="Tier of the entitlement when it was assigned (the trial tier during a trial).",
    )
    sla_tz = fields.Selection(
        _tz_get,
        string="Customer Time Zone",
        compute="_compute_sla_tz",
        store=True,
        help="Time zone in which the coverage hours are read.",
    )
    sla_tz_assumed = fields.Boolean(
        string="Time Zone Assumed",
        compute="_compute_sla_tz",
        store=True,
        help="Neither the contract nor the customer gives a time zone: the company's is used.",
    )
    sla_start_date = fields.Datetime(
        string="Received",
        default=fields.Datetime.now,
        required=True,
        readonly=True,
        copy=False,
        help="When the request was received: the SLA clocks start here. Imported tickets "
        "may bring their original date.",
    )

    def _sla_customer(self):
        """The ticket's customer as a whole (its commercial partner)."""
        self.ensure_one()
        return self.commercial_partner_id or self.partner_id.commercial_partner_id

    def _sla_customer_lang(self):
        """Language of the ticket's customer: what they read is written in it."""
        self.ensure_one()
        partner = self.partner_id or self.commercial_partner_id
        company = self.company_id or self.env.company
        return (
            partner.lang
            or partner.commercial_partner_id.lang
            or company.partner_id.lang
            or self.env.lang
        )

    @api.depends("partner_id", "commercial_partner_id", "sla_start_date", "company_id")
    def _compute_entitlement_id(self):
        """Entitlement of the customer covering the ticket's date (its local day)."""
        days = {}
        for ticket in self:
            partner = ticket._sla_customer()
            day = partner._sla_local_day(ticket.sla_start_date, ticket.company_id)
            days[ticket] = (partner.id, day, ticket.company_id.id)
        found = self.env["support.entitlement"]._find_covering(
            {key for key in days.values() if key[0]}
        )
        for ticket in self:
            ticket.entitlement_id = found.get(days[ticket], False)

    @api.depends("entitlement_id")
    def _compute_tier_id(self):
        """Tier applied by the entitlement when it was assigned."""
        for ticket in self:
            ticket.tier_id = ticket.entitlement_id.sudo().effective_tier_id

    @api.depends(
        "entitlement_id.tz",
        "partner_id.tz",
        "commercial_partner_id.tz",
        "company_id.partner_id.tz",
    )
    def _compute_sla_tz(self):
        """Entitlement's time zone, else the customer's, else the company's (assumed).

        An entitlement of a customer without time zone got the company's: that zone is
        assumed too, and the ticket says so.
        """
        for ticket in self:
            zone, assumed = ticket.partner_id._sla_tz(ticket.company_id)
            contract_tz = ticket.entitlement_id.sudo().tz
            if contract_tz and not (assumed and contract_tz == zone):
                zone, assumed = contract_tz, False
            ticket.sla_tz, ticket.sla_tz_assumed = zone, assumed

    def _sla_check_computed(self, vals, creating=False):
        """Refuse SLA results, dates and override attribution typed by a user.

        The SLA machinery writes them under sudo; a helpdesk manager (or an
        administrator) may give the received date of imported tickets.
        """
        if self.env.su:
            return
        typed = [name for name in SLA_COMPUTED if name in vals]
        if creating and self.env.user.has_group("helpdesk_mgmt.group_helpdesk_manager"):
            typed = [name for name in typed if name not in SLA_IMPORTABLE]
        if typed:
            labels = ", ".join(self._fields[name]._description_string(self.env) for name in typed)
            raise AccessError(
                _(
                    "These SLA values are computed and cannot be typed: %(fields)s.",
                    fields=labels,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._sla_check_computed(vals, creating=True)
            if self.env.context.get(MAIL_GATEWAY_KEY):
                # Set by the machinery, after the check of what the user typed.
                vals["sla_opened_by_email"] = True
        for vals in vals_list:
            if vals.get("priority_overridden"):
                vals.setdefault("priority_override_user_id", self.env.user.id)
                vals.setdefault("priority_override_date", fields.Datetime.now())
        tickets = super().create(vals_list)
        tickets._sla_open_pauses(fields.Datetime.now())
        overridden = self.browse()
        for ticket, vals in zip(tickets, vals_list, strict=True):
            # An explicit priority that differs from the matrix is an override; its
            # write times the ticket.
            if (
                "priority" in vals
                and not ticket.priority_overridden
                and ticket.matrix_priority
                and ticket.priority != ticket.matrix_priority
            ):
                ticket.sudo().write(ticket._prepare_override_vals({"priority_overridden": True}))
                overridden |= ticket
        (tickets - overridden)._sla_update()
        return tickets

    def write(self, vals):
        self._sla_check_computed(vals)
        if "priority" in vals and not vals.get("priority_override_reason") and len(self) > 1:
            # A reason written for the customers is in each one's language.
            by_lang = self.grouped(lambda ticket: ticket._sla_customer_lang())
            if len(by_lang) > 1:
                for tickets in by_lang.values():
                    tickets.write(vals)
                return True
        vals = self._prepare_override_vals(dict(vals))
        pausing = self._sla_pause_changes(vals)
        result = super().write(vals)
        if pausing:
            now = fields.Datetime.now()
            pausing["close"]._sla_close_pauses(now)
            pausing["open"]._sla_open_pauses(now)
        if SLA_TRIGGERS & vals.keys() or "priority_overridden" in vals:
            self._sla_update()
        return result

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        # Neither the subtype nor, when an active agent posts in their own name, the
        # author's users are read again: a reply is one of an agent's most frequent
        # requests. Otherwise, an active internal user of the author (not OdooBot's
        # inactive system user, whose automated comments meet no clock).
        comment_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        author, user = message.author_id, self.env.user
        if (
            message.message_type == "comment"
            and message.subtype_id.id == comment_id
            and (
                (author == user.partner_id and user.active and not user.share)
                or any(not author_user.share for author_user in author.user_ids)
            )
        ):
            self._sla_record_first_response(message.date or fields.Datetime.now())
        return result
