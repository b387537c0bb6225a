"""The engine against Odoo's own ``resource.calendar.plan_hours``.

Same calendars, same public holidays (global time off), a few hundred generated
requests. Intended differences, each shown by a test below:

- ``plan_hours`` counts in float hours, so its result may be off by a fraction
  of a second (1/60 h has no exact binary value); the engine counts whole
  seconds. Results are compared to the second.
- ``plan_hours`` looks 100 x 14 days ahead and then returns ``False``; the engine
  looks 10 years ahead and then raises a clear error.
- The engine reads the calendar in the customer's time zone, which need not be
  the calendar's own; ``plan_hours`` always uses the calendar's.
"""

import random
import re
from datetime import date, datetime, timedelta, timezone

from odoo.exceptions import UserError
from odoo.tests import TransactionCase

from ..engine import SlaError
from ..engine.errors import INVALID_INPUT, MESSAGES
from ..models.sla_error import sla_error_message
from .common import FRENCH_HOLIDAYS, SlaCalendarCase

CASES = 300


class TestEngineAgainstResource(SlaCalendarCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        weekdays = range(5)
        cls.paris = cls._calendar("Standard Paris", "Europe/Paris", [(d, 8, 17) for d in weekdays])
        cls._holidays(cls.paris, FRENCH_HOLIDAYS)
        cls.new_york_lunch = cls._calendar(
            "New York with lunch",
            "America/New_York",
            [(d, 8, 12) for d in weekdays] + [(d, 13, 17.5) for d in weekdays],
        )
        cls._holidays(cls.new_york_lunch, ["2025-07-04", "2025-11-27", "2025-12-25"])
        cls.tokyo_basic = cls._calendar("Basic Tokyo", "Asia/Tokyo", [(d, 7, 19) for d in weekdays])

    def _compare(self, calendar, seed):
        rng = random.Random(seed)
        schedule = calendar._sla_schedule()
        first = datetime(2025, 1, 1, tzinfo=timezone.utc)
        for _n in range(CASES):
            start = first + timedelta(minutes=rng.randrange(0, 640 * 24 * 60))
            minutes = rng.choice([15, 60, 180, 240, 480, 1440, 2880]) or 15
            if rng.random() < 0.5:
                minutes = rng.randrange(15, 14 * 24 * 60)
            expected = calendar.plan_hours(minutes / 60, start, compute_leaves=True)
            deadline = schedule.add(start, minutes)
            with self.subTest(start=start, minutes=minutes):
                self.assertTrue(expected)
                self.assertLessEqual(abs((deadline - expected).total_seconds()), 1)

    def test_same_deadlines_as_plan_hours_in_paris_with_holidays(self):
        self._compare(self.paris, 1)

    def test_same_deadlines_as_plan_hours_with_lunch_break_and_dst(self):
        self._compare(self.new_york_lunch, 2)

    def test_same_deadlines_as_plan_hours_in_tokyo(self):
        self._compare(self.tokyo_basic, 3)

    def test_holidays_are_read_from_global_time_off(self):
        schedule = self.paris._sla_schedule()
        # Wednesday 30 April 2025, 16:00 Paris; 1 and 2 May... only 1 May is a holiday.
        start = datetime(2025, 4, 30, 14, 0, tzinfo=timezone.utc)
        self.assertEqual(schedule.add(start, 120), datetime(2025, 5, 2, 7, 0, tzinfo=timezone.utc))
        # Company-wide time off (no calendar) closes every calendar.
        self._holidays(self.env["resource.calendar"], ["2025-05-02"], tz="Europe/Paris")
        schedule = self.paris._sla_schedule()
        self.assertEqual(schedule.add(start, 120), datetime(2025, 5, 5, 7, 0, tzinfo=timezone.utc))

    def test_customer_time_zone_overrides_the_calendar_zone(self):
        start = datetime(2025, 6, 2, 19, 0, tzinfo=timezone.utc)  # Monday 15:00 in New York
        in_new_york = self.paris._sla_schedule("America/New_York").add(start, 60)
        self.assertEqual(in_new_york, datetime(2025, 6, 2, 20, 0, tzinfo=timezone.utc))
        in_paris = self.paris._sla_schedule().add(start, 60)
        self.assertEqual(in_paris, datetime(2025, 6, 3, 7, 0, tzinfo=timezone.utc))

    def test_no_calendar_is_24x7(self):
        schedule = self.env["resource.calendar"]._sla_schedule("Asia/Tokyo")
        self.assertTrue(schedule.always_open)

    def test_plan_hours_gives_up_where_the_engine_raises(self):
        closed = self._calendar("Closed for years", "Europe/Paris", [(0, 8, 17)])
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Closed",
                "calendar_id": closed.id,
                "date_from": datetime(2024, 1, 1),
                "date_to": datetime(2040, 1, 1),
            }
        )
        start = datetime(2025, 1, 6, 8, 0, tzinfo=timezone.utc)
        self.assertFalse(closed.plan_hours(1, start, compute_leaves=True))
        with self.assertRaisesRegex(SlaError, "within 10 years"):
            closed._sla_schedule().add(start, 60)

    def test_unusable_calendars_get_a_clear_error(self):
        empty = self.env["resource.calendar"].create(
            {"name": "No hours", "tz": "Europe/Paris", "attendance_ids": [(5, 0, 0)]}
        )
        with self.assertRaisesRegex(UserError, "No hours.*no working time"):
            empty._sla_schedule()
        two_weeks = self._calendar("Alternating", "Europe/Paris", [(0, 8, 17)])
        two_weeks.two_weeks_calendar = True
        with self.assertRaisesRegex(UserError, "one-week calendar"):
            two_weeks._sla_schedule()
        with self.assertRaisesRegex(UserError, "Unknown time zone"):
            self.paris._sla_schedule("Mars/Olympus")


class TestEngineSentencesTranslated(TransactionCase):
    """Each engine sentence is written once (``MESSAGES``) and read in the reader's language.

    Odoo finds a code translation by its source text in the module's ``.po``: the
    templates marked with ``_lt`` in the engine are such terms of ``support_sla``.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("fr_FR", "nl_NL"):
            cls.env["res.lang"]._activate_lang(lang)

    def _error(self, code):
        values = {
            "start": datetime(2025, 6, 2, 8, 0, tzinfo=timezone.utc),
            "end": datetime(2025, 6, 1, 8, 0, tzinfo=timezone.utc),
            "stop": datetime(2025, 6, 1, 8, 0, tzinfo=timezone.utc),
            "date": date(2025, 1, 1),
        }
        names = re.findall(r"%\((\w+)\)s", MESSAGES[code])
        return SlaError.of(code, **{name: values.get(name, "XYZ") for name in names})

    def test_every_sentence_is_translated_in_french_and_dutch(self):
        for code in MESSAGES:
            if code == INVALID_INPUT:
                continue
            error = self._error(code)
            english = sla_error_message(self.env(context={"lang": "en_US"}), error)
            for lang in ("fr_FR", "nl_NL"):
                with self.subTest(code=code, lang=lang):
                    translated = sla_error_message(self.env(context={"lang": lang}), error)
                    self.assertNotEqual(translated, english)
                    self.assertEqual(translated.count("XYZ"), english.count("XYZ"))

    def test_english_is_the_engine_sentence(self):
        error = SlaError.of("tz_unknown", tz="Mars/Olympus")
        self.assertEqual(str(error), "Unknown time zone Mars/Olympus.")
        english = self.env(context={"lang": "en_US"})
        self.assertEqual(sla_error_message(english, error), str(error))
        french = self.env(context={"lang": "fr_FR"})
        self.assertEqual(sla_error_message(french, error), "Fuseau horaire inconnu Mars/Olympus.")
        # Dates are written for the reader, in their language and zone.
        error = SlaError.of(
            "stop_before_start",
            stop=datetime(2025, 6, 1, 8, 0, tzinfo=timezone.utc),
            start=datetime(2025, 6, 2, 8, 0, tzinfo=timezone.utc),
        )
        sentence = sla_error_message(french, error, "Europe/Paris")
        self.assertIn("10:00", sentence)
        self.assertNotIn("08:00", sentence)

    def test_a_wrong_type_reports_its_detail(self):
        error = SlaError("The start must be a date and time, not 3.")
        self.assertEqual(
            sla_error_message(self.env(context={"lang": "en_US"}), error),
            "The SLA engine refused its input: The start must be a date and time, not 3.",
        )
        french = sla_error_message(self.env(context={"lang": "fr_FR"}), error)
        self.assertIn("The start must be a date and time, not 3.", french)
        self.assertNotIn("refused its input", french)
