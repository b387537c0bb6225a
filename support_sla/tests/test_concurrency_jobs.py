"""The scheduled SLA jobs while agents write the same tickets, in real transactions: a
batch skips what another transaction is writing instead of failing as a whole."""

from odoo.tests import freeze_time, tagged
from odoo.tools import SQL

from ..models import helpdesk_ticket_acknowledgement
from .common import unqueue_acknowledgements
from .common_concurrency import TwoTransactionsCase

# Far before any ticket of the database (demo ones included): only this class's tickets
# are due then, so the jobs it commits touch nothing else.
JOB_TIME = "2001-01-01 00:00:00"
OVERDUE = "2000-12-31 10:00:00"


@tagged("post_install", "-at_install")
class TestJobsBesideAgents(TwoTransactionsCase):
    @classmethod
    def _setup_committed(cls, env):
        contact = cls._committed_customer(
            env,
            "Concurrent Dairy",
            {"name": "Lea Brun", "tz": "Europe/Paris", "email": "lea.brun@dairy.example.com"},
            "support_sla.tier_standard",
            "2000-01-01",
        )
        cls._forget("helpdesk.ticket", [("partner_id", "=", contact.id)])
        cls._forget("support.sla.retime.queue", [("ticket_id.partner_id", "=", contact.id)])
        cls.contact = contact
        cls.second_contact = cls._committed_customer(
            env,
            "Concurrent Creamery",
            {"name": "Paul Roux", "tz": "Europe/Paris", "email": "paul.roux@creamery.example.com"},
            "support_sla.tier_standard",
            "2000-01-01",
        )
        cls._forget("helpdesk.ticket", [("partner_id", "=", cls.second_contact.id)])

    def setUp(self):
        super().setUp()
        # Committed tickets of their own for each test: the tests commit their changes.
        with self._transaction() as env:
            tickets = env["helpdesk.ticket"].create(
                [
                    {"name": name, "description": name, "partner_id": self.contact.id}
                    for name in ("Milk tank alarm", "Cheese labels")
                ]
            )
            unqueue_acknowledgements(env, keep=tickets.ids)
            # The retakes an earlier test of this class committed.
            env.cr.execute(
                "DELETE FROM ir_cron_trigger WHERE call_at BETWEEN %s AND %s",
                (JOB_TIME, "2001-01-01 00:01:00"),
            )
        self.written, self.other = tickets
        self.tickets = tickets

    def _make_overdue(self):
        with self._transaction() as env:
            env.cr.execute(
                SQL(
                    "UPDATE helpdesk_ticket SET sla_response_status = 'running', "
                    "sla_response_deadline = %s, sla_response_warning_date = %s, "
                    "sla_response_warned = TRUE WHERE id IN %s",
                    OVERDUE,
                    OVERDUE,
                    tuple(self.tickets.ids),
                )
            )

    def _job(self):
        """A job's transaction that fails rather than wait long for a lock."""
        env = self._request()
        env.cr.execute("SET LOCAL lock_timeout = '2s'")
        return env

    def _agent_writing(self):
        """An agent's transaction in the middle of writing ``written`` (not committed)."""
        agent = self._request()
        agent["helpdesk.ticket"].browse(self.written.id).name = "Milk tank alarm (again)"
        agent.flush_all()
        return agent

    def _statuses(self):
        with self._transaction() as env:
            tickets = env["helpdesk.ticket"].browse(self.tickets.ids)
            return [ticket.sla_response_status for ticket in tickets]

    def _retakes(self, env, xmlid):
        """The moments job ``xmlid`` is asked to run again, within a minute of JOB_TIME."""
        triggers = env["ir.cron.trigger"].search(
            [
                ("cron_id", "=", env.ref(xmlid).id),
                ("call_at", ">=", JOB_TIME),
                ("call_at", "<=", "2001-01-01 00:01:00"),
            ]
        )
        return [str(moment) for moment in triggers.mapped("call_at")]

    def test_breach_job_skips_the_ticket_an_agent_is_writing(self):
        self._make_overdue()
        agent = self._agent_writing()
        job = self._job()
        with freeze_time(JOB_TIME):
            job["helpdesk.ticket"]._cron_sla_check()
            job.flush_all()
        job.cr.commit()
        agent.cr.commit()
        self.assertEqual(self._statuses(), ["running", "breached"])
        # The next run takes the ticket the agent has let go of.
        with freeze_time(JOB_TIME), self._transaction() as env:
            env["helpdesk.ticket"]._cron_sla_check()
        self.assertEqual(self._statuses(), ["breached", "breached"])

    def test_batch_whose_tickets_all_are_being_written_is_asked_again_later(self):
        self._make_overdue()
        agent = self._request()
        for ticket in agent["helpdesk.ticket"].browse(self.tickets.ids):
            ticket.name += " (again)"
        agent.flush_all()
        job = self._job()
        with freeze_time(JOB_TIME):
            job["helpdesk.ticket"]._cron_sla_check()
            job.flush_all()
            # Asked at once, the job would run again and again while the agent writes.
            self.assertEqual(
                self._retakes(job, "support_sla.ir_cron_sla_check"), ["2001-01-01 00:00:10"]
            )
        job.cr.commit()
        agent.cr.commit()
        self.assertEqual(self._statuses(), ["running", "running"])

    def test_ticket_changed_since_the_batch_began_is_taken_again_at_once(self):
        self._make_overdue()
        job = self._job()
        job.cr.execute("SELECT 1")  # the job's transaction begins (its snapshot)
        agent = self._agent_writing()
        agent.cr.commit()
        with freeze_time(JOB_TIME):
            job["helpdesk.ticket"]._cron_sla_check()
            job.flush_all()
            # Nothing taken, nothing failed: asked again at once (a new transaction sees
            # the change), not at the scheduler's next poll.
            self.assertEqual(self._retakes(job, "support_sla.ir_cron_sla_check"), [JOB_TIME])
        job.cr.commit()
        self.assertEqual(self._statuses(), ["running", "running"])
        with freeze_time(JOB_TIME), self._transaction() as env:
            env["helpdesk.ticket"]._cron_sla_check()
        self.assertEqual(self._statuses(), ["breached", "breached"])

    def test_retime_leaves_queued_the_ticket_an_agent_is_writing(self):
        with self._transaction() as env:
            tickets = env["helpdesk.ticket"].browse(self.tickets.ids)
            right = {ticket.id: ticket.sla_response_deadline for ticket in tickets}
            # Stored deadlines a day off, both queued: the re-time puts them right.
            env.cr.execute(
                SQL(
                    "UPDATE helpdesk_ticket SET sla_response_deadline = "
                    "sla_response_deadline + interval '1 day' WHERE id IN %s",
                    tuple(tickets.ids),
                )
            )
            env.cr.execute(
                SQL(
                    "INSERT INTO support_sla_retime_queue (ticket_id, refresh) "
                    "SELECT unnest(%s::int[]), FALSE",
                    list(tickets.ids),
                )
            )
        agent = self._agent_writing()
        job = self._job()
        job["helpdesk.ticket"]._cron_sla_retime()
        job.flush_all()
        job.cr.commit()
        agent.cr.commit()
        with self._transaction() as env:
            tickets = env["helpdesk.ticket"].browse(self.tickets.ids)
            written, other = tickets
            self.assertEqual(other.sla_response_deadline, right[other.id])
            self.assertNotEqual(written.sla_response_deadline, right[written.id])
            self.assertEqual(tickets.filtered("sla_retime_pending"), written)
        with self._transaction() as env:
            env["helpdesk.ticket"]._cron_sla_retime()
        with self._transaction() as env:
            tickets = env["helpdesk.ticket"].browse(self.tickets.ids)
            self.assertFalse(tickets.filtered("sla_retime_pending"))
            self.assertEqual({t.id: t.sla_response_deadline for t in tickets}, right)

    def _acknowledgements(self, env):
        """``{ticket id: number of acknowledgements}`` of the class's tickets."""
        tickets = env["helpdesk.ticket"].browse(self.tickets.ids)
        return {
            ticket.id: len(
                ticket.message_ids.filtered(
                    lambda m, t=ticket: (
                        m.message_type == "auto_comment" and t.number in (m.subject or "")
                    )
                )
            )
            for ticket in tickets
        }

    def test_two_workers_acknowledge_each_ticket_once(self):
        """Two workers run the acknowledgement job at once, a ticket a batch: each
        takes the ticket the other has not locked; each ticket gets one e-mail."""
        self.patch(helpdesk_ticket_acknowledgement, "SLA_ACKNOWLEDGE_BATCH", 1)
        # Two customers: Odoo writes a customer without a portal account when it notifies
        # them (their sign-up token), so two e-mails to one customer wait for each other.
        with self._transaction() as env:
            env["helpdesk.ticket"].browse(self.other.id).partner_id = self.second_contact
        first, second = self._job(), self._job()
        for job in (first, second):
            job["helpdesk.ticket"]._cron_sla_acknowledge()
            job.flush_all()
        first.cr.commit()
        second.cr.commit()
        with self._transaction() as env:
            self.assertFalse(
                env["helpdesk.ticket"].browse(self.tickets.ids).filtered("sla_ack_pending")
            )
            self.assertEqual(set(self._acknowledgements(env).values()), {1})
        # Run again: nothing is left to send.
        with self._transaction() as env:
            env["helpdesk.ticket"]._cron_sla_acknowledge()
        with self._transaction() as env:
            self.assertEqual(set(self._acknowledgements(env).values()), {1})
