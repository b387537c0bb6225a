from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.support_sla.controllers.main import refuse_other_methods
from odoo.addons.support_sla.controllers.outcome import redirect_saying
from odoo.addons.support_sla.controllers.portal import SupportSlaCustomerPortal


class CustomerPortalEscalation(SupportSlaCustomerPortal):
    """Escalation requests and answers to billable Level 2 work, on the ticket page.

    The model checks each request; a refusal shows the page again with why (400), a
    success redirects to the page, which says it once (support_sla's outcome).
    """

    def _ticket_get_page_view_values(self, ticket, access_token, **kwargs):
        values = super()._ticket_get_page_view_values(ticket, access_token, **kwargs)
        values["escalation_reasons"] = ticket._portal_escalation_reasons()
        return values

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
            ticket._portal_request_escalation(reason, note)
        except UserError as error:
            request.env.cr.rollback()
            return self._sla_ticket_error(ticket, error.args[0])
        return redirect_saying(
            ticket.id,
            request.env._(
                "Your escalation request is recorded: our Level 2 team takes the ticket over."
            ),
        )

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
        try:
            ticket._portal_answer_billable(accept)
        except UserError as error:
            request.env.cr.rollback()
            return self._sla_ticket_error(ticket, error.args[0])
        if accept == "1":
            text = request.env._("Thank you: you accepted the billable Level 2 work.")
        else:
            text = request.env._("You declined the billable Level 2 work: we will contact you.")
        return redirect_saying(ticket.id, text)
