from odoo import api, models


class ResourceCalendarLeaves(models.Model):
    _inherit = "resource.calendar.leaves"

    @api.model_create_multi
    def create(self, vals_list):
        leaves = super().create(vals_list)
        leaves._sla_retime_tickets()
        return leaves

    def write(self, vals):
        before = self._sla_closing()
        result = super().write(vals)
        self._sla_retime_tickets(before)
        return result

    def unlink(self):
        before = self._sla_closing()
        result = super().unlink()
        self.env["resource.calendar.leaves"]._sla_retime_tickets(before)
        return result

    @api.model
    def _sla_holiday_domain(self):
        """Time off that closes calendars for the SLA: a public holiday, i.e. time off
        of nobody in particular (no resource). The one rule of what closes a calendar."""
        return [("resource_id", "=", False), ("time_type", "=", "leave")]

    def _sla_closing(self):
        """``(calendars, company-wide, since)`` closed by these time off (public
        holidays); ``since``: the earliest start among them (None if none)."""
        public = self.filtered_domain(self._sla_holiday_domain())
        starts = [start for start in public.mapped("date_from") if start]
        return (
            public.calendar_id,
            any(not leave.calendar_id for leave in public),
            min(starts, default=None),
        )

    def _sla_retime_tickets(self, before=None):
        calendars, company_wide, since = self._sla_closing()
        if before:
            calendars |= before[0]
            company_wide = company_wide or before[1]
            since = min(filter(None, (since, before[2])), default=None)
        if calendars or company_wide:
            calendars._sla_retime_closed(company_holidays=company_wide, since=since)
