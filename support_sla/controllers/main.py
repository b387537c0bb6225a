from werkzeug.exceptions import BadRequest, NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController
from odoo.addons.portal.controllers.portal import CustomerPortal

from ..engine import LEVELS
from ..tools.display import customer_tz, local_iso, local_text
from .outcome import redirect_saying

# Plain text fields of the new-ticket form, and the longest text each accepts.
TEXT_FIELDS = {"sla_product": 200, "sla_client_version": 100, "sla_server_version": 100}
# helpdesk_mgmt's own text fields of the form, and the longest text each accepts.
FORM_TEXTS = ("subject", "description")
FORM_TEXT_LIMITS = {"subject": 200, "description": 20000}
# Largest database id (PostgreSQL integer): a bigger number names no record.
MAX_ID = 2**31 - 1
# Records the form offers in a list: a posted id must be one the user could choose.
PORTAL_CHOICES = {"category": "helpdesk.ticket.category", "team": "helpdesk.ticket.team"}


def refuse_other_methods():
    """A 405 answer to any method but POST (None for POST): nothing is done then.

    Odoo adds OPTIONS to every route and exempts it from the CSRF check: a
    route that changes data returns this first when it is not None.
    """
    if request.httprequest.method == "POST":
        return None
    return request.make_response(
        request.env._("This address only accepts a form sent with POST."),
        headers=[("Allow", "POST"), ("Content-Type", "text/plain; charset=utf-8")],
        status=405,
    )


def has_nul(values):
    """Whether a posted text holds a NUL byte (PostgreSQL refuses it)."""
    return any(isinstance(value, str) and "\x00" in value for value in values)


def portal_id(value):
    """A posted record id as an int, or None when it cannot name a record."""
    if not (isinstance(value, str) and value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


class SupportSlaTicketController(HelpdeskTicketController):
    # -- closing from the portal ---------------------------------------------

    @http.route("/ticket/close", type="http", auth="user", methods=["POST"], csrf=True)
    def support_ticket_close(self, ticket_id=None, stage_id=None, **kw):
        """Close a ticket the user may read, in a stage of its team open to the portal.

        Replaces helpdesk_mgmt's route, which looked the ticket up with sudo by the
        posted id and was reached by GET: POST with the CSRF token only, by a
        contact of the ticket's customer.
        """
        if refusal := refuse_other_methods():
            return refusal
        ticket_id, stage_id = portal_id(ticket_id), portal_id(stage_id)
        if not (ticket_id and stage_id):
            raise BadRequest(request.env._("The ticket and the stage must be numbers."))
        try:
            ticket = CustomerPortal()._document_check_access("helpdesk.ticket", ticket_id)
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        # Written by the customer (tracking author), with rights they lack on stages.
        ticket = ticket.with_user(request.env.user).sudo()
        allowed = ticket.team_id._get_applicable_stages().filtered("close_from_portal")
        stage = allowed.filtered(lambda s: s.id == stage_id)
        env = request.env
        # Back to the ticket page as helpdesk_mgmt does (302), which says any refusal once.
        try:
            ticket._sla_check_customer_action()
        except AccessError as error:
            return redirect_saying(ticket.id, str(error), "danger", code=302)
        if ticket.stage_id.closed:
            return redirect_saying(
                ticket.id, env._("This ticket is already closed."), "danger", code=302
            )
        if not stage:
            return redirect_saying(
                ticket.id,
                env._("This ticket cannot be closed in that stage from the portal."),
                "danger",
                code=302,
            )
        ticket.stage_id = stage
        return request.redirect(f"/my/ticket/{ticket.id}", code=302)

    # -- new ticket ----------------------------------------------------------

    def _get_create_new_ticket_values(self, **kw):
        values = super()._get_create_new_ticket_values(**kw)
        impact = kw.get("impact") if kw.get("impact") in LEVELS else "medium"
        urgency = kw.get("urgency") if kw.get("urgency") in LEVELS else "medium"
        values.update(
            sla_levels=self._sla_level_labels(),
            sla_impact=impact,
            sla_urgency=urgency,
            sla_versions=self._sla_versions(),
            sla_version_id=portal_id(kw.get("product_version_id") or "") or False,
            sla_preview=self._sla_preview_values(
                impact, urgency, kw.get("product_version_id") or None
            ),
            # The customer's language, for the dates the preview writes in the browser.
            sla_lang=(request.env.lang or "en_US").replace("_", "-"),
            # What the customer typed comes back when the form is shown again with errors.
            sla_values={name: kw.get(name) or "" for name in (*TEXT_FIELDS, *FORM_TEXTS)},
        )
        return values

    def _sla_versions(self, version_id=None):
        """The supported versions the form offers (the company's), or the one of
        ``version_id`` among them; as the user (record rules apply)."""
        domain = [("company_id", "=", request.env.company.id)]
        if version_id is not None:
            domain.append(("id", "=", version_id))
        return request.env["support.product.version"].search(domain)

    def _sla_version(self, value):
        """The posted version if the form offered it; None if it names no such choice
        (empty: no version)."""
        if not value:
            return request.env["support.product.version"]
        version_id = portal_id(value)
        version = self._sla_versions(version_id) if version_id else None
        return version or None

    def _sla_level_labels(self):
        Ticket = request.env["helpdesk.ticket"]
        return dict(Ticket._fields["impact"]._description_selection(request.env))

    def _sla_submit_errors(self, kw):
        """Messages for every posted value the portal form could not have sent."""
        env = request.env
        errors = []
        if has_nul(kw.values()):
            errors.append(env._("Remove the invisible control characters from your text."))
        if not (kw.get("subject") or "").strip():
            errors.append(env._("Give your request a subject."))
        if not (kw.get("description") or "").strip():
            errors.append(env._("Describe your request."))
        if any(len(kw.get(name) or "") > size for name, size in FORM_TEXT_LIMITS.items()):
            errors.append(
                env._(
                    "Keep the subject under %(subject)s characters and the description under "
                    "%(description)s.",
                    subject=FORM_TEXT_LIMITS["subject"],
                    description=FORM_TEXT_LIMITS["description"],
                )
            )
        if any(kw.get(name) not in (None, *LEVELS) for name in ("impact", "urgency")):
            errors.append(env._("Choose the impact and the urgency among high, medium and low."))
        if any(len(kw.get(name) or "") > size for name, size in TEXT_FIELDS.items()):
            errors.append(env._("Keep the product and the versions short."))
        if self._sla_version(kw.get("product_version_id")) is None:
            errors.append(env._("Choose the product version in the list."))
        for name, model in PORTAL_CHOICES.items():
            value = kw.get(name)
            # As the user: record rules keep other companies' records out.
            if value and not (
                portal_id(value)
                and env[model].search(
                    [
                        ("id", "=", portal_id(value)),
                        ("active", "=", True),
                        ("show_in_portal", "=", True),
                    ]
                )
            ):
                errors.append(env._("Choose the category and the team in the lists."))
                break
        return errors

    @http.route(
        "/submitted/ticket", type="http", auth="user", website=True, methods=["POST"], csrf=True
    )
    def submit_ticket(self, **kw):
        """helpdesk_mgmt's route, re-declared POST-only: a link or a redirect (no CSRF
        token) must not open a ticket and start its clock."""
        if refusal := refuse_other_methods():
            return refusal
        errors = self._sla_submit_errors(kw)
        if errors:
            if has_nul(kw.values()):
                kw = {key: value for key, value in kw.items() if not has_nul([value])}
            values = self._get_create_new_ticket_values(**kw)
            values["sla_errors"] = errors
            return request.render("helpdesk_mgmt.portal_create_ticket", values, status=400)
        return super().submit_ticket(**kw)

    def _prepare_submit_ticket_vals(self, **kw):
        vals = super()._prepare_submit_ticket_vals(**kw)
        vals.update(self._sla_ticket_vals(kw))
        if not vals.get("team_id"):
            # A ticket nobody can see in a team is lost: the company's portal team.
            company = request.env["res.company"].sudo().browse(vals["company_id"])
            team = company._support_portal_team()
            if team:
                vals["team_id"] = team.id
                vals["stage_id"] = team._get_applicable_stages()[:1].id or vals.get("stage_id")
        return vals

    def _sla_ticket_vals(self, kw):
        """Impact, urgency and product fields of a portal ticket (validated before)."""
        vals = {name: (kw.get(name) or "").strip() or False for name in TEXT_FIELDS}
        for name in ("impact", "urgency"):
            if kw.get(name) in LEVELS:
                vals[name] = kw[name]
        version = self._sla_version(kw.get("product_version_id"))
        if version:
            vals["product_version_id"] = version.id
            vals["sla_product"] = vals["sla_product"] or version.product_name
        return vals

    # -- preview ---------------------------------------------------------------

    def _sla_preview_values(self, impact, urgency, version=None):
        """The preview of a ticket the user would submit now, as the JSON route returns it.

        ``version``: the posted product version (its id as text), validated before.
        """
        env = request.env
        user = env.user
        values = {
            "partner_id": user.partner_id.id,
            "company_id": env.company.id,
            "channel_id": env.ref("helpdesk_mgmt.helpdesk_ticket_channel_web").id,
            **self._sla_ticket_vals(
                {"impact": impact, "urgency": urgency, "product_version_id": version}
            ),
        }
        # The ticket would be created with sudo (helpdesk_mgmt): preview it the same way.
        preview = env["helpdesk.ticket"].sudo()._sla_preview(values)
        tz = customer_tz(env, preview["tz"])
        return {
            "priority": preview["priority"],
            "priority_label": preview["priority_label"],
            "response_deadline": local_iso(preview["response_deadline"], tz),
            "tz": tz,
            "note": preview["note"] or None,
            # Not part of the JSON answer: the form renders it without JavaScript.
            "_deadline_text": local_text(env, preview["response_deadline"], tz),
        }

    @http.route("/support_sla/preview", type="json", auth="user", methods=["POST"])
    def support_sla_preview(self, impact=None, urgency=None, product_version_id=None, **kw):
        """Priority and response deadline a new ticket would get; nothing is saved."""
        if impact not in LEVELS or urgency not in LEVELS:
            raise UserError(
                request.env._("Choose the impact and the urgency among high, medium and low.")
            )
        version = str(product_version_id) if product_version_id else None
        if self._sla_version(version) is None:
            raise UserError(request.env._("Choose the product version in the list."))
        preview = self._sla_preview_values(impact, urgency, version)
        preview.pop("_deadline_text")
        return preview
