from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, float_is_zero

# Timesheet lines changed by the split itself.
SPLITTING = "support_consulting_splitting"


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    consulting_split = fields.Selection(
        [("prepaid", "Prepaid"), ("billable", "Billable")],
        string="Level 2 Consulting",
        readonly=True,
        copy=False,
        index=True,
        help="Time on a billable ticket: drawn on the customer's prepaid hours, or billable "
        "on their consulting sale line.",
    )
    consulting_entitlement_id = fields.Many2one(
        "support.entitlement",
        string="Consulting Entitlement",
        readonly=True,
        copy=False,
        index=True,
    )
    consulting_partner_id = fields.Many2one(
        "res.partner",
        string="Consulting Customer",
        readonly=True,
        copy=False,
        index=True,
    )
    consulting_status = fields.Selection(
        [
            ("prepaid", "Prepaid"),
            ("no_sale_line", "No consulting sale line"),
            ("to_invoice", "To invoice"),
            ("invoiced", "Invoiced"),
        ],
        compute="_compute_consulting_status",
        search="_search_consulting_status",
        string="Billing Status",
    )
    ticket_billable_unaccepted = fields.Boolean(
        string="Not Accepted",
        compute="_compute_ticket_billable_unaccepted",
        help="Logged on a billable ticket whose customer has not accepted the charge.",
    )

    @api.model
    def _get_consulting_status_domain(self, status):
        """The one definition of each billing status, as a domain."""
        billed = [
            ("timesheet_invoice_id", "!=", False),
            ("timesheet_invoice_id.state", "!=", "cancel"),
        ]
        return {
            "prepaid": [("consulting_split", "=", "prepaid")],
            "no_sale_line": [("consulting_split", "=", "billable"), ("so_line", "=", False)],
            "to_invoice": [
                ("consulting_split", "=", "billable"),
                ("so_line", "!=", False),
                "|",
                ("timesheet_invoice_id", "=", False),
                ("timesheet_invoice_id.state", "=", "cancel"),
            ],
            "invoiced": [("consulting_split", "=", "billable"), *billed],
        }[status]

    def _search_consulting_status(self, operator, value):
        if operator not in ("=", "!=") or value not in dict(
            self._fields["consulting_status"].selection
        ):
            raise UserError(_("Search the billing status with = or != and a status."))
        domain = self._get_consulting_status_domain(value)
        return domain if operator == "=" else ["!", *domain]

    @api.depends("consulting_split", "so_line", "timesheet_invoice_id.state")
    def _compute_consulting_status(self):
        for line in self:
            if line.consulting_split == "prepaid":
                status = "prepaid"
            elif line.consulting_split != "billable":
                status = False
            elif not line.so_line:
                status = "no_sale_line"
            elif line.timesheet_invoice_id and line.timesheet_invoice_id.state != "cancel":
                status = "invoiced"
            else:
                status = "to_invoice"
            line.consulting_status = status

    @api.depends("ticket_id.billable", "ticket_id.billable_accepted")
    def _compute_ticket_billable_unaccepted(self):
        for line in self:
            ticket = line.sudo().ticket_id
            line.ticket_billable_unaccepted = bool(
                ticket.billable and ticket.billable_accepted != "accepted"
            )

    @api.constrains("unit_amount", "ticket_id")
    def _check_ticket_hours(self):
        for line in self:
            if line.ticket_id and line.unit_amount < 0:
                raise ValidationError(
                    _("Time logged on %s cannot be negative.", line.ticket_id.display_name)
                )

    # -- prepaid / billable split -------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        return super().create(self._consulting_split_vals(vals_list))

    def _consulting_split_vals(self, vals_list):
        """Time on billable tickets draws on the prepaid hours first.

        A line straddling the end of the prepaid budget becomes two lines: the prepaid
        part and the billable rest.
        """
        ticket_ids = {vals["ticket_id"] for vals in vals_list if vals.get("ticket_id")}
        if not ticket_ids or self.env.context.get(SPLITTING):
            return vals_list
        # As the user first: time is logged on tickets they may read.
        self.env["helpdesk.ticket"].browse(ticket_ids).check_access("read")
        tickets = self.env["helpdesk.ticket"].sudo().browse(ticket_ids).filtered("billable")
        if not tickets:
            return vals_list
        today = fields.Date.context_today(self)
        remaining = {}
        budgets = {}
        result = []
        for vals in vals_list:
            ticket = tickets.browse(vals.get("ticket_id"))
            if ticket not in tickets:
                result.append(vals)
                continue
            entitlement = ticket.entitlement_id
            hours = vals.get("unit_amount") or 0.0
            if hours < 0:
                raise ValidationError(
                    _("Time logged on %s cannot be negative.", ticket.display_name)
                )
            day = fields.Date.to_date(vals.get("date")) or today
            common = {
                "consulting_entitlement_id": entitlement.id,
                "consulting_partner_id": ticket.commercial_partner_id.id,
            }
            if not entitlement:
                result.append({**vals, **common, "consulting_split": "billable"})
                continue
            if (entitlement, day) not in budgets:
                budgets[entitlement, day] = entitlement._consulting_budget(day)[entitlement]
            budget = budgets[entitlement, day]
            key = (entitlement, budget["start"], budget["accrued"])
            remaining.setdefault(key, budget["available"])
            prepaid = min(hours, remaining[key])
            rest = hours - prepaid
            if float_is_zero(hours, precision_digits=4):
                # A timer just started: the budget decides where it belongs.
                split = "prepaid" if remaining[key] > 0 else "billable"
                result.append({**vals, **common, "consulting_split": split})
            elif float_is_zero(rest, precision_digits=4):
                result.append({**vals, **common, "consulting_split": "prepaid"})
            elif float_is_zero(prepaid, precision_digits=4):
                result.append({**vals, **common, "consulting_split": "billable"})
            else:
                result.append(
                    {**vals, **common, "unit_amount": prepaid, "consulting_split": "prepaid"}
                )
                result.append(
                    {**vals, **common, "unit_amount": rest, "consulting_split": "billable"}
                )
            remaining[key] -= prepaid
        return result

    def write(self, vals):
        if "ticket_id" in vals and self.filtered("consulting_split"):
            raise UserError(
                _(
                    "Level 2 consulting time cannot move to another ticket: delete it and "
                    "log it on the right ticket."
                )
            )
        result = super().write(vals)
        if {"unit_amount", "date"} & vals.keys() and not self.env.context.get(SPLITTING):
            self.filtered(lambda line: line.consulting_split == "prepaid")._consulting_overflow()
        return result

    def _consulting_overflow(self):
        """Prepaid lines grown beyond the budget (or moved to a day with less of it) give
        their excess to a billable line."""
        splitting = self.with_context(**{SPLITTING: True})
        for line in splitting:
            entitlement = line.consulting_entitlement_id
            budget = entitlement._consulting_budget(line.date)[entitlement]
            # Before the contract starts there is no budget at all.
            excess = budget["used"] - budget["accrued"] if budget["start"] else line.unit_amount
            if float_compare(excess, 0, precision_digits=4) <= 0:
                continue
            if float_compare(excess, line.unit_amount, precision_digits=4) >= 0:
                # Nothing of the line fits in the budget any more: it is all billable.
                line.write(
                    {
                        "consulting_split": "billable",
                        "so_line": entitlement.sudo().consulting_sale_line_id.id,
                    }
                )
                continue
            line.write({"unit_amount": line.unit_amount - excess})
            line.copy(
                {
                    "unit_amount": excess,
                    "consulting_split": "billable",
                    "consulting_entitlement_id": entitlement.id,
                    "consulting_partner_id": line.consulting_partner_id.id,
                    "date": line.date,
                }
            )

    def _timesheet_determine_sale_line(self):
        """Prepaid and included Level 2 time is never invoiced; billable time goes on the
        customer's consulting line."""
        if self.consulting_split == "prepaid":
            return self.env["sale.order.line"]
        if self.consulting_split == "billable":
            return self.sudo().consulting_entitlement_id.consulting_sale_line_id
        ticket = self.sudo().ticket_id
        if ticket and (ticket.support_level == "l2" or ticket.escalation_ids):
            return self.env["sale.order.line"]
        return super()._timesheet_determine_sale_line()

    # -- invoicing ------------------------------------------------------------------

    def action_create_consulting_order(self):
        """From the accountants' screen: a consulting sale order for these hours' customer."""
        self.ensure_one()
        # As the user first: these hours must be theirs to read (accountants: Level 2 time).
        self.check_access("read")
        entitlement = self.sudo().consulting_entitlement_id
        if not entitlement:
            raise UserError(
                _(
                    "%s has no support contract to attach a consulting sale order to: create "
                    "an entitlement for the customer first.",
                    self.ticket_id.display_name,
                )
            )
        return entitlement.with_user(self.env.user).action_create_consulting_order()

    def action_create_consulting_invoices(self):
        """Draft invoices of the selected Level 2 hours, by their sale orders' invoicing."""
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(_("Only accountants create invoices."))
        lines = self.filtered(lambda line: line.consulting_split == "billable")
        if not lines:
            raise UserError(_("Select billable Level 2 hours to invoice."))
        no_customer = lines.filtered(lambda line: not line.consulting_partner_id)
        if no_customer:
            raise UserError(
                _(
                    "%s has no customer: set the customer on the ticket before invoicing.",
                    no_customer[0].ticket_id.display_name,
                )
            )
        no_sale_line = lines.filtered(lambda line: not line.so_line)
        if no_sale_line:
            raise UserError(
                _(
                    "%(customers)s: no Level 2 consulting sale order line to invoice these "
                    "hours on. Create one from the customer's entitlement (Create Consulting "
                    "Order) and invoice again.",
                    customers=", ".join(sorted(set(no_sale_line.consulting_partner_id.mapped(
                        "display_name")))),
                )
            )  # fmt: skip
        orders = lines.filtered(lambda line: line._is_not_billed()).so_line.order_id.filtered(
            lambda order: order.invoice_status == "to invoice"
        )
        if not orders:
            raise UserError(_("Nothing left to invoice: these hours are already invoiced."))
        invoices = orders._create_invoices()
        return {
            "type": "ir.actions.act_window",
            "name": _("Draft Invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", invoices.ids)],
        }
