"""Integrity of the SLA record: nothing computed is typed, hostile links and bad
input change nothing, followers from another company read but do not act; who reads
and edits tiers and contracts."""

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged, users
from odoo.tools import mute_logger

from .common import SlaCase
from .common_portal import PortalCase

# What the SLA machinery computes or records, tested field by field.
SLA_COMPUTED = (
    "sla_start_date",
    "sla_first_response_date",
    "sla_coverage",
    "sla_out_of_entitlement",
    "sla_calendar_id",
    "sla_paused_minutes",
    "sla_response_status",
    "sla_response_deadline",
    "sla_resolve_status",
    "sla_resolve_deadline",
    "sla_response_warning_date",
    "sla_response_warned",
    "sla_resolve_warning_date",
    "sla_resolve_warned",
    "priority_override_user_id",
    "priority_override_date",
    "sla_callback_mode",
    "sla_callback_date",
    "sla_callback_activity_id",
    "tier_id",
    "matrix_priority",
    "sla_tz",
    "sla_tz_assumed",
    "sla_next_deadline",
    "sla_next_warning_date",
    "sla_response_business_minutes",
    "sla_resolve_business_minutes",
    "sla_response_compliance",
    "sla_opened_by_email",
    "sla_ack_pending",
)
# What a user types on a ticket among its stored ``sla_`` fields: the rest is computed.
SLA_TYPED = ("sla_product", "sla_client_version", "sla_server_version")
# A context key that once marked the machinery's own writes: never a way around the checks.
SLA_INTERNAL = "support_sla_internal"
OTHER_METHODS = ("GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS")
HOSTILE_PHONE = '<a href="https://evil.example/x">call</a><img src="https://evil.example/p.png">'


class TestComputedNeverTyped(SlaCase):
    """SLA clocks, dates and override attribution: written by the machinery only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(
            cls.env, "sla_sec_agent", groups="helpdesk_mgmt.group_helpdesk_user"
        )
        cls.manager = new_test_user(
            cls.env, "sla_sec_manager", groups="helpdesk_mgmt.group_helpdesk_manager"
        )

    def _typed_value(self, name):
        """A plausible value of field ``name``, as an attacker would send it."""
        field = self.env["helpdesk.ticket"]._fields[name]
        return {
            "datetime": fields.Datetime.now(),
            "boolean": True,
            "integer": 5,
            "float": 100.0,
            "many2one": {
                "res.users": self.agent.id,
                "resource.calendar": self.env.company.resource_calendar_id.id,
                "support.tier": self.premium.id,
            }.get(field.comodel_name, False),
            "selection": {
                "sla_coverage": "covered",
                "sla_callback_mode": "asap",
                "matrix_priority": "3",
                "sla_tz": "Pacific/Kiritimati",
            }.get(name, "met"),
        }[field.type]

    def test_agent_cannot_type_any_computed_field(self):
        ticket = self._ticket(self.tokyo_contact)
        before = ticket.read(list(SLA_COMPUTED))[0]
        for name in SLA_COMPUTED:
            with self.subTest(field=name), self.assertRaisesRegex(AccessError, "computed"):
                ticket.with_user(self.agent).write({name: self._typed_value(name)})
        # Not even with the machinery's context key sent over RPC.
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent).with_context(**{SLA_INTERNAL: True}).write(
                {"sla_response_status": "met"}
            )
        ticket.invalidate_recordset()
        self.assertEqual(ticket.read(list(SLA_COMPUTED))[0], before)

    def test_every_stored_sla_result_is_refused_when_typed(self):
        # A new stored field of the machinery must join the list the model refuses.
        Ticket = self.env["helpdesk.ticket"]
        stored = {
            name
            for name, field in Ticket._fields.items()
            if name.startswith("sla_") and field.store and field.column_type
        }
        self.assertIn("sla_response_compliance", stored)
        self.assertEqual(stored - set(SLA_TYPED), set(SLA_COMPUTED) & stored)
        ticket = self._ticket(self.tokyo_contact)
        for name in stored - set(SLA_TYPED):
            with self.subTest(field=name), self.assertRaisesRegex(AccessError, "computed"):
                ticket.with_user(self.agent).write({name: self._typed_value(name)})

    def test_agent_cannot_create_a_ticket_with_results(self):
        for vals in (
            {"sla_response_status": "met"},
            {"sla_start_date": "2020-01-01 00:00:00"},
            {"priority_override_user_id": self.agent.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self.env["helpdesk.ticket"].with_user(self.agent).create(
                    {
                        "name": "Forged",
                        "description": "x",
                        "partner_id": self.tokyo_contact.id,
                        **vals,
                    }
                )

    def test_manager_cannot_move_the_received_date_of_a_ticket(self):
        ticket = self._ticket(self.tokyo_contact)
        with self.assertRaises(AccessError):
            ticket.with_user(self.manager).write({"sla_start_date": "2020-01-01 00:00:00"})

    def test_override_is_attributed_to_its_author(self):
        ticket = self._ticket(self.tokyo_contact, impact="low", urgency="low")
        ticket.with_user(self.agent).write(
            {"priority": "3", "priority_override_reason": "Whole plant stopped"}
        )
        self.assertEqual(ticket.priority_override_user_id, self.agent)
        self.assertTrue(ticket.priority_overridden)
        self.assertEqual(ticket.sla_response_status, "running")

    def test_administrator_imports_historical_tickets(self):
        admin = self.env.ref("base.user_admin")
        result = (
            self.env["helpdesk.ticket"]
            .with_user(admin)
            .with_context(tz="UTC")
            .load(
                ["name", "description", "partner_id/.id", "sla_start_date"],
                [["Old ticket", "From the old tool", self.tokyo_contact.id, "2026-01-05 08:00:00"]],
            )
        )
        self.assertFalse(result["messages"])
        ticket = self.env["helpdesk.ticket"].browse(result["ids"])
        self.assertEqual(ticket.sla_start_date, fields.Datetime.to_datetime("2026-01-05 08:00:00"))
        self.assertLess(ticket.sla_response_deadline, fields.Datetime.now())


class TestDraftContractsInternal(SlaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = cls._new_portal_user("sla_sec_portal", cls.tokyo_contact)

    def test_portal_user_cannot_read_a_draft_contract(self):
        draft = self._entitlement(
            self.tokyo, self.premium, state="draft", date_start="2028-01-01", date_end="2028-12-31"
        )
        Entitlement = self.env["support.entitlement"].with_user(self.portal)
        self.assertEqual(Entitlement.search([]), self.tokyo_contract)
        with self.assertRaises(AccessError):
            draft.with_user(self.portal).read(["name"])
        cancelled = self._entitlement(self.tokyo, self.premium, state="cancelled")
        self.assertIn(cancelled, Entitlement.search([]))

    def test_preview_never_names_a_draft(self):
        self.tokyo_contract.state = "cancelled"
        self.tokyo_contract.flush_recordset()
        draft = self._entitlement(
            self.tokyo, self.premium, state="draft", date_start="2028-01-01", date_end="2028-12-31"
        )
        Ticket = self.env["helpdesk.ticket"].with_user(self.portal).sudo()
        preview = Ticket._sla_preview(
            {"partner_id": self.tokyo_contact.id, "impact": "high", "urgency": "high"}
        )
        self.assertNotIn(draft.name, preview["note"])
        self.assertIn(self.tokyo_contract.name, preview["note"])  # cancelled: said
        # The support team still reads why.
        self.assertIn(draft.name, self._ticket(self.tokyo_contact).sla_note)


class TestAccess(SlaCase):
    """Who reads and edits tiers and contracts, by group and by company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(cls.env, "sla_agent", groups="helpdesk_mgmt.group_helpdesk_user_own")
        new_test_user(cls.env, "sla_manager", groups="helpdesk_mgmt.group_helpdesk_manager")
        # Owner in Paris (Basic), follower in New York (Standard), another company.
        cls.people = cls._setup_portal_people(
            "sla_acc", contact=cls.paris_contact, rival_contact=cls.ny_contact, other_company=True
        )
        cls.other_company = cls.people.other_company
        cls.other_contract = cls._entitlement(
            cls.people.other_customer, cls.standard, company_id=cls.other_company.id
        )

    @users("sla_agent")
    def test_agent_reads_but_does_not_edit(self):
        self.assertIn(self.basic, self.env["support.tier"].search([]))
        contract = self.paris_contract.with_env(self.env)
        self.assertEqual(contract.tier_id.name, "Basic")
        with self.assertRaises(AccessError):
            contract.write({"tier_id": self.premium.id})
        with self.assertRaises(AccessError):
            self.env["support.tier"].create({"name": "Gold", "code": "GOLD"})
        self.assertEqual(contract.tier_id, self.basic)

    @users("sla_agent")
    def test_agent_creates_tickets_with_deadlines(self):
        ticket = self._ticket(self.ny_contact)
        self.assertEqual(ticket.sla_response_status, "running")

    @users("sla_manager")
    def test_manager_edits_configuration(self):
        tier = self.env["support.tier"].create({"name": "Gold", "code": "GOLD"})
        tier.target_ids = [(0, 0, {"priority": "3", "response_minutes": 30})]
        self.assertEqual(tier.target_ids.filtered(lambda t: t.priority == "3").response_minutes, 30)
        self.paris_contract.with_env(self.env).notice_days = 90
        self.assertEqual(self.paris_contract.notice_days, 90)

    @users("sla_acc_owner")
    def test_portal_reads_only_its_own_contracts(self):
        visible = self.env["support.entitlement"].search([])
        self.assertEqual(visible, self.paris_contract)
        # The same search finds each customer's own contract, and only it.
        Entitlement = self.env["support.entitlement"]
        for user, contract in (
            (self.people.colleague, self.paris_contract),
            (self.people.follower, self.ny_contract),
        ):
            self.assertEqual(Entitlement.with_user(user).search([]), contract, user.login)
        with self.assertRaises(AccessError):
            self.ny_contract.with_env(self.env).read(["name"])
        with self.assertRaises(AccessError):
            self.paris_contract.with_env(self.env).write({"notice_days": 1})

    def test_tickets_of_another_company_do_not_use_its_contracts(self):
        self.assertEqual(self._ticket(self.paris_contact).entitlement_id, self.paris_contract)
        self.paris_contract.company_id = self.other_company
        ticket = self._ticket(self.paris_contact)
        self.assertNotEqual(ticket.company_id, self.other_company)
        self.assertFalse(ticket.entitlement_id)
        self.assertEqual(ticket.sla_note, "No support contract")

    @users("sla_manager")
    def test_other_company_is_invisible(self):
        contracts = self.env["support.entitlement"].search([])
        self.assertIn(self.paris_contract, contracts)
        self.assertNotIn(self.other_contract, contracts)
        # The same search finds it once the manager works in that company too.
        self.env.user.sudo().company_ids |= self.other_company
        both = self.env["support.entitlement"].with_context(
            allowed_company_ids=(self.env.company | self.other_company).ids
        )
        self.assertIn(self.other_contract, both.search([]))


@tagged("post_install", "-at_install")
class TestPortalAttacks(PortalCase):
    """Hostile links, foreign followers and bad input: a clear 4xx, nothing written."""

    def _request(self, method, url, data=None):
        return self.opener.request(
            method, self.base_url() + url, data=data, allow_redirects=False, timeout=12
        )

    def _count(self):
        return self.env["helpdesk.ticket"].search_count([])

    def test_submit_only_by_post_with_token(self):
        self._login("sla_owner")
        count = self._count()
        params = {"subject": "Link attack", "description": "P1 now", "impact": "high"}
        get = self.url_open("/submitted/ticket?subject=Link+attack&description=x&impact=high")
        self.assertEqual(get.status_code, 405)
        for method in OTHER_METHODS:
            response = self._request(method, "/submitted/ticket", data=params)
            self.assertIn(response.status_code, (400, 405), method)
        with self.assertLogs("odoo.http", "WARNING"):
            response = self._post("/submitted/ticket", params, token=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self._count(), count)
        # The same request by POST with its token creates the ticket.
        self.assertIn(self._post("/submitted/ticket", params).status_code, (302, 303))
        self.assertEqual(self._count(), count + 1)

    def test_other_methods_never_act(self):
        self.stage_done.close_from_portal = True
        self._login("sla_owner")
        ticket = self.owner_ticket
        for url, data in (
            (f"/my/ticket/{ticket.id}/priority", {"priority": "3", "reason": "Now"}),
            (f"/my/ticket/{ticket.id}/callback", {"mode": "asap"}),
            ("/ticket/close", {"ticket_id": ticket.id, "stage_id": self.stage_done.id}),
        ):
            for method in OTHER_METHODS:
                response = self._request(method, url, data=data)
                self.assertIn(response.status_code, (400, 405), (method, url))
        self.env.invalidate_all()
        self.assertFalse(ticket.priority_overridden)
        self.assertFalse(ticket.sla_callback_mode)
        self.assertEqual(ticket.stage_id, self.stage_new)
        # The same request by POST acts.
        response = self._post(
            f"/my/ticket/{ticket.id}/priority", {"priority": "3", "reason": "Now"}
        )
        self.assertEqual(response.status_code, 303)
        self.env.invalidate_all()
        self.assertTrue(ticket.priority_overridden)

    def test_follower_from_another_company_reads_but_does_not_act(self):
        self.stage_done.close_from_portal = True
        ticket = self.owner_ticket
        ticket.message_subscribe(partner_ids=self.other.partner_id.ids)
        self._login("sla_other")
        self.assertEqual(self.url_open(f"/my/ticket/{ticket.id}").status_code, 200)
        for url, data in (
            (f"/my/ticket/{ticket.id}/priority", {"priority": "3", "reason": "Mine"}),
            (f"/my/ticket/{ticket.id}/callback", {"mode": "asap"}),
        ):
            response = self._post(url, data)
            self.assertEqual(response.status_code, 403, url)
            self.assertIn("contacts of its customer", response.text)
        response = self._post(
            "/ticket/close", {"ticket_id": ticket.id, "stage_id": self.stage_done.id}
        )
        self.assertIn("contacts of its customer", self.url_open(response.headers["Location"]).text)
        self.env.invalidate_all()
        self.assertFalse(ticket.priority_overridden)
        self.assertFalse(ticket.sla_callback_mode)
        self.assertEqual(ticket.stage_id, self.stage_new)
        # The model refuses it too, whatever the path.
        with self.assertRaises(AccessError):
            ticket.with_user(self.other).sudo()._sla_customer_override("3", "Mine")
        # The same requests from a contact of the customer act (the owner: the call-back
        # needs the phone number its contact has).
        self._login("sla_owner")
        response = self._post(f"/my/ticket/{ticket.id}/callback", {"mode": "asap"})
        self.assertEqual(response.status_code, 303)
        response = self._post(
            f"/my/ticket/{ticket.id}/priority", {"priority": "3", "reason": "Ours"}
        )
        self.assertEqual(response.status_code, 303)
        self.env.invalidate_all()
        self.assertTrue(ticket.priority_overridden)
        self.assertEqual(ticket.sla_callback_mode, "asap")

    def test_callback_note_escapes_the_customer_data(self):
        self.tokyo_contact.phone = HOSTILE_PHONE
        self.tokyo_contact.name = 'Kenji <img src="https://evil.example/n.png">'
        self._login("sla_owner")
        response = self._post(f"/my/ticket/{self.owner_ticket.id}/callback", {"mode": "asap"})
        self.assertEqual(response.status_code, 303)
        self.owner_ticket.invalidate_recordset()
        note = str(self.owner_ticket.sla_callback_activity_id.note)
        self.assertNotIn("<img", note)
        self.assertNotIn("<a ", note)
        self.assertIn("&lt;img src=", note)
        self.assertIn("&lt;a href=", note)

    def test_priority_changes_are_rate_limited(self):
        url = f"/my/ticket/{self.owner_ticket.id}/priority"
        self._login("sla_owner")
        for priority in ("3", "2", "3"):
            self.assertEqual(
                self._post(url, {"priority": priority, "reason": "x"}).status_code, 303
            )
        response = self._post(url, {"priority": "2", "reason": "Again"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("try again in a minute", response.text)
        self.env.invalidate_all()
        self.assertEqual(self.owner_ticket.priority, "3")

    @mute_logger("odoo.http")
    def test_bad_submissions_answer_4xx_and_write_nothing(self):
        self._login("sla_owner")
        count = self._count()
        valid = {"subject": "Bad input", "description": "Something"}
        cases = [
            ({}, "Give your request a subject"),
            ({"description": "No subject"}, "Give your request a subject"),
            ({"subject": "No description"}, "Describe your request"),
            ({**valid, "category": "²"}, "Choose the category"),
            ({**valid, "category": "99999999999999999999"}, "Choose the category"),
            ({**valid, "team": "²"}, "Choose the category"),
            ({**valid, "subject": "x" * 201}, "Keep the subject"),
            ({**valid, "sla_product": "y" * 201}, "Keep the product"),
        ]
        for name in ("subject", "description", "sla_product", "sla_client_version",
                     "sla_server_version"):  # fmt: skip
            cases.append(({**valid, name: "bad\x00byte"}, "control characters"))
        for data, message in cases:
            response = self._post("/submitted/ticket", data)
            self.assertEqual(response.status_code, 400, data)
            self.assertIn(message, response.text, data)
            self.assertNotIn("Field: Title", response.text)
        self.assertEqual(self._count(), count)
        # The same form, filled in, creates the ticket.
        self.assertIn(self._post("/submitted/ticket", valid).status_code, (302, 303))
        self.assertEqual(self._count(), count + 1)

    @mute_logger("odoo.http")
    def test_bad_list_parameters_answer_4xx(self):
        self._login("sla_owner")
        for query, message in (
            ("sortby=nonsense", "Sort the tickets"),
            ("groupby=nonsense", "Group the tickets"),
            ("date_begin=garbage&date_end=2026-13-45", "YYYY-MM-DD"),
            ("search=abc%00def", "control characters"),
        ):
            response = self.url_open(f"/my/tickets?{query}")
            self.assertEqual(response.status_code, 400, query)
            self.assertIn(message, response.text, query)
        self.assertEqual(self.url_open("/my/tickets?sortby=priority").status_code, 200)

    @mute_logger("odoo.http")
    def test_bad_actions_answer_4xx_and_write_nothing(self):
        self._login("sla_owner")
        ticket = self.owner_ticket
        url = f"/my/ticket/{ticket.id}/priority"
        for data, message in (
            ({"priority": "3", "reason": "bad\x00byte"}, "not allowed"),
            ({"priority": "3", "reason": "r" * 1001}, "too long"),
        ):
            response = self._post(url, data)
            self.assertEqual(response.status_code, 400, data)
            self.assertIn(message, response.text)
        response = self._post(f"/my/ticket/{ticket.id}/callback", {"mode": "as\x00ap"})
        self.assertEqual(response.status_code, 400)
        huge = "99999999999999999999"
        self.assertEqual(self._post(f"/my/ticket/{huge}/priority", {}).status_code, 404)
        response = self._post("/ticket/close", {"ticket_id": huge, "stage_id": "²"})
        self.assertEqual(response.status_code, 400)
        for url in (f"/my/ticket/{huge}", f"/my/entitlement/{huge}"):
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 303, url)
        self.env.invalidate_all()
        self.assertFalse(ticket.priority_overridden)
        self.assertFalse(ticket.sla_callback_mode)
