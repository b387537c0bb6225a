from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytz

from odoo.tests import TransactionCase, new_test_user

# French public holidays of 2025 and 2026 (fixed and Easter-based).
FRENCH_HOLIDAYS = [
    "2025-01-01", "2025-04-21", "2025-05-01", "2025-05-08", "2025-05-29", "2025-06-09",
    "2025-07-14", "2025-08-15", "2025-11-01", "2025-11-11", "2025-12-25",
    "2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25",
    "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25",
]  # fmt: skip


def unqueue_acknowledgements(env, keep=()):
    """Take the queued acknowledgements off the queue, but those of the tickets ``keep``:
    the scheduled action does not run in tests, so the demo tickets' (and earlier tests'
    committed ones) would fall into the batches a test checks."""
    Ticket = env["helpdesk.ticket"].with_context(active_test=False)
    queued = Ticket.search([("sla_ack_pending", "=", True), ("id", "not in", list(keep))])
    queued._sla_store({ticket: {"sla_ack_pending": False} for ticket in queued})


class SlaCalendarCase(TransactionCase):
    """Builders of working-time calendars and public holidays."""

    @classmethod
    def _calendar(cls, name, tz, windows):
        """A one-week calendar of ``(weekday, hour_from, hour_to)`` windows."""
        return cls.env["resource.calendar"].create(
            {
                "name": name,
                "tz": tz,
                "attendance_ids": [
                    (
                        0,
                        0,
                        {
                            "name": f"{name} {weekday} {start}",
                            "dayofweek": str(weekday),
                            "hour_from": start,
                            "hour_to": end,
                            "day_period": "morning" if start < 12 else "afternoon",
                        },
                    )
                    for weekday, start, end in windows
                ],
            }
        )

    @classmethod
    def _holidays(cls, calendar, days, tz=None):
        """Global time off on whole local ``days`` (ISO strings), as Odoo records them."""
        zone = pytz.timezone(tz or calendar.tz)
        values = []
        for day in days:
            start = zone.localize(datetime.combine(datetime.fromisoformat(day), time.min))
            end = zone.localize(datetime.combine(datetime.fromisoformat(day), time.max))
            values.append(
                {
                    "name": f"Holiday {day}",
                    "calendar_id": calendar.id if calendar else False,
                    "date_from": start.astimezone(pytz.utc).replace(tzinfo=None),
                    "date_to": (
                        end.astimezone(pytz.utc) - timedelta(microseconds=end.microsecond)
                    ).replace(tzinfo=None),
                }
            )
        return cls.env["resource.calendar.leaves"].create(values)


@dataclass(frozen=True)
class PortalPeople:
    """Who the portal and access tests meet around one customer."""

    customer: object  # res.partner, a company
    contact: object  # res.partner, the contact of ``customer`` who opens tickets
    owner: object  # res.users, portal user of ``contact``
    colleague_contact: object  # res.partner, another contact of ``customer``
    colleague: object  # res.users, portal user of ``colleague_contact``: may act too
    rival: object  # res.partner, another customer (company) of the same company
    follower_contact: object  # res.partner, the contact of ``rival``
    follower: object  # res.users, portal user of ``rival``: may follow, never act
    other_company: object  # res.company, or an empty recordset
    other_customer: object  # res.partner, a customer of ``other_company``, or empty


class PortalPeopleMixin:
    """One builder of the portal people, for every test case that needs them (any
    TransactionCase or HttpCase, with or without SlaCase's customers)."""

    @classmethod
    def _new_portal_user(cls, login, partner, **values):
        """A portal user signed in as contact ``partner``. ``new_test_user`` gives it
        its login as password when the login has 8 characters or more."""
        return new_test_user(
            cls.env, login, groups="base.group_portal", partner_id=partner.id, **values
        )

    @classmethod
    def _portal_company(cls, customer, contact, default, **values):
        """``customer`` if a partner, else ``contact``'s company, else a new customer
        company named ``customer`` or ``default``."""
        if customer is None and contact:
            return contact.parent_id
        if customer is None or isinstance(customer, str):
            return cls.env["res.partner"].create(
                {"name": customer or default, "is_company": True, **values}
            )
        return customer

    @classmethod
    def _other_company(cls, name):
        """Another company and a customer of its own: what multi-company rules hide."""
        company = cls.env["res.company"].create({"name": name})
        customer = cls.env["res.partner"].create(
            {"name": f"Customer of {name}", "is_company": True, "company_id": company.id}
        )
        return company, customer

    @classmethod
    def _setup_portal_people(
        cls,
        prefix,
        customer=None,
        contact=None,
        rival=None,
        rival_contact=None,
        tz=None,
        other_company=False,
    ):
        """Portal users around ``customer``, with a follower from ``rival``.

        ``customer`` and ``rival`` are company partners or names of new ones; they
        default to the company of ``contact`` and of ``rival_contact`` when these are
        given. ``contact`` and ``rival_contact`` are created as contacts of ``customer``
        and ``rival`` when not given. Logins: ``<prefix>_owner``, ``<prefix>_colleague``,
        ``<prefix>_follower``. ``tz`` is the time zone of the users and of the new
        contacts. With ``other_company``, also another company and a customer of its own
        (see ``_other_company``).
        """
        zone = {"tz": tz} if tz else {}
        Partner = cls.env["res.partner"]
        customer = cls._portal_company(customer, contact, "Portal Customer", **zone)
        rival = cls._portal_company(rival, rival_contact, "Rival Customer", **zone)
        contact = contact or Partner.create(
            {"name": f"Contact of {customer.name}", "parent_id": customer.id, **zone}
        )
        colleague_contact = Partner.create(
            {"name": f"Colleague of {contact.name}", "parent_id": customer.id, **zone}
        )
        rival_contact = rival_contact or Partner.create(
            {"name": f"Contact of {rival.name}", "parent_id": rival.id, **zone}
        )
        company, other_customer = cls.env["res.company"], Partner
        if other_company:
            company, other_customer = cls._other_company(f"Other company of {prefix}")
        return PortalPeople(
            customer=customer,
            contact=contact,
            owner=cls._new_portal_user(f"{prefix}_owner", contact, **zone),
            colleague_contact=colleague_contact,
            colleague=cls._new_portal_user(f"{prefix}_colleague", colleague_contact, **zone),
            rival=rival,
            follower_contact=rival_contact,
            follower=cls._new_portal_user(f"{prefix}_follower", rival_contact, **zone),
            other_company=company,
            other_customer=other_customer,
        )


class SlaCase(PortalPeopleMixin, SlaCalendarCase):
    """Customers on the default tiers in three time zones, agents and a portal user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # helpdesk_mgmt's stage e-mails are sent from the company's address, which a
        # database without demo data lacks.
        cls.env.company.email = cls.env.company.email or "helpdesk@example.com"
        ref = cls.env.ref
        cls.basic = ref("support_sla.tier_basic")
        cls.standard = ref("support_sla.tier_standard")
        cls.premium = ref("support_sla.tier_premium")
        cls.web = ref("helpdesk_mgmt.helpdesk_ticket_channel_web")
        cls.email = ref("helpdesk_mgmt.helpdesk_ticket_channel_email")
        cls.phone = ref("helpdesk_mgmt.helpdesk_ticket_channel_phone")
        cls.stage_new = ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_done = ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_waiting = ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        cls.stage_waiting.sla_pause = True
        cls.team = cls.env["helpdesk.ticket.team"].create({"name": "SLA Team"})
        cls.paris, cls.paris_contact = cls._customer("Boulangerie Dupont", "Europe/Paris")
        cls.new_york, cls.ny_contact = cls._customer("Hudson Freight", "America/New_York")
        cls.tokyo, cls.tokyo_contact = cls._customer("Sakura Robotics", "Asia/Tokyo")
        cls.paris_contract = cls._entitlement(cls.paris, cls.basic)
        cls.ny_contract = cls._entitlement(cls.new_york, cls.standard)
        cls.tokyo_contract = cls._entitlement(cls.tokyo, cls.premium)

    @classmethod
    def _customer(cls, name, tz):
        company = cls.env["res.partner"].create({"name": name, "is_company": True, "tz": tz})
        contact = cls.env["res.partner"].create(
            {"name": f"Contact of {name}", "parent_id": company.id, "tz": tz,
             "email": f"contact@{name.split()[0].lower()}.example.com"}
        )  # fmt: skip
        return company, contact

    @classmethod
    def _entitlement(cls, partner, tier, state="active", **values):
        return cls.env["support.entitlement"].create(
            {
                "partner_id": partner.id,
                "tier_id": tier.id,
                "date_start": "2024-01-01",
                "date_end": "2027-12-31",
                "state": state,
                **values,
            }
        )

    def _ticket(self, contact, impact="high", urgency="high", channel=None, **values):
        return self.env["helpdesk.ticket"].create(
            {
                "name": "Backups fail",
                "description": "Nothing works",
                "partner_id": contact.id,
                "team_id": self.team.id,
                "stage_id": self.stage_new.id,
                "channel_id": (channel or self.web).id,
                "impact": impact,
                "urgency": urgency,
                **values,
            }
        )

    def _end_request(self):
        """What a commit does between two requests: write the chatter tracking."""
        self.env.flush_all()
        self.cr.precommit.run()

    @staticmethod
    def utc(*args):
        return datetime(*args)

    @staticmethod
    def local(tz, *args):
        """Naive UTC of a local wall-clock time, as Odoo stores datetimes."""
        return pytz.timezone(tz).localize(datetime(*args)).astimezone(pytz.utc).replace(tzinfo=None)

    # What the SLA check announces: a note on each ticket, a digest per recipient.

    def _digests(self, user):
        """The SLA digests ``user`` received (inbox or e-mail, as they chose)."""
        return self.env["mail.message"].search(
            [
                ("message_type", "=", "user_notification"),
                ("notification_ids.res_partner_id", "=", user.partner_id.id),
            ]
        )

    def _listed(self, ticket):
        """The users whose digests list ``ticket`` (with a link to it)."""
        link = f'href="/odoo/helpdesk.ticket/{ticket.id}"'
        messages = self.env["mail.message"].search(
            [("message_type", "=", "user_notification"), ("body", "like", link)]
        )
        return messages.notification_ids.res_partner_id.user_ids

    def _notes(self, ticket, text):
        return ticket.message_ids.filtered(lambda m: text in (m.body or ""))
