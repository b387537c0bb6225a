from odoo import _, api, fields, models
from odoo.exceptions import UserError


# One model over several files, by concern (as Odoo's mail does).
class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"  # pylint: disable=consider-merging-classes-inherited

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
    consulting_unaccepted = fields.Boolean(
        string="Not Accepted",
        compute="_compute_consulting_unaccepted",
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
            "to_invoice": [*billable, ("so_line", "!=", False), "!", *declined, *not_billed],
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
        # The search's domains (one line, one status), in memory and for all lines at once.
        lines = self
        lines.consulting_status = False
        for status, _label in self._fields["consulting_status"].selection:
            matched = lines.filtered_domain(self._get_consulting_status_domain(status))
            matched.consulting_status = status
            lines -= matched

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
        never invoiced, billable time goes on the ticket's sale line (the customer's
        consulting line, unless someone chose another on the ticket)."""
        self.ensure_one()
        if self.consulting_split != "billable" or self.consulting_declined:
            return self.env["sale.order.line"]
        return self.sudo().ticket_id.sale_line_id

    @api.depends("consulting_split", "ticket_id.sale_line_id", "consulting_declined")
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
    def _compute_consulting_unaccepted(self):
        for line in self:
            ticket = line.sudo().ticket_id
            line.consulting_unaccepted = bool(
                ticket.billable and ticket.billable_accepted != "accepted"
            )

    def _timesheet_determine_sale_line(self):
        """Included Level 2 time (an escalated ticket that is not billable) is never
        invoiced. Billable tickets' time has its own rule (_compute_so_line)."""
        ticket = self.sudo().ticket_id
        if ticket and (ticket.support_level == "l2" or ticket.escalation_ids):
            return self.env["sale.order.line"]
        return super()._timesheet_determine_sale_line()
