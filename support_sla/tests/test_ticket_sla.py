from contextlib import contextmanager
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import SUPERUSER_ID
from odoo.exceptions import UserError, ValidationError
from odoo.sql_db import Cursor
from odoo.tests import Form, freeze_time
from odoo.tools import SQL, mute_logger

from .common import SlaCase

PARIS = "Europe/Paris"
NEW_YORK = "America/New_York"
TOKYO = "Asia/Tokyo"


class TestReferenceDeadlines(SlaCase):
    """SPEC section 2 on the default tiers, in the customers' own time zones."""

    def _deadline(self, contact, when, impact, urgency):
        with freeze_time(when):
            ticket = self._ticket(contact, impact=impact, urgency=urgency)
        self.assertEqual(ticket.sla_response_status, "running")
        return ticket.sla_response_deadline

    def test_basic_in_paris(self):
        # Monday 2 June 2025 18:30 Paris, P1 (2 h): 30 min tonight, 1 h 30 on Tuesday.
        when = self.local(PARIS, 2025, 6, 2, 18, 30)
        deadline = self._deadline(self.paris_contact, when, "high", "high")
        self.assertEqual(deadline, self.local(PARIS, 2025, 6, 3, 8, 30))
        # P4 (48 h of a 12-hour day) from Monday 10:00 is Friday 10:00.
        when = self.local(PARIS, 2025, 6, 2, 10, 0)
        deadline = self._deadline(self.paris_contact, when, "low", "low")
        self.assertEqual(deadline, self.local(PARIS, 2025, 6, 6, 10, 0))

    def test_basic_in_new_york(self):
        new_york_basic = self._customer("Empire Bakery", NEW_YORK)
        self._entitlement(new_york_basic[0], self.basic)
        when = self.local(NEW_YORK, 2025, 6, 2, 18, 30)
        deadline = self._deadline(new_york_basic[1], when, "high", "high")
        self.assertEqual(deadline, self.local(NEW_YORK, 2025, 6, 3, 8, 30))

    def test_standard_in_new_york_and_paris(self):
        # P3 (8 h) from Monday 10:00: 7 h Monday, 1 h Tuesday.
        when = self.local(NEW_YORK, 2025, 6, 2, 10, 0)
        deadline = self._deadline(self.ny_contact, when, "medium", "medium")
        self.assertEqual(deadline, self.local(NEW_YORK, 2025, 6, 3, 9, 0))
        paris_standard = self._customer("Atelier Martin", PARIS)
        self._entitlement(paris_standard[0], self.standard)
        when = self.local(PARIS, 2025, 6, 2, 10, 0)
        deadline = self._deadline(paris_standard[1], when, "medium", "medium")
        self.assertEqual(deadline, self.local(PARIS, 2025, 6, 3, 9, 0))

    def test_premium_is_24x7_in_tokyo(self):
        # Saturday 03:00 Tokyo, P1: 15 minutes later, weekend or not.
        when = self.local(TOKYO, 2025, 6, 7, 3, 0)
        deadline = self._deadline(self.tokyo_contact, when, "high", "high")
        self.assertEqual(deadline, self.local(TOKYO, 2025, 6, 7, 3, 15))
        when = self.local(TOKYO, 2025, 12, 25, 12, 0)
        deadline = self._deadline(self.tokyo_contact, when, "low", "low")
        self.assertEqual(deadline, self.local(TOKYO, 2025, 12, 25, 20, 0))

    def test_friday_evening_across_dst_weekend(self):
        # New York springs forward on Sunday 9 March 2025; P2 (3 h) on Standard.
        when = self.local(NEW_YORK, 2025, 3, 7, 18, 30)
        deadline = self._deadline(self.ny_contact, when, "high", "medium")
        self.assertEqual(deadline, self.local(NEW_YORK, 2025, 3, 10, 11, 0))
        self.assertEqual(deadline, self.utc(2025, 3, 10, 15, 0))  # EDT is UTC-4 now

    def test_public_holidays_close_the_clock(self):
        # 14 July 2025 (Monday) is a holiday of the Paris customer's regional calendar.
        regional = self._calendar("France 07-19", PARIS, [(d, 7, 19) for d in range(5)])
        self._holidays(regional, ["2025-07-14"])
        self.paris_contract.calendar_id = regional
        when = self.local(PARIS, 2025, 7, 11, 18, 0)  # Friday 18:00
        deadline = self._deadline(self.paris_contact, when, "high", "high")
        # 1 h on Friday, Monday closed, 1 h on Tuesday.
        self.assertEqual(deadline, self.local(PARIS, 2025, 7, 15, 8, 0))

    def test_ivanti_p1_covered_24x7_on_holidays(self):
        enterprise = self.env["support.tier"].create(
            {
                "name": "Enterprise",
                "code": "ENT-TEST",
                "calendar_id": self.env.ref("support_sla.calendar_standard").id,
                "target_ids": [
                    (0, 0, {"priority": "3", "response_minutes": 30,
                            "calendar_id": self.env.ref("support_sla.calendar_24x7").id}),
                    (0, 0, {"priority": "2", "response_minutes": 120}),
                ],
            }
        )  # fmt: skip
        customer, contact = self._customer("Ivanti Customer", PARIS)
        self._entitlement(customer, enterprise)
        # Company-wide public holiday: closes business hours, not the 24/7 calendar.
        self._holidays(self.env["resource.calendar"], ["2025-12-25"], tz=PARIS)
        when = self.local(PARIS, 2025, 12, 25, 10, 0)
        p1 = self._deadline(contact, when, "high", "high")
        p2 = self._deadline(contact, when, "high", "medium")
        self.assertEqual(p1, self.local(PARIS, 2025, 12, 25, 10, 30))
        self.assertEqual(p2, self.local(PARIS, 2025, 12, 26, 10, 0))


class TestTicketClocks(SlaCase):
    def test_no_contract_no_deadline(self):
        _company, contact = self._customer("Community User", PARIS)
        ticket = self._ticket(contact)
        self.assertFalse(ticket.entitlement_id)
        self.assertEqual(ticket.sla_note, "No support contract")
        self.assertEqual((ticket.sla_response_status, ticket.sla_resolve_status), ("none", "none"))
        self.assertFalse(ticket.sla_response_deadline)

    def test_note_is_in_the_readers_language(self):
        for lang in ("fr_FR", "nl_NL"):
            self.env["res.lang"]._activate_lang(lang)
        _company, contact = self._customer("Gemeenschap", PARIS)
        ticket = self._ticket(contact)
        self.assertEqual(ticket.sla_coverage, "no_contract")
        self.assertEqual(ticket.with_context(lang="fr_FR").sla_note, "Aucun contrat de support")
        self.assertEqual(ticket.with_context(lang="nl_NL").sla_note, "Geen ondersteuningscontract")

    def test_channel_not_in_tier_is_flagged_not_promised(self):
        ticket = self._ticket(self.paris_contact, channel=self.phone)  # phone: Standard+
        self.assertTrue(ticket.sla_out_of_entitlement)
        self.assertIn("not included in the Basic tier", ticket.sla_note)
        self.assertEqual(ticket.sla_response_status, "none")
        self.assertFalse(ticket.sla_response_deadline)
        # Same request by e-mail is covered.
        ticket.channel_id = self.email
        self.assertFalse(ticket.sla_out_of_entitlement)
        self.assertEqual(ticket.sla_response_status, "running")

    def test_trial_gets_the_trial_tier(self):
        customer, contact = self._customer("Evaluating Corp", TOKYO)
        self._entitlement(
            customer, self.standard, state="trial", trial_tier_id=self.premium.id,
            date_start="2025-06-01", date_end="2025-06-30",
        )  # fmt: skip
        with freeze_time(self.local(TOKYO, 2025, 6, 7, 3, 0)):  # Saturday
            ticket = self._ticket(contact)
        self.assertEqual(ticket.tier_id, self.premium)
        self.assertEqual(ticket.sla_response_deadline, self.local(TOKYO, 2025, 6, 7, 3, 15))

    def test_expired_contract_covers_only_its_dates(self):
        customer, contact = self._customer("Former Customer", PARIS)
        contract = self._entitlement(
            customer, self.standard, date_start="2024-01-01", date_end="2024-12-31"
        )
        with freeze_time("2024-06-03 09:00:00"):
            old = self._ticket(contact)
        with freeze_time("2025-01-06 09:00:00"):
            contract._cron_update_states()
            self.assertEqual(contract.state, "expired")
            new = self._ticket(contact)
        self.assertEqual(old.entitlement_id, contract)
        self.assertFalse(new.entitlement_id)
        self.assertEqual(new.sla_response_status, "none")

    def test_pause_pushes_the_deadline(self):
        # Standard, P3 (8 h) from Monday 2 June 2025 10:00 New York.
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact, impact="medium", urgency="medium")
        self.assertEqual(ticket.sla_response_deadline, self.local(NEW_YORK, 2025, 6, 3, 9, 0))
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 11, 0)):
            ticket.stage_id = self.stage_waiting
        self.assertEqual(ticket.sla_response_status, "paused")
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 15, 0)):
            ticket.stage_id = self.stage_new
        # Four business hours waiting on the customer push the deadline by four hours.
        self.assertEqual(ticket.sla_response_status, "running")
        self.assertEqual(ticket.sla_response_deadline, self.local(NEW_YORK, 2025, 6, 3, 13, 0))
        self.assertEqual(ticket.sla_paused_minutes, 240)
        self.assertEqual(len(ticket.sla_pause_ids), 1)

    def test_paused_clock_is_not_breached_by_the_cron(self):
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact)  # P1: 1 h
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 30)):
            ticket.stage_id = self.stage_waiting
        with freeze_time(self.local(NEW_YORK, 2025, 6, 5, 10, 0)):
            self.env["helpdesk.ticket"]._cron_sla_check()
        self.assertEqual(ticket.sla_response_status, "paused")

    def test_first_public_reply_meets_the_response_clock(self):
        agent = self.env.ref("base.user_admin")
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact)
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 20)):
            ticket.with_user(agent).message_post(body="Looking", subtype_xmlid="mail.mt_note")
            ticket.message_post(body="Me again", author_id=self.ny_contact.id,
                                subtype_xmlid="mail.mt_comment")  # fmt: skip
        self.assertFalse(ticket.sla_first_response_date)
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 45)):
            ticket.with_user(agent).message_post(
                body="We are on it", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.assertEqual(ticket.sla_first_response_date, self.local(NEW_YORK, 2025, 6, 2, 10, 45))
        self.assertEqual(ticket.sla_response_status, "met")

    def test_priority_change_recomputes_running_clocks_not_met_ones(self):
        target = self.standard._target_for("3")
        target.resolve_minutes = 8 * 60
        self.standard._target_for("1").resolve_minutes = 3 * 8 * 60
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact)  # P1: response 1 h, resolution 8 h
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 30)):
            ticket.message_post(body="On it", message_type="comment",
                                subtype_xmlid="mail.mt_comment",
                                author_id=self.env.ref("base.partner_admin").id)  # fmt: skip
        self.assertEqual(ticket.sla_response_status, "met")
        response_deadline = ticket.sla_response_deadline
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 12, 0)):
            ticket.write({"impact": "medium", "urgency": "medium"})  # P3
        self.assertEqual(ticket.priority, "1")
        self.assertEqual(ticket.sla_response_status, "met")
        self.assertEqual(ticket.sla_response_deadline, response_deadline)
        # Resolution restarts from creation with the P3 target: 24 business hours.
        self.assertEqual(ticket.sla_resolve_deadline, self.local(NEW_YORK, 2025, 6, 4, 16, 0))

    def test_breached_clock_is_never_rewritten(self):
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact)  # P1: 1 h
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 12, 0)):
            self.env["helpdesk.ticket"]._cron_sla_check()
            self.assertEqual(ticket.sla_response_status, "breached")
            ticket.write({"impact": "low", "urgency": "low"})  # P4 would give 24 h
        self.assertEqual(ticket.sla_response_status, "breached")
        self.assertEqual(ticket.sla_response_deadline, self.local(NEW_YORK, 2025, 6, 2, 11, 0))

    def test_customer_change_moves_the_clock_to_the_new_contract(self):
        with freeze_time(self.local(PARIS, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.paris_contact)
            self.assertEqual(ticket.tier_id, self.basic)
            ticket.partner_id = self.tokyo_contact
        self.assertEqual(ticket.entitlement_id, self.tokyo_contract)
        self.assertEqual(ticket.sla_response_deadline, self.local(PARIS, 2025, 6, 2, 10, 15))

    def test_closing_meets_the_resolution_clock(self):
        self.standard._target_for("3").resolve_minutes = 240
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact)
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 13, 0)):
            ticket.stage_id = self.stage_done
        self.assertEqual(ticket.sla_resolve_status, "met")


class TestPriorityMatrix(SlaCase):
    def test_priority_follows_the_matrix(self):
        expected = {("high", "high"): "3", ("medium", "high"): "2", ("low", "low"): "0"}
        for (impact, urgency), priority in expected.items():
            ticket = self._ticket(self.ny_contact, impact=impact, urgency=urgency)
            self.assertEqual((ticket.priority, ticket.matrix_priority), (priority, priority))
            self.assertFalse(ticket.priority_overridden)

    def test_override_keeps_who_when_why_and_the_matrix_result(self):
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact, impact="medium", urgency="medium")
            self.assertEqual(ticket.sla_response_deadline, self.local(NEW_YORK, 2025, 6, 3, 9, 0))
            self._end_request()  # the override comes in a later request: tracked
            with Form(ticket) as form:
                form.priority_overridden = True
                form.priority = "3"
                form.priority_override_reason = "Production line stopped"
        self.assertEqual(ticket.priority, "3")
        self.assertEqual(ticket.matrix_priority, "1")
        self.assertEqual(ticket.priority_override_user_id, self.env.user)
        self.assertTrue(ticket.priority_override_date)
        self._end_request()
        tracked = (
            self.env["mail.tracking.value"]
            .search([("mail_message_id.model", "=", ticket._name),
                     ("mail_message_id.res_id", "=", ticket.id)])
            .field_id.mapped("name")
        )  # fmt: skip
        self.assertIn("priority_override_reason", tracked)
        self.assertIn("priority", tracked)
        # The overridden priority drives the SLA: P1 on Standard is one hour.
        self.assertEqual(ticket.sla_response_deadline, self.local(NEW_YORK, 2025, 6, 2, 11, 0))
        # Ending the override returns to the matrix.
        ticket.priority_overridden = False
        self.assertEqual(ticket.priority, "1")
        self.assertFalse(ticket.priority_override_reason)

    def test_priority_set_by_hand_counts_as_override(self):
        ticket = self._ticket(self.ny_contact, impact="low", urgency="low")
        ticket.priority = "2"  # the kanban stars
        self.assertTrue(ticket.priority_overridden)
        self.assertTrue(ticket.priority_override_reason)

    def test_override_needs_a_reason(self):
        ticket = self._ticket(self.ny_contact)
        with self.assertRaisesRegex(ValidationError, "Say why"):
            ticket.write({"priority_overridden": True, "priority_override_reason": " "})

    def test_matrix_cells_are_unique_and_complete(self):
        rules = self.env["support.priority.rule"]
        cell = rules.search([("company_id", "=", self.env.company.id)], limit=1)
        with self.assertRaisesRegex(UserError, "all nine cells"):
            cell.unlink()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            rules.create({"impact": cell.impact, "urgency": cell.urgency, "priority": "0"})

    def test_editing_the_matrix_changes_new_tickets(self):
        cell = self.env["support.priority.rule"].search(
            [("company_id", "=", self.env.company.id), ("impact", "=", "low"),
             ("urgency", "=", "low")]
        )  # fmt: skip
        cell.priority = "1"
        ticket = self._ticket(self.ny_contact, impact="low", urgency="low")
        self.assertEqual(ticket.priority, "1")

    def test_matrix_read_once_and_again_after_a_change(self):
        rules = self.env["support.priority.rule"]
        company = self.env.company
        self.assertEqual(rules._matrix(company)[("low", "low")], "0")
        with self.assertQueryCount(0):  # kept by the registry
            rules._matrix(company)
        cell = rules.search(
            [("company_id", "=", company.id), ("impact", "=", "low"), ("urgency", "=", "low")]
        )
        cell.priority = "1"
        self.assertEqual(rules._matrix(company)[("low", "low")], "1")

    def test_tickets_older_than_the_matrix_get_its_priority(self):
        rules = self.env["support.priority.rule"].search([("company_id", "=", self.env.company.id)])
        rules.with_context(support_sla_matrix_reset=True).unlink()
        ticket = self._ticket(self.ny_contact, impact="high", urgency="high")
        self.assertFalse(ticket.matrix_priority)
        self.env["support.priority.rule"]._create_default_matrix(self.env.company)
        self.assertEqual(ticket.matrix_priority, "3")

    def test_new_company_gets_the_default_matrix(self):
        company = self.env["res.company"].create({"name": "Second Support Co"})
        rules = self.env["support.priority.rule"].search([("company_id", "=", company.id)])
        self.assertEqual(len(rules), 9)


class TestBadInput(SlaCase):
    def test_targets_must_be_positive(self):
        form = Form(self.standard)
        with form.target_ids.edit(0) as line:
            line.response_minutes = 0
        with self.assertRaisesRegex(ValidationError, "positive"):
            form.save()
        form = Form(self.basic)
        with form.target_ids.edit(0) as line:
            line.resolve_minutes = -5
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            form.save()

    def test_overlapping_entitlements_are_refused(self):
        form = Form(self.env["support.entitlement"])
        form.partner_id = self.paris
        form.tier_id = self.premium
        form.date_start = "2025-01-01"
        form.date_end = "2025-12-31"
        draft = form.save()
        with self.assertRaisesRegex(ValidationError, "already has the entitlement"):
            draft.action_activate()

    def test_entitlement_dates_in_order(self):
        form = Form(self.env["support.entitlement"])
        form.partner_id = self.paris
        form.tier_id = self.basic
        form.date_start = "2025-01-01"
        form.date_end = "2024-01-01"
        with self.assertRaisesRegex(ValidationError, "cannot end .* before it starts"):
            form.save()
        form.date_end = "2025-12-31"
        form.auto_renew = True
        form.notice_days = -1
        with self.assertRaisesRegex(ValidationError, "notice period cannot be negative"):
            form.save()

    def test_entitlement_is_for_a_commercial_entity(self):
        with self.assertRaisesRegex(ValidationError, "covers a whole customer"):
            self._entitlement(self.paris_contact, self.basic, state="draft")

    def test_calendar_without_working_time_is_refused_where_it_is_used(self):
        empty = self.env["resource.calendar"].create(
            {"name": "Nothing", "tz": PARIS, "attendance_ids": [(5, 0, 0)]}
        )
        with self.assertRaisesRegex(ValidationError, "no working time"):
            self.standard.calendar_id = empty

    def test_ticket_created_decades_ahead_gets_a_correct_deadline(self):
        with freeze_time(self.local(NEW_YORK, 2055, 6, 7, 10, 0)):  # a Monday
            customer, contact = self._customer("Future Corp", NEW_YORK)
            self._entitlement(customer, self.standard, date_start="2055-01-01",
                              date_end=False)  # fmt: skip
            ticket = self._ticket(contact)
        self.assertEqual(ticket.sla_response_deadline, self.local(NEW_YORK, 2055, 6, 7, 11, 0))


class TestTierSetupCache(SlaCase):
    """The tiers' channels and targets are kept by the registry between requests: every
    change that moves them is seen by the next evaluation."""

    def test_channel_added_to_tier_covers_its_tickets(self):
        ticket = self._ticket(self.paris_contact, channel=self.phone)  # reads the tiers
        self.assertTrue(ticket.sla_out_of_entitlement)
        self.basic.channel_ids |= self.phone
        self.assertFalse(ticket.sla_out_of_entitlement)
        self.assertEqual(ticket.sla_response_status, "running")

    def test_archived_channel_leaves_the_tier(self):
        by_email = self._ticket(self.paris_contact, channel=self.email)  # reads the tiers
        self.assertFalse(by_email.sla_out_of_entitlement)
        self.email.active = False
        ticket = self._ticket(self.paris_contact, channel=self.email)
        self.assertTrue(ticket.sla_out_of_entitlement)
        self.assertIn("not included in the Basic tier", ticket.sla_note)

    def test_targets_removed_added_and_moved(self):
        low, normal = self.basic._target_for("0"), self.basic._target_for("1")
        self.assertTrue(low and normal)
        low.unlink()
        self.assertFalse(self.basic._target_for("0"))
        normal.priority = "0"
        self.assertEqual(self.basic._target_for("0"), normal)
        self.assertFalse(self.basic._target_for("1"))
        self.env.flush_all()  # the move reaches the table before the new row
        added = self.env["support.tier.target"].create(
            {"tier_id": self.basic.id, "priority": "1", "response_minutes": 90}
        )
        self.assertEqual(self.basic._target_for("1"), added)


class TestRequestsReadOnce(SlaCase):
    """A new ticket and an agent's reply are among the most frequent requests: they do
    not ask the database again what the registry or the request already knows."""

    @contextmanager
    def _queries(self):
        seen = []
        execute = Cursor.execute

        def spy(cr, query, params=None, log_exceptions=True):
            seen.append(query.code if isinstance(query, SQL) else query)
            return execute(cr, query, params, log_exceptions)

        with patch.object(Cursor, "execute", spy):
            yield seen

    def test_scheduled_actions_found_without_a_query(self):
        tickets = self.env["helpdesk.ticket"]
        check = self.env.ref("support_sla.ir_cron_sla_check")
        self.assertEqual(tickets._sla_job("support_sla.ir_cron_sla_check"), check)
        with self.assertQueryCount(0):
            tickets._sla_job("support_sla.ir_cron_sla_check")
        self.assertFalse(tickets._sla_job("support_sla.no_such_action"))
        self.assertFalse(tickets._sla_job("mail.mt_comment"))  # not a scheduled action
        check.unlink()  # its external id goes with it
        self.assertFalse(tickets._sla_job("support_sla.ir_cron_sla_check"))

    def test_new_ticket_queues_its_jobs_without_checking_they_exist(self):
        self._ticket(self.paris_contact)  # warms the registry's caches
        with self._queries() as seen:
            ticket = self._ticket(self.paris_contact)
            self.env.flush_all()
        self.assertTrue(ticket.sla_ack_pending)
        self.assertEqual(ticket.sla_response_status, "running")
        # env.ref would check each action with this query (the acknowledgement, the check).
        self.assertFalse([q for q in seen if q.startswith('SELECT "ir_cron"."id" FROM')])

    def test_agents_reply_reads_neither_its_subtype_nor_its_author_again(self):
        agent = self.env.ref("base.user_admin")
        ticket = self._ticket(self.paris_contact).with_user(agent)
        ticket.message_post(body="On it", message_type="comment", subtype_xmlid="mail.mt_comment")
        self.assertEqual(ticket.sla_response_status, "met")
        message = ticket.message_post(
            body="Still on it", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.env.flush_all()
        with self.assertQueryCount(0):
            ticket._message_post_after_hook(message, {})

    def test_comment_of_the_system_user_meets_no_clock(self):
        # An automated comment in OdooBot's name, posted as the (inactive) system user
        # that scheduled actions run as, is no agent's reply.
        ticket = self._ticket(self.paris_contact).with_user(SUPERUSER_ID)
        ticket.message_post(
            body="Automated", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertEqual(ticket.sla_response_status, "running")
        self.assertFalse(ticket.sla_first_response_date)

    def test_contract_found_with_what_the_ticket_takes_from_it(self):
        key = (self.paris.id, self.paris_contract.date_start, False)
        self.env.invalidate_all()
        with self.assertQueryCount(1):
            contract = self.env["support.entitlement"]._find_covering({key})[key]
            taken = (contract.effective_tier_id.id, contract.tz, contract.calendar_id.id)
        self.assertEqual(contract, self.paris_contract)
        self.assertEqual(taken, (self.basic.id, "Europe/Paris", self.paris_contract.calendar_id.id))
