"""Figures of the SLA reports stored on each ticket, where the clocks are stored.

Business time to the first response and to the resolution is worked out by the engine
when a clock stops (``_sla_update`` in ``helpdesk_ticket_sla_clock.py`` asks
:meth:`_sla_measure` before ``_sla_store``); compliance follows the response status. Reports then
aggregate these columns in SQL (``support.sla.report``), never ticket by ticket.
"""

# One concern of the ticket per file, as Odoo splits its own models (mail/models/discuss/).
# pylint: disable=consider-merging-classes-inherited

from odoo import api, fields, models

from ..engine import STATUS_BREACHED, STATUS_MET, SlaError, clock_state
from .helpdesk_ticket_sla_clock import SLA_CLOCK_INPUTS

FIGURE_CLOCKS = ("response", "resolve")


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    sla_response_business_minutes = fields.Integer(
        string="Business Time to First Response (min)",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="Business minutes from the request to the first response, pauses "
        "waiting on the customer excluded; empty until the first response.",
    )
    sla_resolve_business_minutes = fields.Integer(
        string="Business Time to Resolution (min)",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="Business minutes from the request to the resolution, pauses waiting on "
        "the customer excluded; empty until the ticket is closed.",
    )
    sla_response_compliance = fields.Float(
        string="Response Compliance (%)",
        compute="_compute_sla_response_compliance",
        store=True,
        aggregator="avg",
        digits=(5, 1),
        help="100 when the first response met its target, 0 when it breached it; "
        "empty otherwise. Its average is the share of responses on time.",
    )

    @api.depends("sla_response_status")
    def _compute_sla_response_compliance(self):
        for ticket in self:
            status = ticket.sla_response_status
            ticket.sla_response_compliance = {STATUS_MET: 100.0, STATUS_BREACHED: 0.0}.get(
                status, False
            )

    def _sla_measure(self, evaluated, changes, now):
        """Add to ``changes`` the business minutes of the clocks that stopped and were
        not measured yet; ``evaluated`` is what ``_sla_evaluate`` returned.

        A closed ticket whose tier has no resolution target is measured on the hours
        of its response clock: the report gives every ticket's time to resolution.
        Schedules and pauses are read once for all the tickets.
        """
        to_resolve = []
        names = [f"sla_{clock}_business_minutes" for clock in FIGURE_CLOCKS]
        # Read by column, the stages' closing once: not through each ticket's records.
        tickets = self.browse([ticket.id for ticket in evaluated])
        rows = tickets._sla_stored([*names, "stage_id", "closed_date"])
        closed_stages = set(tickets.stage_id.filtered("closed").ids)
        for ticket, (_coverage, states) in evaluated.items():
            row = rows[ticket.id]
            for clock, name in zip(FIGURE_CLOCKS, names, strict=True):
                if row[name]:
                    continue
                sla_clock = states.get(clock)
                if sla_clock and sla_clock.completed:
                    changes.setdefault(ticket, {})[name] = sla_clock.state.elapsed_seconds // 60
                elif (
                    clock == "resolve"
                    and not sla_clock
                    and "response" in states
                    and row["stage_id"] in closed_stages
                    and row["closed_date"]
                ):
                    to_resolve.append((ticket, states["response"].calendar_id))
        if not to_resolve:
            return
        schedules = (
            self.env["resource.calendar"]
            .sudo()
            ._sla_schedules({(calendar_id, ticket.sla_tz) for ticket, calendar_id in to_resolve})
        )
        resolved = self.browse([ticket.id for ticket, _cal in to_resolve])
        pauses_of = resolved._sla_pauses()
        inputs = resolved._sla_stored(SLA_CLOCK_INPUTS)
        for ticket, calendar_id in to_resolve:
            start, pauses, completed = ticket._sla_inputs(
                "resolve", now, pauses_of[ticket.id], inputs[ticket.id]
            )
            try:
                state = clock_state(
                    schedules[calendar_id, ticket.sla_tz],
                    start,
                    1,
                    at=completed,
                    pauses=pauses,
                    completed=completed,
                )
            except SlaError:
                continue  # closed before it was received: nothing to measure
            changes.setdefault(ticket, {})["sla_resolve_business_minutes"] = (
                state.elapsed_seconds // 60
            )

    @api.model
    def _sla_backfill_figures(self, batch=1000):
        """Measure the stopped clocks of tickets stored before the figures existed.

        Run by the upgrade to 18.0.1.4.0, so that the reports of past months read
        real times instead of nothing. In batches, through the one evaluation and
        the one write path: nothing but the figures is written. Returns the tickets
        measured.
        """
        tickets = self.sudo()
        domain = [
            "|",
            "&",
            ("sla_response_business_minutes", "=", False),
            ("sla_first_response_date", "!=", False),
            "&",
            ("sla_resolve_business_minutes", "=", False),
            ("stage_id.closed", "=", True),
        ]
        measured = []
        last_id = 0
        now = fields.Datetime.now()
        while True:
            found = tickets.search([("id", ">", last_id), *domain], order="id", limit=batch)
            if not found:
                return tickets.browse(measured)
            changes = {}
            found._sla_measure(found._sla_evaluate(now), changes, now)
            found._sla_store(changes)
            measured += [ticket.id for ticket in changes]
            last_id = found[-1].id
            # The next batch starts with an empty cache: memory stays bounded.
            self.env.flush_all()
            self.env.invalidate_all()

    @api.model
    def action_sla_customers_below_target(self):
        """The tickets of the customers whose share of responses on time over the last
        three closed months is below their company's target, pivoted per customer."""
        date_from, date_to = self.env["res.company"]._sla_report_recent()
        partners = self.env["res.partner"]
        for company in self.env.companies:
            partners |= self.env["res.partner"].union(
                *(line[0] for line in company._sla_report_below_target(date_from, date_to))
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "support_sla.helpdesk_ticket_sla_below_target_action"
        )
        action["domain"] = [
            ("commercial_partner_id", "in", partners.ids),
            ("sla_start_date", ">=", fields.Datetime.to_string(date_from)),
            ("sla_start_date", "<", fields.Datetime.to_string(date_to)),
        ]
        return action
