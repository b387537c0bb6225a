from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.support_sla.controllers.main import refuse_other_methods
from odoo.addons.support_sla.controllers.portal import SupportSlaCustomerPortal

PORTAL_REASONS = ("critical", "dissatisfied")
# The longest note a customer may join to an escalation request (characters).
NOTE_MAX_LENGTH = 2000


class CustomerPortalEscalation(SupportSlaCustomerPortal):
    """Escalation requests and answers to billable Level 2 work, on the ticket page."""

    def _ticket_get_page_view_values(self, ticket, access_token, **kwargs):
        values = super()._ticket_get_page_view_values(ticket, access_token, **kwargs)
        values.update(
            escalation_reasons=request.env["support.escalation.reason"]
            .sudo()
            .search([("portal_code", "in", PORTAL_REASONS)]),
            support_message=kwargs.get("support_message"),
        )
        return values

    def _ticket_redirect(self, ticket_id, message):
        return request.redirect(f"/my/ticket/{ticket_id}?support_message={message}")

    @http.route(
        "/my/ticket/<int:ticket_id>/escalate",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_ticket_escalate(self, ticket_id, reason=None, note=None, **kwargs):
        if refusal := refuse_other_methods():
            return refusal
        ticket = self._sla_ticket_for_action(ticket_id)
        refusal = self._sla_refuse_action(ticket)
        if refusal:
            return refusal
        try:
            ticket._sla_check_customer_text(note, request.env._("The note"), NOTE_MAX_LENGTH)
        except UserError as error:
            return self._sla_ticket_error(ticket, error.args[0])
        reason_record = (
            request.env["support.escalation.reason"]
            .sudo()
            .search([("portal_code", "=", reason)], limit=1)
            if reason in PORTAL_REASONS
            else None
        )
        if not reason_record:
            return self._ticket_redirect(ticket_id, "bad_reason")
        if ticket.stage_id.closed:
            return self._ticket_redirect(ticket_id, "closed")
        current = ticket.current_escalation_id
        if current.origin == "customer" and current.to_level == ticket.support_level:
            return self._ticket_redirect(ticket_id, "duplicate")
        if ticket.support_level == "l2":
            return self._ticket_redirect(ticket_id, "already_l2")
        try:
            ticket._escalate("l2", reason_record, note=(note or "").strip(), origin="customer")
        except UserError:
            return self._ticket_redirect(ticket_id, "unavailable")
        return self._ticket_redirect(ticket_id, "escalated")

    @http.route(
        "/my/ticket/<int:ticket_id>/billable",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_ticket_billable(self, ticket_id, accept=None, **kwargs):
        if refusal := refuse_other_methods():
            return refusal
        ticket = self._sla_ticket_for_action(ticket_id)
        refusal = self._sla_refuse_action(ticket)
        if refusal:
            return refusal
        if accept not in ("0", "1"):
            return self._ticket_redirect(ticket_id, "bad_answer")
        if not ticket.billable:
            return self._ticket_redirect(ticket_id, "not_billable")
        if ticket.billable_accepted != "pending":
            return self._ticket_redirect(ticket_id, "answered")
        ticket._set_billable_answer(accept == "1")
        return self._ticket_redirect(ticket_id, "accepted" if accept == "1" else "declined")
