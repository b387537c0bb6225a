from odoo import _, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, formatLang


# One model over several files, by concern (as Odoo's mail does).
class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"  # pylint: disable=consider-merging-classes-inherited

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
        # Their tickets without a sale line (e.g. no longer billable) get the consulting line.
        pending.ticket_id.filtered(
            lambda t: not t.sale_line_id
        ).sale_line_id = entitlement.consulting_sale_line_id
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
