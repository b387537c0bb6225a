"""The ticket's stored SLA results: read once per batch (``_sla_stored``), the values a
clock's state gives and which of them changed, the one write path of the machinery
(``_sla_store``) and the next moment the scheduled check must run (trigger); and the
batch assignment of the values the SLA displays compute (``_sla_assign``)."""

# One concern of the ticket per file, as Odoo splits its own models (mail/models/discuss/).
# pylint: disable=consider-merging-classes-inherited

from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL

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

# Changes of at least this many tickets (a job's batch) are written by _sla_store itself.
SLA_WRITE_AT_ONCE = 100
# Field types whose cache values are written as plain column values.
PLAIN_COLUMNS = {
    "boolean",
    "integer",
    "float",
    "char",
    "selection",
    "date",
    "datetime",
    "many2one",
}


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

    def _sla_assign(self, name, values):
        """Set computed field ``name`` of the tickets to ``values`` (in their order),
        one assignment per distinct value: a list shows 80 tickets and a handful of
        statuses, colours or texts, and each assignment costs the ORM's checks."""
        groups = defaultdict(list)
        for id_, value in zip(self._ids, values, strict=True):
            groups[value].append(id_)
        for value, ids in groups.items():
            self.browse(ids)[name] = value

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
        if len(changes) >= SLA_WRITE_AT_ONCE:
            self.browse([ticket.id for ticket in changes])._sla_write_pending()

    def _sla_write_pending(self):
        """Write now what the tickets have pending in the cache (a job's batch): one
        ``UPDATE ... FROM unnest(...)`` per set of fields, the values taken from the
        cache and converted as Odoo's flush does, then no longer pending.

        Odoo's flush builds each row's parameters in Python and quotes them one by
        one, in statements of 100 rows: a quarter of the CPU time of a re-timing
        batch. Fields it writes specially (translated, company-dependent, depending
        on the context, of other types than plain columns) are left to it, for all
        of these tickets.
        """
        cache = self.env.cache
        fields = [
            field
            for field in list(cache.get_dirty_fields())
            if field.model_name == self._name and cache.has_dirty_fields(self, [field])
        ]
        if any(
            field.translate
            or field.company_dependent
            or field in self.pool.field_depends_context
            or field.type not in PLAIN_COLUMNS
            for field in fields
        ):
            return
        ids = set(self._ids)
        pending = defaultdict(list)  # {id: its dirty fields}
        for field in fields:
            dirty = cache.clear_dirty_field(field)
            others = [id_ for id_ in dirty if id_ not in ids]
            if others:  # still pending for Odoo's flush
                others = self.browse(others)
                cache.update_raw(others, field, cache.get_until_miss(others, field), dirty=True)
            for id_ in dirty:
                if id_ in ids:
                    pending[id_].append(field)
        groups = defaultdict(list)
        for id_, dirty_fields in pending.items():
            groups[tuple(dirty_fields)].append(id_)
        for group_fields, group_ids in groups.items():
            records = self.browse(group_ids)
            columns = [group_ids]
            for field in group_fields:
                # Pending values are always in the cache: get_until_miss reads them all.
                values = cache.get_until_miss(records, field)
                if len(values) != len(group_ids):  # unnest would pad the column with NULLs
                    raise AssertionError(f"Pending values of {field} missing from the cache")
                columns.append([field.convert_to_column_update(value, self) for value in values])
            names = [SQL.identifier(field.name) for field in group_fields]
            self.env.cr.execute(
                SQL(
                    "UPDATE %(table)s SET %(assignments)s FROM unnest(%(arrays)s) "
                    'AS "__tmp"("id", %(names)s) WHERE %(table)s."id" = "__tmp"."id"',
                    table=SQL.identifier(self._table),
                    assignments=SQL(", ").join(
                        SQL('%s = "__tmp".%s', name, name) for name in names
                    ),
                    arrays=SQL(", ").join(
                        SQL("%s::%s[]", column, SQL(column_type))
                        for column, column_type in zip(
                            columns,
                            ["int4", *(field.column_type[1] for field in group_fields)],
                            strict=True,
                        )
                    ),
                    names=SQL(", ").join(names),
                )
            )

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
        cron = self._sla_job("support_sla.ir_cron_sla_check")
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
            cron._trigger(at)
