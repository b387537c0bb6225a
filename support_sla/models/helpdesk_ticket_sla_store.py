"""The ticket's stored SLA results: read once per batch (``_sla_stored``), the values a
clock's state gives and which of them changed, the one write path of the machinery
(``_sla_store``) and the next moment the scheduled check must run (trigger)."""

# One concern of the ticket per file, as Odoo splits its own models (mail/models/discuss/).
# pylint: disable=consider-merging-classes-inherited

from collections import defaultdict

from odoo import api, models

from ..engine import STATUS_BREACHED, STATUS_NONE, STATUS_RUNNING
from .helpdesk_ticket_sla_clock import (
    CLOCKS,
    FROZEN,
    LIVE,
    ONE_SECOND,
    SLA_STORED,
    minute_ceiling,
    naive,
)
from .helpdesk_ticket_sla_gap import OUT_OF_ENTITLEMENT


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    def _sla_stored(self, names=None):
        """``{ticket id: {field: stored value}}`` of ``names`` (default ``SLA_STORED``;
        a many2one as its id).

        Read once per batch, a column at a time from the cache: reading each field
        of each ticket through the ORM was most of the cost of re-timing a batch.
        """
        names = names or SLA_STORED
        self.fetch(names)
        cache = self.env.cache
        columns = []
        for name in names:
            values = cache.get_until_miss(self, self._fields[name])
            if len(values) < len(self):  # not all in cache (new records): one by one
                values = [self._fields[name].convert_to_cache(t[name], t) for t in self]
            columns.append(values)
        return {
            id_: dict(zip(names, row, strict=True))
            for id_, row in zip(self._ids, zip(*columns, strict=True), strict=True)
        }

    def _sla_values(self, coverage, states, now, repair=False, current=None):
        """Stored values of one ticket's evaluated clocks; ``current``: its stored
        values (:meth:`_sla_stored`), read when not given."""
        self.ensure_one()
        if current is None:
            current = self._sla_stored()[self.id]
        vals = {
            "sla_coverage": coverage,
            "sla_out_of_entitlement": coverage in OUT_OF_ENTITLEMENT,
        }
        calendars = {sla_clock.calendar_id for sla_clock in states.values()}
        vals["sla_calendar_id"] = next(iter(calendars), False) or False
        paused = []
        for clock in CLOCKS:
            if not repair and current[f"sla_{clock}_status"] in FROZEN:
                continue
            if clock not in states:
                vals.update(
                    {
                        f"sla_{clock}_status": STATUS_NONE,
                        f"sla_{clock}_deadline": False,
                        f"sla_{clock}_warning_date": False,
                    }
                )
                continue
            state, warning, _calendar_id, completed = states[clock]
            status = state.status
            if status == STATUS_BREACHED and completed is None and not repair:
                # Still open past its deadline: the scheduled check marks it and
                # announces the breach, once.
                status = STATUS_RUNNING
            vals.update(
                {
                    f"sla_{clock}_status": status,
                    f"sla_{clock}_deadline": naive(state.deadline),
                    f"sla_{clock}_warning_date": warning,
                }
            )
            # A warning moved into the future may warn again, once.
            if current[f"sla_{clock}_warned"] and warning > now:
                vals[f"sla_{clock}_warned"] = False
            paused.append(state.paused_seconds // 60)
        if paused:
            vals["sla_paused_minutes"] = max(paused)
        return vals

    def _sla_changed_values(self, vals, current=None):
        """The part of ``vals`` that differs from what the ticket stores (``current``,
        read when not given)."""
        self.ensure_one()
        if current is None:
            current = self._sla_stored()[self.id]
        return {
            name: value
            for name, value in vals.items()
            if (current[name] or False) != (value or False)
        }

    def _sla_store(self, changes):
        """Write ``{ticket: values}``, the machinery's one write path.

        The SLA fields are not tracked and only the SLA machinery writes them: no
        ``write()`` (access rights, tracking, the refusal of typed SLA values), the
        values go into the cache as pending writes and their dependents are told.
        Odoo's flush then writes each ticket's pending values, the recomputed stored
        ones (``sla_next_deadline``...) among them, in one grouped ``UPDATE ... FROM
        VALUES`` per set of fields: one statement per batch, not one per concern.
        """
        by_fields = defaultdict(list)
        for ticket, vals in changes.items():
            by_fields[tuple(sorted(vals))].append((ticket, vals))
        cache = self.env.cache
        for fnames, rows in by_fields.items():
            records = self.browse([ticket.id for ticket, _vals in rows])
            relational = [name for name in fnames if self._fields[name].relational]
            if relational:
                records.modified(relational, before=True)
            for name in fnames:
                field = self._fields[name]
                values = [field.convert_to_cache(vals[name], ticket) for ticket, vals in rows]
                cache.update(records, field, values, dirty=True)
            # Who and when, pending too, as write() does (a pending value is never dropped).
            for name, value in (("write_date", self.env.cr.now()), ("write_uid", self.env.uid)):
                field = self._fields[name]
                cache.update(
                    records, field, [field.convert_to_cache(value, records)] * len(rows), dirty=True
                )
            records.modified(fnames)
        # Dependents now, so that whatever flushes next writes them in the same UPDATE.
        self._recompute_model()

    def _sla_next_moment(self, vals, now, current=None):
        """Earliest upcoming warning or deadline of the ticket's live clocks.

        ``vals`` are the values being stored; the others are the stored ones
        (``current``, read when not given).
        """
        self.ensure_one()
        if current is None:
            current = self._sla_stored()[self.id]
        stored = {**current, **vals}
        moments = []
        for clock in CLOCKS:
            status = stored[f"sla_{clock}_status"]
            if status not in LIVE:
                continue
            warning = stored[f"sla_{clock}_warning_date"]
            warned = stored[f"sla_{clock}_warned"]
            if warning and not warned:
                moments.append(max(warning, now))
            deadline = stored[f"sla_{clock}_deadline"]
            if status == STATUS_RUNNING and deadline:
                moments.append(max(deadline + ONE_SECOND, now))
        return min(moments, default=None)

    @api.model
    def _sla_trigger_check(self, moment, now):
        """One trigger of the SLA check at the minute of ``moment``.

        Nothing is added when a trigger already runs the check between now and
        then: that run schedules the next moment itself.
        """
        cron = self.env.ref("support_sla.ir_cron_sla_check", raise_if_not_found=False)
        if not cron:
            return
        at = minute_ceiling(moment)
        pending = (
            self.env["ir.cron.trigger"]
            .sudo()
            .search_count(
                [("cron_id", "=", cron.id), ("call_at", ">", now), ("call_at", "<=", at)],
                limit=1,
            )
        )
        if not pending:
            cron.sudo()._trigger(at)
