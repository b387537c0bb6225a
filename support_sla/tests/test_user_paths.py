"""What agents and customers met on their main paths, in English and French (issue 13)."""

import re
from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.tests import TransactionCase, freeze_time, new_test_user, tagged
from odoo.tools import format_datetime

from ..controllers.display import ticket_sla
from ..tools.display import local_text
from .common import SlaCase
from .common_portal import PortalCase

NEW_YORK = "America/New_York"
TOKYO = "Asia/Tokyo"
SECONDS = re.compile(r"\d{1,2}:\d{2}:\d{2}")


class FrenchMixin:
    """French active, with the terms of the addon and of what it shows with."""

    @classmethod
    def _load_french(cls):
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["helpdesk_mgmt", "portal", "support_sla"], ["fr_FR"]
        )


class TestAgentPriority(FrenchMixin, SlaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_french()

    def test_stars_are_read_only_outside_the_form(self):
        Ticket = self.env["helpdesk.ticket"]
        for view_type, path in (("list", "//list/field"), ("kanban", "//t[@t-name='card']//field")):
            arch = etree.fromstring(Ticket.get_view(view_type=view_type)["arch"])
            stars = arch.xpath(f"{path}[@name='priority'][@widget='priority']")
            self.assertTrue(stars, view_type)
            self.assertEqual({star.get("readonly") for star in stars}, {"1"}, view_type)
        form = etree.fromstring(Ticket.get_view(view_type="form")["arch"])
        reason = form.xpath("//field[@name='priority_override_reason']")[0]
        self.assertIn("Visible to the customer", reason.get("placeholder"))

    def test_reason_without_one_is_in_the_customers_language(self):
        """A French agent overrides by RPC: the English customer reads English, the
        French one French."""
        agent = new_test_user(
            self.env, "sla_agent_fr", groups="helpdesk_mgmt.group_helpdesk_user", lang="fr_FR"
        )
        self.paris_contact.lang = "fr_FR"
        english = self._ticket(self.ny_contact, impact="low", urgency="low")
        french = self._ticket(self.paris_contact, impact="low", urgency="low")
        # Written as a French agent (RPC): no reason given.
        (english | french).with_context(lang=agent.lang).write({"priority": "3"})
        self.assertTrue(english.priority_overridden and french.priority_overridden)
        self.assertEqual(english.priority_override_reason, "Priority set by hand")
        self.assertEqual(french.priority_override_reason, "Priorité définie manuellement")
        english_only = self._ticket(self.ny_contact, impact="low", urgency="low")
        english_only.with_context(lang=agent.lang).write({"priority": "2"})
        self.assertEqual(english_only.priority_override_reason, "Priority set by hand")

    def test_chatter_tracks_the_priority_as_p1_to_p4(self):
        ticket = self._ticket(self.ny_contact, impact="medium", urgency="high")  # P2
        self._end_request()
        ticket.write({"priority": "3", "priority_override_reason": "Line stopped"})
        self._end_request()
        tracked = ticket.message_ids.tracking_value_ids.filtered(
            lambda v: v.field_id.name == "priority"
        )
        self.assertEqual((tracked.old_value_char, tracked.new_value_char), ("P2", "P1"))
        labels = dict(
            ticket.with_context(lang="fr_FR").fields_get(["priority"])["priority"]["selection"]
        )
        self.assertEqual(labels, {"0": "P4", "1": "P3", "2": "P2", "3": "P1"})


class TestAgentDisplay(SlaCase):
    def test_list_deadlines_to_the_minute_with_short_distinct_headers(self):
        arch = etree.fromstring(self.env["helpdesk.ticket"].get_view(view_type="list")["arch"])
        headers = {}
        for name in ("sla_response_deadline", "sla_resolve_deadline"):
            node = arch.xpath(f"//field[@name='{name}']")[0]
            self.assertIn("'show_seconds': False", node.get("options"), name)
            self.assertIn("(your time)", node.get("string"))
            headers[name] = node.get("string")
        for name in ("sla_response_deadline_customer", "sla_resolve_deadline_customer"):
            headers[name] = arch.xpath(f"//field[@name='{name}']/@string")[0]
            self.assertIn("(customer time)", headers[name])
        self.assertEqual(len(set(headers.values())), 4)

    def test_paused_time_counts_the_wait_going_on(self):
        """Premium is 24x7: 22 minutes of waiting are 22 business minutes, said as such."""
        with freeze_time(self.local(TOKYO, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.tokyo_contact, impact="medium", urgency="medium")
            ticket.stage_id = self.stage_waiting
        with freeze_time(self.local(TOKYO, 2025, 6, 2, 10, 22)):
            ticket.invalidate_recordset()
            self.assertEqual(ticket.sla_pause_ids.duration_text, "22 min")
            self.assertEqual(ticket.sla_paused_text, "22 min")
        view = self.env["helpdesk.ticket"].get_view(view_type="form")["arch"]
        self.assertIn('name="sla_paused_text"', view)

    def test_expired_contract_reads_as_such_in_the_list(self):
        customer, contact = self._customer("Former Customer", "Europe/Paris")
        contract = self._entitlement(
            customer, self.standard, date_start="2024-01-01", date_end="2024-12-31"
        )
        with freeze_time("2025-01-06 09:00:00"):
            contract._cron_update_states()
            ticket = self._ticket(contact)
            self.assertEqual(ticket.sla_state, "contract_expired")
            self.assertIn("expired", ticket.sla_note)
            nobody = self._customer("Nobody", "Europe/Paris")[1]
            self.assertEqual(self._ticket(nobody).sla_state, "no_contract")

    def test_overdue_at_the_deadline_agrees_with_the_state(self):
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact)  # P1: 1 h
        for moment in (
            self.local(NEW_YORK, 2025, 6, 2, 11, 0),
            self.local(NEW_YORK, 2025, 6, 2, 11, 0) + timedelta(seconds=10),
        ):
            with freeze_time(moment):
                ticket.invalidate_recordset()
                self.assertEqual(ticket.sla_response_left, "overdue by 1 min")
                portal = ticket_sla(self.env, ticket)["response"]
                self.assertEqual(
                    (portal["status"], portal["status_label"], portal["left"]),
                    ("breached", "Breached", "overdue by 1 min"),
                )
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 59, 30)):
            ticket.invalidate_recordset()
            portal = ticket_sla(self.env, ticket)["response"]
            self.assertEqual((portal["status"], portal["left"]), ("running", "1 min left"))

    def test_cancelling_a_contract_asks_with_clear_buttons(self):
        action = self.ny_contract.action_ask_cancel()
        self.assertEqual(action["res_model"], "support.entitlement.cancel")
        self.assertEqual(self.ny_contract.state, "active")  # asking changes nothing
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create({})
        wizard.action_confirm()
        self.assertEqual(self.ny_contract.state, "cancelled")
        arch = self.env["support.entitlement.cancel"].get_view(view_type="form")["arch"]
        self.assertIn('string="Cancel contract"', arch)
        self.assertIn('string="Keep it"', arch)
        form = self.env["support.entitlement"].get_view(view_type="form")["arch"]
        self.assertIn('name="action_ask_cancel"', form)


class TestCallback(SlaCase):
    def test_call_me_now_from_tokyo_is_due_today_for_an_agent_in_utc(self):
        agent = new_test_user(
            self.env, "sla_agent_utc", groups="helpdesk_mgmt.group_helpdesk_user", tz="UTC"
        )
        self.tokyo_contact.phone = "+81 90 5555 0176"
        customer = self._new_portal_user("sla_tokyo_portal", self.tokyo_contact, tz=TOKYO)
        # Monday 23:30 in UTC is already Tuesday 08:30 in Tokyo.
        with freeze_time("2025-06-02 23:30:00"):
            ticket = self._ticket(self.tokyo_contact, user_id=agent.id)
            ticket.with_user(customer).with_context(tz=TOKYO).sudo()._sla_request_callback("now")
        activity = ticket.sla_callback_activity_id
        self.assertEqual(activity.user_id, agent)
        self.assertEqual(activity.date_deadline, fields.Date.to_date("2025-06-02"))


class TestTrialContract(SlaCase):
    def test_a_trial_reads_as_a_trial_to_its_end(self):
        today = fields.Date.today()
        trial = self._entitlement(
            self._customer("Evaluator", NEW_YORK)[0],
            self.standard,
            state="trial",
            trial_tier_id=self.premium.id,
            date_start=today - timedelta(days=9),
            date_end=today + timedelta(days=21),
            notice_days=60,
        )
        self.assertEqual(trial.customer_state, "trial")
        trial.write({"state": "active", "date_end": today + timedelta(days=21)})
        self.assertEqual(trial.customer_state, "expiring")  # an active one in its notice


@tagged("post_install", "-at_install")
class TestPortalUserPaths(FrenchMixin, PortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_french()
        cls.french_contact = cls.env["res.partner"].create(
            {
                "name": "Camille Dupont",
                "parent_id": cls.paris.id,
                "tz": "Europe/Paris",
                "lang": "fr_FR",
                "email": "camille@dupont.example.com",
            }
        )
        cls.french = cls._new_portal_user(
            "sla_french", cls.french_contact, tz="Europe/Paris", lang="fr_FR"
        )

    def test_french_customer_reads_statuses_in_french(self):
        ticket = self._make_ticket(self.french_contact, "Devis vides", "high")
        self._login("sla_french")
        page = self.url_open(f"/my/ticket/{ticket.id}").text
        self.assertIn("En cours", page)
        self.assertNotIn(">Running<", page)
        self.assertIn("En cours", self.url_open("/my/tickets").text)
        form = self.url_open("/new/ticket").text
        self.assertIn('data-lang="fr-FR"', form)

    def test_list_sorts_by_next_deadline_by_default(self):
        urgent = self._make_ticket(self.tokyo_contact, "Urgent first", "high")
        later = self._make_ticket(self.tokyo_contact, "Created later", "low")
        self.assertLess(urgent.sla_next_deadline, later.sla_next_deadline)
        self._login("sla_owner")
        page = self.url_open("/my/tickets").text
        self.assertLess(page.index("Urgent first"), page.index("Created later"))

    def test_portal_dates_have_no_seconds(self):
        self._login("sla_owner")
        deadline = self.owner_ticket.sla_response_deadline
        env = self.env(user=self.owner, context={"lang": "en_US"})
        page = self.url_open(f"/my/ticket/{self.owner_ticket.id}").text
        self.assertIn(local_text(env, deadline, TOKYO), page)
        self.assertNotIn(format_datetime(env, deadline, tz=TOKYO, dt_format="medium"), page)
        created = re.search(r"Create Date:</strong>\s*<span[^>]*>([^<]*)<", page).group(1)
        self.assertRegex(created, r"\d{1,2}:\d{2}")
        self.assertNotRegex(created, SECONDS)
        cells = re.findall(
            r'name="td_sla_response_deadline">([^<]*)<', self.url_open("/my/tickets").text
        )
        self.assertTrue(cells)
        self.assertFalse([cell for cell in cells if SECONDS.search(cell)])
        listing = self.url_open("/my/tickets").text.split("<tbody")[1].split("</tbody>")[0]
        self.assertFalse(SECONDS.findall(listing))

    def test_portal_tickets_get_the_companys_portal_team(self):
        self._login("sla_owner")
        self._post("/submitted/ticket", {"subject": "First team", "description": "x"})
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "First team")])
        self.assertEqual(len(ticket), 1)
        first = self.env["helpdesk.ticket.team"].search(
            [("company_id", "in", [ticket.company_id.id, False])], limit=1
        )
        self.assertTrue(first)
        self.assertEqual(ticket.team_id, first)
        self.env.company.support_portal_team_id = self.team
        self._post("/submitted/ticket", {"subject": "Chosen team", "description": "x"})
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "Chosen team")])
        self.assertEqual(ticket.team_id, self.team)
        self.assertTrue(ticket.stage_id)

    def test_trial_page_says_it_ends(self):
        self._login("sla_owner")
        url = f"/my/entitlement/{self.tokyo_contract.id}"
        page = self.url_open(url).text
        self.assertIn(self.tokyo_contract.name, page)  # an active contract: not a trial
        self.assertNotIn('data-state="trial"', page)
        self.assertNotIn("does not renew", page)
        today = fields.Date.today()
        self.tokyo_contract.write(
            {
                "state": "trial",
                "trial_tier_id": self.premium.id,
                "tier_id": self.standard.id,
                "date_end": today + timedelta(days=21),
                "notice_days": 60,
            }
        )
        page = self.url_open(url).text
        self.assertIn('data-state="trial"', page)
        self.assertNotIn("afterwards", page)
        self.assertIn("does not renew", page)

    def test_french_customer_new_ticket_tour(self):
        self.start_tour("/new/ticket", "support_sla_portal_fr_tour", login="sla_french")
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "Devis vides depuis ce matin")])
        self.assertEqual(ticket.priority, "3")


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The demo agrees with itself (when installed with it)."""

    def setUp(self):
        super().setUp()
        if not self.env.ref("support_sla.entitlement_atelier_marchand", False):
            self.skipTest("installed without demo data")

    def test_contract_hours_agree_with_the_services_described(self):
        hours = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
        compared = self.env["support.entitlement"]
        for contract in self.env["support.entitlement"].search([]):
            tier = contract.effective_tier_id
            described = hours.findall(re.sub("<[^>]+>", "", tier.description or ""))
            calendar = contract._sla_coverage_calendar()[0]
            if not described or not calendar:
                continue
            windows = {(int(a.hour_from), int(a.hour_to)) for a in calendar.attendance_ids}
            said = {(int(h1), int(h2)) for h1, _m1, h2, _m2 in described}
            self.assertEqual(windows, said, f"{contract.name}: {calendar.name} vs {tier.name}")
            compared |= contract
        self.assertTrue(compared, "no demo contract has described hours to compare")

    def test_nothing_is_assigned_to_odoobot(self):
        root = self.env.ref("base.user_root")
        tickets = self.env["helpdesk.ticket"].search([("user_id", "=", root.id)])
        self.assertFalse(tickets.mapped("number"))
        teams = self.env["helpdesk.ticket.team"].search([("user_ids", "in", root.ids)])
        self.assertFalse(teams.mapped("name"))
        # The same searches find the people the demo does assign.
        self.assertTrue(self.env["helpdesk.ticket"].search_count([("user_id", "!=", False)]))
        self.assertTrue(self.env["helpdesk.ticket.team"].search_count([("user_ids", "!=", False)]))
