"""The scheduled SLA check: warnings before a deadline, breaches after it, the filters
that find them."""

import importlib.util
from pathlib import Path
from unittest.mock import patch

from markupsafe import Markup

from odoo.tests import freeze_time, new_test_user

from ..models import helpdesk_ticket_sla_announce as announce
from .common import SlaCase

NEW_YORK = "America/New_York"


class TestBreachCron(SlaCase):
    def _open_tickets(self, count, when, **values):
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
                        **values,
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

    def test_breach_note_is_a_logged_note_of_the_chatter(self):
        """The notes written in one INSERT are what ``_message_log_batch`` writes:
        same columns, a body the sanitiser leaves alone, and the chatter sees them
        in the same transaction."""
        ticket, other = self._open_tickets(2, self.local(NEW_YORK, 2025, 6, 2, 10, 0))
        before = ticket.message_ids  # cached: the insert must invalidate it
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 11, 1)):
            self.env["helpdesk.ticket"]._cron_sla_check()
            note = ticket.message_ids - before
            self.assertEqual(len(note), 1)
            # The reference: Odoo's own batch log of the same sentence, by the same author.
            sentence = Markup(note.body[len("<p>") : -len("</p>")])
            logged = other._message_log_batch({other.id: sentence}, message_type="notification")
        self.assertEqual(note.body, logged.body)
        self.assertIn("SLA breached: the response was due", note.body)
        for name in (
            "model",
            "message_type",
            "subtype_id",
            "is_internal",
            "author_id",
            "email_from",
            "reply_to",
            "record_name",
            "date",
            "email_add_signature",
            "create_uid",
        ):
            self.assertEqual(note[name], logged[name], name)
        self.assertEqual(note.res_id, ticket.id)

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

    def test_breach_batch_queries_do_not_grow_with_the_batch_size(self):
        """Marking, the notes and one digest per recipient: the same queries for a
        batch of N tickets as for 2N (system parameter ``support_sla.check_batch``)."""
        agents = [
            new_test_user(self.env, f"sla_batch_{n}", groups="helpdesk_mgmt.group_helpdesk_user")
            for n in range(2)
        ]
        counts = []
        # The first run warms the caches (and each agent's first notification).
        for day, size in ((2, 2), (3, 6), (4, 12)):
            self.env["ir.config_parameter"].sudo().set_param("support_sla.check_batch", size)
            when = self.local(NEW_YORK, 2025, 6, day, 10, 0)
            tickets = self.env["helpdesk.ticket"]
            for agent in agents:
                tickets |= self._open_tickets(size // 2, when, user_id=agent.id)
            self.env.flush_all()
            self.env.invalidate_all()
            with freeze_time(self.local(NEW_YORK, 2025, 6, day, 12, 0)):
                before = self.cr.sql_log_count
                self.env["helpdesk.ticket"]._cron_sla_check()
                self.env.flush_all()
                counts.append(self.cr.sql_log_count - before)
            self.assertEqual(set(tickets.mapped("sla_response_status")), {"breached"})
            for ticket in tickets:
                self.assertEqual(len(self._notes(ticket, "SLA breached")), 1)
                self.assertEqual(self._listed(ticket), ticket.user_id)
        for agent in agents:
            self.assertEqual(len(self._digests(agent)), 3)  # one per run, not per ticket
        self.assertEqual(counts[1], counts[2])

    def test_digest_lists_the_first_tickets_and_links_to_all(self):
        """After an outage a recipient's digest lists the soonest deadlines and links
        to the list of all the breaches, not a thousand lines."""
        agent = new_test_user(self.env, "sla_digest", groups="helpdesk_mgmt.group_helpdesk_user")
        tickets = self.env["helpdesk.ticket"]
        for minute in (20, 0, 10):  # P1: due an hour later, in this order
            tickets |= self._open_tickets(
                1, self.local(NEW_YORK, 2025, 6, 2, 10, minute), user_id=agent.id
            )
        with (
            patch.object(announce, "DIGEST_LINES", 2),
            freeze_time(self.local(NEW_YORK, 2025, 6, 2, 12, 0)),
        ):
            self.env["helpdesk.ticket"]._cron_sla_check()
        self.assertEqual(set(tickets.mapped("sla_response_status")), {"breached"})
        digest = self._digests(agent)
        self.assertEqual(len(digest), 1)
        latest, first, second = tickets
        self.assertEqual(self._listed(first) | self._listed(second), agent)
        self.assertFalse(self._listed(latest))  # still noted on the ticket itself
        self.assertEqual(len(self._notes(latest, "SLA breached")), 1)
        links = [f"/odoo/helpdesk.ticket/{ticket.id}" for ticket in (first, second)]
        self.assertLess(digest.body.index(links[0]), digest.body.index(links[1]))
        self.assertIn(
            '<a href="/odoo/action-support_sla.helpdesk_ticket_sla_breaches_action">'
            "See all 3 tickets</a>",
            digest.body,
        )

    def test_team_is_warned_once_before_the_breach(self):
        leader = new_test_user(self.env, "sla_leader", groups="helpdesk_mgmt.group_helpdesk_user")
        self.team.user_id = leader
        agent = new_test_user(self.env, "sla_agent_w", groups="helpdesk_mgmt.group_helpdesk_user")
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact, user_id=False)  # P1: 1 h, warned at 48 min
            assigned = self._ticket(self.ny_contact, user_id=agent.id)
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 40)):
            self.env["helpdesk.ticket"]._cron_sla_check()
        self.assertFalse(self._notes(ticket, "SLA at risk"))
        self.assertFalse(self._digests(leader))
        for minute in (50, 55):
            with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, minute)):
                self.env["helpdesk.ticket"]._cron_sla_check()
        note = "SLA at risk: response due 6/2/25, 11:00 AM (America/New_York)"
        self.assertEqual(len(self._notes(ticket, note)), 1)
        self.assertEqual(len(self._notes(assigned, note)), 1)
        # No assignee: the team leader is told, once, in one digest linking the ticket.
        digest = self._digests(leader)
        self.assertEqual(len(digest), 1)
        self.assertIn(ticket.display_name, digest.body)
        self.assertIn(note, digest.body)
        self.assertEqual(digest.subject, "Tickets at risk of missing their SLA")
        self.assertEqual(self._listed(ticket), leader)
        self.assertEqual(self._listed(assigned), agent)
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

    def test_alert_of_a_page_agrees_with_each_filter(self):
        """Read in one pass for a page, every level (ok too) is the one its filter finds."""
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            late = self._ticket(self.ny_contact)
            risky = self._ticket(self.ny_contact, impact="medium", urgency="high")  # P2: 3 h
            calm = self._ticket(self.ny_contact, impact="low", urgency="low")
            _customer, stranger = self._customer("No Contract Ltd", NEW_YORK)
            none = self._ticket(stranger)
        tickets = late | risky | calm | none
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 12, 30)):
            tickets.invalidate_recordset()
            shown = {ticket: ticket.sla_alert for ticket in tickets}
            self.assertEqual(shown, {late: "danger", risky: "warning", calm: "ok", none: False})
            Ticket = self.env["helpdesk.ticket"]
            for level in ("danger", "warning", "ok", False):
                found = Ticket.search([("sla_alert", "=", level), ("id", "in", tickets.ids)])
                self.assertEqual(found, tickets.filtered(lambda t, lv=level: shown[t] == lv))


class TestWarningRecipients(SlaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, "sla_manager_x", groups="helpdesk_mgmt.group_helpdesk_manager"
        )
        cls.root = cls.env.ref("base.user_root")

    def _warn(self, ticket):
        """Who is told that ``ticket`` is at risk (its digest's recipients)."""
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 50)):
            self.env["helpdesk.ticket"]._cron_sla_check()
        return self._listed(ticket)

    def test_nobody_assigned_and_no_leader_goes_to_a_manager_not_odoobot(self):
        managers = self.env.ref("helpdesk_mgmt.group_helpdesk_manager").users
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            orphan = self._ticket(self.ny_contact, user_id=False)
            by_bot = self._ticket(self.ny_contact, user_id=False)
        by_bot.user_id = self.root
        for ticket in (orphan, by_bot):
            told = self._warn(ticket)
            self.assertEqual(len(told), 1)
            self.assertIn(told, managers)
            self.assertNotEqual(told, self.root)
            self.assertFalse(told.share)

    def test_leader_comes_before_the_managers(self):
        leader = new_test_user(self.env, "sla_leader_x", groups="helpdesk_mgmt.group_helpdesk_user")
        self.team.user_id = leader
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact, user_id=False)
        self.assertEqual(self._warn(ticket), leader)

    def test_note_in_the_companys_language_when_nobody_can_take_it(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["support_sla"], ["fr_FR"])
        self.env.company.partner_id.lang = "fr_FR"
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact, user_id=False)
        no_manager = self.env["res.users"]
        self.patch(
            type(ticket), "_sla_recipients", lambda self, *a: dict.fromkeys(self, no_manager)
        )
        self.assertFalse(self._warn(ticket))
        notes = ticket.message_ids.filtered(lambda m: "SLA" in (m.body or ""))
        self.assertIn("SLA à risque", notes[:1].body)


class TestNextWarning(SlaCase):
    """The stored next warning moment, which the "at risk" filter reads."""

    def test_next_warning_is_the_earliest_of_the_live_clocks(self):
        self.standard._target_for("3").resolve_minutes = 8 * 60
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact)  # P1: response 1 h, warned at 48 min
        self.assertEqual(ticket.sla_next_warning_date, ticket.sla_response_warning_date)
        self.assertLess(ticket.sla_response_warning_date, ticket.sla_resolve_warning_date)
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 20)):
            ticket.with_user(self.env.ref("base.user_admin")).message_post(
                body="On it", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.assertEqual(ticket.sla_response_status, "met")
        self.assertEqual(ticket.sla_next_warning_date, ticket.sla_resolve_warning_date)
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 11, 0)):
            ticket.stage_id = self.stage_done
        self.assertEqual(ticket.sla_resolve_status, "met")
        self.assertFalse(ticket.sla_next_warning_date)

    def test_upgrade_fills_the_column_as_the_tickets_compute_it(self):
        """The 18.0.1.5.0 migration fills it in SQL with what the compute stores."""
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            tickets = self._ticket(self.ny_contact) | self._ticket(
                self.ny_contact, impact="low", urgency="low"
            )
            done = self._ticket(self.ny_contact)
            done.with_user(self.env.ref("base.user_admin")).message_post(
                body="Fixed", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            done.stage_id = self.stage_done
        tickets |= done
        self.env.flush_all()
        expected = {t.id: t.sla_next_warning_date for t in tickets}
        self.assertTrue(all(expected[t.id] for t in tickets - done))
        self.assertFalse(expected[done.id])
        path = Path(__file__).parents[1] / "migrations/18.0.1.5.0/pre-migrate.py"
        spec = importlib.util.spec_from_file_location("support_sla_pre_migrate_1_5", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        cr = self.env.cr
        cr.execute("ALTER TABLE helpdesk_ticket DROP COLUMN sla_next_warning_date")
        migration.migrate(cr, "18.0.1.4.0")
        cr.execute(
            "SELECT id, sla_next_warning_date FROM helpdesk_ticket WHERE id IN %s",
            [tuple(tickets.ids)],
        )
        filled = dict(cr.fetchall())
        self.assertEqual(filled, {id_: value or None for id_, value in expected.items()})
