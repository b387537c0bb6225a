"""Pauses of the ticket's clocks: time spent waiting on the customer does not count.

A pause opens when the ticket enters a stage that pauses the SLA and closes when it
leaves it; a repair reads them again from the stage history.
"""

# One concern of the ticket per file, as Odoo splits its own models (mail/models/discuss/).
# pylint: disable=consider-merging-classes-inherited

from collections import defaultdict

from odoo import fields, models
from odoo.tools import SQL

from .helpdesk_ticket_sla_clock import aware


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    sla_paused_minutes = fields.Integer(
        string="Paused (minutes)",
        readonly=True,
        copy=False,
        help="Business minutes spent waiting on the customer; they do not count. Stored "
        "when the clocks are computed: a wait still going on counts once it ends.",
    )

    sla_pause_ids = fields.One2many("support.sla.pause", "ticket_id", string="SLA Pauses")

    def _sla_pause_changes(self, vals):
        """Tickets that enter and leave a pausing stage with ``vals``."""
        if not vals.get("stage_id"):
            return {}
        stage = self.env["helpdesk.ticket.stage"].browse(vals["stage_id"])
        moving = self.filtered(lambda t: t.stage_id.sla_pause != stage.sla_pause)
        if stage.sla_pause:
            return {"open": moving, "close": self.browse()}
        return {"open": self.browse(), "close": moving}

    def _sla_open_pauses(self, now):
        waiting = self.filtered(lambda t: t.stage_id.sla_pause)
        self.env["support.sla.pause"].sudo().create(
            [
                {"ticket_id": ticket.id, "stage_id": ticket.stage_id.id, "date_start": now}
                for ticket in waiting
            ]
        )

    def _sla_close_pauses(self, now):
        pauses = (
            self.env["support.sla.pause"]
            .sudo()
            .search([("ticket_id", "in", self.ids), ("date_end", "=", False)])
        )
        pauses.write({"date_end": now})

    def _sla_pauses(self):
        """``{ticket id: [(start, end)]}`` of the tickets' pauses (aware), in one query."""
        pauses = defaultdict(list)
        stored = tuple(id_ for id_ in self.ids if isinstance(id_, int))  # not new records
        if stored:
            self.env.cr.execute(
                SQL(
                    "SELECT ticket_id, date_start, date_end FROM support_sla_pause "
                    "WHERE ticket_id IN %s ORDER BY date_start",
                    stored,
                )
            )
            for ticket_id, date_start, date_end in self.env.cr.fetchall():
                pauses[ticket_id].append((aware(date_start), aware(date_end)))
        return pauses

    def _sla_pause_spans(self):
        """The ticket's pauses as ``[(start, end)]`` (naive UTC, end None while open)."""
        self.ensure_one()
        return [(pause.date_start, pause.date_end or None) for pause in self.sla_pause_ids]

    def _sla_rebuild_pauses(self):
        """Pauses read again from the stage history (tracking), in one query.

        A ticket whose stage changes were not tracked keeps the pauses it has.
        """
        field = self.env["ir.model.fields"]._get(self._name, "stage_id")
        self.env["mail.tracking.value"].flush_model()
        self.env["mail.message"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT message.res_id, message.date, value.old_value_integer,
                       value.new_value_integer
                  FROM mail_tracking_value value
                  JOIN mail_message message ON message.id = value.mail_message_id
                 WHERE message.model = %(model)s AND message.res_id IN %(ids)s
                   AND value.field_id = %(field)s
              ORDER BY message.res_id, message.date, value.id
                """,
                model=self._name,
                ids=tuple(self.ids) or (0,),
                field=field.id,
            )
        )
        moves = defaultdict(list)
        for ticket_id, date, old_stage, new_stage in self.env.cr.fetchall():
            moves[ticket_id].append((date, old_stage, new_stage))
        Stage = self.env["helpdesk.ticket.stage"]
        pausing = set(Stage.search([("sla_pause", "=", True)]).ids)
        Pause = self.env["support.sla.pause"].sudo()
        for ticket in self.filtered(lambda t: t.id in moves):
            history = moves[ticket.id]
            spans = []
            stage, since = history[0][1], ticket.sla_start_date
            for date, _old_stage, new_stage in history:
                if stage in pausing and date > since:
                    spans.append((since, date, stage))
                stage, since = new_stage, date
            if stage in pausing:
                spans.append((since, None, stage))
            if [(start, end) for start, end, _stage in spans] == ticket._sla_pause_spans():
                continue
            ticket.sla_pause_ids.sudo().unlink()
            Pause.create(
                [
                    {"ticket_id": ticket.id, "stage_id": stage, "date_start": start,
                     "date_end": end or False}
                    for start, end, stage in spans
                ]
            )  # fmt: skip
