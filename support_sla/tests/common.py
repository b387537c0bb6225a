from datetime import datetime, time, timedelta

import pytz

from odoo.tests import TransactionCase

# French public holidays of 2025 and 2026 (fixed and Easter-based).
FRENCH_HOLIDAYS = [
    "2025-01-01", "2025-04-21", "2025-05-01", "2025-05-08", "2025-05-29", "2025-06-09",
    "2025-07-14", "2025-08-15", "2025-11-01", "2025-11-11", "2025-12-25",
    "2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25",
    "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25",
]  # fmt: skip


class SlaCalendarCase(TransactionCase):
    """Builders of working-time calendars and public holidays."""

    @classmethod
    def _calendar(cls, name, tz, windows):
        """A one-week calendar of ``(weekday, hour_from, hour_to)`` windows."""
        return cls.env["resource.calendar"].create(
            {
                "name": name,
                "tz": tz,
                "attendance_ids": [
                    (
                        0,
                        0,
                        {
                            "name": f"{name} {weekday} {start}",
                            "dayofweek": str(weekday),
                            "hour_from": start,
                            "hour_to": end,
                            "day_period": "morning" if start < 12 else "afternoon",
                        },
                    )
                    for weekday, start, end in windows
                ],
            }
        )

    @classmethod
    def _holidays(cls, calendar, days, tz=None):
        """Global time off on whole local ``days`` (ISO strings), as Odoo records them."""
        zone = pytz.timezone(tz or calendar.tz)
        values = []
        for day in days:
            start = zone.localize(datetime.combine(datetime.fromisoformat(day), time.min))
            end = zone.localize(datetime.combine(datetime.fromisoformat(day), time.max))
            values.append(
                {
                    "name": f"Holiday {day}",
                    "calendar_id": calendar.id if calendar else False,
                    "date_from": start.astimezone(pytz.utc).replace(tzinfo=None),
                    "date_to": (
                        end.astimezone(pytz.utc) - timedelta(microseconds=end.microsecond)
                    ).replace(tzinfo=None),
                }
            )
        return cls.env["resource.calendar.leaves"].create(values)
