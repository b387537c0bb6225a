"""Two agents at the same moment, in two transactions: prepaid hours and escalation."""

from psycopg2.errors import LockNotAvailable

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.support_sla.tests.common_concurrency import TwoTransactionsCase

from .common import EscalationMixin

DAY = "2026-01-12"


@tagged("post_install", "-at_install")
class TestConcurrentLevel2(TwoTransactionsCase, EscalationMixin):
    """A customer with one prepaid hour this month and two billable tickets, and a Level 1
    ticket; an agent and a manager who log time and escalate at once."""

    @classmethod
    def _setup_committed(cls, env):
        cls.env = env  # what EscalationMixin builds with
        company_email = env.company.email
        cls._setup_levels()
        if company_email != env.company.email:
            cls.addClassCleanup(cls._restore_company_email, env.company.id, company_email)
        projects = (cls.team_l2 | cls.team_senior).default_project_id
        cls._forget(projects.account_id)
        cls._forget(projects)
        cls._forget(cls.team_l1 | cls.team_l2 | cls.team_senior)
        users = cls.agent | cls.manager
        cls._forget(users.partner_id)
        cls._forget(users)
        cls._forget("hr.employee", [("user_id", "in", users.ids)])
        customer = env["res.partner"].create({"name": "Concurrent Jura SA", "is_company": True})
        contact = env["res.partner"].create({"name": "Anne Jura", "parent_id": customer.id})
        cls._forget(customer | contact)
        cls.entitlement = env["support.entitlement"].create(
            {
                "partner_id": customer.id,
                "tier_id": env.ref("support_sla.tier_standard").id,
                "date_start": "2026-01-01",
                "date_end": "2027-12-31",
                "state": "active",
                "consulting_hours_per_year": 12,  # one prepaid hour a month
            }
        )
        cls._forget(cls.entitlement)
        on_ticket = [("ticket_id.partner_id", "=", contact.id)]
        cls._forget("helpdesk.ticket", [("partner_id", "=", contact.id)])
        cls._forget("support.escalation", on_ticket)
        cls._forget("account.analytic.line", on_ticket)
        tickets = env["helpdesk.ticket"].create(
            [
                {"name": name, "description": name, "partner_id": contact.id,
                 "team_id": cls.team_l1.id}
                for name in ("Export to CSV", "Import from XML", "Printer offline")
            ]
        )  # fmt: skip
        cls.ticket_a, cls.ticket_b, cls.ticket_l1 = tickets
        (cls.ticket_a | cls.ticket_b)._escalate("l2", cls.reasons["feature"])
        del cls.env  # its cursor ends here: each test opens its own

    @classmethod
    def _restore_company_email(cls, company_id, email):
        with cls._transaction() as env:
            env["res.company"].browse(company_id).email = email

    def setUp(self):
        super().setUp()
        # After the test's own transactions are closed (cleanups run newest first).
        self.addCleanup(self._delete_time)

    def _delete_time(self):
        with self._transaction() as env:
            env["account.analytic.line"].search(
                [("ticket_id", "in", (self.ticket_a | self.ticket_b).ids)]
            ).unlink()

    def _log(self, env, ticket, hours):
        ticket = env["helpdesk.ticket"].browse(ticket.id)
        return env["account.analytic.line"].create(
            {
                "name": "Work",
                "ticket_id": ticket.id,
                "project_id": ticket.project_id.id,
                "unit_amount": hours,
                "date": DAY,
            }
        )

    def _hours(self):
        """Committed hours of the customer's contract: ``{split: hours}``."""
        with self._transaction() as env:
            groups = env["account.analytic.line"]._read_group(
                [("consulting_entitlement_id", "=", self.entitlement.id)],
                ["consulting_split"],
                ["unit_amount:sum"],
            )
        return dict(groups)

    def _agents(self):
        """The agent's and the manager's requests, the manager's having read the ticket
        (taken its snapshot) before the agent commits."""
        first, second = self._request(self.agent.id), self._request(self.manager.id)
        second["helpdesk.ticket"].browse(self.ticket_b.id).read(["name"])
        return first, second

    def test_last_prepaid_hour_goes_to_one_agent(self):
        first, second = self._agents()
        self._log(first, self.ticket_a, 1.0)
        first.cr.commit()
        attempts = []
        with mute_logger("odoo.sql_db"):
            self._retrying(second, lambda env: self._log(env, self.ticket_b, 1.0), attempts)
        # Refused once on the contract's row, then done seeing the hour spent.
        self.assertEqual(attempts, [1, 2])
        self.assertEqual(self._hours(), {"prepaid": 1.0, "billable": 1.0})

    def test_second_agent_waits_for_the_first(self):
        first, second = self._agents()
        self._log(first, self.ticket_a, 0.75)
        # The first agent's transaction is still open: the second waits for it.
        second.cr.execute("SET LOCAL lock_timeout = '200ms'")
        with mute_logger("odoo.sql_db"), self.assertRaises(LockNotAvailable):
            self._log(second, self.ticket_b, 0.5)
        second.cr.rollback()
        first.cr.commit()
        self._log(second, self.ticket_b, 0.5)
        second.cr.commit()
        self.assertEqual(self._hours(), {"prepaid": 1.0, "billable": 0.25})

    def test_growing_prepaid_line_and_new_time_share_one_budget(self):
        with self._transaction(self.agent.id) as env:
            line = self._log(env, self.ticket_a, 0.5)
        first, second = self._agents()
        first["account.analytic.line"].browse(line.id).unit_amount = 1.0
        first.cr.commit()
        attempts = []
        with mute_logger("odoo.sql_db"):
            self._retrying(second, lambda env: self._log(env, self.ticket_b, 0.5), attempts)
        self.assertEqual(attempts, [1, 2])
        self.assertEqual(self._hours(), {"prepaid": 1.0, "billable": 0.5})

    def test_two_agents_escalate_one_ticket(self):
        first, second = self._agents()
        second["helpdesk.ticket"].browse(self.ticket_l1.id).read(["support_level"])

        def escalate(env):
            reason = env.ref("support_sla_escalation.reason_feature")
            return env["helpdesk.ticket"].browse(self.ticket_l1.id)._escalate("l2", reason)

        escalate(first)
        first.cr.commit()
        attempts = []
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaisesRegex(UserError, "already at that level"),
        ):
            self._retrying(second, escalate, attempts)
        self.assertEqual(attempts, [1, 2])
        with self._transaction() as env:
            rows = env["support.escalation"].search([("ticket_id", "=", self.ticket_l1.id)])
            self.assertEqual([row.user_id.id for row in rows], [self.agent.id])
