"""The acknowledgement e-mail of a new ticket: the promise, in the customer's words.

Queued when the ticket is created and sent by a scheduled action asked to run at once: a
portal submit or a fetched e-mail does not wait for the body to be rendered, the message
posted and the e-mail sent, and the tickets of one moment are acknowledged in one batch.
"""

# One concern of the ticket per file, as Odoo splits its own models (mail/models/discuss/).
# pylint: disable=consider-merging-classes-inherited

from odoo import api, fields, models
from odoo.tools import create_index

from ..engine import PRIORITY_LABELS
from ..tools.display import local_text
from ..tools.params import positive_int_param
from .mail_render_memo import QWEB_MEMO

ACKNOWLEDGEMENT = "support_sla.mail_template_ticket_acknowledgement"
ACKNOWLEDGE_CRON = "support_sla.ir_cron_sla_acknowledge"
# Tickets acknowledged per transaction of the scheduled action (system parameter
# ``support_sla.acknowledge_batch``): their rows stay locked until it commits.
SLA_ACKNOWLEDGE_BATCH = 50


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    sla_ack_priority = fields.Char(
        string="Priority (Acknowledgement)", compute="_compute_sla_ack", compute_sudo=True
    )
    sla_ack_response_due = fields.Char(
        string="First Response Promised",
        compute="_compute_sla_ack",
        compute_sudo=True,
        help="The response deadline in the customer's time zone and the reader's "
        "language, with the zone: what the acknowledgement promises.",
    )

    sla_ack_pending = fields.Boolean(
        string="Acknowledgement Pending",
        readonly=True,
        copy=False,
        help="The acknowledgement of this new ticket is still to be sent by the scheduled action.",
    )

    def init(self):
        """The few tickets waiting for their acknowledgement, indexed apart: the
        scheduled action reads them, not the history."""
        res = super().init()
        create_index(
            self.env.cr,
            "helpdesk_ticket_sla_ack_pending_index",
            self._table,
            ["id"],
            where="sla_ack_pending",
        )
        return res

    @api.depends("priority", "sla_response_deadline", "sla_response_status", "sla_tz")
    @api.depends_context("lang")
    def _compute_sla_ack(self):
        for ticket in self:
            ticket.sla_ack_priority = PRIORITY_LABELS.get(ticket.priority, "")
            deadline = ticket.sla_response_status != "none" and ticket.sla_response_deadline
            ticket.sla_ack_response_due = (
                f"{local_text(self.env, deadline, ticket.sla_tz)} ({ticket.sla_tz})"
                if deadline
                else False
            )

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        # Tickets imported from a file are history, not new requests.
        if not self.env.context.get("import_file"):
            tickets._sla_queue_acknowledgement()
        return tickets

    def _sla_queue_acknowledgement(self):
        """Queue the acknowledgement of the new tickets and ask the scheduled action
        to send it at once (after this transaction commits)."""
        self._sla_store({ticket: {"sla_ack_pending": True} for ticket in self})
        cron = self._sla_job(ACKNOWLEDGE_CRON)
        if cron and self:
            cron._trigger()

    @api.model
    def _cron_sla_acknowledge(self):
        """Send one batch of the queued acknowledgements; the scheduler runs it again
        until none is left.

        The batch's tickets are locked, skipping those another transaction is
        writing (see :meth:`_sla_take`): two workers never acknowledge the same
        ticket. They leave the queue in the transaction that posts their
        acknowledgements, and the e-mails go after it commits: after a crash the
        batch is still queued and nothing was sent.
        """
        tickets = self.sudo().with_context(active_test=False)
        pending = [("sla_ack_pending", "=", True)]
        batch = positive_int_param(self.env, "support_sla.acknowledge_batch", SLA_ACKNOWLEDGE_BATCH)
        taken = tickets._sla_take(pending, "id", batch)
        taken._sla_acknowledge()
        taken._sla_store({ticket: {"sla_ack_pending": False} for ticket in taken})
        remaining = tickets.search_count(pending, limit=batch)
        self._sla_batch_done(len(taken), remaining, ACKNOWLEDGE_CRON)

    def _sla_acknowledge(self):
        """Send the acknowledgement of the tickets to their customers.

        Posted on the ticket as an automated message (not a reply: the response
        clock keeps running), from the company, in the customer's language; not for
        the teams that switched it off, nor for a customer without an e-mail.
        """
        template = self.env.ref(ACKNOWLEDGEMENT, raise_if_not_found=False)
        if not template:
            return
        tickets = self.sudo().filtered(
            lambda t: t.partner_id.email and (not t.team_id or t.team_id.sla_acknowledge)
        )
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        template = template.sudo().with_context(**{QWEB_MEMO: True})
        # At the template's address, else the company's.
        senders = template._render_field("email_from", tickets.ids) if tickets else {}

        def batch_of(ticket):
            company = ticket.company_id or self.env.company
            return company, senders.get(ticket.id) or company.partner_id.email_formatted

        # Posted by the scheduler's user, never the customer's: Odoo does not notify the
        # poster of a message, and a portal submit or an e-mail creates the ticket in
        # the customer's own name.
        for (company, sender), batch in tickets.grouped(batch_of).items():
            # One composer for the batch: subject, body, sender and language rendered
            # for all its tickets at once, then posted on each; the body checked and
            # compiled once for all the batches. Posted for the company, whose partner
            # must not follow the tickets (Odoo makes the author follow a message
            # posted by an inactive user, as the scheduler's is: the company's
            # mailbox would get every reply).
            composer = (
                self.env["mail.compose.message"]
                .sudo()
                .with_context(**{QWEB_MEMO: True}, mail_create_nosubscribe=True)
                .create(
                    {
                        "composition_mode": "comment",
                        "model": batch._name,
                        "res_ids": batch.ids,
                        "template_id": template.id,
                        "message_type": "auto_comment",
                        "subtype_id": subtype_id,
                        "author_id": company.partner_id.id,
                        "email_from": sender,
                        "email_layout_xmlid": "mail.mail_notification_light",
                        # Sent when the action commits, not left to Odoo's mail queue
                        # (hourly), which a batch composer uses by default.
                        "force_send": True,
                    }
                )
            )
            composer._action_send_mail()
