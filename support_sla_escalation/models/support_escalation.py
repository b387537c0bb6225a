from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.support_sla.tools.display import duration_text

SUPPORT_LEVEL_SELECTION = [("l1", "Level 1"), ("l2", "Level 2")]
ORIGIN_SELECTION = [("agent", "Agent"), ("customer", "Customer"), ("sla", "SLA")]


class SupportEscalation(models.Model):
    """One change of support level of a ticket: an append-only history row."""

    _name = "support.escalation"
    _description = "Ticket Escalation"
    _order = "date desc, id desc"
    _check_company_auto = True

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, readonly=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        related="ticket_id.commercial_partner_id",
        store=True,
    )
    from_level = fields.Selection(SUPPORT_LEVEL_SELECTION, required=True, readonly=True)
    to_level = fields.Selection(SUPPORT_LEVEL_SELECTION, required=True, readonly=True)
    from_team_id = fields.Many2one("helpdesk.ticket.team", string="From Team", readonly=True)
    to_team_id = fields.Many2one("helpdesk.ticket.team", string="To Team", readonly=True)
    reason_id = fields.Many2one(
        "support.escalation.reason", required=True, readonly=True, ondelete="restrict"
    )
    billable = fields.Boolean(related="reason_id.billable")
    origin = fields.Selection(ORIGIN_SELECTION, required=True, readonly=True, index=True)
    sla_clock = fields.Selection(
        [("response", "Response"), ("resolve", "Resolution")],
        string="SLA Clock",
        readonly=True,
        help="The SLA clock that escalated the ticket by itself.",
    )
    user_id = fields.Many2one(
        "res.users", string="By", required=True, readonly=True, default=lambda self: self.env.user
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    note = fields.Text(readonly=True)
    state = fields.Selection(
        [("current", "Current"), ("superseded", "Superseded"), ("closed", "Ticket Closed")],
        compute="_compute_state",
        store=True,
        index=True,
        help="Current: the ticket is still at this level; superseded: the ticket changed "
        "level again since; closed: the ticket was closed at this level.",
    )
    age_days = fields.Float(
        string="Age (days)",
        compute="_compute_age_days",
        digits=(16, 2),
        help="Days since the escalation.",
    )
    age_display = fields.Char(
        string="Age", compute="_compute_age_days", help="Time since the escalation."
    )

    @api.depends("ticket_id.escalation_ids", "ticket_id.stage_id.closed")
    def _compute_state(self):
        for escalation in self:
            latest = escalation.ticket_id.escalation_ids.sorted(lambda e: (e.date, e.id))[-1:]
            if latest != escalation:
                escalation.state = "superseded"
            elif escalation.ticket_id.stage_id.closed:
                escalation.state = "closed"
            else:
                escalation.state = "current"

    @api.depends("date")
    def _compute_age_days(self):
        now = fields.Datetime.now()
        for escalation in self:
            minutes = int(max((now - (escalation.date or now)).total_seconds(), 0) // 60)
            escalation.age_days = minutes / 1440
            days, rest = divmod(minutes, 1440)
            if days:
                escalation.age_display = _("%(days)s d %(hours)s h", days=days, hours=rest // 60)
            else:
                # Under a day, as every duration of the SLA reads ("2 h 15 min").
                escalation.age_display = duration_text(self.env, rest)

    @api.depends("ticket_id", "from_level", "to_level")
    def _compute_display_name(self):
        levels = dict(self._fields["to_level"]._description_selection(self.env))
        for escalation in self:
            escalation.display_name = _(
                "%(ticket)s: %(from)s → %(to)s",
                ticket=escalation.ticket_id.display_name,
                **{
                    "from": levels.get(escalation.from_level, ""),
                    "to": levels.get(escalation.to_level, ""),
                },
            )

    @api.model_create_multi
    def create(self, vals_list):
        # Users have no create right (nor a way around it with a context key): history
        # rows are written under sudo by the ticket's _escalate, after it checked the
        # caller's right on the ticket, and by data files (demo).
        if not self.env.su:
            raise AccessError(_("Escalate the ticket to record an escalation."))
        return super().create(vals_list)

    def write(self, vals):
        self.check_access("write")
        if self:
            raise UserError(
                _(
                    "The escalation history cannot be changed: escalate or de-escalate the "
                    "ticket again."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(_("The escalation history cannot be deleted."))

    def _notify_supervisors(self):
        """Post each escalation in its ticket's chatter, notifying the helpdesk managers."""
        managers = (
            self.env.ref("helpdesk_mgmt.group_helpdesk_manager")
            .sudo()
            .users.filtered(lambda u: u.active and not u.share)
        )
        levels = dict(self._fields["to_level"]._description_selection(self.env))
        origins = dict(self._fields["origin"]._description_selection(self.env))
        for row in self:
            ticket = row.ticket_id
            supervisors = managers.filtered(lambda u, t=ticket: t.company_id in u.company_ids)
            body = Markup("<p>%s</p>") % _(
                "%(from)s → %(to)s (%(team)s), by %(origin)s: %(reason)s",
                **{
                    "from": levels[row.from_level],
                    "to": levels[row.to_level],
                    "team": row.to_team_id.display_name,
                    "origin": origins[row.origin],
                    "reason": row.reason_id.name,
                },
            )
            if row.note:
                body += Markup("<p>%s</p>") % row.note
            ticket.message_post(
                body=body,
                subject=_("Escalation of %s", ticket.display_name),
                partner_ids=supervisors.partner_id.ids,
                subtype_xmlid="mail.mt_note",
            )
