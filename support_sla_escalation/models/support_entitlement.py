from datetime import date

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.support_sla.engine import SlaError

from ..engine import accrued_hours, annual_period, available_hours

# Ivanti TRM packages: name and prepaid consulting hours per twelve months.
CONSULTING_PACKAGES = {
    "trm_basic": ("TRM Basic", 96),
    "trm_premier": ("TRM Premier", 192),
    "trm_enterprise": ("TRM Enterprise", 384),
    "trm_dedicated": ("TRM Dedicated", 1600),
}


class SupportEntitlement(models.Model):
    _inherit = "support.entitlement"

    consulting_package = fields.Selection(
        [("custom", "Custom")]
        + [(code, f"{name} ({hours} h)") for code, (name, hours) in CONSULTING_PACKAGES.items()],
        default="custom",
        tracking=True,
        help="Preset of prepaid consulting hours per year.",
    )
    consulting_hours_per_year = fields.Float(
        string="Prepaid Hours / Year",
        compute="_compute_consulting_hours_per_year",
        store=True,
        readonly=False,
        tracking=True,
        help="Prepaid Level 2 consulting hours of each annual period (from the start date): "
        "one twelfth becomes available at the start of each month, unused hours expire at "
        "the end of the period.",
    )
    consulting_period_start = fields.Date(
        string="Period Start", compute="_compute_consulting_hours"
    )
    consulting_period_end = fields.Date(string="Period End", compute="_compute_consulting_hours")
    consulting_hours_accrued = fields.Float(
        string="Prepaid Hours Accrued",
        compute="_compute_consulting_hours",
        help="Prepaid hours made available so far in the current annual period.",
    )
    consulting_hours_used = fields.Float(
        string="Prepaid Hours Used",
        compute="_compute_consulting_hours",
        help="Prepaid hours consumed by billable Level 2 work in the current annual period.",
    )
    consulting_hours_available = fields.Float(
        string="Prepaid Hours Available",
        compute="_compute_consulting_hours",
        help="Prepaid hours left today: accrued in the current period minus those used.",
    )
    consulting_sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Consulting Sale Line",
        check_company=True,
        tracking=True,
        domain="[('order_partner_id.commercial_partner_id', '=', partner_id), "
        "('state', '=', 'sale'), ('is_service', '=', True), "
        "('qty_delivered_method', '=', 'timesheet')]",
        help="The customer's sale order line of Level 2 consulting (a service invoiced on "
        "timesheets): billable hours beyond the prepaid budget are delivered there.",
    )

    @api.depends("consulting_package")
    def _compute_consulting_hours_per_year(self):
        for entitlement in self:
            package = CONSULTING_PACKAGES.get(entitlement.consulting_package)
            if package:
                entitlement.consulting_hours_per_year = package[1]
            elif not entitlement.consulting_hours_per_year:
                entitlement.consulting_hours_per_year = 0.0

    @api.constrains("consulting_hours_per_year")
    def _check_consulting_hours(self):
        for entitlement in self:
            if entitlement.consulting_hours_per_year < 0:
                raise ValidationError(
                    _("%s: prepaid consulting hours cannot be negative.", entitlement.name)
                )

    @api.constrains("consulting_sale_line_id", "partner_id")
    def _check_consulting_sale_line(self):
        for entitlement in self:
            line = entitlement.consulting_sale_line_id.sudo()
            if not line:
                continue
            if line.order_partner_id.commercial_partner_id != entitlement.partner_id:
                raise ValidationError(
                    _(
                        "The consulting sale line of %(name)s must be sold to %(customer)s.",
                        name=entitlement.name,
                        customer=entitlement.partner_id.display_name,
                    )
                )
            if not line.product_id._is_delivered_timesheet():
                raise ValidationError(
                    _(
                        "The consulting sale line of %s must sell a service invoiced on "
                        "timesheets.",
                        entitlement.name,
                    )
                )

    @api.depends_context("date")
    @api.depends("consulting_hours_per_year", "date_start", "date_end")
    def _compute_consulting_hours(self):
        today = fields.Date.to_date(self.env.context.get("date")) or fields.Date.context_today(self)
        budgets = self._consulting_budget(today)
        for entitlement in self:
            budget = budgets[entitlement]
            entitlement.update(
                {
                    "consulting_period_start": budget["start"],
                    "consulting_period_end": budget["end"],
                    "consulting_hours_accrued": budget["accrued"],
                    "consulting_hours_used": budget["used"],
                    "consulting_hours_available": budget["available"],
                }
            )

    def _consulting_lock(self):
        """Serialise the use of these contracts' prepaid hours between transactions.

        Odoo's transactions are REPEATABLE READ: a row lock alone would make a second
        agent wait, then read the budget of its older snapshot and spend the same hour.
        Writing the rows (locked in id order, against deadlocks) makes PostgreSQL refuse
        the later writer with a serialization failure instead, which Odoo retries in a
        new transaction that sees the first one's time.
        """
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "UPDATE support_entitlement SET id = id WHERE id IN (SELECT id FROM "
                    "support_entitlement WHERE id IN %s ORDER BY id FOR UPDATE)",
                    tuple(self.ids),
                )
            )

    def _consulting_budget(self, day):
        """Prepaid hours of each entitlement in its annual period containing ``day``.

        ``{entitlement: {start, end, accrued, used, available}}``, with one query for the
        hours used by all of them.
        """
        periods = {}
        for entitlement in self:
            if not entitlement.date_start or day < entitlement.date_start:
                periods[entitlement] = (False, False)
                continue
            try:
                periods[entitlement] = annual_period(entitlement.date_start, day)
            except SlaError as error:
                raise UserError(str(error)) from error
        ids = [ent.id for ent, (start, _end) in periods.items() if start and ent.id]
        used = {}
        if ids:
            lines = (
                self.env["account.analytic.line"]
                .sudo()
                .search_read(
                    [
                        ("consulting_entitlement_id", "in", ids),
                        ("consulting_split", "=", "prepaid"),
                        ("date", ">=", min(p[0] for p in periods.values() if p[0])),
                    ],
                    ["consulting_entitlement_id", "date", "unit_amount"],
                )
            )
            for line in lines:
                entitlement = self.browse(line["consulting_entitlement_id"][0])
                start, end = periods[entitlement]
                if start <= line["date"] < end:
                    used[entitlement] = used.get(entitlement, 0.0) + line["unit_amount"]
        budgets = {}
        for entitlement, (start, end) in periods.items():
            annual = entitlement.consulting_hours_per_year
            spent = used.get(entitlement, 0.0)
            accrued = available = 0.0
            # A negative figure is refused on save (_check_consulting_hours): none until then.
            if start and annual > 0:
                package = (annual, entitlement.date_start, day)
                accrued = accrued_hours(*package, end=entitlement.date_end or None)
                available = available_hours(*package, spent, end=entitlement.date_end or None)
            budgets[entitlement] = {
                "start": start,
                # The period stops with the contract.
                "end": end
                and min(fields.Date.subtract(end, days=1), entitlement.date_end or date.max),
                "accrued": accrued,
                "used": spent,
                "available": available,
            }
        return budgets

    # -- consulting sale order ------------------------------------------------

    def _pending_billable_hours(self):
        """Billable hours of these contracts waiting for a consulting sale line."""
        return (
            self.env["account.analytic.line"]
            .sudo()
            .search(
                [
                    ("consulting_entitlement_id", "in", self.ids),
                    ("consulting_status", "=", "no_sale_line"),
                ]
            )
        )

    def action_create_consulting_order(self):
        """A confirmed sale order of Level 2 consulting for the customer.

        Those who bill Level 2 work may do it: salespeople, accountants and helpdesk
        managers, whether or not they may create sale orders otherwise.
        """
        self.ensure_one()
        self._check_consulting_order_access()
        order = self.sudo()._create_consulting_order()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": order.id,
            "view_mode": "form",
        }

    def _check_consulting_order_access(self):
        """As the user, before anything done with sudo: the user bills Level 2 work, the
        contract is of one of the user's allowed companies and the record rules let them
        read it."""
        user = self.env.user
        if not any(
            user.has_group(group)
            for group in (
                "sales_team.group_sale_salesman",
                "account.group_account_invoice",
                "helpdesk_mgmt.group_helpdesk_manager",
            )
        ):
            raise AccessError(_("Only salespeople, accountants and helpdesk managers can do it."))
        user_env = self.env(su=False)
        contract = self.with_env(user_env)
        rules = user_env["ir.rule"]._compute_domain(self._name, "read")
        if self.sudo().company_id not in user_env.companies or not contract.sudo().filtered_domain(
            rules or []
        ):
            raise AccessError(
                _(
                    "You cannot bill the contract %(contract)s: it belongs to a company or "
                    "a customer you do not work for.",
                    contract=self.sudo().name,
                )
            )

    def _create_consulting_order(self):
        self.ensure_one()
        if self.consulting_sale_line_id:
            raise UserError(_("%s already has a consulting sale line.", self.name))
        product = self.company_id._support_consulting_product()
        if not product or not product.active or not product._is_delivered_timesheet():
            raise UserError(
                _(
                    "Choose the Level 2 consulting product (a service invoiced on timesheets) "
                    "in the Helpdesk settings first."
                )
            )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "origin": self.name,
                "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 0.0})],
            }
        )
        order.action_confirm()
        self.consulting_sale_line_id = order.order_line[:1]
        return order
