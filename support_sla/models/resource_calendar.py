import threading
from collections import OrderedDict
from datetime import timezone

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import ormcache

from ..engine import STATUS_PAUSED, STATUS_RUNNING, Schedule, SlaError
from .helpdesk_ticket_sla_clock import CLOCKS
from .sla_error import sla_error_message

# Schedules keep the open time they computed per year: share them between requests.
# Keyed by their whole content (windows, zone, closures), so a changed calendar gives
# a new key and can never be served stale.
_SCHEDULES = OrderedDict()
_SCHEDULES_SIZE = 256
_SCHEDULES_LOCK = threading.Lock()


def _shared(schedule):
    """The cached schedule equal to ``schedule`` (kept warm), or ``schedule`` itself."""
    key = schedule.key
    with _SCHEDULES_LOCK:
        cached = _SCHEDULES.get(key)
        if cached is not None:
            _SCHEDULES.move_to_end(key)
            return cached
        _SCHEDULES[key] = schedule
        if len(_SCHEDULES) > _SCHEDULES_SIZE:
            _SCHEDULES.popitem(last=False)
        return schedule


class ResourceCalendar(models.Model):
    _name = "resource.calendar"
    _inherit = ["resource.calendar", "support.sla.retime.mixin"]
    _sla_retime_ticket_field = "sla_calendar_id"
    # Attendances and time off re-time through their own models.
    _sla_retime_fields = frozenset(
        {"tz", "sla_company_holidays", "two_weeks_calendar", "flexible_hours"}
    )

    sla_company_holidays = fields.Boolean(
        string="Closed on Company Holidays",
        default=True,
        help="SLA clocks stop on the company-wide public holidays (time off with no "
        "working time). Untick it for round-the-clock coverage that runs on holidays, "
        "such as a 24/7 calendar for P1 tickets.",
    )

    def _sla_retime_closed(self, company_holidays=False, since=None):
        """Re-time the tickets of these calendars after a change of their time off.

        ``company_holidays``: the company-wide time off changed, which closes
        every calendar that follows it. ``since`` (naive UTC): the earliest start
        of the time off that changed; a clock due before it cannot cross it and
        is left alone (next year's holidays re-time nothing today), a paused one
        may resume into it and is re-timed.
        """
        self.env.registry.clear_cache()  # the cached inputs of _sla_calendar_inputs
        domain = self._sla_ticket_domain()
        if company_holidays:
            domain = expression.OR([domain, [("sla_calendar_id.sla_company_holidays", "=", True)]])
        if since:
            domain = expression.AND(
                [
                    domain,
                    expression.OR(
                        [[(f"sla_{clock}_status", "=", STATUS_PAUSED)] for clock in CLOCKS]
                        + [
                            [
                                (f"sla_{clock}_status", "=", STATUS_RUNNING),
                                (f"sla_{clock}_deadline", ">=", since),
                            ]
                            for clock in CLOCKS
                        ]
                    ),
                ]
            )
        self.env["helpdesk.ticket"]._sla_retime(domain)

    @api.model
    def _sla_schedules(self, keys):
        """Engine schedules ``{(calendar_id, tz): Schedule}`` for ``(calendar_id, tz)`` keys.

        ``calendar_id`` False means 24x7. A calendar's attendances become weekly
        windows read in ``tz`` (the customer's zone, not necessarily the
        calendar's); its global time off and the company-wide time off (no
        calendar) become closures. Attendances and time off of every calendar are
        read in two queries, whatever the number of keys.
        """
        keys = set(keys)
        calendars = self.browse({calendar_id for calendar_id, _tz in keys if calendar_id})
        # The calendar's own settings as they are now (a constraint may ask mid-write).
        calendars._sla_check_one_week()
        inputs = self._sla_calendar_inputs(tuple(sorted(calendars.ids))) if calendars else {}
        schedules = {}
        for calendar_id, tz in keys:
            try:
                if not calendar_id:
                    schedules[calendar_id, tz] = Schedule.twenty_four_seven(tz)
                    continue
                windows, closures = inputs[calendar_id]
                schedules[calendar_id, tz] = _shared(Schedule(windows, tz, closures=closures))
            except SlaError as error:
                calendar = self.browse(calendar_id)
                raise UserError(
                    _(
                        "The working time %(calendar)s cannot be used for SLA "
                        "deadlines: %(reason)s",
                        calendar=calendar.display_name or _("24x7"),
                        reason=sla_error_message(self.env, error),
                    )
                ) from error
        return schedules

    @api.model
    @ormcache("calendar_ids")
    def _sla_calendar_inputs(self, calendar_ids):
        """``{calendar_id: (windows, closures)}`` of these calendars, kept by the registry.

        Every page of tickets, form and new ticket needs them and they seldom change:
        read once per worker, not per request. Every change that moves them (lines,
        public holidays, the calendar's settings) re-times the tickets through
        :meth:`_sla_retime_tickets` or :meth:`_sla_retime_closed`, which clear the
        cache first; Odoo tells the other workers.
        """
        calendars = self.sudo().browse(calendar_ids)
        windows = calendars._sla_windows()
        closures = calendars._sla_closures()
        return {
            calendar_id: (tuple(windows[calendar_id]), tuple(closures[calendar_id]))
            for calendar_id in calendar_ids
        }

    def _sla_retime_tickets(self):
        self.env.registry.clear_cache()  # the cached inputs of _sla_calendar_inputs
        return super()._sla_retime_tickets()

    def _sla_schedule(self, tz=None):
        """Engine schedule of this calendar (24x7 if empty), read in ``tz``."""
        if self:
            self.ensure_one()
        tz = tz or self.tz or "UTC"
        return self._sla_schedules([(self.id, tz)])[self.id, tz]

    def _sla_windows(self):
        """``{calendar_id: [(weekday, hour_from, hour_to)]}`` of working attendances."""
        self._sla_check_one_week()
        windows = {calendar.id: [] for calendar in self}
        # One query: the lines and the values read below.
        attendances = self.env["resource.calendar.attendance"].search_fetch(
            [
                ("calendar_id", "in", self.ids),
                ("resource_id", "=", False),
                ("display_type", "=", False),
                ("day_period", "!=", "lunch"),
            ],
            ["calendar_id", "dayofweek", "hour_from", "hour_to", "date_from", "date_to"],
        )
        for attendance in attendances:
            if attendance.date_from or attendance.date_to:
                raise UserError(
                    _(
                        "SLA coverage cannot follow working hours limited in time: "
                        "remove the dates of the line %(line)s of %(calendar)s.",
                        line=attendance.display_name,
                        calendar=attendance.calendar_id.display_name,
                    )
                )
            windows[attendance.calendar_id.id].append(
                (int(attendance.dayofweek), attendance.hour_from, attendance.hour_to)
            )
        return windows

    def _sla_check_one_week(self):
        """Raise a UserError unless every calendar is one week of fixed hours."""
        unsupported = self.filtered(lambda cal: cal.two_weeks_calendar or cal.flexible_hours)
        if unsupported:
            raise UserError(
                _(
                    "SLA coverage needs a one-week calendar with fixed working hours; "
                    "%(calendars)s is not.",
                    calendars=", ".join(unsupported.mapped("display_name")),
                )
            )

    def _sla_closures(self):
        """``{calendar_id: [(start, end)]}`` of public holidays (global time off).

        Time off of the calendar closes it; company-wide time off (no calendar)
        closes the calendars that follow company holidays.
        """
        closures = {calendar.id: [] for calendar in self}
        for leave in self._sla_holiday_leaves():
            interval = (
                leave.date_from.replace(tzinfo=timezone.utc),
                leave.date_to.replace(tzinfo=timezone.utc),
            )
            if leave.calendar_id:
                targets = [leave.calendar_id.id]
            else:
                targets = [cal.id for cal in self if cal.sla_company_holidays]
            for calendar_id in targets:
                closures[calendar_id].append(interval)
        return closures

    def _sla_holiday_leaves(self, date_from=None, date_to=None, limit=None):
        """The public holidays that close these calendars, by date (read with sudo).

        A calendar is closed by its own time off and, when it follows them, by the
        company-wide time off (no calendar); see ``_sla_holiday_domain``.
        """
        calendar_ids = list(self.ids)
        if any(self.mapped("sla_company_holidays")):
            calendar_ids.append(False)
        Leaves = self.env["resource.calendar.leaves"].sudo()
        domain = [("calendar_id", "in", calendar_ids), *Leaves._sla_holiday_domain()]
        if date_from:
            domain.append(("date_to", ">=", date_from))
        if date_to:
            domain.append(("date_from", "<", date_to))
        return Leaves.search_fetch(
            domain, ["calendar_id", "date_from", "date_to"], order="date_from", limit=limit
        )

    def _sla_check_usable(self, tz=None):
        """Raise a ValidationError if a calendar cannot serve as SLA coverage."""
        for calendar in self:
            try:
                calendar._sla_schedule(tz)
            except UserError as error:
                raise ValidationError(error.args[0]) from error

    @api.constrains("attendance_ids", "two_weeks_calendar", "flexible_hours")
    def _check_sla_coverage_still_usable(self):
        used = self.env["support.tier"].search([("calendar_id", "in", self.ids)]).calendar_id
        used |= (
            self.env["support.tier.target"].search([("calendar_id", "in", self.ids)]).calendar_id
        )
        used |= (
            self.env["support.entitlement"].search([("calendar_id", "in", self.ids)]).calendar_id
        )
        used._sla_check_usable()
