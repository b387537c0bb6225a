from odoo import _, api, fields, models

from .support_escalation import SUPPORT_LEVEL_SELECTION


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    support_level = fields.Selection(
        SUPPORT_LEVEL_SELECTION,
        default="l1",
        required=True,
        help="Level 1: customer services, included in the maintenance contract. "
        "Level 2: consulting, possibly billable.",
    )
    escalation_team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Escalate To",
        domain="[('support_level', '=', 'l2'), ('id', '!=', id)]",
        help="Level 2 (or senior analysts') team receiving this team's escalations. "
        "Empty: the company's first Level 2 team.",
    )
    escalation_sla_trigger = fields.Selection(
        [
            ("never", "Never"),
            ("breach", "When an SLA target is missed"),
            ("warning", "When an SLA target is at risk"),
        ],
        string="SLA Escalation",
        default="never",
        required=True,
        help="Escalate this team's tickets to Level 2 by themselves, once per SLA clock: "
        "at the warning share of the target, or only when it is missed.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        teams = super().create(vals_list)
        teams._ensure_l2_project()
        return teams

    def write(self, vals):
        result = super().write(vals)
        if vals.get("support_level") == "l2" or "default_project_id" in vals:
            self._ensure_l2_project()
        return result

    def _ensure_l2_project(self):
        """A Level 2 team logs its time in a billable timesheet project."""
        for team in self.filtered(lambda t: t.support_level == "l2" and not t.default_project_id):
            project = (
                self.env["project.project"]
                .sudo()
                .create(
                    {
                        "name": _("%s (Level 2)", team.name),
                        "allow_timesheets": True,
                        "allow_billable": True,
                        "company_id": (team.company_id or self.env.company).id,
                    }
                )
            )
            team.write({"allow_timesheet": True, "default_project_id": project.id})

    def _escalation_target(self, to_level):
        """Team receiving this team's tickets at ``to_level`` (empty when none).

        Back to Level 1, a Level 2 team's tickets go to a Level 1 team escalating to it
        (explicitly, or by default as the company's first Level 2 team): never to a Level 1
        team that has nothing to do with it.
        """
        self.ensure_one()
        if to_level == "l2" and self.escalation_team_id:
            return self.escalation_team_id
        if to_level == "l1" and self.support_level == "l2":
            feeders = self.search(
                [
                    ("support_level", "=", "l1"),
                    ("company_id", "in", (self.company_id or self.env.company).ids + [False]),
                    "|",
                    ("escalation_team_id", "=", self.id),
                    ("escalation_team_id", "=", False),
                ]
            ).sorted(lambda team: not team.escalation_team_id)
            return next(
                (team for team in feeders if team._escalation_target("l2") == self),
                self.browse(),
            )
        return self.search(
            [
                ("support_level", "=", to_level),
                ("company_id", "in", (self.company_id or self.env.company).ids + [False]),
                ("id", "!=", self.id),
            ],
            limit=1,
        )
