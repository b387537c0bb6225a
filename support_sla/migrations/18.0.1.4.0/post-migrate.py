"""Tickets stored before 18.0.1.4.0 have no business time to first response or to
resolution: measure their stopped clocks, so that the SLA reports of past months
read real times."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["helpdesk.ticket"]._sla_backfill_figures()
