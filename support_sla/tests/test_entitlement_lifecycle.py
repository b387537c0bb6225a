"""A contract's life: renewal, notice, trial, and the contract a partner shows."""

from odoo.tests import freeze_time

from .common import SlaCase


class TestEntitlementLifecycle(SlaCase):
    def test_renewal_and_notice(self):
        renewing = self._entitlement(
            self.env["res.partner"].create({"name": "TRM Basic", "is_company": True}),
            self.standard, date_start="2024-03-01", date_end="2025-02-28", auto_renew=True,
        )  # fmt: skip
        noticed = self._entitlement(
            self.env["res.partner"].create({"name": "TRM Leaving", "is_company": True}),
            self.standard, date_start="2024-03-01", date_end="2025-02-28", auto_renew=True,
        )  # fmt: skip
        with freeze_time("2024-12-01"):  # 89 days before the end: in time
            noticed.action_give_notice()
        with freeze_time("2025-03-01"):
            (renewing | noticed)._cron_update_states()
        self.assertEqual((renewing.state, str(renewing.date_end)), ("active", "2026-02-28"))
        self.assertEqual(noticed.state, "expired")

    def test_late_notice_still_renews_once(self):
        late = self._entitlement(
            self.env["res.partner"].create({"name": "TRM Late", "is_company": True}),
            self.standard, date_start="2024-03-01", date_end="2025-02-28", auto_renew=True,
        )  # fmt: skip
        with freeze_time("2025-02-01"):
            late.action_give_notice()
        self.assertIn("after the deadline", late.message_ids[0].body)
        with freeze_time("2025-03-01"):
            late._cron_update_states()
        self.assertEqual(late.state, "active")

    def test_trial_expires(self):
        trial = self._entitlement(
            self.env["res.partner"].create({"name": "Evaluator", "is_company": True}),
            self.standard, state="trial", trial_tier_id=self.premium.id,
            date_start="2025-06-01", date_end="2025-06-30", auto_renew=True,
        )  # fmt: skip
        self.assertEqual(trial.effective_tier_id, self.premium)
        with freeze_time("2025-07-01"):
            trial._cron_update_states()
        self.assertEqual(trial.state, "expired")

    def test_partner_shows_current_entitlement_and_tier(self):
        with freeze_time("2025-06-02"):
            self.paris.invalidate_recordset()
            self.assertEqual(self.paris.support_entitlement_id, self.paris_contract)
            self.assertEqual(self.paris_contact.support_tier_id, self.basic)
