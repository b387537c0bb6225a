from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import EscalationCase


@tagged("post_install", "-at_install")
class TestOnsiteTerms(EscalationCase):
    """TRM on-site terms: share of the hours and visits per year, time marked on site."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.trm, cls.trm_contact = cls._customer("Polder Logistics", "Europe/Amsterdam")
        cls.trm_contract = cls._entitlement(
            cls.trm,
            cls.standard,
            date_start="2026-03-15",
            date_end="2028-03-14",
            consulting_package="trm_premier",
        )

    def _trm_ticket(self):
        ticket = self._ticket(self.trm_contact)
        ticket._escalate("l2", self.reasons["feature"])
        return ticket

    def _log(self, ticket, hours, date, onsite=True):
        return (
            self.env["account.analytic.line"]
            .with_user(self.agent)
            .create(
                {
                    "name": "At the customer's",
                    "ticket_id": ticket.id,
                    "project_id": ticket.project_id.id,
                    "unit_amount": hours,
                    "date": date,
                    "consulting_onsite": onsite,
                }
            )
        )

    def _used(self, day):
        self.trm_contract.invalidate_recordset()
        with freeze_time(day):
            return (
                self.trm_contract.consulting_onsite_visits_used,
                self.trm_contract.consulting_onsite_hours_used,
            )

    def test_packages_preset_the_onsite_terms(self):
        form = Form(self.trm_contract)
        for package, terms in (
            ("trm_basic", (0, 0, False, 0)),
            ("trm_premier", (25, 2, False, 48)),
            ("trm_enterprise", (25, 4, False, 96)),
            ("trm_dedicated", (25, 0, True, 400)),
        ):
            form.consulting_package = package
            self.assertEqual(
                (
                    form.consulting_onsite_share,
                    form.consulting_onsite_visits,
                    form.consulting_onsite_as_needed,
                    form.consulting_onsite_hours_allowed,
                ),
                terms,
                package,
            )

    def test_visits_and_hours_used_and_beyond(self):
        ticket = self._trm_ticket()
        first = self._log(ticket, 8, "2026-04-01")
        same_day = self._log(ticket, 4, "2026-04-01")
        remote = self._log(ticket, 6, "2026-04-02", onsite=False)
        second = self._log(ticket, 8, "2026-05-04")
        self.assertEqual(self._used("2026-06-01"), (2, 20))
        self.assertFalse(
            any((first | same_day | remote | second).mapped("consulting_onsite_warning"))
        )
        third = self._log(ticket, 8, "2026-06-10")
        self.assertIn("Beyond the on-site visits", third.consulting_onsite_warning)
        self.assertIn("3 days on site this year, 2 included", third.consulting_onsite_warning)
        self.assertNotIn("hours", third.consulting_onsite_warning)
        # The hours: 48 h of the 192 h of Premier, counted in the order worked: a long
        # first day puts the later days beyond.
        long_day = self._log(ticket, 30, "2026-04-01")
        self.assertFalse(long_day.consulting_onsite_warning)
        second.invalidate_recordset()
        self.assertEqual(
            second.consulting_onsite_warning,
            "Beyond the on-site hours of %s: 58.0 h on site this year, 48.0 h included."
            % self.trm_contract.name,
        )
        self.assertEqual(self._used("2026-06-11"), (3, 58))
        # The terms renew with the annual period.
        self.assertEqual(self._used("2027-03-15"), (0, 0))
        self.assertFalse(self._log(ticket, 8, "2027-04-01").consulting_onsite_warning)

    def test_agent_warned_while_logging(self):
        ticket = self._trm_ticket()
        self._log(ticket, 8, "2026-04-01")
        self._log(ticket, 8, "2026-04-02")
        self.startPatcher(freeze_time("2026-04-03"))
        form = Form(
            self.env["account.analytic.line"].with_user(self.agent),
            view="hr_timesheet.hr_timesheet_line_form",
        )
        form.name = "Server room"
        form.project_id = ticket.project_id
        form.ticket_id = ticket
        form.unit_amount = 2
        with self.assertLogs("odoo.tests.form.onchange", "WARNING") as logs:
            form.consulting_onsite = True
        self.assertIn("Beyond the on-site visits", logs.output[0])
        line = form.save()
        self.assertEqual(str(line.date), "2026-04-03")
        self.assertTrue(line.consulting_onsite_warning)

    def test_dedicated_visits_as_needed_and_basic_none(self):
        self.trm_contract.consulting_package = "trm_dedicated"
        ticket = self._trm_ticket()
        lines = [self._log(ticket, 1, f"2026-04-{day:02d}") for day in range(1, 11)]
        self.assertFalse(
            [line.consulting_onsite_warning for line in lines if line.consulting_onsite_warning]
        )
        self.assertEqual(self._used("2026-05-01"), (10, 10))
        self.trm_contract.consulting_package = "trm_basic"
        (lines[0] | lines[1]).invalidate_recordset()
        self.assertIn("includes no on-site visit", lines[0].consulting_onsite_warning)

    def test_custom_terms_are_checked(self):
        self.trm_contract.consulting_package = "custom"
        self.trm_contract.write({"consulting_onsite_share": 10, "consulting_onsite_visits": 1})
        self.assertEqual(self.trm_contract.consulting_onsite_hours_allowed, 19.2)
        with self.assertRaises(ValidationError):
            self.trm_contract.consulting_onsite_share = 120
        with self.assertRaises(ValidationError):
            self.trm_contract.consulting_onsite_visits = -1
