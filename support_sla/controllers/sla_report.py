"""The customer's SLA report on the portal: ``/my/sla`` and its PDF ``/my/sla/pdf``.

The customer is always the signed-in user's company (commercial partner), never a
parameter: a colleague sees the same report, nobody else does.
"""

from odoo import fields, http
from odoo.exceptions import UserError
from odoo.http import request

from ..models.support_sla_report import MONTHS_SHOWN, month_start, parse_month
from .portal import SupportSlaCustomerPortal


class SupportSlaReportPortal(SupportSlaCustomerPortal):
    def _sla_report_customer(self):
        """The user's company, when the user is a portal or internal user."""
        user = request.env.user
        if user._is_public():
            return None
        return user.commercial_partner_id

    def _sla_report_month(self, month, months):
        """``month`` (``YYYY-MM``) if it is one of ``months``; the running month when
        not given; a 400 with the reason otherwise."""
        if not month:
            return months[-1]
        day = parse_month(month)
        if not day:
            # The website's 400 page, which says the message.
            raise UserError(request.env._("The month must read YYYY-MM, e.g. 2026-03."))
        if day > months[-1]:
            raise UserError(request.env._("This month has not started yet."))
        return day

    def _sla_report_today(self):
        return fields.Date.context_today(request.env.user)

    @http.route("/my/sla", type="http", auth="user", website=True)
    def portal_my_sla(self, month=None, **kw):
        customer = self._sla_report_customer()
        if not customer:
            return request.redirect("/my")
        Report = request.env["support.sla.report"]
        months = Report._sla_report_months(self._sla_report_today())
        selected = self._sla_report_month(month, months)
        if selected < months[0]:
            months = Report._sla_report_months(selected, MONTHS_SHOWN)
        # The customer was taken from the user: its figures are read under sudo.
        data = Report.sudo()._sla_report_data(customer, months)
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="support_sla_report",
            customer=customer,
            report=data,
            selected=next(row for row in data["months"] if row["month"] == selected),
        )
        return request.render("support_sla.portal_my_sla", values)

    @http.route("/my/sla/pdf", type="http", auth="user", website=True)
    def portal_my_sla_pdf(self, month=None, **kw):
        customer = self._sla_report_customer()
        if not customer:
            return request.redirect("/my")
        today = self._sla_report_today()
        selected = self._sla_report_month(month, [month_start(today)])
        key = selected.strftime("%Y-%m")
        report = request.env.ref("support_sla.action_report_sla_month")
        pdf, _type = (
            request.env["ir.actions.report"]
            .sudo()
            .with_context(lang=customer.lang or request.env.lang)
            ._render_qweb_pdf(report, [customer.id], data={"month": key})
        )
        filename = f"sla-{key}.pdf"
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                ("Content-Disposition", f'inline; filename="{filename}"'),
            ],
        )
