from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.support_sla.engine import SlaError
from odoo.addons.support_sla.models.sla_error import sla_error_message

from ..engine import annual_period, onsite_hours_allowed, onsite_usage

# Ivanti TRM on-site terms: share of the yearly hours that may be spent on site, and
# visits per year (None: as needed).
ONSITE_TERMS = {
    "trm_basic": (0.0, 0),
    "trm_premier": (25.0, 2),
    "trm_enterprise": (25.0, 4),
    "trm_dedicated": (25.0, None),
}


class SupportEntitlement(models.Model):
    _inherit = "support.entitlement"  # pylint: disable=consider-merging-classes-inherited

    consulting_onsite_share = fields.Float(
        string="On-site Share (%)",
        compute="_compute_consulting_onsite_terms",
        store=True,
        readonly=False,
        tracking=True,
        help="Share of the yearly consulting hours that may be spent at the customer's "
        "site (TRM: up to 25 %).",
    )
    consulting_onsite_visits = fields.Integer(
        string="On-site Visits / Year",
        compute="_compute_consulting_onsite_terms",
        store=True,
        readonly=False,
        tracking=True,
        help="Days at the customer's site included in each annual period.",
    )
    consulting_onsite_as_needed = fields.Boolean(
        string="Visits as Needed",
        compute="_compute_consulting_onsite_terms",
        store=True,
        readonly=False,
        tracking=True,
        help="No limit on the number of visits (TRM Dedicated): only the on-site hours count.",
    )
    consulting_onsite_hours_allowed = fields.Float(
        string="On-site Hours / Year",
        compute="_compute_consulting_onsite_hours_allowed",
        help="Hours that may be spent on site in each annual period.",
    )
    consulting_onsite_visits_used = fields.Integer(
        string="On-site Visits Used",
        compute="_compute_consulting_onsite_used",
        help="Days with time logged on site in the current annual period.",
    )
    consulting_onsite_hours_used = fields.Float(
        string="On-site Hours Used",
        compute="_compute_consulting_onsite_used",
        help="Time logged on site in the current annual period.",
    )

    @api.depends("consulting_package")
    def _compute_consulting_onsite_terms(self):
        for entitlement in self:
            terms = ONSITE_TERMS.get(entitlement.consulting_package)
            if terms:
                entitlement.consulting_onsite_share = terms[0]
                entitlement.consulting_onsite_visits = terms[1] or 0
                entitlement.consulting_onsite_as_needed = terms[1] is None
                continue
            # Custom: the terms typed stay (none until typed).
            for name in (
                "consulting_onsite_share",
                "consulting_onsite_visits",
                "consulting_onsite_as_needed",
            ):
                if not entitlement[name]:
                    entitlement[name] = entitlement._fields[name].convert_to_cache(
                        False, entitlement
                    )

    @api.constrains("consulting_onsite_share", "consulting_onsite_visits")
    def _check_consulting_onsite_terms(self):
        for entitlement in self:
            try:
                onsite_hours_allowed(0, entitlement.consulting_onsite_share)
                onsite_usage([], 0, entitlement.consulting_onsite_visits)
            except SlaError as error:
                raise ValidationError(
                    f"{entitlement.name}: {sla_error_message(self.env, error)}"
                ) from error

    @api.depends("consulting_hours_per_year", "consulting_onsite_share")
    def _compute_consulting_onsite_hours_allowed(self):
        for entitlement in self:
            entitlement.consulting_onsite_hours_allowed = entitlement._consulting_onsite_allowed()

    def _consulting_onsite_allowed(self):
        self.ensure_one()
        try:
            return onsite_hours_allowed(
                max(self.consulting_hours_per_year, 0.0),
                min(max(self.consulting_onsite_share, 0.0), 100.0),
            )
        except SlaError as error:
            raise UserError(sla_error_message(self.env, error)) from error

    @api.depends_context("date")
    @api.depends("date_start")
    def _compute_consulting_onsite_used(self):
        today = fields.Date.to_date(self.env.context.get("date")) or fields.Date.context_today(self)
        usage = self._consulting_onsite_usage({entitlement: [] for entitlement in self}, today)
        for entitlement in self:
            used = usage.get((entitlement, today))
            entitlement.consulting_onsite_visits_used = used.visits if used else 0
            entitlement.consulting_onsite_hours_used = used.hours if used else 0.0

    def _consulting_onsite_period(self, day):
        """``(start, next start)`` of the annual period of ``day``, or None before the start."""
        self.ensure_one()
        if not self.date_start or not day or day < self.date_start:
            return None
        return annual_period(self.date_start, day)

    @api.model
    def _consulting_onsite_usage(self, extra, *days):
        """On-site use ``{(entitlement, day): OnsiteUsage}`` of the periods of ``days``.

        ``extra``: ``{entitlement: [(key, day, hours)]}`` of lines not saved yet (or
        ``[]``), counted with the saved on-site lines of the same period, which are
        read in one query for all entitlements (keyed ``(0, id)``). The saved lines
        whose keys appear in ``extra`` are replaced by it.
        """
        entitlements = self.browse([entitlement.id for entitlement in extra])
        periods = {}
        for entitlement in entitlements:
            for day in {*days, *(line[1] for line in extra[entitlement])}:
                period = entitlement._consulting_onsite_period(day)
                if period:
                    periods[entitlement, day] = period
        saved = {}
        if periods:
            lines = (
                self.env["account.analytic.line"]
                .sudo()
                .search_read(
                    [
                        ("consulting_onsite", "=", True),
                        ("ticket_id.entitlement_id", "in", entitlements.ids),
                        ("date", ">=", min(start for start, _end in periods.values())),
                    ],
                    ["ticket_id", "date", "unit_amount"],
                )
            )
            tickets = (
                self.env["helpdesk.ticket"].sudo().browse({line["ticket_id"][0] for line in lines})
            )
            owner = {ticket.id: ticket.entitlement_id.id for ticket in tickets}
            for line in lines:
                entitlement_id = owner[line["ticket_id"][0]]
                saved.setdefault(entitlement_id, []).append(
                    ((0, line["id"]), line["date"], line["unit_amount"])
                )
        usage = {}
        for (entitlement, day), (start, end) in periods.items():
            pending = [line for line in extra[entitlement] if start <= line[1] < end]
            replaced = {line[0] for line in pending}
            lines = [
                line
                for line in saved.get(entitlement.id, [])
                if start <= line[1] < end and line[0] not in replaced
            ]
            visits = (
                None
                if entitlement.consulting_onsite_as_needed
                else (entitlement.consulting_onsite_visits)
            )
            try:
                usage[entitlement, day] = onsite_usage(
                    lines + pending, entitlement._consulting_onsite_allowed(), visits
                )
            except SlaError as error:
                raise UserError(sla_error_message(self.env, error)) from error
        return usage
