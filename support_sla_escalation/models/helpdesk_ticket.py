from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .support_escalation import SUPPORT_LEVEL_SELECTION

# Whether Level 2 work is charged: a helpdesk manager's decision.
BILLABLE_DECISION = {
    "billable",
    "billable_overridden",
    "billable_reason",
    "billable_invoice_declined",
}


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    support_level = fields.Selection(
        SUPPORT_LEVEL_SELECTION,
        compute="_compute_support_level",
        store=True,
        index=True,
        help="Level of the ticket's team.",
    )

    @api.depends("team_id.support_level")
    def _compute_support_level(self):
        for ticket in self:
            ticket.support_level = ticket.team_id.support_level or "l1"

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
