"""The ticket's SLA clocks: what the contract promises (plan), what the engine says of
each clock at a moment (evaluate) and the update that stores it (``_sla_update``; the
stored results and their one write path are in helpdesk_ticket_sla_store.py)."""

# One concern of the ticket per file, as Odoo splits its own models (mail/models/discuss/).
# pylint: disable=consider-merging-classes-inherited

from datetime import timedelta, timezone
from typing import NamedTuple

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..engine import (
    STATUS_BREACHED,
    STATUS_MET,
    STATUS_NONE,
    STATUS_PAUSED,
    STATUS_RUNNING,
    SlaError,
    clock_state,
    clock_state_and_warning,
)
from .sla_error import sla_error_message

CLOCKS = ("response", "resolve")
FROZEN = (STATUS_MET, STATUS_BREACHED)
LIVE = (STATUS_RUNNING, STATUS_PAUSED)
ONE_MINUTE = timedelta(minutes=1)
ONE_SECOND = timedelta(seconds=1)
# Ticket fields read to evaluate and store the clocks.
SLA_INPUTS = [
    "entitlement_id",
    "tier_id",
    "partner_id",
    "commercial_partner_id",
    "channel_id",
    "product_version_id",
    "sla_opened_by_email",
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
    *(f"sla_{clock}_business_minutes" for clock in CLOCKS),
]
# Ticket values the promise of its contract depends on (:meth:`_sla_plans`).
SLA_PLAN_INPUTS = [
    "entitlement_id",
    "tier_id",
    "commercial_partner_id",
    "company_id",
    "sla_start_date",
    "channel_id",
    "sla_opened_by_email",
    "product_version_id",
    "priority",
]
# Stored values that storing compares with and the next moment reads.
SLA_STORED = [
    "sla_coverage",
    "sla_out_of_entitlement",
    "sla_calendar_id",
    "sla_paused_minutes",
    *(
        f"sla_{clock}_{name}"
        for clock in CLOCKS
        for name in ("status", "deadline", "warning_date", "warned")
    ),
]
# Ticket values the engine's inputs of a clock are made of (:meth:`_sla_inputs`).
SLA_CLOCK_INPUTS = [
    "company_id",
    "sla_tz",
    "sla_start_date",
    "sla_first_response_date",
    "closed_date",
    "stage_id",
]
# Clocks whose deadline and time left are still worth showing (a breach is still due).
UNFINISHED = (STATUS_RUNNING, STATUS_PAUSED, STATUS_BREACHED)
STATUS_SELECTION = [
    (STATUS_NONE, "No SLA"),
    (STATUS_RUNNING, "Running"),
    (STATUS_PAUSED, "Paused"),
    (STATUS_MET, "Met"),
    (STATUS_BREACHED, "Breached"),
]


class SlaClock(NamedTuple):
    """One evaluated clock: the engine's state, the warning moment (naive UTC),
    the calendar it runs on (False: 24x7) and when it stopped (None: open)."""

    state: object
    warning: object
    calendar_id: object
    completed: object


def aware(value):
    """Odoo's naive UTC datetime as an aware one."""
    return value.replace(tzinfo=timezone.utc) if value else None


def naive(value):
    """Aware datetime as Odoo's naive UTC."""
    return value.astimezone(timezone.utc).replace(tzinfo=None) if value else False


def minute_ceiling(moment):
    """``moment`` rounded up to the whole minute (scheduler triggers are per minute)."""
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + ONE_MINUTE


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    sla_coverage = fields.Selection(
        [
            ("covered", "Covered"),
            ("no_contract", "No support contract"),
            ("channel", "Channel not included"),
            ("email", "New ticket by e-mail not included"),
            ("version", "Version out of support"),
            ("no_target", "No target for this priority"),
        ],
        string="SLA Coverage",
        readonly=True,
        copy=False,
        index=True,
    )

    sla_out_of_entitlement = fields.Boolean(
        string="Out of Entitlement",
        readonly=True,
        copy=False,
        help="Received through a channel the customer's tier does not include, opened "
        "by e-mail when the tier takes e-mail for updates only, or about a version past "
        "its end of support: no SLA promise applies.",
    )

    sla_first_response_date = fields.Datetime(
        string="First Response",
        readonly=True,
        copy=False,
        help="First public reply of an agent to the customer.",
    )

    # Deadlines, warning moments and statuses are indexed together, (status, moment),
    # by helpdesk_ticket_sla_alert.init(): what the check and the SLA filters search.
    sla_response_deadline = fields.Datetime(
        string="Response Deadline", readonly=True, copy=False, index=False
    )

    sla_resolve_deadline = fields.Datetime(
        string="Resolution Deadline", readonly=True, copy=False, index=False
    )

    sla_response_status = fields.Selection(
        STATUS_SELECTION,
        string="Response SLA",
        default=STATUS_NONE,
        required=True,
        readonly=True,
        copy=False,
        index=False,
    )

    sla_resolve_status = fields.Selection(
        STATUS_SELECTION,
        string="Resolution SLA",
        default=STATUS_NONE,
        required=True,
        readonly=True,
        copy=False,
        index=False,
    )

    sla_response_warning_date = fields.Datetime(
        string="Response Warning", readonly=True, copy=False, index=False
    )

    sla_resolve_warning_date = fields.Datetime(
        string="Resolution Warning", readonly=True, copy=False, index=False
    )

    sla_response_warned = fields.Boolean(string="Team Warned (Response)", readonly=True, copy=False)

    sla_resolve_warned = fields.Boolean(
        string="Team Warned (Resolution)", readonly=True, copy=False
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

    def _sla_plans(self):
        """What the SLA promises each ticket: ``{ticket: (coverage, clocks)}``.

        ``clocks`` maps ``response``/``resolve`` to ``(target minutes, calendar id)``;
        a clock missing from it has no target. The promise is worked out once per
        entitlement, tier, channel and priority, and shared by the tickets that have
        them in common.
        """
        promises = {}
        plans = {}
        # Customers and contacts in one query: a list then shows the contacts from cache.
        (self.partner_id | self.commercial_partner_id).mapped("tz")
        tier_channels = self.tier_id._sla_channel_sets()
        # Read by column, not through each ticket's records (most of a batch's cost).
        rows = self._sla_stored(SLA_PLAN_INPUTS)
        partners = self.env["res.partner"]
        companies = self.env["res.company"]
        # The contracts in one query, not one per contract: reading a field of them all
        # caches every column the coverage reads (browse() below, alone, would fetch
        # only the record it returns).
        entitlement_ids = {row["entitlement_id"] for row in rows.values()} - {False, None}
        entitlements = self.env["support.entitlement"].browse(entitlement_ids)
        entitlements.mapped("state")
        # Shared over the batch: zones by customer, coverage by contract and day,
        # the gap by what it depends on (tier, channel, e-mail, version, day).
        zones = {}
        covered = {}
        gaps = {}

        def covers(entitlement_id, day):
            if (entitlement_id, day) not in covered:
                entitlement = entitlements.browse(entitlement_id)
                covered[entitlement_id, day] = entitlement._sla_covers(day)
            return covered[entitlement_id, day]

        for ticket in self:
            row = rows[ticket.id]
            entitlement_id = row["entitlement_id"]
            tier_id = row["tier_id"]
            if not (entitlement_id and tier_id):
                plans[ticket] = ("no_contract", {})
                continue

            def local_day(ticket=ticket, row=row):
                # The customer's day, as when the entitlement was found for the ticket.
                customer_id = row["commercial_partner_id"]
                customer = partners.browse(customer_id) if customer_id else ticket._sla_customer()
                return customer._sla_local_day(
                    row["sla_start_date"], companies.browse(row["company_id"]), zones
                )

            # A local day is the UTC day or one of its neighbours: when the contract
            # covers all three alike, the customer's zone does not matter (the
            # conversion is most of the cost of this loop).
            utc_day = (row["sla_start_date"] or fields.Datetime.now()).date()
            around = {covers(entitlement_id, utc_day + timedelta(days=n)) for n in (-1, 0, 1)}
            day = None
            if len(around) > 1:
                day = local_day()
            if not (around.pop() if day is None else covers(entitlement_id, day)):
                plans[ticket] = ("no_contract", {})
                continue
            if row["product_version_id"] and day is None:
                day = local_day()  # the version's end of support is read on that day
            gap_key = (
                tier_id,
                row["channel_id"],
                row["sla_opened_by_email"],
                row["product_version_id"],
                day,
            )
            if gap_key not in gaps:
                gaps[gap_key] = ticket._sla_entitlement_gap(tier_channels)
            gap = gaps[gap_key]
            key = (entitlement_id, tier_id, gap, row["priority"])
            if key not in promises:
                promises[key] = ticket._sla_promise(gap)
            plans[ticket] = promises[key]
        return plans

    def _sla_promise(self, gap=False):
        """``(coverage, clocks)`` of the ticket's tier and priority; ``gap`` is what
        the tier does not include (:meth:`_sla_entitlement_gap`)."""
        self.ensure_one()
        tier = self.tier_id
        if gap:
            return gap, {}
        target = tier._target_for(self.priority)
        if not target:
            return "no_target", {}
        calendar = self.entitlement_id._sla_coverage_calendar(tier, target)[0]
        clocks = {"response": (target.response_minutes, calendar.id)}
        if target.resolve_minutes:
            clocks["resolve"] = (target.resolve_minutes, calendar.id)
        return "covered", clocks

    def _sla_context(self):
        """Plans and engine schedules of the tickets, built once for all of them."""
        plans = self._sla_plans()
        keys = {
            (calendar_id, ticket.sla_tz)
            for ticket, (_coverage, clocks) in plans.items()
            for _minutes, calendar_id in clocks.values()
        }
        schedules = self.env["resource.calendar"].sudo()._sla_schedules(keys)
        return plans, schedules

    def _sla_inputs(self, clock, now, pauses=None, current=None):
        """Engine inputs of one clock: start, pauses and completion (aware).

        ``current``: the ticket's ``SLA_CLOCK_INPUTS`` (:meth:`_sla_stored`), read
        when not given.
        """
        if pauses is None:
            pauses = [(aware(p.date_start), aware(p.date_end)) for p in self.sla_pause_ids]
        if current is None:
            current = self._sla_stored(SLA_CLOCK_INPUTS)[self.id]
        if clock == "response":
            completed = current["sla_first_response_date"]
        else:
            stage = self.env["helpdesk.ticket.stage"].browse(current["stage_id"])
            completed = current["closed_date"] if stage.closed else False
        return aware(current["sla_start_date"] or now), pauses, aware(completed) or None

    def _sla_evaluate(self, now=None, warnings=True):
        """What the engine says of every clock of the tickets at ``now``.

        The one evaluation behind storing (:meth:`_sla_update`), display
        (:meth:`_compute_sla_remaining`) and repair. Returns ``{ticket: (coverage,
        {clock: SlaClock})}``; a clock with no target is missing from the dict.
        Without ``warnings`` (display: the warning moment shown is the stored one)
        the warning of each clock is None, neither computed nor its share read.
        """
        now = now or fields.Datetime.now()
        at = aware(now)
        self.env["support.sla.pause"].flush_model()
        # Only the columns the clocks need, not the whole (wide) tickets.
        self.fetch(SLA_INPUTS)
        plans, schedules = self._sla_context()
        pauses_of = self._sla_pauses()
        inputs = self._sla_stored(SLA_CLOCK_INPUTS)
        self.stage_id.mapped("closed")  # the stages of the batch in one query
        shares = {}
        result = {}
        for ticket in self:
            coverage, clocks = plans[ticket]
            current = inputs[ticket.id]
            company_id = current["company_id"] or self.env.company.id
            states = {}
            for clock, (minutes, calendar_id) in clocks.items():
                schedule = schedules[calendar_id, current["sla_tz"]]
                start, pauses, completed = ticket._sla_inputs(
                    clock, now, pauses_of[ticket.id], current
                )
                try:
                    warning = None
                    if warnings:
                        # The deadline and the warning moment in one walk of the schedule.
                        state, warning = clock_state_and_warning(
                            schedule,
                            start,
                            minutes,
                            minutes * self._sla_warning_share(company_id, shares),
                            at=at,
                            pauses=pauses,
                            completed=completed,
                        )
                        # A target too short for its share still warns a minute before the end.
                        warning = min(warning, state.deadline - ONE_MINUTE)
                    else:
                        state = clock_state(
                            schedule, start, minutes, at=at, pauses=pauses, completed=completed
                        )
                except SlaError as error:
                    raise UserError(
                        _(
                            "The SLA of %(ticket)s cannot be computed: %(reason)s",
                            ticket=ticket.display_name,
                            reason=sla_error_message(self.env, error, ticket.sla_tz),
                        )
                    ) from error
                states[clock] = SlaClock(state, naive(warning), calendar_id, completed)
            result[ticket] = (coverage, states)
        return result

    @api.model
    def _sla_warning_share(self, company_id, shares):
        """The share of a clock's target after which the team is warned, set by the
        company ``company_id``. ``shares`` caches ``{company id: share}`` over a batch."""
        if company_id not in shares:
            company = self.env["res.company"].browse(company_id)
            shares[company_id] = company.sla_warning_percent / 100
        return shares[company_id]

    def _sla_update(self, repair=False):
        """Recompute the clocks of the tickets from their creation and store them.

        Met and breached clocks are never rewritten, unless ``repair`` rebuilds
        them from the ticket's history. Values are written grouped, and the
        scheduled check is asked to run at the earliest warning or deadline. The
        tickets exist: their callers have just created, written or locked them.
        """
        tickets = self.sudo()
        if not tickets:
            return {}
        now = fields.Datetime.now()
        changes = {}
        moments = []
        evaluated = tickets._sla_evaluate(now)
        stored = tickets._sla_stored()
        for ticket, (coverage, states) in evaluated.items():
            current = stored[ticket.id]
            vals = ticket._sla_values(coverage, states, now, repair, current)
            moment = ticket._sla_next_moment(vals, now, current)
            if moment:
                moments.append(moment)
            changed = ticket._sla_changed_values(vals, current)
            if changed:
                changes[ticket] = changed
        tickets._sla_measure(evaluated, changes, now)
        tickets._sla_store(changes)
        if moments:
            self._sla_trigger_check(min(moments), now)
        return changes

    def _sla_record_first_response(self, when):
        """The first public reply of an agent stops the response clock."""
        pending = self.filtered(lambda t: not t.sla_first_response_date)
        if pending:
            pending = pending.sudo()
            pending._sla_store({ticket: {"sla_first_response_date": when} for ticket in pending})
            pending._sla_update()
