from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import EscalationCase


@tagged("post_install", "-at_install")
class TestPrepaidHours(EscalationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.trm, cls.trm_contact = cls._customer("Polder Logistics", "Europe/Amsterdam")
        cls.trm_contract = cls._entitlement(
            cls.trm,
            cls.standard,
            date_start="2026-03-15",
            date_end="2028-03-14",
            consulting_package="trm_basic",
        )

    def _billable_ticket(self):
        ticket = self._ticket(self.trm_contact)
        ticket._escalate("l2", self.reasons["feature"])
        return ticket

    def _log(self, ticket, hours, date, user=None, context=None, **extra):
        return (
            self.env["account.analytic.line"]
            .with_user(user or self.agent)
            .with_context(**(context or {}))
            .create(
                {
                    "name": "Work",
                    "ticket_id": ticket.id,
                    "project_id": ticket.project_id.id,
                    "unit_amount": hours,
                    "date": date,
                    **extra,
                }
            )
        )

    def _budget(self, day):
        self.trm_contract.invalidate_recordset()
        with freeze_time(day):
            return {
                name: self.trm_contract[f"consulting_{name}"]
                for name in ("hours_accrued", "hours_used", "hours_available")
            } | {
                "start": str(self.trm_contract.consulting_period_start),
                "end": str(self.trm_contract.consulting_period_end),
            }

    def test_packages_preset_the_yearly_hours(self):
        form = Form(self.trm_contract)
        for package, hours in (
            ("trm_basic", 96),
            ("trm_premier", 192),
            ("trm_enterprise", 384),
            ("trm_dedicated", 1600),
        ):
            form.consulting_package = package
            self.assertEqual(form.consulting_hours_per_year, hours)
        form.consulting_package = "custom"
        form.consulting_hours_per_year = 50
        form.save()
        self.assertEqual(self.trm_contract.consulting_hours_per_year, 50)
        with self.assertRaisesRegex(ValidationError, "negative"):
            self.trm_contract.consulting_hours_per_year = -1

    def test_one_twelfth_a_month_and_expiry_at_the_period_end(self):
        with freeze_time("2026-03-20"):
            ticket = self._billable_ticket()
        self._log(ticket, 5, "2026-03-20")
        self.assertEqual(
            self._budget("2026-03-20"),
            {
                "hours_accrued": 8.0,
                "hours_used": 5.0,
                "hours_available": 3.0,
                "start": "2026-03-15",
                "end": "2027-03-14",
            },
        )
        # Two more months started on 15 April and 15 May.
        self.assertEqual(self._budget("2026-05-15")["hours_available"], 19.0)
        self.assertEqual(self._budget("2026-05-14")["hours_available"], 11.0)
        # Last day of the period: the whole year is there, minus what was used.
        self.assertEqual(self._budget("2027-03-14")["hours_available"], 91.0)
        # The next period starts afresh: unused hours expired, one twelfth available.
        self.assertEqual(
            self._budget("2027-03-15"),
            {
                "hours_accrued": 8.0,
                "hours_used": 0.0,
                "hours_available": 8.0,
                "start": "2027-03-15",
                "end": "2028-03-14",
            },
        )
        # Before the contract starts, nothing is available.
        self.assertEqual(self._budget("2026-03-01")["hours_available"], 0.0)

    def test_prepaid_first_then_billable_with_a_straddling_line(self):
        with freeze_time("2026-03-20"):
            ticket = self._billable_ticket()
            first = self._log(ticket, 5, "2026-03-20")
            straddling = self._log(ticket, 5, "2026-03-20")
            beyond = self._log(ticket, 1, "2026-03-20")
        self.assertEqual(first.consulting_split, "prepaid")
        self.assertEqual(len(straddling), 2, "the line straddling the budget is split in two")
        self.assertEqual(
            sorted(straddling.mapped(lambda line: (line.consulting_split, line.unit_amount))),
            [("billable", 2.0), ("prepaid", 3.0)],
        )
        self.assertEqual(beyond.consulting_split, "billable")
        lines = ticket.timesheet_ids
        prepaid = lines.filtered(lambda line: line.consulting_split == "prepaid")
        self.assertEqual(sum(prepaid.mapped("unit_amount")), 8.0)
        self.assertFalse(prepaid.so_line, "prepaid hours are never invoiced")
        self.assertEqual(set(prepaid.mapped("timesheet_invoice_type")), {"non_billable"})
        self.assertEqual(sum(lines.mapped("unit_amount")), 11.0, "no hour is lost")
        self.assertEqual(self._budget("2026-03-20")["hours_available"], 0.0)

    def test_one_batch_straddling_the_budget(self):
        with freeze_time("2026-03-20"):
            ticket = self._billable_ticket()
            lines = (
                self.env["account.analytic.line"]
                .with_user(self.agent)
                .create(
                    [
                        {
                            "name": f"Work {hours}",
                            "ticket_id": ticket.id,
                            "project_id": ticket.project_id.id,
                            "unit_amount": hours,
                        }
                        for hours in (6, 6)
                    ]
                )
            )
        self.assertEqual(
            lines.mapped(lambda line: (line.consulting_split, line.unit_amount)),
            [("prepaid", 6.0), ("prepaid", 2.0), ("billable", 4.0)],
        )

    def test_a_prepaid_line_grown_beyond_the_budget_gives_its_excess(self):
        with freeze_time("2026-03-20"):
            ticket = self._billable_ticket()
            line = self._log(ticket, 0, "2026-03-20")  # a timer starts
            self.assertEqual(line.consulting_split, "prepaid")
            line.unit_amount = 10  # and stops
        self.assertEqual(line.unit_amount, 8.0)
        extra = ticket.timesheet_ids - line
        self.assertRecordValues(extra, [{"consulting_split": "billable", "unit_amount": 2.0}])

    def test_a_prepaid_line_moved_out_of_its_budget_becomes_billable(self):
        with freeze_time("2026-03-20"):
            ticket = self._billable_ticket()
            line = self._log(ticket, 6, "2026-03-20")
        self.assertEqual(line.consulting_split, "prepaid")
        line.date = "2026-03-10"  # before the contract: no prepaid hours there
        self.assertRecordValues(line, [{"consulting_split": "billable", "unit_amount": 6.0}])
        self.assertEqual(ticket.timesheet_ids, line)
        self.assertEqual(self._budget("2026-03-20")["hours_used"], 0.0)

    def test_time_on_a_free_level_2_ticket_is_never_invoiced(self):
        with freeze_time("2026-03-20"):
            ticket = self._ticket(self.trm_contact)
            ticket._escalate("l2", self.reasons["product_defect"])
            line = self._log(ticket, 3, "2026-03-20")
        self.assertFalse(line.consulting_split)
        self.assertFalse(line.so_line)
        self.assertEqual(self._budget("2026-03-20")["hours_used"], 0.0)

    def test_negative_hours_are_refused(self):
        with freeze_time("2026-03-20"):
            ticket = self._billable_ticket()
            with self.assertRaisesRegex(ValidationError, "negative"):
                self._log(ticket, -2, "2026-03-20")
        self.assertFalse(ticket.timesheet_ids)

    def test_a_new_level_2_team_gets_a_billable_timesheet_project(self):
        team = self.env["helpdesk.ticket.team"].create({"name": "Experts", "support_level": "l2"})
        self.assertTrue(team.allow_timesheet)
        self.assertTrue(team.default_project_id.allow_timesheets)
        self.assertTrue(team.default_project_id.allow_billable)
        l1 = self.env["helpdesk.ticket.team"].create({"name": "Desk"})
        self.assertFalse(l1.default_project_id)
        l1.support_level = "l2"
        self.assertTrue(l1.default_project_id.allow_billable)

    def test_agent_cannot_type_where_time_is_billed(self):
        """Where Level 2 time is billed comes from the split alone, whatever the path."""
        with freeze_time("2026-03-20"):
            ticket = self._billable_ticket()
            self._log(ticket, 8, "2026-03-20")  # the month's prepaid hours used up
            billable = self._log(ticket, 2, "2026-03-20")
        self.assertEqual(billable.consulting_split, "billable")
        line = billable.with_user(self.agent)
        for vals in (
            {"consulting_split": "prepaid"},
            {"consulting_declined": True},
            {"consulting_entitlement_id": False},
            {"consulting_partner_id": self.paris.id},
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "not typed"):
                line.write(vals)
            # The split's context key sent over RPC opens nothing either.
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "not typed"):
                line.with_context(support_consulting_splitting=True).write(vals)
        with self.assertRaisesRegex(AccessError, "not typed"):
            self._log(ticket, 1, "2026-03-20", consulting_split="prepaid")
        # A line logged with the context key is split all the same: billable here.
        with freeze_time("2026-03-20"):
            forced = self._log(
                ticket, 1, "2026-03-20", context={"support_consulting_splitting": True}
            )
        self.assertEqual(forced.consulting_split, "billable")
        billable.invalidate_recordset()
        self.assertRecordValues(
            billable,
            [{"consulting_split": "billable", "consulting_declined": False, "unit_amount": 2.0}],
        )
