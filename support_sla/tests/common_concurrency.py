"""Two workers (or servers) at once: real transactions on the test database."""

from contextlib import contextmanager
from types import SimpleNamespace

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service import model as model_service
from odoo.tests.common import BaseCase, get_db_name
from odoo.tools import SQL

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

# What commits leave besides the records themselves (chatter and tracking of other
# records, queued jobs, e-mail composers): every row of these created while the class
# runs is its own.
SIDE_EFFECTS = ("mail.message", "mail.compose.message", "ir.cron.trigger")


class TwoTransactionsCase(BaseCase):
    """Real, committed transactions, as concurrent requests have them (a TransactionCase
    shares one cursor between all its "requests"; here each cursor is a transaction of
    its own, REPEATABLE READ as Odoo opens them).

    What a class commits is seen by later tests: ``_setup_committed`` builds it in one
    transaction, and everything it registers with ``_forget`` is deleted when the class
    ends, newest first.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls._committed = []
        with cls._transaction() as env:
            last_ids = cls._last_ids(env)
            for model in SIDE_EFFECTS:
                cls._forget(model, [("id", ">", last_ids[env[model]._table])])
        # Class cleanups run newest first: the deletion, then its check.
        cls.addClassCleanup(cls._check_nothing_left, last_ids)
        cls.addClassCleanup(cls._delete_committed, last_ids)
        with cls._transaction() as env:
            cls._setup_committed(env)

    @classmethod
    def _setup_committed(cls, env):
        """Build the records the test's transactions share (committed)."""

    @classmethod
    def _committed_customer(cls, env, company, contact, tier_xmlid, date_start):
        """A customer company, its ``contact`` (values) and an active contract on the tier
        ``tier_xmlid`` from ``date_start``, deleted when the class ends; the contact."""
        customer = env["res.partner"].create({"name": company, "is_company": True})
        contact = env["res.partner"].create({**contact, "parent_id": customer.id})
        cls._forget(customer | contact)
        contract = env["support.entitlement"].create(
            {
                "partner_id": customer.id,
                "tier_id": env.ref(tier_xmlid).id,
                "date_start": date_start,
                "state": "active",
            }
        )
        cls._forget(contract)
        return contact

    @classmethod
    @contextmanager
    def _transaction(cls, user=SUPERUSER_ID, **context):
        """An environment on a new cursor: committed at the end of the block, rolled
        back if the block raises."""
        with cls.registry.cursor() as cr:
            yield cls._environment(cr, user, context)

    @staticmethod
    def _environment(cr, user, context):
        # In tests Odoo sends notification e-mails inside the transaction, not after its
        # commit: queued instead, so that a refused transaction does not send them.
        return api.Environment(cr, user, {"mail_notify_force_send": False, **context})

    @classmethod
    def _forget(cls, records, domain=None):
        """Delete ``records`` (or the records of model ``records`` matching ``domain``,
        searched at the end: what the test's transactions created) when the class ends."""
        if domain is None:
            domain = [("id", "in", records.ids)]
            records = records._name
        cls._committed.append((records, domain))

    @classmethod
    def _delete_committed(cls, last_ids):
        # As an uninstall deletes: past what users may never delete (history).
        with cls._transaction(active_test=False, **{MODULE_UNINSTALL_FLAG: True}) as env:
            for model, domain in reversed(cls._committed):
                env[model].search(domain).unlink()
        # Then the notifications to browsers, the deletion's too (sent on its commit).
        with cls._transaction() as env:
            env["bus.bus"].search([("id", ">", last_ids["bus_bus"])]).unlink()

    @classmethod
    def _last_ids(cls, env):
        """``{table: highest id}`` of the database's tables with an integer ``id``."""
        env.cr.execute(
            SQL(
                "SELECT c.relname FROM pg_class c "
                "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'id' "
                "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' "
                "AND a.atttypid = 'int4'::regtype"
            )
        )
        tables = [table for (table,) in env.cr.fetchall()]
        env.cr.execute(
            SQL(" UNION ALL ").join(
                SQL("SELECT %s, max(id) FROM %s", table, SQL.identifier(table)) for table in tables
            )
        )
        return {table: last or 0 for table, last in env.cr.fetchall()}

    @classmethod
    def _check_nothing_left(cls, last_ids):
        """No table keeps a row committed by the class: later tests see the database
        as it was."""
        with cls._transaction() as env:
            now = cls._last_ids(env)
        left = sorted(table for table, last in now.items() if last > last_ids.get(table, 0))
        if left:
            raise AssertionError(f"{cls.__name__} left committed rows in {', '.join(left)}")

    def _request(self, user=SUPERUSER_ID, **context):
        """A transaction of its own, as a request in another worker: ``commit`` it, or
        it is rolled back at the end of the test."""
        cr = self.registry.cursor()
        self.addCleanup(cr.close)
        return self._environment(cr, user, context)

    def _retrying(self, env, action, attempts):
        """``action(env)`` as Odoo's RPC and HTTP layers run a request: again in a new
        transaction after a serialization failure, then committed. Each attempt is
        appended to the list ``attempts``."""

        def attempt():
            attempts.append(len(attempts) + 1)
            return action(env)

        # Odoo waits a random while before trying again: not in tests.
        self.patch(model_service, "time", SimpleNamespace(sleep=lambda seconds: None))
        return model_service.retrying(attempt, env)
