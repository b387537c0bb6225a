from lxml import etree

from odoo import fields
from odoo.tests import tagged

from .common import EscalationCase


@tagged("post_install", "-at_install")
class TestContractPeriod(EscalationCase):
    def test_current_period_stops_with_the_contract(self):
        """A 30-day trial's period ends with the trial, not a year later."""
        customer = self._customer("Evaluator", "America/Los_Angeles")[0]
        trial = self._entitlement(
            customer,
            self.standard,
            state="trial",
            date_start="2026-03-01",
            date_end="2026-03-30",
        )
        trial = trial.with_context(date="2026-03-10")
        self.assertEqual(trial.consulting_period_start, fields.Date.to_date("2026-03-01"))
        self.assertEqual(trial.consulting_period_end, fields.Date.to_date("2026-03-30"))
        yearly = self._entitlement(
            self._customer("Yearly", "Europe/Paris")[0],
            self.standard,
            date_start="2026-03-01",
            date_end="2028-02-28",
        ).with_context(date="2026-03-10")
        self.assertEqual(yearly.consulting_period_end, fields.Date.to_date("2027-02-28"))

    def test_what_the_customer_reads_is_marked_and_headers_fit(self):
        Ticket = self.env["helpdesk.ticket"]
        form = Ticket.with_user(self.manager).get_view(view_type="form")["arch"]
        self.assertIn("Why it is billable: visible to the customer", form)
        arch = etree.fromstring(Ticket.get_view(view_type="list")["arch"])
        self.assertEqual(arch.xpath("//field[@name='billable']/@string"), ["Billable"])
        self.assertEqual(arch.xpath("//field[@name='support_level']/@string"), ["Level"])
