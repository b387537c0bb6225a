"""Billable hours follow their ticket's sale line since 18.0.1.4.0.

Before, they went to the contract's consulting line whatever the ticket said: billable
tickets now show that line, which their next hours follow. The hours already logged keep
their line (the same one).
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    tickets = (
        env["helpdesk.ticket"].with_context(active_test=False).search([("billable", "=", True)])
    )
    env.add_to_compute(tickets._fields["sale_line_id"], tickets)
    env.flush_all()
