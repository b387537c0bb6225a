"""18.0.1.5.0 stores each ticket's next warning moment (``sla_next_warning_date``).

The column is filled here in one statement, before Odoo would compute it ticket by
ticket over the whole history; only the open tickets have a live clock to fill.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column


def migrate(cr, version):
    if not version or column_exists(cr, "helpdesk_ticket", "sla_next_warning_date"):
        return
    create_column(cr, "helpdesk_ticket", "sla_next_warning_date", "timestamp")
    live = SQL("('running', 'paused')")
    cr.execute(
        SQL(
            """
            UPDATE helpdesk_ticket
               SET sla_next_warning_date = LEAST(
                       CASE WHEN sla_response_status IN %(live)s THEN sla_response_warning_date END,
                       CASE WHEN sla_resolve_status IN %(live)s THEN sla_resolve_warning_date END)
             WHERE sla_response_status IN %(live)s OR sla_resolve_status IN %(live)s
            """,
            live=live,
        )
    )
