from collections import defaultdict

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .support_escalation import LEVEL_SELECTION

# Whether Level 2 work is charged: a helpdesk manager's decision.
BILLABLE_DECISION = {
    "billable",
    "billable_overridden",
    "billable_reason",
    "billable_invoice_declined",
}
# Escalation reasons a customer may pick on the portal.
PORTAL_REASONS = ("critical", "dissatisfied")
# The longest note a customer may join to an escalation request (characters).
NOTE_MAX_LENGTH = 2000


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    support_level = fields.Selection(
        LEVEL_SELECTION,
        compute="_compute_support_level",
        store=True,
        index=True,
        help="Level of the ticket's team.",
    )
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
    billable = fields.Boolean(
        string="Billable Consulting",
        compute="_compute_billable",
        store=True,
        readonly=False,
        tracking=True,
        index=True,
        help="Level 2 work on this ticket is charged to the customer beyond their prepaid "
        "hours: given by the reason of its Level 2 escalation, or set by a manager.",
    )
    billable_overridden = fields.Boolean(
        readonly=True, copy=False, help="A manager set the billable flag by hand."
    )
    billable_reason = fields.Char(
        tracking=True,
        copy=False,
        help="Why a manager set the billable flag by hand; shown to the customer.",
    )
    billable_explanation = fields.Text(
        compute="_compute_billable_explanation",
        help="What the customer reads about the billing of this ticket.",
    )
    billable_accepted = fields.Selection(
        [("pending", "Awaiting Answer"), ("accepted", "Accepted"), ("declined", "Declined")],
        string="Customer Acceptance",
        compute="_compute_billable_accepted",
        store=True,
        readonly=False,
        tracking=True,
        copy=False,
        help="The customer's answer to the billable Level 2 work.",
    )
    billable_invoice_declined = fields.Boolean(
        string="Invoice Despite Refusal",
        tracking=True,
        copy=False,
        help="The customer declined the billable Level 2 work: its hours are not invoiced "
        "unless a helpdesk manager ticks this.",
    )
    billable_answer_date = fields.Datetime(string="Answered On", readonly=True, copy=False)
    billable_unaccepted_time = fields.Boolean(
        string="Unaccepted Billable Time",
        compute="_compute_billable_unaccepted_time",
        help="Time is logged on this billable ticket but the customer has not accepted the charge.",
    )

    # -- computes ---------------------------------------------------------------

    @api.depends("team_id.support_level")
    def _compute_support_level(self):
        for ticket in self:
            ticket.support_level = ticket.team_id.support_level or "l1"

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

    @api.depends(
        "support_level",
        "current_escalation_id.reason_id.billable",
        "current_escalation_id.to_level",
    )
    def _compute_billable(self):
        for ticket in self:
            if ticket.billable_overridden:
                ticket.billable = ticket.billable
                continue
            escalation = ticket.current_escalation_id
            ticket.billable = bool(
                ticket.support_level == "l2"
                and escalation.to_level == "l2"
                and escalation.reason_id.billable
            )

    @api.depends("billable", "billable_reason", "current_escalation_id.reason_id")
    @api.depends_context("lang")
    def _compute_billable_explanation(self):
        for ticket in self:
            reason = ticket.current_escalation_id.reason_id
            if ticket.billable_overridden and ticket.billable_reason:
                ticket.billable_explanation = ticket.billable_reason
            else:
                ticket.billable_explanation = reason.customer_explanation or False

    @api.depends("billable")
    def _compute_billable_accepted(self):
        for ticket in self:
            if not ticket.billable:
                ticket.billable_accepted = False
            elif not ticket.billable_accepted:
                ticket.billable_accepted = "pending"

    @api.depends("billable", "billable_accepted", "timesheet_ids")
    def _compute_billable_unaccepted_time(self):
        for ticket in self:
            ticket.billable_unaccepted_time = bool(
                ticket.billable
                and ticket.billable_accepted != "accepted"
                and ticket.sudo().timesheet_ids
            )

    @api.depends("user_id")
    def _compute_team_id(self):
        # New tickets start at Level 1: a Level 2 agent's ticket goes to one of their Level 1
        # teams (none: no team), unless a team is given (e.g. from a Level 2 team's view).
        guessed = self.filtered(lambda t: not t.team_id and t.user_id.helpdesk_team_ids)
        for ticket in guessed:
            ticket.team_id = ticket.user_id.helpdesk_team_ids.filtered(
                lambda team: team.support_level == "l1"
            )[:1]
        return super(HelpdeskTicket, self - guessed)._compute_team_id()

    # -- ORM ---------------------------------------------------------------------

    def _check_escalation_typed(self, vals, creating=False):
        """What escalation decides is not typed: the level (the team's), the date of the
        customer's answer (recorded), and billable work (a helpdesk manager's decision).

        A new ticket's form sends the empty values of its fields: only a value counts then.
        """
        if self.env.su:
            return
        if creating:
            vals = {name: value for name, value in vals.items() if value}
        if "support_level" in vals:
            raise AccessError(_("A ticket's level is its team's: escalate it instead."))
        if "billable_answer_date" in vals:
            raise AccessError(_("The date of the customer's answer is recorded, not typed."))
        if BILLABLE_DECISION & vals.keys():
            self._check_billable_manager()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_escalation_typed(vals, creating=True)
        tickets = super().create(vals_list)
        tickets._fill_team_project()
        tickets.filtered("customised_software")._route_customised_software()
        return tickets

    def _fill_team_project(self):
        """A ticket of a team logging time gets the team's project, however it was created
        (the form's onchange is not the only path): without it the form cannot be saved."""
        for ticket in self.filtered(
            lambda t: (
                not t.project_id and t.team_id.allow_timesheet and t.team_id.default_project_id
            )
        ):
            ticket.project_id = ticket.team_id.default_project_id

    @api.model
    def _fill_missing_team_projects(self):
        """The tickets stored without their team's project (before this rule) get it."""
        self.with_context(active_test=False).search(
            [("project_id", "=", False), ("team_id.allow_timesheet", "=", True)]
        )._fill_team_project()

    def write(self, vals):
        # The escalation machinery's own writes run under sudo: a context sent over
        # RPC alone opens nothing.
        internal = self.env.su and self.env.context.get("support_escalation_internal")
        self._check_escalation_typed(vals)
        if not internal and "billable" in vals:
            vals = self._prepare_billable_override(dict(vals))
        on_behalf = self.browse()
        if not internal and "billable_accepted" in vals:
            # An agent records the customer's answer given by other means (a phone
            # call): dated, and said in the chatter.
            vals = dict(vals, billable_answer_date=fields.Datetime.now())
            if not self.env.su:
                on_behalf = self
        customised = self.browse()
        if vals.get("customised_software"):
            customised = self.filtered(lambda t: not t.customised_software)
        result = super().write(vals)
        if vals.get("team_id"):
            self._fill_team_project()
        on_behalf._note_answer_on_behalf()
        customised._route_customised_software()
        return result

    def _check_billable_manager(self):
        if not self.env.su and not self.env.user.has_group("helpdesk_mgmt.group_helpdesk_manager"):
            raise AccessError(_("Only helpdesk managers can change whether a ticket is billable."))

    def _note_answer_on_behalf(self):
        """Say in the chatter that an agent recorded the customer's answer for them."""
        labels = dict(self._fields["billable_accepted"]._description_selection(self.env))
        for ticket in self:
            ticket.message_post(
                body=Markup("<p>%s</p>")
                % _(
                    "%(agent)s recorded the customer's answer to the billable work on the "
                    "customer's behalf: %(answer)s.",
                    agent=self.env.user.name,
                    answer=labels.get(ticket.billable_accepted) or _("none"),
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _prepare_billable_override(self, vals):
        """Only managers set the billable flag by hand, and they say why."""
        reason = vals.get("billable_reason", None)
        missing = (
            not (reason or "").strip()
            if reason is not None
            else not all((ticket.billable_reason or "").strip() for ticket in self)
        )
        if missing:
            raise ValidationError(_("Say why the billable flag is set by hand."))
        vals["billable_overridden"] = True
        return vals

    # -- escalation ------------------------------------------------------------------

    def _escalate(self, to_level, reason, note=False, origin="agent", team=None, sla_clock=False):
        """Move the tickets to ``to_level`` and record why: the one escalation path.

        The agent's wizard, the portal and the SLA job all call it. Each ticket goes to
        ``team`` or to its configured team of that level; one history row per ticket is
        written, posted in the chatter and notified to the helpdesk managers.
        Returns the new ``support.escalation`` rows.
        """
        if to_level not in dict(LEVEL_SELECTION):
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
        reason = self.env.ref("support_sla_escalation.reason_customisation")
        for ticket in self.filtered(lambda t: t.support_level == "l1" and not t.stage_id.closed):
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

    # -- SLA --------------------------------------------------------------------------

    def _sla_warn(self, clock):
        result = super()._sla_warn(clock)
        self._sla_escalate(clock, ("warning",))
        return result

    def _sla_notify_breach(self, clock):
        result = super()._sla_notify_breach(clock)
        self._sla_escalate(clock, ("warning", "breach"))
        return result

    def _sla_escalate(self, clock, modes):
        """Escalate to Level 2 the tickets whose team asks for it, once per clock."""
        candidates = self.filtered(
            lambda t: (
                t.support_level == "l1"
                and t.team_id.sla_escalation in modes
                and not t.stage_id.closed
            )
        )
        if not candidates:
            return self.env["support.escalation"]
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
            return self.env["support.escalation"]
        reason = self.env.ref("support_sla_escalation.reason_sla")
        if clock == "response":
            note = _("The response target is at risk or missed.")
        else:
            note = _("The resolution target is at risk or missed.")
        rows = self.env["support.escalation"]
        for target, tickets in by_target.items():
            rows |= tickets._escalate(
                "l2", reason, note=note, origin="sla", team=target, sla_clock=clock
            )
        return rows

    # -- billable -------------------------------------------------------------------

    def action_billable_reset(self):
        """Give the billable flag back to the escalation reason."""
        self._check_billable_manager()
        self.write({"billable_overridden": False, "billable_reason": False})
        self.sudo().with_context(support_escalation_internal=True)._compute_billable()

    def _set_billable_answer(self, accept):
        """Record the customer's answer to the billable Level 2 work.

        By the customer's contacts on the portal, or by an agent who may edit the
        ticket, on the customer's behalf (said in the chatter).
        """
        user = self.env.user
        if user.share:
            self._sla_check_customer_action()
        else:
            self.with_user(user).check_access("write")
        not_billable = self.filtered(lambda t: not t.billable)
        if not_billable:
            raise UserError(
                _("%s is not billable: there is nothing to accept.", not_billable[0].display_name)
            )
        self.sudo().with_context(support_escalation_internal=True).write(
            {
                "billable_accepted": "accepted" if accept else "declined",
                "billable_answer_date": fields.Datetime.now(),
            }
        )
        if not user.share:
            self._note_answer_on_behalf()

    def action_billable_accept(self):
        self._set_billable_answer(True)

    def action_billable_decline(self):
        self._set_billable_answer(False)

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

    # -- customer portal ---------------------------------------------------------------

    def _portal_escalation_reasons(self):
        """The reasons offered to customers (read with sudo: reasons are internal)."""
        return (
            self.env["support.escalation.reason"]
            .sudo()
            .search([("portal_code", "in", PORTAL_REASONS)])
        )

    def _portal_request_escalation(self, reason_code, note=None):
        """The customer asks for Level 2 from the portal; refused with a reason they read.

        Everything is checked before anything is written; the escalation itself is
        the one path of ``_escalate``.
        """
        self.ensure_one()
        reason = self._portal_escalation_reasons().filtered(lambda r: r.portal_code == reason_code)
        if not reason_code or not reason:
            raise UserError(_("Choose why you ask for an escalation."))
        self._sla_check_customer_text(note, _("The note"), NOTE_MAX_LENGTH)
        if self.stage_id.closed:
            raise UserError(_("This ticket is closed: it cannot be escalated."))
        current = self.current_escalation_id
        if current.origin == "customer" and current.to_level == self.support_level:
            raise UserError(
                _("You already asked to escalate this ticket: your request is being handled.")
            )
        if self.support_level == "l2":
            raise UserError(_("This ticket is already handled by our Level 2 team."))
        try:
            with self.env.cr.savepoint():
                return self._escalate(
                    "l2", reason, note=(note or "").strip() or False, origin="customer"
                )
        except AccessError:
            raise  # the user may not act on this ticket: they read why (a UserError too)
        except UserError as error:
            # What went wrong is for the team (configuration), not for the customer.
            raise UserError(_("Your request could not be recorded: please contact us.")) from error

    def _portal_answer_billable(self, accept):
        """The customer accepts (``"1"``) or declines (``"0"``) the billable Level 2 work."""
        self.ensure_one()
        if accept not in ("0", "1"):
            raise UserError(_("Your request could not be understood."))
        if not self.billable:
            raise UserError(_("This ticket is not billable: there is nothing to accept."))
        if self.billable_accepted != "pending":
            raise UserError(_("You already answered for this ticket."))
        self._set_billable_answer(accept == "1")
