from odoo import fields
from odoo.tests import tagged

from .common_consulting import ConsultingCase


@tagged("post_install", "-at_install")
class TestSlaReportLevel2(ConsultingCase):
    """The SLA report counts escalations to Level 2 and billable Level 2 hours."""

    def test_escalations_and_billable_hours_of_the_month(self):
        ticket = self._billable_ticket()
        self._log(ticket, 3.0)  # one prepaid hour this month, two billable
        other = self._billable_ticket()
        other._escalate("l1", self.reasons["wrong_level"])  # back to Level 1: not counted
        Report = self.env["support.sla.report"].with_company(self.company)
        months = Report._sla_report_months(fields.Date.context_today(self.env.user), 1)
        line = Report._sla_report_data(self.customer, months)["months"][0]
        self.assertEqual(line["total"]["received"], 2)
        self.assertEqual(line["total"]["escalations"], 2)
        self.assertEqual(line["total"]["billable_hours"], 2.0)
        self.assertEqual(sum(p["billable_hours"] for p in line["priorities"]), 2.0)
        self.assertEqual(self._billable_lines(ticket).mapped("unit_amount"), [2.0])
