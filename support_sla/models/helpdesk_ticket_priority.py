"""The ticket's priority: impact x urgency in the company's matrix, unless overridden by
hand (by an agent or the customer), with who, when and why."""

# One concern of the ticket per file, as Odoo splits its own models (mail/models/discuss/).
# pylint: disable=consider-merging-classes-inherited

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..engine import PRIORITY_LABELS, matrix_priority
from .support_priority_rule import LEVEL_SELECTION


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    impact = fields.Selection(LEVEL_SELECTION, default="medium", tracking=True)

    urgency = fields.Selection(LEVEL_SELECTION, default="medium", tracking=True)

    matrix_priority = fields.Selection(
        selection=lambda self: self._fields["priority"]._description_selection(self.env),
        compute="_compute_matrix_priority",
        store=True,
        help="Priority given by the impact x urgency matrix of the company.",
    )

    # Follows the matrix as impact and urgency change, even on an unsaved form; a value
    # chosen by hand is kept (editable compute) and makes the ticket overridden.
    # Labelled P1..P4 as everywhere else (chatter tracking, stars, filters), in every
    # language: a function, so that helpdesk_mgmt's translated labels do not come back.
    priority = fields.Selection(
        selection="_priority_levels",
        tracking=True,
        compute="_compute_priority",
        store=True,
        readonly=False,
        default=None,
    )

    priority_overridden = fields.Boolean(
        tracking=True,
        copy=False,
        help="The priority was chosen by hand instead of following the matrix.",
    )

    priority_override_reason = fields.Char(
        string="Override Reason",
        tracking=True,
        copy=False,
        help="Visible to the customer: the portal shows this reason next to the priority.",
    )

    priority_override_user_id = fields.Many2one(
        "res.users", string="Overridden By", readonly=True, copy=False, tracking=True
    )

    priority_override_date = fields.Datetime(string="Overridden On", readonly=True, copy=False)

    @api.model
    def _priority_levels(self):
        """The priorities as their P1..P4 levels, P4 (low) first as the stars count."""
        return [(code, PRIORITY_LABELS[code]) for code in sorted(PRIORITY_LABELS)]

    @api.depends("impact", "urgency", "company_id")
    def _compute_matrix_priority(self):
        """Priority of the impact and urgency in the company's matrix."""
        matrices = {}
        for ticket in self:
            ticket.matrix_priority = ticket._matrix_priority_of(
                ticket.company_id, ticket.impact, ticket.urgency, matrices
            )

    def _matrix_priority_of(self, company, impact, urgency, matrices):
        """Priority of ``impact`` x ``urgency`` in ``company``'s matrix (False: none).

        ``matrices`` caches the matrices read, per company, across a batch.
        """
        company = company or self.env.company
        if not (impact and urgency):
            return False
        if company not in matrices:
            matrices[company] = self.env["support.priority.rule"]._matrix(company)
        return bool(matrices[company]) and matrix_priority(matrices[company], impact, urgency)

    @api.depends("matrix_priority", "priority_overridden")
    def _compute_priority(self):
        """The matrix's priority, unless the priority is overridden."""
        for ticket in self:
            if ticket.matrix_priority and not ticket.priority_overridden:
                ticket.priority = ticket.matrix_priority
            else:
                ticket.priority = ticket.priority or "1"

    @api.onchange("priority")
    def _onchange_priority_override(self):
        """Choosing another priority than the matrix's by hand overrides it (asks why)."""
        for ticket in self:
            if ticket.matrix_priority and ticket.priority != ticket.matrix_priority:
                ticket.priority_overridden = True

    @api.constrains("priority_overridden", "priority_override_reason")
    def _check_override_reason(self):
        for ticket in self:
            if ticket.priority_overridden and not (ticket.priority_override_reason or "").strip():
                raise ValidationError(
                    _("Say why the priority of %s is overridden.", ticket.display_name)
                )

    def _prepare_override_vals(self, vals):
        """A priority set by hand (form, kanban stars, import) is an override."""
        if (
            "priority" in vals
            and "priority_overridden" not in vals
            and any(priority != vals["priority"] for priority in self._matrix_priorities(vals))
        ):
            vals["priority_overridden"] = True
        if vals.get("priority_overridden"):
            vals.setdefault("priority_override_user_id", self.env.user.id)
            vals.setdefault("priority_override_date", fields.Datetime.now())
            if not vals.get("priority_override_reason") and not all(
                self.mapped("priority_override_reason")
            ):
                # Written without a reason (import, RPC, copy): a neutral one, in the
                # language of the customer who reads it on the portal.
                lang = (self[:1]._sla_customer_lang() if self else None) or self.env.lang
                vals["priority_override_reason"] = self.with_context(lang=lang).env._(
                    "Priority set by hand"
                )
        elif "priority_overridden" in vals:
            vals.update(
                priority_override_reason=False,
                priority_override_user_id=False,
                priority_override_date=False,
            )
        return vals

    def _matrix_priorities(self, vals):
        """Matrix priority of each ticket once ``vals`` (impact, urgency...) are written."""
        if not {"impact", "urgency", "company_id"} & vals.keys():
            return self.mapped("matrix_priority")
        company = self.env["res.company"].browse(vals.get("company_id"))
        matrices = {}
        return [
            self._matrix_priority_of(
                company if "company_id" in vals else ticket.company_id,
                vals.get("impact", ticket.impact),
                vals.get("urgency", ticket.urgency),
                matrices,
            )
            for ticket in self
        ]
