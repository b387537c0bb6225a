from collections import defaultdict
from datetime import timedelta, timezone
from typing import NamedTuple

import pytz
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, format_date
from odoo.tools.misc import format_datetime

from odoo.addons.base.models.res_partner import _tz_get

from ..engine import (
    PRIORITY_LABELS,
    STATUS_BREACHED,
    STATUS_MET,
    STATUS_NONE,
    STATUS_PAUSED,
    STATUS_RUNNING,
    SlaError,
    clock_state,
    deadline_with_pauses,
    matrix_priority,
)
from .sla_error import sla_error_message
from .support_priority_rule import LEVEL_SELECTION

CLOCKS = ("response", "resolve")
FROZEN = (STATUS_MET, STATUS_BREACHED)
LIVE = (STATUS_RUNNING, STATUS_PAUSED)
ONE_MINUTE = timedelta(minutes=1)
ONE_SECOND = timedelta(seconds=1)
# Tickets taken per run of the scheduled check, for each clock and kind
# (system parameter ``support_sla.check_batch``).
SLA_CHECK_BATCH = 1000
# Re-timing after a configuration change: up to this many tickets in the same
# transaction, more in batches of SLA_RETIME_BATCH by a scheduled action (system
# parameters ``support_sla.retime_threshold`` and ``support_sla.retime_batch``).
SLA_RETIME_THRESHOLD = 200
SLA_RETIME_BATCH = 5000
# Ticket fields read to evaluate and store the clocks.
SLA_INPUTS = [
    "entitlement_id",
    "tier_id",
    "partner_id",
    "commercial_partner_id",
    "channel_id",
    "priority",
    "company_id",
    "stage_id",
    "sla_tz",
    "sla_start_date",
    "sla_first_response_date",
    "closed_date",
    "sla_coverage",
    "sla_out_of_entitlement",
    "sla_calendar_id",
    "sla_paused_minutes",
    *(f"sla_{clock}_{name}" for clock in CLOCKS for name in ("status", "deadline")),
    *(f"sla_{clock}_{name}" for clock in CLOCKS for name in ("warning_date", "warned")),
]
# What a repair reports in the chatter when it changes it.
SLA_REPAIR_REPORTED = (
    "sla_first_response_date",
    "sla_response_status",
    "sla_response_deadline",
    "sla_resolve_status",
    "sla_resolve_deadline",
    "sla_paused_minutes",
)
# Clocks whose deadline and time left are still worth showing (a breach is still due).
UNFINISHED = (STATUS_RUNNING, STATUS_PAUSED, STATUS_BREACHED)
STATUS_SELECTION = [
    (STATUS_NONE, "No SLA"),
    (STATUS_RUNNING, "Running"),
    (STATUS_PAUSED, "Paused"),
    (STATUS_MET, "Met"),
    (STATUS_BREACHED, "Breached"),
]
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
}
# Context key of the SLA machinery's own writes, honoured only under sudo (a
# context sent over RPC must not open a way around the checks below).
SLA_INTERNAL = "support_sla_internal"
# What the SLA machinery computes and records: never typed by a user. The received
# date may be given at creation by a manager (import of historical tickets).
SLA_COMPUTED = (
    "sla_start_date",
    "sla_first_response_date",
    "sla_coverage",
    "sla_out_of_entitlement",
    "sla_calendar_id",
    "sla_paused_minutes",
    *(f"sla_{clock}_{name}" for clock in CLOCKS for name in ("status", "deadline")),
    *(f"sla_{clock}_{name}" for clock in CLOCKS for name in ("warning_date", "warned")),
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
)
SLA_IMPORTABLE = ("sla_start_date",)
# Customer text from the portal: the longest accepted (characters).
REASON_MAX_LENGTH = 1000
# Priority changes of one ticket accepted from the portal per minute.
PRIORITY_CHANGES_PER_MINUTE = 3
# Call-back requests from the portal (Ivanti): queued, or right away.
CALLBACK_MODES = [("asap", "Call me when you can"), ("now", "Call me now")]


class SlaClock(NamedTuple):
    """One evaluated clock: the engine's state, the warning moment (naive UTC),
    the calendar it runs on (False: 24x7) and when it stopped (None: open)."""

    state: object
    warning: object
    calendar_id: object
    completed: object


def _aware(value):
    """Odoo's naive UTC datetime as an aware one."""
    return value.replace(tzinfo=timezone.utc) if value else None


def _naive(value):
    """Aware datetime as Odoo's naive UTC."""
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value else False


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    impact = fields.Selection(LEVEL_SELECTION, default="medium", tracking=True)
    urgency = fields.Selection(LEVEL_SELECTION, default="medium", tracking=True)
    matrix_priority = fields.Selection(
        selection=lambda self: self._fields["priority"]._description_selection(self.env),
        compute="_compute_matrix_priority",
        store=True,
        help="Priority given by the impact x urgency matrix of the company.",
    )
    # Follows the matrix as impact and urgency change, even on an unsaved form; a value
    # chosen by hand is kept (editable compute) and makes the ticket overridden.
    # Labelled P1..P4 as everywhere else (chatter tracking, stars, filters), in every
    # language: a function, so that helpdesk_mgmt's translated labels do not come back.
    priority = fields.Selection(
        selection="_priority_levels",
        tracking=True,
        compute="_compute_priority",
        store=True,
        readonly=False,
        default=None,
    )
    priority_overridden = fields.Boolean(
        tracking=True,
        copy=False,
        help="The priority was chosen by hand instead of following the matrix.",
    )
    priority_override_reason = fields.Char(
        string="Override Reason",
        tracking=True,
        copy=False,
        help="Visible to the customer: the portal shows this reason next to the priority.",
    )
    priority_override_user_id = fields.Many2one(
        "res.users", string="Overridden By", readonly=True, copy=False, tracking=True
    )
    priority_override_date = fields.Datetime(string="Overridden On", readonly=True, copy=False)

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
    sla_coverage = fields.Selection(
        [
            ("covered", "Covered"),
            ("no_contract", "No support contract"),
            ("channel", "Channel not included"),
            ("no_target", "No target for this priority"),
        ],
        string="SLA Coverage",
        readonly=True,
        copy=False,
        index=True,
    )
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
    sla_out_of_entitlement = fields.Boolean(
        string="Out of Entitlement",
        readonly=True,
        copy=False,
        help="Received through a channel the customer's tier does not include: "
        "no SLA promise applies.",
    )
    sla_first_response_date = fields.Datetime(
        string="First Response",
        readonly=True,
        copy=False,
        help="First public reply of an agent to the customer.",
    )
    sla_response_deadline = fields.Datetime(
        string="Response Deadline", readonly=True, copy=False, index=True
    )
    sla_resolve_deadline = fields.Datetime(
        string="Resolution Deadline", readonly=True, copy=False, index=True
    )
    sla_response_status = fields.Selection(
        STATUS_SELECTION,
        string="Response SLA",
        default=STATUS_NONE,
        required=True,
        readonly=True,
        copy=False,
        index=True,
    )
    sla_resolve_status = fields.Selection(
        STATUS_SELECTION,
        string="Resolution SLA",
        default=STATUS_NONE,
        required=True,
        readonly=True,
        copy=False,
        index=True,
    )
    sla_response_warning_date = fields.Datetime(
        string="Response Warning", readonly=True, copy=False, index=True
    )
    sla_resolve_warning_date = fields.Datetime(
        string="Resolution Warning", readonly=True, copy=False, index=True
    )
    sla_response_warned = fields.Boolean(string="Team Warned (Response)", readonly=True, copy=False)
    sla_resolve_warned = fields.Boolean(
        string="Team Warned (Resolution)", readonly=True, copy=False
    )
    sla_paused_minutes = fields.Integer(
        string="Paused (minutes)",
        readonly=True,
        copy=False,
        help="Business minutes spent waiting on the customer; they do not count. Stored "
        "when the clocks are computed: a wait still going on counts once it ends.",
    )
    sla_paused_text = fields.Char(
        string="Paused (business time)",
        compute="_compute_sla_remaining",
        help="Business time spent waiting on the customer, the current wait included; it "
        "does not count. The waits below show the calendar time.",
    )
    sla_pause_ids = fields.One2many("support.sla.pause", "ticket_id", string="SLA Pauses")
    sla_response_remaining = fields.Float(
        string="Response Time Left",
        compute="_compute_sla_remaining",
        help="Business hours left before the response deadline (negative: overdue).",
    )
    sla_resolve_remaining = fields.Float(
        string="Resolution Time Left",
        compute="_compute_sla_remaining",
        help="Business hours left before the resolution deadline (negative: overdue).",
    )
    sla_alert = fields.Selection(
        [("ok", "On Track"), ("warning", "At Risk"), ("danger", "Breached")],
        string="SLA Alert",
        compute="_compute_sla_remaining",
        search="_search_sla_alert",
    )
    sla_next_deadline = fields.Datetime(
        string="Next Deadline",
        compute="_compute_sla_next_deadline",
        store=True,
        index=True,
        help="The earliest deadline of a clock still due (running, paused or breached): "
        "what the ticket lists sort by.",
    )
    sla_deadline_local = fields.Char(
        string="Next Deadline (customer time)", compute="_compute_sla_deadline_local"
    )
    sla_calendar_id = fields.Many2one(
        "resource.calendar",
        string="SLA Coverage Hours",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Working time on which the ticket's clocks run (empty: 24x7). Stored so "
        "that a change of these hours finds the tickets to re-time in one query.",
    )
    sla_retime_pending = fields.Boolean(
        string="SLA Re-timing Pending",
        compute="_compute_sla_retime_pending",
        search="_search_sla_retime_pending",
        help="The SLA configuration changed: a scheduled action re-times this ticket.",
    )
    # Customer portal: what the customer says about the product, and call-back requests.
    sla_product = fields.Char(string="Product", help="Product concerned, as the customer named it.")
    sla_client_version = fields.Char(string="Client Version")
    sla_server_version = fields.Char(string="Server Version")
    sla_callback_mode = fields.Selection(
        CALLBACK_MODES,
        string="Call-back",
        readonly=True,
        copy=False,
        tracking=True,
        help="How the customer asked to be called back from the portal (last request).",
    )
    sla_callback_date = fields.Datetime(
        string="Call-back Requested On", readonly=True, copy=False, index=True
    )
    sla_callback_activity_id = fields.Many2one(
        "mail.activity", string="Call-back Activity", readonly=True, copy=False, ondelete="set null"
    )
    sla_callback_pending = fields.Boolean(
        string="Call-back Pending",
        compute="_compute_sla_callback_pending",
        help="The team has not yet done the customer's last call-back request.",
    )
    sla_state = fields.Selection(
        [
            ("breached", "Breached"),
            ("at_risk", "At Risk"),
            ("paused", "Paused — waiting on customer"),
            ("on_track", "On Track"),
            ("met", "SLA Met"),
            ("out_of_entitlement", "Out of Entitlement"),
            ("contract_expired", "Contract Expired"),
            ("no_contract", "No Support Contract"),
            ("no_target", "No Target"),
        ],
        string="SLA State",
        compute="_compute_sla_state",
        help="Where the ticket stands against its SLA, as shown on its form, list and card.",
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

    # -- priority ------------------------------------------------------------

    @api.model
    def _priority_levels(self):
        """The priorities as their P1..P4 levels, P4 (low) first as the stars count."""
        return [(code, PRIORITY_LABELS[code]) for code in sorted(PRIORITY_LABELS)]

    @api.depends("impact", "urgency", "company_id")
    def _compute_matrix_priority(self):
        """Priority of the impact and urgency in the company's matrix."""
        matrices = {}
        for ticket in self:
            ticket.matrix_priority = ticket._matrix_priority_of(
                ticket.company_id, ticket.impact, ticket.urgency, matrices
            )

    def _matrix_priority_of(self, company, impact, urgency, matrices):
        """Priority of ``impact`` x ``urgency`` in ``company``'s matrix (False: none).

        ``matrices`` caches the matrices read, per company, across a batch.
        """
        company = company or self.env.company
        if not (impact and urgency):
            return False
        if company not in matrices:
            matrices[company] = self.env["support.priority.rule"]._matrix(company)
        return bool(matrices[company]) and matrix_priority(matrices[company], impact, urgency)

    @api.depends("matrix_priority", "priority_overridden")
    def _compute_priority(self):
        """The matrix's priority, unless the priority is overridden."""
        for ticket in self:
            if ticket.matrix_priority and not ticket.priority_overridden:
                ticket.priority = ticket.matrix_priority
            else:
                ticket.priority = ticket.priority or "1"

    @api.onchange("priority")
    def _onchange_priority_override(self):
        """Choosing another priority than the matrix's by hand overrides it (asks why)."""
        for ticket in self:
            if ticket.matrix_priority and ticket.priority != ticket.matrix_priority:
                ticket.priority_overridden = True

    @api.constrains("priority_overridden", "priority_override_reason")
    def _check_override_reason(self):
        for ticket in self:
            if ticket.priority_overridden and not (ticket.priority_override_reason or "").strip():
                raise ValidationError(
                    _("Say why the priority of %s is overridden.", ticket.display_name)
                )

    def _prepare_override_vals(self, vals):
        """A priority set by hand (form, kanban stars, import) is an override."""
        if (
            "priority" in vals
            and "priority_overridden" not in vals
            and any(priority != vals["priority"] for priority in self._matrix_priorities(vals))
        ):
            vals["priority_overridden"] = True
        if vals.get("priority_overridden"):
            vals.setdefault("priority_override_user_id", self.env.user.id)
            vals.setdefault("priority_override_date", fields.Datetime.now())
            if not vals.get("priority_override_reason") and not all(
                self.mapped("priority_override_reason")
            ):
                # Written without a reason (import, RPC, copy): a neutral one, in the
                # language of the customer who reads it on the portal.
                lang = (self[:1]._sla_customer_lang() if self else None) or self.env.lang
                vals["priority_override_reason"] = self.with_context(lang=lang).env._(
                    "Priority set by hand"
                )
        elif "priority_overridden" in vals:
            vals.update(
                priority_override_reason=False,
                priority_override_user_id=False,
                priority_override_date=False,
            )
        return vals

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

    def _matrix_priorities(self, vals):
        """Matrix priority of each ticket once ``vals`` (impact, urgency...) are written."""
        if not {"impact", "urgency", "company_id"} & vals.keys():
            return self.mapped("matrix_priority")
        company = self.env["res.company"].browse(vals.get("company_id"))
        matrices = {}
        return [
            self._matrix_priority_of(
                company if "company_id" in vals else ticket.company_id,
                vals.get("impact", ticket.impact),
                vals.get("urgency", ticket.urgency),
                matrices,
            )
            for ticket in self
        ]

    # -- entitlement -----------------------------------------------------------

    @api.depends("partner_id", "commercial_partner_id", "sla_start_date", "company_id")
    def _compute_entitlement_id(self):
        """Entitlement of the customer covering the ticket's date (its local day)."""
        days = {}
        for ticket in self:
            partner = ticket.commercial_partner_id or ticket.partner_id.commercial_partner_id
            moment = ticket.sla_start_date or fields.Datetime.now()
            zone = pytz.timezone(
                partner.tz or (ticket.company_id or self.env.company).partner_id.tz or "UTC"
            )
            day = pytz.utc.localize(moment).astimezone(zone).date()
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
            company_tz = (ticket.company_id or self.env.company).partner_id.tz or "UTC"
            customer_tz = ticket.partner_id.tz or ticket.commercial_partner_id.tz
            contract_tz = ticket.entitlement_id.sudo().tz
            if contract_tz and (contract_tz != company_tz or customer_tz):
                ticket.sla_tz, ticket.sla_tz_assumed = contract_tz, False
            elif customer_tz:
                ticket.sla_tz, ticket.sla_tz_assumed = customer_tz, False
            else:
                ticket.sla_tz, ticket.sla_tz_assumed = company_tz, True

    # -- ORM -----------------------------------------------------------------

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
        for vals in vals_list:
            if vals.get("priority_overridden"):
                vals.setdefault("priority_override_user_id", self.env.user.id)
                vals.setdefault("priority_override_date", fields.Datetime.now())
        tickets = super().create(vals_list)
        for ticket, vals in zip(tickets, vals_list, strict=True):
            # An explicit priority that differs from the matrix is an override.
            if (
                "priority" in vals
                and not ticket.priority_overridden
                and ticket.matrix_priority
                and ticket.priority != ticket.matrix_priority
            ):
                ticket.sudo().with_context(**{SLA_INTERNAL: True}).write(
                    ticket._prepare_override_vals({"priority_overridden": True})
                )
        tickets._sla_open_pauses(fields.Datetime.now())
        tickets._sla_update()
        return tickets

    def write(self, vals):
        if self.env.context.get(SLA_INTERNAL) and self.env.su:
            return super().write(vals)
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

    # -- pauses ----------------------------------------------------------------

    def _sla_pause_changes(self, vals):
        """Tickets that enter and leave a pausing stage with ``vals``."""
        if not vals.get("stage_id"):
            return {}
        stage = self.env["helpdesk.ticket.stage"].browse(vals["stage_id"])
        moving = self.filtered(lambda t: t.stage_id.sla_pause != stage.sla_pause)
        if stage.sla_pause:
            return {"open": moving, "close": self.browse()}
        return {"open": self.browse(), "close": moving}

    def _sla_open_pauses(self, now):
        waiting = self.filtered(lambda t: t.stage_id.sla_pause)
        self.env["support.sla.pause"].sudo().create(
            [
                {"ticket_id": ticket.id, "stage_id": ticket.stage_id.id, "date_start": now}
                for ticket in waiting
            ]
        )

    def _sla_close_pauses(self, now):
        pauses = (
            self.env["support.sla.pause"]
            .sudo()
            .search([("ticket_id", "in", self.ids), ("date_end", "=", False)])
        )
        pauses.write({"date_end": now})

    # -- SLA clocks ------------------------------------------------------------

    def _sla_plan(self):
        """What the SLA promises this ticket: ``(coverage, clocks)``.

        ``clocks`` maps ``response``/``resolve`` to ``(target minutes, calendar id)``;
        a clock missing from it has no target.
        """
        self.ensure_one()
        return self._sla_plans()[self]

    def _sla_plans(self):
        """``{ticket: (coverage, clocks)}`` of :meth:`_sla_plan` for many tickets.

        The promise is worked out once per entitlement, tier, channel and
        priority, and shared by the tickets that have them in common.
        """
        promises = {}
        plans = {}
        for ticket in self:
            entitlement = ticket.entitlement_id
            tier = ticket.tier_id
            # The customer's day, as when the entitlement was found for the ticket.
            partner = ticket.commercial_partner_id or ticket.partner_id.commercial_partner_id
            if not (
                entitlement and tier and entitlement._sla_covers(ticket.sla_start_date, partner.tz)
            ):
                plans[ticket] = ("no_contract", {})
                continue
            key = (entitlement.id, tier.id, ticket.channel_id.id, ticket.priority)
            if key not in promises:
                promises[key] = ticket._sla_promise()
            plans[ticket] = promises[key]
        return plans

    def _sla_promise(self):
        """``(coverage, clocks)`` of the ticket's tier, channel and priority."""
        self.ensure_one()
        tier = self.tier_id
        if self.channel_id and tier.channel_ids and self.channel_id not in tier.channel_ids:
            return "channel", {}
        target = tier._target_for(self.priority)
        if not target:
            return "no_target", {}
        calendar = self._sla_coverage_calendar(target)[0]
        clocks = {"response": (target.response_minutes, calendar.id)}
        if target.resolve_minutes:
            clocks["resolve"] = (target.resolve_minutes, calendar.id)
        return "covered", clocks

    def _sla_coverage_calendar(self, target):
        """Coverage hours of ``target`` on this ticket, and why: ``(calendar, origin)``.

        The priority's own hours first (e.g. P1 24/7), then the regional calendar of the
        contract, then the tier's hours; an empty calendar is 24x7.
        """
        self.ensure_one()
        if target.calendar_id:
            return target.calendar_id, "priority"
        if self.entitlement_id.calendar_id:
            return self.entitlement_id.calendar_id, "contract"
        return self.tier_id.calendar_id, "tier"

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
            calendar, origin = ticket_sudo._sla_coverage_calendar(target)
            targets = _("respond within %s", self._sla_duration_text(target.response_minutes))
            if target.resolve_minutes:
                targets = _(
                    "%(response)s, resolve within %(resolve)s",
                    response=targets,
                    resolve=self._sla_duration_text(target.resolve_minutes),
                )
            zone = ticket.sla_tz or "UTC"
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

    @api.model
    def _sla_duration_text(self, minutes):
        """Business minutes as the reader says them: "2 h 15 min", "3 h", "40 min"."""
        hours, minutes = divmod(round(abs(minutes)), 60)
        if hours and minutes:
            return _("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)
        if hours:
            return _("%s h", hours)
        return _("%s min", minutes)

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

    @api.depends("sla_coverage", "channel_id", "tier_id", "commercial_partner_id")
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
        day = fields.Datetime.context_timestamp(
            self.with_context(tz=self.sla_tz or "UTC"), self.sla_start_date or fields.Datetime.now()
        ).date()
        if contract.state in ("cancelled", "draft"):
            return contract.state
        if contract.date_start > day:
            return "future"
        if contract.date_end and contract.date_end < day:
            return "expired"
        return False

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

    def _sla_context(self):
        """Plans and engine schedules of the tickets, built once for all of them."""
        plans = self._sla_plans()
        keys = {
            (calendar_id, ticket.sla_tz or "UTC")
            for ticket, (_coverage, clocks) in plans.items()
            for _minutes, calendar_id in clocks.values()
        }
        schedules = self.env["resource.calendar"].sudo()._sla_schedules(keys)
        return plans, schedules

    def _sla_inputs(self, clock, now, pauses=None):
        """Engine inputs of one clock: start, pauses and completion (aware)."""
        if pauses is None:
            pauses = [(_aware(p.date_start), _aware(p.date_end)) for p in self.sla_pause_ids]
        if clock == "response":
            completed = self.sla_first_response_date
        else:
            completed = self.closed_date if self.stage_id.closed else False
        return _aware(self.sla_start_date or now), pauses, _aware(completed) or None

    def _sla_pauses(self):
        """``{ticket id: [(start, end)]}`` of the tickets' pauses (aware), in one query."""
        pauses = defaultdict(list)
        stored = tuple(id_ for id_ in self.ids if isinstance(id_, int))  # not new records
        if stored:
            self.env.cr.execute(
                SQL(
                    "SELECT ticket_id, date_start, date_end FROM support_sla_pause "
                    "WHERE ticket_id IN %s ORDER BY date_start",
                    stored,
                )
            )
            for ticket_id, date_start, date_end in self.env.cr.fetchall():
                pauses[ticket_id].append((_aware(date_start), _aware(date_end)))
        return pauses

    def _sla_evaluate(self, now=None):
        """What the engine says of every clock of the tickets at ``now``.

        The one evaluation behind storing (:meth:`_sla_update`), display
        (:meth:`_compute_sla_remaining`) and repair. Returns ``{ticket: (coverage,
        {clock: SlaClock})}``; a clock with no target is missing from the dict.
        """
        now = now or fields.Datetime.now()
        at = _aware(now)
        self.env["support.sla.pause"].flush_model()
        # Only the columns the clocks need, not the whole (wide) tickets.
        self.fetch(SLA_INPUTS)
        plans, schedules = self._sla_context()
        pauses_of = self._sla_pauses()
        shares = {}
        result = {}
        for ticket in self:
            coverage, clocks = plans[ticket]
            company = ticket.company_id or self.env.company
            if company not in shares:
                shares[company] = (company.sla_warning_percent or 80) / 100
            states = {}
            for clock, (minutes, calendar_id) in clocks.items():
                schedule = schedules[calendar_id, ticket.sla_tz or "UTC"]
                start, pauses, completed = ticket._sla_inputs(clock, now, pauses_of[ticket.id])
                try:
                    state = clock_state(
                        schedule, start, minutes, at=at, pauses=pauses, completed=completed
                    )
                    closed_pauses = [(begin, end or max(at, begin)) for begin, end in pauses]
                    warning = deadline_with_pauses(
                        schedule, start, minutes * shares[company], closed_pauses
                    )
                except SlaError as error:
                    raise UserError(
                        _(
                            "The SLA of %(ticket)s cannot be computed: %(reason)s",
                            ticket=ticket.display_name,
                            reason=sla_error_message(self.env, error, ticket.sla_tz),
                        )
                    ) from error
                # A target too short for its share still warns a minute before the end.
                warning = min(warning, state.deadline - ONE_MINUTE)
                states[clock] = SlaClock(state, _naive(warning), calendar_id, completed)
            result[ticket] = (coverage, states)
        return result

    def _sla_update(self, repair=False):
        """Recompute the clocks of the tickets from their creation and store them.

        Met and breached clocks are never rewritten, unless ``repair`` rebuilds
        them from the ticket's history. Values are written grouped, and the
        scheduled check is asked to run at the earliest warning or deadline.
        """
        tickets = self.sudo().exists()
        if not tickets:
            return {}
        now = fields.Datetime.now()
        changes = {}
        moments = []
        for ticket, (coverage, states) in tickets._sla_evaluate(now).items():
            vals = ticket._sla_values(coverage, states, now, repair)
            moment = ticket._sla_next_moment(vals, now)
            if moment:
                moments.append(moment)
            changed = ticket._sla_changed_values(vals)
            if changed:
                changes[ticket] = changed
        tickets._sla_store(changes)
        if moments:
            self._sla_trigger_check(min(moments), now)
        return changes

    def _sla_values(self, coverage, states, now, repair=False):
        """Stored values of one ticket's evaluated clocks."""
        self.ensure_one()
        vals = {
            "sla_coverage": coverage,
            "sla_out_of_entitlement": coverage == "channel",
        }
        calendars = {sla_clock.calendar_id for sla_clock in states.values()}
        vals["sla_calendar_id"] = next(iter(calendars), False) or False
        paused = []
        for clock in CLOCKS:
            if not repair and self[f"sla_{clock}_status"] in FROZEN:
                continue
            if clock not in states:
                vals.update(
                    {
                        f"sla_{clock}_status": STATUS_NONE,
                        f"sla_{clock}_deadline": False,
                        f"sla_{clock}_warning_date": False,
                    }
                )
                continue
            state, warning, _calendar_id, completed = states[clock]
            status = state.status
            if status == STATUS_BREACHED and completed is None and not repair:
                # Still open past its deadline: the scheduled check marks it and
                # announces the breach, once.
                status = STATUS_RUNNING
            vals.update(
                {
                    f"sla_{clock}_status": status,
                    f"sla_{clock}_deadline": _naive(state.deadline),
                    f"sla_{clock}_warning_date": warning,
                }
            )
            # A warning moved into the future may warn again, once.
            if self[f"sla_{clock}_warned"] and warning > now:
                vals[f"sla_{clock}_warned"] = False
            paused.append(state.paused_seconds // 60)
        if paused:
            vals["sla_paused_minutes"] = max(paused)
        return vals

    def _sla_changed_values(self, vals):
        """The part of ``vals`` that differs from what the ticket stores."""
        self.ensure_one()
        changed = {}
        for name, value in vals.items():
            current = self[name]
            if name == "sla_calendar_id":
                current = current.id
            if (current or False) != (value or False):
                changed[name] = value
        return changed

    def _sla_store(self, changes):
        """Write ``{ticket: values}`` with one UPDATE per set of changed fields.

        The SLA fields are not tracked and only the SLA machinery writes them:
        they go straight to the database (Odoo's grouped ``UPDATE ... FROM
        VALUES``), then the cache and their dependents are told.
        """
        by_fields = defaultdict(list)
        for ticket, vals in changes.items():
            by_fields[tuple(sorted(vals))].append((ticket, vals))
        for fnames, rows in by_fields.items():
            records = self.browse([ticket.id for ticket, _vals in rows])
            names = list(fnames)
            records.flush_recordset(names)
            records._write_multi(
                [
                    {
                        name: self._fields[name].convert_to_column(value, ticket)
                        for name, value in vals.items()
                    }
                    for ticket, vals in rows
                ]
            )
            records.invalidate_recordset([*names, "write_date", "write_uid"])
            records.modified(names)

    def _sla_next_moment(self, vals, now):
        """Earliest upcoming warning or deadline of the ticket's live clocks.

        ``vals`` are the values being stored; the others are read from the ticket.
        """
        self.ensure_one()
        moments = []
        for clock in CLOCKS:
            status = vals.get(f"sla_{clock}_status", self[f"sla_{clock}_status"])
            if status not in LIVE:
                continue
            warning = vals.get(f"sla_{clock}_warning_date", self[f"sla_{clock}_warning_date"])
            warned = vals.get(f"sla_{clock}_warned", self[f"sla_{clock}_warned"])
            if warning and not warned:
                moments.append(max(warning, now))
            deadline = vals.get(f"sla_{clock}_deadline", self[f"sla_{clock}_deadline"])
            if status == STATUS_RUNNING and deadline:
                moments.append(max(deadline + ONE_SECOND, now))
        return min(moments, default=None)

    @api.model
    def _sla_trigger_check(self, moment, now):
        """One trigger of the SLA check at the minute of ``moment``.

        Nothing is added when a trigger already runs the check between now and
        then: that run schedules the next moment itself.
        """
        cron = self.env.ref("support_sla.ir_cron_sla_check", raise_if_not_found=False)
        if not cron:
            return
        at = _minute_ceiling(moment)
        pending = (
            self.env["ir.cron.trigger"]
            .sudo()
            .search_count(
                [("cron_id", "=", cron.id), ("call_at", ">", now), ("call_at", "<=", at)],
                limit=1,
            )
        )
        if not pending:
            cron.sudo()._trigger(at)

    def _sla_record_first_response(self, when):
        """The first public reply of an agent stops the response clock."""
        pending = self.filtered(lambda t: not t.sla_first_response_date)
        if pending:
            pending.with_context(**{SLA_INTERNAL: True}).sudo().write(
                {"sla_first_response_date": when}
            )
            pending._sla_update()

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        comment = self.env.ref("mail.mt_comment")
        if (
            message.message_type == "comment"
            and message.subtype_id == comment
            and any(not user.share for user in message.author_id.user_ids)
        ):
            self._sla_record_first_response(message.date or fields.Datetime.now())
        return result

    # -- re-timing after a configuration change -------------------------------

    @api.model
    def _sla_retime_domain(self):
        """Open tickets with a clock that may still move (not met nor breached)."""
        movable = (STATUS_NONE, *LIVE)
        return [
            ("stage_id.closed", "=", False),
            "|",
            ("sla_response_status", "in", movable),
            ("sla_resolve_status", "in", movable),
        ]

    @api.model
    def _sla_retime(self, domain, refresh=False):
        """Re-time the open tickets of ``domain`` after a change of SLA configuration.

        ``refresh``: the change may also move their tier, time zone or matrix
        priority (entitlements, the matrix), which are recomputed first.
        They are found in one query. Up to the threshold (system parameter
        ``support_sla.retime_threshold``) they are re-timed at once; more are
        queued in one INSERT and re-timed in batches by a scheduled action.
        """
        tickets = self.sudo()
        domain = expression.AND([self._sla_retime_domain(), domain])
        threshold = _config_int(self.env, "support_sla.retime_threshold", SLA_RETIME_THRESHOLD)
        found = tickets.search(domain, limit=threshold + 1, order="id")
        if len(found) <= threshold:
            found._sla_retime_now(refresh)
            return found
        query = tickets._search(domain)
        self.env["support.sla.retime.queue"].flush_model()
        self.env.cr.execute(
            SQL(
                "INSERT INTO support_sla_retime_queue (ticket_id, refresh) %s "
                "ON CONFLICT (ticket_id) DO UPDATE SET refresh = "
                "support_sla_retime_queue.refresh OR EXCLUDED.refresh",
                query.select(SQL.identifier(query.table, "id"), SQL("%s", bool(refresh))),
            )
        )
        tickets.invalidate_model(["sla_retime_pending"])
        self.env.ref("support_sla.ir_cron_sla_retime").sudo()._trigger()
        return tickets.browse()

    def _sla_retime_now(self, refresh=False):
        """Re-time the tickets' clocks; with ``refresh``, their tier, zone and matrix
        priority first."""
        tickets = self.sudo().with_context(**{SLA_INTERNAL: True})
        if refresh:
            tickets._sla_refresh_contract()
        tickets._sla_update()

    def _sla_refresh_contract(self):
        """Recompute the tier, zone, matrix priority and priority that the tickets follow.

        The priority follows the matrix priority unless overridden: recomputed after it.
        """
        tickets = self
        names = ["tier_id", "sla_tz", "matrix_priority", "priority"]
        # Stored values in the cache first: only the ones that change are written.
        tickets.fetch(names)
        for name in names:
            self.env.add_to_compute(tickets._fields[name], tickets)
            tickets._recompute_recordset([name])

    @api.model
    def _cron_sla_retime(self):
        """Re-time one batch of queued tickets; the scheduler runs it again until done.

        The batch is taken off the queue with ``FOR UPDATE SKIP LOCKED`` (safe
        with several workers) in the transaction that re-times it, which the
        scheduler commits: after a crash or a restart the batch is still queued
        and is done again.
        """
        batch = _config_int(self.env, "support_sla.retime_batch", SLA_RETIME_BATCH)
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM support_sla_retime_queue
                 WHERE id IN (SELECT id FROM support_sla_retime_queue
                               ORDER BY ticket_id LIMIT %s FOR UPDATE SKIP LOCKED)
             RETURNING ticket_id, refresh
                """,
                batch,
            )
        )
        rows = sorted(self.env.cr.fetchall())
        tickets = self.sudo().browse([ticket_id for ticket_id, _refresh in rows])
        tickets.invalidate_recordset(["sla_retime_pending"])
        tickets.browse(
            [ticket_id for ticket_id, refresh in rows if refresh]
        )._sla_refresh_contract()
        tickets._sla_retime_now()
        self.env.cr.execute("SELECT COUNT(*) FROM support_sla_retime_queue")
        remaining = self.env.cr.fetchone()[0]
        self.env["ir.cron"]._notify_progress(done=len(tickets), remaining=remaining)
        # The next batch starts with an empty cache: memory stays bounded.
        self.env.flush_all()
        self.env.invalidate_all()

    def _compute_sla_retime_pending(self):
        """Whether the ticket waits in the re-timing queue (one query)."""
        stored = tuple(id_ for id_ in self.ids if isinstance(id_, int))
        queued = set()
        if stored:
            self.env.cr.execute(
                SQL(
                    "SELECT ticket_id FROM support_sla_retime_queue WHERE ticket_id IN %s",
                    stored,
                )
            )
            queued = {row[0] for row in self.env.cr.fetchall()}
        for ticket in self:
            ticket.sla_retime_pending = ticket.id in queued

    def _search_sla_retime_pending(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search tickets being re-timed with = or != and a boolean."))
        queued = SQL("(SELECT ticket_id FROM support_sla_retime_queue)")
        pending = (operator == "=") == value
        return [("id", "in" if pending else "not in", queued)]

    @api.model
    def _sla_retime_counts(self, field_name, records):
        """``{record: number of its tickets waiting to be re-timed}`` (one query)."""
        groups = self.sudo()._read_group(
            [(field_name, "in", records.ids), ("sla_retime_pending", "=", True)],
            [field_name],
            ["__count"],
        )
        return {record.id: count for record, count in groups}

    # -- repair ----------------------------------------------------------------

    def action_sla_repair(self):
        """Rebuild the clocks from the ticket's own history; say what changed.

        Start, pauses, first public reply and closing are read again, and every
        clock (met and breached ones too) is recomputed. A second run changes
        nothing.
        """
        if not self.env.user.has_group("helpdesk_mgmt.group_helpdesk_manager"):
            raise UserError(_("Only helpdesk managers can repair SLA clocks."))
        tickets = self.sudo()
        tracked = [name for name in SLA_REPAIR_REPORTED if name in tickets._fields]
        before = {ticket: {name: ticket[name] for name in tracked} for ticket in tickets}
        pauses_before = {ticket: ticket._sla_pause_spans() for ticket in tickets}
        tickets._sla_rebuild_first_response()
        tickets._sla_rebuild_pauses()
        tickets._sla_update(repair=True)
        notes = {}
        for ticket in tickets:
            lines = [
                ticket._sla_change_line(name, before[ticket][name])
                for name in tracked
                if ticket[name] != before[ticket][name]
            ]
            if ticket._sla_pause_spans() != pauses_before[ticket]:
                lines.append(
                    _(
                        "Pauses: %(old)s → %(new)s",
                        old=len(pauses_before[ticket]),
                        new=len(ticket.sla_pause_ids),
                    )
                )
            if lines:
                notes[ticket.id] = Markup("%s<ul>%s</ul>") % (
                    _("SLA repaired from the ticket's history:"),
                    Markup().join(Markup("<li>%s</li>") % line for line in lines),
                )
        if notes:
            tickets.browse(list(notes))._message_log_batch(bodies=notes)
        return True

    def _sla_rebuild_first_response(self):
        """First public reply of an agent, read again from the messages (one query)."""
        comment = self.env.ref("mail.mt_comment")
        self.env["mail.message"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT message.res_id, MIN(message.date)
                  FROM mail_message message
                  JOIN res_users author ON author.partner_id = message.author_id
                 WHERE message.model = %(model)s AND message.res_id IN %(ids)s
                   AND message.message_type = 'comment' AND message.subtype_id = %(comment)s
                   AND NOT author.share
              GROUP BY message.res_id
                """,
                model=self._name,
                ids=tuple(self.ids) or (0,),
                comment=comment.id,
            )
        )
        first = dict(self.env.cr.fetchall())
        for ticket in self:
            value = first.get(ticket.id) or False
            if ticket.sla_first_response_date != value:
                ticket.with_context(**{SLA_INTERNAL: True}).sla_first_response_date = value

    def _sla_pause_spans(self):
        """The ticket's pauses as ``[(start, end)]`` (naive UTC, end None while open)."""
        self.ensure_one()
        return [(pause.date_start, pause.date_end or None) for pause in self.sla_pause_ids]

    def _sla_rebuild_pauses(self):
        """Pauses read again from the stage history (tracking), in one query.

        A ticket whose stage changes were not tracked keeps the pauses it has.
        """
        field = self.env["ir.model.fields"]._get(self._name, "stage_id")
        self.env["mail.tracking.value"].flush_model()
        self.env["mail.message"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT message.res_id, message.date, value.old_value_integer,
                       value.new_value_integer
                  FROM mail_tracking_value value
                  JOIN mail_message message ON message.id = value.mail_message_id
                 WHERE message.model = %(model)s AND message.res_id IN %(ids)s
                   AND value.field_id = %(field)s
              ORDER BY message.res_id, message.date, value.id
                """,
                model=self._name,
                ids=tuple(self.ids) or (0,),
                field=field.id,
            )
        )
        moves = defaultdict(list)
        for ticket_id, date, old_stage, new_stage in self.env.cr.fetchall():
            moves[ticket_id].append((date, old_stage, new_stage))
        Stage = self.env["helpdesk.ticket.stage"]
        pausing = set(Stage.search([("sla_pause", "=", True)]).ids)
        Pause = self.env["support.sla.pause"].sudo()
        for ticket in self.filtered(lambda t: t.id in moves):
            history = moves[ticket.id]
            spans = []
            stage, since = history[0][1], ticket.sla_start_date
            for date, _old_stage, new_stage in history:
                if stage in pausing and date > since:
                    spans.append((since, date, stage))
                stage, since = new_stage, date
            if stage in pausing:
                spans.append((since, None, stage))
            if [(start, end) for start, end, _stage in spans] == ticket._sla_pause_spans():
                continue
            ticket.sla_pause_ids.sudo().unlink()
            Pause.create(
                [
                    {"ticket_id": ticket.id, "stage_id": stage, "date_start": start,
                     "date_end": end or False}
                    for start, end, stage in spans
                ]
            )  # fmt: skip

    def _sla_change_line(self, name, old):
        """``Field: old → new`` for the repair note, dates in the customer's time."""
        field = self._fields[name]

        def text(value):
            if field.type == "datetime":
                return self._sla_local_text(value) or _("none")
            if field.type == "selection":
                labels = dict(field._description_selection(self.env))
                return labels.get(value) or _("none")
            return str(value) if value else _("none")

        return _(
            "%(field)s: %(old)s → %(new)s",
            field=field._description_string(self.env),
            old=text(old),
            new=text(self[name]),
        )

    # -- display -------------------------------------------------------------

    @api.depends_context("uid", "lang")
    @api.depends(
        "sla_response_status",
        "sla_resolve_status",
        "sla_response_deadline",
        "sla_resolve_deadline",
        "sla_paused_minutes",
    )
    def _compute_sla_remaining(self):
        """Business hours left on each clock, and the alert level."""
        now = fields.Datetime.now()
        live = self.filtered(
            lambda t: (
                t.id
                and (t.sla_response_status != STATUS_NONE or t.sla_resolve_status != STATUS_NONE)
            )
        )
        for ticket in self - live:
            ticket.update(
                {
                    "sla_response_remaining": 0,
                    "sla_resolve_remaining": 0,
                    "sla_alert": False,
                    "sla_paused_text": self._sla_duration_text(ticket.sla_paused_minutes),
                }
            )
        if not live:
            return
        evaluation = live.sudo()._sla_evaluate(now)
        for ticket in live:
            states = evaluation[ticket.sudo()][1]
            paused = max((s.state.paused_seconds for s in states.values()), default=None)
            minutes = ticket.sla_paused_minutes if paused is None else paused // 60
            ticket.sla_paused_text = self._sla_duration_text(minutes)
            alert = False
            for clock in CLOCKS:
                status = ticket[f"sla_{clock}_status"]
                remaining = 0.0
                if status != STATUS_NONE and clock in states:
                    remaining = states[clock].state.remaining_seconds / 3600
                    alert = _worse(alert, ticket._sla_alert_of(clock, status, now))
                ticket[f"sla_{clock}_remaining"] = remaining
            ticket.sla_alert = alert

    def _sla_alert_of(self, clock, status, now):
        """Alert level of one clock: the record-side reading of the alert domains."""
        if status == STATUS_BREACHED:
            return "danger"
        if status in LIVE:
            deadline = self[f"sla_{clock}_deadline"]
            warning = self[f"sla_{clock}_warning_date"]
            if status == STATUS_RUNNING and deadline and deadline < now:
                return "danger"
            if warning and warning <= now:
                return "warning"
            return "ok"
        return False

    @api.model
    def _get_sla_alert_domain(self, level, now, clock=None):
        """Domain of the tickets at SLA alert ``level`` at ``now``.

        The one source of the ``sla_alert`` search and of the scheduled check.
        Levels: ``overdue`` (a running clock past its deadline, not marked yet),
        ``danger`` (breached or overdue), ``warning`` (a live clock past its
        warning moment, not in danger), ``ok`` (live, neither), False (no live
        clock). ``clock`` limits the domain to one clock; otherwise any clock.
        """
        clocks = [clock] if clock else list(CLOCKS)

        def any_clock(make):
            return expression.OR([make(c) for c in clocks])

        overdue = any_clock(
            lambda c: [(f"sla_{c}_status", "=", STATUS_RUNNING), (f"sla_{c}_deadline", "<", now)]
        )
        if level == "overdue":
            return overdue
        danger = expression.OR(
            [any_clock(lambda c: [(f"sla_{c}_status", "=", STATUS_BREACHED)]), overdue]
        )
        if level == "danger":
            return danger
        at_risk = any_clock(
            lambda c: [(f"sla_{c}_status", "in", LIVE), (f"sla_{c}_warning_date", "<=", now)]
        )
        warning = expression.AND([at_risk, ["!", *danger]])
        if level == "warning":
            return warning
        if level == "ok":
            return expression.AND(
                [
                    any_clock(lambda c: [(f"sla_{c}_status", "in", LIVE)]),
                    ["!", *danger],
                    ["!", *at_risk],
                ]
            )
        return expression.AND(
            [[(f"sla_{c}_status", "in", (STATUS_NONE, STATUS_MET))] for c in clocks]
        )

    def _search_sla_alert(self, operator, value):
        if operator not in ("=", "!=") or value not in ("ok", "warning", "danger", False):
            raise UserError(_("Search SLA alerts with = or != and a level."))
        domain = expression.normalize_domain(
            self._get_sla_alert_domain(value, fields.Datetime.now())
        )
        return domain if operator == "=" else ["!", *domain]

    @api.depends(
        "sla_response_status", "sla_resolve_status", "sla_response_deadline", "sla_resolve_deadline"
    )
    def _compute_sla_next_deadline(self):
        """The earliest deadline of the clocks still due."""
        for ticket in self:
            ticket.sla_next_deadline = min(
                (
                    ticket[f"sla_{clock}_deadline"]
                    for clock in CLOCKS
                    if ticket[f"sla_{clock}_status"] in UNFINISHED
                    and ticket[f"sla_{clock}_deadline"]
                ),
                default=False,
            )

    @api.depends("sla_next_deadline", "sla_tz")
    @api.depends_context("lang")
    def _compute_sla_deadline_local(self):
        """The next deadline still due, in the customer's own time."""
        for ticket in self:
            ticket.sla_deadline_local = ticket._sla_local_text(ticket.sla_next_deadline)

    @api.depends("sla_response_deadline", "sla_resolve_deadline", "sla_tz")
    def _compute_sla_deadline_customer(self):
        """Each deadline in the customer's own time, with its zone."""
        for ticket in self:
            for clock in CLOCKS:
                ticket[f"sla_{clock}_deadline_customer"] = ticket._sla_local_text(
                    ticket[f"sla_{clock}_deadline"]
                )

    @api.depends("sla_alert", "sla_response_status", "sla_resolve_status", "sla_coverage")
    def _compute_sla_state(self):
        """One SLA state to show: a breach first, then a pause (its deadlines will move).

        Without a contract, one that expired says so, as the form's banner does.
        """
        uncovered = self.filtered(lambda t: t.sla_coverage == "no_contract")
        lapsed = uncovered._sla_lapsed_contracts() if uncovered else {}
        for ticket in self:
            statuses = {ticket.sla_response_status, ticket.sla_resolve_status}
            if ticket.sla_alert == "danger":
                state = "breached"
            elif STATUS_PAUSED in statuses:
                state = "paused"
            elif ticket.sla_alert == "warning":
                state = "at_risk"
            elif ticket.sla_alert == "ok":
                state = "on_track"
            elif STATUS_MET in statuses:
                state = "met"
            elif ticket in lapsed and ticket._sla_lapse(lapsed[ticket]) == "expired":
                state = "contract_expired"
            else:
                state = {
                    "channel": "out_of_entitlement",
                    "no_contract": "no_contract",
                    "no_target": "no_target",
                }.get(ticket.sla_coverage, False)
            ticket.sla_state = state

    @api.depends("sla_response_remaining", "sla_resolve_remaining")
    @api.depends_context("lang")
    def _compute_sla_left(self):
        """Business time left on each live clock, with a unit ("overdue by 40 min")."""
        for ticket in self:
            for clock in CLOCKS:
                text = False
                if ticket[f"sla_{clock}_status"] in UNFINISHED:
                    overdue, minutes = ticket._sla_time_left(clock)
                    text = self._sla_duration_text(minutes)
                    if overdue:
                        text = _("overdue by %s", text)
                ticket[f"sla_{clock}_left"] = text

    def _sla_time_left(self, clock):
        """``(overdue, minutes)`` of a clock: whole minutes left, or overdue by.

        Rounded up, so that a clock at or past its deadline is overdue by at least a
        minute and one still running has at least a minute left: the wording always
        agrees with the state (never "overdue by 0 min").
        """
        self.ensure_one()
        seconds = round(self[f"sla_{clock}_remaining"] * 3600)
        return seconds <= 0, max(1, -(-abs(seconds) // 60))

    def _sla_local_text(self, deadline):
        """A stored (UTC) moment as the customer's time, in the reader's language."""
        self.ensure_one()
        if not deadline:
            return False
        zone_name = self.sla_tz or "UTC"
        local = format_datetime(self.env, deadline, tz=zone_name, dt_format="short")
        return f"{local} ({zone_name})"

    # -- scheduled actions ---------------------------------------------------

    @api.model
    def _cron_sla_check(self):
        """Mark breached clocks, announce the breaches and warn of tickets at risk.

        Runs at the exact moments asked by :meth:`_sla_trigger_check`, and
        periodically as a safety net; a batch per clock and kind per run, the
        scheduler runs it again while some remain.
        """
        now = fields.Datetime.now()
        tickets = self.sudo().with_context(**{SLA_INTERNAL: True})
        batch = _config_int(self.env, "support_sla.check_batch", SLA_CHECK_BATCH)
        done = 0
        due = []
        for clock in CLOCKS:
            overdue = self._get_sla_alert_domain("overdue", now, clock)
            breached = tickets.search(overdue, order="id", limit=batch)
            if breached:
                breached.write({f"sla_{clock}_status": STATUS_BREACHED})
                breached._sla_on_breach(clock)
            not_warned = [(f"sla_{clock}_warned", "=", False)]
            to_warn = expression.AND(
                [self._get_sla_alert_domain("warning", now, clock), not_warned]
            )
            at_risk = tickets.search(to_warn, order="id", limit=batch)
            if at_risk:
                at_risk._sla_on_warning(clock)
                at_risk.write({f"sla_{clock}_warned": True})
            done += len(breached) + len(at_risk)
            due += [overdue, to_warn]
        remaining = tickets.search_count(expression.OR(due)) if done else 0
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        self._sla_schedule_next_check(now)

    @api.model
    def _sla_schedule_next_check(self, now):
        """Trigger the check at the next warning or deadline of any ticket (one query)."""
        live = tuple(LIVE)
        self.flush_model(
            [f"sla_{c}_{kind}" for c in CLOCKS for kind in ("status", "deadline", "warning_date")]
            + [f"sla_{c}_warned" for c in CLOCKS]
        )
        parts = []
        for clock in CLOCKS:
            parts.append(
                SQL(
                    "(SELECT MIN(%(warning)s) FROM helpdesk_ticket WHERE %(status)s IN %(live)s "
                    "AND NOT COALESCE(%(warned)s, FALSE) AND %(warning)s > %(now)s)",
                    warning=SQL.identifier(f"sla_{clock}_warning_date"),
                    warned=SQL.identifier(f"sla_{clock}_warned"),
                    status=SQL.identifier(f"sla_{clock}_status"),
                    live=live,
                    now=now,
                )
            )
            parts.append(
                SQL(
                    "(SELECT MIN(%(deadline)s) + interval '1 second' FROM helpdesk_ticket "
                    "WHERE %(status)s = %(running)s AND %(deadline)s >= %(now)s)",
                    deadline=SQL.identifier(f"sla_{clock}_deadline"),
                    status=SQL.identifier(f"sla_{clock}_status"),
                    running=STATUS_RUNNING,
                    now=now,
                )
            )
        self.env.cr.execute(SQL("SELECT LEAST(%s)", SQL(", ").join(parts)))
        moment = self.env.cr.fetchone()[0]
        if moment:
            self._sla_trigger_check(moment, now)

    def _sla_recipients(self, activity_type=None):
        """``{ticket: user}``: who takes the ticket's SLA work (warnings, call-backs).

        The assignee, else the team leader, else the default user of
        ``activity_type``, else the first helpdesk manager of the ticket's company;
        never OdooBot, an archived or a portal user (empty user: nobody can).
        """
        managers_group = self.env.ref("helpdesk_mgmt.group_helpdesk_manager").sudo()
        default_user = activity_type.sudo().default_user_id if activity_type else None
        managers = {}
        found = {}
        for ticket in self:
            ticket_sudo = ticket.sudo()
            user = next(
                (
                    user
                    for user in (ticket_sudo.user_id, ticket_sudo.team_id.user_id, default_user)
                    if _sla_reachable(user)
                ),
                None,
            )
            if not user:
                company = ticket_sudo.company_id or self.env.company
                if company not in managers:
                    managers[company] = managers_group.users.filtered(
                        lambda u, company=company: company in u.company_ids and _sla_reachable(u)
                    ).sorted("id")[:1]
                user = managers[company]
            found[ticket] = user
        return found

    def _sla_team_lang(self):
        """Language of a note for the team: the company's, else the reader's."""
        self.ensure_one()
        company = self.sudo().company_id or self.env.company
        return company.partner_id.lang or self.env.lang

    def _sla_tell(self, activity_type, summaries):
        """One activity per ticket for its recipient, or a note without one.

        ``summaries(ticket)`` gives the text, rendered in the recipient's language (a
        note in the company's). The activity is due on the recipient's own today.
        Created in two batches whatever the number of tickets.
        """
        model_id = self.env["ir.model"]._get_id(self._name)
        activities = []
        notes = {}
        for ticket, user in self._sla_recipients(activity_type).items():
            if user:
                reader = ticket.with_context(lang=user.lang or self.env.lang)
                activities.append(
                    {
                        "activity_type_id": activity_type.id,
                        "summary": summaries(reader),
                        "automated": True,
                        "date_deadline": _sla_user_today(self, user),
                        "res_model_id": model_id,
                        "res_id": ticket.id,
                        "user_id": user.id,
                    }
                )
            else:
                notes[ticket.id] = summaries(ticket.with_context(lang=ticket._sla_team_lang()))
        if activities:
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
                activities
            )
        if notes:
            self.browse(list(notes))._message_log_batch(bodies=notes, message_type="notification")

    def _sla_on_warning(self, clock):
        """Hook: ``clock`` of the tickets has just reached its warning moment (once per
        clock). Announces it; addons extend it to act on tickets at risk."""
        self._sla_warn(clock)

    def _sla_on_breach(self, clock):
        """Hook: ``clock`` of the tickets has just been marked breached (once per clock).
        Announces it; addons extend it to act on breaches."""
        self._sla_notify_breach(clock)

    def _sla_warn(self, clock):
        """Warn the assignee (else the team leader) that the ticket is at risk."""
        activity_type = self.env.ref("support_sla.mail_activity_sla_warning")

        def summary(ticket):
            deadline = ticket._sla_local_text(ticket[f"sla_{clock}_deadline"])
            if clock == "response":
                return ticket.env._("SLA at risk: response due %(deadline)s", deadline=deadline)
            return ticket.env._("SLA at risk: resolution due %(deadline)s", deadline=deadline)

        self._sla_tell(activity_type, summary)

    def _sla_notify_breach(self, clock):
        """Announce, once, that ``clock`` of the tickets has just been breached."""
        activity_type = self.env.ref("support_sla.mail_activity_sla_breach")

        def summary(ticket):
            deadline = ticket._sla_local_text(ticket[f"sla_{clock}_deadline"])
            if clock == "response":
                return ticket.env._(
                    "SLA breached: the response was due %(deadline)s", deadline=deadline
                )
            return ticket.env._(
                "SLA breached: the resolution was due %(deadline)s", deadline=deadline
            )

        self._sla_tell(activity_type, summary)

    # -- customer portal -------------------------------------------------------

    @api.model
    def _sla_preview(self, values):
        """What a ticket created with ``values`` would be promised; nothing is saved.

        The ticket is built in memory with the computes of ``create`` (matrix
        priority and the priority that follows it, entitlement, tier, time zone)
        and its response clock is evaluated as ``_sla_update`` does, so the promise
        shown is the promise kept.
        Returns ``priority``, ``priority_label``, ``response_deadline`` (naive UTC
        or False), ``tz`` (the ticket's coverage zone) and ``note`` (or False).
        """
        now = fields.Datetime.now()
        ticket = self.new({**values, "sla_start_date": now})
        ticket.sla_coverage, deadline = ticket._sla_preview_response(now)
        return {
            "priority": ticket.priority,
            "priority_label": PRIORITY_LABELS.get(ticket.priority, ""),
            "response_deadline": deadline,
            "tz": ticket.sla_tz or "UTC",
            "note": ticket.sla_note,
        }

    def _sla_preview_response(self, now):
        """``(coverage, response deadline)`` of an unsaved ticket at ``now``.

        The one place where the preview evaluates a clock: the same evaluation
        as ``_sla_update`` (:meth:`_sla_evaluate`).
        """
        self.ensure_one()
        coverage, states = self._sla_evaluate(now)[self]
        response = states.get("response")
        return coverage, _naive(response.state.deadline) if response else False

    def _sla_check_customer_action(self):
        """Acting on a ticket from the portal is for its customer's contacts.

        Reading follows helpdesk_mgmt's rules (a follower from another company may
        read); changing the priority, asking a call-back, escalating, answering a
        billable charge or closing needs a signed-in contact of the ticket's
        commercial partner who may read the ticket (record rules, as the user).
        """
        for ticket in self:
            if not ticket._sla_customer_may_act():
                raise AccessError(
                    _("Only the contacts of its customer, %(customer)s, may act on this ticket.",
                      customer=ticket.sudo().commercial_partner_id.display_name)
                )  # fmt: skip

    def _sla_customer_may_act(self):
        """Whether the signed-in user is a contact of the ticket's customer who may read
        it (see ``_sla_check_customer_action``); the portal page offers actions then."""
        self.ensure_one()
        user = self.env.user
        return (
            not user._is_public()
            and self.with_user(user).sudo(False).has_access("read")
            and self.sudo().commercial_partner_id == user.commercial_partner_id
        )

    @api.model
    def _sla_check_customer_text(self, text, label, limit):
        """Customer text: no NUL byte and at most ``limit`` characters."""
        if text and "\x00" in text:
            raise UserError(_("%(field)s contains a character that is not allowed.", field=label))
        if text and len(text) > limit:
            raise UserError(
                _("%(field)s is too long: at most %(limit)s characters.", field=label, limit=limit)
            )

    def _sla_check_priority_rate(self):
        """At most a few priority changes per ticket per minute (tracking history)."""
        self.ensure_one()
        field = self.env["ir.model.fields"]._get(self._name, "priority")
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT COUNT(*)
                  FROM mail_tracking_value value
                  JOIN mail_message message ON message.id = value.mail_message_id
                 WHERE message.model = %(model)s AND message.res_id = %(id)s
                   AND value.field_id = %(field)s AND message.date > %(since)s
                """,
                model=self._name,
                id=self.id,
                field=field.id,
                since=fields.Datetime.now() - ONE_MINUTE,
            )
        )
        if self.env.cr.fetchone()[0] >= PRIORITY_CHANGES_PER_MINUTE:
            raise UserError(
                _("The priority of this ticket just changed several times: try again in a minute.")
            )

    def _sla_customer_override(self, priority, reason):
        """The customer overrides the priority with a reason (portal).

        Validated here so that a bad request changes nothing; written as any
        override, hence tracked and followed by the deadlines.
        """
        self.ensure_one()
        self._sla_check_customer_action()
        if priority not in PRIORITY_LABELS:
            raise UserError(_("Choose a priority between P1 and P4."))
        self._sla_check_customer_text(reason, _("The reason"), REASON_MAX_LENGTH)
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Say why the priority should change: the support team reads it."))
        if self.stage_id.closed:
            raise UserError(_("This ticket is closed: its priority can no longer change."))
        self._sla_check_priority_rate()
        self.write(
            {
                "priority": priority,
                "priority_overridden": True,
                "priority_override_reason": reason,
            }
        )

    @api.depends("sla_callback_activity_id.active")
    def _compute_sla_callback_pending(self):
        """A call-back is pending while its activity is not done."""
        for ticket in self:
            activity = ticket.sudo().sla_callback_activity_id
            ticket.sla_callback_pending = bool(activity) and activity.active

    def _sla_callback_offered(self):
        """Call-back is offered on open tickets whose tier includes the phone."""
        self.ensure_one()
        tier = self.sudo().tier_id
        phone = self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_phone", False)
        return bool(
            tier
            and not self.stage_id.closed
            and phone
            and (not tier.channel_ids or phone in tier.channel_ids)
        )

    def _sla_callback_user(self):
        """Who calls the customer back (see ``_sla_recipients``)."""
        self.ensure_one()
        return self._sla_recipients(self.env.ref("support_sla.mail_activity_callback"))[self]

    def _sla_request_callback(self, mode):
        """Queue the customer's call-back request as an activity of the team.

        The activity goes to the assignee, else the team leader (see
        ``_sla_callback_user``), and carries the customer's phone and the mode;
        activities are ordered by arrival. A second request while one is pending is
        refused.
        """
        self.ensure_one()
        self._sla_check_customer_action()
        if mode not in dict(CALLBACK_MODES):
            raise UserError(_("Choose whether we call you now or when we can."))
        if not self._sla_callback_offered():
            raise UserError(_("Call-back is not included in the support plan of this ticket."))
        # Two simultaneous requests must not both pass the pending check.
        self.env.cr.execute("SELECT id FROM helpdesk_ticket WHERE id = %s FOR UPDATE", [self.id])
        self.invalidate_recordset(["sla_callback_activity_id", "sla_callback_date"])
        if self.sla_callback_pending:
            raise UserError(
                _(
                    "We already have your call-back request: we will call you as soon as "
                    "we can, no need to ask again."
                )
            )
        customer = self.env.user.partner_id
        phone = customer.phone or customer.mobile or customer.commercial_partner_id.phone
        if not phone:
            raise UserError(_("Add a phone number to your account so that we can call you back."))
        user = self._sla_callback_user()
        if not user:
            raise UserError(_("Nobody can take call-backs at the moment: please phone us."))
        # The activity is read by the agent: in the agent's language.
        agent_env = self.with_context(lang=user.lang or self.env.lang).env
        labels = dict(self._fields["sla_callback_mode"]._description_selection(agent_env))
        summary = agent_env._("Call-back (%(mode)s): %(phone)s", mode=labels[mode], phone=phone)
        # The customer's name and phone are their own text: escaped into the HTML note.
        note = Markup("<p>%s</p>") % agent_env._(
            "%(customer)s asked to be called back on %(phone)s: %(mode)s.",
            customer=customer.display_name,
            phone=phone,
            mode=labels[mode],
        )
        activity = self.activity_schedule(
            "support_sla.mail_activity_callback",
            # Due today for the agent who calls, not on the customer's calendar day.
            date_deadline=_sla_user_today(self, user),
            summary=summary,
            note=note,
            user_id=user.id,
        )
        self.sudo().with_context(**{SLA_INTERNAL: True}).write(
            {
                "sla_callback_mode": mode,
                "sla_callback_date": fields.Datetime.now(),
                "sla_callback_activity_id": activity.id,
            }
        )


def _sla_reachable(user):
    """A user who can take SLA work: an active internal user, not OdooBot."""
    return bool(user) and user.active and not user.share and not user._is_superuser()


def _sla_user_today(record, user):
    """Today in ``user``'s time zone (UTC without one): the due date of their activity."""
    return fields.Date.context_today(record.with_context(tz=user.tz or "UTC"))


def _worse(first, second):
    order = [False, "ok", "warning", "danger"]
    return first if order.index(first) >= order.index(second) else second


def _minute_ceiling(moment):
    """``moment`` rounded up to the whole minute (scheduler triggers are per minute)."""
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + ONE_MINUTE


def _config_int(env, key, default):
    """A positive integer system parameter, or ``default``."""
    value = env["ir.config_parameter"].sudo().get_param(key)
    try:
        number = int(value) if value else default
    except ValueError:
        return default
    return number if number > 0 else default
