from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, float_is_zero

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

    def _consulting_digits(self):
        """Hours are quantities: compared at their precision, as sale_timesheet does."""
        return self.env["decimal.precision"].precision_get("Product Unit of Measure")

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
        # Before reading the budget: two agents must not both spend the last hour.
        tickets.entitlement_id.filtered("consulting_hours_per_year")._consulting_lock()
        today = fields.Date.context_today(self)
        digits = self._consulting_digits()
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
            if float_is_zero(hours, precision_digits=digits):
                # A timer just started: the budget decides where it belongs.
                split = "prepaid" if remaining[key] > 0 else "billable"
                result.append({**vals, **common, "consulting_split": split})
            elif float_is_zero(rest, precision_digits=digits):
                result.append({**vals, **common, "consulting_split": "prepaid"})
            elif float_is_zero(prepaid, precision_digits=digits):
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
        # A line growing in one transaction, time logged in another: one budget.
        splitting.consulting_entitlement_id._consulting_lock()
        digits = self._consulting_digits()
        for line in splitting:
            entitlement = line.consulting_entitlement_id
            budget = entitlement._consulting_budget(line.date)[entitlement]
            # Before the contract starts there is no budget at all.
            excess = budget["used"] - budget["accrued"] if budget["start"] else line.unit_amount
            if float_compare(excess, 0, precision_digits=digits) <= 0:
                continue
            if float_compare(excess, line.unit_amount, precision_digits=digits) >= 0:
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
