"""Benchmark: the SLA Overview dashboard and the customer's SLA report on many tickets.

    python3 bench/report.py -d <database with support_sla> [--tickets 100000]

Adds ``--tickets`` tickets to the database in one INSERT (a year of them, spread over
200 customers, four priorities, the tiers and the teams, with met, breached and running
clocks and their stored business minutes), then times, in the same run:

1. the dashboard's graph (compliance per month and tier: ``read_group``, as the web
   client asks it), its pivot (per customer and month) and the lists of the tickets at
   risk and of the breaches of the last 30 days (``search`` of the first 80 and a
   ``search_count``), each once cold then the best of five;
2. a customer's 12-month report (``support.sla.report._sla_report_data``);
3. the customers below target over three months.

Everything is rolled back at the end: the database is left as it was. Figures are
printed, never asserted.
"""

import argparse
import time

import odoo
from odoo.tools import config

CUSTOMERS = 200

INSERT = """
WITH customers AS (
    SELECT p.id, row_number() OVER (ORDER BY p.id) AS n
      FROM res_partner p WHERE p.name LIKE 'Bench SLA Customer %%'
)
INSERT INTO helpdesk_ticket (
    name, description, number, partner_id, commercial_partner_id, company_id, team_id,
    stage_id, priority, tier_id, sla_tz, sla_start_date, sla_coverage,
    sla_response_status, sla_resolve_status, sla_response_deadline, sla_response_warning_date,
    sla_response_business_minutes, sla_resolve_business_minutes, sla_paused_minutes,
    sla_response_compliance, active, create_date, write_date
)
SELECT 'Bench ' || g, '<p>bench</p>', 'B' || g, c.id, c.id, %(company)s,
       (%(teams)s)[1 + g %% array_length(%(teams)s, 1)], %(stage)s,
       (g %% 4)::text, (%(tiers)s)[1 + g %% array_length(%(tiers)s, 1)], 'Europe/Paris',
       now() - (g %% 365) * interval '1 day', 'covered',
       CASE WHEN g %% 10 = 0 THEN 'breached' WHEN g %% 50 = 1 THEN 'running' ELSE 'met' END,
       'none',
       CASE WHEN g %% 50 = 1 THEN now() + interval '1 hour'
            ELSE now() - (g %% 365) * interval '1 day' + interval '1 hour' END,
       CASE WHEN g %% 50 = 1 THEN now() - interval '10 minutes' END,
       CASE WHEN g %% 50 = 1 THEN NULL ELSE 5 + g %% 120 END,
       CASE WHEN g %% 3 = 0 THEN 60 + g %% 2000 END, g %% 7 * 10,
       CASE WHEN g %% 10 = 0 THEN 0 WHEN g %% 50 = 1 THEN NULL ELSE 100 END,
       true, now(), now()
  FROM generate_series(1, %(count)s) g
  JOIN customers c ON c.n = 1 + g %% %(customers)s
"""


def timed(label, call, repeat=5):
    start = time.perf_counter()
    call()
    cold = time.perf_counter() - start
    best = cold
    for _run in range(repeat):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    print(f"  {label:<58} cold {cold * 1000:7.1f} ms   best {best * 1000:7.1f} ms", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--odoo-args", default="", help="extra Odoo options, e.g. --db_host")
    args = parser.parse_args()
    config.parse_config(["-d", args.database, *args.odoo_args.split()])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        fill(env, args.tickets)
        measure(env)
        cr.rollback()


def fill(env, count):
    company = env.company
    env["res.partner"].create(
        [{"name": f"Bench SLA Customer {n}", "is_company": True} for n in range(CUSTOMERS)]
    )
    env.flush_all()
    teams = env["helpdesk.ticket.team"].search([]).ids or [
        env["helpdesk.ticket.team"].create({"name": "Bench"}).id
    ]
    start = time.perf_counter()
    env.cr.execute(
        INSERT,
        {
            "company": company.id,
            "teams": teams,
            "stage": env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id,
            "tiers": env["support.tier"].search([]).ids,
            "count": count,
            "customers": CUSTOMERS,
        },
    )
    env.cr.execute("ANALYZE helpdesk_ticket")
    total = env["helpdesk.ticket"].search_count([])
    print(
        f"{count} tickets inserted in {time.perf_counter() - start:.1f} s "
        f"({total} in the database)",
        flush=True,
    )


def measure(env):
    Ticket = env["helpdesk.ticket"]
    tracked = [("sla_coverage", "=", "covered")]
    print("SLA Overview:")
    timed(
        "graph: compliance per month and tier (read_group)",
        lambda: Ticket.read_group(
            tracked,
            ["sla_response_compliance:avg"],
            ["sla_start_date:month", "tier_id"],
            lazy=False,
        ),
    )
    timed(
        "pivot: compliance per customer and month (read_group)",
        lambda: Ticket.read_group(
            tracked,
            ["sla_response_compliance:avg", "sla_response_business_minutes:avg"],
            ["commercial_partner_id", "sla_start_date:month"],
            lazy=False,
        ),
    )
    timed(
        "tickets at risk: first 80 and the count",
        lambda: (
            Ticket.search([("sla_alert", "=", "warning")], limit=80).read(["name"]),
            Ticket.search_count([("sla_alert", "=", "warning")]),
        ),
    )
    timed(
        "breaches of the last 30 days per priority (read_group)",
        lambda: Ticket.read_group(
            [
                ("sla_response_status", "=", "breached"),
                ("sla_response_deadline", ">=", odoo.fields.Datetime.subtract(
                    odoo.fields.Datetime.now(), days=30)),
            ],
            ["__count"],
            ["priority", "team_id"],
            lazy=False,
        ),
    )  # fmt: skip
    customer = env["res.partner"].search([("name", "=", "Bench SLA Customer 7")])
    Report = env["support.sla.report"]
    months = Report._sla_report_months(odoo.fields.Date.today())
    print("Customer report:")
    timed("12 months of one customer (/my/sla)", lambda: Report._sla_report_data(customer, months))
    date_from, date_to = env["res.company"]._sla_report_recent()
    timed(
        "customers below target over 3 months",
        lambda: env.company._sla_report_below_target(date_from, date_to),
    )


if __name__ == "__main__":
    main()
