"""Benchmark: support_sla at scale on a real PostgreSQL database, in one run.

    python3 bench/retime.py                        # fresh databases (installs take minutes)
    python3 bench/retime.py --template tpl_demo    # clone a database with helpdesk_mgmt
    python3 bench/retime.py --scale 1000000        # and the query plans at 1,000,000 tickets

Prints, measured in the same run:

1. creating tickets with and without ``support_sla`` (two databases: one with
   ``helpdesk_mgmt`` only, one with ``support_sla`` too) and the ratio;
2. re-timing the open tickets after a change of a tier's target: the manager's
   save, then the scheduled action's batches (tickets/s end to end, queries per
   batch, memory);
3. the breach/warning job over as many running clocks, all due (queries per
   batch, time);
4. the back-office list of 80 tickets with the SLA columns (queries, time);
5. with ``--scale 1000000``: the plans of the breach and warning searches, the re-time
   selection and the SLA filters, ``EXPLAIN (ANALYZE, BUFFERS)`` on the open tickets
   alone, then once the table is filled by SQL up to that many tickets (the others
   closed): the indexes they use, no sequential scan of the tickets, and the ratio
   of their times.

Both databases are created and dropped by the script (``--keep`` keeps them).
Odoo 18 must be importable (``python3 -c "import odoo"``) and PostgreSQL
reachable: ``tools/odoo-env python3 bench/retime.py`` sees to both (installing Odoo into
``.venv/`` when ``python3`` lacks it). Odoo's addons paths and the PyPI OCA addons' are
found from the imported ``odoo`` package. Figures are printed, never asserted.
"""

import argparse
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Relational fields the web client reads with their name.
RELATIONAL = ("many2one", "one2many", "many2many")


def out(text=""):
    print(text, flush=True)


def rss_mb():
    """Resident memory of this process, in MB."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def odoo_locations():
    """Odoo's source root and the other addons directories of the imported ``odoo``
    package (where the PyPI OCA addons install: ``site-packages/odoo/addons``), the
    defaults of ``--odoo-root`` and ``--extra-addons``."""
    import odoo.addons

    root = Path(odoo.__file__).resolve().parents[1]
    own = {root / "odoo" / "addons", root / "addons"}
    extra = [path for path in odoo.addons.__path__ if Path(path).resolve() not in own]
    return str(root), ",".join(extra)


def odoo_args(args):
    paths = [f"{args.odoo_root}/odoo/addons", f"{args.odoo_root}/addons", str(ROOT)]
    if args.extra_addons:
        paths += args.extra_addons.split(",")
    addons = ",".join(path for path in paths if Path(path).is_dir())
    return [
        "--db_host", args.db_host, "--db_port", str(args.db_port),
        "--db_user", args.db_user, "--db_password", args.db_password,
        "--addons-path", addons,
    ]  # fmt: skip


def psql_env(args):
    return dict(
        os.environ,
        PGHOST=args.db_host,
        PGPORT=str(args.db_port),
        PGUSER=args.db_user,
        PGPASSWORD=args.db_password,
    )


def create_database(args, name, modules):
    """A new database with ``modules``: cloned from the template, or installed."""
    env = psql_env(args)
    subprocess.run(["dropdb", "--if-exists", name], env=env, check=True, capture_output=True)
    if args.template:
        subprocess.run(["createdb", "-T", args.template, name], env=env, check=True)
        if modules == "helpdesk_mgmt":
            return
    base = [sys.executable, "-m", "odoo", "-d", name, *odoo_args(args)]
    subprocess.run(
        [*base, "-i", modules, "--without-demo=all", "--stop-after-init",
         "--log-level=warn", "--http-port", str(args.http_port)],
        check=True,
    )  # fmt: skip


def drop_database(args, name):
    subprocess.run(["dropdb", "--if-exists", name], env=psql_env(args), check=False)


@contextmanager
def environment(registry):
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {"tracking_disable": False})


def ticket_values(env, partner, team, count, channel):
    sla = {"impact": "medium", "urgency": "medium"} if "impact" in env["helpdesk.ticket"] else {}
    return [
        {
            **sla,
            "name": f"Bench request {n}",
            "description": "<p>Backups fail</p>",
            "partner_id": partner.id,
            "team_id": team.id,
            "channel_id": channel.id,
        }
        for n in range(count)
    ]


def setup_customer(env, with_sla):
    partner = env["res.partner"].create(
        {"name": "Bench Corp", "is_company": True, "tz": "Europe/Paris"}
    )
    contact = env["res.partner"].create(
        {"name": "Bench Contact", "parent_id": partner.id, "tz": "Europe/Paris"}
    )
    team = env["helpdesk.ticket.team"].create({"name": "Bench Team"})
    channel = env.ref("helpdesk_mgmt.helpdesk_ticket_channel_web")
    if with_sla:
        env["support.entitlement"].create(
            {
                "partner_id": partner.id,
                "tier_id": env.ref("support_sla.tier_standard").id,
                "date_start": "2020-01-01",
                "state": "active",
            }
        )
    return contact, team, channel


def measure_creation(registries, count, batch):
    """Seconds spent creating ``count`` tickets in each database, batch by batch.

    The databases take turns, batch after batch, so that a change of load on
    the machine during the run weighs on both alike.
    """
    sides = []
    for registry, with_sla in registries:
        with environment(registry) as env:
            customer = [record.id for record in setup_customer(env, with_sla)]
            env.cr.commit()
        sides.append((registry, customer))
    spent = [0.0] * len(sides)
    for _start in range(0, count, batch):
        for index, (registry, (contact_id, team_id, channel_id)) in enumerate(sides):
            with environment(registry) as env:
                records = (
                    env["res.partner"].browse(contact_id),
                    env["helpdesk.ticket.team"].browse(team_id),
                    env["helpdesk.ticket.channel"].browse(channel_id),
                )
                began = time.perf_counter()
                env["helpdesk.ticket"].create(
                    ticket_values(env, records[0], records[1], batch, records[2])
                )
                env.flush_all()
                env.cr.commit()
                spent[index] += time.perf_counter() - began
    return spent


def fill_open_tickets(env, total):
    """Copy the created tickets in SQL until ``total`` open tickets, received at
    spread-out moments of the last weeks (their stored SLA values are redone by
    the re-timing anyway)."""
    env.flush_all()
    env.cr.execute("SELECT count(*) FROM helpdesk_ticket")
    have = env.cr.fetchone()[0]
    missing = max(total - have, 0)
    env.cr.execute("SELECT count(*) FROM helpdesk_ticket WHERE tier_id IS NOT NULL")
    sources = env.cr.fetchone()[0]
    if missing and sources:
        env.cr.execute(
            """
            INSERT INTO helpdesk_ticket (
                name, description, partner_id, commercial_partner_id, team_id, channel_id,
                company_id, stage_id, priority, impact, urgency, matrix_priority, entitlement_id,
                tier_id, sla_tz, sla_start_date, sla_coverage, sla_response_status,
                sla_resolve_status, sla_response_deadline, sla_response_warning_date,
                sla_calendar_id, number, active, create_date, write_date, create_uid, write_uid
            )
            SELECT t.name, t.description, t.partner_id, t.commercial_partner_id, t.team_id,
                   t.channel_id, t.company_id, t.stage_id, t.priority, t.impact, t.urgency,
                   t.matrix_priority, t.entitlement_id, t.tier_id, t.sla_tz,
                   now() at time zone 'UTC' - (g.n %% 20000) * interval '1 minute',
                   t.sla_coverage, t.sla_response_status, t.sla_resolve_status,
                   t.sla_response_deadline, t.sla_response_warning_date, t.sla_calendar_id,
                   t.number || '-' || g.n, TRUE, t.create_date, t.write_date, 1, 1
              FROM generate_series(1, %s) AS g(n)
              JOIN (
                    SELECT src.*, row_number() OVER (ORDER BY src.id) - 1 AS k
                      FROM helpdesk_ticket src WHERE src.tier_id IS NOT NULL
                   ) t ON t.k = g.n %% %s
            """,
            (missing, sources),
        )
    env.cr.execute("ANALYZE helpdesk_ticket")
    env.cr.commit()


def run_cron_batches(registry, method, cron_xmlid):
    """Run a batched scheduled action as the scheduler does (one cursor and commit
    per batch, progress reported) until nothing remains; its figures."""
    batches = []
    began = time.perf_counter()
    start_rss = rss_mb()
    peak = start_rss
    while True:
        with environment(registry) as env:
            cron = env.ref(cron_xmlid)
            cron, progress = cron._add_progress()
            tickets = env["helpdesk.ticket"].with_context(ir_cron_progress_id=progress.id)
            before = env.cr.sql_log_count
            step = time.perf_counter()
            getattr(tickets, method)()
            env.flush_all()
            queries = env.cr.sql_log_count - before
            env.cr.commit()
            batches.append((progress.done, queries, time.perf_counter() - step))
            peak = max(peak, rss_mb())
            if not progress.remaining:
                break
    return time.perf_counter() - began, batches, peak - start_rss


def summarize_batches(batches):
    sizes = [done for done, _q, _t in batches if done]
    queries = [q for done, q, _t in batches if done]
    return (
        f"{len(sizes)} batches of up to {max(sizes, default=0):,} tickets; "
        f"queries per batch {min(queries, default=0)}-{max(queries, default=0)}"
    )


def read_spec(fields):
    """The specification the web client reads a view with, from the view's ``fields``
    (as ``get_views`` gives them): every field of the view, the optional columns it
    hides too, a relation by its name."""
    return {
        name: {"fields": {"display_name": {}}} if field["type"] in RELATIONAL else {}
        for name, field in fields.items()
    }


def view_spec(tickets, view_type):
    """:func:`read_spec` of the tickets' default ``view_type`` view."""
    return read_spec(tickets.get_views([(False, view_type)])["models"][tickets._name]["fields"])


def measure_list(registry):
    from odoo.tools import config  # noqa: F401 (loaded registry)

    with environment(registry) as env:
        # The web client's context: the reader's language and companies.
        Ticket = env["helpdesk.ticket"].with_context(
            lang="en_US", allowed_company_ids=env.company.ids
        )
        spec = view_spec(Ticket, "list")
        domain = [("stage_id.closed", "=", False)]
        Ticket.web_search_read(domain, spec, limit=80)  # warm the registry caches
        env.invalidate_all()
        before = env.cr.sql_log_count
        began = time.perf_counter()
        result = Ticket.web_search_read(domain, spec, limit=80)
        elapsed = time.perf_counter() - began
        return len(result["records"]), env.cr.sql_log_count - before, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--create", type=int, default=10_000, help="tickets created per database")
    parser.add_argument("--create-batch", type=int, default=100)
    parser.add_argument("--open", type=int, default=100_000, help="open tickets re-timed")
    parser.add_argument(
        "--template", help="clone this database (with helpdesk_mgmt) instead of installing"
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument(
        "--odoo-root", help="Odoo source (for the addons path; default: the imported odoo's)"
    )
    parser.add_argument(
        "--extra-addons",
        help="more addons paths, comma-separated (default: the imported odoo.addons' other "
        "directories, where the PyPI OCA addons are)",
    )
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--db-port", type=int, default=int(os.environ.get("PGPORT", "5432")))
    parser.add_argument("--db-user", default=os.environ.get("PGUSER", "odoo"))
    parser.add_argument("--db-password", default=os.environ.get("PGPASSWORD", "odoo"))
    parser.add_argument("--http-port", type=int, default=8069)
    parser.add_argument("--prefix", default="sla_bench")
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        help="then fill the table by SQL up to this many tickets (e.g. 1000000) and compare "
        "the query plans and times of the searches with the open tickets alone",
    )
    args = parser.parse_args()
    try:
        import odoo
    except ImportError:
        out(
            "Odoo is not importable: run this with tools/odoo-env (python3 bench/retime.py"
            " becomes tools/odoo-env python3 bench/retime.py), or install Odoo 18.0."
        )
        return 2
    root, extra = odoo_locations()
    args.odoo_root = args.odoo_root or root
    args.extra_addons = args.extra_addons if args.extra_addons is not None else extra
    from odoo.tools import config

    without_db = f"{args.prefix}_without_{os.getpid()}"
    with_db = f"{args.prefix}_with_{os.getpid()}"
    try:
        out(f"creating {without_db} (helpdesk_mgmt) and {with_db} (support_sla) ...")
        create_database(args, without_db, "helpdesk_mgmt")
        create_database(args, with_db, "support_sla")
        config.parse_config(["-d", with_db, *odoo_args(args)])
        without = odoo.modules.registry.Registry(without_db)
        with_sla = odoo.modules.registry.Registry(with_db)

        # 1. creation
        plain, sla = measure_creation(
            [(without, False), (with_sla, True)], args.create, args.create_batch
        )
        out()
        out(
            f"1. creating {args.create:,} tickets (batches of {args.create_batch}, "
            "the two databases taking turns):"
        )
        out(f"   without support_sla  {plain:8.1f} s  {args.create / plain:8,.0f} tickets/s")
        out(f"   with support_sla     {sla:8.1f} s  {args.create / sla:8,.0f} tickets/s")
        out(f"   ratio                {sla / plain:8.2f} x")

        # 2. re-timing after a tier change
        with environment(with_sla) as env:
            fill_open_tickets(env, args.open)
        with environment(with_sla) as env:
            env.cr.execute(
                "SELECT count(*) FROM helpdesk_ticket "
                "WHERE sla_response_status IN ('running', 'paused')"
            )
            open_count = env.cr.fetchone()[0]
            target = env.ref("support_sla.tier_standard")._target_for("1")  # P3
            before = env.cr.sql_log_count
            began = time.perf_counter()
            target.response_minutes = 4 * 60
            env.flush_all()
            env.cr.commit()
            save = time.perf_counter() - began
            save_queries = env.cr.sql_log_count - before
        elapsed, batches, memory = run_cron_batches(
            with_sla, "_cron_sla_retime", "support_sla.ir_cron_sla_retime"
        )
        retimed = sum(done for done, _q, _t in batches)
        total = save + elapsed
        out()
        out(f"2. re-timing {open_count:,} open tickets after a tier's target changed:")
        out(f"   manager's save       {save:8.2f} s  ({save_queries} queries: found and queued)")
        out(f"   scheduled action     {elapsed:8.1f} s  {summarize_batches(batches)}")
        out(f"   end to end           {total:8.1f} s  {retimed / total:8,.0f} tickets/s")
        out(f"   memory growth        {memory:8.0f} MB over the run")

        # 3. the breach/warning job over the running clocks, all due
        with environment(with_sla) as env:
            env.cr.execute(
                """
                UPDATE helpdesk_ticket
                   SET sla_response_deadline = now() at time zone 'UTC' - interval '1 hour',
                       sla_response_warning_date = now() at time zone 'UTC' - interval '2 hours',
                       sla_response_warned = FALSE, sla_response_status = 'running'
                 WHERE sla_response_status IN ('running', 'paused')
                """
            )
            due = env.cr.rowcount
            env.cr.commit()
        elapsed, batches, memory = run_cron_batches(
            with_sla, "_cron_sla_check", "support_sla.ir_cron_sla_check"
        )
        out()
        out(f"3. breach/warning job over {due:,} running clocks past their deadline:")
        out(f"   {elapsed:8.1f} s  {summarize_batches(batches)}")
        out(f"   {due / elapsed:8,.0f} breaches marked and announced per second")

        # 4. back-office list
        records, queries, list_time = measure_list(with_sla)
        out()
        out(f"4. back-office list of {records} tickets with the SLA columns:")
        out(f"   {queries} queries, {list_time * 1000:.0f} ms")

        # 5. the searches at scale
        if args.scale:
            out()
            out("5. EXPLAIN (ANALYZE, BUFFERS) of the searches, best of 3 runs:")
            from scale import measure_scale  # bench/scale.py, beside this script

            measure_scale(with_sla, args.scale)
        odoo.modules.registry.Registry.delete(without_db)
        odoo.modules.registry.Registry.delete(with_db)
    finally:
        if not args.keep:
            odoo.sql_db.close_all()
            drop_database(args, without_db)
            drop_database(args, with_db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
