from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common_consulting import ConsultingCase


@tagged("post_install", "-at_install")
class TestConsultingSaleLine(ConsultingCase):
    """Where Level 2 hours are billed: the ticket's sale line, the consulting line."""

    def test_hours_logged_in_the_ticket_form_reach_the_consulting_line(self):
        """The Timesheets tab sends the sale line its onchange guessed (none): the split's
        rule still puts the billable hours on the consulting line, for agents and admins."""
        ticket = self._billable_ticket()
        for user in (self.agent, self.env.user):
            # What the web client saves: the line's onchange values, sale line included.
            ticket.with_user(user).write(
                {
                    "timesheet_ids": [
                        Command.create(
                            {
                                "name": f"Work of {user.name}",
                                "project_id": ticket.project_id.id,
                                "unit_amount": 2,
                                "so_line": False,
                                "is_so_line_edited": False,
                            }
                        )
                    ]
                }
            )
        billable = self._billable_lines(ticket)
        self.assertEqual(sum(billable.mapped("unit_amount")), 3.0, "1 h prepaid, 3 h billable")
        self.assertEqual(billable.so_line, self.order.order_line)
        self.assertEqual(set(billable.mapped("consulting_status")), {"to_invoice"})
        self.assertEqual(self.order.order_line.qty_delivered, 3.0)
        # Typing another sale line over it does not stick.
        other = self._consulting_order(self.customer).order_line
        billable[:1].so_line = other
        self.assertEqual(billable[:1].so_line, self.order.order_line)

    def test_timer_on_a_ticket_lands_on_the_consulting_line(self):
        ticket = self._billable_ticket()
        self._log(ticket, 1)  # the prepaid hour of the month
        action = ticket.button_start_work()
        start = fields.Datetime.now() - timedelta(hours=2)
        switch = (
            self.env["hr.timesheet.switch"]
            .with_context(**action["context"])
            .create({"name": "Timer", "project_id": ticket.project_id.id, "date_time": start})
        )
        switch.action_switch()
        timer = ticket.timesheet_ids.filtered(lambda line: line.name == "Timer")
        self.assertEqual(timer.consulting_split, "billable")
        ticket.with_context(stop_dt=start + timedelta(hours=2)).button_end_work()
        self.assertAlmostEqual(timer.unit_amount, 2.0, places=2)
        self.assertEqual(timer.so_line, self.order.order_line)
        self.assertEqual(timer.consulting_status, "to_invoice")

    def test_a_billable_ticket_shows_the_consulting_line_its_hours_go_to(self):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Export",
                "description": "CSV",
                "partner_id": self.contact.id,
                "team_id": self.team_l1.id,
                "company_id": self.company.id,
            }
        )
        self.assertFalse(ticket.sale_line_id)
        ticket._escalate("l2", self.reasons["feature"])
        self.assertTrue(ticket.billable)
        self.assertEqual(ticket.sale_line_id, self.order.order_line)
        # Where helpdesk_mgmt_timesheet_sale shows it, editable, also on a project that
        # bills nothing else.
        arch = ticket.with_user(self.manager).get_views([(False, "form")])["views"]["form"]
        field = arch["arch"].split('name="sale_line_id"')[1].split("/>")[0]
        self.assertIn('invisible="not allow_billable and not billable"', field)
        self.assertNotIn("readonly", field)
        # Included Level 2 work (not billable) is not put on it.
        free = self.env["helpdesk.ticket"].create(
            {
                "name": "Crash",
                "description": "Defect",
                "partner_id": self.contact.id,
                "team_id": self.team_l1.id,
                "company_id": self.company.id,
            }
        )
        free._escalate("l2", self.reasons["product_defect"])
        self.assertFalse(free.sale_line_id)
        self._log(free, 2)
        self.assertFalse(free.timesheet_ids.so_line)

    def test_a_line_chosen_on_the_ticket_is_followed_but_not_by_prepaid_hours(self):
        ticket = self._billable_ticket()
        other = self._consulting_order(self.customer).order_line
        ticket.with_user(self.manager).sale_line_id = other
        self._log(ticket, 3)
        self.assertRecordValues(
            ticket.timesheet_ids.sorted("consulting_split"),
            [
                {"consulting_split": "billable", "unit_amount": 2.0, "so_line": other.id},
                {"consulting_split": "prepaid", "unit_amount": 1.0, "so_line": False},
            ],
        )
        self.assertEqual(other.qty_delivered, 2.0)
        self.assertEqual(self.order.order_line.qty_delivered, 0.0)
        invoice = self._invoice(ticket.timesheet_ids)
        self.assertEqual(invoice.invoice_line_ids.sale_line_ids, other)
        self.assertEqual(invoice.invoice_line_ids.quantity, 2.0)
        # Hours not invoiced yet follow the ticket's line, as a task's timesheets do.
        invoice.button_cancel()
        third = self._consulting_order(self.customer).order_line
        ticket.with_user(self.manager).sale_line_id = third
        self.assertEqual(self._billable_lines(ticket).so_line, third)
        self.assertFalse((ticket.timesheet_ids - self._billable_lines(ticket)).so_line)

    def test_hours_of_a_ticket_no_longer_billable_get_the_new_consulting_line(self):
        other, entitlement = self._customer_without_consulting_line()
        ticket = self._billable_ticket(other)
        self._log(ticket, 2)
        ticket._escalate("l1", self.reasons["resolved_l2"])
        self.assertFalse(ticket.billable)
        line = ticket.timesheet_ids
        self.assertEqual(line.consulting_status, "no_sale_line")
        line.with_user(self.accountant).action_create_consulting_order()
        self.assertEqual(ticket.sale_line_id, entitlement.consulting_sale_line_id)
        self.assertEqual(line.so_line, entitlement.consulting_sale_line_id)
        self.assertEqual(line.consulting_status, "to_invoice")

    def test_time_moved_onto_a_billable_ticket_is_split_there(self):
        ticket = self._billable_ticket()
        # Logged in the timesheet list first, the ticket chosen afterwards.
        line = self.env["account.analytic.line"].create(
            {"name": "Work", "project_id": ticket.project_id.id, "unit_amount": 3, "so_line": False}
        )
        self.assertFalse(line.consulting_split)
        line.ticket_id = ticket
        self.assertRecordValues(
            ticket.timesheet_ids.sorted("id"),
            [
                {"consulting_split": "prepaid", "unit_amount": 1.0, "so_line": False},
                {
                    "consulting_split": "billable",
                    "unit_amount": 2.0,
                    "so_line": self.order.order_line.id,
                },
            ],
        )

    def test_hours_without_their_link_move_onto_the_existing_line(self):
        ticket = self._billable_ticket()
        self._log(ticket, 3)
        billable = self._billable_lines(ticket)
        # Hours logged before the rule applied to every path: no link to the order line.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_analytic_line SET so_line = NULL WHERE id IN %s", [tuple(billable.ids)]
        )
        billable.invalidate_recordset()
        self.assertEqual(billable.consulting_status, "no_sale_line")
        orders_before = self.env["sale.order"].search_count([])
        action = billable.with_user(self.accountant).action_create_consulting_order()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("2.0 h", action["params"]["message"])
        self.assertEqual(billable.so_line, self.order.order_line)
        self.assertEqual(self.env["sale.order"].search_count([]), orders_before)
