"""Load test: the same users on helpdesk_mgmt alone and with the SLA addons, in one run.

    python3 bench/load.py                   # 20,000 tickets, 200 customers, 60 s a side
    python3 bench/load.py --duration 120 --portal 20 --agents 8

For each of two databases (``helpdesk_mgmt`` alone; ``helpdesk_mgmt`` with ``support_sla``
and ``support_sla_escalation``; with ``--base``, a third one between them, with the OCA
modules the escalation requires and without the addons) it installs the modules without
demo data, loads the customers (companies, contacts, portal users, contracts with the
addons) and the agents through the ORM and the bulk of the tickets by SQL, then serves the
database with ``odoo --workers`` (cron workers on: the SLA check and the re-timing run, a
tier's target is changed during the run) while, for a fixed duration:

- portal customers sign in, open /my/tickets and a ticket, submit a ticket and, with the
  addons, ask the preview of the promise and change a priority;
- agents, over JSON-RPC as the web client, read the ticket list (80 rows; the SLA columns
  with the addons), open a form, post a reply and, with the addons, escalate a ticket or
  bring it back (the form's button and its wizard);
- e-mails open tickets through ``mail.thread.message_process``, as odoo-mailgate does.

It prints per side the requests per second and p50/p95/p99 per request type, then the
ratio of the p95 with the addons to helpdesk_mgmt alone for the shared request types.
Figures are printed, never asserted; the exit status is 1 when a request failed (HTTP
status >= 400, a JSON-RPC or XML-RPC fault) or the server logged an error. Odoo's paths
come from the imported ``odoo`` package; e-mails go to a local sink the script runs.
The databases are dropped at the end (``--keep`` keeps them).
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import load_server
import load_users
from load_fill import fill
from retime import create_database, drop_database, odoo_args, odoo_locations


def out(text=""):
    print(text, flush=True)


SIDES = (
    ("without", "helpdesk_mgmt alone", "helpdesk_mgmt"),
    ("with", "helpdesk_mgmt + support_sla + support_sla_escalation", "support_sla_escalation"),
)
# With --base, a third side between them: the OCA modules that the product specification
# has the escalation invoice Level 2 time with (time on tickets and its sale order line,
# with project, timesheets and sales), without the SLA addons. It tells what those
# modules cost from what the addons themselves cost.
BASE_SIDE = (
    "base",
    "helpdesk_mgmt + helpdesk_mgmt_timesheet_sale (the modules the escalation requires)",
    "helpdesk_mgmt_timesheet_sale",
)


def sides(args):
    """``(side, label, module)`` of each database of the run, in the order of the turns."""
    return (SIDES[0], BASE_SIDE, SIDES[1]) if args.base else SIDES


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--tickets", type=int, default=20_000, help="tickets in each database")
    add("--customers", type=int, default=200, help="customer companies, one portal user each")
    add("--duration", type=int, default=60, help="seconds measured per side")
    add("--warmup", type=int, default=15, help="seconds of load before measuring")
    add("--portal", type=int, default=8, help="concurrent portal customers")
    add("--agents", type=int, default=4, help="concurrent agents")
    add("--mailers", type=int, default=1, help="concurrent mail gateways")
    add("--think", type=float, default=2.0, help="mean pause between a user's requests (s)")
    add("--turns", type=int, default=2, help="turns each side takes, one after the other")
    add("--due", type=int, default=300, help="SLA clocks falling due in each turn")
    add("--workers", type=int, default=4, help="odoo --workers")
    add("--cron-workers", type=int, default=2, help="odoo --max-cron-threads")
    add("--slowest", type=int, default=0, help="print this many slowest requests per side, "
        "with the time they began (to read beside the server logs)")  # fmt: skip
    add(
        "--base",
        action="store_true",
        help="a third side: helpdesk_mgmt with the OCA "
        "modules the escalation requires, without the SLA addons",
    )
    add("--keep", action="store_true", help="keep the databases")
    add("--odoo-root", help="Odoo source (for the addons path; default: the imported odoo's)")
    add("--extra-addons", help="more addons paths, comma-separated (default: the imported "
        "odoo.addons' other directories, where the PyPI OCA addons are)")  # fmt: skip
    add("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    add("--db-port", type=int, default=int(os.environ.get("PGPORT", "5432")))
    add("--db-user", default=os.environ.get("PGUSER", "odoo"))
    add("--db-password", default=os.environ.get("PGPASSWORD", "odoo"))
    add("--http-port", type=int, default=8069)
    add("--gevent-port", type=int, default=8072)
    add("--prefix", default="sla_load")
    args = parser.parse_args()
    args.template = None  # retime.create_database: always a fresh install
    return args


def prepare(args, side, db, modules):
    """Install ``modules`` in a new database ``db`` and fill it; the plan of the load."""
    import odoo

    began = time.perf_counter()
    create_database(args, db, modules)
    installed = time.perf_counter() - began
    registry = odoo.modules.registry.Registry(db)
    began = time.perf_counter()
    plan = fill(registry, args.customers, args.tickets, args.agents, side == "with")
    caught_up = catch_up_jobs(db)
    odoo.modules.registry.Registry.delete(db)
    odoo.sql_db.close_all()
    out(
        f"   {db}: {modules} installed in {installed:.0f} s; {plan['tickets']:,} tickets, "
        f"{len(plan['customers'])} customers with a portal user, {len(plan['agents'])} agents "
        f"loaded in {time.perf_counter() - began:.0f} s; {caught_up} scheduled job(s) due "
        "brought up to date"
    )
    return plan


def catch_up_jobs(db):
    """Run the scheduled jobs due on the new database, as its scheduler would have on a
    database in use: otherwise every daily job of every installed module (the internal
    data's auto-vacuum, invoicing, payments...) would run in the first measured turn, and
    more of them on the side with more modules. The number of jobs run."""
    from odoo.addons.base.models.ir_cron import ir_cron

    ran = 0
    for _round in range(5):
        with odoo_cursor(db) as cr:
            due = len(ir_cron._get_all_ready_jobs(cr))
        if not due:
            break
        ran += due
        ir_cron._process_jobs(db)
    return ran


def odoo_cursor(db):
    import odoo

    return odoo.sql_db.db_connect(db).cursor()


def run_slice(args, side, db, plan, sink, stats, seconds):
    """Serve ``db`` and run the users against it for ``seconds`` after the warm-up; the
    seconds measured, what the SLA jobs did, the errors the server logged."""
    with_sla = side == "with"
    if with_sla:
        load_server.queue_sla_work(args, db, args.warmup + seconds, args.due)
    before = load_server.sla_counts(args, db) if with_sla else None
    log = Path(tempfile.mkdtemp(prefix="sla_load_")) / f"{db}.log"
    server = load_server.start(args, db, sink.port, log)
    if args.slowest:
        out(f"      server log: {log}")
    try:
        url = f"http://127.0.0.1:{args.http_port}"
        run = load_users.Run(url, db, plan, stats, args.think, with_sla)
        run.measure_from = time.monotonic() + args.warmup
        run.stop_at = run.measure_from + seconds
        threads = [
            threading.Thread(target=user, args=(run, n), daemon=True)
            for user, count in (
                (load_users.portal_customer, args.portal),
                (load_users.agent, args.agents),
                (load_users.mail_gateway, args.mailers),
                (load_server.change_target, 1 if with_sla else 0),
            )
            for n in range(count)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(run.stop_at - time.monotonic(), 0) + load_users.TIMEOUT)
        measured = time.monotonic() - run.measure_from
    finally:
        load_server.stop(server)
    jobs = load_server.sla_jobs(args, db, before) if with_sla else None
    return measured, jobs, load_server.log_errors(log)


def run_sides(args, names, plans, sink):
    """The sides take turns, ``--turns`` slices each, so that a change of load on the
    machine weighs on both alike; per side the stats, seconds, jobs and logged errors."""
    results = {side: [load_users.Stats(), 0.0, [], [], 0] for side, _label, _mod in sides(args)}
    for number in range(args.turns):
        for side, _label, module in sides(args):
            load = " ".join(f"{value:.1f}" for value in os.getloadavg())
            out(f"   turn {number + 1}/{args.turns}, {module} (load average {load})")
            result = results[side]
            measured, jobs, (errors, retried) = run_slice(
                args, side, names[side], plans[side], sink, result[0], args.duration / args.turns
            )
            result[1] += measured
            result[2] += [jobs] if jobs else []
            result[3] += errors
            result[4] += retried
    return results


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def print_slowest(stats, count):
    """The ``count`` slowest requests, with the moment each began (the servers' log time)."""
    for began, kind, seconds in sorted(stats.began, key=lambda item: -item[2])[:count]:
        moment = time.strftime("%H:%M:%S", time.gmtime(began))
        out(f"   slow: {moment} {kind:36} {seconds * 1000:8.0f} ms")


def print_side(label, stats, measured, jobs, log_errors, retried):
    out()
    out(f"== {label}: {measured:.0f} s measured")
    out(f"   {'request':36} {'count':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>6}")  # fmt: skip
    total = errors = 0
    for kind in sorted(set(stats.times) | set(stats.errors)):
        times = stats.times.get(kind, [])
        failed = stats.errors.get(kind, 0)
        total += len(times) + failed
        errors += failed
        figures = [percentile(times, share) * 1000 for share in (0.5, 0.95, 0.99)] if times else []
        shown = " ".join(f"{value:8.0f}" for value in figures) or f"{'-':>8} {'-':>8} {'-':>8}"
        out(f"   {kind:36} {len(times):6} {len(times) / measured:7.2f} {shown} {failed:6}")
    out(f"   {'all requests':36} {total:6} {total / measured:7.2f} {'':26} {errors:6}")
    for sample in stats.samples:
        out(f"   error: {sample}")
    for number, text in enumerate(jobs, 1):
        out(f"   scheduled jobs in turn {number}: {text}")
    out(
        f"   server log: {len(log_errors)} error(s); {retried} concurrent update(s) refused "
        "by PostgreSQL and retried by Odoo"
    )
    for line in log_errors[:10]:
        out(f"   | {line[:300]}")
    return errors + len(log_errors)


def print_ratios(results):
    plain, sla = results["without"][0], results["with"][0]
    base = results["base"][0] if "base" in results else None
    out()
    out("== p95 with the addons / helpdesk_mgmt alone, shared request types (target <= 1.3x)")
    if base:
        out("   (and the p95 of the modules the escalation requires: with the addons / them)")
    for kind in sorted(set(plain.times) & set(sla.times)):
        p95 = percentile(plain.times[kind], 0.95), percentile(sla.times[kind], 0.95)
        line = (
            f"   {kind:36} {p95[0] * 1000:8.0f} ms {p95[1] * 1000:8.0f} ms {p95[1] / p95[0]:6.2f}x"
        )
        if base and kind in base.times:
            required = percentile(base.times[kind], 0.95)
            line += f"   {required * 1000:8.0f} ms {p95[1] / required:6.2f}x"
        out(line)


def main():
    args = parse_args()
    try:
        import odoo
        import odoo.release
    except ImportError:
        out("Odoo is not importable: run this with tools/odoo-env, or install Odoo 18.0.")
        return 2
    root, extra = odoo_locations()
    args.odoo_root = args.odoo_root or root
    args.extra_addons = args.extra_addons if args.extra_addons is not None else extra
    from odoo.tools import config

    config.parse_config([*odoo_args(args), "--log-level=warn"])
    names = {side: f"{args.prefix}_{side}_{os.getpid()}" for side, _label, _mod in sides(args)}
    sink = load_server.SmtpSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    # The jobs brought up to date before the turns send their e-mails to the sink too.
    config["smtp_server"], config["smtp_port"] = "127.0.0.1", sink.port
    failures = 0
    try:
        out(f"machine: {os.cpu_count()} CPUs, Odoo {odoo.release.version}, PostgreSQL on "
            f"{args.db_host}:{args.db_port}")  # fmt: skip
        out(
            f"1. {len(names)} databases, {args.tickets:,} tickets and {args.customers} "
            "customers each"
        )
        plans = {side: prepare(args, side, names[side], mod) for side, _label, mod in sides(args)}
        out()
        out(
            f"2. {args.duration} s per side in {args.turns} turn(s) each, every turn after "
            f"{args.warmup} s of warm-up on a freshly started server: {args.portal} portal "
            f"customers, {args.agents} agents, {args.mailers} mail gateway(s), "
            f"{args.think:.1f} s mean think time; odoo --workers={args.workers} "
            f"--max-cron-threads={args.cron_workers}"
        )
        results = run_sides(args, names, plans, sink)
        for side, label, _mod in sides(args):
            failures += print_side(label, *results[side])
            print_slowest(results[side][0], args.slowest)
        print_ratios(results)
        out(f"   e-mails sent by the servers to the local sink: {sink.messages}")
    finally:
        sink.shutdown()
        if not args.keep:
            for name in names.values():
                drop_database(args, name)
    if failures:
        out(f"{failures} error(s): see above.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
