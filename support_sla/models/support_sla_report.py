"""The customer's SLA report: month by month, per priority, in SQL aggregates.

One home for the figures that the portal page ``/my/sla``, its PDF, the monthly
e-mail and the managers' digest show. Every figure is an aggregate of the clock
columns stored on the tickets (``helpdesk_ticket_sla_figures.py``): one query per
report, whatever the number of tickets.
"""

from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_date

from ..engine import PRIORITY_LABELS
from ..tools.display import duration_text

MONTHS_SHOWN = 12
# Grouping sets: per (month, priority), then the month over all priorities.
FIGURES_QUERY = """
    WITH tickets AS (
        SELECT date_trunc(
                   'month',
                   (t.sla_start_date AT TIME ZONE 'UTC') AT TIME ZONE COALESCE(t.sla_tz, 'UTC')
               )::date AS month,
               t.priority,
               t.sla_response_status AS status,
               t.sla_response_business_minutes AS response,
               t.sla_resolve_business_minutes AS resolve,
               COALESCE(t.sla_paused_minutes, 0) AS paused,
               CASE WHEN tt.response_minutes > 0 AND t.sla_response_business_minutes IS NOT NULL
                    THEN t.sla_response_business_minutes * 100.0 / tt.response_minutes
               END AS response_share
          FROM helpdesk_ticket t
     LEFT JOIN support_tier_target tt
            ON tt.tier_id = t.tier_id AND tt.priority = t.priority
         WHERE t.commercial_partner_id = %(partner)s
           AND t.company_id = ANY(%(companies)s)
           AND t.sla_start_date >= %(date_from)s::timestamp - interval '1 day'
           AND t.sla_start_date < %(date_to)s::timestamp + interval '1 day'
    )
    SELECT month, priority, count(*) AS received,
           count(*) FILTER (WHERE status = 'met') AS met,
           count(*) FILTER (WHERE status = 'breached') AS breached,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY response) AS response_p50,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY response) AS response_p90,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY resolve) AS resolve_p50,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY resolve) AS resolve_p90,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY response_share) AS response_share,
           sum(paused) AS paused
      FROM tickets
     WHERE month >= %(date_from)s AND month < %(date_to)s
  GROUP BY GROUPING SETS ((month, priority), (month))
  ORDER BY month, priority DESC
"""
FIGURES = (
    "received",
    "met",
    "breached",
    "response_p50",
    "response_p90",
    "resolve_p50",
    "resolve_p90",
    "response_share",
    "paused",
)


def month_start(day):
    return day.replace(day=1)


def parse_month(text):
    """``YYYY-MM`` as the first day of that month, or None when it is not one."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1) if len(text) == 7 and 1900 < year < 10000 else None
    except (AttributeError, TypeError, ValueError):
        return None


class SupportSlaReport(models.AbstractModel):
    _name = "support.sla.report"
    _description = "Customer SLA Report"

    @api.model
    def _sla_report_months(self, today, count=MONTHS_SHOWN):
        """First days of the last ``count`` months up to ``today``'s, oldest first."""
        current = month_start(today)
        return [current - relativedelta(months=back) for back in range(count - 1, -1, -1)]

    @api.model
    def _sla_report_figures(self, partner, date_from, date_to):
        """Raw figures of ``partner``'s tickets received from ``date_from`` (a first of
        month, in the ticket's time zone) to ``date_to`` (excluded):
        ``{(month, priority or None): {figure: value}}``; ``None`` is the month's total.

        The caller has checked that the user may see this customer's report.
        """
        self.env["helpdesk.ticket"].flush_model()
        self.env.cr.execute(
            FIGURES_QUERY,
            {
                "partner": partner.commercial_partner_id.id,
                "companies": self.env.companies.ids,
                "date_from": date_from,
                "date_to": date_to,
            },
        )
        figures = {}
        for row in self.env.cr.dictfetchall():
            figures[row["month"], row["priority"]] = {name: row[name] for name in FIGURES}
        for key, extra in self._sla_report_extra(partner, date_from, date_to).items():
            figures.setdefault(key, dict.fromkeys(FIGURES)).update(extra)
        return figures

    @api.model
    def _sla_report_extra(self, partner, date_from, date_to):
        """Figures other addons add, same keys as :meth:`_sla_report_figures`."""
        return {}

    @api.model
    def _sla_report_data(self, partner, months):
        """What the page, the PDF and the e-mail show for ``months`` (first days)."""
        if not months:
            return {"months": [], "chart_max": 1}
        figures = self._sla_report_figures(partner, months[0], months[-1] + relativedelta(months=1))
        rows = []
        for month in months:
            total = self._sla_report_line(figures.get((month, None)))
            priorities = [
                {"label": PRIORITY_LABELS[priority], **self._sla_report_line(line)}
                for (line_month, priority), line in sorted(
                    figures.items(), key=lambda item: str(item[0][1]), reverse=True
                )
                if line_month == month and priority is not None
            ]
            rows.append(
                {
                    "month": month,
                    "key": month.strftime("%Y-%m"),
                    "label": format_date(self.env, month, date_format="MMMM y"),
                    "short": format_date(self.env, month, date_format="MMM y"),
                    "total": total,
                    "priorities": priorities,
                }
            )
        chart_max = max([row["total"]["received"] for row in rows] + [1])
        return {"months": rows, "chart_max": chart_max}

    def _sla_report_line(self, line):
        """One line of figures as it reads: counts, share met, durations with units."""
        line = line or dict.fromkeys(FIGURES)
        met, breached = line["met"] or 0, line["breached"] or 0
        decided = met + breached
        values = {
            "received": line["received"] or 0,
            "met": met,
            "breached": breached,
            "share": round(met * 100 / decided) if decided else None,
            "response_share": round(line["response_share"])
            if line["response_share"] is not None
            else None,
            "paused": duration_text(self.env, line["paused"] or 0),
            "escalations": line.get("escalations") or 0,
            "billable_hours": line.get("billable_hours") or 0.0,
        }
        for name in ("response_p50", "response_p90", "resolve_p50", "resolve_p90"):
            value = line[name]
            values[name] = duration_text(self.env, value) if value is not None else "—"
        return values

    @api.model
    def _sla_report_check(self, partners):
        """Only helpdesk users read any customer's report in the back office; the
        portal reads its own company's one through :meth:`_sla_report_data` under sudo,
        after the controller took the customer from the user."""
        if not self.env.su and not self.env.user.has_group("helpdesk_mgmt.group_helpdesk_user_own"):
            raise AccessError(self.env._("Only helpdesk users may read SLA reports."))
        partners.check_access("read")


class ReportSlaMonth(models.AbstractModel):
    _name = "report.support_sla.report_sla_month"
    _description = "SLA Report of a Month"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids)
        Report = self.env["support.sla.report"]
        Report._sla_report_check(partners)
        today = fields.Date.context_today(self)
        month = parse_month((data or {}).get("month") or "") or month_start(
            today - relativedelta(months=1)
        )
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners,
            "month": month,
            "report_of": lambda partner: Report.with_context(
                lang=partner.lang or self.env.lang
            )._sla_report_data(partner, [month]),
        }
