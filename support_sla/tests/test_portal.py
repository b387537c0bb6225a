import html
import json
import re
from datetime import datetime, timedelta

import pytz

from odoo import fields, http
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged
from odoo.tools import format_datetime, mute_logger

from .common import SlaCase


@tagged("post_install", "-at_install")
class PortalCase(SlaCase, HttpCase):
    """Portal customers: an owner and a colleague in Tokyo (Premium, 24x7), a customer
    of another company in Paris (Basic) and a community user with no contract."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leader = new_test_user(
            cls.env, "sla_leader", groups="helpdesk_mgmt.group_helpdesk_user", name="Team Leader"
        )
        cls.team.user_id = cls.leader
        cls.tokyo_contact.phone = "+81 90 5555 0176"
        cls.owner = cls._portal_user("sla_owner", cls.tokyo_contact, "Asia/Tokyo")
        cls.colleague_contact = cls.env["res.partner"].create(
            {"name": "Colleague in Tokyo", "parent_id": cls.tokyo.id, "tz": "Asia/Tokyo"}
        )
        cls.colleague = cls._portal_user("sla_colleague", cls.colleague_contact, "Asia/Tokyo")
        cls.other = cls._portal_user("sla_other", cls.paris_contact, "Europe/Paris")
        cls.community, cls.community_contact = cls._customer("Mori Lab", "Asia/Tokyo")
        cls.community_user = cls._portal_user("sla_community", cls.community_contact, "Asia/Tokyo")
        cls.owner_ticket = cls._make_ticket(cls.tokyo_contact, "Scheduler down", "medium")
        cls.other_ticket = cls._make_ticket(cls.paris_contact, "Devis illisibles", "medium")

    @classmethod
    def _portal_user(cls, login, partner, tz):
        return new_test_user(
            cls.env, login, groups="base.group_portal", partner_id=partner.id, tz=tz
        )

    @classmethod
    def _make_ticket(cls, contact, name, level):
        return cls.env["helpdesk.ticket"].create(
            {
                "name": name,
                "description": "<p>Public description</p>",
                "notes": "<p>INTERNAL-NOTE-TEXT</p>",
                "partner_id": contact.id,
                "user_id": False,
                "team_id": cls.team.id,
                "stage_id": cls.stage_new.id,
                "channel_id": cls.web.id,
                "impact": level,
                "urgency": level,
            }
        )

    def _login(self, login):
        self.authenticate(login, login)

    def _post(self, url, data, token=True):
        if token:
            data = {**data, "csrf_token": http.Request.csrf_token(self)}
        return self.url_open(url, data=data, allow_redirects=False)

    def _preview(self, **params):
        response = self.url_open(
            "/support_sla/preview",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def _local(self, value, user):
        """How the portal writes a stored datetime for ``user``."""
        env = self.env(user=user, context={"lang": "en_US", "tz": user.tz})
        # To the minute: medium date, short time (no seconds on the portal).
        return format_datetime(env, value, tz=user.tz, dt_format="MMM d, y, h:mm a")

    def assertRedirectsToLogin(self, response):
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    @staticmethod
    def _said(page):
        """``(level, text)`` said by the ticket page's outcome block, or None."""
        block = re.search(r'<div\b[^>]*name="support_outcome"[^>]*>(.*?)</div>', page, re.DOTALL)
        if not block:
            return None
        level = re.search(r"\balert-(\w+)", block.group(0)).group(1)
        return level, html.unescape(block.group(1)).strip()

    def assertRefused(self, response, status, text):
        """The ticket page again, with why in the block that says outcomes."""
        self.assertEqual(response.status_code, status)
        self.assertEqual(self._said(response.text), ("danger", text))


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


class TestPortalTickets(PortalCase):
    def test_list_shows_priority_deadlines_in_customer_time(self):
        self._login("sla_owner")
        page = self.url_open("/my/tickets").text
        self.assertIn("Scheduler down", page)
        self.assertNotIn("Devis illisibles", page)
        deadline = self._local(self.owner_ticket.sla_response_deadline, self.owner)
        self.assertIn(deadline, page)
        self.assertIn('data-status="running"', page)
        self.assertIn(">P3<", page)
        self._login("sla_colleague")
        self.assertIn("Scheduler down", self.url_open("/my/tickets").text)

    def test_list_sorts_by_deadline(self):
        urgent = self._make_ticket(self.tokyo_contact, "Urgent one", "high")
        self._login("sla_owner")
        page = self.url_open("/my/tickets?sortby=response_deadline").text
        self.assertLess(page.index("Urgent one"), page.index("Scheduler down"))
        page = self.url_open("/my/tickets?sortby=date").text
        self.assertIn("Response Deadline", page)
        self.assertTrue(urgent.sla_response_deadline < self.owner_ticket.sla_response_deadline)

    def test_page_for_owner_colleague_other_anonymous(self):
        url = f"/my/ticket/{self.owner_ticket.id}"
        self.env["helpdesk.ticket"].browse(self.owner_ticket.id).message_post(
            body="INTERNAL-CHATTER-NOTE", subtype_xmlid="mail.mt_note"
        )
        for login in ("sla_owner", "sla_colleague"):
            self._login(login)
            page = self.url_open(url).text
            self.assertIn("Scheduler down", page)
            self.assertIn(self._local(self.owner_ticket.sla_response_deadline, self.owner), page)
            self.assertIn("Running", page)
            self.assertIn("left", page)
            self.assertNotIn("INTERNAL-NOTE-TEXT", page)
            self.assertNotIn("INTERNAL-CHATTER-NOTE", page)
        self._login("sla_other")
        refused = self.url_open(url, allow_redirects=False)
        self.assertEqual(refused.status_code, 303)
        self.assertTrue(refused.headers["Location"].endswith("/my"))
        self.logout()
        self.assertNotIn("Scheduler down", self.url_open(url).text)
        # A shared link shows the deadline in the ticket's zone, but offers no action.
        token = self.owner_ticket._portal_ensure_token()
        page = self.url_open(f"{url}?access_token={token}").text
        self.assertIn(self._local(self.owner_ticket.sla_response_deadline, self.owner), page)
        self.assertNotIn('id="support_sla_ticket_actions"', page)

    def test_page_says_paused_while_waiting_for_the_customer(self):
        self.owner_ticket.stage_id = self.stage_waiting
        self._login("sla_owner")
        page = self.url_open(f"/my/ticket/{self.owner_ticket.id}").text
        self.assertIn('data-status="paused"', page)
        self.assertIn("Paused while waiting for you", page)

    def test_page_best_effort(self):
        ticket = self._make_ticket(self.community_contact, "Community question", "low")
        self._login("sla_community")
        page = self.url_open(f"/my/ticket/{ticket.id}").text
        self.assertIn("No response time applies", page)
        self.assertRegex(page, r'<strong class="d-block">No support contract</strong>')
        self.assertNotIn("First response due", page)


class TestPortalOverride(PortalCase):
    def test_owner_overrides_with_reason(self):
        matrix_deadline = self.owner_ticket.sla_response_deadline
        self._login("sla_owner")
        response = self._post(
            f"/my/ticket/{self.owner_ticket.id}/priority",
            {"priority": "3", "reason": "  The whole plant is stopped  "},
        )
        self.assertEqual(response.status_code, 303)
        ticket = self.owner_ticket
        ticket.invalidate_recordset()
        self.assertEqual(ticket.priority, "3")
        self.assertTrue(ticket.priority_overridden)
        self.assertEqual(ticket.priority_override_reason, "The whole plant is stopped")
        self.assertEqual(ticket.priority_override_user_id, self.owner)
        self.assertEqual(ticket.matrix_priority, "1")
        # Deadlines follow: P1 within 15 minutes of creation instead of 4 hours.
        self.assertEqual(
            ticket.sla_response_deadline, ticket.sla_start_date + timedelta(minutes=15)
        )
        self.assertNotEqual(ticket.sla_response_deadline, matrix_deadline)
        self._end_request()
        tracked = ticket.message_ids.tracking_value_ids.filtered(
            lambda v: v.field_id.name == "priority"
        )
        self.assertTrue(tracked)
        self.assertEqual(tracked[:1].mail_message_id.author_id, self.tokyo_contact)
        page = self.url_open(response.headers["Location"]).text
        self.assertEqual(
            self._said(page),
            ("success", "The priority is changed; the support team sees your reason."),
        )
        self.assertIn("Changed by you", page)
        self.assertIn("→ P3", page)  # the matrix priority stays visible
        # Said once: a reload, or a crafted URL, says nothing.
        for url in (response.headers["Location"], f"/my/ticket/{ticket.id}?sla_done=priority"):
            self.assertNotIn("The priority is changed", self.url_open(url).text)

    def test_internal_override_author_stays_internal(self):
        agent = new_test_user(
            self.env, "sla_agent_x", groups="helpdesk_mgmt.group_helpdesk_user", name="Secretname"
        )
        self.owner_ticket.with_user(agent).write(
            {"priority": "3", "priority_overridden": True, "priority_override_reason": "Down"}
        )
        self._end_request()
        self._login("sla_owner")
        page = self.url_open(f"/my/ticket/{self.owner_ticket.id}").text
        self.assertIn("Changed by the support team", page)
        self.assertNotIn("Secretname", page)

    def test_colleague_overrides_the_company_ticket(self):
        self._login("sla_colleague")
        response = self._post(
            f"/my/ticket/{self.owner_ticket.id}/priority", {"priority": "2", "reason": "Payroll"}
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.owner_ticket.priority, "2")

    def test_bad_overrides_change_nothing(self):
        url = f"/my/ticket/{self.owner_ticket.id}/priority"
        self._login("sla_owner")
        say_why = "Say why the priority should change: the support team reads it."
        for data, message in (
            ({"priority": "3", "reason": "   "}, say_why),
            ({"priority": "3"}, say_why),
            ({"priority": "9", "reason": "Because"}, "Choose a priority between P1 and P4."),
            ({"reason": "Because"}, "Choose a priority between P1 and P4."),
        ):
            response = self._post(url, data)
            self.assertRefused(response, 400, message)
            # The form that was refused stays open.
            self.assertIn("<details open", response.text)
        self.assertEqual(self.owner_ticket.priority, "1")
        self.assertFalse(self.owner_ticket.priority_overridden)
        self.assertEqual(self._post("/my/ticket/abc/priority", {"priority": "3"}).status_code, 404)
        self.assertEqual(self.url_open(url).status_code, 405)  # GET
        with self.assertLogs("odoo.http", "WARNING"):
            self.assertEqual(
                self._post(url, {"priority": "3", "reason": "x"}, token=False).status_code, 400
            )
        self.assertFalse(self.owner_ticket.priority_overridden)

    def test_others_and_anonymous_cannot_override(self):
        url = f"/my/ticket/{self.owner_ticket.id}/priority"
        self._login("sla_other")
        response = self._post(url, {"priority": "3", "reason": "Mine now"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self._post("/my/ticket/999999/priority", {}).status_code, 404)
        self.logout()
        self.assertRedirectsToLogin(self._post(url, {"priority": "3", "reason": "Anonymous"}))
        self.assertFalse(self.owner_ticket.priority_overridden)


class TestPortalCallback(PortalCase):
    def test_callback_queues_an_activity_for_the_team(self):
        self._login("sla_owner")
        url = f"/my/ticket/{self.owner_ticket.id}/callback"
        response = self._post(url, {"mode": "asap"})
        self.assertEqual(response.status_code, 303)
        ticket = self.owner_ticket
        ticket.invalidate_recordset()
        activity = ticket.sla_callback_activity_id
        self.assertEqual(activity.user_id, self.leader)  # no assignee: the team leader
        self.assertIn("+81 90 5555 0176", activity.summary)
        self.assertIn("Call me when you can", activity.summary)
        self.assertEqual(ticket.sla_callback_mode, "asap")
        self.assertTrue(ticket.sla_callback_pending)
        page = self.url_open(response.headers["Location"]).text
        self.assertEqual(self._said(page), ("success", "Your call-back request is registered."))
        self.assertIn('name="sla_callback_pending"', page)
        self.assertIn(self._local(ticket.sla_callback_date, self.owner), page)
        # A second request while the first is pending: refused politely, nothing added.
        again = self._post(url, {"mode": "now"})
        self.assertRefused(
            again,
            400,
            "We already have your call-back request: we will call you as soon as we can, "
            "no need to ask again.",
        )
        self.assertEqual(len(ticket.activity_ids), 1)
        self.assertEqual(ticket.sla_callback_mode, "asap")
        # Once called back, the customer may ask again; requests queue in arrival order.
        activity.action_feedback("Called")
        ticket.invalidate_recordset()
        self.assertFalse(ticket.sla_callback_pending)
        second = self._make_ticket(self.tokyo_contact, "Second", "low")
        second.user_id = self.leader
        self.assertEqual(self._post(url, {"mode": "now"}).status_code, 303)
        self._post(f"/my/ticket/{second.id}/callback", {"mode": "asap"})
        queue = self.env["mail.activity"].search(
            [("user_id", "=", self.leader.id), ("activity_type_id.category", "=", "phonecall")]
        )
        self.assertEqual(queue.mapped("res_id"), [ticket.id, second.id])
        self.assertIn("Call me now", queue[0].summary)

    def test_colleague_asks_a_callback_on_the_company_ticket(self):
        self.colleague_contact.phone = "+81 90 5555 0177"
        self._login("sla_colleague")
        response = self._post(f"/my/ticket/{self.owner_ticket.id}/callback", {"mode": "now"})
        self.assertEqual(response.status_code, 303)
        ticket = self.owner_ticket
        ticket.invalidate_recordset()
        self.assertEqual(ticket.sla_callback_mode, "now")
        # The colleague who asks is called back, on their own number.
        self.assertIn("+81 90 5555 0177", ticket.sla_callback_activity_id.summary)

    def test_callback_only_with_phone_in_the_tier(self):
        self._login("sla_other")  # Basic: web and e-mail only
        page = self.url_open(f"/my/ticket/{self.other_ticket.id}").text
        self.assertNotIn('value="asap"', page)
        self.assertIn("Devis illisibles", page)  # the ticket page, which offers no call-back
        response = self._post(f"/my/ticket/{self.other_ticket.id}/callback", {"mode": "asap"})
        self.assertRefused(
            response, 400, "Call-back is not included in the support plan of this ticket."
        )
        self.assertFalse(self.other_ticket.sla_callback_mode)

    def test_bad_callbacks(self):
        url = f"/my/ticket/{self.owner_ticket.id}/callback"
        self._login("sla_owner")
        for mode in ("later", ""):
            response = self._post(url, {"mode": mode})
            self.assertRefused(response, 400, "Choose whether we call you now or when we can.")
        self.tokyo_contact.phone = False
        self.tokyo.phone = False
        response = self._post(url, {"mode": "asap"})
        self.assertRefused(
            response, 400, "Add a phone number to your account so that we can call you back."
        )
        self.assertFalse(self.owner_ticket.activity_ids)
        self._login("sla_other")
        self.assertEqual(self._post(url, {"mode": "asap"}).status_code, 404)
        self.logout()
        self.assertRedirectsToLogin(self._post(url, {"mode": "asap"}))
        self.assertFalse(self.owner_ticket.sla_callback_mode)


class TestPortalClose(PortalCase):
    """helpdesk_mgmt's /ticket/close, closed to attackers."""

    def _close(self, ticket, stage, token=True, **extra):
        data = {"ticket_id": ticket.id, "stage_id": stage.id, **extra}
        return self._post("/ticket/close", data, token=token)

    def test_owner_closes_with_post_and_token(self):
        self.stage_done.close_from_portal = True
        self._login("sla_owner")
        page = self.url_open(f"/my/ticket/{self.owner_ticket.id}").text
        form = page.split('action="/ticket/close"')[0].rsplit("<form", 1)[1]
        self.assertIn('method="POST"', form)
        self.assertIn('name="csrf_token"', page.split('action="/ticket/close"')[1][:400])
        response = self._close(self.owner_ticket, self.stage_done)
        self.assertEqual(response.status_code, 302)  # as helpdesk_mgmt answers
        self.assertEqual(self.owner_ticket.stage_id, self.stage_done)
        self.assertTrue(self.owner_ticket.closed_date)
        again = self._close(
            self.owner_ticket, self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        )
        self.assertIn("already closed", self.url_open(again.headers["Location"]).text)
        self.assertEqual(self.owner_ticket.stage_id, self.stage_done)

    def test_colleague_closes_the_company_ticket(self):
        self.stage_done.close_from_portal = True
        self._login("sla_colleague")
        response = self._close(self.owner_ticket, self.stage_done)
        self.assertEqual(response.status_code, 302)  # as helpdesk_mgmt answers
        self.assertTrue(response.headers["Location"].endswith(f"/my/ticket/{self.owner_ticket.id}"))
        self.owner_ticket.invalidate_recordset()
        self.assertEqual(self.owner_ticket.stage_id, self.stage_done)

    def test_attacks_change_nothing(self):
        self.stage_done.close_from_portal = True
        self.stage_waiting.close_from_portal = False
        self._login("sla_other")
        # Another company's ticket.
        self.assertEqual(self._close(self.owner_ticket, self.stage_done).status_code, 404)
        # A GET, as helpdesk_mgmt's form sent it.
        get = self.url_open(
            f"/ticket/close?ticket_id={self.other_ticket.id}&stage_id={self.stage_done.id}",
            allow_redirects=False,
        )
        self.assertEqual(get.status_code, 405)
        # A POST without the CSRF token.
        with self.assertLogs("odoo.http", "WARNING"):
            self.assertEqual(
                self._close(self.other_ticket, self.stage_done, token=False).status_code, 400
            )
        # A stage that does not allow closing from the portal.
        response = self._close(self.other_ticket, self.stage_waiting)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.headers["Location"].endswith(f"/my/ticket/{self.other_ticket.id}"))
        page = self.url_open(response.headers["Location"]).text
        self.assertIn("cannot be closed in that stage", page)
        self.assertNotIn("cannot be closed", self.url_open(response.headers["Location"]).text)
        # Ids that are not numbers.
        response = self._post("/ticket/close", {"ticket_id": "1 OR 1=1", "stage_id": "x"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.owner_ticket.stage_id, self.stage_new)
        self.assertEqual(self.other_ticket.stage_id, self.stage_new)
        self.logout()
        self.assertRedirectsToLogin(self._close(self.owner_ticket, self.stage_done))
        self.assertEqual(self.owner_ticket.stage_id, self.stage_new)


class TestPortalTour(PortalCase):
    def test_portal_customer_tour(self):
        """Preview, submit, deadline, override, call-back, in a real browser."""
        self.env.company.support_portal_team_id = self.team
        self.start_tour("/new/ticket", "support_sla_portal_tour", login="sla_owner")
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "No backup since Monday")])
        self.assertEqual(
            (ticket.impact, ticket.urgency, ticket.matrix_priority, ticket.priority),
            ("high", "high", "3", "2"),
        )
        self.assertTrue(ticket.priority_overridden)
        self.assertIn("workaround", ticket.priority_override_reason)
        self.assertEqual(ticket.sla_callback_mode, "asap")
        # The company's portal team receives it: its leader takes the call-back.
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.sla_callback_activity_id.user_id, self.leader)


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
