"""What a customer does with a ticket from the portal: the preview of the promise
before submitting, the priority override, the call-back request; and who may act."""

# One concern of the ticket per file, as Odoo splits its own models (mail/models/discuss/).
# pylint: disable=consider-merging-classes-inherited

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..engine import PRIORITY_LABELS
from .helpdesk_ticket_sla_announce import user_today
from .helpdesk_ticket_sla_clock import ONE_MINUTE, naive

# Customer text from the portal: the longest accepted (characters).
REASON_MAX_LENGTH = 1000
# Priority changes of one ticket accepted from the portal per minute.
PRIORITY_CHANGES_PER_MINUTE = 3
# Call-back requests from the portal (Ivanti): queued, or right away.
CALLBACK_MODES = [("asap", "Call me when you can"), ("now", "Call me now")]


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # Customer portal: what the customer says about the product, and call-back requests.
    sla_product = fields.Char(string="Product", help="Product concerned, as the customer named it.")

    sla_client_version = fields.Char(string="Client Version")

    sla_server_version = fields.Char(string="Server Version")

    sla_callback_mode = fields.Selection(
        CALLBACK_MODES,
        string="Call-back",
        readonly=True,
        copy=False,
        tracking=True,
        help="How the customer asked to be called back from the portal (last request).",
    )

    sla_callback_date = fields.Datetime(
        string="Call-back Requested On", readonly=True, copy=False, index=True
    )

    sla_callback_activity_id = fields.Many2one(
        "mail.activity", string="Call-back Activity", readonly=True, copy=False, ondelete="set null"
    )

    sla_callback_pending = fields.Boolean(
        string="Call-back Pending",
        compute="_compute_sla_callback_pending",
        help="The team has not yet done the customer's last call-back request.",
    )

    @api.model
    def _sla_preview(self, values):
        """What a ticket created with ``values`` would be promised; nothing is saved.

        The ticket is built in memory with the computes of ``create`` (matrix
        priority and the priority that follows it, entitlement, tier, time zone)
        and its response clock is evaluated as ``_sla_update`` does, so the promise
        shown is the promise kept.
        Returns ``priority``, ``priority_label``, ``response_deadline`` (naive UTC
        or False), ``tz`` (the ticket's coverage zone) and ``note`` (or False).
        """
        now = fields.Datetime.now()
        ticket = self.new({**values, "sla_start_date": now})
        ticket.sla_coverage, deadline = ticket._sla_preview_response(now)
        return {
            "priority": ticket.priority,
            "priority_label": PRIORITY_LABELS.get(ticket.priority, ""),
            "response_deadline": deadline,
            "tz": ticket.sla_tz,
            "note": ticket.sla_note,
        }

    def _sla_preview_response(self, now):
        """``(coverage, response deadline)`` of an unsaved ticket at ``now``.

        The one place where the preview evaluates a clock: the same evaluation
        as ``_sla_update`` (:meth:`_sla_evaluate`).
        """
        self.ensure_one()
        coverage, states = self._sla_evaluate(now, warnings=False)[self]
        response = states.get("response")
        return coverage, naive(response.state.deadline) if response else False

    def _sla_check_customer_action(self):
        """Acting on a ticket from the portal is for its customer's contacts.

        Reading follows helpdesk_mgmt's rules (a follower from another company may
        read); changing the priority, asking a call-back, escalating, answering a
        billable charge or closing needs a signed-in contact of the ticket's
        commercial partner who may read the ticket (record rules, as the user).
        """
        for ticket in self:
            if not ticket._sla_customer_may_act():
                raise AccessError(
                    _("Only the contacts of its customer, %(customer)s, may act on this ticket.",
                      customer=ticket.sudo().commercial_partner_id.display_name)
                )  # fmt: skip

    def _sla_customer_may_act(self, read_checked=False):
        """Whether the signed-in user is a contact of the ticket's customer who may read
        it (see ``_sla_check_customer_action``); the portal page offers actions then.
        ``read_checked``: the caller has just checked, as the user, that they may read
        the ticket (the portal's page opened without a token): not asked again."""
        self.ensure_one()
        user = self.env.user
        return (
            not user._is_public()
            and self.sudo().commercial_partner_id == user.commercial_partner_id
            and (read_checked or self.with_user(user).sudo(False).has_access("read"))
        )

    @api.model
    def _sla_check_customer_text(self, text, label, limit):
        """Customer text: no NUL byte and at most ``limit`` characters."""
        if text and "\x00" in text:
            raise UserError(_("%(field)s contains a character that is not allowed.", field=label))
        if text and len(text) > limit:
            raise UserError(
                _("%(field)s is too long: at most %(limit)s characters.", field=label, limit=limit)
            )

    def _sla_check_priority_rate(self):
        """At most a few priority changes per ticket per minute (tracking history)."""
        self.ensure_one()
        field = self.env["ir.model.fields"]._get(self._name, "priority")
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT COUNT(*)
                  FROM mail_tracking_value value
                  JOIN mail_message message ON message.id = value.mail_message_id
                 WHERE message.model = %(model)s AND message.res_id = %(id)s
                   AND value.field_id = %(field)s AND message.date > %(since)s
                """,
                model=self._name,
                id=self.id,
                field=field.id,
                since=fields.Datetime.now() - ONE_MINUTE,
            )
        )
        if self.env.cr.fetchone()[0] >= PRIORITY_CHANGES_PER_MINUTE:
            raise UserError(
                _("The priority of this ticket just changed several times: try again in a minute.")
            )

    def _sla_customer_override(self, priority, reason):
        """The customer overrides the priority with a reason (portal).

        Validated here so that a bad request changes nothing; written as any
        override, hence tracked and followed by the deadlines.
        """
        self.ensure_one()
        self._sla_check_customer_action()
        if priority not in PRIORITY_LABELS:
            raise UserError(_("Choose a priority between P1 and P4."))
        self._sla_check_customer_text(reason, _("The reason"), REASON_MAX_LENGTH)
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Say why the priority should change: the support team reads it."))
        if self.stage_id.closed:
            raise UserError(_("This ticket is closed: its priority can no longer change."))
        self._sla_check_priority_rate()
        self.write(
            {
                "priority": priority,
                "priority_overridden": True,
                "priority_override_reason": reason,
            }
        )

    @api.depends("sla_callback_activity_id.active")
    def _compute_sla_callback_pending(self):
        """A call-back is pending while its activity is not done."""
        for ticket in self:
            activity = ticket.sudo().sla_callback_activity_id
            ticket.sla_callback_pending = bool(activity) and activity.active

    def _sla_callback_offered(self):
        """Call-back is offered on open tickets whose tier includes the phone."""
        self.ensure_one()
        tier = self.sudo().tier_id
        # The tiers' channels as the registry keeps them: no query on a ticket's page.
        phone_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "helpdesk_mgmt.helpdesk_ticket_channel_phone"
        )
        return bool(
            tier and not self.stage_id.closed and phone_id and tier._sla_includes_channel(phone_id)
        )

    def _sla_callback_user(self):
        """Who calls the customer back (see ``_sla_recipients``)."""
        self.ensure_one()
        return self._sla_recipients(self.env.ref("support_sla.mail_activity_callback"))[self]

    def _sla_request_callback(self, mode):
        """Queue the customer's call-back request as an activity of the team.

        The activity goes to the assignee, else the team leader (see
        ``_sla_callback_user``), and carries the customer's phone and the mode;
        activities are ordered by arrival. A second request while one is pending is
        refused.
        """
        self.ensure_one()
        self._sla_check_customer_action()
        if mode not in dict(CALLBACK_MODES):
            raise UserError(_("Choose whether we call you now or when we can."))
        if not self._sla_callback_offered():
            raise UserError(_("Call-back is not included in the support plan of this ticket."))
        # Two simultaneous requests must not both pass the pending check.
        self.env.cr.execute("SELECT id FROM helpdesk_ticket WHERE id = %s FOR UPDATE", [self.id])
        self.invalidate_recordset(["sla_callback_activity_id", "sla_callback_date"])
        if self.sla_callback_pending:
            raise UserError(
                _(
                    "We already have your call-back request: we will call you as soon as "
                    "we can, no need to ask again."
                )
            )
        customer = self.env.user.partner_id
        phone = customer.phone or customer.mobile or customer.commercial_partner_id.phone
        if not phone:
            raise UserError(_("Add a phone number to your account so that we can call you back."))
        user = self._sla_callback_user()
        if not user:
            raise UserError(_("Nobody can take call-backs at the moment: please phone us."))
        # The activity is read by the agent: in the agent's language.
        agent_env = self.with_context(lang=user.lang or self.env.lang).env
        labels = dict(self._fields["sla_callback_mode"]._description_selection(agent_env))
        summary = agent_env._("Call-back (%(mode)s): %(phone)s", mode=labels[mode], phone=phone)
        # The customer's name and phone are their own text: escaped into the HTML note.
        note = Markup("<p>%s</p>") % agent_env._(
            "%(customer)s asked to be called back on %(phone)s: %(mode)s.",
            customer=customer.display_name,
            phone=phone,
            mode=labels[mode],
        )
        activity = self.activity_schedule(
            "support_sla.mail_activity_callback",
            # Due today for the agent who calls, not on the customer's calendar day.
            date_deadline=user_today(self, user),
            summary=summary,
            note=note,
            user_id=user.id,
        )
        self.sudo().write(
            {
                "sla_callback_mode": mode,
                "sla_callback_date": fields.Datetime.now(),
                "sla_callback_activity_id": activity.id,
            }
        )
