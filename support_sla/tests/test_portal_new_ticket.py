from datetime import datetime, timedelta

import pytz

from odoo.tests import freeze_time
from odoo.tools import mute_logger

from .common import SlaCase
from .common_portal import PortalCase


class TestPortalNewTicket(PortalCase):
    def test_preview_answers_exactly_and_saves_nothing(self):
        self._login("sla_owner")
        count = self.env["helpdesk.ticket"].search_count([])
        before = datetime.now(pytz.utc)
        answer = self._preview(impact="high", urgency="high")["result"]
        self.assertEqual(
            set(answer), {"priority", "priority_label", "response_deadline", "tz", "note"}
        )
        self.assertEqual(answer["priority"], "3")
        self.assertEqual(answer["priority_label"], "P1")
        self.assertEqual(answer["tz"], "Asia/Tokyo")
        self.assertIsNone(answer["note"])
        deadline = datetime.fromisoformat(answer["response_deadline"])
        self.assertEqual(deadline.utcoffset(), timedelta(hours=9))
        # Premium, 24x7: P1 answered within 15 minutes.
        self.assertLessEqual(abs(deadline - before - timedelta(minutes=15)), timedelta(minutes=1))
        low = self._preview(impact="low", urgency="low")["result"]
        self.assertEqual((low["priority"], low["priority_label"]), ("0", "P4"))
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)

    def test_preview_is_the_promise_kept(self):
        """Basic in Paris, out of hours or not: the ticket gets the previewed deadline."""
        self._login("sla_other")
        answer = self._preview(impact="medium", urgency="high")["result"]
        self.assertEqual(answer["priority_label"], "P2")
        self.assertEqual(answer["tz"], "Europe/Paris")
        response = self._post(
            "/submitted/ticket",
            {"subject": "Promise", "description": "x", "impact": "medium", "urgency": "high"},
        )
        self.assertIn(response.status_code, (302, 303))
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "Promise")])
        deadline = datetime.fromisoformat(answer["response_deadline"])
        stored = pytz.utc.localize(ticket.sla_response_deadline)
        self.assertLessEqual(abs(deadline - stored), timedelta(minutes=1))
        self.assertEqual(ticket.priority, answer["priority"])
        # And the customer who submitted it gets the promise by e-mail, from the
        # scheduled action the submit asked to run.
        self.assertTrue(ticket.sla_ack_pending)
        ticket._cron_sla_acknowledge()
        ack = ticket.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        emailed = ack.notification_ids.filtered(lambda n: n.notification_type == "email")
        self.assertEqual(emailed.res_partner_id, self.paris_contact)

    def test_preview_best_effort(self):
        self._login("sla_community")
        answer = self._preview(impact="high", urgency="high")["result"]
        self.assertIsNone(answer["response_deadline"])
        self.assertEqual(answer["note"], "No support contract")
        page = self.url_open("/new/ticket").text
        self.assertIn("No response time applies", page)
        # The note reads as a heading of its own, not run into the sentence after it.
        self.assertRegex(page, r'<strong class="o_sla_preview_note d-block">No support contract<')
        # A tier that does not include the web channel: the same, said plainly.
        phone_only = self.env["support.tier"].create(
            {
                "name": "Phone Only",
                "code": "PHONE",
                "channel_ids": [(6, 0, self.phone.ids)],
                "target_ids": [(0, 0, {"priority": "3", "response_minutes": 30})],
            }
        )
        self._entitlement(self.community, phone_only)
        answer = self._preview(impact="high", urgency="high")["result"]
        self.assertIsNone(answer["response_deadline"])
        self.assertIn("not included in the Phone Only tier", answer["note"])

    @mute_logger("odoo.http")
    def test_preview_refuses_bad_input_and_anonymous(self):
        self._login("sla_owner")
        error = self._preview(impact="extreme", urgency="high")["error"]
        self.assertIn("high, medium and low", error["data"]["message"])
        self.assertIn("error", self._preview(urgency="high"))
        self.logout()
        self.assertIn("error", self._preview(impact="high", urgency="high"))

    def test_submit_with_impact_urgency_and_product(self):
        self._login("sla_owner")
        response = self._post(
            "/submitted/ticket",
            {
                "subject": "Backups fail",
                "description": "Nothing works",
                "impact": "high",
                "urgency": "low",
                "sla_product": "Backup Server",
                "sla_client_version": "3.1",
                "sla_server_version": "3.2",
            },
        )
        self.assertIn(response.status_code, (302, 303))
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "Backups fail")])
        self.assertEqual((ticket.impact, ticket.urgency, ticket.priority), ("high", "low", "1"))
        self.assertEqual(ticket.channel_id, self.web)
        self.assertEqual(ticket.entitlement_id, self.tokyo_contract)
        self.assertEqual(ticket.sla_response_status, "running")
        self.assertEqual(
            (ticket.sla_product, ticket.sla_client_version, ticket.sla_server_version),
            ("Backup Server", "3.1", "3.2"),
        )
        self.assertTrue(response.headers["Location"].endswith(f"/my/ticket/{ticket.id}"))

    def test_submit_refuses_tampered_values(self):
        other_company = self.env["res.company"].create({"name": "Other Helpdesk Co"})
        foreign = self.env["helpdesk.ticket.category"].create(
            {"name": "Foreign", "company_id": other_company.id}
        )
        self._login("sla_owner")
        count = self.env["helpdesk.ticket"].search_count([])
        for tampered in (
            {"impact": "extreme"},
            {"urgency": "1; DROP"},
            {"category": str(foreign.id)},
            {"category": "abc"},
            {"team": "999999"},
            {"sla_product": "x" * 201},
        ):
            response = self._post(
                "/submitted/ticket", {"subject": "Tampered", "description": "x", **tampered}
            )
            self.assertEqual(response.status_code, 400, tampered)
            self.assertIn('id="sla_errors"', response.text)
            self.assertIn('value="Tampered"', response.text)  # what was typed comes back
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)

    def test_form_shows_definitions_one_problem_and_preview(self):
        self._login("sla_owner")
        page = self.url_open("/new/ticket").text
        self.assertIn("One problem per ticket", page)
        self.assertIn("What do high, medium and low mean?", page)
        self.assertIn('id="support_sla_preview"', page)
        self.assertIn('data-priority="1"', page)  # medium x medium: P3
        self.assertIn("Asia/Tokyo", page)


class TestSlaPreview(SlaCase):
    """The model behind the preview: the promise shown is the promise kept."""

    @freeze_time("2025-06-13 16:30:00")
    def test_preview_equals_the_ticket_created(self):
        """Friday 18:30 in Paris, Basic: P1 due Monday 08:30 (2 business hours)."""
        Ticket = self.env["helpdesk.ticket"]
        values = {
            "partner_id": self.paris_contact.id,
            "company_id": self.env.company.id,
            "channel_id": self.web.id,
            "impact": "high",
            "urgency": "high",
        }
        count = Ticket.search_count([])
        preview = Ticket._sla_preview(values)
        self.assertEqual(Ticket.search_count([]), count)
        ticket = Ticket.create({"name": "Down", "description": "Down", **values})
        self.assertEqual(preview["priority"], ticket.priority)
        self.assertEqual(preview["response_deadline"], ticket.sla_response_deadline)
        self.assertEqual(preview["tz"], ticket.sla_tz)
        self.assertEqual(
            ticket.sla_response_deadline, self.local("Europe/Paris", 2025, 6, 16, 8, 30)
        )

    def test_preview_without_contract_or_channel(self):
        Ticket = self.env["helpdesk.ticket"]
        community, contact = self._customer("Community", "Asia/Tokyo")
        values = {"partner_id": contact.id, "impact": "high", "urgency": "high"}
        preview = Ticket._sla_preview({**values, "channel_id": self.web.id})
        self.assertFalse(preview["response_deadline"])
        self.assertEqual(preview["note"], "No support contract")
        preview = Ticket._sla_preview(
            {**values, "partner_id": self.paris_contact.id, "channel_id": self.phone.id}
        )
        self.assertFalse(preview["response_deadline"])
        self.assertIn("Phone", preview["note"])
        self.assertFalse(community.support_entitlement_id)
