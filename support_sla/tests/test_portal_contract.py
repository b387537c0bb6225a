from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user

from .common_portal import PortalCase


class TestPortalContracts(PortalCase):
    def test_contract_list_per_customer(self):
        for login, seen, unseen in (
            ("sla_owner", self.tokyo_contract, self.paris_contract),
            ("sla_colleague", self.tokyo_contract, self.paris_contract),
            ("sla_other", self.paris_contract, self.tokyo_contract),
        ):
            self._login(login)
            page = self.url_open("/my/entitlements")
            self.assertEqual(page.status_code, 200)
            self.assertIn(f'data-entitlement-id="{seen.id}"', page.text, login)
            self.assertNotIn(f'data-entitlement-id="{unseen.id}"', page.text, login)
        self._login("sla_community")
        self.assertIn("You have no support contract", self.url_open("/my/entitlements").text)

    def test_contract_pages_refuse_others_and_anonymous(self):
        self.assertRedirectsToLogin(self.url_open("/my/entitlements", allow_redirects=False))
        url = f"/my/entitlement/{self.tokyo_contract.id}"
        self.assertRedirectsToLogin(self.url_open(url, allow_redirects=False))
        self._login("sla_other")
        refused = self.url_open(url, allow_redirects=False)
        self.assertEqual(refused.status_code, 303)
        self.assertTrue(refused.headers["Location"].endswith("/my"))
        self.assertNotIn("SUP/", self.url_open(url).text)
        missing = self.url_open("/my/entitlement/999999", allow_redirects=False)
        self.assertEqual(missing.status_code, 303)
        self.assertEqual(self.url_open("/my/entitlement/abc").status_code, 404)

    def test_agents_see_no_customer_contract_on_their_portal(self):
        new_test_user(self.env, "sla_agent_portal", groups="helpdesk_mgmt.group_helpdesk_user")
        self._login("sla_agent_portal")
        page = self.url_open("/my/entitlements").text
        self.assertNotIn(f'data-entitlement-id="{self.tokyo_contract.id}"', page)
        url = f"/my/entitlement/{self.tokyo_contract.id}"
        self.assertEqual(self.url_open(url, allow_redirects=False).status_code, 303)

    def test_contract_page_tells_everything(self):
        """Basic in Paris: hours in the customer's zone, holidays, targets, renewal."""
        self._holidays(self.basic.calendar_id, [str(fields.Date.today() + timedelta(days=40))])
        self.paris_contract.write(
            {
                "reseller_id": self.env["res.partner"].create({"name": "Lowlands IT"}).id,
                "auto_renew": True,
                "date_end": fields.Date.today() + timedelta(days=200),
                "notice_days": 60,
            }
        )
        self.paris_contract.tz = "Europe/Paris"
        self._login("sla_other")
        page = self.url_open(f"/my/entitlement/{self.paris_contract.id}").text
        self.assertIn("Mon–Fri 07:00–19:00, Europe/Paris; public holidays closed", page)
        self.assertIn(f"Holiday {fields.Date.today() + timedelta(days=40)}", page)
        self.assertIn("Lowlands IT", page)
        self.assertIn("Web, Email", page)
        self.assertNotIn("Phone", page.split('name="entitlement_channels"')[1][:200])
        # Response targets per priority: P1 2 h ... P4 48 h.
        targets = page.split('name="entitlement_targets"')[1]
        for label, text in (("P1", "2 h"), ("P2", "4 h"), ("P3", "24 h"), ("P4", "48 h")):
            self.assertRegex(targets, rf"<td>{label}</td>\s*<td>\s*{text}")
        notice = fields.Date.today() + timedelta(days=140)
        self.assertIn("Last day to give notice", page)
        self.assertIn(notice.strftime("%m/%d/%Y"), page)
        self.assertIn('data-state="active"', page)

    def test_contract_state_expiring_and_premium_coverage(self):
        self.tokyo_contract.write(
            {"date_end": fields.Date.today() + timedelta(days=20), "notice_days": 30}
        )
        self._login("sla_owner")
        page = self.url_open(f"/my/entitlement/{self.tokyo_contract.id}").text
        self.assertIn('data-state="expiring"', page)
        self.assertIn("24x7, every day of the year (Asia/Tokyo)", page)
        self.assertIn("15 min", page)

    def test_drafts_stay_internal(self):
        self.tokyo_contract.state = "expired"
        draft = self._entitlement(self.tokyo, self.premium, state="draft")
        self._login("sla_owner")
        self.assertNotIn(
            f'data-entitlement-id="{draft.id}"', self.url_open("/my/entitlements").text
        )
        refused = self.url_open(f"/my/entitlement/{draft.id}", allow_redirects=False)
        self.assertEqual(refused.status_code, 303)

    def test_home_counter(self):
        for login, count in (("sla_owner", 1), ("sla_other", 1), ("sla_community", 0)):
            self._login(login)
            answer = self.make_jsonrpc_request("/my/counters", {"counters": ["entitlement_count"]})
            self.assertEqual(answer["entitlement_count"], count, login)
        self.assertIn("/my/entitlements", self.url_open("/my").text)
