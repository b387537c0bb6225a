"""Integrity of the escalation history and of billing: nobody forges a row, types a
billable decision, reads another team's escalations or bills across companies."""

from datetime import datetime

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import EscalationCase, EscalationPortalCase


@tagged("post_install", "-at_install")
class TestEscalationHistoryIntegrity(EscalationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.personal_agent = new_test_user(
            cls.env, "esc_personal", groups="helpdesk_mgmt.group_helpdesk_user_own"
        )
        cls.plain_agent = new_test_user(
            cls.env, "esc_plain", groups="helpdesk_mgmt.group_helpdesk_user"
        )

    def test_nobody_creates_history_rows(self):
        ticket = self._l1_ticket()
        forged = {
            "ticket_id": ticket.id,
            "from_level": "l1",
            "to_level": "l2",
            "reason_id": self.reasons["customisation"].id,
            "origin": "customer",
            "user_id": self.manager.id,
            "date": "2020-01-01 00:00:00",
        }
        for user in (self.personal_agent, self.agent, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["support.escalation"].with_user(user).create(forged)
        # Not even with the machinery's context key sent over RPC.
        with self.assertRaises(AccessError):
            self.env["support.escalation"].with_user(self.manager).with_context(
                support_escalation_internal=True
            ).create(forged)
        self.assertFalse(ticket.escalation_ids)
        self.assertFalse(ticket.billable)

    def test_escalate_writes_who_and_when_itself(self):
        ticket = self._l1_ticket()
        before = fields.Datetime.now()
        rows = ticket.with_user(self.agent)._escalate("l2", self.reasons["feature"])
        self.assertEqual(rows.user_id, self.agent)
        self.assertEqual(rows.origin, "agent")
        self.assertGreaterEqual(rows.date, before.replace(microsecond=0))

    def test_escalate_checks_the_callers_right_on_the_ticket(self):
        ticket = self._l1_ticket(user_id=self.manager.id)
        with self.assertRaises(AccessError):
            ticket.with_user(self.personal_agent)._escalate("l2", self.reasons["feature"])
        self.assertFalse(ticket.escalation_ids)
        # The same call on a ticket of its own escalates it.
        mine = self._l1_ticket(user_id=self.personal_agent.id)
        rows = mine.with_user(self.personal_agent)._escalate("l2", self.reasons["feature"])
        self.assertEqual((rows.ticket_id, rows.user_id), (mine, self.personal_agent))

    def test_personal_agent_reads_only_escalations_of_its_tickets(self):
        mine = self._l1_ticket(user_id=self.personal_agent.id)
        theirs = self._l1_ticket(user_id=self.manager.id)
        (mine | theirs)._escalate("l2", self.reasons["feature"], note="Secret note")
        Escalation = self.env["support.escalation"].with_user(self.personal_agent)
        self.assertEqual(Escalation.search([]).ticket_id, mine)
        with self.assertRaises(AccessError):
            theirs.escalation_ids.with_user(self.personal_agent).read(["note"])
        plain = self.env["support.escalation"].with_user(self.plain_agent)
        self.assertEqual(
            plain.search([("ticket_id", "in", (mine | theirs).ids)]).ticket_id, mine | theirs
        )

    def test_escalating_needs_no_timesheet_rights(self):
        project = self.env["project.project"].create({"name": "Consulting time"})
        self.team_l2.write({"allow_timesheet": True, "default_project_id": project.id})
        ticket = self._l1_ticket()
        wizard = (
            self.env["support.escalate.wizard"]
            .with_user(self.plain_agent)
            .create(
                {
                    "ticket_id": ticket.id,
                    "to_level": "l2",
                    "reason_id": self.reasons["product_defect"].id,
                }
            )
        )
        wizard.action_confirm()
        self.assertEqual(ticket.team_id, self.team_l2)
        self.assertEqual(ticket.project_id, project)
        self.assertEqual(ticket.escalation_ids.user_id, self.plain_agent)

    def test_changing_the_team_needs_no_timesheet_rights(self):
        project = self.env["project.project"].create({"name": "Consulting time"})
        self.team_l2.write({"allow_timesheet": True, "default_project_id": project.id})
        ticket = self._l1_ticket()
        ticket.with_user(self.plain_agent).write({"team_id": self.team_l2.id})
        self.assertEqual(ticket.project_id, project)


@tagged("post_install", "-at_install")
class TestBillableIsAManagersDecision(EscalationCase):
    def test_agent_cannot_type_the_billable_decision(self):
        ticket = self._l1_ticket()
        ticket._escalate("l2", self.reasons["product_defect"])  # not billable
        for vals in (
            {"billable": True, "billable_reason": "Because"},
            {"billable_overridden": True},
            {"billable_reason": "Charged anyway"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                ticket.with_user(self.agent).write(vals)
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent).with_context(support_escalation_internal=True).write(
                {"billable": True}
            )
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent).write({"billable_answer_date": datetime(2020, 1, 1)})
        self.assertRecordValues(
            ticket, [{"billable": False, "billable_overridden": False, "billable_reason": False}]
        )
        ticket.with_user(self.manager).write({"billable": True, "billable_reason": "Custom job"})
        self.assertTrue(ticket.billable)

    def test_agent_cannot_create_a_billable_ticket_or_type_its_level(self):
        Ticket = self.env["helpdesk.ticket"].with_user(self.agent)
        values = {
            "name": "Report",
            "description": "The monthly report is empty",
            "partner_id": self.paris_contact.id,
            "team_id": self.team_l1.id,
        }
        for vals in (
            {"billable": True, "billable_reason": "Because"},
            {"billable_overridden": True},
            {"billable_answer_date": datetime(2020, 1, 1)},
            {"support_level": "l2"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                Ticket.create({**values, **vals})
        # The agent's form sends the empty values of these fields: a ticket is created.
        with Form(Ticket) as form:
            form.name = "Report"
            form.partner_id = self.paris_contact
            form.team_id = self.team_l1
            form.description = "The monthly report is empty"
        self.assertFalse(form.record.billable)
        ticket = Ticket.create(values)
        with self.assertRaisesRegex(AccessError, "level"):
            ticket.write({"support_level": "l2"})
        self.assertEqual(ticket.support_level, "l1")

    def test_agent_records_the_answer_on_the_customers_behalf(self):
        ticket = self._l1_ticket()
        ticket._escalate("l2", self.reasons["customisation"])
        self.assertEqual(ticket.billable_accepted, "pending")
        ticket.with_user(self.agent).write({"billable_accepted": "accepted"})
        self.assertTrue(ticket.billable_answer_date)
        note = ticket.message_ids.filtered(lambda m: "on the customer's behalf" in str(m.body))
        self.assertEqual(len(note), 1)
        self.assertIn(self.agent.name, str(note.body))
        ticket.with_user(self.agent).action_billable_decline()
        self.assertEqual(ticket.billable_accepted, "declined")
        notes = ticket.message_ids.filtered(lambda m: "on the customer's behalf" in str(m.body))
        self.assertEqual(len(notes), 2)


@tagged("post_install", "-at_install")
class TestConsultingOrderCompanies(EscalationCase):
    def test_salesperson_of_another_company_cannot_bill(self):
        company_b, customer_b = self._other_company("Company B")
        contract_b = self._entitlement(customer_b, self.standard, company_id=company_b.id)
        salesperson_a = new_test_user(
            self.env,
            "esc_sales_a",
            groups="sales_team.group_sale_salesman",
            company_id=self.env.company.id,
            company_ids=[(6, 0, self.env.company.ids)],
        )
        orders = self.env["sale.order"].search_count([])
        with self.assertRaisesRegex(AccessError, "company or a customer"):
            contract_b.with_user(salesperson_a).action_create_consulting_order()
        self.assertEqual(self.env["sale.order"].search_count([]), orders)
        self.assertFalse(contract_b.consulting_sale_line_id)


@tagged("post_install", "-at_install")
class TestPortalEscalationAttacks(EscalationPortalCase):
    def test_follower_from_another_company_cannot_act(self):
        ticket = self._ticket()
        ticket.message_subscribe(partner_ids=self.follower.partner_id.ids)
        response = self._post(self.follower, f"/my/ticket/{ticket.id}/escalate", reason="critical")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(ticket.escalation_ids)
        ticket._escalate("l2", self.reasons["customisation"])
        response = self._post(self.follower, f"/my/ticket/{ticket.id}/billable", accept="1")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(ticket.billable_accepted, "pending")
        # Reading stays helpdesk_mgmt's rule.
        self.assertEqual(self.url_open(f"/my/ticket/{ticket.id}").status_code, 200)
        # The same requests from a contact of the customer act.
        response = self._post(self.colleague, f"/my/ticket/{ticket.id}/billable", accept="1")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(ticket.billable_accepted, "accepted")
        other = self._ticket()
        response = self._post(self.colleague, f"/my/ticket/{other.id}/escalate", reason="critical")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(other.escalation_ids.origin, "customer")

    def test_other_methods_never_act(self):
        ticket = self._ticket()
        for method in ("GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"):
            response = self._post(
                self.owner, f"/my/ticket/{ticket.id}/escalate", method=method, reason="critical"
            )
            self.assertIn(response.status_code, (400, 405), method)
        self.assertFalse(ticket.escalation_ids)
        ticket._escalate("l2", self.reasons["customisation"])
        response = self._post(
            self.owner, f"/my/ticket/{ticket.id}/billable", method="OPTIONS", accept="1"
        )
        self.assertEqual(response.status_code, 405)
        self.assertEqual(ticket.billable_accepted, "pending")
        # The same answer by POST is recorded.
        response = self._post(self.owner, f"/my/ticket/{ticket.id}/billable", accept="1")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(ticket.billable_accepted, "accepted")

    @mute_logger("odoo.http")
    def test_bad_notes_answer_4xx_and_write_nothing(self):
        ticket = self._ticket()
        url = f"/my/ticket/{ticket.id}/escalate"
        for note, message in (("bad\x00byte", "not allowed"), ("n" * 2001, "too long")):
            response = self._post(self.owner, url, reason="critical", note=note)
            self.assertEqual(response.status_code, 400)
            self.assertIn(message, response.text)
        self.assertFalse(ticket.escalation_ids)
        # The same request with a plain note escalates.
        response = self._post(self.owner, url, reason="critical", note="n" * 2000)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(ticket.escalation_ids.note, "n" * 2000)
