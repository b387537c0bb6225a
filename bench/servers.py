#!/usr/bin/env python3
"""Two real Odoo servers on one database: the SLA jobs are done exactly once.

    python3 bench/servers.py                 # a few minutes on a 2-core machine
    python3 bench/servers.py --tickets 50000 --overdue 20000 --keep

On a fresh database with ``support_sla`` and ``support_sla_escalation`` (no demo data):

1. fills ``--tickets`` open tickets (100 by the ORM, the rest copied in SQL). The other
   scheduled actions are switched off and the breach job paused, so that only the job
   under test runs and its outcome does not depend on the minute of the run;
2. records what happens without touching the addons: PostgreSQL triggers of its own
   write an audit row for each ticket taken off the re-timing queue and for each change
   of a ticket's ``sla_*`` columns (ticket, server and worker, transaction); a sequence,
   which is not transactional, counts the dequeues of rolled back transactions too;
3. clones the database (``createdb -T``) and does the same work in this process on the
   clone: the single-process reference;
4. starts two Odoo servers (``--workers=2 --max-cron-threads=2``, ports of their own).
   A manager changes a tier's target over JSON-RPC: the tickets are queued and the
   re-timing job triggered (NOTIFY wakes the cron workers). Once ``--kill-after`` of the
   queue is done, the server whose cron worker is inside a batch is SIGKILLed (master
   and workers: its process group) and restarted, as a supervisor would; the survivor
   takes the job over at its next poll (Odoo's cron workers poll every minute);
5. makes ``--overdue`` running response clocks overdue in SQL (every other live clock a
   month away), switches the breach job back on and triggers it: the cron workers of
   both servers run it.

Checked against the reference, exit 1 on any discrepancy: every queued ticket dequeued
by exactly one committed transaction, none left, its ``sla_*`` columns equal to the
reference's; the killed batch rolled back and done again; each overdue clock marked
breached once, and as many chatter messages and activities per record as in the
reference (counted, whatever the announcement's format). It prints each server's share
and the times. The servers run with ``ODOO_NOTIFY_CRON_CHANGES=1``, so that a job left
partially done (10 batches per run) wakes every cron worker rather than waiting for
their next poll.

Odoo 18 must be importable and PostgreSQL reachable (see bench/retime.py); the addons
paths derive from the imported ``odoo`` package. The databases are dropped at the end
unless ``--keep``.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter

import retime  # bench/retime.py: databases, tickets, batched runs of a scheduled action
from odoo_processes import Database, Server, rpc
from sla_audit import (
    AUDIT_SQL,
    DEQUEUED,
    IN_BATCH,
    MARKED,
    SLA_WRITES,
    breach_outcome,
    share,
    sla_columns,
)

ADDONS = "support_sla,support_sla_escalation"

OVERDUE_SQL = """
WITH due AS (SELECT id FROM helpdesk_ticket WHERE sla_response_status IN ('running', 'paused')
              ORDER BY id LIMIT %s)
UPDATE helpdesk_ticket
   SET sla_response_deadline = now() at time zone 'UTC' + CASE WHEN id IN (SELECT id FROM due)
           THEN interval '-1 hour' ELSE interval '30 days' END,
       sla_response_warning_date = now() at time zone 'UTC' + CASE WHEN id IN (SELECT id FROM due)
           THEN interval '-2 hours' ELSE interval '29 days' END,
       sla_response_warned = FALSE, sla_response_status = 'running',
       sla_resolve_deadline = CASE WHEN sla_resolve_status IN ('running', 'paused')
           THEN now() at time zone 'UTC' + interval '30 days' END,
       sla_resolve_warning_date = CASE WHEN sla_resolve_status IN ('running', 'paused')
           THEN now() at time zone 'UTC' + interval '29 days' END
 WHERE sla_response_status IN ('running', 'paused')
"""
OVERDUE_LEFT = """
SELECT count(*) FROM helpdesk_ticket
 WHERE sla_response_status = 'running' AND sla_response_deadline < now() at time zone 'UTC'
"""


def out(text=""):
    print(text, flush=True)


def prepare(env, args):
    """Tickets, the audit, the other jobs off; the target a manager will change."""
    contact, team, channel = retime.setup_customer(env, True)
    env["helpdesk.ticket"].create(retime.ticket_values(env, contact, team, 100, channel))
    retime.fill_open_tickets(env, args.tickets)
    params = env["ir.config_parameter"]
    params.set_param("support_sla.retime_batch", str(args.batch))
    params.set_param("support_sla.check_batch", str(args.check_batch))
    job = env.ref("support_sla.ir_cron_sla_retime")
    env["ir.cron"].search([("id", "!=", job.id)]).active = False
    env.flush_all()
    env.cr.execute("DELETE FROM ir_cron_trigger")
    env.cr.execute(AUDIT_SQL)
    env.cr.execute(
        "SELECT priority FROM helpdesk_ticket GROUP BY priority ORDER BY count(*) DESC LIMIT 1"
    )
    priority = env.cr.fetchone()[0]
    target = env.ref("support_sla.tier_standard")._target_for(priority)
    env.cr.commit()
    return target.id, target.response_minutes + 60


def arm_breach_job(env, overdue):
    """Clocks overdue, the breach job on and triggered; the ids its work comes after."""
    env.cr.execute(OVERDUE_SQL, (overdue,))
    env.cr.execute(
        "SELECT (SELECT COALESCE(max(id), 0) FROM bench_servers_audit),"
        " (SELECT COALESCE(max(id), 0) FROM mail_message),"
        " (SELECT COALESCE(max(id), 0) FROM mail_activity),"
        " (SELECT COALESCE(max(id), 0) FROM ir_cron_progress)"
    )
    marks = env.cr.fetchone()
    job = env.ref("support_sla.ir_cron_sla_check")
    job.active = True
    job._trigger()
    env.flush_all()
    env.cr.commit()  # Odoo NOTIFYs the cron workers after the commit
    return marks


class Run:
    def __init__(self, args):
        self.args = args
        self.problems = []
        self.servers = {}
        self.killed = None

    def differences(self, label, expected, found):
        """How many keys differ between the reference and the servers' run."""
        keys = set(expected) | set(found)
        wrong = sorted((k for k in keys if expected.get(k) != found.get(k)), key=str)
        for key in wrong[:5]:
            self.problems.append(
                f"{label} {key}: reference {expected.get(key)}, servers {found.get(key)}"
            )
        if len(wrong) > 5:
            self.problems.append(f"{label}: {len(wrong) - 5} more")
        return len(wrong)

    def compare_columns(self):
        """Tickets whose ``sla_*`` columns differ from the reference's, and which."""
        names, expected = sla_columns(self.ref)
        _names, found = sla_columns(self.live)
        columns = Counter()
        unequal = 0
        for ticket, values in expected.items():
            other = found.get(ticket, (None,) * len(names))
            wrong = {
                name: (a, b) for name, a, b in zip(names, values, other, strict=True) if a != b
            }
            columns.update(wrong.keys())
            unequal += bool(wrong)
            if wrong and unequal <= 3:
                self.problems.append(f"ticket {ticket}, reference then servers: {wrong}")
        if columns:
            self.problems.append(f"sla_* columns differing in {unequal} tickets: {dict(columns)}")
        if extra := len(set(found) - set(expected)):
            self.problems.append(f"{extra} tickets not in the reference")
        return unequal

    def wait_done(self, cron_xmlid, since_progress, left_sql):
        """Until nothing is left, a run reported none remaining and no worker holds the
        job (its last commit is done); seconds waited."""
        db, began = self.live, time.monotonic()
        cron_id = db.cron_id(cron_xmlid)
        while time.monotonic() - began < self.args.timeout:
            finished = db.value(left_sql) == 0 and db.value(
                "SELECT count(*) FROM ir_cron_progress WHERE cron_id = %s AND id > %s"
                " AND remaining = 0 AND done > 0",
                (cron_id, since_progress),
            )
            if finished and db.rows(
                "SELECT id FROM ir_cron WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED", (cron_id,)
            ):
                return time.monotonic() - began
            time.sleep(0.5)
        raise RuntimeError(f"{cron_xmlid} not done after {self.args.timeout} s")

    def kill_in_batch(self, queued, pause):
        """Once ``--kill-after`` of the queue is done, SIGKILL the server whose cron
        worker is inside a re-timing batch, ``pause`` seconds into it (no other batch
        begun meanwhile); the tickets done by then."""
        db, began = self.live, time.monotonic()
        while time.monotonic() - began < self.args.timeout:
            done = db.value("SELECT count(*) FROM bench_servers_audit WHERE kind = 'dequeue'")
            if done >= queued:
                break
            batch = db.rows(IN_BATCH) if done >= queued * self.args.kill_after else []
            if batch:
                time.sleep(pause)
                if db.rows(IN_BATCH) == batch:
                    self.killed = batch[0][2].split("-")[0][3:]
                    self.killed_at = db.value("SELECT clock_timestamp()::timestamp")
                    left = self.servers[self.killed].kill()
                    if left:
                        self.problems.append(f"processes of the killed server alive: {left}")
                    return done
            time.sleep(0.02)
        raise RuntimeError("no re-timing batch in progress to interrupt")

    def wait_sessions_closed(self, label, timeout=60):
        """Until PostgreSQL has ended the killed server's sessions (rolled back)."""
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            if not self.live.value(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE %s",
                (f"srv{label}-%",),
            ):
                return
            time.sleep(0.2)
        raise RuntimeError(f"sessions of the killed server {label} still open")

    def start_server(self, label):
        self.servers[label] = Server(self.args, label, len(self.servers))
        self.servers[label].wait_ready()

    def setup(self, odoo):
        args, began = self.args, time.perf_counter()
        retime.create_database(args, args.live_db, ADDONS)
        with retime.environment(odoo.modules.registry.Registry(args.live_db)) as env:
            self.target = prepare(env, args)
        odoo.sql_db.close_db(args.live_db)  # no session left: it can be cloned
        subprocess.run(
            ["createdb", "-T", args.live_db, args.ref_db], env=retime.psql_env(args), check=True
        )
        self.ref, self.live = Database(args, args.ref_db), Database(args, args.live_db)
        seconds = time.perf_counter() - began
        out(f"{args.tickets:,} open tickets, the database and its clone: {seconds:.0f} s")

    def reference_retime(self, odoo):
        registry = odoo.modules.registry.Registry(self.args.ref_db)
        target_id, minutes = self.target
        with retime.environment(registry) as env:
            env["support.tier.target"].browse(target_id).response_minutes = minutes
            env.flush_all()
            env.cr.commit()
        elapsed, batches, _memory = retime.run_cron_batches(
            registry, "_cron_sla_retime", "support_sla.ir_cron_sla_retime"
        )
        odoo.sql_db.close_db(self.args.ref_db)
        self.batch_seconds = elapsed / max(len(batches), 1)
        self.expected = dict(self.ref.rows(DEQUEUED))
        counts = set(self.expected.values())
        if not self.expected or counts != {1}:
            self.problems.append(f"reference: {len(self.expected)} queued, dequeued {counts}")
        out(
            f"reference, one process: {len(self.expected):,} tickets re-timed in {elapsed:.1f} s"
            f" ({retime.summarize_batches(batches)})"
        )

    def servers_retime(self):
        """The manager's save on server A; a kill inside a batch; until the queue is empty."""
        db, args = self.live, self.args
        queued = len(self.expected)
        since = db.value("SELECT COALESCE(max(id), 0) FROM ir_cron_progress")
        began = time.perf_counter()
        port = self.servers["A"].port
        uid = rpc(port, "common", "login", args.live_db, "admin", "admin")
        target_id, minutes = self.target
        change = [[target_id], {"response_minutes": minutes}]
        rpc(port, "object", "execute_kw", args.live_db, uid, "admin",
            "support.tier.target", "write", change)  # fmt: skip
        save = time.perf_counter() - began
        done_at_kill = self.kill_in_batch(queued, self.batch_seconds / 2)
        self.wait_sessions_closed(self.killed)
        self.start_server(f"{self.killed}2")
        self.wait_done(
            "support_sla.ir_cron_sla_retime", since, "SELECT count(*) FROM support_sla_retime_queue"
        )
        elapsed = time.perf_counter() - began
        resumed = db.value(
            "SELECT min(at) - %s FROM bench_servers_audit WHERE kind = 'dequeue' AND at > %s",
            (self.killed_at, self.killed_at),
        )
        found = dict(db.rows(DEQUEUED))
        rolled_back = db.value("SELECT last_value FROM bench_servers_dequeues") - sum(
            found.values()
        )
        # Written more or less often than in the reference: twice, or lost.
        expected_writes, writes = dict(self.ref.rows(SLA_WRITES)), dict(db.rows(SLA_WRITES))
        more = {t for t in writes if writes[t] > expected_writes.get(t, 0)}
        fewer = {t for t in expected_writes if expected_writes[t] > writes.get(t, 0)}
        twice = len({t for t, n in found.items() if n > 1} | more)
        left = {t for (t,) in db.rows("SELECT ticket_id FROM support_sla_retime_queue")}
        lost = len((set(self.expected) - set(found)) | left | fewer)
        self.differences("dequeues of ticket", self.expected, found)
        self.differences("re-timing writes of ticket", expected_writes, writes)
        unequal = self.compare_columns()
        if not rolled_back:
            self.problems.append("nothing of the killed batch was rolled back")
        self.problems += [f"re-timing: {twice} tickets twice"] if twice else []
        self.problems += [f"re-timing: {lost} tickets lost"] if lost else []
        out()
        out(f"two servers re-time {queued:,} tickets: {elapsed:.1f} s from the manager's save "
            f"({save:.1f} s over JSON-RPC) to an empty queue")  # fmt: skip
        out(f"   server {self.killed} SIGKILLed inside a batch after {done_at_kill:,} tickets: "
            f"{rolled_back:,} dequeues rolled back, done again {resumed.total_seconds():.1f} s "
            f"later (a cron worker's next poll)")  # fmt: skip
        out(f"   share: {share(db, 'dequeue')} ({self.killed}2: {self.killed} restarted)")
        out(f"   duplicates {twice}, lost {lost}, tickets whose sla_* columns differ from "
            f"the reference {unequal}")  # fmt: skip

    def breach_job(self, odoo):
        """The breach job in this process on the clone, then by both servers."""
        args = self.args
        registry = odoo.modules.registry.Registry(args.ref_db)
        with retime.environment(registry) as env:
            ref_marks = arm_breach_job(env, args.overdue)
        ref_time, batches, _memory = retime.run_cron_batches(
            registry, "_cron_sla_check", "support_sla.ir_cron_sla_check"
        )
        odoo.sql_db.close_db(args.ref_db)
        with retime.environment(odoo.modules.registry.Registry(args.live_db)) as env:
            marks = arm_breach_job(env, args.overdue)
        elapsed = self.wait_done("support_sla.ir_cron_sla_check", marks[3], OVERDUE_LEFT)
        odoo.sql_db.close_db(args.live_db)
        reference = breach_outcome(self.ref, ref_marks)
        outcome = breach_outcome(self.live, marks)
        wrong = {
            kind: self.differences(f"breach job, {kind}:", reference[kind], outcome[kind])
            for kind in reference
        }
        marked = outcome["breaches marked"]
        twice = sum(1 for n in marked.values() if n > 1)
        lost = args.overdue - len(marked)
        said = Counter()
        for kind in ("messages", "activities"):
            said.update({res_id: n for (model, res_id), n in outcome[kind].items()
                         if model == "helpdesk.ticket"})  # fmt: skip
        if silent := sum(1 for ticket in marked if not said[ticket]):
            self.problems.append(f"breaches: {silent} marked but not announced on the ticket")
        self.problems += [f"breaches: {twice} marked twice"] if twice else []
        self.problems += [f"breaches: {lost} not marked"] if lost else []
        out()
        out(f"breach job over {args.overdue:,} overdue clocks: reference {ref_time:.1f} s "
            f"({retime.summarize_batches(batches)}), two servers {elapsed:.1f} s")  # fmt: skip
        out(f"   share: {share(self.live, 'sla', marks[0], MARKED)}")
        out(f"   marked {len(marked):,}, duplicates {twice}, lost {lost}; announced in "
            f"{sum(outcome['messages'].values()):,} messages and "
            f"{sum(outcome['activities'].values()):,} activities; records differing from "
            f"the reference: {wrong}")  # fmt: skip

    def execute(self):
        import odoo
        from odoo.tools import config

        config.parse_config(["-d", self.args.live_db, *retime.odoo_args(self.args)])
        self.setup(odoo)
        self.reference_retime(odoo)
        try:
            self.start_server("A")
            self.start_server("B")
            self.servers_retime()
            self.breach_job(odoo)
        finally:
            for server in self.servers.values():
                server.kill(signal.SIGTERM)
        for server in self.servers.values():
            if server.label != self.killed:
                self.problems += [f"server {server.label}: {line}" for line in server.errors()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=20_000, help="open tickets re-timed")
    parser.add_argument("--overdue", type=int, default=5_000, help="clocks the breach job marks")
    parser.add_argument("--batch", type=int, default=1000, help="support_sla.retime_batch")
    parser.add_argument("--check-batch", type=int, default=250, help="support_sla.check_batch")
    parser.add_argument(
        "--kill-after", type=float, default=0.3, help="share of the queue done before the kill"
    )
    parser.add_argument("--cron-threads", type=int, default=2, help="cron workers per server")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per job, at most")
    parser.add_argument("--http-port", type=int, default=8070, help="first server's; then +1, +2")
    parser.add_argument("--gevent-port", type=int, default=8080, help="first server's; +1, +2")
    parser.add_argument("--prefix", default="sla_servers", help="of the databases' names")
    parser.add_argument(
        "--template", help="clone this database (both addons, no demo) instead of installing"
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--odoo-root", help="Odoo source (default: the imported odoo's)")
    parser.add_argument("--extra-addons", help="more addons paths (default: see retime.py)")
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--db-port", type=int, default=int(os.environ.get("PGPORT", "5432")))
    parser.add_argument("--db-user", default=os.environ.get("PGUSER", "odoo"))
    parser.add_argument("--db-password", default=os.environ.get("PGPASSWORD", "odoo"))
    args = parser.parse_args()
    try:
        import odoo
    except ImportError:
        out("Odoo is not importable: run this with tools/odoo-env, or install Odoo 18.0.")
        return 2
    root, extra = retime.odoo_locations()
    args.odoo_root = args.odoo_root or root
    args.extra_addons = args.extra_addons if args.extra_addons is not None else extra
    args.live_db = f"{args.prefix}_{os.getpid()}"
    args.ref_db = f"{args.live_db}_ref"
    args.logdir = tempfile.mkdtemp(prefix="bench-servers-")
    run, began = Run(args), time.perf_counter()
    try:
        run.execute()
    except Exception as error:  # noqa: BLE001 (a failure of the run, reported below)
        traceback.print_exc()
        run.problems.append(f"{type(error).__name__}: {error}")
    finally:
        odoo.sql_db.close_all()
        for db in ("ref", "live"):
            if hasattr(run, db):
                getattr(run, db).cnx.close()
        if not args.keep:
            retime.drop_database(args, args.live_db)
            retime.drop_database(args, args.ref_db)
    out()
    for problem in run.problems:
        out(f"DISCREPANCY {problem}")
    out(f"{'FAILED' if run.problems else 'OK'}: {len(run.problems)} discrepancies, "
        f"{time.perf_counter() - began:.0f} s in all; server logs in {args.logdir}")  # fmt: skip
    return 1 if run.problems else 0


if __name__ == "__main__":
    sys.exit(main())
