"""The portal test case: the customers of the portal tests and how they browse."""

import html
import json
import re

from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import format_datetime

from .common import SlaCase


def said_outcome(page):
    """``(level, text)`` said by a portal ticket page's outcome block, or None."""
    block = re.search(r'<div\b[^>]*name="support_outcome"[^>]*>(.*?)</div>', page, re.DOTALL)
    if not block:
        return None
    level = re.search(r"\balert-(\w+)", block.group(0)).group(1)
    return level, html.unescape(block.group(1)).strip()


@tagged("post_install", "-at_install")
class PortalCase(SlaCase, HttpCase):
    """Portal customers: an owner and a colleague in Tokyo (Premium, 24x7), a customer
    of another company in Paris (Basic) and a community user with no contract."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leader = new_test_user(
            cls.env, "sla_leader", groups="helpdesk_mgmt.group_helpdesk_user", name="Team Leader"
        )
        cls.team.user_id = cls.leader
        cls.tokyo_contact.phone = "+81 90 5555 0176"
        cls.owner = cls._portal_user("sla_owner", cls.tokyo_contact, "Asia/Tokyo")
        cls.colleague_contact = cls.env["res.partner"].create(
            {"name": "Colleague in Tokyo", "parent_id": cls.tokyo.id, "tz": "Asia/Tokyo"}
        )
        cls.colleague = cls._portal_user("sla_colleague", cls.colleague_contact, "Asia/Tokyo")
        cls.other = cls._portal_user("sla_other", cls.paris_contact, "Europe/Paris")
        cls.community, cls.community_contact = cls._customer("Mori Lab", "Asia/Tokyo")
        cls.community_user = cls._portal_user("sla_community", cls.community_contact, "Asia/Tokyo")
        cls.owner_ticket = cls._make_ticket(cls.tokyo_contact, "Scheduler down", "medium")
        cls.other_ticket = cls._make_ticket(cls.paris_contact, "Devis illisibles", "medium")

    @classmethod
    def _portal_user(cls, login, partner, tz):
        return new_test_user(
            cls.env, login, groups="base.group_portal", partner_id=partner.id, tz=tz
        )

    @classmethod
    def _make_ticket(cls, contact, name, level):
        return cls.env["helpdesk.ticket"].create(
            {
                "name": name,
                "description": "<p>Public description</p>",
                "notes": "<p>INTERNAL-NOTE-TEXT</p>",
                "partner_id": contact.id,
                "user_id": False,
                "team_id": cls.team.id,
                "stage_id": cls.stage_new.id,
                "channel_id": cls.web.id,
                "impact": level,
                "urgency": level,
            }
        )

    def _login(self, login):
        self.authenticate(login, login)

    def _post(self, url, data, token=True):
        if token:
            data = {**data, "csrf_token": http.Request.csrf_token(self)}
        return self.url_open(url, data=data, allow_redirects=False)

    def _preview(self, **params):
        response = self.url_open(
            "/support_sla/preview",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def _local(self, value, user):
        """How the portal writes a stored datetime for ``user``."""
        env = self.env(user=user, context={"lang": "en_US", "tz": user.tz})
        # To the minute: medium date, short time (no seconds on the portal).
        return format_datetime(env, value, tz=user.tz, dt_format="MMM d, y, h:mm a")

    def assertRedirectsToLogin(self, response):
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def assertRefused(self, response, status, text):
        """The ticket page again, with why in the block that says outcomes."""
        self.assertEqual(response.status_code, status)
        self.assertEqual(said_outcome(response.text), ("danger", text))
