"""Two requests of a customer at the same moment, in two transactions."""

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common_concurrency import TwoTransactionsCase


@tagged("post_install", "-at_install")
class TestConcurrentCallback(TwoTransactionsCase):
    """A Premium customer (the phone is in the tier) and its portal user."""

    @classmethod
    def _setup_committed(cls, env):
        contact = cls._committed_customer(
            env,
            "Concurrent Robotics",
            {"name": "Kenji Mori", "phone": "+81 90 5555 0199"},
            "support_sla.tier_premium",
            "2024-01-01",
        )
        cls.owner = new_test_user(
            env, "conc_callback_owner", groups="base.group_portal", partner_id=contact.id
        )
        cls._forget(cls.owner)
        cls.ticket = env["helpdesk.ticket"].create(
            {
                "name": "Robot arm stuck",
                "description": "Since the update",
                "partner_id": contact.id,
                # Who calls back: an internal user in every database.
                "user_id": env.ref("base.user_admin").id,
            }
        )
        cls._forget(cls.ticket)

    def _ticket(self, env):
        """The ticket as the portal's controller hands it to the model."""
        return env["helpdesk.ticket"].browse(self.ticket.id).sudo()

    def test_two_callback_requests_make_one_activity(self):
        first, second = self._request(self.owner.id), self._request(self.owner.id)
        # The second request has read the ticket before the first one commits.
        self._ticket(second).read(["sla_callback_pending"])
        self._ticket(first)._sla_request_callback("asap")
        first.cr.commit()
        attempts = []
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaisesRegex(UserError, "already have your call-back request"),
        ):
            self._retrying(
                second, lambda env: self._ticket(env)._sla_request_callback("now"), attempts
            )
        # Refused once on the ticket's row, then seeing the first request.
        self.assertEqual(attempts, [1, 2])
        with self._transaction() as env:
            activities = env["mail.activity"].search(
                [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", self.ticket.id)]
            )
            self.assertEqual(activities.activity_type_id.ids,
                             [env.ref("support_sla.mail_activity_callback").id])  # fmt: skip
            self.assertEqual(len(activities), 1)
