from odoo import api, fields, models

from ..engine import PRIORITY_LABELS


class SupportPriorityLevelMixin(models.AbstractModel):
    """A ticket priority shown as its P1..P4 level (tier targets, matrix cells)."""

    _name = "support.priority.level.mixin"
    _description = "Priority with its P1..P4 level"

    priority = fields.Selection(
        # The ticket's own priorities, labelled in the reader's language.
        selection=lambda self: (
            self.env["helpdesk.ticket"]._fields["priority"]._description_selection(self.env)
        ),
        required=True,
    )
    priority_label = fields.Char(compute="_compute_priority_label", string="Level")

    @api.depends("priority")
    def _compute_priority_label(self):
        """P1..P4 label of the priority."""
        for record in self:
            record.priority_label = PRIORITY_LABELS.get(record.priority, "")
