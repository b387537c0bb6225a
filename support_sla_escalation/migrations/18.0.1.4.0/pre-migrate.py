"""18.0.1.4.0 renames the team's ``sla_escalation`` to ``escalation_sla_trigger``.

The ``sla_`` prefix is support_sla's (it adds ``sla_acknowledge`` to the same model): the
escalation's fields say ``escalation``. The column, its field and their external ids are
renamed before the registry loads, so that no value is lost.
"""

from odoo.tools.sql import column_exists, rename_column

OLD, NEW = "sla_escalation", "escalation_sla_trigger"


def migrate(cr, version):
    if not version or not column_exists(cr, "helpdesk_ticket_team", OLD):
        return
    rename_column(cr, "helpdesk_ticket_team", OLD, NEW)
    cr.execute(
        "UPDATE ir_model_fields SET name = %s WHERE model = 'helpdesk.ticket.team' AND name = %s",
        [NEW, OLD],
    )
    cr.execute(
        """
        UPDATE ir_model_data
           SET name = replace(name, %s, %s)
         WHERE module = 'support_sla_escalation'
           AND model IN ('ir.model.fields', 'ir.model.fields.selection')
           AND name LIKE %s
        """,
        [
            f"helpdesk_ticket_team__{OLD}",
            f"helpdesk_ticket_team__{NEW}",
            f"%helpdesk_ticket_team__{OLD}%",
        ],
    )
