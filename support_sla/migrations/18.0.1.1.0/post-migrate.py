"""Tickets stored before 18.0.1.1.0 do not know the calendar of their clocks.

Queue the open ones: the re-timing scheduled action stores it (with their
warning moments and triggers) in batches after the upgrade.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        INSERT INTO support_sla_retime_queue (ticket_id, refresh)
        SELECT ticket.id, FALSE
          FROM helpdesk_ticket ticket
          JOIN helpdesk_ticket_stage stage ON stage.id = ticket.stage_id
         WHERE NOT COALESCE(stage.closed, FALSE)
           AND (ticket.sla_response_status IN ('running', 'paused')
                OR ticket.sla_resolve_status IN ('running', 'paused'))
            ON CONFLICT DO NOTHING
        """
    )
    if cr.rowcount:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env.ref("support_sla.ir_cron_sla_retime")._trigger()
