from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import EscalationMixin


class HoursMixin(EscalationMixin):
    """A customer on a support contract with Level 2 hours to invoice."""

    @classmethod
    def _customer_with_hours(cls, name, hours):
        customer = cls.env["res.partner"].create({"name": name, "is_company": True})
        entitlement = cls.env["support.entitlement"].create(
            {
                "partner_id": customer.id,
                "tier_id": cls.env.ref("support_sla.tier_standard").id,
                "date_start": fields.Date.today(),
                "state": "active",
            }
        )
        ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": f"New report for {name}",
                "description": "A new report",
                "partner_id": customer.id,
                "team_id": cls.team_l1.id,
            }
        )
        ticket._escalate("l2", cls.reasons["feature"])
        cls.env["account.analytic.line"].with_user(cls.manager).create(
            {"name": "Work", "ticket_id": ticket.id, "project_id": ticket.project_id.id,
             "unit_amount": hours}
        )  # fmt: skip
        return entitlement


@tagged("post_install", "-at_install")
class TestAccountantTour(HttpCase, HoursMixin):
    """The README's accountant path, clicked by a user with Invoicing: Billing only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_levels()
        cls.accountant = new_test_user(
            cls.env,
            login="tour_accountant",
            groups="base.group_user,account.group_account_invoice",
        )
        cls.product = cls.env.ref("support_sla_escalation.product_level2_consulting")
        cls.with_order = cls._customer_with_hours("Tour Fromagerie", 3)
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.with_order.partner_id.id,
                "order_line": [(0, 0, {"product_id": cls.product.id, "product_uom_qty": 0})],
            }
        )
        order.action_confirm()
        cls.with_order.consulting_sale_line_id = order.order_line
        cls.without_order = cls._customer_with_hours("Tour Brasserie", 2)

    @mute_logger("odoo.http")  # the second run's "Nothing left to invoice" is a UserError
    def test_billing_only_accountant_invoices_level2_hours(self):
        self.start_tour(
            "/odoo/action-support_sla_escalation.account_analytic_line_action_consulting",
            "support_sla_escalation_accountant",
            login=self.accountant.login,
        )
        lines = self.env["account.analytic.line"].search(
            [("consulting_entitlement_id", "in", (self.with_order | self.without_order).ids)]
        )
        self.assertEqual(set(lines.mapped("consulting_status")), {"invoiced"})
        invoices = lines.timesheet_invoice_id
        self.assertEqual(
            sorted(invoices.mapped(lambda move: (move.partner_id.name, move.state))),
            [("Tour Brasserie", "draft"), ("Tour Fromagerie", "posted")],
        )
        self.assertTrue(self.without_order.consulting_sale_line_id)


@tagged("post_install", "-at_install")
class TestFrenchListHeaders(HttpCase, HoursMixin):
    """French agents and accountants read the project's column headers in full."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["helpdesk_mgmt", "support_sla", "support_sla_escalation"], ["fr_FR"]
        )
        cls._setup_levels()
        cls.user = new_test_user(
            cls.env,
            login="fr_supervisor",
            groups="helpdesk_mgmt.group_helpdesk_manager,account.group_account_invoice",
            lang="fr_FR",
        )
        cls.product = cls.env.ref("support_sla_escalation.product_level2_consulting")
        cls.alpes = cls._customer_with_hours("Fromagerie des Alpes", 1.5)

    def test_ticket_list_headers(self):
        self.start_tour(
            "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action",
            "support_sla_escalation_fr_ticket_headers",
            login=self.user.login,
        )

    def test_escalation_list_headers(self):
        self.start_tour(
            "/odoo/action-support_sla_escalation.support_escalation_action",
            "support_sla_escalation_fr_escalation_headers",
            login=self.user.login,
        )

    def test_hours_to_invoice_headers(self):
        self.start_tour(
            "/odoo/action-support_sla_escalation.account_analytic_line_action_consulting",
            "support_sla_escalation_fr_hours_headers",
            login=self.user.login,
        )

    def test_consulting_order_message_in_french(self):
        hours = self.env["account.analytic.line"].search(
            [("consulting_entitlement_id", "=", self.alpes.id)]
        )
        action = (
            hours.with_user(self.user).with_context(lang="fr_FR").action_create_consulting_order()
        )
        order = self.alpes.consulting_sale_line_id.order_id
        self.assertEqual(
            action["params"]["message"],
            f"Fromagerie des Alpes : 1,5 h sur la commande de conseil {order.name}.",
        )
