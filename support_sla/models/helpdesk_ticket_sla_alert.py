"""Where the ticket stands against its SLA (time left, alert level, state) and the
scheduled check that marks breaches and warns of tickets at risk, with its hooks."""

# One concern of the ticket per file, as Odoo splits its own models (mail/models/discuss/).
# pylint: disable=consider-merging-classes-inherited

import functools
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, create_index

from ..engine import (
    STATUS_BREACHED,
    STATUS_MET,
    STATUS_NONE,
    STATUS_PAUSED,
    STATUS_RUNNING,
    SlaError,
    time_left,
)
from ..tools.display import COLOR_SELECTION, STATE_COLORS, STATUS_COLORS, duration_text
from ..tools.params import positive_int_param
from .helpdesk_ticket_sla_clock import CLOCKS, LIVE, SLA_CLOCK_INPUTS, UNFINISHED, aware

# Tickets taken per run of the scheduled check, for each clock and kind
# (system parameter ``support_sla.check_batch``).
SLA_CHECK_BATCH = 1000
ALERT_LEVELS = ("ok", "warning", "danger")
# Columns of each clock its alert level is read from.
ALERT_COLUMNS = ("status", "deadline", "warning_date")
# Stored columns the time left and the alert level are read from.
SLA_DISPLAY_INPUTS = [
    *SLA_CLOCK_INPUTS,
    "sla_calendar_id",
    "sla_paused_minutes",
    *(f"sla_{clock}_{name}" for clock in CLOCKS for name in ALERT_COLUMNS),
]


def _worse(first, second):
    order = [False, *ALERT_LEVELS]
    return first if order.index(first) >= order.index(second) else second


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    sla_paused_text = fields.Char(
        string="Paused (business time)",
        compute="_compute_sla_remaining",
        help="Business time spent waiting on the customer, the current wait included; it "
        "does not count. The waits below show the calendar time.",
    )

    sla_response_remaining = fields.Float(
        string="Response Time Left",
        compute="_compute_sla_remaining",
        help="Business hours left before the response deadline (negative: overdue).",
    )

    sla_resolve_remaining = fields.Float(
        string="Resolution Time Left",
        compute="_compute_sla_remaining",
        help="Business hours left before the resolution deadline (negative: overdue).",
    )

    sla_alert = fields.Selection(
        [("ok", "On Track"), ("warning", "At Risk"), ("danger", "Breached")],
        string="SLA Alert",
        compute="_compute_sla_remaining",
        search="_search_sla_alert",
    )

    sla_next_deadline = fields.Datetime(
        string="Next Deadline",
        compute="_compute_sla_next_moments",
        store=True,
        index=True,
        help="The earliest deadline of a clock still due (running, paused or breached): "
        "what the ticket lists sort by.",
    )

    # Empty once the clocks stop, as on most of a help desk's history: PostgreSQL's
    # statistics of this column are those of the live clocks, so the SLA filters are
    # planned for the few open tickets at risk, not for the million closed ones.
    sla_next_warning_date = fields.Datetime(
        string="Next Warning",
        compute="_compute_sla_next_moments",
        store=True,
        index=True,
        help="The earliest warning moment of a running or paused clock.",
    )

    sla_state = fields.Selection(
        [
            ("breached", "Breached"),
            ("at_risk", "At Risk"),
            ("paused", "Paused — waiting on customer"),
            ("on_track", "On Track"),
            ("met", "SLA Met"),
            ("out_of_entitlement", "Out of Entitlement"),
            ("contract_expired", "Contract Expired"),
            ("no_contract", "No Support Contract"),
            ("no_target", "No Target"),
        ],
        string="SLA State",
        compute="_compute_sla_state",
        help="Where the ticket stands against its SLA, as shown on its form, list and card.",
    )
    # Colors of the badges: one mapping (tools/display.py) for form, list, card and portal.
    sla_state_color = fields.Selection(COLOR_SELECTION, compute="_compute_sla_state")
    sla_response_color = fields.Selection(COLOR_SELECTION, compute="_compute_sla_colors")
    sla_resolve_color = fields.Selection(COLOR_SELECTION, compute="_compute_sla_colors")

    def init(self):
        """Each clock's status indexed with its deadline and with its warning moment.

        What the check and the SLA filters search is a status and a moment: one index
        reads just the clocks asked for, in deadline order for the breach batches. A
        status alone (the other filters, the re-timing) reads its leading column. On
        separate columns PostgreSQL reads every open ticket of a status once the
        closed ones, all past their moments, skew its estimates (at a million tickets).
        """
        res = super().init()
        for clock in CLOCKS:
            for moment in ("deadline", "warning_date"):
                create_index(
                    self.env.cr,
                    f"helpdesk_ticket_sla_{clock}_status_{moment}_index",
                    self._table,
                    [f"sla_{clock}_status", f"sla_{clock}_{moment}", "id"],
                )
        return res

    @api.depends_context("uid", "lang")
    @api.depends(
        "sla_response_status",
        "sla_resolve_status",
        "sla_response_deadline",
        "sla_resolve_deadline",
        "sla_paused_minutes",
    )
    def _compute_sla_remaining(self):
        """Business hours left on each clock, and the alert level.

        Read from the stored deadlines, the ones the ticket shows: neither the
        promise nor the clock from its start is worked out again for a page of
        tickets. A ticket on hold is evaluated in full: its deadline moves while
        the pause lasts.
        """
        now = fields.Datetime.now()
        paused_text = functools.cache(lambda minutes: duration_text(self.env, minutes))
        live = self.filtered(
            lambda t: (
                t.id
                and (t.sla_response_status != STATUS_NONE or t.sla_resolve_status != STATUS_NONE)
            )
        )
        idle = self - live
        idle.update({"sla_response_remaining": 0, "sla_resolve_remaining": 0, "sla_alert": False})
        idle._sla_assign(
            "sla_paused_text", [paused_text(m) for m in idle.mapped("sla_paused_minutes")]
        )
        if not live:
            return
        # The columns read below, by column from the cache, after one narrow query:
        # a list asks for few of them, and the first one missing would read every
        # column of its page of tickets.
        rows = live.sudo()._sla_stored(SLA_DISPLAY_INPUTS)
        pauses_of = live._sla_pauses()
        # As the full evaluation: the clock's inputs, not the reader's rights.
        left = live.sudo()._sla_time_left(now, pauses_of, rows)
        # The warning moments shown are the stored ones: not computed again here.
        in_full = live.filtered(lambda t: t.id not in left)
        evaluation = in_full.sudo()._sla_evaluate(now, warnings=False) if in_full else {}
        levels = live._sla_alert_levels(now)
        shown = defaultdict(list)  # {field: [value of each live ticket]}
        for id_ in live.ids:
            row = rows[id_]
            minutes = row["sla_paused_minutes"] or 0
            if id_ in left:
                seconds = left[id_]
            else:
                states = evaluation[self.browse(id_).sudo()][1]
                seconds = {clock: s.state.remaining_seconds for clock, s in states.items()}
                if states:
                    minutes = max(s.state.paused_seconds for s in states.values()) // 60
            shown["sla_paused_text"].append(paused_text(minutes))
            alert = False
            for clock in CLOCKS:
                remaining = 0.0
                if row[f"sla_{clock}_status"] != STATUS_NONE and clock in seconds:
                    remaining = seconds[clock] / 3600
                    alert = _worse(alert, levels.get((id_, clock), False))
                shown[f"sla_{clock}_remaining"].append(remaining)
            shown["sla_alert"].append(alert)
        for name, values in shown.items():
            live._sla_assign(name, values)

    def _sla_time_left(self, now, pauses_of, rows):
        """``{ticket id: {clock: business seconds left}}`` read from the stored
        deadlines, for the tickets whose deadlines stand still: not the ones on
        hold (an open pause in ``pauses_of``), nor one whose time left cannot be
        read (:meth:`_sla_evaluate` says why). ``rows``: the tickets'
        ``SLA_DISPLAY_INPUTS`` (:meth:`_sla_stored`)."""
        steady = [id_ for id_ in self.ids if all(end for _begin, end in pauses_of[id_])]
        keys = {(rows[id_]["sla_calendar_id"], rows[id_]["sla_tz"]) for id_ in steady}
        schedules = self.env["resource.calendar"].sudo()._sla_schedules(keys)
        self.browse(steady).stage_id.mapped("closed")  # the stages in one query, not one each
        at = aware(now)
        result = {}
        for id_ in steady:
            row = rows[id_]
            schedule = schedules[row["sla_calendar_id"], row["sla_tz"]]
            ticket = self.browse(id_)
            seconds = {}
            try:
                for clock in CLOCKS:
                    deadline = row[f"sla_{clock}_deadline"]
                    if row[f"sla_{clock}_status"] == STATUS_NONE or not deadline:
                        continue
                    start, pauses, completed = ticket._sla_inputs(clock, now, pauses_of[id_], row)
                    until = completed or max(at, start)
                    seconds[clock] = time_left(schedule, aware(deadline), until, pauses)
            except SlaError:
                continue
            result[id_] = seconds
        return result

    def _sla_alert_levels(self, now):
        """``{(ticket id, clock): level}`` of the tickets' live clocks at ``now``.

        Read from the alert domains themselves, each turned into SQL and evaluated
        on the tickets' rows in one query: the list's filters, the search and the
        scheduled check agree with what a ticket shows.
        """
        if not self:
            return {}
        self.flush_recordset([f"sla_{clock}_{name}" for clock in CLOCKS for name in ALERT_COLUMNS])
        tickets = self.sudo()
        checks = []
        for clock in CLOCKS:
            checks.append(SQL.identifier(self._table, f"sla_{clock}_status"))
            for level in ("danger", "warning"):
                domain = self._get_sla_alert_domain(level, now, clock)
                query = tickets._where_calc(domain, active_test=False)
                checks.append(SQL("COALESCE(%s, FALSE)", query.where_clause))
        self.env.cr.execute(
            SQL(
                "SELECT id, %s FROM %s WHERE id IN %s",
                SQL(", ").join(checks),
                SQL.identifier(self._table),
                tuple(self.ids),
            )
        )
        levels = {}
        for id_, *values in self.env.cr.fetchall():
            for clock, (status, danger, warning) in zip(
                CLOCKS, zip(*[iter(values)] * 3, strict=True), strict=True
            ):
                if status == STATUS_NONE:
                    continue  # a clock without a target is at no level
                if danger:
                    levels[id_, clock] = "danger"
                elif warning:
                    levels[id_, clock] = "warning"
                elif status in LIVE:
                    # Neither in danger nor warned: ok, as the ``ok`` domain says.
                    levels[id_, clock] = "ok"
        return levels

    @api.model
    def _get_sla_alert_domain(self, level, now, clock=None):
        """Domain of the tickets at SLA alert ``level`` at ``now``.

        The one source of the ``sla_alert`` search and of the scheduled check.
        Levels: ``overdue`` (a running clock past its deadline, not marked yet),
        ``danger`` (breached or overdue), ``warning`` (a live clock past its
        warning moment, not in danger), ``ok`` (live, neither), False (no live
        clock). ``clock`` limits the domain to one clock; otherwise any clock.
        """
        clocks = [clock] if clock else list(CLOCKS)

        def any_clock(make):
            return expression.OR([make(c) for c in clocks])

        overdue = any_clock(
            lambda c: [(f"sla_{c}_status", "=", STATUS_RUNNING), (f"sla_{c}_deadline", "<", now)]
        )
        if level == "overdue":
            return overdue
        danger = expression.OR(
            [any_clock(lambda c: [(f"sla_{c}_status", "=", STATUS_BREACHED)]), overdue]
        )
        if not clock:
            # Implied (a breached or overdue clock's deadline is past), and read from
            # the column that closed tickets leave empty: PostgreSQL then expects the
            # few tickets it finds, however long the history (see sla_next_warning_date).
            danger = expression.AND([[("sla_next_deadline", "<", now)], danger])
        if level == "danger":
            return danger
        at_risk = any_clock(
            lambda c: [(f"sla_{c}_status", "in", LIVE), (f"sla_{c}_warning_date", "<=", now)]
        )
        if not clock:
            at_risk = [("sla_next_warning_date", "<=", now)]  # the same, in one column
        warning = expression.AND([at_risk, ["!", *danger]])
        if level == "warning":
            return warning
        if level == "ok":
            return expression.AND(
                [
                    any_clock(lambda c: [(f"sla_{c}_status", "in", LIVE)]),
                    ["!", *danger],
                    ["!", *at_risk],
                ]
            )
        return expression.AND(
            [[(f"sla_{c}_status", "in", (STATUS_NONE, STATUS_MET))] for c in clocks]
        )

    def _search_sla_alert(self, operator, value):
        if operator not in ("=", "!=") or value not in (*ALERT_LEVELS, False):
            raise UserError(_("Search SLA alerts with = or != and a level."))
        domain = expression.normalize_domain(
            self._get_sla_alert_domain(value, fields.Datetime.now())
        )
        return domain if operator == "=" else ["!", *domain]

    @api.depends(
        "sla_response_status",
        "sla_resolve_status",
        "sla_response_deadline",
        "sla_resolve_deadline",
        "sla_response_warning_date",
        "sla_resolve_warning_date",
    )
    def _compute_sla_next_moments(self):
        """The earliest deadline of the clocks still due, and the earliest warning
        moment of the live ones."""
        # Read by column (one cache lookup per field), not per ticket: the check and
        # the re-timing recompute them for whole batches.
        columns = [
            zip(
                self.mapped(f"sla_{clock}_status"),
                self.mapped(f"sla_{clock}_deadline"),
                self.mapped(f"sla_{clock}_warning_date"),
                strict=True,
            )
            for clock in CLOCKS
        ]
        for ticket, *clocks in zip(self, *columns, strict=True):
            ticket.sla_next_deadline = min(
                (deadline for status, deadline, _w in clocks if status in UNFINISHED and deadline),
                default=False,
            )
            ticket.sla_next_warning_date = min(
                (warning for status, _d, warning in clocks if status in LIVE and warning),
                default=False,
            )

    @api.depends("sla_alert", "sla_response_status", "sla_resolve_status", "sla_coverage")
    def _compute_sla_state(self):
        """One SLA state to show: a breach first, then a pause (its deadlines will move).

        Without a contract, one that expired says so, as the form's banner does.
        """
        uncovered = self.filtered(lambda t: t.sla_coverage == "no_contract")
        lapsed = uncovered._sla_lapsed_contracts() if uncovered else {}
        states = []
        for ticket, alert, response, resolve, coverage in zip(
            self,
            self.mapped("sla_alert"),
            self.mapped("sla_response_status"),
            self.mapped("sla_resolve_status"),
            self.mapped("sla_coverage"),
            strict=True,
        ):
            statuses = {response, resolve}
            if alert == "danger":
                state = "breached"
            elif STATUS_PAUSED in statuses:
                state = "paused"
            elif alert == "warning":
                state = "at_risk"
            elif alert == "ok":
                state = "on_track"
            elif STATUS_MET in statuses:
                state = "met"
            elif ticket in lapsed and ticket._sla_lapse(lapsed[ticket]) == "expired":
                state = "contract_expired"
            else:
                state = {
                    "channel": "out_of_entitlement",
                    "email": "out_of_entitlement",
                    "version": "out_of_entitlement",
                    "no_contract": "no_contract",
                    "no_target": "no_target",
                }.get(coverage, False)
            states.append(state)
        self._sla_assign("sla_state", states)
        self._sla_assign("sla_state_color", [STATE_COLORS.get(state, False) for state in states])

    @api.depends("sla_response_status", "sla_resolve_status")
    def _compute_sla_colors(self):
        """Colour of each clock's status badge."""
        for clock in CLOCKS:
            statuses = self.mapped(f"sla_{clock}_status")
            self._sla_assign(f"sla_{clock}_color", [STATUS_COLORS.get(s, False) for s in statuses])

    @api.model
    def _cron_sla_check(self):
        """Mark breached clocks, announce the breaches and warn of tickets at risk.

        Runs at the exact moments asked by :meth:`_sla_trigger_check`, and
        periodically as a safety net; a batch per clock and kind per run, the
        scheduler runs it again while some remain.
        """
        now = fields.Datetime.now()
        tickets = self.sudo()
        batch = positive_int_param(self.env, "support_sla.check_batch", SLA_CHECK_BATCH)
        cron = "support_sla.ir_cron_sla_check"
        taken = {}
        due = []
        # Every batch taken and locked before any is written (see _sla_take). Oldest
        # first, read along the partial indexes of init(): one batch costs the same
        # whatever the size of the history.
        for clock in CLOCKS:
            overdue = self._get_sla_alert_domain("overdue", now, clock)
            not_warned = [(f"sla_{clock}_warned", "=", False)]
            to_warn = expression.AND(
                [self._get_sla_alert_domain("warning", now, clock), not_warned]
            )
            taken[clock] = (
                tickets._sla_take(overdue, f"sla_{clock}_deadline, id", batch),
                tickets._sla_take(to_warn, f"sla_{clock}_warning_date, id", batch),
            )
            due += [overdue, to_warn]
        done = 0
        for clock, (breached, at_risk) in taken.items():
            if breached:
                breached._sla_store(
                    {ticket: {f"sla_{clock}_status": STATUS_BREACHED} for ticket in breached}
                )
                breached._sla_on_breach(clock)
            if at_risk:
                at_risk._sla_on_warning(clock)
                at_risk._sla_store({ticket: {f"sla_{clock}_warned": True} for ticket in at_risk})
            done += len(breached) + len(at_risk)
        # Counted up to one more batch: the scheduler only needs to know whether to run
        # again, and counting every due clock of a large backlog costs a scan each run.
        remaining = tickets.search_count(expression.OR(due), limit=batch)
        self._sla_batch_done(done, remaining, cron)
        self._sla_schedule_next_check(now)

    @api.model
    def _sla_schedule_next_check(self, now):
        """Trigger the check at the next warning or deadline of any ticket (one query)."""
        self.flush_model(
            [f"sla_{c}_{kind}" for c in CLOCKS for kind in ("status", "deadline", "warning_date")]
            + [f"sla_{c}_warned" for c in CLOCKS]
        )
        parts = []
        for clock in CLOCKS:
            # One status at a time: each minimum is then read at the start of the
            # (status, warning moment) index; over both statuses at once PostgreSQL
            # reads every live clock's warning still ahead (a sequential scan once its
            # statistics lag behind a large batch).
            parts += [
                SQL(
                    "(SELECT MIN(%(warning)s) FROM helpdesk_ticket WHERE %(status)s = %(live)s "
                    "AND NOT COALESCE(%(warned)s, FALSE) AND %(warning)s > %(now)s)",
                    warning=SQL.identifier(f"sla_{clock}_warning_date"),
                    warned=SQL.identifier(f"sla_{clock}_warned"),
                    status=SQL.identifier(f"sla_{clock}_status"),
                    live=status,
                    now=now,
                )
                for status in LIVE
            ]
            parts.append(
                SQL(
                    "(SELECT MIN(%(deadline)s) + interval '1 second' FROM helpdesk_ticket "
                    "WHERE %(status)s = %(running)s AND %(deadline)s >= %(now)s)",
                    deadline=SQL.identifier(f"sla_{clock}_deadline"),
                    status=SQL.identifier(f"sla_{clock}_status"),
                    running=STATUS_RUNNING,
                    now=now,
                )
            )
        self.env.cr.execute(SQL("SELECT LEAST(%s)", SQL(", ").join(parts)))
        moment = self.env.cr.fetchone()[0]
        if moment:
            self._sla_trigger_check(moment, now)

    def _sla_on_warning(self, clock):
        """Hook: ``clock`` of the tickets has just reached its warning moment (once per
        clock). Announces it; addons extend it to act on tickets at risk."""
        self._sla_warn(clock)

    def _sla_on_breach(self, clock):
        """Hook: ``clock`` of the tickets has just been marked breached (once per clock).
        Announces it; addons extend it to act on breaches."""
        self._sla_notify_breach(clock)
