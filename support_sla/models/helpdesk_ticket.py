from collections import defaultdict
from datetime import UTC

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

from odoo.addons.base.models.res_partner import _tz_get

from ..engine import (
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
from .support_priority_rule import LEVEL_SELECTION

CLOCKS = ("response", "resolve")
FROZEN = (STATUS_MET, STATUS_BREACHED)
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
# Fields that are only written by the SLA machinery itself.
SLA_INTERNAL = "support_sla_internal"


def _aware(value):
    """Odoo's naive UTC datetime as an aware one."""
    return value.replace(tzinfo=UTC) if value else None


def _naive(value):
    """Aware datetime as Odoo's naive UTC."""
    return value.astimezone(UTC).replace(tzinfo=None) if value else False


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    impact = fields.Selection(LEVEL_SELECTION, default="medium", tracking=True)
    urgency = fields.Selection(LEVEL_SELECTION, default="medium", tracking=True)
    matrix_priority = fields.Selection(
        selection=lambda self: self._fields["priority"].selection,
        compute="_compute_matrix_priority",
        store=True,
        help="Priority given by the impact x urgency matrix of the company.",
    )
    priority = fields.Selection(tracking=True)
    priority_overridden = fields.Boolean(
        tracking=True,
        copy=False,
        help="The priority was chosen by hand instead of following the matrix.",
    )
    priority_override_reason = fields.Char(string="Override Reason", tracking=True, copy=False)
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
    sla_response_warning_date = fields.Datetime(readonly=True, copy=False, index=True)
    sla_resolve_warning_date = fields.Datetime(readonly=True, copy=False, index=True)
    sla_response_warned = fields.Boolean(readonly=True, copy=False)
    sla_resolve_warned = fields.Boolean(readonly=True, copy=False)
    sla_paused_minutes = fields.Integer(
        string="Paused (minutes)",
        readonly=True,
        copy=False,
        help="Business minutes spent waiting on the customer; they do not count.",
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
    sla_deadline_local = fields.Char(
        string="Next Deadline (customer time)", compute="_compute_sla_deadline_local"
    )

    # -- priority ------------------------------------------------------------

    @api.depends("impact", "urgency", "company_id")
    def _compute_matrix_priority(self):
        """Priority of the impact and urgency in the company's matrix."""
        matrices = {}
        rules = self.env["support.priority.rule"]
        for ticket in self:
            company = ticket.company_id or self.env.company
            if not (ticket.impact and ticket.urgency):
                ticket.matrix_priority = False
                continue
            if company not in matrices:
                matrices[company] = rules._matrix(company)
            ticket.matrix_priority = matrices[company] and matrix_priority(
                matrices[company], ticket.impact, ticket.urgency
            )

    @api.constrains("priority_overridden", "priority_override_reason")
    def _check_override_reason(self):
        for ticket in self:
            if ticket.priority_overridden and not (ticket.priority_override_reason or "").strip():
                raise ValidationError(
                    _("Say why the priority of %s is overridden.", ticket.display_name)
                )

    def _apply_matrix_priority(self):
        """Priority follows the matrix on every ticket that is not overridden."""
        stale = self.filtered(
            lambda t: (
                not t.priority_overridden and t.matrix_priority and t.priority != t.matrix_priority
            )
        )
        by_priority = defaultdict(lambda: self.browse())
        for ticket in stale:
            by_priority[ticket.matrix_priority] |= ticket
        for priority, tickets in by_priority.items():
            tickets.with_context(**{SLA_INTERNAL: True}).write({"priority": priority})

    def _prepare_override_vals(self, vals):
        """A priority set by hand (form, kanban stars, import) is an override."""
        if (
            "priority" in vals
            and "priority_overridden" not in vals
            and any(ticket.matrix_priority != vals["priority"] for ticket in self)
        ):
            vals["priority_overridden"] = True
        if vals.get("priority_overridden"):
            vals.setdefault("priority_override_user_id", self.env.user.id)
            vals.setdefault("priority_override_date", fields.Datetime.now())
            if not vals.get("priority_override_reason") and not all(
                self.mapped("priority_override_reason")
            ):
                vals["priority_override_reason"] = _("Priority set by hand")
        elif "priority_overridden" in vals:
            vals.update(
                priority_override_reason=False,
                priority_override_user_id=False,
                priority_override_date=False,
            )
        return vals

    # -- entitlement -----------------------------------------------------------

    @api.depends("partner_id", "commercial_partner_id", "sla_start_date", "company_id")
    def _compute_entitlement_id(self):
        """Entitlement of the customer covering the ticket's date (its local day)."""
        days = {}
        for ticket in self:
            partner = ticket.commercial_partner_id or ticket.partner_id.commercial_partner_id
            moment = ticket.sla_start_date or fields.Datetime.now()
            zone = pytz.timezone(partner.tz or "UTC")
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

    @api.depends("entitlement_id.tz", "partner_id.tz", "company_id")
    def _compute_sla_tz(self):
        """Entitlement's time zone, else the customer's, else the company's, else UTC."""
        for ticket in self:
            ticket.sla_tz = (
                ticket.entitlement_id.sudo().tz
                or ticket.partner_id.tz
                or ticket.company_id.partner_id.tz
                or "UTC"
            )

    # -- ORM -----------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
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
                ticket.with_context(**{SLA_INTERNAL: True}).write(
                    ticket._prepare_override_vals({"priority_overridden": True})
                )
        tickets._apply_matrix_priority()
        tickets._sla_open_pauses(fields.Datetime.now())
        tickets._sla_update()
        return tickets

    def write(self, vals):
        if self.env.context.get(SLA_INTERNAL):
            return super().write(vals)
        vals = self._prepare_override_vals(dict(vals))
        pausing = self._sla_pause_changes(vals)
        result = super().write(vals)
        if {"impact", "urgency", "company_id", "priority_overridden"} & vals.keys():
            self._apply_matrix_priority()
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
        entitlement = self.entitlement_id
        tier = self.tier_id
        if not entitlement or not tier:
            return "no_contract", {}
        if self.channel_id and tier.channel_ids and self.channel_id not in tier.channel_ids:
            return "channel", {}
        target = tier._target_for(self.priority)
        if not target:
            return "no_target", {}
        calendar = target.calendar_id or entitlement.calendar_id or tier.calendar_id
        clocks = {"response": (target.response_minutes, calendar.id)}
        if target.resolve_minutes:
            clocks["resolve"] = (target.resolve_minutes, calendar.id)
        return "covered", clocks

    @api.depends("sla_coverage", "channel_id", "tier_id")
    @api.depends_context("lang")
    def _compute_sla_note(self):
        """Why no SLA applies, in the reader's language."""
        for ticket in self:
            coverage = ticket.sla_coverage
            if coverage == "no_contract":
                note = _("No support contract")
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

    def _sla_context(self):
        """Plans and engine schedules of the tickets, built once for all of them."""
        plans = {ticket: ticket._sla_plan() for ticket in self}
        keys = {
            (calendar_id, ticket.sla_tz or "UTC")
            for ticket, (_coverage, clocks) in plans.items()
            for _minutes, calendar_id in clocks.values()
        }
        schedules = self.env["resource.calendar"].sudo()._sla_schedules(keys)
        return plans, schedules

    def _sla_inputs(self, clock, now):
        """Engine inputs of one clock: start, pauses and completion (aware)."""
        pauses = [(_aware(p.date_start), _aware(p.date_end)) for p in self.sla_pause_ids]
        if clock == "response":
            completed = self.sla_first_response_date
        else:
            completed = self.closed_date if self.stage_id.closed else False
        return _aware(self.sla_start_date or now), pauses, _aware(completed) or None

    def _sla_update(self):
        """Recompute the running clocks of the tickets from their creation.

        Met and breached clocks are never rewritten.
        """
        tickets = self.sudo().exists()
        if not tickets:
            return
        now = fields.Datetime.now()
        plans, schedules = tickets._sla_context()
        for ticket in tickets:
            coverage, clocks = plans[ticket]
            vals = {"sla_coverage": coverage, "sla_out_of_entitlement": coverage == "channel"}
            paused = []
            for clock in CLOCKS:
                if ticket[f"sla_{clock}_status"] in FROZEN:
                    continue
                if clock not in clocks:
                    vals.update(
                        {
                            f"sla_{clock}_status": STATUS_NONE,
                            f"sla_{clock}_deadline": False,
                            f"sla_{clock}_warning_date": False,
                        }
                    )
                    continue
                minutes, calendar_id = clocks[clock]
                schedule = schedules[calendar_id, ticket.sla_tz or "UTC"]
                clock_vals, paused_minutes = ticket._sla_clock_values(clock, minutes, schedule, now)
                vals.update(clock_vals)
                paused.append(paused_minutes)
            if paused:
                vals["sla_paused_minutes"] = max(paused)
            changed = {
                name: value
                for name, value in vals.items()
                if ticket._fields[name].convert_to_cache(value, ticket) != ticket[name]
            }
            if changed:
                ticket.with_context(**{SLA_INTERNAL: True}).write(changed)

    def _sla_clock_values(self, clock, minutes, schedule, now):
        """Stored values of one clock, computed by the engine."""
        start, pauses, completed = self._sla_inputs(clock, now)
        at = _aware(now)
        try:
            state = clock_state(schedule, start, minutes, at=at, pauses=pauses, completed=completed)
            percent = (self.company_id or self.env.company).sla_warning_percent or 80
            closed_pauses = [(begin, end or max(at, begin)) for begin, end in pauses]
            warning = deadline_with_pauses(schedule, start, minutes * percent / 100, closed_pauses)
        except SlaError as error:
            raise UserError(
                _(
                    "The SLA of %(ticket)s cannot be computed: %(reason)s",
                    ticket=self.display_name,
                    reason=error,
                )
            ) from error
        vals = {
            f"sla_{clock}_status": state.status,
            f"sla_{clock}_deadline": _naive(state.deadline),
            f"sla_{clock}_warning_date": _naive(warning),
        }
        return vals, state.paused_seconds // 60

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

    # -- display -------------------------------------------------------------

    @api.depends_context("uid")
    @api.depends(
        "sla_response_status",
        "sla_resolve_status",
        "sla_response_deadline",
        "sla_resolve_deadline",
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
        (self - live).update(
            {"sla_response_remaining": 0, "sla_resolve_remaining": 0, "sla_alert": False}
        )
        if not live:
            return
        plans, schedules = live.sudo()._sla_context()
        for ticket in live:
            clocks = plans[ticket.sudo()][1]
            alert = False
            for clock in CLOCKS:
                status = ticket[f"sla_{clock}_status"]
                remaining = 0.0
                if status != STATUS_NONE and clock in clocks:
                    minutes, calendar_id = clocks[clock]
                    schedule = schedules[calendar_id, ticket.sla_tz or "UTC"]
                    start, pauses, completed = ticket._sla_inputs(clock, now)
                    state = clock_state(
                        schedule, start, minutes, at=_aware(now), pauses=pauses,
                        completed=completed,
                    )  # fmt: skip
                    remaining = state.remaining_seconds / 3600
                    alert = _worse(alert, ticket._sla_alert_of(clock, status, now))
                ticket[f"sla_{clock}_remaining"] = remaining
            ticket.sla_alert = alert

    def _sla_alert_of(self, clock, status, now):
        if status == STATUS_BREACHED:
            return "danger"
        if status in (STATUS_RUNNING, STATUS_PAUSED):
            deadline = self[f"sla_{clock}_deadline"]
            warning = self[f"sla_{clock}_warning_date"]
            if status == STATUS_RUNNING and deadline and deadline < now:
                return "danger"
            if warning and warning <= now:
                return "warning"
            return "ok"
        return False

    def _search_sla_alert(self, operator, value):
        if operator not in ("=", "!=") or value not in ("ok", "warning", "danger", False):
            raise UserError(_("Search SLA alerts with = or != and a level."))
        now = fields.Datetime.now()
        live = (STATUS_RUNNING, STATUS_PAUSED)

        def any_clock(make):
            return expression.OR([make(clock) for clock in CLOCKS])

        danger = expression.OR(
            [
                any_clock(lambda c: [(f"sla_{c}_status", "=", STATUS_BREACHED)]),
                any_clock(
                    lambda c: [
                        (f"sla_{c}_status", "=", STATUS_RUNNING),
                        (f"sla_{c}_deadline", "<", now),
                    ]
                ),
            ]
        )
        warning = expression.AND(
            [
                any_clock(
                    lambda c: [
                        (f"sla_{c}_status", "in", live),
                        (f"sla_{c}_warning_date", "<=", now),
                    ]
                ),
                ["!", *danger],
            ]
        )
        domains = {
            "danger": danger,
            "warning": warning,
            "ok": expression.AND(
                [
                    any_clock(lambda c: [(f"sla_{c}_status", "in", live)]),
                    ["!", *danger],
                    ["!", *warning],
                ]
            ),
            False: expression.AND(
                [[(f"sla_{c}_status", "in", (STATUS_NONE, STATUS_MET))] for c in CLOCKS]
            ),
        }
        domain = expression.normalize_domain(domains[value])
        return domain if operator == "=" else ["!", *domain]

    @api.depends("sla_response_deadline", "sla_resolve_deadline", "sla_tz")
    def _compute_sla_deadline_local(self):
        """The next deadline still running, in the customer's own time."""
        for ticket in self:
            text = False
            for clock in CLOCKS:
                if ticket[f"sla_{clock}_status"] in (STATUS_RUNNING, STATUS_PAUSED):
                    text = ticket._sla_local_text(ticket[f"sla_{clock}_deadline"])
                    if text:
                        break
            ticket.sla_deadline_local = text

    # -- scheduled action ---------------------------------------------------

    @api.model
    def _sla_breach_domain(self, clock, now):
        return [
            (f"sla_{clock}_status", "=", STATUS_RUNNING),
            (f"sla_{clock}_deadline", "<", now),
        ]

    @api.model
    def _cron_sla_check(self):
        """Mark breached clocks and warn the team of tickets at risk."""
        now = fields.Datetime.now()
        tickets = self.sudo().with_context(**{SLA_INTERNAL: True})
        for clock in CLOCKS:
            breached = tickets.search(self._sla_breach_domain(clock, now))
            breached.write({f"sla_{clock}_status": STATUS_BREACHED})
            breached._sla_notify_breach(clock)
            at_risk = tickets.search(
                [
                    (f"sla_{clock}_status", "in", (STATUS_RUNNING, STATUS_PAUSED)),
                    (f"sla_{clock}_warning_date", "<=", now),
                    (f"sla_{clock}_warned", "=", False),
                ]
            )
            at_risk._sla_warn(clock)
            at_risk.write({f"sla_{clock}_warned": True})

    def _sla_notify_breach(self, clock):
        """Hook called on the tickets whose ``clock`` has just been breached."""

    def _sla_warn(self, clock):
        """One activity (or note without anyone to assign) per ticket at risk."""
        activity_type = self.env.ref("support_sla.mail_activity_sla_warning")
        for ticket in self:
            user = ticket.user_id or ticket.team_id.user_id
            deadline = ticket._sla_local_text(ticket[f"sla_{clock}_deadline"])
            if clock == "response":
                summary = _("SLA at risk: response due %(deadline)s", deadline=deadline)
            else:
                summary = _("SLA at risk: resolution due %(deadline)s", deadline=deadline)
            if user:
                ticket.activity_schedule(
                    activity_type_id=activity_type.id,
                    user_id=user.id,
                    summary=summary,
                    date_deadline=fields.Date.context_today(ticket),
                )
            else:
                ticket.message_post(body=summary, subtype_xmlid="mail.mt_note")

    def _sla_local_text(self, deadline):
        """A stored (UTC) deadline as the customer reads it, with their zone."""
        self.ensure_one()
        if not deadline:
            return False
        zone_name = self.sla_tz or "UTC"
        local = pytz.utc.localize(deadline).astimezone(pytz.timezone(zone_name))
        return f"{local:%Y-%m-%d %H:%M} ({zone_name})"


def _worse(first, second):
    order = [False, "ok", "warning", "danger"]
    return first if order.index(first) >= order.index(second) else second
