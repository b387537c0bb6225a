from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.support_sla.tests.common_portal import said_outcome

from .common import EscalationMixin

ESCALATED = "Your escalation request is recorded: our Level 2 team takes the ticket over."
ACCEPTED = "Thank you: you accepted the billable Level 2 work."


@tagged("post_install", "-at_install")
class TestPortalEscalation(HttpCase, EscalationMixin):
    """The customer's Level 2 actions on the portal ticket page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_levels()
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create({"name": "Fromagerie Alpine", "is_company": True})
        cls.rival = Partner.create({"name": "Rival Corp", "is_company": True})
        cls.owner = cls._portal_user("alpine_owner", cls.customer)
        cls.colleague = cls._portal_user("alpine_colleague", cls.customer)
        cls.stranger = cls._portal_user("rival_user", cls.rival)
        cls.follower = cls._portal_user("rival_follower", cls.rival)

    @classmethod
    def _portal_user(cls, login, company):
        user = new_test_user(cls.env, login=login, password=login, groups="base.group_portal")
        user.partner_id.parent_id = company
        return user

    def _ticket(self, **values):
        return self.env["helpdesk.ticket"].create(
            {
                "name": "Cheese cave sensors offline",
                "description": "Since this morning",
                "partner_id": self.owner.partner_id.id,
                "team_id": self.team_l1.id,
                **values,
            }
        )

    def _page(self, ticket):
        page = self.url_open(f"/my/ticket/{ticket.id}").text
        self.assertIn(ticket.name, page)  # the ticket page, not an error or a login page
        return page

    def _follow(self, response):
        """The page a 303 redirects to, as the browser shows it."""
        self.assertEqual(response.status_code, 303)
        return self.url_open(response.headers["Location"]).text

    def assertDone(self, response, ticket, text):
        """Redirected to the ticket page, which says ``text`` once."""
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith(f"/my/ticket/{ticket.id}"))
        self.assertEqual(said_outcome(self._follow(response)), ("success", text))
        self.assertIsNone(said_outcome(self._page(ticket)))

    def assertRefused(self, response, status, text):
        """The ticket page again, with why in the same outcome block."""
        self.assertEqual(response.status_code, status)
        self.assertEqual(said_outcome(response.text), ("danger", text))

    def assertToLogin(self, response):
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def _post(self, user, url, **data):
        if user:
            self.authenticate(user.login, user.login)
        else:
            self.authenticate(None, None)
        response = self.url_open(
            url, data={**data, "csrf_token": http.Request.csrf_token(self)}, allow_redirects=False
        )
        self.env.invalidate_all()
        return response

    def test_owner_requests_an_escalation(self):
        ticket = self._ticket()
        response = self._post(
            self.owner, f"/my/ticket/{ticket.id}/escalate", reason="critical", note="Cave warms up"
        )
        self.assertEqual(ticket.support_level, "l2")
        # The page says it once: a reload says nothing more.
        self.assertDone(response, ticket, ESCALATED)
        self.assertRecordValues(
            ticket.escalation_ids,
            [
                {
                    "origin": "customer",
                    "reason_id": self.reasons["critical"].id,
                    "user_id": self.owner.id,
                    "note": "Cave warms up",
                }
            ],
        )
        message = self._supervisor_notified(ticket)
        self.assertTrue(message)
        self.assertEqual(message.author_id, self.owner.partner_id)
        # A second request is refused, and nothing more is written.
        response = self._post(self.owner, f"/my/ticket/{ticket.id}/escalate", reason="critical")
        self.assertRefused(
            response,
            400,
            "You already asked to escalate this ticket: your request is being handled.",
        )
        self.assertEqual(len(ticket.escalation_ids), 1)

    def test_customer_reads_the_customer_wording_of_the_reasons(self):
        ticket = self._ticket()
        self.authenticate(self.owner.login, self.owner.login)
        page = self.url_open(f"/my/ticket/{ticket.id}").text
        self.assertIn("Not satisfied with the support received", page)
        self.assertNotIn("Customer dissatisfied", page)
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["support_sla_escalation"], ["fr_FR"])
        page = self.url_open(f"/fr/my/ticket/{ticket.id}").text
        self.assertIn("Pas satisfait du support reçu", page)
        self.assertNotIn("Client insatisfait", page)

    def test_colleague_of_the_same_customer_may_escalate_and_answer(self):
        ticket = self._ticket()
        response = self._post(
            self.colleague, f"/my/ticket/{ticket.id}/escalate", reason="dissatisfied"
        )
        self.assertDone(response, ticket, ESCALATED)
        self.assertRecordValues(
            ticket.escalation_ids,
            [{"reason_id": self.reasons["dissatisfied"].id, "user_id": self.colleague.id}],
        )
        ticket = self._ticket(name="Billable for a colleague")
        ticket._escalate("l2", self.reasons["customisation"])
        response = self._post(self.colleague, f"/my/ticket/{ticket.id}/billable", accept="1")
        self.assertDone(response, ticket, ACCEPTED)
        self.assertEqual(ticket.billable_accepted, "accepted")

    def test_another_company_and_anonymous_are_refused(self):
        ticket = self._ticket()
        # Another company's ticket does not exist for them (the record rules as that user).
        response = self._post(self.stranger, f"/my/ticket/{ticket.id}/escalate", reason="critical")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(ticket.name, response.text)
        self.assertToLogin(self._post(None, f"/my/ticket/{ticket.id}/escalate", reason="critical"))
        self.assertFalse(ticket.escalation_ids)
        self.assertEqual(ticket.support_level, "l1")
        ticket._escalate("l2", self.reasons["customisation"])
        response = self._post(self.stranger, f"/my/ticket/{ticket.id}/billable", accept="1")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(ticket.name, response.text)
        self.assertToLogin(self._post(None, f"/my/ticket/{ticket.id}/billable", accept="1"))
        self.assertEqual(ticket.billable_accepted, "pending")
        self.assertEqual(len(ticket.escalation_ids), 1)

    def test_follower_from_another_company_reads_but_may_not_act(self):
        ticket = self._ticket()
        ticket.message_subscribe(partner_ids=self.follower.partner_id.ids)
        refusal = "Only the contacts of its customer, Fromagerie Alpine, may act on this ticket."
        response = self._post(self.follower, f"/my/ticket/{ticket.id}/escalate", reason="critical")
        self.assertRefused(response, 403, refusal)
        self.assertFalse(ticket.escalation_ids)
        self.assertEqual(ticket.support_level, "l1")
        # The page offers the follower nothing it would refuse; the owner gets the form.
        escalate_form = f'action="/my/ticket/{ticket.id}/escalate"'
        self.assertNotIn(escalate_form, self._page(ticket))
        self.authenticate(self.owner.login, self.owner.login)
        self.assertIn(escalate_form, self._page(ticket))
        ticket._escalate("l2", self.reasons["customisation"])
        response = self._post(self.follower, f"/my/ticket/{ticket.id}/billable", accept="1")
        self.assertRefused(response, 403, refusal)
        self.assertEqual(ticket.billable_accepted, "pending")
        # Reading stays helpdesk_mgmt's rule: the follower reads the explanation, with
        # no answer buttons.
        billable_form = f'action="/my/ticket/{ticket.id}/billable"'
        page = self._page(ticket)
        self.assertIn("customised for you", page)
        self.assertNotIn(billable_form, page)
        self.authenticate(self.owner.login, self.owner.login)
        self.assertIn(billable_form, self._page(ticket))

    def test_closed_ticket_and_bad_reason_are_refused(self):
        ticket = self._ticket()
        response = self._post(self.owner, f"/my/ticket/{ticket.id}/escalate", reason="whim")
        self.assertRefused(response, 400, "Choose why you ask for an escalation.")
        ticket.stage_id = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        response = self._post(self.owner, f"/my/ticket/{ticket.id}/escalate", reason="critical")
        self.assertRefused(response, 400, "This ticket is closed: it cannot be escalated.")
        self.assertFalse(ticket.escalation_ids)
        self.assertEqual(ticket.support_level, "l1")

    def test_customer_reads_why_it_is_billable_and_answers(self):
        ticket = self._ticket()
        ticket._escalate("l2", self.reasons["customisation"])
        self.authenticate(self.owner.login, self.owner.login)
        page = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertIn("This Level 2 work is billable", page.text)
        self.assertIn("customised for you", page.text)
        response = self._post(self.owner, f"/my/ticket/{ticket.id}/billable", accept="1")
        self.assertEqual(ticket.billable_accepted, "accepted")
        self.assertDone(response, ticket, ACCEPTED)
        response = self._post(self.owner, f"/my/ticket/{ticket.id}/billable", accept="0")
        self.assertRefused(response, 400, "You already answered for this ticket.")
        self.assertEqual(ticket.billable_accepted, "accepted")

    def test_other_company_cannot_read_the_explanation(self):
        ticket = self._ticket()
        ticket._escalate("l2", self.reasons["customisation"])
        self.authenticate(self.owner.login, self.owner.login)
        self.assertIn("customised for you", self._page(ticket))
        self.authenticate(self.stranger.login, self.stranger.login)
        response = self.url_open(f"/my/ticket/{ticket.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my"))
        page = self.url_open(response.headers["Location"]).text
        self.assertNotIn("customised for you", page)
        self.assertNotIn(ticket.name, page)

    def test_decline_is_recorded(self):
        ticket = self._ticket()
        ticket._escalate("l2", self.reasons["training"])
        response = self._post(self.owner, f"/my/ticket/{ticket.id}/billable", accept="0")
        self.assertEqual(ticket.billable_accepted, "declined")
        self.assertDone(
            response, ticket, "You declined the billable Level 2 work: we will contact you."
        )

    def test_messages_come_only_from_what_was_done(self):
        """A crafted URL says nothing; a refused answer says why and writes nothing."""
        ticket = self._ticket()
        self.authenticate(self.owner.login, self.owner.login)
        for query in ("support_message=declined", "support_message=escalated", "sla_done=priority"):
            page = self.url_open(f"/my/ticket/{ticket.id}?{query}").text
            self.assertIn(ticket.name, page, query)  # the ticket page itself
            self.assertNotIn("You declined", page, query)
            self.assertNotIn("Your escalation request is recorded", page, query)
            self.assertNotIn("The priority is changed", page, query)
            self.assertIsNone(said_outcome(page), query)
        response = self._post(self.owner, f"/my/ticket/{ticket.id}/billable", accept="0")
        self.assertRefused(
            response, 400, "This ticket is not billable: there is nothing to accept."
        )
        self.assertNotIn("You declined", response.text)
        self.assertFalse(ticket.billable_accepted)
        ticket._escalate("l2", self.reasons["training"])
        response = self._post(self.owner, f"/my/ticket/{ticket.id}/billable", accept="maybe")
        self.assertRefused(response, 400, "Your request could not be understood.")
        self.assertEqual(ticket.billable_accepted, "pending")

    def test_outcome_is_said_on_its_own_ticket_only(self):
        first, second = self._ticket(), self._ticket(name="Second ticket")
        response = self._post(self.owner, f"/my/ticket/{first.id}/escalate", reason="critical")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(first.support_level, "l2")
        # _page proves each is its ticket page: the outcome is said on neither.
        self.assertNotIn("Your escalation request is recorded", self._page(second))
        self.assertNotIn("Your escalation request is recorded", self._page(first))


@tagged("post_install", "-at_install")
class TestEscalationTours(HttpCase, EscalationMixin):
    """The agent's and the customer's escalation paths in a browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_levels()
        customer = cls.env["res.partner"].create({"name": "Fromagerie Alpine", "is_company": True})
        cls.owner = new_test_user(
            cls.env, login="alpine_tour", password="alpine_tour", groups="base.group_portal"
        )
        cls.owner.partner_id.parent_id = customer

    def _ticket(self):
        return self.env["helpdesk.ticket"].create(
            {
                "name": "Cheese cave sensors offline",
                "description": "Since this morning",
                "partner_id": self.owner.partner_id.id,
                "team_id": self.team_l1.id,
                "user_id": self.agent.id,
            }
        )

    def test_agent_escalates_with_the_wizard(self):
        ticket = self._ticket()
        self.start_tour(
            f"/odoo/helpdesk.ticket/{ticket.id}",
            "support_sla_escalation_agent",
            login=self.agent.login,
        )
        # Escalated, then back to Level 1 with a de-escalation reason, to its team.
        self.assertEqual(ticket.support_level, "l1")
        self.assertEqual(ticket.team_id, self.team_l1)
        self.assertRecordValues(
            ticket.escalation_ids.sorted("id"),
            [
                {
                    "to_level": "l2",
                    "origin": "agent",
                    "user_id": self.agent.id,
                    "reason_id": self.reasons["feature"].id,
                    "note": "Needs a new export format",
                },
                {
                    "to_level": "l1",
                    "origin": "agent",
                    "user_id": self.agent.id,
                    "reason_id": self.reasons["wrong_level"].id,
                    "note": "Settings fixed, nothing left for Level 2",
                },
            ],
        )

    def test_customer_escalates_from_the_portal(self):
        ticket = self._ticket()
        self.start_tour(
            f"/my/ticket/{ticket.id}", "support_sla_escalation_portal", login="alpine_tour"
        )
        self.assertRecordValues(
            ticket.escalation_ids,
            [{"origin": "customer", "reason_id": self.reasons["critical"].id}],
        )
