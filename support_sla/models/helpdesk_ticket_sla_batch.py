"""Taking a batch of tickets for a scheduled job, when several workers and servers share
the database: agents, the portal, the mail gateway and the other jobs write the same
tickets at the same time."""

# One concern of the ticket per file, as Odoo splits its own models (mail/models/discuss/).
# pylint: disable=consider-merging-classes-inherited

import logging
from datetime import timedelta

from psycopg2.extensions import TransactionRollbackError

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# A batch whose tickets were all being written by others is asked again this late (rather
# than at the job's next interval); Odoo's scheduler sees a trigger in the future at its
# next poll of the database, within about a minute.
SLA_RETAKE_DELAY = timedelta(seconds=10)
# Set in a transaction whose batch met a ticket changed since the transaction began.
SLA_BATCH_CONFLICT = "support_sla.batch_conflict"


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    @api.model
    def _sla_take(self, domain, order, limit):
        """Up to ``limit`` tickets of ``domain`` in ``order``, locked until this
        transaction ends; the tickets another transaction is writing are skipped.

        A job's batch writes many tickets in one transaction. Unlocked, a reply or
        another job committing on one of them meanwhile would make PostgreSQL refuse
        the whole batch (Odoo's transactions are REPEATABLE READ) and the scheduler
        put the job off until its next interval. Locked, those writers wait for the
        batch and Odoo retries their request; a skipped ticket stays due and a later
        batch takes it. Taken first thing in the batch's transaction: a ticket changed
        between the transaction's start and this lock still conflicts, and then the
        batch takes nothing: a new transaction takes them at once (see _sla_batch_done).
        """
        query = self._search(domain, order=order, limit=limit)
        locked = SQL(
            "%s FOR NO KEY UPDATE OF %s SKIP LOCKED",
            query.select(),
            SQL.identifier(query.table),
        )
        # What this transaction changed of the fields searched is written first.
        self.env.flush_query(locked)
        try:
            with self.env.cr.savepoint(flush=False):
                # Expected now and then: not an error of the database to log.
                self.env.cr.execute(locked, log_exceptions=False)
                ids = [ticket_id for (ticket_id,) in self.env.cr.fetchall()]
        except TransactionRollbackError:
            _logger.info("SLA batch met a ticket changed meanwhile: taken again at once")
            # Read (and cleared) when the batch reports to the scheduler.
            self.env.cr.cache[SLA_BATCH_CONFLICT] = True
            return self.browse()
        return self.browse(ids)

    @api.model
    def _sla_job(self, cron_xmlid):
        """The scheduled action ``cron_xmlid`` (as superuser), or no record.

        The requests that queue work (a new ticket, a reply, a change of priority)
        call it every time: it reads the external id from the registry's cache and,
        unlike ``env.ref``, does not query the database to check that the action
        still exists (deleting a record deletes its external id and clears that cache).
        """
        model, cron_id = self.env["ir.model.data"]._xmlid_to_res_model_res_id(cron_xmlid)
        return self.env["ir.cron"].sudo().browse(cron_id if model == "ir.cron" else ())

    @api.model
    def _sla_batch_done(self, done, remaining, cron_xmlid):
        """Report a batch of the job ``cron_xmlid`` to the scheduler, which runs it again
        at once while some remain. When none could be taken although some remain, it
        would wait for its next interval instead. So it is asked again: at once when the
        batch met a ticket changed since its transaction began (a new transaction sees
        the change, and the scheduler's workers are woken), a little later when all were
        being written by others (asked at once, it would spin while they hold them)."""
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        conflict = self.env.cr.cache.pop(SLA_BATCH_CONFLICT, False)
        if remaining and not done:
            cron = self._sla_job(cron_xmlid)
            if conflict:
                cron._trigger()
            else:
                cron._trigger(at=fields.Datetime.now() + SLA_RETAKE_DELAY)
