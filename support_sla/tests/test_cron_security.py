from odoo.exceptions import AccessError
from odoo.tests import freeze_time, new_test_user, users

from .common import SlaCase

NEW_YORK = "America/New_York"


class TestBreachCron(SlaCase):
    def _open_tickets(self, count, when):
        with freeze_time(when):
            tickets = self.env["helpdesk.ticket"].create(
                [
                    {
                        "name": f"Request {n}",
                        "description": "x",
                        "partner_id": self.ny_contact.id,
                        "team_id": self.team.id,
                        "channel_id": self.web.id,
                        "impact": "high",
                        "urgency": "high",
                    }
                    for n in range(count)
                ]
            )
        # Already warned: this measures the breach marking alone.
        tickets.write({"sla_response_warned": True, "sla_resolve_warned": True})
        return tickets

    def test_breach_without_opening_the_ticket(self):
        tickets = self._open_tickets(3, self.local(NEW_YORK, 2025, 6, 2, 10, 0))
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 59)):
            self.env["helpdesk.ticket"]._cron_sla_check()
        self.assertEqual(set(tickets.mapped("sla_response_status")), {"running"})
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 11, 1)):
            self.env["helpdesk.ticket"]._cron_sla_check()
        self.assertEqual(set(tickets.mapped("sla_response_status")), {"breached"})
        breached = self.env["helpdesk.ticket"].search(
            [("sla_response_status", "=", "breached"), ("id", "in", tickets.ids)]
        )
        self.assertEqual(breached, tickets)

    def _breach_run(self, size, day, expected_queries=None):
        """Open ``size`` tickets, run the job after their deadline; its query count."""
        tickets = self._open_tickets(size, self.local(NEW_YORK, 2025, 6, day, 10, 0))
        self.env.flush_all()
        self.env.invalidate_all()
        with freeze_time(self.local(NEW_YORK, 2025, 6, day, 12, 0)):
            before = self.cr.sql_log_count
            if expected_queries is None:
                self.env["helpdesk.ticket"]._cron_sla_check()
                self.env.flush_all()
            else:
                with self.assertQueryCount(expected_queries):
                    self.env["helpdesk.ticket"]._cron_sla_check()
                    self.env.flush_all()
            count = self.cr.sql_log_count - before
        self.assertEqual(set(tickets.mapped("sla_response_status")), {"breached"})
        return count

    def test_breach_check_query_count_does_not_grow_with_tickets(self):
        for_10 = self._breach_run(10, 2)
        self.assertGreater(for_10, 0)
        self._breach_run(200, 3, expected_queries=for_10)

    def test_team_is_warned_once_before_the_breach(self):
        leader = new_test_user(self.env, "sla_leader", groups="helpdesk_mgmt.group_helpdesk_user")
        self.team.user_id = leader
        agent = new_test_user(self.env, "sla_agent_w", groups="helpdesk_mgmt.group_helpdesk_user")
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact, user_id=False)  # P1: 1 h, warned at 48 min
            assigned = self._ticket(self.ny_contact, user_id=agent.id)
        warning = self.env.ref("support_sla.mail_activity_sla_warning")
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 40)):
            self.env["helpdesk.ticket"]._cron_sla_check()
        self.assertFalse(ticket.activity_ids.filtered(lambda a: a.activity_type_id == warning))
        for minute in (50, 55):
            with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, minute)):
                self.env["helpdesk.ticket"]._cron_sla_check()
        activities = ticket.activity_ids.filtered(lambda a: a.activity_type_id == warning)
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, leader)  # no assignee: the team leader
        self.assertEqual(
            activities.summary, "SLA at risk: response due 6/2/25, 11:00 AM (America/New_York)"
        )
        self.assertEqual(assigned.activity_ids.user_id, agent)
        self.assertTrue(ticket.sla_response_warned)

    def test_warning_share_is_configurable(self):
        self.env.company.sla_warning_percent = 50
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact)
        self.assertEqual(ticket.sla_response_warning_date, self.local(NEW_YORK, 2025, 6, 2, 10, 30))

    def test_filters_find_breached_and_at_risk(self):
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            late = self._ticket(self.ny_contact)
            risky = self._ticket(self.ny_contact, impact="medium", urgency="high")  # P2: 3 h
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 12, 30)):
            Ticket = self.env["helpdesk.ticket"]
            ids = [("id", "in", (late | risky).ids)]
            self.assertEqual(Ticket.search([("sla_alert", "=", "danger"), *ids]), late)
            self.assertEqual(Ticket.search([("sla_alert", "=", "warning"), *ids]), risky)
            self.assertEqual(late.sla_alert, "danger")
            self.assertEqual(risky.sla_alert, "warning")
            self.assertAlmostEqual(risky.sla_response_remaining, 0.5)
            self.assertAlmostEqual(late.sla_response_remaining, -1.5)


class TestEntitlementLifecycle(SlaCase):
    def test_renewal_and_notice(self):
        renewing = self._entitlement(
            self.env["res.partner"].create({"name": "TRM Basic", "is_company": True}),
            self.standard, date_start="2024-03-01", date_end="2025-02-28", auto_renew=True,
        )  # fmt: skip
        noticed = self._entitlement(
            self.env["res.partner"].create({"name": "TRM Leaving", "is_company": True}),
            self.standard, date_start="2024-03-01", date_end="2025-02-28", auto_renew=True,
        )  # fmt: skip
        with freeze_time("2024-12-01"):  # 89 days before the end: in time
            noticed.action_give_notice()
        with freeze_time("2025-03-01"):
            (renewing | noticed)._cron_update_states()
        self.assertEqual((renewing.state, str(renewing.date_end)), ("active", "2026-02-28"))
        self.assertEqual(noticed.state, "expired")

    def test_late_notice_still_renews_once(self):
        late = self._entitlement(
            self.env["res.partner"].create({"name": "TRM Late", "is_company": True}),
            self.standard, date_start="2024-03-01", date_end="2025-02-28", auto_renew=True,
        )  # fmt: skip
        with freeze_time("2025-02-01"):
            late.action_give_notice()
        self.assertIn("after the deadline", late.message_ids[0].body)
        with freeze_time("2025-03-01"):
            late._cron_update_states()
        self.assertEqual(late.state, "active")

    def test_trial_expires(self):
        trial = self._entitlement(
            self.env["res.partner"].create({"name": "Evaluator", "is_company": True}),
            self.standard, state="trial", trial_tier_id=self.premium.id,
            date_start="2025-06-01", date_end="2025-06-30", auto_renew=True,
        )  # fmt: skip
        self.assertEqual(trial.effective_tier_id, self.premium)
        with freeze_time("2025-07-01"):
            trial._cron_update_states()
        self.assertEqual(trial.state, "expired")

    def test_partner_shows_current_entitlement_and_tier(self):
        with freeze_time("2025-06-02"):
            self.paris.invalidate_recordset()
            self.assertEqual(self.paris.support_entitlement_id, self.paris_contract)
            self.assertEqual(self.paris_contact.support_tier_id, self.basic)


class TestAccess(SlaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(cls.env, "sla_agent", groups="helpdesk_mgmt.group_helpdesk_user_own")
        new_test_user(cls.env, "sla_manager", groups="helpdesk_mgmt.group_helpdesk_manager")
        cls.portal_user = new_test_user(
            cls.env, "sla_portal", groups="base.group_portal", partner_id=cls.paris_contact.id
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other Support Co"})
        cls.other_contract = cls._entitlement(
            cls.env["res.partner"].create({"name": "Other Co Customer", "is_company": True}),
            cls.standard, company_id=cls.other_company.id,
        )  # fmt: skip

    @users("sla_agent")
    def test_agent_reads_but_does_not_edit(self):
        self.assertTrue(self.env["support.tier"].search([]))
        contract = self.paris_contract.with_env(self.env)
        self.assertEqual(contract.tier_id.name, "Basic")
        with self.assertRaises(AccessError):
            contract.write({"tier_id": self.premium.id})
        with self.assertRaises(AccessError):
            self.env["support.tier"].create({"name": "Gold", "code": "GOLD"})

    @users("sla_agent")
    def test_agent_creates_tickets_with_deadlines(self):
        ticket = self._ticket(self.ny_contact)
        self.assertEqual(ticket.sla_response_status, "running")

    @users("sla_manager")
    def test_manager_edits_configuration(self):
        tier = self.env["support.tier"].create({"name": "Gold", "code": "GOLD"})
        tier.target_ids = [(0, 0, {"priority": "3", "response_minutes": 30})]
        self.paris_contract.with_env(self.env).notice_days = 90
        self.assertEqual(self.paris_contract.notice_days, 90)

    @users("sla_portal")
    def test_portal_reads_only_its_own_contracts(self):
        visible = self.env["support.entitlement"].search([])
        self.assertEqual(visible, self.paris_contract)
        with self.assertRaises(AccessError):
            self.ny_contract.with_env(self.env).read(["name"])
        with self.assertRaises(AccessError):
            self.paris_contract.with_env(self.env).write({"notice_days": 1})

    def test_tickets_of_another_company_do_not_use_its_contracts(self):
        self.paris_contract.company_id = self.other_company
        ticket = self._ticket(self.paris_contact)
        self.assertNotEqual(ticket.company_id, self.other_company)
        self.assertFalse(ticket.entitlement_id)
        self.assertEqual(ticket.sla_note, "No support contract")

    @users("sla_manager")
    def test_other_company_is_invisible(self):
        contracts = self.env["support.entitlement"].search([])
        self.assertNotIn(self.other_contract, contracts)
