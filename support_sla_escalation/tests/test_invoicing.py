from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common_consulting import ConsultingCase


@tagged("post_install", "-at_install")
class TestConsultingInvoicing(ConsultingCase):
    """Invoicing Level 2 hours: prepaid first, the rest once, by accountants only."""

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
        other, entitlement = self._customer_without_consulting_line()
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
