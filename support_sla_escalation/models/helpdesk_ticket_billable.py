from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError


# One model over several files, by concern (as Odoo's mail does).
class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

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

    @api.depends("billable", "entitlement_id.consulting_sale_line_id")
    def _compute_sale_line(self):
        # Billable work goes on the customer's consulting line (none yet: the hours wait
        # for it). An agent may choose another: the hours not invoiced yet follow the
        # ticket's line (account.analytic.line._consulting_sale_line), prepaid ones never.
        billable = self.filtered("billable")
        for ticket in billable:
            ticket.sale_line_id = ticket.entitlement_id.consulting_sale_line_id
        return super(HelpdeskTicket, self - billable)._compute_sale_line()

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
