from odoo.tests import new_test_user

from odoo.addons.support_sla.tests.common import SlaCase


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
