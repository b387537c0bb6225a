from unittest.mock import patch

from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import freeze_time, new_test_user

from .common import SlaCase, unqueue_acknowledgements

PARIS = "Europe/Paris"
RAW_EMAIL = """Return-Path: <{sender}>
From: Contact <{sender}>
To: helpdesk@example.com
Subject: {subject}
Message-ID: <{message_id}>
{extra}MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Our backups fail since this morning.
"""


class TestAcknowledgement(SlaCase):
    """The acknowledgement e-mail carries the promise, in the customer's words."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["helpdesk_mgmt", "support_sla"], ["fr_FR"])
        cls.paris_contact.lang = "fr_FR"
        cls.template = cls.env.ref("support_sla.mail_template_ticket_acknowledgement")
        unqueue_acknowledgements(cls.env)

    def _acknowledgements(self, ticket):
        """The acknowledgements of ``ticket``, once the scheduled action has sent the
        queued ones."""
        self.env["helpdesk.ticket"]._cron_sla_acknowledge()
        return ticket.message_ids.filtered(
            lambda m: m.message_type == "auto_comment" and ticket.number in (m.subject or "")
        )

    def test_french_acknowledgement_with_the_exact_local_deadline(self):
        """Basic, Paris, P1 on Tuesday 09:00 local: answer due at 11:00 Paris time."""
        with freeze_time(self.local(PARIS, 2026, 3, 3, 9, 0)):
            ticket = self._ticket(self.paris_contact)
        self.assertEqual(ticket.sla_response_deadline, self.local(PARIS, 2026, 3, 3, 11, 0))
        ack = self._acknowledgements(ticket)
        self.assertEqual(len(ack), 1)
        self.assertEqual(ack.author_id, self.env.company.partner_id)
        self.assertIn(self.paris_contact, ack.notified_partner_ids)
        self.assertEqual(ack.subject, f"{ticket.number} : nous avons bien reçu votre demande")
        body = ack.body
        self.assertIn("Priorité", body)
        self.assertIn("<strong>P1</strong>", body)
        self.assertIn("<strong>3 mars 2026, 11:00 (Europe/Paris)</strong>", body)
        self.assertIn("au plus tard", body)
        # An automated message, not a reply: the response clock keeps running.
        self.assertFalse(ticket.sla_first_response_date)
        self.assertEqual(ticket.sla_response_status, "running")

    def test_company_does_not_follow_what_it_acknowledges(self):
        """Incoming mail servers fetch e-mails as the inactive superuser, for whom Odoo
        makes a message's author follow the thread: the company would get every reply."""
        self.env.company.email = "info@our-support.example.com"
        robot = self.env.ref("base.user_root")
        self.assertFalse(robot.active)
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(robot)
            .create({"name": "By mail", "description": "x", "partner_id": self.paris_contact.id})
        )
        self.assertTrue(self._acknowledgements(ticket))
        self.assertNotIn(self.env.company.partner_id, ticket.message_partner_ids)

    def test_customer_who_submits_is_acknowledged_too(self):
        """A portal submit creates the ticket in the customer's own session, and Odoo
        does not notify the user who posts a message: the promise must still reach them."""
        contact = self.paris_contact
        customer = new_test_user(
            self.env, login="ack-portal", groups="base.group_portal", partner_id=contact.id
        )
        values = {"name": "Own request", "description": "x", "partner_id": contact.id}
        ticket = self.env["helpdesk.ticket"].with_user(customer).sudo().create(values)
        emailed = self._acknowledgements(ticket).notification_ids.filtered(
            lambda n: n.notification_type == "email"
        )
        self.assertEqual(emailed.res_partner_id, contact)

    # -- queued by the request, sent by the scheduled action ------------------------

    def _triggers(self):
        cron = self.env.ref("support_sla.ir_cron_sla_acknowledge")
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])

    def test_queued_by_the_request_sent_once_by_the_job(self):
        """Creating the ticket renders and sends nothing: it queues the acknowledgement
        and asks the scheduled action to run; the action sends it, once."""
        triggers = self._triggers()
        ticket = self._ticket(self.paris_contact)
        self.assertTrue(ticket.sla_ack_pending)
        self.assertFalse(ticket.message_ids.filtered(lambda m: m.message_type == "auto_comment"))
        self.assertEqual(self._triggers(), triggers + 1)
        self.assertEqual(len(self._acknowledgements(ticket)), 1)
        self.assertFalse(ticket.sla_ack_pending)
        self.assertEqual(len(self._acknowledgements(ticket)), 1)

    def test_job_works_in_batches_until_none_is_left(self):
        self.env["ir.config_parameter"].set_param("support_sla.acknowledge_batch", 2)
        tickets = self.env["helpdesk.ticket"].concat(
            *(self._ticket(self.paris_contact) for _n in range(3))
        )
        progress = []
        self.patch(
            type(self.env["ir.cron"]),
            "_notify_progress",
            lambda _self, done, remaining, deactivate=False: progress.append((done, remaining)),
        )
        Ticket = self.env["helpdesk.ticket"]
        Ticket._cron_sla_acknowledge()
        self.assertEqual(len(tickets.filtered("sla_ack_pending")), 1)
        Ticket._cron_sla_acknowledge()
        # Reported as the scheduler needs it: run again while some are left.
        self.assertEqual(progress, [(2, 1), (1, 0)])
        acknowledgements = self.env["mail.message"]
        for ticket in tickets:
            acknowledgements += self._acknowledgements(ticket)
        self.assertEqual(len(acknowledgements), 3)
        # Rendered for the batch, each in its customer's language.
        for ticket, ack in zip(tickets, acknowledgements, strict=True):
            self.assertEqual(ack.subject, f"{ticket.number} : nous avons bien reçu votre demande")
        # Sent by the action, not left in Odoo's mail queue (hourly) as a batch of
        # messages would be by default.
        self.assertFalse(
            self.env["mail.mail"].search(
                [("mail_message_id", "in", acknowledgements.ids), ("state", "=", "outgoing")]
            )
        )
        emailed = acknowledgements.notification_ids.filtered(
            lambda n: n.notification_type == "email"
        )
        self.assertEqual(set(emailed.mapped("notification_status")), {"sent"})

    def test_best_effort_says_why(self):
        _community, contact = self._customer("Mori Lab", "Asia/Tokyo")
        ticket = self._ticket(contact)
        body = self._acknowledgements(ticket).body
        self.assertIn("No support contract", body)
        self.assertIn("best-effort basis", body)
        self.assertNotIn("We will answer you by", body)

    def test_channel_not_included_acknowledged_as_best_effort(self):
        self.paris_contact.lang = "en_US"
        ticket = self._ticket(self.paris_contact, channel=self.phone)
        body = self._acknowledgements(ticket).body
        self.assertIn("The Phone channel is not included in the Basic tier", body)
        self.assertIn("best-effort basis", body)

    def test_team_switches_it_off(self):
        self.team.sla_acknowledge = False
        ticket = self._ticket(self.paris_contact)
        self.assertFalse(self._acknowledgements(ticket))
        self.assertEqual(ticket.sla_response_status, "running")

    def test_imported_tickets_are_not_acknowledged(self):
        ticket = (
            self.env["helpdesk.ticket"]
            .with_context(import_file=True)
            .create({"name": "Old case", "description": "x", "partner_id": self.paris_contact.id})
        )
        self.assertFalse(ticket.sla_ack_pending)
        self.assertFalse(self._acknowledgements(ticket))
        self.assertTrue(self._acknowledgements(self._ticket(self.paris_contact)))

    # -- one compiled body for all the acknowledgements ---------------------------

    def _compiled_bodies(self, make):
        """The inline bodies Odoo generated rendering code for while ``make`` ran."""
        qweb = type(self.env["ir.qweb"])
        generate = qweb._generate_code
        bodies = []

        def spy(self_, template):
            if isinstance(template, etree._Element):  # not the layout (a view)
                bodies.append(template)
            return generate(self_, template)

        with patch.object(qweb, "_generate_code", spy):
            make()
        return bodies

    def test_body_compiled_once_for_all_tickets(self):
        self.paris_contact.lang = "en_US"
        self.env.registry.clear_cache("templates")
        tickets = [self._ticket(self.paris_contact) for _n in range(2)]
        bodies = self._compiled_bodies(self.env["helpdesk.ticket"]._cron_sla_acknowledge)
        # Once for Odoo's safety check, once to render; not twice per e-mail.
        self.assertEqual(len(bodies), 2)
        for ticket in tickets:
            self.assertIn(f"<strong>{ticket.number}</strong>", self._acknowledgements(ticket).body)

    def test_edited_template_sent_as_edited(self):
        self.paris_contact.lang = "en_US"
        self._ticket(self.paris_contact)
        self.template.body_html = self.template.body_html.replace(
            "We have received your request", "Thank you for your request"
        )
        ticket = self._ticket(self.paris_contact)
        body = self._acknowledgements(ticket).body
        self.assertIn("Thank you for your request", body)
        self.assertIn(f"<strong>{ticket.number}</strong>", body)

    # -- e-mail opens new tickets -------------------------------------------------

    def _email(self, subject, extra=""):
        raw = RAW_EMAIL.format(
            sender=self.paris_contact.email,
            subject=subject,
            message_id=f"{subject.replace(' ', '-')}@customer.example.com",
            extra=extra,
        )
        self.env["mail.thread"].message_process("helpdesk.ticket", raw)
        return self.env["helpdesk.ticket"].search([("name", "=", subject)])

    def test_email_opens_tickets_by_default(self):
        ticket = self._email("Backups by mail")
        self.assertEqual(ticket.partner_id, self.paris_contact)
        self.assertTrue(ticket.sla_opened_by_email)
        self.assertEqual(ticket.channel_id, self.email)
        self.assertEqual(ticket.sla_coverage, "covered")
        self.assertEqual(ticket.sla_response_status, "running")

    def test_email_from_a_portal_user_is_acknowledged(self):
        """Odoo's mail gateway creates the ticket as the user whose address wrote in:
        a customer with a portal account posts it in their own name, as on the portal."""
        new_test_user(
            self.env,
            login="ack-mailer",
            groups="base.group_portal",
            partner_id=self.paris_contact.id,
        )
        ticket = self._email("Backups by mail, from a portal user")
        emailed = self._acknowledgements(ticket).notification_ids.filtered(
            lambda n: n.notification_type == "email"
        )
        self.assertEqual(emailed.res_partner_id, self.paris_contact)

    def test_email_for_updates_only(self):
        """Off: the e-mail still opens the ticket, flagged, and the acknowledgement
        sends the customer to the portal or the phone; a reply changes nothing."""
        self.paris_contact.lang = "en_US"
        self.basic.email_opens_tickets = False
        ticket = self._email("New case by mail")
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.sla_coverage, "email")
        self.assertTrue(ticket.sla_out_of_entitlement)
        self.assertFalse(ticket.sla_response_deadline)
        self.assertEqual(ticket.sla_state, "out_of_entitlement")
        self.assertIn("e-mail for updates to existing tickets only", ticket.sla_note)
        body = self._acknowledgements(ticket).body
        self.assertIn("please use the web portal", body)
        self.assertIn("/new/ticket", body)
        # A web ticket of the same customer is covered; so is a reply by e-mail.
        web = self._ticket(self.paris_contact)
        self.assertEqual(web.sla_coverage, "covered")
        count = self.env["helpdesk.ticket"].search_count([])
        web_message = web.message_ids[-1].message_id
        self._email("Re: update", extra=f"In-Reply-To: {web_message}\nReferences: {web_message}\n")
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)
        self.assertEqual(web.sla_coverage, "covered")
        self.assertFalse(web.sla_opened_by_email)
        # Switching the option back re-times the flagged ticket.
        self.basic.email_opens_tickets = True
        self.assertEqual(ticket.sla_coverage, "covered")

    def test_opened_by_email_cannot_be_typed(self):
        manager = new_test_user(
            self.env, "sla_ack_manager", groups="helpdesk_mgmt.group_helpdesk_manager"
        )
        Ticket = self.env["helpdesk.ticket"].with_user(manager)
        with self.assertRaises(AccessError):
            Ticket.create(
                {
                    "name": "x",
                    "description": "x",
                    "partner_id": self.paris_contact.id,
                    "sla_opened_by_email": True,
                }
            )
        ticket = Ticket.create(
            {"name": "y", "description": "y", "partner_id": self.paris_contact.id}
        )
        with self.assertRaises(AccessError):
            ticket.sla_opened_by_email = True
