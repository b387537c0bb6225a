from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .support_escalation import SUPPORT_LEVEL_SELECTION


# One model over several files, by concern (as Odoo's mail does).
class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    escalation_ids = fields.One2many("support.escalation", "ticket_id", string="Escalations")
    escalation_count = fields.Integer(compute="_compute_escalation_count")
    current_escalation_id = fields.Many2one(
        "support.escalation",
        compute="_compute_current_escalation_id",
        store=True,
        string="Last Escalation",
    )
    escalation_reason_id = fields.Many2one(
        related="current_escalation_id.reason_id", string="Escalation Reason"
    )
    customised_software = fields.Boolean(
        tracking=True,
        help="The problem is in software customised for this customer: the ticket goes to "
        "Level 2 with the reason 'error in a customisation'.",
    )
    rnd_involved = fields.Boolean(
        string="R&D Involved",
        tracking=True,
        help="The product's R&D works on the problem: it may only be fixed in a future patch. "
        "The customer sees it on the portal.",
    )

    @api.depends("escalation_ids")
    def _compute_escalation_count(self):
        for ticket in self:
            ticket.escalation_count = len(ticket.escalation_ids)

    @api.depends("escalation_ids")
    def _compute_current_escalation_id(self):
        for ticket in self:
            ticket.current_escalation_id = ticket.escalation_ids.sorted(lambda e: (e.date, e.id))[
                -1:
            ]

    # -- escalation ------------------------------------------------------------------

    def _escalate(self, to_level, reason, note=False, origin="agent", team=None, sla_clock=False):
        """Move the tickets to ``to_level`` and record why: the one escalation path.

        The agent's wizard, the portal and the SLA job all call it. Each ticket goes to
        ``team`` or to its configured team of that level; one history row per ticket is
        written, posted in the chatter and notified to the helpdesk managers.
        Returns the new ``support.escalation`` rows.
        """
        if to_level not in dict(SUPPORT_LEVEL_SELECTION):
            raise UserError(_("Escalate to Level 1 or Level 2."))
        if (
            not isinstance(reason, models.BaseModel)
            or reason._name != "support.escalation.reason"
            or len(reason) != 1
        ):
            raise UserError(_("Choose the reason of the escalation."))
        if reason.to_level != to_level:
            raise UserError(
                _(
                    "%s is not a reason to move a ticket to that level: escalation and "
                    "de-escalation have their own reasons.",
                    reason.name,
                )
            )
        if team and team.support_level != to_level:
            raise UserError(
                _("The team %(team)s does not work at that level.", team=team.display_name)
            )
        origin = self._check_escalation_right(origin)
        targets = {}
        team_targets = {}
        for ticket in self:
            if ticket.stage_id.closed:
                raise UserError(
                    _("%s is closed: reopen it before changing its level.", ticket.display_name)
                )
            if ticket.support_level == to_level:
                raise UserError(
                    _("%s is already at that level.", ticket.display_name),
                )
            target = team
            if not target and to_level == "l2":
                # Level 2 targets depend on the team alone: one lookup per team.
                key = (ticket.team_id, ticket.company_id)
                if key not in team_targets:
                    team_targets[key] = ticket._escalation_target_team(to_level)
                target = team_targets[key]
            elif not target:
                target = ticket._escalation_target_team(to_level)
            if not target:
                raise UserError(
                    _(
                        "No team of that level is configured for %(ticket)s: set the team "
                        "to escalate to on %(team)s.",
                        ticket=ticket.display_name,
                        team=ticket.team_id.display_name or _("its team"),
                    )
                )
            targets[ticket] = target
        # Users have no right to create history rows: written here, after the check
        # above, by whom and when it happens.
        now = fields.Datetime.now()
        rows = (
            self.env["support.escalation"]
            .sudo()
            .create(
                [
                    {
                        "ticket_id": ticket.id,
                        "from_level": ticket.support_level,
                        "to_level": to_level,
                        "from_team_id": ticket.team_id.id,
                        "to_team_id": target.id,
                        "reason_id": reason.id,
                        "origin": origin,
                        "sla_clock": sla_clock,
                        "note": note or False,
                        "user_id": self.env.user.id,
                        "date": now,
                    }
                    for ticket, target in targets.items()
                ]
            )
        )
        rows._notify_supervisors()
        by_team = defaultdict(lambda: self.browse())
        for ticket, target in targets.items():
            by_team[target] |= ticket
        for target, tickets in by_team.items():
            # Checked above; the project change moves the ticket's timesheets
            # (helpdesk_mgmt_timesheet), which an agent without Timesheets rights
            # may not read: done with sudo, as the agent (tracking author).
            tickets.sudo()._escalation_move(target, reason)
        return rows.with_env(self.env)

    def _check_escalation_right(self, origin):
        """Escalating changes the ticket: the caller may edit it (agents, as
        themselves), or is a contact of its customer (portal).

        Returns the origin to record: who asks is known, never taken on trust (a
        customer's request is the customer's, an agent's the agent's; only the
        machinery, under sudo, says "sla").
        """
        user = self.env.user
        if user.share:
            self._sla_check_customer_action()
            return "customer"
        self.with_user(user).check_access("write")
        return origin if self.env.su else "agent"

    def _escalation_move(self, team, reason):
        """Give the tickets to ``team``, in its project."""
        vals = {"team_id": team.id}
        if reason.rnd_involved:
            vals["rnd_involved"] = True
        project = team.allow_timesheet and team.default_project_id
        if project:
            self.write({**vals, "project_id": project.id})
        elif team.support_level == "l1":
            # Back at a team without timesheets, the ticket leaves the Level 2 project,
            # unless time is logged on it (the hours stay where they were logged).
            logged = self.filtered(lambda t: t.sudo().timesheet_ids)
            (self - logged).write({**vals, "project_id": False})
            logged.write(vals)
        else:
            self.write(vals)

    def _escalation_target_team(self, to_level):
        """Team receiving the ticket at ``to_level``.

        Going back to Level 1 returns to the team the ticket was escalated from.
        """
        self.ensure_one()
        if to_level == "l1":
            came_from = self.escalation_ids.filtered(
                lambda e: (
                    e.to_level == self.support_level and e.from_level == "l1" and e.from_team_id
                )
            ).sorted(lambda e: (e.date, e.id))[-1:]
            if came_from:
                return came_from.from_team_id
        if self.team_id:
            return self.team_id._escalation_target(to_level)
        return self.env["helpdesk.ticket.team"].search(
            [
                ("support_level", "=", to_level),
                ("company_id", "in", self.company_id.ids + [False]),
            ],
            limit=1,
        )

    def _route_customised_software(self):
        """Customised software is Level 2 work (ProConcept)."""
        tickets = self.filtered(lambda t: t.support_level == "l1" and not t.stage_id.closed)
        if not tickets:  # most creations and writes: no query for the reason
            return
        reason = self.env.ref("support_sla_escalation.reason_customisation")
        for ticket in tickets:
            if ticket._escalation_target_team("l2"):
                ticket._escalate("l2", reason, note=_("Customised software"))
            else:
                ticket.message_post(
                    body=_(
                        "Customised software belongs to Level 2, but no Level 2 team is "
                        "configured: escalate this ticket by hand."
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    def action_open_escalate_wizard(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "support_sla_escalation.support_escalate_wizard_action"
        )
        action["context"] = {
            "default_ticket_id": self.id,
            "default_to_level": "l1" if self.support_level == "l2" else "l2",
        }
        return action

    def action_view_escalations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "support_sla_escalation.support_escalation_action"
        )
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {}
        return action

    # -- SLA --------------------------------------------------------------------------

    def _sla_on_warning(self, clock):
        result = super()._sla_on_warning(clock)
        self._sla_escalate(clock, ("warning",))
        return result

    def _sla_on_breach(self, clock):
        result = super()._sla_on_breach(clock)
        # A team escalating at the warning escalates at the breach too, had the warning
        # not escalated (no Level 2 team then, or a clock already past its warning).
        self._sla_escalate(clock, ("warning", "breach"))
        return result

    def _sla_escalate(self, clock, modes):
        """Escalate to Level 2 the tickets whose team asks for it, once per clock."""
        candidates = self.filtered(
            lambda t: (
                t.support_level == "l1"
                and t.team_id.escalation_sla_trigger in modes
                and not t.stage_id.closed
            )
        )
        if not candidates:
            return
        done = {
            ticket.id
            for [ticket] in self.env["support.escalation"]
            .sudo()
            ._read_group(
                [
                    ("ticket_id", "in", candidates.ids),
                    ("origin", "=", "sla"),
                    ("sla_clock", "=", clock),
                ],
                ["ticket_id"],
            )
        }
        # One target per team: Level 2 targets do not depend on the ticket's history.
        team_targets = {team: team._escalation_target("l2") for team in candidates.team_id}
        by_target = defaultdict(lambda: self.browse())
        for ticket in candidates:
            target = team_targets[ticket.team_id]
            if ticket.id not in done and target:
                by_target[target] |= ticket
        if not by_target:
            return
        reason = self.env.ref("support_sla_escalation.reason_sla")
        if clock == "response":
            note = _("The response target is at risk or missed.")
        else:
            note = _("The resolution target is at risk or missed.")
        for target, tickets in by_target.items():
            tickets._escalate("l2", reason, note=note, origin="sla", team=target, sla_clock=clock)
