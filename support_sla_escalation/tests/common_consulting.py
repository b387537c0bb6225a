"""The invoicing test case of Level 2 consulting."""

from odoo import fields
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import EscalationMixin


@tagged("post_install", "-at_install")
class ConsultingCase(AccountTestInvoicingCommon, EscalationMixin):
    """Level 2 hours invoiced through the sale orders, by sale_timesheet: a customer with
    prepaid hours and a consulting order, an accountant, billable tickets."""

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

    def _billable_lines(self, ticket):
        return ticket.timesheet_ids.filtered(lambda line: line.consulting_split == "billable")

    def _customer_without_consulting_line(self):
        """``(customer, contract)``: a customer under contract with no consulting order."""
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
        return other, entitlement
