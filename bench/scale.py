"""The searches of support_sla at scale, for ``bench/retime.py --scale N``.

The table is filled by SQL up to N tickets (the added ones closed, their clocks met),
and the searches that must not slow down as the history grows (the breach and warning
batches, the re-time selection, the SLA filters) are run with ``EXPLAIN (ANALYZE,
BUFFERS)`` on the open tickets alone, then at N: their times, the indexes they read, and
whether any reads the ticket table sequentially.
"""

import time
from contextlib import closing

from retime import environment, out


def fill_closed_tickets(env, total):
    """Closed tickets copied in SQL (one INSERT ... SELECT) until ``total`` tickets:
    their clocks met long ago, as most of a help desk's history is."""
    env.flush_all()
    env.cr.execute("SELECT count(*) FROM helpdesk_ticket")
    missing = max(total - env.cr.fetchone()[0], 0)
    env.cr.execute(
        "SELECT id FROM helpdesk_ticket_stage WHERE closed ORDER BY sequence, id LIMIT 1"
    )
    closed_stage = env.cr.fetchone()[0]
    if missing:
        env.cr.execute(
            """
            INSERT INTO helpdesk_ticket (
                name, description, partner_id, commercial_partner_id, team_id, channel_id,
                company_id, stage_id, priority, impact, urgency, matrix_priority, entitlement_id,
                tier_id, sla_tz, sla_start_date, sla_coverage, sla_response_status,
                sla_resolve_status, sla_response_deadline, sla_response_warning_date,
                sla_response_warned, sla_resolve_warned, sla_first_response_date, closed_date,
                sla_calendar_id, number, active, create_date, write_date, create_uid, write_uid
            )
            SELECT t.name, t.description, t.partner_id, t.commercial_partner_id, t.team_id,
                   t.channel_id, t.company_id, %(stage)s, t.priority, t.impact, t.urgency,
                   t.matrix_priority, t.entitlement_id, t.tier_id, t.sla_tz, g.received,
                   t.sla_coverage, 'met', 'met', g.received + interval '4 hours',
                   g.received + interval '3 hours', TRUE, TRUE, g.received + interval '1 hour',
                   g.received + interval '1 day', t.sla_calendar_id, 'C-' || g.n, TRUE,
                   g.received, g.received, 1, 1
              FROM (SELECT n, now() at time zone 'UTC' - interval '30 days'
                              - (n %% 1000000) * interval '3 minutes' AS received
                      FROM generate_series(1, %(missing)s) AS n) g
              CROSS JOIN (SELECT * FROM helpdesk_ticket WHERE tier_id IS NOT NULL
                           ORDER BY id LIMIT 1) t
            """,
            {"stage": closed_stage, "missing": missing},
        )
    env.cr.execute("ANALYZE helpdesk_ticket")
    env.cr.commit()


def spread_open_clocks(env):
    """The open tickets' clocks spread around now, as on a working day: about 5 % past
    their response deadline, as many at risk, the others on track."""
    env.cr.execute(
        """
        UPDATE helpdesk_ticket t
           SET sla_response_status = 'running', sla_resolve_status = 'running',
               sla_response_deadline = now() at time zone 'UTC'
                                       + ((t.id % 1000) - 50) * interval '1 minute',
               sla_response_warning_date = now() at time zone 'UTC'
                                           + ((t.id % 1000) - 100) * interval '1 minute',
               sla_resolve_deadline = now() at time zone 'UTC'
                                      + ((t.id % 1000) + 2000) * interval '1 minute',
               sla_resolve_warning_date = now() at time zone 'UTC'
                                          + ((t.id % 1000) + 1500) * interval '1 minute',
               sla_response_warned = FALSE, sla_resolve_warned = FALSE
          FROM helpdesk_ticket_stage s
         WHERE s.id = t.stage_id AND NOT COALESCE(s.closed, FALSE)
        """
    )
    # The stored next moments follow, as the ORM would recompute them.
    env.cr.execute(
        """
        UPDATE helpdesk_ticket
           SET sla_next_deadline = LEAST(sla_response_deadline, sla_resolve_deadline),
               sla_next_warning_date = LEAST(sla_response_warning_date, sla_resolve_warning_date)
         WHERE sla_response_status = 'running'
        """
    )
    env.cr.commit()
    vacuum(env.cr.dbname)


def vacuum(dbname):
    """``VACUUM ANALYZE`` of the tickets, as autovacuum does after a bulk change (the
    indexes then no longer list the rows' old versions); outside a transaction."""
    import psycopg2

    from odoo.sql_db import connection_info_for

    _name, info = connection_info_for(dbname)
    with closing(psycopg2.connect(**info)) as connection:
        connection.autocommit = True
        connection.cursor().execute("VACUUM ANALYZE helpdesk_ticket")


def scale_queries(env):
    """``{name: SQL}`` of the searches that must not slow down as the table grows,
    built by the ORM from the addon's own domains (what the job and the list run)."""
    from odoo import fields
    from odoo.osv import expression
    from odoo.tools import SQL

    Ticket = env["helpdesk.ticket"].with_context(active_test=True)
    now = fields.Datetime.now()
    tier = env.ref("support_sla.tier_standard")

    def page(domain, order, limit):
        return Ticket._search(domain, order=order, limit=limit).select()

    def count(domain):
        query = Ticket._search(domain)
        return query.select(SQL("COUNT(*)"))

    warning = expression.AND(
        [
            Ticket._get_sla_alert_domain("warning", now, "response"),
            [("sla_response_warned", "=", False)],
        ]
    )
    retime = expression.AND([Ticket._sla_retime_domain(), [("tier_id", "in", tier.ids)]])
    return {
        "breach search (overdue clocks, a batch)": page(
            Ticket._get_sla_alert_domain("overdue", now, "response"),
            "sla_response_deadline, id",
            1000,
        ),
        "warning search (clocks at risk, a batch)": page(
            warning, "sla_response_warning_date, id", 1000
        ),
        "re-time selection (a tier's open tickets)": count(retime),
        "filter SLA breached: first page": page([("sla_alert", "=", "danger")], Ticket._order, 80),
        "filter SLA breached: count": count([("sla_alert", "=", "danger")]),
        "filter SLA at risk: first page": page([("sla_alert", "=", "warning")], Ticket._order, 80),
        "filter SLA at risk: count": count([("sla_alert", "=", "warning")]),
    }


def explain(env, query, runs=3):
    """(best execution time in ms, index names used, tables read by a sequential scan)."""
    from odoo.tools import SQL

    best = None
    for _run in range(runs):
        env.cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) %s", query))
        plan = env.cr.fetchone()[0][0]
        best = min(best or plan["Execution Time"], plan["Execution Time"])
    indexes, scans = set(), set()
    nodes = [plan["Plan"]]
    while nodes:
        node = nodes.pop()
        nodes.extend(node.get("Plans", []))
        if node.get("Index Name"):
            indexes.add(node["Index Name"])
        if node["Node Type"] == "Seq Scan":
            scans.add(node["Relation Name"])
    return best, sorted(indexes), sorted(scans)


def measure_scale(registry, total):
    """The plans and times of :func:`scale_queries` on the open tickets alone, then
    with the table filled up to ``total`` tickets."""
    figures = {}
    sizes = []
    for fill in (None, total):
        with environment(registry) as env:
            if fill:
                began = time.perf_counter()
                fill_closed_tickets(env, fill)
                out(f"   filled to {fill:,} tickets by SQL in {time.perf_counter() - began:.0f} s")
            spread_open_clocks(env)
            env.cr.execute(
                "SELECT count(*), count(*) FILTER (WHERE NOT COALESCE(s.closed, FALSE)) "
                "FROM helpdesk_ticket t JOIN helpdesk_ticket_stage s ON s.id = t.stage_id"
            )
            sizes.append(env.cr.fetchone())
            for name, query in scale_queries(env).items():
                figures.setdefault(name, []).append(explain(env, query))
            env.cr.rollback()
    (small, small_open), (large, large_open) = sizes
    out(f"   {small:,} tickets ({small_open:,} open), then {large:,} ({large_open:,} open):")
    for name, ((before, indexes, scans), (after, indexes_after, scans_after)) in figures.items():
        # Where every ticket is open, reading the table may be the planner's best choice.
        seq = [
            f"{count:,}"
            for count, tables in ((small, scans), (large, scans_after))
            if "helpdesk_ticket" in tables
        ]
        out(
            f"   {name:44} {before:8.1f} ms  {after:8.1f} ms  {after / before:5.2f} x"
            f"  {'seq scan of helpdesk_ticket at ' + ' and '.join(seq) if seq else 'no seq scan'}"
        )
        out(f"   {'':44} indexes: {', '.join(sorted(set(indexes + indexes_after))) or '-'}")
