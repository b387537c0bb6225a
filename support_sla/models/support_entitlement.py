from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import format_date

from odoo.addons.base.models.res_partner import _tz_get

from ..engine import ACTIVE_STATES, COVERAGE_STATES, SlaError, covers, notice_deadline, transition
from .sla_error import sla_error_message

# What _find_covering reads of the candidates, and what a ticket takes from its contract.
COVERING_FIELDS = [
    "partner_id",
    "state",
    "date_start",
    "date_end",
    "company_id",
    "effective_tier_id",
    "tz",
    "calendar_id",
]


class SupportEntitlement(models.Model):
    """A customer's support contract: which tier, when, where and through whom."""

    _name = "support.entitlement"
    _description = "Support Entitlement"
    _inherit = ["mail.thread", "mail.activity.mixin", "support.sla.retime.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _sla_retime_ticket_field = "entitlement_id"
    _sla_retime_fields = frozenset(
        {"tier_id", "trial_tier_id", "state", "date_start", "date_end", "tz", "calendar_id"}
    )
    # The tier applied, the zone and so the matrix of the tickets may change too.
    _sla_retime_refresh = True

    name = fields.Char(
        required=True,
        copy=False,
        default=lambda self: _("New"),
        tracking=True,
        help="Contract reference.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
        help="The customer's commercial entity; its contacts are covered.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    tier_id = fields.Many2one(
        "support.tier", required=True, tracking=True, check_company=True, index=True
    )
    trial_tier_id = fields.Many2one(
        "support.tier",
        string="Trial Tier",
        check_company=True,
        tracking=True,
        help="Tier applied while the entitlement is in trial (Zmanda: premium SLAs "
        "during the evaluation). Empty: the tier itself.",
    )
    effective_tier_id = fields.Many2one(
        "support.tier",
        compute="_compute_effective_tier_id",
        store=True,
        string="Tier Applied",
        help="The trial tier during a trial, the tier otherwise.",
    )
    date_start = fields.Date(
        string="Start", required=True, default=fields.Date.context_today, tracking=True
    )
    date_end = fields.Date(string="End", tracking=True, help="Empty: no end date.")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("trial", "Trial"),
            ("active", "Active"),
            ("expired", "Expired"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        index=True,
        copy=False,
    )
    tz = fields.Selection(
        _tz_get,
        string="Time Zone",
        compute="_compute_tz",
        store=True,
        readonly=False,
        help="Time zone of the customer's main site, in which coverage hours are read. "
        "Defaults to the customer's.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Regional Coverage",
        check_company=True,
        tracking=True,
        help="Working hours and public holidays of the customer's region, replacing the "
        "tier's coverage hours (not the 24/7 override of a priority).",
    )
    reseller_id = fields.Many2one(
        "res.partner",
        string="Reseller",
        tracking=True,
        help="Partner who sold the contract and gives first-line support.",
    )
    auto_renew = fields.Boolean(
        string="Automatic Renewal",
        tracking=True,
        help="At the end date the entitlement renews for one year, unless a notice of "
        "non-renewal was given in time.",
    )
    notice_days = fields.Integer(
        string="Notice Period (days)",
        default=60,
        help="A notice of non-renewal must be given at least this many days before the end.",
    )
    notice_date = fields.Date(
        string="Non-renewal Notice",
        tracking=True,
        copy=False,
        help="Date the notice of non-renewal was given.",
    )
    notice_deadline = fields.Date(
        compute="_compute_notice_deadline",
        help="Last day to give a notice of non-renewal that stops the next renewal.",
    )
    channel_ids = fields.Many2many(related="effective_tier_id.channel_ids")
    ticket_ids = fields.One2many("helpdesk.ticket", "entitlement_id")
    ticket_count = fields.Integer(compute="_compute_ticket_count")
    customer_state = fields.Selection(
        [
            ("draft", "Draft"),
            ("trial", "Trial"),
            ("active", "Active"),
            ("expiring", "Expiring"),
            ("expired", "Expired"),
            ("cancelled", "Cancelled"),
        ],
        string="Status for the Customer",
        compute="_compute_customer_state",
        help="The state, where a contract that ends within its notice period and will not "
        "renew automatically reads as expiring.",
    )

    @api.depends("state", "tier_id", "trial_tier_id")
    def _compute_effective_tier_id(self):
        """Trial tier during a trial, the tier otherwise."""
        for entitlement in self:
            trial = entitlement.state == "trial" and entitlement.trial_tier_id
            entitlement.effective_tier_id = trial or entitlement.tier_id

    @api.depends("partner_id")
    def _compute_tz(self):
        """The customer's time zone (see ``res.partner._sla_tz``)."""
        for entitlement in self:
            entitlement.tz = entitlement.partner_id._sla_tz(entitlement.company_id)[0]

    @api.depends("date_end", "notice_days")
    def _compute_notice_deadline(self):
        """End date minus the notice period."""
        for entitlement in self:
            entitlement.notice_deadline = (
                notice_deadline(entitlement.date_end, entitlement.notice_days)
                if entitlement.date_end and entitlement.notice_days >= 0
                else False
            )

    def _compute_ticket_count(self):
        """Number of tickets covered by the entitlement."""
        counts = dict(
            self.env["helpdesk.ticket"]._read_group(
                [("entitlement_id", "in", self.ids)], ["entitlement_id"], ["__count"]
            )
        )
        for entitlement in self:
            entitlement.ticket_count = counts.get(entitlement, 0)

    @api.constrains("partner_id")
    def _check_partner_is_commercial(self):
        for entitlement in self:
            partner = entitlement.partner_id
            if partner != partner.commercial_partner_id:
                raise ValidationError(
                    _(
                        "An entitlement covers a whole customer: choose %(company)s "
                        "rather than its contact %(contact)s.",
                        company=partner.commercial_partner_id.display_name,
                        contact=partner.display_name,
                    )
                )

    @api.constrains("date_start", "date_end", "notice_days")
    def _check_dates(self):
        for entitlement in self:
            if entitlement.date_end and entitlement.date_end < entitlement.date_start:
                raise ValidationError(
                    _(
                        "%(name)s cannot end (%(end)s) before it starts (%(start)s).",
                        name=entitlement.name,
                        end=format_date(self.env, entitlement.date_end),
                        start=format_date(self.env, entitlement.date_start),
                    )
                )
            if entitlement.notice_days < 0:
                raise ValidationError(_("A notice period cannot be negative."))

    @api.constrains("tz", "calendar_id")
    def _check_coverage(self):
        for entitlement in self:
            if entitlement.tz and entitlement.tz not in dict(_tz_get(self)):
                raise ValidationError(_("Unknown time zone %s.", entitlement.tz))
            entitlement.calendar_id._sla_check_usable(entitlement.tz)

    @api.constrains("partner_id", "state", "date_start", "date_end")
    def _check_no_overlap(self):
        covering = self.filtered(lambda ent: ent.state in ACTIVE_STATES)
        if not covering:
            return
        others = self.search(
            [
                ("partner_id", "in", covering.partner_id.ids),
                ("state", "in", ACTIVE_STATES),
            ]
        )
        for entitlement in covering:
            for other in others:
                if other == entitlement or other.partner_id != entitlement.partner_id:
                    continue
                if _overlap(entitlement, other):
                    raise ValidationError(
                        _(
                            "%(customer)s already has the entitlement %(other)s from "
                            "%(start)s to %(end)s; two contracts in force at the same time "
                            "would make the SLA ambiguous. End or cancel it first.",
                            customer=entitlement.partner_id.display_name,
                            other=other.name,
                            start=format_date(self.env, other.date_start),
                            end=format_date(self.env, other.date_end)
                            if other.date_end
                            else _("no end"),
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        new = _("New")
        unnamed = [vals.get("name", new) == new for vals in vals_list]
        entitlements = super().create(vals_list)
        # Numbered once created and validated: a refused contract uses up no number.
        Sequence = self.env["ir.sequence"]
        for entitlement, numbered in zip(entitlements, unnamed, strict=True):
            if numbered:
                entitlement.with_context(mail_notrack=True).name = (
                    Sequence.next_by_code("support.entitlement") or "/"
                )
        return entitlements

    # -- actions -----------------------------------------------------------

    def action_activate(self):
        self._set_state("active", from_states=("draft", "trial", "expired"))

    def action_start_trial(self):
        for entitlement in self:
            if not entitlement.date_end:
                raise UserError(
                    _("A trial needs an end date: set when the evaluation of %s ends.")
                    % entitlement.name
                )
        self._set_state("trial", from_states=("draft",))

    def action_cancel(self):
        self._set_state("cancelled", from_states=("draft", "trial", "active", "expired"))

    def action_ask_cancel(self):
        """Ask before cancelling, with buttons that say what they do."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Cancel Support Contract"),
            "res_model": "support.entitlement.cancel",
            "view_mode": "form",
            "target": "new",
            "context": {"default_entitlement_ids": [(6, 0, self.ids)]},
        }

    def action_reset_to_draft(self):
        self._set_state("draft", from_states=("cancelled",))

    def action_give_notice(self):
        """Record today's notice of non-renewal."""
        today = fields.Date.context_today(self)
        for entitlement in self:
            entitlement.notice_date = today
            if entitlement.auto_renew and entitlement.notice_deadline:
                if today <= entitlement.notice_deadline:
                    body = _("Notice of non-renewal received: the entitlement ends on %s.")
                else:
                    body = _(
                        "Notice of non-renewal received after the deadline: the "
                        "entitlement still renews once on %s and ends after that year."
                    )
                entitlement.message_post(body=body % format_date(self.env, entitlement.date_end))

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_mgmt.helpdesk_ticket_action"
        )
        action["domain"] = [("entitlement_id", "=", self.id)]
        action["context"] = {}
        return action

    def _set_state(self, state, from_states):
        wrong = self.filtered(lambda ent: ent.state not in from_states)
        if wrong:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                _(
                    "%(names)s cannot become %(state)s from its current state.",
                    names=", ".join(wrong.mapped("name")),
                    state=labels[state],
                )
            )
        self.write({"state": state})

    # -- lookups and jobs -----------------------------------------------------

    def _sla_covers(self, day):
        """Whether the entitlement covers a ticket received on ``day``, the
        customer's local day (:meth:`res.partner._sla_local_day`).

        In trial or active, or expired after having covered it, on that day: a
        cancelled contract or changed dates stop its SLA.
        """
        self.ensure_one()
        return covers(self.state, self.date_start, self.date_end, day)

    @api.model
    def _find_covering(self, keys):
        """``{(commercial partner id, date, company id): entitlement}`` for ``keys``.

        An entitlement covers a date when it is in trial or active, or expired
        after having covered that date; a company id of False accepts any company.
        One query for all keys.
        """
        partner_ids = {key[0] for key in keys}
        if not partner_ids:
            return {}
        # With the columns the new ticket reads next (its tier, zone and coverage
        # hours), in the same query: a contract is found for every new ticket.
        candidates = self.sudo().search_fetch(
            [
                ("partner_id", "in", list(partner_ids)),
                ("state", "in", COVERAGE_STATES),
            ],
            COVERING_FIELDS,
            order="date_start desc, id desc",
        )
        by_partner = {}
        for entitlement in candidates:
            by_partner.setdefault(entitlement.partner_id.id, []).append(entitlement)
        found = {}
        for partner_id, day, company_id in keys:
            found[partner_id, day, company_id] = next(
                (
                    ent
                    for ent in by_partner.get(partner_id, ())
                    if covers(ent.state, ent.date_start, ent.date_end, day)
                    and (not company_id or ent.company_id.id == company_id)
                ),
                self.browse(),
            )
        return found

    @api.model
    def _cron_update_states(self):
        """Expire and renew entitlements whose end date has passed."""
        today = fields.Date.context_today(self)
        due = self.search([("state", "in", ACTIVE_STATES), ("date_end", "<", today)])
        for entitlement in due:
            try:
                state, date_end = transition(
                    entitlement.state,
                    entitlement.date_end,
                    today,
                    auto_renew=entitlement.auto_renew,
                    notice_days=entitlement.notice_days,
                    notice_date=entitlement.notice_date or None,
                )
            except SlaError as error:
                entitlement.message_post(
                    body=_("Not renewed: %s", sla_error_message(self.env, error))
                )
                continue
            if date_end != entitlement.date_end:
                entitlement.message_post(
                    body=_("Renewed automatically until %s.", format_date(self.env, date_end))
                )
            entitlement.write({"state": state, "date_end": date_end})

    # -- customer portal (coverage: support_entitlement_coverage.py) -----------

    @api.depends("state", "date_end", "notice_deadline", "auto_renew", "notice_date")
    @api.depends_context("tz")
    def _compute_customer_state(self):
        """Active contracts inside their notice period read as expiring.

        A trial reads as a trial to its end: it never renews, so no notice applies.
        """
        today = fields.Date.context_today(self)
        for entitlement in self:
            state = entitlement.state
            renews = entitlement.auto_renew and not entitlement.notice_date
            if (
                state == "active"
                and entitlement.date_end
                and not renews
                and (entitlement.notice_deadline or entitlement.date_end) <= today
            ):
                state = "expiring"
            entitlement.customer_state = state


def _overlap(first, second):
    """Whether two entitlements' date ranges (open-ended when no end) intersect."""
    first_end = first.date_end or fields.Date.to_date("9999-12-31")
    second_end = second.date_end or fields.Date.to_date("9999-12-31")
    return first.date_start <= second_end and second.date_start <= first_end
