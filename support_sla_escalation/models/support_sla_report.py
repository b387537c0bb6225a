"""The SLA report's Level 2 figures: escalations to Level 2 and billable Level 2 hours
of the customer's tickets, per month received and priority, in one SQL aggregate."""

from odoo import api, models

EXTRA_QUERY = """
    WITH tickets AS (
        SELECT t.id,
               date_trunc(
                   'month',
                   (t.sla_start_date AT TIME ZONE 'UTC') AT TIME ZONE COALESCE(t.sla_tz, 'UTC')
               )::date AS month,
               t.priority
          FROM helpdesk_ticket t
         WHERE t.commercial_partner_id = %(partner)s
           AND t.company_id = ANY(%(companies)s)
           AND t.sla_start_date >= %(date_from)s::timestamp - interval '1 day'
           AND t.sla_start_date < %(date_to)s::timestamp + interval '1 day'
    ), figures AS (
        SELECT t.month, t.priority, 1 AS escalations, 0.0 AS hours
          FROM tickets t JOIN support_escalation e ON e.ticket_id = t.id
         WHERE e.to_level = 'l2' AND e.from_level = 'l1'
     UNION ALL
        SELECT t.month, t.priority, 0, l.unit_amount
          FROM tickets t JOIN account_analytic_line l ON l.ticket_id = t.id
         WHERE l.consulting_split = 'billable'
    )
    SELECT month, priority, sum(escalations) AS escalations, sum(hours) AS billable_hours
      FROM figures
     WHERE month >= %(date_from)s AND month < %(date_to)s
  GROUP BY GROUPING SETS ((month, priority), (month))
"""


class SupportSlaReport(models.AbstractModel):
    _inherit = "support.sla.report"

    @api.model
    def _sla_report_extra(self, partner, date_from, date_to):
        extra = super()._sla_report_extra(partner, date_from, date_to)
        self.env["support.escalation"].flush_model()
        self.env["account.analytic.line"].flush_model()
        self.env.cr.execute(
            EXTRA_QUERY,
            {
                "partner": partner.commercial_partner_id.id,
                "companies": self.env.companies.ids,
                "date_from": date_from,
                "date_to": date_to,
            },
        )
        for month, priority, escalations, hours in self.env.cr.fetchall():
            extra.setdefault((month, priority), {}).update(
                escalations=int(escalations or 0), billable_hours=float(hours or 0.0)
            )
        return extra
