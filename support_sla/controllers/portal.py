from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk

from ..engine import COVERAGE_STATES, PRIORITY_LABELS
from ..tools.display import customer_tz, duration_text
from .display import page_sla, ticket_sla
from .main import MAX_ID, has_nul, refuse_other_methods
from .outcome import outcome, pop_outcome, redirect_saying


class SupportSlaCustomerPortal(CustomerPortalHelpdesk):
    # -- home ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "entitlement_count" in counters:
            Entitlement = request.env["support.entitlement"]
            values["entitlement_count"] = (
                Entitlement.search_count(self._sla_entitlement_domain())
                if Entitlement.has_access("read")
                else 0
            )
        return values

    # -- contracts -------------------------------------------------------------

    def _sla_entitlement_domain(self):
        """The user's own company's contracts that cover or covered days: drafts and
        cancelled ones stay internal (agents read them all in the back office)."""
        return [
            ("partner_id", "=", request.env.user.commercial_partner_id.id),
            ("state", "in", COVERAGE_STATES),
        ]

    @http.route("/my/entitlements", type="http", auth="user", website=True)
    def portal_my_entitlements(self, **kw):
        Entitlement = request.env["support.entitlement"]
        if not Entitlement.has_access("read"):
            return request.redirect("/my")
        # As the user: the portal record rule keeps other customers' contracts out.
        entitlements = Entitlement.search(self._sla_entitlement_domain())
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="support_entitlements",
            entitlements=entitlements.sudo(),
            sla_tier_of=lambda ent: ent.effective_tier_id,
        )
        return request.render("support_sla.portal_my_entitlements", values)

    @http.route("/my/entitlement/<int:entitlement_id>", type="http", auth="user", website=True)
    def portal_my_entitlement(self, entitlement_id, **kw):
        if entitlement_id > MAX_ID:  # no such record (and PostgreSQL would refuse the number)
            return request.redirect("/my")
        try:
            entitlement = self._document_check_access("support.entitlement", entitlement_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if not entitlement.filtered_domain(self._sla_entitlement_domain()):
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update(self._sla_entitlement_values(entitlement))
        return request.render("support_sla.portal_my_entitlement", values)

    def _sla_entitlement_values(self, entitlement):
        """Everything the contract page says, in the customer's language and zone."""
        env = request.env
        tier = entitlement.effective_tier_id
        targets = [
            {
                "label": PRIORITY_LABELS.get(target.priority, ""),
                "response": duration_text(env, target.response_minutes),
                "resolve": target.resolve_minutes and duration_text(env, target.resolve_minutes),
                "coverage": target.calendar_id
                and entitlement._sla_coverage_text(target.calendar_id),
            }
            for target in tier.target_ids.sorted("priority", reverse=True)
        ]
        return {
            "page_name": "support_entitlement",
            "entitlement": entitlement,
            "tier": tier,
            "targets": targets,
            "coverage": entitlement._sla_coverage_text(),
            "holidays": entitlement._sla_holidays(),
            # The access to the contract was checked: its company's published versions.
            "versions": env["support.product.version"]
            .sudo()
            .search([("company_id", "=", entitlement.company_id.id)]),
            "today": fields.Date.context_today(entitlement.with_context(tz=customer_tz(env))),
        }

    # -- tickets ---------------------------------------------------------------

    def _ticket_get_searchbar_sortings(self):
        sortings = super()._ticket_get_searchbar_sortings()
        sortings.update(
            deadline={
                "label": request.env._("Next Deadline"),
                "order": "sla_next_deadline asc, id desc",
                "sequence": 0,
            },
            response_deadline={
                "label": request.env._("Response Deadline"),
                "order": "sla_response_deadline asc, id desc",
                "sequence": 5,
            },
            resolve_deadline={
                "label": request.env._("Resolution Deadline"),
                "order": "sla_resolve_deadline asc, id desc",
                "sequence": 6,
            },
            priority={
                "label": request.env._("Priority"),
                "order": "priority desc, id desc",
                "sequence": 7,
            },
        )
        return sortings

    def _sla_list_errors(self, kw):
        """What is wrong with the list's parameters (helpdesk_mgmt would answer 500)."""
        env = request.env
        if has_nul(kw.values()):
            return env._("Remove the invisible control characters from your search.")
        if kw.get("sortby") and kw["sortby"] not in self._ticket_get_searchbar_sortings():
            return env._("Sort the tickets with one of the choices of the list.")
        if kw.get("groupby") and kw["groupby"] not in self._ticket_get_searchbar_groupby():
            return env._("Group the tickets with one of the choices of the list.")
        for name in ("date_begin", "date_end"):
            try:
                fields.Datetime.to_datetime(kw.get(name) or False)
            except (TypeError, ValueError):
                return env._("Give the dates as YYYY-MM-DD.")
        return False

    @http.route()
    def portal_my_tickets(self, *args, **kw):
        error = self._sla_list_errors(kw)
        if error:
            # The website's 400 page, which says the message.
            raise UserError(error)
        # What needs attention first: the next deadline, unless the customer sorts.
        if not kw.get("sortby") and not (len(args) > 3 and args[3]):
            kw["sortby"] = "deadline"
        response = super().portal_my_tickets(*args, **kw)
        if hasattr(response, "qcontext"):
            page = page_sla(request.env)
            response.qcontext["sla_of"] = lambda ticket: ticket_sla(
                request.env, ticket.sudo(), page
            )
        return response

    @http.route()
    def portal_my_ticket(self, ticket_id, access_token=None, **kw):
        if ticket_id > MAX_ID:  # as helpdesk_mgmt answers an unknown ticket
            return request.redirect("/my")
        return super().portal_my_ticket(ticket_id, access_token=access_token, **kw)

    def _ticket_get_page_view_values(self, ticket, access_token, **kwargs):
        values = super()._ticket_get_page_view_values(ticket, access_token, **kwargs)
        env = request.env
        # Acting on a ticket needs a signed-in contact of its customer who may read it
        # (not a shared link, nor a follower from another company).
        # Without a token, the portal has just checked that the visitor may read it.
        can_act = ticket.with_user(env.user)._sla_customer_may_act(read_checked=not access_token)
        values.update(
            sla=ticket_sla(env, ticket),
            sla_can_act=can_act,
            sla_callback_offered=can_act and ticket._sla_callback_offered(),
            sla_priorities=sorted(PRIORITY_LABELS.items(), reverse=True),
            # What the last POST on this ticket did, said once (see outcome.py).
            sla_outcome=pop_outcome(ticket.id),
        )
        return values

    def _sla_ticket_for_action(self, ticket_id):
        """The ticket if the signed-in user may read it (record rules), else 404.

        Returned with sudo to write what a portal user may not, but as that user,
        who is then the author of the tracking and of the request.
        """
        if ticket_id > MAX_ID:  # no such record (and PostgreSQL would refuse the number)
            raise NotFound()
        try:
            ticket = self._document_check_access("helpdesk.ticket", ticket_id)
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        return ticket.with_user(request.env.user).sudo()

    def _sla_act(self, ticket_id, action, done_text):
        """Run ``action(ticket)``, a method of the model that checks everything the
        customer's request needs, and say how it went (see outcome.py).

        Done: back to the ticket page, which says ``done_text`` once (303). Refused
        by the model: the page again with why, 403 when the user may not act on the
        ticket, else 400; nothing is written.
        """
        if refusal := refuse_other_methods():
            return refusal
        ticket = self._sla_ticket_for_action(ticket_id)
        try:
            action(ticket)
        except (AccessError, UserError, ValidationError) as error:
            request.env.cr.rollback()
            values = self._ticket_get_page_view_values(ticket, None)
            values.update(sla_outcome=outcome(error, "danger"), sla_refused=True)
            return request.render(
                "helpdesk_mgmt.portal_helpdesk_ticket_page",
                values,
                status=403 if isinstance(error, AccessError) else 400,
            )
        return redirect_saying(ticket.id, done_text)

    @http.route(
        "/my/ticket/<int:ticket_id>/priority",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_ticket_priority(self, ticket_id, priority=None, reason=None, **kw):
        return self._sla_act(
            ticket_id,
            lambda ticket: ticket._sla_customer_override(priority, reason),
            request.env._("The priority is changed; the support team sees your reason."),
        )

    @http.route(
        "/my/ticket/<int:ticket_id>/callback",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_ticket_callback(self, ticket_id, mode=None, **kw):
        return self._sla_act(
            ticket_id,
            lambda ticket: ticket._sla_request_callback(mode),
            request.env._("Your call-back request is registered."),
        )
