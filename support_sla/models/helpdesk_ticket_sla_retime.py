"""Re-timing open tickets after a change of SLA configuration (at once or queued for a
scheduled action), and the repair of a ticket's clocks from its own history."""

# One concern of the ticket per file, as Odoo splits its own models (mail/models/discuss/).
# pylint: disable=consider-merging-classes-inherited

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, create_index

from ..engine import STATUS_NONE
from ..tools.params import positive_int_param
from .helpdesk_ticket_sla_clock import CLOCKS, LIVE

# Re-timing after a configuration change: up to this many tickets in the same
# transaction, more in batches of SLA_RETIME_BATCH by a scheduled action (system
# parameters ``support_sla.retime_threshold`` and ``support_sla.retime_batch``).
SLA_RETIME_THRESHOLD = 200
SLA_RETIME_BATCH = 2000
# What a repair reports in the chatter when it changes it.
SLA_REPAIR_REPORTED = (
    "sla_first_response_date",
    "sla_response_status",
    "sla_response_deadline",
    "sla_resolve_status",
    "sla_resolve_deadline",
    "sla_paused_minutes",
)


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    sla_retime_pending = fields.Boolean(
        string="SLA Re-timing Pending",
        compute="_compute_sla_retime_pending",
        search="_search_sla_retime_pending",
        help="The SLA configuration changed: a scheduled action re-times this ticket.",
    )

    def init(self):
        """A partial index of the tickets whose clocks may still move, by tier: the
        selection after a tier's change reads the open tickets, not the whole history
        (its predicate is the status part of :meth:`_sla_retime_domain`, as Odoo writes
        it, so that PostgreSQL matches the two)."""
        res = super().init()
        movable = ", ".join(f"'{status}'" for status in (STATUS_NONE, *LIVE))
        create_index(
            self.env.cr,
            "helpdesk_ticket_sla_movable_tier_index",
            self._table,
            ["tier_id", "stage_id"],
            where=" OR ".join(f"sla_{clock}_status IN ({movable})" for clock in CLOCKS),
        )
        return res

    @api.model
    def _sla_retime_domain(self):
        """Open tickets with a clock that may still move (not met nor breached)."""
        movable = (STATUS_NONE, *LIVE)
        return [
            ("stage_id.closed", "=", False),
            "|",
            ("sla_response_status", "in", movable),
            ("sla_resolve_status", "in", movable),
        ]

    @api.model
    def _sla_retime(self, domain, refresh=False):
        """Re-time the open tickets of ``domain`` after a change of SLA configuration.

        ``refresh``: the change may also move their tier, time zone or matrix
        priority (entitlements, the matrix), which are recomputed first.
        They are found in one query. Up to the threshold (system parameter
        ``support_sla.retime_threshold``) they are re-timed at once; more are
        queued in one INSERT and re-timed in batches by a scheduled action.
        """
        tickets = self.sudo()
        domain = expression.AND([self._sla_retime_domain(), domain])
        threshold = positive_int_param(
            self.env, "support_sla.retime_threshold", SLA_RETIME_THRESHOLD
        )
        found = tickets.search(domain, limit=threshold + 1, order="id")
        if len(found) <= threshold:
            found._sla_retime_now(refresh)
            return found
        query = tickets._search(domain)
        self.env["support.sla.retime.queue"].flush_model()
        self.env.cr.execute(
            SQL(
                "INSERT INTO support_sla_retime_queue (ticket_id, refresh) %s "
                "ON CONFLICT (ticket_id) DO UPDATE SET refresh = "
                "support_sla_retime_queue.refresh OR EXCLUDED.refresh",
                query.select(SQL.identifier(query.table, "id"), SQL("%s", bool(refresh))),
            )
        )
        tickets.invalidate_model(["sla_retime_pending"])
        self._sla_job("support_sla.ir_cron_sla_retime")._trigger()
        return tickets.browse()

    def _sla_retime_now(self, refresh=False):
        """Re-time the tickets' clocks; with ``refresh``, their tier, zone and matrix
        priority first."""
        tickets = self.sudo()
        if refresh:
            tickets._sla_refresh_contract()
        tickets._sla_update()

    def _sla_refresh_contract(self):
        """Recompute the tier, zone, matrix priority and priority that the tickets follow.

        The priority follows the matrix priority unless overridden: recomputed after it.
        """
        tickets = self
        names = ["tier_id", "sla_tz", "matrix_priority", "priority"]
        # Stored values in the cache first: only the ones that change are written.
        tickets.fetch(names)
        for name in names:
            self.env.add_to_compute(tickets._fields[name], tickets)
            tickets._recompute_recordset([name])

    @api.model
    def _cron_sla_retime(self):
        """Re-time one batch of queued tickets; the scheduler runs it again until done.

        The batch's tickets are locked, skipping those others are writing (see
        :meth:`_sla_take`; two workers never take the same ticket), and taken off
        the queue in the transaction that re-times them, which the scheduler
        commits: after a crash or a restart the batch is still queued and is done
        again.
        """
        batch = positive_int_param(self.env, "support_sla.retime_batch", SLA_RETIME_BATCH)
        self.env.cr.execute(
            SQL(
                "SELECT ticket_id FROM support_sla_retime_queue ORDER BY ticket_id LIMIT %s",
                batch,
            )
        )
        queued = [ticket_id for (ticket_id,) in self.env.cr.fetchall()]
        # The tickets locked first (see _sla_take), archived ones too: those another
        # transaction is writing stay queued for a later batch.
        tickets = self.sudo().browse()
        if queued:
            tickets = tickets.browse(
                tickets.with_context(active_test=False)
                ._sla_take([("id", "in", queued)], "id", None)
                .ids
            )
        rows = []
        if tickets:
            self.env.cr.execute(
                SQL(
                    "DELETE FROM support_sla_retime_queue WHERE ticket_id IN %s "
                    "RETURNING ticket_id, refresh",
                    tuple(tickets.ids),
                )
            )
            rows = sorted(self.env.cr.fetchall())
            tickets = tickets.browse([ticket_id for ticket_id, _refresh in rows])
        tickets.invalidate_recordset(["sla_retime_pending"])
        tickets.browse(
            [ticket_id for ticket_id, refresh in rows if refresh]
        )._sla_refresh_contract()
        tickets._sla_retime_now()
        self.env.cr.execute("SELECT COUNT(*) FROM support_sla_retime_queue")
        remaining = self.env.cr.fetchone()[0]
        self._sla_batch_done(len(tickets), remaining, "support_sla.ir_cron_sla_retime")
        # The next batch starts with an empty cache: memory stays bounded.
        self.env.flush_all()
        self.env.invalidate_all()

    def _compute_sla_retime_pending(self):
        """Whether the ticket waits in the re-timing queue (one query)."""
        stored = tuple(id_ for id_ in self.ids if isinstance(id_, int))
        queued = set()
        if stored:
            self.env.cr.execute(
                SQL(
                    "SELECT ticket_id FROM support_sla_retime_queue WHERE ticket_id IN %s",
                    stored,
                )
            )
            queued = {row[0] for row in self.env.cr.fetchall()}
        for ticket in self:
            ticket.sla_retime_pending = ticket.id in queued

    def _search_sla_retime_pending(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search tickets being re-timed with = or != and a boolean."))
        queued = SQL("(SELECT ticket_id FROM support_sla_retime_queue)")
        pending = (operator == "=") == value
        return [("id", "in" if pending else "not in", queued)]

    @api.model
    def _sla_retime_counts(self, field_name, records):
        """``{record: number of its tickets waiting to be re-timed}`` (one query)."""
        groups = self.sudo()._read_group(
            [(field_name, "in", records.ids), ("sla_retime_pending", "=", True)],
            [field_name],
            ["__count"],
        )
        return {record.id: count for record, count in groups}

    def action_sla_repair(self):
        """Rebuild the clocks from the ticket's own history; say what changed.

        Start, pauses, first public reply and closing are read again, and every
        clock (met and breached ones too) is recomputed. A second run changes
        nothing.
        """
        if not self.env.user.has_group("helpdesk_mgmt.group_helpdesk_manager"):
            raise UserError(_("Only helpdesk managers can repair SLA clocks."))
        tickets = self.sudo()
        tracked = [name for name in SLA_REPAIR_REPORTED if name in tickets._fields]
        before = {ticket: {name: ticket[name] for name in tracked} for ticket in tickets}
        pauses_before = {ticket: ticket._sla_pause_spans() for ticket in tickets}
        tickets._sla_rebuild_first_response()
        tickets._sla_rebuild_pauses()
        tickets._sla_update(repair=True)
        notes = {}
        for ticket in tickets:
            lines = [
                ticket._sla_change_line(name, before[ticket][name])
                for name in tracked
                if ticket[name] != before[ticket][name]
            ]
            if ticket._sla_pause_spans() != pauses_before[ticket]:
                lines.append(
                    _(
                        "Pauses: %(old)s → %(new)s",
                        old=len(pauses_before[ticket]),
                        new=len(ticket.sla_pause_ids),
                    )
                )
            if lines:
                notes[ticket.id] = Markup("%s<ul>%s</ul>") % (
                    _("SLA repaired from the ticket's history:"),
                    Markup().join(Markup("<li>%s</li>") % line for line in lines),
                )
        if notes:
            tickets.browse(list(notes))._message_log_batch(bodies=notes)
        return True

    def _sla_rebuild_first_response(self):
        """First public reply of an agent, read again from the messages (one query)."""
        comment = self.env.ref("mail.mt_comment")
        self.env["mail.message"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT message.res_id, MIN(message.date)
                  FROM mail_message message
                  JOIN res_users author ON author.partner_id = message.author_id
                 WHERE message.model = %(model)s AND message.res_id IN %(ids)s
                   AND message.message_type = 'comment' AND message.subtype_id = %(comment)s
                   AND NOT author.share
              GROUP BY message.res_id
                """,
                model=self._name,
                ids=tuple(self.ids) or (0,),
                comment=comment.id,
            )
        )
        first = dict(self.env.cr.fetchall())
        self._sla_store(
            {
                ticket: {"sla_first_response_date": first.get(ticket.id) or False}
                for ticket in self
                if ticket.sla_first_response_date != (first.get(ticket.id) or False)
            }
        )

    def _sla_change_line(self, name, old):
        """``Field: old → new`` for the repair note, dates in the customer's time."""
        field = self._fields[name]

        def text(value):
            if field.type == "datetime":
                return self._sla_local_text(value) or _("none")
            if field.type == "selection":
                labels = dict(field._description_selection(self.env))
                return labels.get(value) or _("none")
            return str(value) if value else _("none")

        return _(
            "%(field)s: %(old)s → %(new)s",
            field=field._description_string(self.env),
            old=text(old),
            new=text(self[name]),
        )
