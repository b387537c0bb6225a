from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..engine import SlaError
from ..engine.public_holidays import year_span
from ..models.sla_error import sla_error_message


class ResourceCalendarHolidayLoad(models.TransientModel):
    """*Load public holidays* on a working-time calendar, from the holidays library.

    For administrators (*Settings*), who edit working times and their time off."""

    _name = "resource.calendar.holiday.load"
    _description = "Load Public Holidays"

    calendar_id = fields.Many2one("resource.calendar", string="Working Time", required=True)
    country_id = fields.Many2one(
        "res.country",
        string="Country",
        compute="_compute_region",
        store=True,
        readonly=False,
    )
    subdivision = fields.Char(
        string="Region",
        compute="_compute_region",
        store=True,
        readonly=False,
        help="Optional code of a region with its own holidays (e.g. BY for Bavaria, "
        "NY for New York), as the holidays library names it.",
    )
    year_from = fields.Integer(
        string="From Year", required=True, default=lambda self: self._this_year()
    )
    year_to = fields.Integer(
        string="To Year", required=True, default=lambda self: self._this_year() + 1
    )
    keep_yearly = fields.Boolean(
        string="Add Next Year's Holidays Every Year",
        default=True,
        help="The calendar keeps this country and region: a yearly scheduled action "
        "adds the next year's holidays before they are needed.",
    )

    def _this_year(self):
        return fields.Date.context_today(self).year

    @api.depends("calendar_id")
    def _compute_region(self):
        for wizard in self:
            calendar = wizard.calendar_id
            wizard.country_id = (
                calendar.holiday_country_id
                or calendar.company_id.country_id
                or self.env.company.country_id
            )
            wizard.subdivision = calendar.holiday_subdivision

    def action_load(self):
        """Create the missing holidays; show them, or say that nothing was missing."""
        self.ensure_one()
        try:
            years = year_span(self.year_from, self.year_to)
        except SlaError as error:
            raise UserError(sla_error_message(self.env, error)) from error
        subdivision = (self.subdivision or "").strip().upper()
        leaves = self.calendar_id._load_public_holidays(
            years,
            country=self.country_id,
            subdivision=subdivision,
        )
        if self.keep_yearly:
            self.calendar_id.write(
                {"holiday_country_id": self.country_id.id, "holiday_subdivision": subdivision}
            )
        if not leaves:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": _(
                        "%(calendar)s already closes on every public holiday of those years: "
                        "nothing added.",
                        calendar=self.calendar_id.display_name,
                    ),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return {
            "type": "ir.actions.act_window",
            "name": _("Public Holidays Loaded"),
            "res_model": "resource.calendar.leaves",
            "view_mode": "list,form",
            "domain": [("id", "in", leaves.ids)],
            "target": "current",
        }
