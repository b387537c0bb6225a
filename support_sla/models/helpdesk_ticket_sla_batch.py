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

# A batch that met a ticket changed since its transaction began is taken again this soon,
# in a new transaction (rather than at the job's next interval).
SLA_RETAKE_DELAY = timedelta(seconds=10)


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
        batch takes nothing (a new transaction takes them, see _sla_batch_done).
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
            _logger.info("SLA batch met a ticket changed meanwhile: taken again shortly")
            return self.browse()
        return self.browse(ids)

    @api.model
    def _sla_batch_done(self, done, remaining, cron_xmlid):
        """Report a batch of the job ``cron_xmlid`` to the scheduler, which runs it again
        at once while some remain. When none could be taken although some remain (all
        being written by others), it would wait for its next interval: it runs again
        shortly instead."""
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if remaining and not done:
            retake = fields.Datetime.now() + SLA_RETAKE_DELAY
            self.env.ref(cron_xmlid).sudo()._trigger(at=retake)
