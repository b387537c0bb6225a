from odoo import _, models
from odoo.exceptions import AccessError, UserError

# Escalation reasons a customer may pick on the portal.
PORTAL_REASONS = ("critical", "dissatisfied")
# The longest note a customer may join to an escalation request (characters).
NOTE_MAX_LENGTH = 2000


# One model over several files, by concern (as Odoo's mail does).
class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

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
