"""Tickets stored before 18.0.1.1.0 do not know the calendar of their clocks.

Flag the open ones: the re-timing scheduled action stores it (with their
warning moments and triggers) in batches after the upgrade.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE helpdesk_ticket ticket
           SET sla_retime_pending = TRUE
          FROM helpdesk_ticket_stage stage
         WHERE stage.id = ticket.stage_id AND NOT COALESCE(stage.closed, FALSE)
           AND (ticket.sla_response_status IN ('running', 'paused')
                OR ticket.sla_resolve_status IN ('running', 'paused'))
        """
    )
