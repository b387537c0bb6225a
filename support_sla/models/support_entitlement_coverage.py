"""Which hours a contract covers and how they read: the coverage calendar that applies
(the one rule of the ticket's clocks and the contract page), the hours in words and the
public holidays ahead."""

import babel.dates
import pytz
from dateutil.relativedelta import relativedelta

from odoo import _, fields, models
from odoo.tools.misc import babel_locale_parse


def _hhmm(hour):
    """A float hour of a calendar as HH:MM."""
    minutes = round(hour * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class SupportEntitlement(models.Model):
    _inherit = "support.entitlement"

    def _sla_coverage_calendar(self, tier=None, target=None):
        """The coverage hours that apply, and why: ``(calendar, origin)``.

        The priority's own hours first (``target``, e.g. P1 24/7), then the regional
        calendar of the contract, then the hours of ``tier`` (by default the tier
        applied); an empty calendar is 24x7. The one rule of the ticket's clocks,
        its coverage line and the contract's portal page.
        """
        if target and target.calendar_id:
            return target.calendar_id, "priority"
        if self.calendar_id:
            return self.calendar_id, "contract"
        return (tier if tier is not None else self.effective_tier_id).calendar_id, "tier"

    def _sla_coverage_text(self, calendar=None):
        """Coverage hours in words, in the contract's time zone and the reader's language.

        E.g. "Mon–Fri 08:00–17:00, Europe/Paris; public holidays closed".
        """
        self.ensure_one()
        calendar = (calendar if calendar is not None else self._sla_coverage_calendar()[0]).sudo()
        tz = self.tz or "UTC"
        if not calendar:
            return _("24x7, every day of the year (%s)", tz)
        day_names = babel.dates.get_day_names(
            "abbreviated", locale=babel_locale_parse(self.env.lang or "en_US")
        )
        hours_of_day = {}
        for weekday, hour_from, hour_to in sorted(calendar._sla_windows()[calendar.id]):
            hours_of_day.setdefault(weekday, []).append(f"{_hhmm(hour_from)}–{_hhmm(hour_to)}")
        runs = []  # [first day, last day, hours] of consecutive days with the same hours
        for weekday in sorted(hours_of_day):
            hours = ", ".join(hours_of_day[weekday])
            if runs and runs[-1][1] == weekday - 1 and runs[-1][2] == hours:
                runs[-1][1] = weekday
            else:
                runs.append([weekday, weekday, hours])
        if runs == [[0, 6, "00:00–24:00"]]:
            hours_text = _("24x7")
        else:
            hours_text = "; ".join(
                f"{day_names[first]}–{day_names[last]} {hours}"
                if last > first
                else f"{day_names[first]} {hours}"
                for first, last, hours in runs
            )
        if calendar._sla_holiday_leaves(limit=1) or calendar.sla_company_holidays:
            return _("%(hours)s, %(tz)s; public holidays closed", hours=hours_text, tz=tz)
        return _("%(hours)s, %(tz)s; open on public holidays", hours=hours_text, tz=tz)

    def _sla_holidays(self, months=12):
        """Public holidays of the coverage in the next ``months``, as local dates.

        ``[{"name", "date_from", "date_to"}]``, read in the contract's time zone.
        """
        self.ensure_one()
        calendar = self._sla_coverage_calendar()[0].sudo()
        if not calendar:
            return []
        now = fields.Datetime.now()
        zone = pytz.timezone(self.tz or "UTC")
        leaves = calendar._sla_holiday_leaves(now, now + relativedelta(months=months))
        return [
            {
                "name": leave.name,
                "date_from": pytz.utc.localize(leave.date_from).astimezone(zone).date(),
                "date_to": pytz.utc.localize(leave.date_to).astimezone(zone).date(),
            }
            for leave in leaves
        ]
