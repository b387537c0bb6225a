from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    sla_warning_percent = fields.Integer(
        string="SLA Warning (%)",
        default=80,
        help="Share of an SLA target after which the team is warned that the ticket is at risk.",
    )
    support_priority_rule_ids = fields.One2many("support.priority.rule", "company_id")
    support_portal_team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Team of Portal Tickets",
        check_company=True,
        help="Team that receives the tickets customers submit on the portal without "
        "choosing one. Empty: the company's first team.",
    )

    _sql_constraints = [
        (
            "sla_warning_percent_range",
            "CHECK (sla_warning_percent > 0 AND sla_warning_percent < 100)",
            "The SLA warning must come between 1% and 99% of the target.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["support.priority.rule"]._create_default_matrix(companies)
        return companies

    def _support_portal_team(self):
        """Team of a portal ticket submitted without one: the chosen team, else the
        company's first active team (read with sudo: customers cannot read teams)."""
        self.ensure_one()
        team = self.sudo().support_portal_team_id
        if team.active:
            return team
        return (
            self.env["helpdesk.ticket.team"]
            .sudo()
            .search([("company_id", "in", [self.id, False])], limit=1)
        )

    def write(self, vals):
        result = super().write(vals)
        if "sla_warning_percent" in vals:
            self.env["helpdesk.ticket"]._sla_retime([("company_id", "in", self.ids)])
        return result
