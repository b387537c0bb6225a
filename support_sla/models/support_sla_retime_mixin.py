from odoo import fields, models


class SupportSlaRetimeMixin(models.AbstractModel):
    """SLA configuration whose changes re-time the open tickets that follow it.

    A tier, a contract or a calendar: a change of one of ``_sla_retime_fields``
    re-times the open tickets whose ``_sla_retime_ticket_field`` is the record, at
    once or queued (``helpdesk.ticket._sla_retime``); ``sla_retime_count`` tells
    how many still wait.
    """

    _name = "support.sla.retime.mixin"
    _description = "SLA configuration that re-times tickets"

    # The ticket field that names the record, and the record's fields that move clocks.
    _sla_retime_ticket_field = None
    _sla_retime_fields = frozenset()
    # Whether such a change may also move the tickets' tier, time zone or matrix priority.
    _sla_retime_refresh = False

    sla_retime_count = fields.Integer(
        string="Tickets Being Re-timed", compute="_compute_sla_retime_count"
    )

    def _compute_sla_retime_count(self):
        """Open tickets of the record still waiting to be re-timed (one query)."""
        counts = self.env["helpdesk.ticket"]._sla_retime_counts(self._sla_retime_ticket_field, self)
        for record in self:
            record.sla_retime_count = counts.get(record.id, 0)

    def write(self, vals):
        result = super().write(vals)
        if self._sla_retime_fields & vals.keys():
            self._sla_retime_tickets()
        return result

    def _sla_ticket_domain(self):
        """The tickets that follow these records."""
        return [(self._sla_retime_ticket_field, "in", self.ids)]

    def _sla_retime_tickets(self):
        """Re-time the open tickets that follow these records (one query)."""
        self.env["helpdesk.ticket"]._sla_retime(
            self._sla_ticket_domain(), refresh=self._sla_retime_refresh
        )
