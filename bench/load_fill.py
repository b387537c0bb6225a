"""The database of bench/load.py: customers with portal users, agents, a team with its
e-mail alias, and tickets (a few through the ORM, the bulk copied by SQL).

Run in-process on an Odoo registry; returns the plan the virtual users follow.
"""

from retime import environment

PASSWORD = "bench-load-password"
ALIAS_DOMAIN = "bench.example.com"
ALIAS = "support"
# Tickets made through the ORM per customer (then copied by SQL): one left open, one closed.
SOURCES_PER_CUSTOMER = 2
# Columns the copy must not keep from its source.
COPY_OVERRIDES = {
    "number": "t.number || '-' || g.n",
    "name": "t.name || ' #' || g.n",
    "access_token": "NULL",
    "create_date": "now() at time zone 'UTC' - (g.n %% 40000) * interval '1 minute'",
}


def fill(registry, customers, tickets, agents, with_sla):
    """Fill the database; the plan of the load (logins, tickets, specs)."""
    with environment(registry) as env:
        team = setup_teams(env)
        agent_users = create_agents(env, team, agents)
        portal_users = create_customers(env, customers, with_sla)
        create_source_tickets(env, portal_users, team, with_sla)
        copy_tickets(env, tickets)
        set_passwords(env, agent_users | portal_users | env.ref("base.user_admin"))
        env.cr.execute("ANALYZE")
        customers = customer_tickets(env, portal_users)
        plan = {
            "customers": customers,
            "open_tickets": sorted(t for tickets in customers.values() for t in tickets),
            "password": PASSWORD,
            "admin_uid": env.ref("base.user_admin").id,
            "escalation_reasons": escalation_reasons(env),
            "agents": agent_users.mapped("login"),
            "alias": f"{ALIAS}@{ALIAS_DOMAIN}",
            "target_id": with_sla and env.ref("support_sla.tier_standard")._target_for("1").id,
        }
        env.cr.execute("SELECT count(*) FROM helpdesk_ticket")
        plan["tickets"] = env.cr.fetchone()[0]
        env.cr.commit()
    return plan


def setup_teams(env):
    """The customers' team, reached by e-mail at support@<alias domain>; with the
    escalation addon, a Level 2 team it escalates to."""
    domain = env["mail.alias.domain"].create({"name": ALIAS_DOMAIN})
    env.company.alias_domain_id = domain
    team = env["helpdesk.ticket.team"].create({"name": "Bench Support"})
    team.alias_id.write({"alias_name": ALIAS, "alias_domain_id": domain.id})
    # The bench's customers open more tickets in minutes (portal and e-mail) than Odoo's
    # loop detection lets one sender open in two hours (20): their e-mails would be
    # dropped as a loop, and message_process answer nothing XML-RPC can send.
    env["ir.config_parameter"].set_param("mail.gateway.loop.threshold", 100_000)
    if "escalation_team_id" in team._fields:
        level2 = env["helpdesk.ticket.team"].create(
            {"name": "Bench Level 2", "support_level": "l2"}
        )
        team.write({"support_level": "l1", "escalation_team_id": level2.id})
    return team


def create_agents(env, team, count):
    groups = env.ref("helpdesk_mgmt.group_helpdesk_user") | env.ref("base.group_user")
    # Agents log their time where timesheets exist (the escalation addon's forms show it).
    groups |= env.ref("hr_timesheet.group_hr_timesheet_user", raise_if_not_found=False) or groups
    users = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            [
                {
                    "name": f"Agent {n:02d}",
                    "login": f"agent{n:02d}@{ALIAS_DOMAIN}",
                    "email": f"agent{n:02d}@{ALIAS_DOMAIN}",
                    "groups_id": [(6, 0, groups.ids)],
                }
                for n in range(count)
            ]
        )
    )
    env["helpdesk.ticket.team"].search([]).write({"user_ids": [(4, user.id) for user in users]})
    return users


def create_customers(env, count, with_sla):
    """``count`` companies with one contact each, a portal user (and a contract)."""
    companies = env["res.partner"].create(
        [
            {
                "name": f"Customer {n:03d}",
                "is_company": True,
                "tz": "Europe/Paris",
                "email": f"office@customer{n:03d}.example.com",
            }
            for n in range(count)
        ]
    )
    contacts = env["res.partner"].create(
        [
            {
                "name": f"Contact {n:03d}",
                "parent_id": company.id,
                "email": f"contact@customer{n:03d}.example.com",
            }
            for n, company in enumerate(companies)
        ]
    )
    portal = env.ref("base.group_portal")
    users = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            [
                {
                    "login": contact.email,
                    "partner_id": contact.id,
                    "groups_id": [(6, 0, portal.ids)],
                }
                for contact in contacts
            ]
        )
    )
    if with_sla:
        tier = env.ref("support_sla.tier_standard")
        env["support.entitlement"].create(
            [
                {
                    "partner_id": company.id,
                    "tier_id": tier.id,
                    "date_start": "2020-01-01",
                    "state": "active",
                }
                for company in companies
            ]
        )
    return users


def create_source_tickets(env, users, team, with_sla):
    """Tickets made as the ORM makes them (numbers, SLA values), half of them closed."""
    channel = env.ref("helpdesk_mgmt.helpdesk_ticket_channel_web")
    sla = {"impact": "medium", "urgency": "medium"} if with_sla else {}
    Ticket = env["helpdesk.ticket"].with_context(tracking_disable=True)
    created = Ticket.create(
        [
            {
                **sla,
                "name": f"Request {n} of {user.partner_id.parent_id.name}",
                "description": "<p>The nightly export stops halfway.</p>",
                "partner_id": user.partner_id.id,
                "team_id": team.id,
                "channel_id": channel.id,
            }
            for user in users
            for n in range(SOURCES_PER_CUSTOMER)
        ]
    )
    closed = env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)
    created[1::SOURCES_PER_CUSTOMER].write({"stage_id": closed.id})
    env.flush_all()


def copy_tickets(env, total):
    """Copy the tickets made so far, every column as it is but the number, the name
    and the date, until there are ``total``."""
    env.cr.execute("SELECT count(*) FROM helpdesk_ticket")
    sources = env.cr.fetchone()[0]
    missing = total - sources
    if missing <= 0:
        return
    env.cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'helpdesk_ticket' AND column_name != 'id' ORDER BY ordinal_position"
    )
    columns = [row[0] for row in env.cr.fetchall()]
    values = ", ".join(COPY_OVERRIDES.get(column, f"t.{column}") for column in columns)
    quoted = ", ".join(f'"{column}"' for column in columns)
    env.cr.execute(
        f"""
        INSERT INTO helpdesk_ticket ({quoted})
        SELECT {values}
          FROM generate_series(1, %s) AS g(n)
          JOIN (SELECT src.*, row_number() OVER (ORDER BY src.id) - 1 AS k
                  FROM helpdesk_ticket src) t ON t.k = g.n %% %s
        """,  # column names from the catalogue, values as parameters
        (missing, sources),
    )


def set_passwords(env, users):
    """One password for every user of the load, hashed once (hashing takes a while)."""
    hashed = env["res.users"]._crypt_context().hash(PASSWORD)
    env.cr.execute("UPDATE res_users SET password = %s WHERE id = ANY(%s)", (hashed, users.ids))
    env.invalidate_all()


def customer_tickets(env, users):
    """Each portal login with its customer's open tickets."""
    env.cr.execute(
        """
        SELECT u.login, array_agg(t.id ORDER BY t.id)
          FROM res_users u
          JOIN res_partner p ON p.id = u.partner_id
          JOIN helpdesk_ticket t ON t.commercial_partner_id = p.parent_id
          JOIN helpdesk_ticket_stage s ON s.id = t.stage_id AND NOT s.closed
         WHERE u.id = ANY(%s)
         GROUP BY u.login
        """,
        (users.ids,),
    )
    return dict(env.cr.fetchall())


def escalation_reasons(env):
    """A reason the agents give to move a ticket to each level (none charged)."""
    if "support.escalation.reason" not in env:
        return {}
    Reason = env["support.escalation.reason"]
    return {
        level: Reason.search(
            [("to_level", "=", level), ("billable", "=", False), ("rnd_involved", "=", False)],
            limit=1,
        ).id
        for level in ("l1", "l2")
    }
