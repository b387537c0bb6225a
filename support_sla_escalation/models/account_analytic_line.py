from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, float_is_zero, formatLang

# Timesheet lines changed by the split itself; honoured only under sudo (a context
# sent over RPC opens nothing).
SPLITTING = "support_consulting_splitting"
# Where Level 2 time is billed: decided by the split, never typed by a user.
CONSULTING_DECIDED = {
    "consulting_split",
    "consulting_entitlement_id",
    "consulting_partner_id",
    "consulting_declined",
}


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
            ("declined", "Declined by the customer"),
            ("no_sale_line", "No consulting sale line"),
            ("to_invoice", "To invoice"),
            ("invoiced", "Invoiced"),
        ],
        compute="_compute_consulting_status",
        search="_search_consulting_status",
        string="Billing Status",
    )
    consulting_declined = fields.Boolean(
        string="Declined by the Customer",
        compute="_compute_consulting_declined",
        compute_sudo=True,
        store=True,
        help="Billable time of a ticket whose customer declined the charge: not invoiced "
        "unless a helpdesk manager decided otherwise on the ticket.",
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
        not_billed = [
            "|",
            ("timesheet_invoice_id", "=", False),
            ("timesheet_invoice_id.state", "=", "cancel"),
        ]
        declined = [("consulting_declined", "=", True)]
        billable = [("consulting_split", "=", "billable")]
        return {
            "prepaid": [("consulting_split", "=", "prepaid")],
            "declined": [*billable, *declined, *not_billed],
            "no_sale_line": [*billable, ("so_line", "=", False), "!", *declined, *not_billed],
            "to_invoice": [*billable, ("so_line", "!=", False), *not_billed],
            "invoiced": [*billable, *billed],
        }[status]

    def _search_consulting_status(self, operator, value):
        if operator not in ("=", "!=") or value not in dict(
            self._fields["consulting_status"].selection
        ):
            raise UserError(_("Search the billing status with = or != and a status."))
        domain = self._get_consulting_status_domain(value)
        return domain if operator == "=" else ["!", *domain]

    @api.depends("consulting_split", "so_line", "timesheet_invoice_id.state", "consulting_declined")
    def _compute_consulting_status(self):
        for line in self:
            if line.consulting_split == "prepaid":
                status = "prepaid"
            elif line.consulting_split != "billable":
                status = False
            elif line.timesheet_invoice_id and line.timesheet_invoice_id.state != "cancel":
                status = "invoiced"
            elif line.consulting_declined:
                status = "declined"
            elif not line.so_line:
                status = "no_sale_line"
            else:
                status = "to_invoice"
            line.consulting_status = status

    @api.depends("ticket_id.billable_accepted", "ticket_id.billable_invoice_declined")
    def _compute_consulting_declined(self):
        for line in self:
            line.consulting_declined = (
                line.ticket_id.billable_accepted == "declined"
                and not line.ticket_id.billable_invoice_declined
            )

    def _consulting_sale_line(self):
        """The one rule of the sale line of Level 2 time, whatever created the line (ticket
        form, timesheet list, timer, import, data file): prepaid time and declined work are
        never invoiced, billable time goes on the customer's consulting line."""
        self.ensure_one()
        if self.consulting_split != "billable" or self.consulting_declined:
            return self.env["sale.order.line"]
        return self.sudo().consulting_entitlement_id.consulting_sale_line_id

    @api.depends(
        "consulting_split",
        "consulting_entitlement_id.consulting_sale_line_id",
        "consulting_declined",
    )
    def _compute_so_line(self):
        # Level 2 time follows the split whatever its project or a sale line typed in a
        # view: sale_timesheet's rule (billable project, edited line) does not apply.
        consulting = self.filtered(lambda line: line.consulting_split and line._is_not_billed())
        for line in consulting:
            line.so_line = line._consulting_sale_line()
        return super(
            AccountAnalyticLine, self - self.filtered("consulting_split")
        )._compute_so_line()

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

    def _check_consulting_typed(self, vals_list):
        """Refuse a user's values of what the split decides (prepaid or billable, for
        which contract and customer, declined): the split alone writes them, under sudo."""
        if self.env.su:
            return
        typed = set().union(*(CONSULTING_DECIDED & vals.keys() for vals in vals_list))
        if typed:
            labels = ", ".join(sorted(self._fields[name].get_description(self.env)["string"]
                                      for name in typed))  # fmt: skip
            raise AccessError(
                _(
                    "Where Level 2 time is billed is decided from the ticket and the prepaid "
                    "hours, not typed: %(fields)s.",
                    fields=labels,
                )
            )

    def _splitting(self):
        """Whether this is the split's own write (under sudo only)."""
        return self.env.su and self.env.context.get(SPLITTING)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_consulting_typed(vals_list)
        vals_list = self._consulting_split_vals(vals_list)
        for vals in vals_list:
            if vals.get("consulting_split"):
                # A view's onchange sends the sale line it guessed before the split existed:
                # the split's rule decides (_compute_so_line).
                vals.pop("so_line", None)
                vals.pop("is_so_line_edited", None)
        return super().create(vals_list)

    def _consulting_split_vals(self, vals_list):
        """Time on billable tickets draws on the prepaid hours first.

        A line straddling the end of the prepaid budget becomes two lines: the prepaid
        part and the billable rest.
        """
        ticket_ids = {vals["ticket_id"] for vals in vals_list if vals.get("ticket_id")}
        if not ticket_ids or self._splitting():
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
        self._check_consulting_typed([vals])
        if "ticket_id" in vals and self.filtered("consulting_split"):
            raise UserError(
                _(
                    "Level 2 consulting time cannot move to another ticket: delete it and "
                    "log it on the right ticket."
                )
            )
        result = super().write(vals)
        if vals.get("ticket_id") and not self._splitting():
            self._consulting_split_moved()
        if {"so_line", "is_so_line_edited"} & vals.keys():
            # Typed over: the split's rule puts it back.
            self.env.add_to_compute(self._fields["so_line"], self.filtered("consulting_split"))
        if {"unit_amount", "date"} & vals.keys() and not self._splitting():
            self.filtered(lambda line: line.consulting_split == "prepaid")._consulting_overflow()
        return result

    def _consulting_split_moved(self):
        """Time put on a billable ticket after it was logged (e.g. in the timesheet list) is
        split as if it had been logged there."""
        # After the user's own write of the lines: the split's fields, with sudo.
        splitting = self.sudo().with_context(**{SPLITTING: True})
        consulting = ("consulting_split", "consulting_entitlement_id", "consulting_partner_id")
        for line in splitting.filtered(lambda t: not t.consulting_split and t._is_not_billed()):
            first, *rest = self._consulting_split_vals(
                [
                    {
                        "ticket_id": line.ticket_id.id,
                        "unit_amount": line.unit_amount,
                        "date": line.date,
                    }
                ]
            )
            if not first.get("consulting_split"):
                continue
            line.write({key: first[key] for key in (*consulting, "unit_amount")})
            for part in rest:
                line.copy(
                    {
                        **{key: part[key] for key in consulting},
                        "unit_amount": part["unit_amount"],
                        "date": line.date,
                    }
                )

    def _consulting_overflow(self):
        """Prepaid lines grown beyond the budget (or moved to a day with less of it) give
        their excess to a billable line."""
        # After the user's own write of the lines: the split's fields, with sudo.
        splitting = self.sudo().with_context(**{SPLITTING: True})
        for line in splitting:
            entitlement = line.consulting_entitlement_id
            budget = entitlement._consulting_budget(line.date)[entitlement]
            # Before the contract starts there is no budget at all.
            excess = budget["used"] - budget["accrued"] if budget["start"] else line.unit_amount
            if float_compare(excess, 0, precision_digits=4) <= 0:
                continue
            if float_compare(excess, line.unit_amount, precision_digits=4) >= 0:
                # Nothing of the line fits in the budget any more: it is all billable.
                line.write({"consulting_split": "billable"})
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
        if self.consulting_split:
            return self._consulting_sale_line()
        ticket = self.sudo().ticket_id
        if ticket and (ticket.support_level == "l2" or ticket.escalation_ids):
            return self.env["sale.order.line"]
        return super()._timesheet_determine_sale_line()

    # -- invoicing ------------------------------------------------------------------

    def _consulting_hours_text(self, hours):
        """Hours in the reader's number format, to the hundredth only when needed."""
        digits = 1 if float_compare(round(hours, 1), hours, precision_digits=2) == 0 else 2
        return formatLang(self.env, hours, digits=digits)

    def action_create_consulting_order(self):
        """From the accountants' screen: the hours of this customer without a consulting sale
        line go on one, created for the customer when the contract has none yet."""
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
        pending = entitlement._pending_billable_hours()
        if not entitlement.consulting_sale_line_id:
            entitlement.with_user(self.env.user).action_create_consulting_order()
        else:
            # Same rights as creating the order: the hours only lacked their link to it.
            entitlement.with_user(self.env.user)._check_consulting_order_access()
            self.env.add_to_compute(self._fields["so_line"], pending)
        pending.flush_recordset(["so_line"])
        moved = pending.filtered("so_line")
        order = entitlement.consulting_sale_line_id.order_id
        # Back to the hours: the sale order form is the salespeople's, not the accountants'.
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "%(hours)s h of %(customer)s are on the consulting sale order %(order)s.",
                    hours=self._consulting_hours_text(sum(moved.mapped("unit_amount"))),
                    customer=entitlement.partner_id.display_name,
                    order=order.name,
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _consulting_invoice_refusal(self):
        """Why this billable line cannot be invoiced now (False when it can)."""
        self.ensure_one()
        if not self.consulting_partner_id:
            return _("no customer on the ticket")
        if self.consulting_declined:
            return _("the customer declined the billable work")
        if not self.so_line:
            return _("no consulting sale order line (Create Consulting Order)")
        return False

    def action_create_consulting_invoices(self):
        """Draft invoices of the selected Level 2 hours, by their sale orders' invoicing.

        The hours that cannot be invoiced never block the others: they are listed, with why.
        """
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(_("Only accountants create invoices."))
        lines = self.filtered(lambda line: line.consulting_split == "billable")
        if not lines:
            raise UserError(_("Select billable Level 2 hours to invoice."))
        refusals = {}
        refused = self.browse()
        for line in lines:
            reason = line._consulting_invoice_refusal()
            if reason:
                refused |= line
                name = line.consulting_partner_id.display_name or line.ticket_id.display_name
                refusals.setdefault(name, set()).add(reason)
        skipped = "\n".join(
            f"{name}: {', '.join(sorted(reasons))}" for name, reasons in sorted(refusals.items())
        )
        orders = (
            (lines - refused)
            .filtered(lambda line: line._is_not_billed())
            .so_line.order_id.filtered(lambda order: order.invoice_status == "to invoice")
        )
        if not orders:
            if skipped:
                raise UserError(_("Nothing could be invoiced:\n%s", skipped))
            raise UserError(_("Nothing left to invoice: these hours are already invoiced."))
        invoices = orders._create_invoices()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action.update(
            {
                "name": _("Draft Invoices"),
                "domain": [("id", "in", invoices.ids)],
                "context": {"default_move_type": "out_invoice", "create": False},
            }
        )
        if not skipped:
            return action
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "sticky": True,
                "title": _("Some hours were not invoiced"),
                "message": skipped,
                "next": action,
            },
        }
