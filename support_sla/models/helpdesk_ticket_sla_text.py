"""What the ticket's SLA says to a reader: the coverage line, why no SLA applies,
deadlines in the customer's time and the time left, in the reader's language."""

# One concern of the ticket per file, as Odoo splits its own models (mail/models/discuss/).
# pylint: disable=consider-merging-classes-inherited

from odoo import _, api, fields, models
from odoo.tools import format_date

from ..engine import PRIORITY_LABELS, lapse
from ..tools.display import duration_text, time_left, time_left_text, zone_text, zone_texts
from .helpdesk_ticket_sla_clock import CLOCKS, UNFINISHED


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    sla_note = fields.Char(
        string="Coverage Note",
        compute="_compute_sla_note",
        help="Why the ticket has no SLA deadline, when it has none.",
    )

    sla_coverage_text = fields.Char(
        string="Coverage",
        compute="_compute_sla_coverage_text",
        help="The SLA the ticket follows: tier, priority, targets, coverage hours and why "
        "those hours, time zone.",
    )

    sla_deadline_local = fields.Char(
        string="Next Deadline (customer time)", compute="_compute_sla_deadline_local"
    )

    sla_response_left = fields.Char(
        string="Time to Respond",
        compute="_compute_sla_left",
        help="Business time left before the response deadline, or by how much it is overdue.",
    )

    sla_resolve_left = fields.Char(
        string="Time to Resolve",
        compute="_compute_sla_left",
        help="Business time left before the resolution deadline, or by how much it is overdue.",
    )

    sla_response_deadline_customer = fields.Char(
        string="Respond By (customer time)", compute="_compute_sla_deadline_customer"
    )

    sla_resolve_deadline_customer = fields.Char(
        string="Resolve By (customer time)", compute="_compute_sla_deadline_customer"
    )

    @api.depends(
        "sla_coverage", "tier_id", "priority", "entitlement_id", "sla_tz", "sla_tz_assumed"
    )
    @api.depends_context("lang")
    def _compute_sla_coverage_text(self):
        """The coverage applied, in the reader's language, e.g. "Standard · P2 · respond
        within 3 h · Support: France Mon-Fri 08:00-17:00 (regional calendar of the
        contract) · Europe/Paris"."""
        origins = {
            "priority": _("hours of this priority"),
            "contract": _("regional calendar of the contract"),
            "tier": _("hours of the tier"),
        }
        for ticket in self:
            ticket_sudo = ticket.sudo()
            target = ticket_sudo.tier_id and ticket_sudo.tier_id._target_for(ticket.priority)
            if ticket.sla_coverage != "covered" or not target:
                ticket.sla_coverage_text = False
                continue
            calendar, origin = ticket_sudo.entitlement_id._sla_coverage_calendar(
                ticket_sudo.tier_id, target
            )
            targets = _("respond within %s", duration_text(self.env, target.response_minutes))
            if target.resolve_minutes:
                targets = _(
                    "%(response)s, resolve within %(resolve)s",
                    response=targets,
                    resolve=duration_text(self.env, target.resolve_minutes),
                )
            zone = ticket.sla_tz
            if ticket.sla_tz_assumed:
                zone = _("%s (time zone of the company: the customer has none)", zone)
            ticket.sla_coverage_text = " · ".join(
                [
                    ticket_sudo.tier_id.name,
                    PRIORITY_LABELS.get(ticket.priority, ""),
                    targets,
                    f"{calendar.name or _('24x7')} ({origins[origin]})",
                    zone,
                ]
            )

    def _sla_lapsed_contracts(self):
        """The latest contract of each ticket's customer that does not cover it.

        ``{ticket: entitlement}``, read in one query for all tickets.
        """
        partners = self.commercial_partner_id
        domain = [("partner_id", "in", partners.ids)]
        if self.env.user.share:
            # Draft contracts are internal: a customer's note never names one.
            domain.append(("state", "!=", "draft"))
        contracts = (
            self.env["support.entitlement"].sudo().search(domain, order="date_start desc, id desc")
        )
        found = {}
        for ticket in self:
            found[ticket] = next(
                (
                    contract
                    for contract in contracts
                    if contract.partner_id == ticket.commercial_partner_id
                    and contract.company_id == (ticket.company_id or contract.company_id)
                ),
                contracts.browse(),
            )
        return found

    @api.depends(
        "sla_coverage", "channel_id", "tier_id", "commercial_partner_id", "product_version_id"
    )
    @api.depends_context("lang")
    def _compute_sla_note(self):
        """Why no SLA applies, in the reader's language; a lapsed contract says how."""
        lapsed = self.filtered(lambda t: t.sla_coverage == "no_contract")._sla_lapsed_contracts()
        for ticket in self:
            coverage = ticket.sla_coverage
            if coverage == "no_contract":
                note = ticket._sla_lapsed_note(lapsed[ticket])
            elif coverage == "channel":
                note = _(
                    "The %(channel)s channel is not included in the %(tier)s tier: no SLA applies.",
                    channel=ticket.channel_id.name,
                    tier=ticket.tier_id.sudo().name,
                )
            elif coverage == "email":
                note = _(
                    "The %(tier)s tier takes e-mail for updates to existing tickets only: "
                    "please open new tickets on the web portal or by phone. No SLA applies.",
                    tier=ticket.tier_id.sudo().name,
                )
            elif coverage == "version":
                version = ticket.product_version_id.sudo()
                note = _(
                    "Best effort: %(product)s version %(version)s reached end of support "
                    "on %(date)s.",
                    product=version.product_name,
                    version=version.name,
                    date=format_date(self.env, version.date_end_support),
                )
            elif coverage == "no_target":
                note = _(
                    "The %(tier)s tier promises nothing for this priority.",
                    tier=ticket.tier_id.sudo().name,
                )
            else:
                note = False
            ticket.sla_note = note

    def _sla_lapse(self, contract):
        """How ``contract``, the customer's latest, fails to cover the ticket:
        ``cancelled``, ``draft``, ``future``, ``expired`` or False (no contract)."""
        self.ensure_one()
        if not contract:
            return False
        # The customer's day, as when a contract was looked for.
        day = self._sla_customer()._sla_local_day(self.sla_start_date, self.company_id)
        return lapse(contract.state, contract.date_start, contract.date_end, day) or False

    def _sla_lapsed_note(self, contract):
        """Why ``contract``, the customer's latest, does not cover the ticket."""
        self.ensure_one()
        lapse = self._sla_lapse(contract)
        values = {"name": contract.name}
        if lapse == "cancelled":
            return _("No support contract: %(name)s was cancelled.", **values)
        if lapse == "draft":
            return _("No support contract: %(name)s is still a draft.", **values)
        if lapse == "future":
            return _(
                "No support contract: %(name)s starts on %(date)s.",
                date=format_date(self.env, contract.date_start),
                **values,
            )
        if lapse == "expired":
            return _(
                "Contract %(name)s expired on %(date)s.",
                date=format_date(self.env, contract.date_end),
                **values,
            )
        return _("No support contract")

    @api.depends("sla_next_deadline", "sla_tz")
    @api.depends_context("lang")
    def _compute_sla_deadline_local(self):
        """The next deadline still due, in the customer's own time."""
        texts = zone_texts(self.env, [(t.sla_next_deadline, t.sla_tz) for t in self])
        for ticket in self:
            ticket.sla_deadline_local = texts.get((ticket.sla_next_deadline, ticket.sla_tz), False)

    @api.depends("sla_response_deadline", "sla_resolve_deadline", "sla_tz")
    def _compute_sla_deadline_customer(self):
        """Each deadline in the customer's own time, with its zone."""
        zones = self.mapped("sla_tz")
        deadlines = {clock: self.mapped(f"sla_{clock}_deadline") for clock in CLOCKS}
        texts = zone_texts(
            self.env, [key for clock in CLOCKS for key in zip(deadlines[clock], zones, strict=True)]
        )
        for clock in CLOCKS:
            self._sla_assign(
                f"sla_{clock}_deadline_customer",
                [texts.get(key, False) for key in zip(deadlines[clock], zones, strict=True)],
            )

    @api.depends("sla_response_remaining", "sla_resolve_remaining")
    @api.depends_context("lang")
    def _compute_sla_left(self):
        """Business time left on each live clock, with a unit ("overdue by 40 min")."""
        texts = {}  # the same minutes are said once, not once per ticket

        def text(hours):
            key = time_left(hours)
            if key not in texts:
                texts[key] = time_left_text(self.env, hours)[1]
            return texts[key]

        for clock in CLOCKS:
            self._sla_assign(
                f"sla_{clock}_left",
                [
                    text(hours) if status in UNFINISHED else False
                    for status, hours in zip(
                        self.mapped(f"sla_{clock}_status"),
                        self.mapped(f"sla_{clock}_remaining"),
                        strict=True,
                    )
                ],
            )

    def _sla_local_text(self, deadline):
        """A stored (UTC) moment as the customer's time, in the reader's language."""
        self.ensure_one()
        return zone_text(self.env, deadline, self.sla_tz)
