from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import ormcache

from ..engine import DEFAULT_MATRIX, LEVELS, SlaError, check_matrix
from .sla_error import sla_error_message

LEVEL_SELECTION = [("high", "High"), ("medium", "Medium"), ("low", "Low")]


class SupportPriorityRule(models.Model):
    """One cell of a company's impact x urgency priority matrix.

    Every company has exactly the nine cells: they are created with the company,
    can be edited but not deleted one by one, and a tenth cell is refused.
    """

    _name = "support.priority.rule"
    _inherit = ["support.priority.level.mixin"]
    _description = "Priority Matrix Cell"
    _order = "company_id, urgency_sequence, impact_sequence"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
        ondelete="cascade",
    )
    impact = fields.Selection(LEVEL_SELECTION, required=True)
    # group_expand: grouped by urgency, the list reads high, medium, low like the policies.
    urgency = fields.Selection(LEVEL_SELECTION, required=True, group_expand=True)
    # Stored so that the list reads as the grid of the policies (high first).
    impact_sequence = fields.Integer(compute="_compute_sequences", store=True)
    urgency_sequence = fields.Integer(compute="_compute_sequences", store=True)

    _sql_constraints = [
        (
            "company_cell_uniq",
            "unique (company_id, impact, urgency)",
            "The priority matrix already has this impact and urgency: edit that cell.",
        ),
    ]

    @api.depends("impact", "urgency")
    def _compute_sequences(self):
        """Position of the impact and urgency in the grid, high first."""
        for rule in self:
            rule.impact_sequence = LEVELS.index(rule.impact) if rule.impact else 0
            rule.urgency_sequence = LEVELS.index(rule.urgency) if rule.urgency else 0

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        self.env.registry.clear_cache()  # the matrices kept by _matrix_cells
        return rules

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()  # before the re-timing reads the matrix again
        if {"priority", "impact", "urgency"} & vals.keys():
            # Tickets that follow the matrix take its new priority, and their clocks.
            self.env["helpdesk.ticket"]._sla_retime(
                [("company_id", "in", self.company_id.ids), ("priority_overridden", "=", False)],
                refresh=True,
            )
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_part_of_a_matrix(self):
        if self.company_id.exists() and not self.env.context.get("support_sla_matrix_reset"):
            raise UserError(
                _(
                    "A priority matrix needs all nine cells: change the priority of a "
                    "cell instead of deleting it."
                )
            )

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()  # the matrices kept by _matrix_cells
        return result

    @api.model
    @ormcache("company_id")
    def _matrix_cells(self, company_id):
        """``((impact, urgency, priority), ...)`` of a company's matrix, kept by the
        registry: every new ticket, preview and priority change reads it, and it seldom
        changes (2 queries). A change of a cell clears it; Odoo tells the other workers.
        """
        rules = self.sudo().search([("company_id", "=", company_id)])
        return tuple((rule.impact, rule.urgency, rule.priority) for rule in rules)

    @api.model
    def _matrix(self, company):
        """``{(impact, urgency): priority}`` of ``company``; clear error if incomplete.

        A company with no matrix at all (while the addon installs) gives ``{}``.
        """
        cells = self._matrix_cells(company.id)
        if not cells:
            return {}
        try:
            return check_matrix(cells)
        except SlaError as error:
            raise UserError(
                _(
                    "The priority matrix of %(company)s is not usable: %(reason)s",
                    company=company.display_name,
                    reason=sla_error_message(self.env, error),
                )
            ) from error

    @api.model
    def _create_default_matrix(self, companies):
        """Give ``companies`` that have no matrix the default (Zmanda) one."""
        existing = self.sudo().search([("company_id", "in", companies.ids)]).company_id
        new = self.sudo().create(
            [
                {
                    "company_id": company.id,
                    "impact": impact,
                    "urgency": urgency,
                    "priority": priority,
                }
                for company in companies - existing
                for (impact, urgency), priority in DEFAULT_MATRIX.items()
            ]
        )
        # Tickets that existed before the matrix now get its priority to compare with.
        Ticket = self.env["helpdesk.ticket"].sudo()
        tickets = Ticket.search([("company_id", "in", new.company_id.ids)])
        self.env.add_to_compute(Ticket._fields["matrix_priority"], tickets)
