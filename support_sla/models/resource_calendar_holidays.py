import logging
from datetime import timezone

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..engine import SlaError
from ..engine.public_holidays import missing, public_holidays, subdivisions
from .sla_error import sla_error_message

_logger = logging.getLogger(__name__)


class ResourceCalendar(models.Model):
    """Public holidays of a country, loaded from the ``holidays`` library as time off."""

    _inherit = "resource.calendar"

    holiday_country_id = fields.Many2one(
        "res.country",
        string="Public Holidays of",
        help="Country whose public holidays close this calendar: a yearly scheduled "
        "action loads the next year's holidays from the holidays library.",
    )
    holiday_subdivision = fields.Char(
        string="Region",
        help="Code of the region (state, province, canton...) whose own public holidays "
        "close this calendar too, as the holidays library names it (e.g. BY for Bavaria).",
    )

    @api.constrains("holiday_country_id", "holiday_subdivision")
    def _check_holiday_region(self):
        for calendar in self:
            if calendar.holiday_subdivision and not calendar.holiday_country_id:
                raise ValidationError(_("A region of public holidays needs its country."))
            if calendar.holiday_country_id:
                try:
                    calendar._holiday_days(calendar.holiday_country_id.code, None)
                except UserError as error:
                    raise ValidationError(error.args[0]) from error

    def _holiday_days(self, country_code, years, subdivision=None):
        """The engine's public holidays of ``years`` in this calendar's zone, or a
        clear error; ``years`` None only checks the country and region."""
        self.ensure_one()
        subdivision = (subdivision if subdivision is not None else self.holiday_subdivision) or None
        try:
            if years is None:
                if subdivision and subdivision.upper() not in subdivisions(country_code):
                    raise SlaError.of(
                        "holiday_subdivision", country=country_code, subdivision=subdivision
                    )
                return []
            return public_holidays(
                country_code, years, self.tz or "UTC", subdivision=subdivision, lang=self.env.lang
            )
        except SlaError as error:
            raise UserError(sla_error_message(self.env, error)) from error

    def _load_public_holidays(self, years, country=None, subdivision=None):
        """Create the public holidays of ``years`` (ints) as time off of these calendars.

        Country and region: ``country`` (res.country) and ``subdivision`` when
        given, else each calendar's own. Idempotent: a day already closed by the
        calendar's time off (or the company-wide time off it follows) is skipped.
        Names in the user's language when the library has it. Returns the time off
        created, in one ``create`` (which re-times the affected tickets once).
        """
        closures = self._sla_closures()
        values = []
        for calendar in self:
            code = (country or calendar.holiday_country_id).code
            if not code:
                raise UserError(
                    _(
                        "Choose the country whose public holidays close %(calendar)s.",
                        calendar=calendar.display_name,
                    )
                )
            days = calendar._holiday_days(code, years, subdivision=subdivision)
            for _day, name, start, end in missing(days, closures[calendar.id]):
                values.append(
                    {
                        "name": name,
                        "calendar_id": calendar.id,
                        "company_id": calendar.company_id.id or self.env.company.id,
                        "date_from": start.astimezone(timezone.utc).replace(tzinfo=None),
                        "date_to": end.astimezone(timezone.utc).replace(tzinfo=None),
                        "time_type": "leave",
                    }
                )
        return self.env["resource.calendar.leaves"].create(values)

    def action_load_public_holidays(self):
        """Open the loader of public holidays on this calendar."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "support_sla.resource_calendar_holiday_load_action"
        )
        action["context"] = {"default_calendar_id": self.id}
        return action

    @api.model
    def _cron_load_public_holidays(self):
        """Yearly: this year's and next year's holidays of every calendar that keeps
        its country, before they are needed (idempotent: nothing twice)."""
        calendars = self.search([("holiday_country_id", "!=", False)])
        year = fields.Date.context_today(self).year
        for calendar in calendars:
            lang = calendar.company_id.partner_id.lang or self.env.company.partner_id.lang
            try:
                calendar.with_context(lang=lang)._load_public_holidays([year, year + 1])
            except UserError as error:
                # A country or region the library dropped: the others still load.
                _logger.warning(
                    "No public holidays loaded for %s: %s", calendar.display_name, error
                )
        self.env["ir.cron"]._notify_progress(done=len(calendars), remaining=0)
