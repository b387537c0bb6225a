from datetime import timedelta
from unittest.mock import patch

import pytz

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, new_test_user

from .common import FRENCH_HOLIDAYS, SlaCase

PARIS = "Europe/Paris"


class TestPublicHolidays(SlaCase):
    """Public holidays loaded from the holidays library as time off of a calendar."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.france = cls.env.ref("base.fr")
        weekdays = [(day, 8, 17) for day in range(5)]
        cls.paris_hours = cls._calendar("Paris office", PARIS, weekdays)
        cls.paris_contract.calendar_id = cls.paris_hours
        cls.Leaves = cls.env["resource.calendar.leaves"]

    def _leaves(self, calendar):
        return self.Leaves.search([("calendar_id", "=", calendar.id)], order="date_from")

    def _local_days(self, leaves, tz=PARIS):
        return [self.local_day(leave.date_from, tz) for leave in leaves]

    @staticmethod
    def local_day(value, tz):
        return pytz.utc.localize(value).astimezone(pytz.timezone(tz)).date().isoformat()

    def test_load_is_idempotent_and_named_in_the_users_language(self):
        calendar = self.paris_hours.with_context(lang="fr_FR")
        created = calendar._load_public_holidays([2025, 2026], country=self.france)
        # The library gives the days that the hand-typed French list of the tests has.
        self.assertEqual(self._local_days(created), FRENCH_HOLIDAYS)
        new_year = created[11]
        self.assertEqual(new_year.name, "Jour de l'an")
        # A whole day of Paris, stored in UTC: 2026-01-01 00:00 Paris is 23:00 UTC.
        self.assertEqual(new_year.date_from, self.utc(2025, 12, 31, 23, 0))
        self.assertEqual(new_year.date_to, self.utc(2026, 1, 1, 22, 59, 59))
        self.assertFalse(new_year.resource_id)
        self.assertEqual(new_year.time_type, "leave")
        # Twice: nothing more; nor over a day typed by hand.
        self.assertFalse(calendar._load_public_holidays([2025, 2026], country=self.france))
        self._holidays(self.paris_hours, ["2027-07-14"])
        again = calendar._load_public_holidays([2027], country=self.france)
        self.assertNotIn("2027-07-14", self._local_days(again))
        self.assertEqual(len(self._leaves(self.paris_hours)), len(FRENCH_HOLIDAYS) + 11)

    def test_region_and_default_language(self):
        germany = self.env.ref("base.de")
        berlin = self._calendar("Munich", "Europe/Berlin", [(0, 9, 17)])
        national = berlin._load_public_holidays([2026], country=germany)
        bavaria = berlin.with_context(lang="en_US")._load_public_holidays(
            [2026], country=germany, subdivision="BY"
        )
        # Only what Bavaria adds to the national days: Epiphany, Corpus Christi...
        self.assertIn("2026-01-06", self._local_days(bavaria, "Europe/Berlin"))
        self.assertFalse(
            set(self._local_days(bavaria, "Europe/Berlin"))
            & set(self._local_days(national, "Europe/Berlin"))
        )

    def test_loading_retimes_only_the_tickets_it_affects(self):
        Ticket = type(self.env["helpdesk.ticket"])
        retimed = self.env["helpdesk.ticket"]
        original = Ticket._sla_retime_now

        def spy(tickets, refresh=False):
            nonlocal retimed
            retimed |= tickets
            return original(tickets, refresh)

        # Thursday before Easter 2026: the deadline crosses Easter Monday (6 April).
        with freeze_time(self.local(PARIS, 2026, 4, 2, 16, 0)):
            ticket = self._ticket(self.paris_contact, impact="medium", urgency="medium")
        before = ticket.sla_response_deadline
        self.assertGreaterEqual(before, self.local(PARIS, 2026, 4, 6, 0, 0))
        with (
            freeze_time(self.local(PARIS, 2026, 4, 2, 16, 30)),
            patch.object(Ticket, "_sla_retime_now", spy),
        ):
            # Next year's holidays come after every deadline: nothing is re-timed.
            self.assertTrue(self.paris_hours._load_public_holidays([2027], country=self.france))
            self.assertFalse(retimed)
            self.assertEqual(ticket.sla_response_deadline, before)
            self.paris_hours._load_public_holidays([2026], country=self.france)
        self.assertEqual(retimed, ticket)
        self.assertEqual(ticket.sla_response_deadline, before + timedelta(days=1))

    def test_yearly_action_adds_next_year_once(self):
        netherlands = self._calendar("Amsterdam", "Europe/Amsterdam", [(0, 9, 17)])
        netherlands.holiday_country_id = self.env.ref("base.nl")
        self.env.company.partner_id.lang = "fr_FR"
        with freeze_time("2026-12-01 02:00"):
            self.env["resource.calendar"]._cron_load_public_holidays()
        leaves = self._leaves(netherlands)
        days = self._local_days(leaves, "Europe/Amsterdam")
        self.assertIn("2026-12-25", days)
        self.assertIn("2027-04-27", days)  # Koningsdag next year
        self.assertFalse([day for day in days if not day.startswith(("2026", "2027"))])
        with freeze_time("2026-12-01 02:00"):
            self.env["resource.calendar"]._cron_load_public_holidays()
        self.assertEqual(self._leaves(netherlands), leaves)
        # Calendars without a country are left alone.
        self.assertFalse(self._leaves(self.paris_hours))

    def test_wizard_remembers_the_country_and_says_when_nothing_is_missing(self):
        manager = new_test_user(
            self.env,
            login="holiday_admin",
            groups="base.group_system,helpdesk_mgmt.group_helpdesk_manager",
        )
        action = self.paris_hours.with_user(manager).action_load_public_holidays()
        self.assertEqual(action["res_model"], "resource.calendar.holiday.load")
        Wizard = self.env["resource.calendar.holiday.load"].with_user(manager)
        with freeze_time("2026-03-01"):
            wizard = Wizard.with_context(**action["context"]).create({})
        self.assertEqual((wizard.year_from, wizard.year_to), (2026, 2027))
        wizard.write({"country_id": self.france.id, "year_to": 2026})
        result = wizard.action_load()
        self.assertEqual(result["res_model"], "resource.calendar.leaves")
        loaded = self.Leaves.search(result["domain"])
        self.assertEqual(self._local_days(loaded), FRENCH_HOLIDAYS[11:])
        self.assertEqual(self.paris_hours.holiday_country_id, self.france)
        again = Wizard.create(
            {"calendar_id": self.paris_hours.id, "year_from": 2026, "year_to": 2026}
        )
        self.assertEqual(again.country_id, self.france)  # kept on the calendar
        self.assertEqual(again.action_load()["tag"], "display_notification")

    def test_bad_input_is_refused_and_nothing_written(self):
        Wizard = self.env["resource.calendar.holiday.load"]
        values = {"calendar_id": self.paris_hours.id, "country_id": self.france.id}
        with self.assertRaisesRegex(UserError, "no subdivision ZZ"):
            Wizard.create({**values, "subdivision": "zz", "year_from": 2026}).action_load()
        self.paris_hours.invalidate_recordset()
        self.assertFalse(self.paris_hours.holiday_country_id)
        with self.assertRaisesRegex(UserError, "comes before"):
            Wizard.create({**values, "year_from": 2027, "year_to": 2026}).action_load()
        for last in (2046, 10**9):
            with self.assertRaisesRegex(UserError, "between 1 and 10 years"):
                Wizard.create({**values, "year_from": 2026, "year_to": last}).action_load()
        with self.assertRaises(ValidationError):
            self.paris_hours.write(
                {"holiday_country_id": self.france.id, "holiday_subdivision": "ZZ"}
            )
        self.assertFalse(self._leaves(self.paris_hours))

    def test_only_administrators_load_holidays(self):
        # Working times and their time off are settings: a helpdesk manager reads them.
        manager = new_test_user(
            self.env, login="holiday_manager", groups="helpdesk_mgmt.group_helpdesk_manager"
        )
        with self.assertRaises(AccessError):
            self.env["resource.calendar.holiday.load"].with_user(manager).create(
                {"calendar_id": self.paris_hours.id, "country_id": self.france.id}
            )
        with self.assertRaises(AccessError):
            self.paris_hours.with_user(manager)._load_public_holidays([2026], country=self.france)
        self.assertFalse(self._leaves(self.paris_hours))
