from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import EscalationCase


@tagged("post_install", "-at_install")
class TestEscalation(EscalationCase):
    def test_agent_wizard_escalates_to_the_configured_team(self):
        ticket = self._l1_ticket()
        self.assertEqual(ticket.support_level, "l1")
        action = ticket.with_user(self.agent).action_open_escalate_wizard()
        wizard_form = Form(
            self.env["support.escalate.wizard"]
            .with_user(self.agent)
            .with_context(**action["context"])
        )
        self.assertEqual(wizard_form.team_id, self.team_l2)
        wizard_form.reason_id = self.reasons["feature"]
        wizard_form.note = "Needs a new export format"
        wizard_form.save().action_confirm()
        self.assertEqual(ticket.team_id, self.team_l2)
        self.assertEqual(ticket.support_level, "l2")
        self.assertEqual(ticket.project_id, self.team_l2.default_project_id)
        row = ticket.escalation_ids
        self.assertRecordValues(
            row,
            [
                {
                    "from_level": "l1",
                    "to_level": "l2",
                    "from_team_id": self.team_l1.id,
                    "to_team_id": self.team_l2.id,
                    "reason_id": self.reasons["feature"].id,
                    "origin": "agent",
                    "user_id": self.agent.id,
                    "note": "Needs a new export format",
                    "state": "current",
                }
            ],
        )
        message = self._supervisor_notified(ticket)
        self.assertTrue(message, "the helpdesk managers are notified of the escalation")
        self.assertIn("Feature addition", message.body)
        self.assertTrue(
            self.env["mail.notification"].search(
                [
                    ("mail_message_id", "=", message.id),
                    ("res_partner_id", "=", self.manager.partner_id.id),
                ]
            )
        )

    def test_wizard_can_choose_senior_analysts(self):
        ticket = self._l1_ticket()
        wizard = (
            self.env["support.escalate.wizard"]
            .with_user(self.agent)
            .create(
                {
                    "ticket_id": ticket.id,
                    "to_level": "l2",
                    "team_id": self.team_senior.id,
                    "reason_id": self.reasons["critical"].id,
                }
            )
        )
        wizard.action_confirm()
        self.assertEqual(ticket.team_id, self.team_senior)
        self.assertEqual(ticket.escalation_ids.to_team_id, self.team_senior)

    def test_customer_request_is_recorded_with_its_origin(self):
        ticket = self._l1_ticket()
        row = ticket._escalate(
            "l2", self.reasons["dissatisfied"], note="No answer for a week", origin="customer"
        )
        self.assertEqual(row.origin, "customer")
        self.assertEqual(row.ticket_id, ticket)
        self.assertTrue(self._supervisor_notified(ticket))

    def test_de_escalation_returns_to_the_team_it_came_from_and_is_recorded(self):
        other_l1 = self.env["helpdesk.ticket.team"].create(
            {"name": "Other L1", "support_level": "l1", "escalation_team_id": self.team_l2.id}
        )
        ticket = self._l1_ticket(team_id=other_l1.id)
        ticket._escalate("l2", self.reasons["training"])
        back = ticket.with_user(self.manager)._escalate(
            "l1", self.reasons["resolved_l2"], note="Done"
        )
        self.assertEqual(ticket.team_id, other_l1)
        self.assertEqual(ticket.support_level, "l1")
        self.assertRecordValues(back, [{"from_level": "l2", "to_level": "l1", "state": "current"}])
        self.assertEqual(len(ticket.escalation_ids), 2)
        first = ticket.escalation_ids - back
        self.assertEqual(first.state, "superseded")
        self.assertFalse(ticket.billable, "back at Level 1, the ticket is not billable")

    def test_bad_input_is_refused_and_nothing_is_written(self):
        ticket = self._l1_ticket()
        with self.assertRaisesRegex(UserError, "reason"):
            ticket._escalate("l2", self.env["support.escalation.reason"])
        with self.assertRaisesRegex(UserError, "reason"):
            ticket._escalate("l2", self.reasons["critical"].id)
        with self.assertRaisesRegex(UserError, "already at that level"):
            ticket._escalate("l1", self.reasons["wrong_level"])
        with self.assertRaisesRegex(UserError, "Level 1 or Level 2"):
            ticket._escalate("l3", self.reasons["critical"])
        ticket.stage_id = self.stage_done
        with self.assertRaisesRegex(UserError, "closed"):
            ticket._escalate("l2", self.reasons["critical"])
        lonely = self.env["helpdesk.ticket.team"].create({"name": "Island", "company_id": False})
        self.env["helpdesk.ticket.team"].search([("support_level", "=", "l2")]).active = False
        orphan = self._l1_ticket(team_id=lonely.id)
        with self.assertRaisesRegex(UserError, "No team of that level"):
            orphan._escalate("l2", self.reasons["critical"])
        self.assertFalse(
            self.env["support.escalation"].search([("ticket_id", "in", (ticket | orphan).ids)])
        )
        self.assertEqual(ticket.team_id, self.team_l1)

    def test_history_is_immutable_even_for_a_manager(self):
        row = self._l1_ticket()._escalate("l2", self.reasons["feature"])
        as_manager = row.with_user(self.manager)
        self.assertEqual(as_manager.reason_id, self.reasons["feature"])
        with self.assertRaises(AccessError):
            as_manager.write({"note": "rewritten"})
        with self.assertRaises(AccessError):
            as_manager.unlink()
        # Even past the access rights, the model refuses.
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            row.sudo().write({"reason_id": self.reasons["critical"].id})
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            row.sudo().unlink()
        self.assertEqual(row.reason_id, self.reasons["feature"])

    def test_customised_software_goes_to_level_2(self):
        ticket = self._l1_ticket(customised_software=True)
        self.assertEqual(ticket.support_level, "l2")
        self.assertEqual(ticket.escalation_ids.reason_id, self.reasons["customisation"])
        self.assertTrue(ticket.billable)
        later = self._l1_ticket()
        later.customised_software = True
        self.assertEqual(later.team_id, self.team_l2)

    def test_tickets_of_standard_software_route_nothing(self):
        # Every creation and write asks the routing; only customised software pays for it.
        ticket = self._l1_ticket()
        with self.assertQueryCount(0):
            ticket.filtered("customised_software")._route_customised_software()
        self.assertEqual(ticket.support_level, "l1")

    def test_product_defect_marks_rnd(self):
        ticket = self._l1_ticket()
        ticket._escalate("l2", self.reasons["product_defect"])
        self.assertTrue(ticket.rnd_involved)
        self.assertFalse(ticket.billable)

    def test_escalations_of_another_company_are_invisible(self):
        other = self.env["res.company"].create({"name": "Other Support Co"})
        row = self._l1_ticket()._escalate("l2", self.reasons["feature"])
        self.manager.write({"company_ids": [(4, other.id)], "company_id": other.id})
        visible = (
            self.env["support.escalation"]
            .with_user(self.manager)
            .with_context(allowed_company_ids=other.ids)
            .search([])
        )
        self.assertNotIn(row, visible)

    def test_de_escalation_has_its_own_reasons_never_billable(self):
        ticket = self._l1_ticket()
        ticket._escalate("l2", self.reasons["feature"])
        self.assertTrue(ticket.billable)
        with self.assertRaisesRegex(UserError, "own reasons"):
            ticket._escalate("l1", self.reasons["feature"])
        with self.assertRaisesRegex(UserError, "own reasons"):
            self._l1_ticket()._escalate("l2", self.reasons["wrong_level"])
        action = ticket.with_user(self.agent).action_open_escalate_wizard()
        wizard = Form(
            self.env["support.escalate.wizard"]
            .with_user(self.agent)
            .with_context(**action["context"])
        )
        self.assertEqual(wizard.to_level, "l1")
        wizard.reason_id = self.reasons["resolved_l2"]
        wizard.to_level = "l2"
        self.assertFalse(wizard.reason_id, "a Level 2 reason list never keeps a Level 1 one")
        wizard.to_level = "l1"
        wizard.reason_id = self.reasons["resolved_l2"]
        wizard.save().action_confirm()
        self.assertEqual(ticket.support_level, "l1")
        self.assertFalse(ticket.billable)
        self.assertFalse(ticket.project_id, "back at a team without timesheets: no L2 project")
        with self.assertRaises(ValidationError):
            self.reasons["wrong_level"].billable = True

    def test_de_escalation_returns_to_its_team_and_project(self):
        project = self.env["project.project"].create({"name": "Customer Services"})
        self.team_l1.write({"allow_timesheet": True, "default_project_id": project.id})
        ticket = self._l1_ticket()
        self.assertEqual(ticket.project_id, project)
        ticket._escalate("l2", self.reasons["training"])
        self.assertEqual(ticket.project_id, self.team_l2.default_project_id)
        ticket._escalate("l1", self.reasons["wrong_level"])
        self.assertEqual(ticket.team_id, self.team_l1)
        self.assertEqual(ticket.project_id, project)

    def test_back_to_level1_without_history_never_goes_to_an_unrelated_team(self):
        Team = self.env["helpdesk.ticket.team"]
        Team.create(
            {
                "name": "Unrelated L1",
                "sequence": -100,
                "support_level": "l1",
                "escalation_team_id": self.team_senior.id,
            }
        )
        ticket = self._l1_ticket(team_id=self.team_l2.id)
        self.assertFalse(ticket.escalation_ids)
        ticket._escalate("l1", self.reasons["wrong_level"])
        self.assertEqual(ticket.team_id, self.team_l1, "the Level 1 team escalating to it")
        lonely = Team.create({"name": "Lonely L2", "support_level": "l2"})
        orphan = self._l1_ticket(team_id=lonely.id)
        self.assertFalse(orphan._escalation_target_team("l1"))
        with self.assertRaisesRegex(UserError, "No team of that level"):
            orphan._escalate("l1", self.reasons["wrong_level"])
        self.assertEqual(orphan.team_id, lonely)

    def test_new_ticket_of_a_level2_agent_starts_at_level1(self):
        self.agent.helpdesk_team_ids = self.team_l2 | self.team_l1
        Ticket = self.env["helpdesk.ticket"].with_user(self.agent)
        form = Form(Ticket)
        form.user_id = self.agent
        self.assertEqual(form.team_id, self.team_l1)
        self.assertEqual(form.support_level, "l1")
        l2_context = Form(Ticket.with_context(default_team_id=self.team_l2.id))
        l2_context.user_id = self.agent
        self.assertEqual(l2_context.team_id, self.team_l2)
        self.agent.helpdesk_team_ids = self.team_l2
        only_l2 = Form(Ticket)
        only_l2.user_id = self.agent
        self.assertFalse(only_l2.team_id)
        arch = self.env.ref("support_sla_escalation.helpdesk_ticket_view_form_escalation").arch
        self.assertIn("""invisible="not id or closed or support_level != 'l2'\"""", arch)

    def test_ticket_of_a_team_logging_time_gets_its_project_and_can_be_escalated(self):
        project = self.env["project.project"].create({"name": "Helpdesk general"})
        team = self.env["helpdesk.ticket.team"].create(
            {"name": "Helpdesk", "allow_timesheet": True, "default_project_id": project.id}
        )
        ticket = self._l1_ticket(team_id=team.id)
        self.assertEqual(ticket.project_id, project)
        moved = self._l1_ticket()
        moved.team_id = team
        self.assertEqual(moved.project_id, project)
        with Form(ticket.with_user(self.agent)) as form:
            form.name = "Edited by the agent"
        ticket._escalate("l2", self.reasons["critical"])
        self.assertEqual(ticket.support_level, "l2")
        self.assertEqual(ticket.project_id, ticket.team_id.default_project_id)

    def test_no_ticket_of_a_team_logging_time_lacks_its_project(self):
        Ticket = self.env["helpdesk.ticket"]
        without_project = [("project_id", "=", False), ("team_id.allow_timesheet", "=", True)]
        self.assertFalse(Ticket.search(without_project), "the demo data has none either")
        project = self.env["project.project"].create({"name": "Helpdesk general"})
        team = self.env["helpdesk.ticket.team"].create(
            {"name": "Helpdesk", "allow_timesheet": True, "default_project_id": project.id}
        )
        ticket = self._l1_ticket(team_id=team.id)
        # Stored before the rule existed (e.g. by an older version's data files).
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET project_id = NULL WHERE id = %s", [ticket.id]
        )
        ticket.invalidate_recordset()
        Ticket._fill_missing_team_projects()
        self.assertEqual(ticket.project_id, project)

    def test_escalation_form_title_note_and_age(self):
        with freeze_time("2026-03-02 08:00:00"):
            row = self._l1_ticket()._escalate("l2", self.reasons["feature"], note="Needs CSV")
        self.assertEqual(row.display_name, f"{row.ticket_id.display_name}: Level 1 → Level 2")
        with freeze_time("2026-03-05 12:30:00"):
            row.invalidate_recordset(["age_days", "age_display"])
            self.assertEqual(row.age_display, "3 d 4 h")
            self.assertAlmostEqual(row.age_days, 3.19, places=2)
        with freeze_time("2026-03-02 09:05:00"):
            row.invalidate_recordset(["age_days", "age_display"])
            self.assertEqual(row.age_display, "1 h 5 min")
        arch = self.env.ref("support_sla_escalation.support_escalation_view_form").arch
        self.assertIn('<field name="display_name"', arch)
        self.assertIn('<field name="note" nolabel="1"', arch)


@tagged("post_install", "-at_install")
class TestSlaEscalation(EscalationCase):
    def test_breach_escalates_once_per_clock_when_configured(self):
        self.team_l1.escalation_sla_trigger = "breach"
        with freeze_time("2026-03-02 08:00:00"):  # Monday, 09:00 in Paris
            ticket = self._l1_ticket()
        self.assertEqual(ticket.sla_response_status, "running")
        with freeze_time("2026-03-02 12:00:00"):  # P1 Basic: 2 h response, now missed
            self.env["helpdesk.ticket"]._cron_sla_check()
        self.assertEqual(ticket.sla_response_status, "breached")
        self.assertEqual(ticket.support_level, "l2")
        self.assertRecordValues(
            ticket.escalation_ids,
            [{"origin": "sla", "sla_clock": "response", "reason_id": self.reasons["sla"].id}],
        )
        self.assertTrue(self._supervisor_notified(ticket))
        # Back at Level 1, the same clock never escalates again.
        ticket._escalate("l1", self.reasons["wrong_level"])
        with freeze_time("2026-03-02 13:00:00"):
            ticket._sla_on_breach("response")
        self.assertEqual(ticket.support_level, "l1")
        self.assertEqual(len(ticket.escalation_ids), 2)

    def test_warning_share_escalates_when_configured(self):
        self.team_l1.escalation_sla_trigger = "warning"
        with freeze_time("2026-03-02 08:00:00"):
            ticket = self._l1_ticket()
        with freeze_time("2026-03-02 09:50:00"):  # 80 % of 2 h
            self.env["helpdesk.ticket"]._cron_sla_check()
        self.assertEqual(ticket.sla_response_status, "running")
        self.assertEqual(ticket.escalation_ids.origin, "sla")
        with freeze_time("2026-03-02 12:00:00"):  # then the breach: not a second time
            self.env["helpdesk.ticket"]._cron_sla_check()
        self.assertEqual(len(ticket.escalation_ids), 1)

    def test_no_escalation_unless_the_team_asks(self):
        with freeze_time("2026-03-02 08:00:00"):
            ticket = self._l1_ticket()
        with freeze_time("2026-03-02 12:00:00"):
            self.env["helpdesk.ticket"]._cron_sla_check()
        self.assertEqual(ticket.sla_response_status, "breached")
        self.assertFalse(ticket.escalation_ids)
        self.assertEqual(ticket.support_level, "l1")

    def test_breach_escalation_is_batched(self):
        self.team_l1.escalation_sla_trigger = "breach"
        with freeze_time("2026-03-02 08:00:00"):
            tickets = self._l1_ticket() | self._l1_ticket() | self._l1_ticket()
        with freeze_time("2026-03-02 12:00:00"):
            self.env["helpdesk.ticket"]._cron_sla_check()
        self.assertEqual(len(tickets.escalation_ids), 3)
        self.assertEqual(set(tickets.mapped("support_level")), {"l2"})

    def test_escalation_follows_the_hooks_not_the_announcements(self):
        self.team_l1.escalation_sla_trigger = "warning"
        with freeze_time("2026-03-02 08:00:00"):
            ticket = self._l1_ticket()
        with freeze_time("2026-03-02 09:50:00"):
            # Announcing a warning or a breach (e.g. again, by hand) moves nothing.
            ticket._sla_warn("response")
            ticket._sla_notify_breach("response")
            self.assertFalse(ticket.escalation_ids)
            ticket._sla_on_warning("response")
        self.assertEqual(ticket.support_level, "l2")
        self.assertRecordValues(ticket.escalation_ids, [{"origin": "sla", "sla_clock": "response"}])
