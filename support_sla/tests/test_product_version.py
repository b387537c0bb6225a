from odoo.exceptions import ValidationError
from odoo.tests import Form, freeze_time

from .common import SlaCase

PARIS = "Europe/Paris"


class TestProductVersion(SlaCase):
    """Ivanti: run a supported version; past its end of support, best effort."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Version = cls.env["support.product.version"]
        cls.v72 = Version.create(
            {
                "product_name": "Endpoint Manager",
                "name": "7.2",
                "date_release": "2022-01-10",
                "date_end_support": "2026-03-31",
            }
        )
        cls.v80 = Version.create(
            {"product_name": "Endpoint Manager", "name": "8.0", "date_release": "2025-06-01"}
        )

    def _paris_ticket(self, when, version):
        with freeze_time(when):
            return self._ticket(self.paris_contact, product_version_id=version.id)

    def test_version_past_end_of_support_is_out_of_entitlement(self):
        """On the customer's day after the last supported day: flagged, no deadline,
        the reason said; on the last day itself (Paris time), covered."""
        # 23:30 UTC on 31 March is already 1 April in Paris.
        late = self._paris_ticket(self.utc(2026, 3, 31, 23, 30), self.v72)
        self.assertEqual(late.sla_coverage, "version")
        self.assertTrue(late.sla_out_of_entitlement)
        self.assertEqual(late.sla_response_status, "none")
        self.assertFalse(late.sla_response_deadline)
        self.assertEqual(late.sla_state, "out_of_entitlement")
        self.assertEqual(
            late.sla_note,
            "Best effort: Endpoint Manager version 7.2 reached end of support on 03/31/2026.",
        )
        on_time = self._paris_ticket(self.local(PARIS, 2026, 3, 31, 10, 0), self.v72)
        self.assertEqual(on_time.sla_coverage, "covered")
        self.assertFalse(on_time.sla_out_of_entitlement)
        self.assertEqual(on_time.sla_response_status, "running")
        # No end announced: supported.
        current = self._paris_ticket(self.utc(2027, 6, 7, 9, 0), self.v80)
        self.assertEqual(current.sla_coverage, "covered")

    def test_choosing_the_version_and_moving_its_end_retime_the_ticket(self):
        with freeze_time(self.utc(2026, 4, 7, 9, 0)):
            ticket = self._ticket(self.paris_contact)
            self.assertEqual(ticket.sla_response_status, "running")
            ticket.product_version_id = self.v72
            self.assertEqual(ticket.sla_coverage, "version")
            self.assertFalse(ticket.sla_response_deadline)
            # The vendor extends the support: the open ticket is covered again.
            self.v72.date_end_support = "2026-12-31"
            self.assertEqual(ticket.sla_coverage, "covered")
            self.assertTrue(ticket.sla_response_deadline)

    def test_version_form_and_dates(self):
        form = Form(self.env["helpdesk.ticket"])
        form.name = "Agent ticket"
        form.partner_id = self.paris_contact
        form.product_version_id = self.v80
        self.assertEqual(form.sla_product, "Endpoint Manager")
        self.assertEqual(self.v72.display_name, "Endpoint Manager 7.2")
        with self.assertRaises(ValidationError):
            self.v80.date_end_support = "2025-01-01"

    def test_other_company_version_refused(self):
        company = self.env["res.company"].create({"name": "Other Support Co"})
        foreign = self.env["support.product.version"].create(
            {"product_name": "Foreign", "name": "1.0", "company_id": company.id}
        )
        with self.assertRaises(ValidationError):
            self._ticket(self.paris_contact, product_version_id=foreign.id)
