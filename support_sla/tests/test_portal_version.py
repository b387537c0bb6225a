from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from .common_portal import PortalCase


class TestPortalVersion(PortalCase):
    """Supported versions on the portal: the new-ticket form, its preview, the
    ticket and the contract page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        Version = cls.env["support.product.version"]
        cls.v72 = Version.create(
            {
                "product_name": "Endpoint Manager",
                "name": "7.2",
                "date_release": today - timedelta(days=1500),
                "date_end_support": today - timedelta(days=30),
            }
        )
        cls.v80 = Version.create(
            {
                "product_name": "Endpoint Manager",
                "name": "8.0",
                "date_release": today - timedelta(days=200),
                "date_end_support": today + timedelta(days=700),
            }
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other Support Co"})
        cls.foreign = Version.create(
            {"product_name": "Foreign", "name": "1.0", "company_id": cls.other_company.id}
        )
        foreign_customer = cls.env["res.partner"].create(
            {"name": "Foreign Customer", "is_company": True, "company_id": cls.other_company.id}
        )
        foreign_contact = cls.env["res.partner"].create(
            {"name": "Foreign Contact", "parent_id": foreign_customer.id}
        )
        cls.foreign_user = new_test_user(
            cls.env,
            "sla_foreign",
            groups="base.group_portal",
            partner_id=foreign_contact.id,
            company_id=cls.other_company.id,
            company_ids=[(6, 0, cls.other_company.ids)],
        )

    def test_form_offers_the_versions_with_their_end(self):
        self._login("sla_owner")
        page = self.url_open("/new/ticket").text
        self.assertIn('name="product_version_id"', page)
        self.assertIn("Endpoint Manager 7.2 (supported until", page)
        self.assertIn(f'value="{self.v80.id}"', page)
        self.assertNotIn("Foreign 1.0", page)
        self.assertNotIn('name="sla_product"', page)
        # Another company's customer: its own company's list, not ours.
        self._login("sla_foreign")
        page = self.url_open("/new/ticket").text
        self.assertIn("Foreign 1.0", page)
        self.assertNotIn("Endpoint Manager", page)

    def test_preview_warns_of_the_end_of_support(self):
        self._login("sla_owner")
        lapsed = self._preview(impact="high", urgency="high", product_version_id=self.v72.id)
        lapsed = lapsed["result"]
        self.assertIsNone(lapsed["response_deadline"])
        self.assertRegex(
            lapsed["note"],
            r"^Best effort: Endpoint Manager version 7\.2 reached end of support on ",
        )
        supported = self._preview(impact="high", urgency="high", product_version_id=self.v80.id)
        self.assertTrue(supported["result"]["response_deadline"])
        self.assertIsNone(supported["result"]["note"])

    @mute_logger("odoo.http")
    def test_preview_refuses_a_version_not_offered(self):
        self._login("sla_owner")
        for value in (self.foreign.id, "abc", 999999999):
            error = self._preview(impact="high", urgency="high", product_version_id=value)["error"]
            self.assertIn("Choose the product version in the list.", error["data"]["message"])

    def test_submit_on_a_lapsed_version_is_flagged(self):
        self._login("sla_owner")
        response = self._post(
            "/submitted/ticket",
            {
                "subject": "Old agent",
                "description": "x",
                "impact": "high",
                "urgency": "high",
                "product_version_id": str(self.v72.id),
                "sla_client_version": "7.2.1",
            },
        )
        self.assertIn(response.status_code, (302, 303))
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "Old agent")])
        self.assertEqual(ticket.product_version_id, self.v72)
        self.assertEqual(ticket.sla_product, "Endpoint Manager")
        self.assertEqual(ticket.sla_coverage, "version")
        self.assertTrue(ticket.sla_out_of_entitlement)
        self.assertFalse(ticket.sla_response_deadline)
        page = self.url_open(f"/my/ticket/{ticket.id}").text
        self.assertIn("Endpoint Manager 7.2, client 7.2.1", page)
        self.assertIn("version 7.2 reached end of support", page)

    def test_submit_refuses_a_version_not_offered(self):
        count = self.env["helpdesk.ticket"].search_count([])
        for login, value in (
            ("sla_owner", str(self.foreign.id)),
            ("sla_owner", "abc"),
            ("sla_owner", "-3"),
            ("sla_foreign", str(self.v80.id)),
        ):
            self._login(login)
            response = self._post(
                "/submitted/ticket",
                {"subject": "Tampered", "description": "x", "product_version_id": value},
            )
            self.assertEqual(response.status_code, 400, (login, value))
            self.assertIn("Choose the product version in the list.", response.text)
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)
        self.logout()
        response = self._post(
            "/submitted/ticket",
            {"subject": "Anon", "description": "x", "product_version_id": str(self.v80.id)},
            token=False,
        )
        self.assertNotIn(response.status_code, (200, 500))
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)

    def test_contract_page_lists_supported_versions(self):
        url = f"/my/entitlement/{self.tokyo_contract.id}"
        for login in ("sla_owner", "sla_colleague"):
            self._login(login)
            page = self.url_open(url).text
            self.assertIn("Supported versions", page)
            self.assertIn("Endpoint Manager", page)
            self.assertIn("Ended", page)  # 7.2
            self.assertNotIn("Foreign", page)
        # Neither another customer nor another company's customer reads that contract.
        for login in ("sla_other", "sla_foreign"):
            self._login(login)
            self.assertNotIn("Supported versions", self.url_open(url).text)
        self.logout()
        self.assertNotIn("Supported versions", self.url_open(url).text)

    def test_version_tour(self):
        self.start_tour("/new/ticket", "support_sla_portal_version_tour", login="sla_owner")
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "Agent does not start")])
        self.assertEqual(ticket.product_version_id, self.v80)
        self.assertEqual(ticket.sla_coverage, "covered")
