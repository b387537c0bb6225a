"""The monthly SLA report: each customer with an active contract that asks for it gets
its previous month's report (PDF and a short summary, in its language) once; the
helpdesk managers get a digest of the customers below their company's target."""

# One concern of the contract per file, as Odoo splits its own models.
# pylint: disable=consider-merging-classes-inherited

import base64
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from .support_sla_report import month_start

BATCH = 50


class SupportEntitlement(models.Model):
    _inherit = "support.entitlement"

    sla_report_monthly = fields.Boolean(
        string="Monthly SLA Report",
        help="On the first day of each month, e-mail the customer its previous month's SLA report.",
    )
    sla_report_sent_month = fields.Char(
        string="Last SLA Report Sent",
        readonly=True,
        copy=False,
        index=True,
        help="Month (YYYY-MM) of the last monthly SLA report e-mailed: a month is "
        "never sent twice.",
    )

    @api.model
    def _sla_report_month(self, today=None):
        """First day of the month the monthly job reports: the previous one."""
        today = today or fields.Date.context_today(self)
        return month_start(today) - relativedelta(months=1)

    @api.model
    def _cron_sla_monthly_report(self):
        """E-mail last month's report to the customers who want it, by batches.

        A contract is marked with the month in the same transaction as its e-mail is
        queued: a re-run, another worker or a retried batch sends nothing twice.
        """
        month = self._sla_report_month()
        key = month.strftime("%Y-%m")
        domain = [
            ("state", "=", "active"),
            ("sla_report_monthly", "=", True),
            "|",
            ("sla_report_sent_month", "=", False),
            ("sla_report_sent_month", "<", key),
        ]
        pending = self.search(domain, limit=BATCH)
        pending._sla_report_send(month)
        remaining = self.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(pending), remaining=remaining)
        if not remaining:
            self.env["res.company"].search([])._sla_report_send_digest(month)

    def _sla_report_send(self, month):
        """Queue one e-mail per contract with ``month``'s PDF; mark the contracts."""
        if not self:
            return
        key = month.strftime("%Y-%m")
        # Lock the batch: a second worker skips what this one is sending.
        self.env.cr.execute(
            "SELECT id FROM support_entitlement WHERE id = ANY(%s) "
            "AND (sla_report_sent_month IS NULL OR sla_report_sent_month < %s) "
            "FOR UPDATE SKIP LOCKED",
            [self.ids, key],
        )
        entitlements = self.browse([row[0] for row in self.env.cr.fetchall()])
        template = self.env.ref("support_sla.mail_template_sla_monthly_report")
        report = self.env.ref("support_sla.action_report_sla_month")
        Report = self.env["support.sla.report"]
        for entitlement in entitlements:
            partner = entitlement.partner_id
            lang = partner.lang or self.env.lang
            env = self.with_context(lang=lang).with_company(entitlement.company_id).env
            data = Report.with_env(env)._sla_report_data(partner, [month])
            line = data["months"][0]
            pdf, _type = (
                env["ir.actions.report"]
                .sudo()
                ._render_qweb_pdf(report, [partner.id], data={"month": key})
            )
            attachment = self.env["ir.attachment"].create(
                {
                    "name": f"SLA {partner.name} {key}.pdf",
                    "datas": base64.b64encode(pdf),
                    "mimetype": "application/pdf",
                    "res_model": self._name,
                    "res_id": entitlement.id,
                }
            )
            template.with_context(sla_report=line).send_mail(
                entitlement.id, email_values={"attachment_ids": [attachment.id]}
            )
        entitlements.write({"sla_report_sent_month": key})


class ResCompany(models.Model):
    _inherit = "res.company"

    sla_report_threshold = fields.Float(
        string="SLA Target (%)",
        default=90.0,
        help="Share of first responses on time below which a customer is listed in "
        "the managers' monthly digest and in Customers Below Target.",
    )
    sla_digest_sent_month = fields.Char(string="Last SLA Digest Sent", readonly=True)

    def _sla_report_below_target(self, date_from, date_to):
        """``[(partner, share, met, breached)]`` of the company's customers whose share
        of responses on time from ``date_from`` to ``date_to`` is below target."""
        self.ensure_one()
        self.env["helpdesk.ticket"].flush_model()
        self.env.cr.execute(
            """
            SELECT commercial_partner_id,
                   count(*) FILTER (WHERE sla_response_status = 'met'),
                   count(*) FILTER (WHERE sla_response_status = 'breached')
              FROM helpdesk_ticket
             WHERE company_id = %s AND commercial_partner_id IS NOT NULL
               AND sla_start_date >= %s AND sla_start_date < %s
               AND sla_response_status IN ('met', 'breached')
          GROUP BY commercial_partner_id
            HAVING count(*) FILTER (WHERE sla_response_status = 'met') * 100.0
                   / count(*) < %s
          ORDER BY 2 * 1.0 / count(*), 1
            """,
            [self.id, date_from, date_to, self.sla_report_threshold],
        )
        rows = self.env.cr.fetchall()
        partners = self.env["res.partner"].browse([row[0] for row in rows])
        return [
            (partner, round(met * 100 / (met + breached)), met, breached)
            for partner, (_id, met, breached) in zip(partners, rows, strict=True)
        ]

    def _sla_report_send_digest(self, month):
        """Once per company and month: the customers below target, to the managers."""
        key = month.strftime("%Y-%m")
        template = self.env.ref("support_sla.mail_template_sla_monthly_digest")
        managers_group = self.env.ref("helpdesk_mgmt.group_helpdesk_manager")
        for company in self.filtered(
            lambda c: not c.sla_digest_sent_month or c.sla_digest_sent_month < key
        ):
            below = company._sla_report_below_target(month, month + relativedelta(months=1))
            managers = managers_group.users.filtered(
                lambda user, company=company: (
                    company in user.company_ids
                    and not user.share
                    and user.email
                    and user.id != self.env.ref("base.user_root").id
                )
            )
            if below and managers:
                template.with_context(
                    sla_below=below,
                    sla_month=month,
                ).send_mail(
                    company.id,
                    email_values={"recipient_ids": [(6, 0, managers.partner_id.ids)]},
                )
            company.sla_digest_sent_month = key

    @api.model
    def _sla_report_recent(self):
        """Months covered by Customers Below Target: the last three closed ones."""
        first = month_start(date.today())
        return first - relativedelta(months=3), first
