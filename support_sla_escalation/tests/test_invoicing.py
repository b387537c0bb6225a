from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import EscalationMixin


@tagged("post_install", "-at_install")
class TestConsultingInvoicing(AccountTestInvoicingCommon, EscalationMixin):
    """Level 2 hours invoiced through the sale orders, by sale_timesheet."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.env.user.groups_id |= (
            ref("helpdesk_mgmt.group_helpdesk_manager")
            | ref("hr_timesheet.group_timesheet_manager")
            | ref("sales_team.group_sale_manager")
        )
        cls.company = cls.company_data["company"]
        cls._setup_levels(cls.company)
        cls.env["hr.employee"].create({"name": "Accountman", "user_id": cls.env.user.id})
        cls.accountant = new_test_user(
            cls.env,
            login="l2_accountant",
            groups="base.group_user,account.group_account_invoice",
            company_id=cls.company.id,
        )
        cls.product = ref("support_sla_escalation.product_level2_consulting")
        cls.customer = cls.env["res.partner"].create(
            {"name": "Fabrique Jura SA", "is_company": True, "tz": "Europe/Zurich"}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Anne Jura", "parent_id": cls.customer.id}
        )
        today = fields.Date.context_today(cls.env.user)
        cls.entitlement = cls.env["support.entitlement"].create(
            {
                "partner_id": cls.customer.id,
                "tier_id": ref("support_sla.tier_standard").id,
                "company_id": cls.company.id,
                "date_start": today,
                "state": "active",
                "consulting_hours_per_year": 12,  # one prepaid hour this month
            }
        )
        cls.order = cls._consulting_order(cls.customer)
        cls.entitlement.consulting_sale_line_id = cls.order.order_line

    @classmethod
    def _consulting_order(cls, partner):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [(0, 0, {"product_id": cls.product.id, "product_uom_qty": 0})],
            }
        )
        order.action_confirm()
        return order

    def _billable_ticket(self, partner=None):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "New export format",
                "description": "Please add CSV",
                "partner_id": (partner or self.contact).id if partner is not False else False,
                "team_id": self.team_l1.id,
                "company_id": self.company.id,
            }
        )
        ticket._escalate("l2", self.reasons["feature"])
        return ticket

    def _log(self, ticket, hours):
        return self.env["account.analytic.line"].create(
            {
                "name": "Work",
                "ticket_id": ticket.id,
                "project_id": ticket.project_id.id,
                "unit_amount": hours,
            }
        )

    def _invoice(self, lines, user=None):
        action = lines.with_user(user or self.accountant).action_create_consulting_invoices()
        return self.env["account.move"].browse(action["domain"][0][2])

    def test_hours_beyond_the_prepaid_budget_are_invoiced_exactly_once(self):
        ticket = self._billable_ticket()
        self._log(ticket, 3)
        lines = ticket.timesheet_ids
        billable = lines.filtered(lambda line: line.consulting_split == "billable")
        prepaid = lines - billable
        self.assertEqual(prepaid.unit_amount, 1.0)
        self.assertEqual(billable.unit_amount, 2.0)
        self.assertEqual(billable.so_line, self.order.order_line)
        self.assertEqual(billable.timesheet_invoice_type, "billable_time")
        self.assertEqual(self.order.order_line.qty_delivered, 2.0)
        screen = self.env["account.analytic.line"].with_user(self.accountant)
        to_invoice = screen.search([("consulting_status", "=", "to_invoice")])
        self.assertEqual(to_invoice, billable)

        invoice = self._invoice(to_invoice)
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(invoice.partner_id, self.customer)
        self.assertEqual(invoice.invoice_line_ids.quantity, 2.0)
        self.assertEqual(invoice.invoice_line_ids.product_id, self.product)
        self.assertEqual(billable.timesheet_invoice_id, invoice)
        self.assertFalse(prepaid.timesheet_invoice_id)
        self.assertEqual(billable.consulting_status, "invoiced")
        self.assertFalse(screen.search([("consulting_status", "=", "to_invoice")]))

        # A second run creates nothing.
        moves_before = self.env["account.move"].search_count([])
        with self.assertRaisesRegex(UserError, "Nothing left to invoice"):
            self._invoice(billable)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)

        # Invoiced hours are locked.
        with self.assertRaisesRegex(UserError, "already invoiced"):
            billable.unit_amount = 5

    def test_cancelling_or_deleting_the_draft_frees_the_hours(self):
        ticket = self._billable_ticket()
        self._log(ticket, 4)
        billable = ticket.timesheet_ids.filtered(lambda line: line.consulting_split == "billable")
        invoice = self._invoice(billable)
        invoice.button_cancel()
        self.assertEqual(billable.consulting_status, "to_invoice")
        second = self._invoice(billable)
        self.assertNotEqual(second, invoice)
        self.assertEqual(second.invoice_line_ids.quantity, 3.0)
        self.assertEqual(billable.timesheet_invoice_id, second)
        second.unlink()
        self.assertFalse(billable.timesheet_invoice_id)
        self.assertEqual(billable.consulting_status, "to_invoice")
        third = self._invoice(billable)
        self.assertEqual(third.invoice_line_ids.quantity, 3.0)

    def test_customer_without_consulting_line_is_listed_and_can_get_one(self):
        other = self.env["res.partner"].create({"name": "Brasserie Nord", "is_company": True})
        entitlement = self.env["support.entitlement"].create(
            {
                "partner_id": other.id,
                "tier_id": self.env.ref("support_sla.tier_standard").id,
                "company_id": self.company.id,
                "date_start": fields.Date.context_today(self.env.user),
                "state": "active",
            }
        )
        ticket = self._billable_ticket(other)
        self._log(ticket, 2)
        line = ticket.timesheet_ids
        self.assertRecordValues(
            line, [{"consulting_split": "billable", "so_line": False, "unit_amount": 2.0}]
        )
        self.assertEqual(line.consulting_status, "no_sale_line")
        moves_before = self.env["account.move"].search_count([])
        with self.assertRaisesRegex(UserError, "Brasserie Nord.*Create Consulting Order"):
            self._invoice(line)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)

        with self.assertRaises(AccessError):
            line.with_user(self.agent).action_create_consulting_order()
        # The accountant creates it from the screen, without sales rights, and stays there.
        action = line.with_user(self.accountant).action_create_consulting_order()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn(
            entitlement.consulting_sale_line_id.order_id.name, action["params"]["message"]
        )
        self.assertEqual(entitlement.consulting_sale_line_id.order_id.state, "sale")
        self.assertEqual(entitlement.consulting_sale_line_id.product_id, self.product)
        self.assertEqual(line.so_line, entitlement.consulting_sale_line_id)
        invoice = self._invoice(line)
        self.assertEqual(invoice.partner_id, other)
        self.assertEqual(invoice.invoice_line_ids.quantity, 2.0)

    def test_no_consulting_product_is_a_clear_error(self):
        other = self.env["res.partner"].create({"name": "Sans Produit", "is_company": True})
        entitlement = self.env["support.entitlement"].create(
            {
                "partner_id": other.id,
                "tier_id": self.env.ref("support_sla.tier_standard").id,
                "company_id": self.company.id,
                "state": "draft",
            }
        )
        self.product.active = False
        orders_before = self.env["sale.order"].search_count([])
        with self.assertRaisesRegex(UserError, "consulting product"):
            entitlement.action_create_consulting_order()
        self.assertEqual(self.env["sale.order"].search_count([]), orders_before)
        self.assertFalse(entitlement.consulting_sale_line_id)

    def test_no_customer_is_a_clear_error(self):
        ticket = self._billable_ticket(partner=False)
        self._log(ticket, 1)
        with self.assertRaisesRegex(UserError, "no customer"):
            self._invoice(ticket.timesheet_ids)
        with self.assertRaisesRegex(UserError, "no support contract"):
            ticket.timesheet_ids.with_user(self.accountant).action_create_consulting_order()

    def test_only_accountants_invoice(self):
        ticket = self._billable_ticket()
        self._log(ticket, 3)
        billable = ticket.timesheet_ids.filtered(lambda line: line.consulting_split == "billable")
        with self.assertRaises(AccessError):
            self._invoice(billable, user=self.agent)
        with self.assertRaises(AccessError):
            self._invoice(billable, user=self.manager)
        self.assertFalse(billable.timesheet_invoice_id)

    def test_other_company_accountant_sees_nothing(self):
        other = self.setup_other_company(name="Support Company B")["company"]
        accountant_b = new_test_user(
            self.env,
            login="l2_accountant_b",
            groups="base.group_user,account.group_account_invoice",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        ticket = self._billable_ticket()
        self._log(ticket, 3)
        lines_b = (
            self.env["account.analytic.line"]
            .with_user(accountant_b)
            .search([("consulting_split", "!=", False)])
        )
        self.assertFalse(lines_b)
        with self.assertRaises(AccessError):
            ticket.timesheet_ids.with_user(accountant_b).read(["unit_amount"])

    def _billable_lines(self, ticket):
        return ticket.timesheet_ids.filtered(lambda line: line.consulting_split == "billable")

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
        other = self.env["res.partner"].create({"name": "Brasserie Nord", "is_company": True})
        entitlement = self.env["support.entitlement"].create(
            {
                "partner_id": other.id,
                "tier_id": self.env.ref("support_sla.tier_standard").id,
                "company_id": self.company.id,
                "date_start": fields.Date.context_today(self.env.user),
                "state": "active",
            }
        )
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

    def test_one_customer_without_line_never_blocks_the_others(self):
        other = self.env["res.partner"].create({"name": "Brasserie Nord", "is_company": True})
        self.env["support.entitlement"].create(
            {
                "partner_id": other.id,
                "tier_id": self.env.ref("support_sla.tier_standard").id,
                "company_id": self.company.id,
                "date_start": fields.Date.context_today(self.env.user),
                "state": "active",
            }
        )
        ticket = self._billable_ticket()
        self._log(ticket, 3)
        blocked = self._billable_ticket(other)
        self._log(blocked, 2)
        lines = self._billable_lines(ticket) | blocked.timesheet_ids
        action = lines.with_user(self.accountant).action_create_consulting_invoices()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("Brasserie Nord: no consulting sale order line", action["params"]["message"])
        invoices = self.env["account.move"].search(action["params"]["next"]["domain"])
        self.assertEqual(invoices.partner_id, self.customer)
        self.assertEqual(self._billable_lines(ticket).timesheet_invoice_id, invoices)
        self.assertEqual(blocked.timesheet_ids.consulting_status, "no_sale_line")

    def test_draft_invoices_list_shows_the_customer_and_freed_hours_no_invoice(self):
        ticket = self._billable_ticket()
        self._log(ticket, 3)
        billable = self._billable_lines(ticket)
        action = billable.with_user(self.accountant).action_create_consulting_invoices()
        self.assertEqual(action["res_model"], "account.move")
        list_view = next(view_id for view_id, mode in action["views"] if mode == "list")
        arch = (
            self.env["account.move"]
            .with_user(self.accountant)
            .get_views([(list_view, "list")])["views"]["list"]["arch"]
        )
        self.assertIn('name="invoice_partner_display_name"', arch)
        invoice = self.env["account.move"].search(action["domain"])
        invoice.button_cancel()
        screen = self.env.ref("support_sla_escalation.account_analytic_line_view_list_consulting")
        self.assertIn(
            """invisible="consulting_status != 'invoiced'\"""",
            screen.arch.split('name="timesheet_invoice_id"')[1].split("/>")[0],
        )
        self.assertEqual(billable.consulting_status, "to_invoice")

    def test_declined_work_is_not_invoiced_unless_a_manager_decides(self):
        ticket = self._billable_ticket()
        ticket.action_billable_decline()
        self._log(ticket, 3)
        billable = self._billable_lines(ticket)
        self.assertEqual(billable.consulting_status, "declined")
        self.assertFalse(billable.so_line, "declined hours are not delivered on the order")
        self.assertEqual(self.order.order_line.qty_delivered, 0.0)
        screen = self.env["account.analytic.line"].with_user(self.accountant)
        self.assertEqual(screen.search([("consulting_status", "=", "declined")]), billable)
        self.assertFalse(screen.search([("consulting_status", "=", "no_sale_line")]))
        with self.assertRaisesRegex(UserError, "declined the billable work"):
            self._invoice(billable)
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent).billable_invoice_declined = True
        # (This test class disables the chatter tracking: switch it back on.)
        ticket.with_user(self.manager).with_context(
            tracking_disable=False, mail_notrack=False
        ).billable_invoice_declined = True
        self.env.flush_all()
        self.env.cr.precommit.run()  # the chatter tracking, as a commit writes it
        self.assertEqual(billable.consulting_status, "to_invoice")
        self.assertEqual(billable.so_line, self.order.order_line)
        self.assertTrue(
            ticket.message_ids.tracking_value_ids.filtered(
                lambda value: value.field_id.name == "billable_invoice_declined"
            )
        )
        self.assertEqual(self._invoice(billable).invoice_line_ids.quantity, 2.0)
