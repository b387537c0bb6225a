from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.support_sla.tests.common import PortalPeopleMixin, SlaCase


class EscalationMixin:
    """Level 1 and Level 2 teams, the default reasons, agents and a manager."""

    @classmethod
    def _setup_levels(cls, company=None):
        company = company or cls.env.company
        # helpdesk_mgmt's stage e-mails are sent from the company's address, which a
        # database without demo data lacks.
        company.email = company.email or "helpdesk@example.com"
        ref = cls.env.ref
        cls.reasons = {
            code: ref(f"support_sla_escalation.reason_{code}")
            for code in (
                "feature",
                "customisation",
                "training",
                "manipulation",
                "product_defect",
                "critical",
                "dissatisfied",
                "sla",
                "resolved_l2",
                "wrong_level",
            )
        }
        Team = cls.env["helpdesk.ticket.team"]
        cls.team_l2 = Team.create(
            {"name": "Consulting", "support_level": "l2", "company_id": company.id}
        )
        cls.team_senior = Team.create(
            {"name": "Senior Analysts", "support_level": "l2", "company_id": company.id}
        )
        cls.team_l1 = Team.create(
            {
                "name": "Customer Services",
                "support_level": "l1",
                "escalation_team_id": cls.team_l2.id,
                "company_id": company.id,
            }
        )
        groups = "helpdesk_mgmt.group_helpdesk_user,hr_timesheet.group_hr_timesheet_user"
        cls.agent = new_test_user(
            cls.env, login=f"agent_{company.id}", groups=groups, company_id=company.id
        )
        cls.manager = new_test_user(
            cls.env,
            login=f"supervisor_{company.id}",
            groups=f"{groups},helpdesk_mgmt.group_helpdesk_manager",
            company_id=company.id,
        )
        cls.env["hr.employee"].create(
            [
                {"name": user.name, "user_id": user.id, "company_id": company.id}
                for user in (cls.agent, cls.manager)
            ]
        )

    def _supervisor_notified(self, ticket):
        """The escalation note of the ticket that notifies the supervisor."""
        note = self.env.ref("mail.mt_note")
        return ticket.message_ids.filtered(
            lambda m: m.subtype_id == note and self.manager.partner_id in m.partner_ids
        )[:1]


class EscalationCase(SlaCase, EscalationMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_levels()
        cls.team = cls.team_l1

    def _l1_ticket(self, **values):
        return self._ticket(self.paris_contact, **values)


@tagged("post_install", "-at_install")
class EscalationPortalCase(HttpCase, EscalationMixin, PortalPeopleMixin):
    """A customer's portal owner and colleague, a follower from a rival customer, and
    the Level 1 and Level 2 teams. ``_portal_prefix`` names their logins."""

    _portal_prefix = "esc"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_levels()
        cls.people = cls._setup_portal_people(
            cls._portal_prefix, customer="Fromagerie Alpine", rival="Rival Corp"
        )
        cls.customer, cls.rival = cls.people.customer, cls.people.rival
        cls.owner, cls.colleague = cls.people.owner, cls.people.colleague
        cls.follower = cls.people.follower

    def _ticket(self, **values):
        return self.env["helpdesk.ticket"].create(
            {
                "name": "Cheese cave sensors offline",
                "description": "Since this morning",
                "partner_id": self.owner.partner_id.id,
                "team_id": self.team_l1.id,
                **values,
            }
        )

    def _post(self, user, url, method="POST", **data):
        """``method`` to ``url`` as ``user`` (anonymous if None), with a CSRF token."""
        if user:
            self.authenticate(user.login, user.login)
        else:
            self.authenticate(None, None)
        response = self.opener.request(
            method,
            self.base_url() + url,
            data={**data, "csrf_token": http.Request.csrf_token(self)},
            allow_redirects=False,
            timeout=12,
        )
        self.env.invalidate_all()
        return response
