from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import EscalationCase

BILLABLE = {"feature", "customisation", "training", "manipulation"}
NOT_BILLABLE = {"product_defect", "critical", "dissatisfied", "sla"}
BACK_TO_LEVEL1 = {"resolved_l2", "wrong_level"}


@tagged("post_install", "-at_install")
class TestBillable(EscalationCase):
    def test_billable_follows_the_default_reasons(self):
        for code, reason in self.reasons.items():
            if code in BACK_TO_LEVEL1:
                continue
            with self.subTest(reason=code):
                ticket = self._l1_ticket()
                ticket._escalate("l2", reason)
                self.assertEqual(ticket.billable, code in BILLABLE)
                self.assertEqual(ticket.billable_accepted, "pending" if code in BILLABLE else False)
                self.assertTrue(ticket.billable_explanation)
        self.assertEqual(set(self.reasons), BILLABLE | NOT_BILLABLE | BACK_TO_LEVEL1)
        back = self.env["support.escalation.reason"].browse(
            [self.reasons[code].id for code in BACK_TO_LEVEL1]
        )
        self.assertEqual(set(back.mapped("to_level")), {"l1"})
        self.assertFalse(any(back.mapped("billable")))

    def test_reasons_are_translated(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["support_sla_escalation"], ["fr_FR"])
        reason = self.reasons["customisation"].with_context(lang="fr_FR")
        self.assertEqual(reason.name, "Erreur dans une personnalisation")
        self.assertNotEqual(
            reason.customer_explanation, self.reasons["customisation"].customer_explanation
        )

    def test_tier_and_level_have_distinct_names_in_every_language(self):
        Ticket = self.env["helpdesk.ticket"]
        for lang, tier, level in (
            ("fr_FR", "Offre de support", "Niveau de support"),
            ("nl_NL", "Ondersteuningspakket", "Supportniveau"),
        ):
            with self.subTest(lang=lang):
                self.env["res.lang"]._activate_lang(lang)
                self.env["ir.module.module"]._load_module_terms(
                    ["support_sla", "support_sla_escalation"], [lang], overwrite=True
                )
                env = self.env(context={"lang": lang})
                fields_ = Ticket.with_env(env).fields_get(["tier_id", "support_level"])
                self.assertEqual(fields_["tier_id"]["string"], tier)
                self.assertEqual(fields_["support_level"]["string"], level)

    def test_manager_override_is_tracked_and_needs_a_reason(self):
        ticket = self._l1_ticket()
        ticket._escalate("l2", self.reasons["critical"])
        self.assertFalse(ticket.billable)
        with self.assertRaises(AccessError):
            ticket.with_user(self.agent).write({"billable": True, "billable_reason": "x"})
        with self.assertRaisesRegex(ValidationError, "why"):
            ticket.with_user(self.manager).write({"billable": True})
        ticket.with_user(self.manager).write(
            {"billable": True, "billable_reason": "Critical because of a custom report"}
        )
        self._end_request()
        self.assertTrue(ticket.billable)
        self.assertTrue(ticket.billable_overridden)
        self.assertEqual(ticket.billable_explanation, "Critical because of a custom report")
        tracked = ticket.message_ids.tracking_value_ids.filtered(
            lambda v: v.field_id.name in ("billable", "billable_reason")
        )
        self.assertEqual(set(tracked.field_id.mapped("name")), {"billable", "billable_reason"})
        # A later escalation does not undo the manager's decision...
        ticket._escalate("l1", self.reasons["resolved_l2"])
        self.assertTrue(ticket.billable)
        # ...until the manager gives it back to the reason.
        ticket.with_user(self.manager).action_billable_reset()
        self.assertFalse(ticket.billable)
        self.assertFalse(ticket.billable_overridden)

    def test_customer_answer_is_recorded(self):
        ticket = self._l1_ticket()
        ticket._escalate("l2", self.reasons["training"])
        ticket.with_user(self.agent).action_billable_accept()
        self.assertEqual(ticket.billable_accepted, "accepted")
        self.assertTrue(ticket.billable_answer_date)
        free = self._l1_ticket()
        free._escalate("l2", self.reasons["critical"])
        with self.assertRaisesRegex(Exception, "not billable"):
            free.action_billable_decline()

    def test_time_on_an_unaccepted_billable_ticket_is_flagged(self):
        ticket = self._l1_ticket()
        ticket._escalate("l2", self.reasons["feature"])
        self.assertFalse(ticket.billable_unaccepted_time)
        line = (
            self.env["account.analytic.line"]
            .with_user(self.agent)
            .create(
                {
                    "name": "Analysis",
                    "ticket_id": ticket.id,
                    "project_id": ticket.project_id.id,
                    "unit_amount": 1.0,
                }
            )
        )
        self.assertTrue(ticket.billable_unaccepted_time)
        self.assertTrue(line.consulting_unaccepted)
        ticket.action_billable_accept()
        self.assertFalse(ticket.billable_unaccepted_time)
        self.assertFalse(line.consulting_unaccepted)
