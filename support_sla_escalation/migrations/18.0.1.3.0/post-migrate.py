"""Data stored before 18.0.1.3.0 followed rules that depended on the path.

Tickets of teams logging time got their team's project only from the form; billable Level 2
hours logged from a view got no consulting sale line. Both follow the one rule now.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["helpdesk.ticket"]._fill_missing_team_projects()
    lines = env["account.analytic.line"].search([("consulting_split", "!=", False)])
    env.add_to_compute(lines._fields["so_line"], lines)
    env.flush_all()
