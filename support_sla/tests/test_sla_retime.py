from datetime import timedelta
from unittest.mock import patch

from odoo.tests import freeze_time, new_test_user

from odoo.addons.base.models.ir_cron import ir_cron

from ..engine import SlaError
from ..models.helpdesk_ticket_sla_store import SLA_WRITE_AT_ONCE
from ..models.sla_error import sla_error_message
from .common import SlaCase

NEW_YORK = "America/New_York"
PARIS = "Europe/Paris"


class SlaRetimeCase(SlaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Ticket = cls.env["helpdesk.ticket"]
        cls.calendar_standard = cls.env.ref("support_sla.calendar_standard")
        cls.check_cron = cls.env.ref("support_sla.ir_cron_sla_check")
        cls.retime_cron = cls.env.ref("support_sla.ir_cron_sla_retime")

    def _ny(self, *args):
        return self.local(NEW_YORK, *args)

    def _threshold(self, value):
        self.env["ir.config_parameter"].sudo().set_param("support_sla.retime_threshold", value)

    def _triggers(self, cron):
        return self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", cron.id)])


class TestRetimeTriggers(SlaRetimeCase):
    """Each configuration change re-times the open tickets it affects."""

    def test_target_change_retimes_running_clocks_only(self):
        with freeze_time(self._ny(2025, 6, 2, 10, 0)):
            running = self._ticket(self.ny_contact, impact="medium", urgency="medium")  # P3: 8 h
            met = self._ticket(self.ny_contact, impact="medium", urgency="medium")
            late = self._ticket(self.ny_contact, impact="medium", urgency="medium")
        other_priority = self._ticket(self.ny_contact)  # P1, untouched
        with freeze_time(self._ny(2025, 6, 2, 10, 30)):
            met.message_post(
                body="On it",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                author_id=self.env.ref("base.partner_admin").id,
            )
        late.sla_response_status = "breached"  # as the scheduled check marks it
        self.assertEqual(running.sla_response_deadline, self._ny(2025, 6, 3, 9, 0))
        p1_deadline = other_priority.sla_response_deadline
        with freeze_time(self._ny(2025, 6, 2, 11, 0)):
            self.standard._target_for("1").response_minutes = 4 * 60
        self.assertEqual(running.sla_response_deadline, self._ny(2025, 6, 2, 14, 0))
        self.assertEqual(running.sla_response_status, "running")
        self.assertEqual(met.sla_response_status, "met")
        self.assertEqual(met.sla_response_deadline, self._ny(2025, 6, 3, 9, 0))
        self.assertEqual(late.sla_response_status, "breached")
        self.assertEqual(late.sla_response_deadline, self._ny(2025, 6, 3, 9, 0))
        self.assertEqual(other_priority.sla_response_deadline, p1_deadline)

    def test_retiming_reads_the_contract_on_the_customers_day(self):
        """A contract's first and last days are the customer's, not UTC's: re-timed,
        a ticket received on them stays covered though its UTC day is outside, and a
        ticket of the day before the first stays without a contract."""
        auckland, auckland_contact = self._customer("Kiwi Freight", "Pacific/Auckland")
        self._entitlement(auckland, self.standard, date_start="2025-06-03")
        los_angeles, la_contact = self._customer("Venice Ops", "America/Los_Angeles")
        self._entitlement(los_angeles, self.standard, date_end="2025-06-02")
        # 3 June in Auckland (2 June in UTC), 2 June in Los Angeles (3 June in UTC).
        with freeze_time(self.local("Pacific/Auckland", 2025, 6, 3, 1, 0)):
            first_day = self._ticket(auckland_contact, impact="medium", urgency="medium")
        with freeze_time(self.local("Pacific/Auckland", 2025, 6, 2, 23, 0)):
            day_before = self._ticket(auckland_contact, impact="medium", urgency="medium")
        with freeze_time(self.local("America/Los_Angeles", 2025, 6, 2, 20, 0)):
            last_day = self._ticket(la_contact, impact="medium", urgency="medium")
        covered = first_day | last_day
        self.assertEqual(covered.mapped("sla_coverage"), ["covered", "covered"])
        self.assertFalse(day_before.entitlement_id)
        # The day before's contract is the one a later day would find: the re-timing
        # itself judges the day (the ticket keeps the entitlement it was given).
        day_before.entitlement_id = first_day.entitlement_id
        before = covered.mapped("sla_response_deadline")
        with freeze_time(self.utc(2025, 6, 3, 5, 0)):
            self.standard._target_for("1").response_minutes = 4 * 60
            (covered | day_before)._sla_update()
        self.assertEqual(covered.mapped("sla_coverage"), ["covered", "covered"])
        self.assertNotEqual(covered.mapped("sla_response_deadline"), before)
        self.assertTrue(all(covered.mapped("sla_response_deadline")))
        self.assertEqual(day_before.sla_coverage, "no_contract")
        self.assertFalse(day_before.sla_response_deadline)

    def test_tier_calendar_change_retimes(self):
        with freeze_time(self._ny(2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact, impact="medium", urgency="medium")  # P3: 8 h
        self.assertEqual(ticket.sla_calendar_id, self.calendar_standard)
        with freeze_time(self._ny(2025, 6, 2, 11, 0)):
            self.standard.calendar_id = False  # 24x7
        self.assertEqual(ticket.sla_response_deadline, self._ny(2025, 6, 2, 18, 0))
        self.assertFalse(ticket.sla_calendar_id)

    def test_holiday_added_then_removed(self):
        # Friday 16:00: one hour on Friday, seven more on Monday.
        with freeze_time(self._ny(2025, 6, 6, 16, 0)):
            ticket = self._ticket(self.ny_contact, impact="medium", urgency="medium")
        self.assertEqual(ticket.sla_response_deadline, self._ny(2025, 6, 9, 15, 0))
        with freeze_time(self._ny(2025, 6, 6, 16, 30)):
            holiday = self._holidays(self.calendar_standard, ["2025-06-09"], tz=NEW_YORK)
        self.assertEqual(ticket.sla_response_deadline, self._ny(2025, 6, 10, 15, 0))
        with freeze_time(self._ny(2025, 6, 6, 16, 40)):
            holiday.write(
                {
                    "date_from": holiday.date_from + timedelta(days=1),
                    "date_to": holiday.date_to + timedelta(days=1),
                }
            )  # moved to Tuesday: Monday counts again
        self.assertEqual(ticket.sla_response_deadline, self._ny(2025, 6, 9, 15, 0))
        with freeze_time(self._ny(2025, 6, 6, 16, 45)):
            holiday.write(
                {
                    "date_from": holiday.date_from - timedelta(days=1),
                    "date_to": holiday.date_to - timedelta(days=1),
                }
            )
        self.assertEqual(ticket.sla_response_deadline, self._ny(2025, 6, 10, 15, 0))
        with freeze_time(self._ny(2025, 6, 6, 16, 50)):
            holiday.unlink()
        self.assertEqual(ticket.sla_response_deadline, self._ny(2025, 6, 9, 15, 0))

    def test_company_wide_holiday_and_calendar_opting_out(self):
        with freeze_time(self._ny(2025, 6, 6, 16, 0)):
            ticket = self._ticket(self.ny_contact, impact="medium", urgency="medium")
        with freeze_time(self._ny(2025, 6, 6, 16, 30)):
            self._holidays(self.env["resource.calendar"], ["2025-06-09"], tz=NEW_YORK)
        self.assertEqual(ticket.sla_response_deadline, self._ny(2025, 6, 10, 15, 0))
        with freeze_time(self._ny(2025, 6, 6, 16, 40)):
            self.calendar_standard.sla_company_holidays = False
        self.assertEqual(ticket.sla_response_deadline, self._ny(2025, 6, 9, 15, 0))

    def test_attendance_change_retimes(self):
        with freeze_time(self._ny(2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact, impact="medium", urgency="medium")
        monday = self.calendar_standard.attendance_ids.filtered(
            lambda a: a.dayofweek == "0" and a.hour_to >= 17
        )
        with freeze_time(self._ny(2025, 6, 2, 11, 0)):
            monday.hour_to = 18  # one more hour on Mondays
        self.assertEqual(ticket.sla_response_deadline, self._ny(2025, 6, 2, 18, 0))

    def test_entitlement_time_zone_and_regional_calendar(self):
        with freeze_time(self._ny(2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact, impact="medium", urgency="medium")
        self.assertEqual(ticket.sla_response_deadline, self._ny(2025, 6, 3, 9, 0))
        with freeze_time(self._ny(2025, 6, 2, 11, 0)):
            self.ny_contract.tz = PARIS
        # Read in Paris: Monday 16:00-17:00 Paris, then Tuesday 08:00-15:00 Paris.
        self.assertEqual(ticket.sla_tz, PARIS)
        self.assertEqual(ticket.sla_response_deadline, self.local(PARIS, 2025, 6, 3, 15, 0))
        evenings = self._calendar("Evenings", PARIS, [(d, 18, 22) for d in range(5)])
        with freeze_time(self._ny(2025, 6, 2, 11, 30)):
            self.ny_contract.calendar_id = evenings
        # Monday 18:00-22:00 Paris, then Tuesday 18:00-22:00.
        self.assertEqual(ticket.sla_calendar_id, evenings)
        self.assertEqual(ticket.sla_response_deadline, self.local(PARIS, 2025, 6, 3, 22, 0))

    def test_entitlement_tier_and_state(self):
        with freeze_time(self._ny(2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact, impact="medium", urgency="medium")
        with freeze_time(self._ny(2025, 6, 2, 10, 30)):
            self.ny_contract.tier_id = self.premium  # P3: 4 h, 24x7
        self.assertEqual(ticket.tier_id, self.premium)
        self.assertEqual(ticket.sla_response_deadline, self._ny(2025, 6, 2, 14, 0))
        with freeze_time(self._ny(2025, 6, 2, 11, 0)):
            self.ny_contract.action_cancel()
        self.assertEqual(ticket.sla_coverage, "no_contract")
        self.assertEqual(ticket.sla_response_status, "none")
        self.assertFalse(ticket.sla_response_deadline)

    def test_matrix_change_retimes_tickets_that_follow_it(self):
        with freeze_time(self._ny(2025, 6, 2, 10, 0)):
            follows = self._ticket(self.ny_contact)  # P1: 1 h
            overridden = self._ticket(self.ny_contact)
            overridden.write(
                {"priority": "3", "priority_overridden": True, "priority_override_reason": "VIP"}
            )
        cell = self.env["support.priority.rule"].search(
            [
                ("company_id", "=", self.env.company.id),
                ("impact", "=", "high"),
                ("urgency", "=", "high"),
            ]
        )
        with freeze_time(self._ny(2025, 6, 2, 10, 30)):
            cell.priority = "2"  # P2: 3 h
        self.assertEqual(follows.priority, "2")
        self.assertEqual(follows.sla_response_deadline, self._ny(2025, 6, 2, 13, 0))
        self.assertEqual(overridden.priority, "3")
        self.assertEqual(overridden.sla_response_deadline, self._ny(2025, 6, 2, 11, 0))

    def test_warning_share_change_retimes(self):
        with freeze_time(self._ny(2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact)  # P1: 1 h, warned at 80 %
        self.assertEqual(ticket.sla_response_warning_date, self._ny(2025, 6, 2, 10, 48))
        with freeze_time(self._ny(2025, 6, 2, 10, 10)):
            self.env.company.sla_warning_percent = 50
        self.assertEqual(ticket.sla_response_warning_date, self._ny(2025, 6, 2, 10, 30))


class TestRetimeAtScale(SlaRetimeCase):
    """Large sets are queued and re-timed in batches by the scheduled action."""

    def _open(self, count, when):
        with freeze_time(when):
            return self.Ticket.create(
                [
                    {
                        "name": f"Request {n}",
                        "description": "x",
                        "partner_id": self.ny_contact.id,
                        "team_id": self.team.id,
                        "channel_id": self.web.id,
                        "impact": "medium",
                        "urgency": "medium",
                    }
                    for n in range(count)
                ]
            )

    def _run_retime_batch(self):
        """One run of the scheduled action as the scheduler does it; its progress."""
        _cron, progress = self.retime_cron.sudo()._add_progress()
        self.Ticket.with_context(ir_cron_progress_id=progress.id)._cron_sla_retime()
        return progress

    def test_background_path_above_threshold_and_resumed_after_a_crash(self):
        self._threshold(2)
        self.env["ir.config_parameter"].sudo().set_param("support_sla.retime_batch", 2)
        tickets = self._open(5, self._ny(2025, 6, 2, 10, 0))
        old = tickets[0].sla_response_deadline
        self._triggers(self.retime_cron).unlink()
        with freeze_time(self._ny(2025, 6, 2, 11, 0)):
            self.standard._target_for("1").response_minutes = 4 * 60
        # Queued, not re-timed in the manager's transaction.
        self.assertEqual(set(tickets.mapped("sla_retime_pending")), {True})
        self.assertEqual(set(tickets.mapped("sla_response_deadline")), {old})
        self.assertTrue(self._triggers(self.retime_cron))
        self.assertEqual(self.standard.sla_retime_count, 5)
        self.assertEqual(self.ny_contract.sla_retime_count, 5)
        self.assertEqual(self.calendar_standard.sla_retime_count, 5)
        # A worker crashes in the middle of a batch: nothing of it is kept.
        with (
            freeze_time(self._ny(2025, 6, 2, 11, 5)),
            patch.object(ir_cron, "_notify_progress", side_effect=RuntimeError("killed")),
            self.assertRaises(RuntimeError),
            self.env.cr.savepoint(),
        ):
            self._run_retime_batch()
        self.env.invalidate_all()
        self.assertEqual(set(tickets.mapped("sla_retime_pending")), {True})
        # Resumed: a batch per run, until nothing remains.
        with freeze_time(self._ny(2025, 6, 2, 11, 10)):
            progress = self._run_retime_batch()
        self.assertEqual((progress.done, progress.remaining), (2, 3))
        self.assertEqual(
            tickets[:2].mapped("sla_response_deadline"), [self._ny(2025, 6, 2, 14, 0)] * 2
        )
        self.assertEqual(set(tickets[2:].mapped("sla_response_deadline")), {old})
        with freeze_time(self._ny(2025, 6, 2, 11, 15)):
            self._run_retime_batch()
            progress = self._run_retime_batch()
        self.assertEqual((progress.done, progress.remaining), (1, 0))
        self.assertEqual(set(tickets.mapped("sla_retime_pending")), {False})
        self.assertEqual(
            set(tickets.mapped("sla_response_deadline")), {self._ny(2025, 6, 2, 14, 0)}
        )
        self.assertEqual(self.standard.sla_retime_count, 0)
        # Idempotent: another run finds nothing to do.
        progress = self._run_retime_batch()
        self.assertEqual((progress.done, progress.remaining), (0, 0))

    def _queries_to_find(self, count, day):
        tickets = self._open(count, self._ny(2025, 6, day, 10, 0))
        self.env.flush_all()
        with freeze_time(self._ny(2025, 6, day, 11, 0)):
            before = self.cr.sql_log_count
            self.Ticket._sla_retime([("tier_id", "=", self.standard.id), ("id", "in", tickets.ids)])
            self.env.flush_all()
            queries = self.cr.sql_log_count - before
        self.assertEqual(set(tickets.mapped("sla_retime_pending")), {True})
        self.cr.execute(
            "DELETE FROM support_sla_retime_queue WHERE ticket_id IN %s", (tuple(tickets.ids),)
        )
        tickets.invalidate_recordset(["sla_retime_pending"])
        return queries

    def test_finding_affected_tickets_does_not_grow_with_their_number(self):
        self._threshold(1)
        self._queries_to_find(2, 2)  # warms the caches (parameters, records by xmlid)
        few = self._queries_to_find(3, 3)
        many = self._queries_to_find(60, 4)
        self.assertEqual(few, many)
        self.assertLessEqual(many, 6)

    def test_a_jobs_batch_is_written_by_the_store_itself(self):
        """A batch of SLA_WRITE_AT_ONCE tickets or more is written by _sla_store at once,
        with its dependents (next deadline, compliance): the rows hold the values before
        any flush and nothing stays pending for them. Another ticket's pending change is
        left to Odoo's flush."""
        batch = self._open(SLA_WRITE_AT_ONCE, self._ny(2025, 6, 2, 10, 0))
        other = self._ticket(self.paris_contact)
        self.env.flush_all()
        other.name = "Pending change"
        moment = self._ny(2025, 6, 2, 16, 0)
        values = {"sla_response_deadline": moment, "sla_response_status": "met"}
        batch._sla_store({ticket: dict(values) for ticket in batch})
        self.assertFalse(self.env.cache.has_dirty_fields(batch))
        self.env.cr.execute(
            "SELECT sla_response_deadline, sla_response_status, sla_next_deadline, "
            "sla_response_compliance FROM helpdesk_ticket WHERE id IN %s",
            [tuple(batch.ids)],
        )
        self.assertEqual(set(self.env.cr.fetchall()), {(moment, "met", None, 100.0)})
        self.assertEqual(set(batch.mapped("sla_next_deadline")), {False})
        self.env.cr.execute("SELECT name FROM helpdesk_ticket WHERE id = %s", [other.id])
        self.assertEqual(self.env.cr.fetchone()[0], "Backups fail")
        self.env.flush_all()
        self.env.cr.execute("SELECT name FROM helpdesk_ticket WHERE id = %s", [other.id])
        self.assertEqual(self.env.cr.fetchone()[0], "Pending change")


class TestExactTiming(SlaRetimeCase):
    """The check runs at the minute of the next warning or deadline."""

    def test_trigger_at_the_warning_minute_once_per_minute(self):
        self._triggers(self.check_cron).unlink()
        with freeze_time(self.local("Asia/Tokyo", 2025, 6, 2, 10, 0, 20)):
            self._ticket(self.tokyo_contact)  # Premium P1: 15 min, warned at minute 12
            self._ticket(self.tokyo_contact)
        triggers = self._triggers(self.check_cron)
        self.assertEqual(triggers.mapped("call_at"), [self.local("Asia/Tokyo", 2025, 6, 2, 10, 13)])
        # The run at the warning schedules the deadline (10:15:20 -> 10:16).
        with freeze_time(self.local("Asia/Tokyo", 2025, 6, 2, 10, 13)):
            self.Ticket._cron_sla_check()
        self.assertIn(
            self.local("Asia/Tokyo", 2025, 6, 2, 10, 16),
            self._triggers(self.check_cron).mapped("call_at"),
        )

    def test_warning_already_passed_warns_at_once(self):
        with freeze_time(self._ny(2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact, impact="medium", urgency="medium")  # P3: 8 h
        self._triggers(self.check_cron).unlink()
        now = self._ny(2025, 6, 2, 13, 0, 30)
        with freeze_time(now):
            self.standard._target_for("1").response_minutes = 4 * 60  # warning at 13:12
            self.standard._target_for("1").response_minutes = 3 * 60  # warning at 12:24
        self.assertLess(ticket.sla_response_warning_date, now)
        self.assertIn(
            self._ny(2025, 6, 2, 13, 1), self._triggers(self.check_cron).mapped("call_at")
        )

    def test_breach_is_announced_once_to_the_assignee(self):
        agent = new_test_user(self.env, "sla_agent", groups="helpdesk_mgmt.group_helpdesk_user")
        with freeze_time(self._ny(2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact, user_id=agent.id)  # P1: 1 h
            orphan = self._ticket(self.ny_contact, user_id=False)
        for minute in (1, 2):
            with freeze_time(self._ny(2025, 6, 2, 11, minute)):
                self.Ticket._cron_sla_check()
        self.assertEqual(ticket.sla_response_status, "breached")
        self.assertEqual(len(self._notes(ticket, "SLA breached: the response was due")), 1)
        digests = self._digests(agent).filtered(lambda m: "SLA breached" in m.body)
        self.assertEqual(len(digests), 1)
        self.assertEqual(self._listed(ticket), agent)
        # Nobody assigned and no team leader: a helpdesk manager, once, never OdooBot.
        self.assertEqual(len(self._notes(orphan, "SLA breached: the response was due")), 1)
        told = self._listed(orphan)
        self.assertEqual(len(told), 1)
        self.assertTrue(told.has_group("helpdesk_mgmt.group_helpdesk_manager"))
        self.assertNotEqual(told, self.env.ref("base.user_root"))

    def test_breach_check_speaks_the_assignees_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        agent = new_test_user(
            self.env, "sla_agent_fr", groups="helpdesk_mgmt.group_helpdesk_user", lang="fr_FR"
        )
        with freeze_time(self._ny(2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact, user_id=agent.id)
        with freeze_time(self._ny(2025, 6, 2, 10, 50)):
            self.Ticket._cron_sla_check()
        # The agent's digest writes the date the French way (day first, 24-hour clock).
        self.assertIn("02/06/2025 11:00 (America/New_York)", self._digests(agent).body)
        self.assertEqual(
            ticket.with_context(lang="fr_FR").sla_deadline_local,
            "02/06/2025 11:00 (America/New_York)",
        )

    def test_short_target_still_warns_a_minute_before(self):
        self.premium._target_for("3").response_minutes = 2
        with freeze_time(self.local("Asia/Tokyo", 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.tokyo_contact)
        self.assertEqual(ticket.sla_response_deadline, self.local("Asia/Tokyo", 2025, 6, 2, 10, 2))
        # 80 % of two minutes is 1 min 36 s: a minute before the deadline instead.
        self.assertEqual(
            ticket.sla_response_warning_date, self.local("Asia/Tokyo", 2025, 6, 2, 10, 1)
        )

    def test_warning_moved_later_may_warn_again_once(self):
        with freeze_time(self._ny(2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact)  # P1: 1 h
        with freeze_time(self._ny(2025, 6, 2, 10, 50)):
            self.Ticket._cron_sla_check()
        self.assertTrue(ticket.sla_response_warned)
        with freeze_time(self._ny(2025, 6, 2, 10, 55)):
            self.standard._target_for("3").response_minutes = 3 * 60
        self.assertFalse(ticket.sla_response_warned)
        self.assertEqual(ticket.sla_response_warning_date, self._ny(2025, 6, 2, 12, 24))


class TestRepair(SlaRetimeCase):
    def test_repair_rebuilds_from_history_and_is_idempotent(self):
        manager = new_test_user(
            self.env, "sla_manager", groups="helpdesk_mgmt.group_helpdesk_manager"
        )
        with freeze_time(self._ny(2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact)  # P1: 1 h
        with freeze_time(self._ny(2025, 6, 2, 10, 30)):
            ticket.message_post(
                body="On it",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                author_id=self.env.ref("base.partner_admin").id,
            )
        self.assertEqual(ticket.sla_response_status, "met")
        # Corrupted by hand (an import, a bug): no reply, breached, wrong deadline.
        self.env.flush_all()
        self.cr.execute(
            "UPDATE helpdesk_ticket SET sla_first_response_date = NULL, "
            "sla_response_status = 'breached', sla_response_deadline = %s WHERE id = %s",
            (self._ny(2025, 6, 2, 10, 5), ticket.id),
        )
        self.env.invalidate_all()
        messages = len(ticket.message_ids)
        with freeze_time(self._ny(2025, 6, 3, 9, 0)):
            ticket.with_user(manager).action_sla_repair()
        self.assertEqual(ticket.sla_first_response_date, self._ny(2025, 6, 2, 10, 30))
        self.assertEqual(ticket.sla_response_status, "met")
        self.assertEqual(ticket.sla_response_deadline, self._ny(2025, 6, 2, 11, 0))
        self.assertEqual(len(ticket.message_ids), messages + 1)
        self.assertIn("SLA repaired", ticket.message_ids[0].body)
        self.assertIn("Breached", ticket.message_ids[0].body)
        with freeze_time(self._ny(2025, 6, 3, 10, 0)):
            ticket.with_user(manager).action_sla_repair()
        self.assertEqual(len(ticket.message_ids), messages + 1)

    def test_repair_rebuilds_pauses_from_the_stage_history(self):
        manager = new_test_user(
            self.env, "sla_manager2", groups="helpdesk_mgmt.group_helpdesk_manager"
        )
        with freeze_time(self._ny(2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact, impact="medium", urgency="medium")  # P3
            self._end_request()
        with freeze_time(self._ny(2025, 6, 2, 11, 0)):
            ticket.stage_id = self.stage_waiting
            self._end_request()
        with freeze_time(self._ny(2025, 6, 2, 13, 0)):
            ticket.stage_id = self.stage_new
            self._end_request()
        deadline = ticket.sla_response_deadline
        self.assertEqual(deadline, self._ny(2025, 6, 3, 11, 0))  # pushed by two hours
        # The pauses are lost (a bad import): the clock forgets the waiting time.
        self.cr.execute("DELETE FROM support_sla_pause WHERE ticket_id = %s", (ticket.id,))
        self.env.invalidate_all()
        with freeze_time(self._ny(2025, 6, 2, 14, 0)):
            ticket.with_user(manager).action_sla_repair()
        self.assertEqual(len(ticket.sla_pause_ids), 1)
        self.assertEqual(ticket.sla_pause_ids.date_start, self._ny(2025, 6, 2, 11, 0))
        self.assertEqual(ticket.sla_pause_ids.date_end, self._ny(2025, 6, 2, 13, 0))
        self.assertEqual(ticket.sla_response_deadline, deadline)
        self.assertIn("Pauses: 0", ticket.message_ids[0].body)
        messages = len(ticket.message_ids)
        with freeze_time(self._ny(2025, 6, 2, 14, 30)):
            ticket.with_user(manager).action_sla_repair()
        self.assertEqual(len(ticket.message_ids), messages)

    def test_repair_is_for_managers(self):
        agent = new_test_user(self.env, "sla_agent2", groups="helpdesk_mgmt.group_helpdesk_user")
        ticket = self._ticket(self.ny_contact)
        with self.assertRaisesRegex(Exception, "managers"):
            ticket.with_user(agent).action_sla_repair()


class TestTranslatedErrors(SlaRetimeCase):
    def test_engine_error_in_the_readers_language(self):
        for lang in ("fr_FR", "nl_NL"):
            self.env["res.lang"]._activate_lang(lang)
        error = SlaError("Unknown time zone 'Mars/Olympus'.", "tz_unknown", tz="Mars/Olympus")
        self.assertEqual(str(error), "Unknown time zone 'Mars/Olympus'.")
        self.assertEqual(sla_error_message(self.env, error), "Unknown time zone Mars/Olympus.")
        french = self.env(context={"lang": "fr_FR"})
        self.assertEqual(sla_error_message(french, error), "Fuseau horaire inconnu Mars/Olympus.")
        dutch = self.env(context={"lang": "nl_NL"})
        self.assertEqual(sla_error_message(dutch, error), "Onbekende tijdzone Mars/Olympus.")

    def test_calendar_error_reaches_the_user_translated(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        empty = self.env["resource.calendar"].create({"name": "Vide", "attendance_ids": False})
        with self.assertRaisesRegex(Exception, "aucun temps de travail"):
            self.standard.with_context(lang="fr_FR").calendar_id = empty
