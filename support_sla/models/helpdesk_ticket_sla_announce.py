"""Who is told of the SLA check's findings and how: a note on each ticket, written in
bulk, and one digest per recipient listing their tickets (warnings and breaches)."""

# One concern of the ticket per file, as Odoo splits its own models (mail/models/discuss/).
# pylint: disable=consider-merging-classes-inherited

from collections import defaultdict
from datetime import datetime

from markupsafe import Markup

from odoo import fields, models
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id

from ..tools.display import zone_texts

# A digest lists this many tickets, the soonest deadline first, and links to the list of
# all of them: after an outage a batch of the check holds a thousand tickets, which no
# reader goes through in an inbox (and which mail.message would sanitise line by line).
DIGEST_LINES = 50


def _sla_reachable(user):
    """A user who can take SLA work: an active internal user, not OdooBot."""
    return bool(user) and user.active and not user.share and not user._is_superuser()


def user_today(record, user):
    """Today in ``user``'s time zone (UTC without one): the due date of their activity."""
    return fields.Date.context_today(record.with_context(tz=user.tz or "UTC"))


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    def _sla_recipients(self, activity_type=None):
        """``{ticket: user}``: who takes the ticket's SLA work (warnings, call-backs).

        The assignee, else the team leader, else the default user of
        ``activity_type``, else the first helpdesk manager of the ticket's company;
        never OdooBot, an archived or a portal user (empty user: nobody can).
        """
        managers_group = self.env.ref("helpdesk_mgmt.group_helpdesk_manager").sudo()
        default_user = activity_type.sudo().default_user_id if activity_type else None
        managers = {}
        found = {}
        # Whole batches of the check come here: each user is judged once.
        reachable = {}

        def can(user):
            if user.id not in reachable:
                reachable[user.id] = _sla_reachable(user)
            return reachable[user.id]

        # Worked out once per assignee, team and company (read by column), not per
        # ticket: a batch's tickets share a few of them.
        rows = self.sudo()._sla_stored(["user_id", "team_id", "company_id"])
        chosen = {}
        for ticket, ticket_sudo in zip(self, self.sudo(), strict=True):
            row = rows[ticket.id]
            key = (row["user_id"], row["team_id"], row["company_id"])
            if key not in chosen:
                user = next(
                    (
                        user
                        for user in (ticket_sudo.user_id, ticket_sudo.team_id.user_id, default_user)
                        if user and can(user)
                    ),
                    None,
                )
                if not user:
                    company = ticket_sudo.company_id or self.env.company
                    if company not in managers:
                        managers[company] = managers_group.users.filtered(
                            lambda u, company=company: (
                                company in u.company_ids and _sla_reachable(u)
                            )
                        ).sorted("id")[:1]
                    user = managers[company]
                chosen[key] = user
            found[ticket] = chosen[key]
        return found

    def _sla_team_lang(self):
        """Language of a note for the team: the company's, else the reader's."""
        self.ensure_one()
        company = self.sudo().company_id or self.env.company
        return company.partner_id.lang or self.env.lang

    def _sla_tell(self, activity_type, clock, sentence, title, all_action):
        """A note on each ticket and one digest per recipient listing their tickets.

        ``sentence(env, deadline)`` says what happened to one ticket in ``env``'s
        language (the note in the company's, the digest's lines in the recipient's);
        ``title(env)`` heads the digest. Recipients are :meth:`_sla_recipients`
        (``activity_type``'s default user among them). The notes are written in
        bulk and each recipient gets one inbox message (or e-mail, as they chose):
        the queries do not grow with the number of tickets, a batch of the job
        costs the same whatever its size. A digest lists :data:`DIGEST_LINES`
        tickets at most, then links to the window action ``all_action`` (xmlid).
        """
        field = f"sla_{clock}_deadline"
        self.fetch([field, "sla_tz", "company_id", "name", "number"])
        by_company = defaultdict(list)
        for ticket in self:
            by_company[ticket.company_id].append(ticket)
        by_lang = defaultdict(list)
        for tickets in by_company.values():
            by_lang[tickets[0]._sla_team_lang()] += tickets
        notes = {}
        for lang, tickets in by_lang.items():
            env = self.with_context(lang=lang).env
            texts = zone_texts(env, [(t[field], t.sla_tz) for t in tickets])
            # One sentence per deadline text, not per ticket.
            bodies = {}
            for ticket in tickets:
                text = texts.get((ticket[field], ticket.sla_tz), "")
                if text not in bodies:
                    bodies[text] = Markup("<p>%s</p>") % sentence(env, text)
                notes[ticket.id] = bodies[text]
        self._sla_log_notes(notes)
        mine = defaultdict(list)
        for ticket, user in self._sla_recipients(activity_type).items():
            if user:
                mine[user].append(ticket)
        for user, tickets in mine.items():
            env = self.with_context(lang=user.lang or self.env.lang).env
            count = len(tickets)
            tickets = sorted(tickets, key=lambda t: (t[field] or datetime.max, t.id))
            tickets = tickets[:DIGEST_LINES]
            texts = zone_texts(env, [(t[field], t.sla_tz) for t in tickets])
            said = {}  # one sentence per deadline text, not per ticket
            for ticket in tickets:
                text = texts.get((ticket[field], ticket.sla_tz), "")
                if text not in said:
                    said[text] = sentence(env, text)
            lines = Markup().join(
                Markup('<li><a href="/odoo/helpdesk.ticket/%s">%s</a>: %s</li>')
                % (
                    ticket.id,
                    ticket.display_name,
                    said[texts.get((ticket[field], ticket.sla_tz), "")],
                )
                for ticket in tickets
            )
            body = Markup("<p>%s</p><ul>%s</ul>") % (title(env), lines)
            if count > DIGEST_LINES:
                body += Markup('<p><a href="/odoo/action-%s">%s</a></p>') % (
                    all_action,
                    env._("See all %(count)s tickets", count=count),
                )
            self.env["mail.thread"].sudo().message_notify(
                partner_ids=user.partner_id.ids,
                subject=title(env),
                body=body,
                subtype_xmlid="mail.mt_note",
            )

    def _sla_log_notes(self, bodies):
        """A note from the current user on each ticket, ``{ticket id: Markup body}``,
        in one INSERT.

        Not ``_message_log_batch``: mail.message's create sanitises each body twice
        and costs about a millisecond a note, most of a batch of the SLA check. These
        bodies are Markup built here with escaping, as the sanitiser would leave them
        (a paragraph), and the columns are those ``_message_log_batch`` writes: the
        chatter shows them alike.
        """
        if not bodies:
            return
        author = self.env.user.partner_id
        email_from = author.email_formatted
        reply_to = self.env["mail.thread"]._notify_get_reply_to(default=email_from)[False]
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        ids = list(bodies)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mail_message (
                    model, res_id, body, message_type, subtype_id, is_internal,
                    author_id, email_from, reply_to, message_id, email_add_signature,
                    date, create_uid, write_uid, create_date, write_date
                )
                SELECT %(model)s, note.res_id, note.body, 'notification', %(subtype)s, TRUE,
                       %(author)s, %(email_from)s, %(reply_to)s, %(message_id)s, FALSE,
                       %(date)s, %(uid)s, %(uid)s, %(now)s, %(now)s
                  FROM unnest(%(ids)s::int[], %(bodies)s::text[]) AS note(res_id, body)
                """,
                model=self._name,
                subtype=subtype_id,
                author=author.id or None,
                email_from=email_from or None,
                reply_to=reply_to or None,
                # One for the batch, as _message_log_batch does.
                message_id=generate_tracking_message_id("message-notify"),
                date=fields.Datetime.now(),
                uid=self.env.uid,
                now=self.env.cr.now(),
                ids=ids,
                bodies=[str(bodies[id_]) for id_ in ids],
            )
        )
        # What mail.message's create invalidates on the documents.
        self.browse(ids).invalidate_recordset(
            ["message_ids", "message_needaction", "message_needaction_counter"]
        )

    def _sla_warn(self, clock):
        """Warn the assignee (else the team leader) that the tickets are at risk."""
        activity_type = self.env.ref("support_sla.mail_activity_sla_warning")

        def sentence(env, deadline):
            if clock == "response":
                return env._("SLA at risk: response due %(deadline)s", deadline=deadline)
            return env._("SLA at risk: resolution due %(deadline)s", deadline=deadline)

        def title(env):
            return env._("Tickets at risk of missing their SLA")

        self._sla_tell(
            activity_type, clock, sentence, title, "support_sla.helpdesk_ticket_sla_at_risk_action"
        )

    def _sla_notify_breach(self, clock):
        """Announce, once, that ``clock`` of the tickets has just been breached."""
        activity_type = self.env.ref("support_sla.mail_activity_sla_breach")

        def sentence(env, deadline):
            if clock == "response":
                return env._("SLA breached: the response was due %(deadline)s", deadline=deadline)
            return env._("SLA breached: the resolution was due %(deadline)s", deadline=deadline)

        def title(env):
            return env._("Tickets that have just missed their SLA")

        self._sla_tell(
            activity_type, clock, sentence, title, "support_sla.helpdesk_ticket_sla_breaches_action"
        )
