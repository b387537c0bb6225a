from odoo import http
from odoo.http import request

from odoo.addons.support_sla.controllers.portal import SupportSlaCustomerPortal


class CustomerPortalEscalation(SupportSlaCustomerPortal):
    """Escalation requests and answers to billable Level 2 work, on the ticket page.

    The model checks each request (who may act included); support_sla's
    ``_sla_act`` turns its answer into the page's outcome: said once after a
    redirect when done, the page again with why (4xx) when refused.
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
        return self._sla_act(
            ticket_id,
            lambda ticket: ticket._portal_request_escalation(reason, note),
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
        if accept == "1":
            done = request.env._("Thank you: you accepted the billable Level 2 work.")
        else:
            done = request.env._("You declined the billable Level 2 work: we will contact you.")
        return self._sla_act(ticket_id, lambda ticket: ticket._portal_answer_billable(accept), done)
