from datetime import timedelta

from odoo.tests import new_test_user

from .common_portal import PortalCase, said_outcome


class TestPortalTickets(PortalCase):
    def test_list_shows_priority_deadlines_in_customer_time(self):
        self._login("sla_owner")
        page = self.url_open("/my/tickets").text
        self.assertIn("Scheduler down", page)
        self.assertNotIn("Devis illisibles", page)
        deadline = self._local(self.owner_ticket.sla_response_deadline, self.owner)
        self.assertIn(deadline, page)
        self.assertIn('data-status="running"', page)
        self.assertIn(">P3<", page)
        self._login("sla_colleague")
        self.assertIn("Scheduler down", self.url_open("/my/tickets").text)

    def test_list_sorts_by_deadline(self):
        urgent = self._make_ticket(self.tokyo_contact, "Urgent one", "high")
        self._login("sla_owner")
        page = self.url_open("/my/tickets?sortby=response_deadline").text
        self.assertLess(page.index("Urgent one"), page.index("Scheduler down"))
        page = self.url_open("/my/tickets?sortby=date").text
        self.assertIn("Response Deadline", page)
        self.assertTrue(urgent.sla_response_deadline < self.owner_ticket.sla_response_deadline)

    def test_page_for_owner_colleague_other_anonymous(self):
        url = f"/my/ticket/{self.owner_ticket.id}"
        self.env["helpdesk.ticket"].browse(self.owner_ticket.id).message_post(
            body="INTERNAL-CHATTER-NOTE", subtype_xmlid="mail.mt_note"
        )
        for login in ("sla_owner", "sla_colleague"):
            self._login(login)
            page = self.url_open(url).text
            self.assertIn("Scheduler down", page)
            self.assertIn(self._local(self.owner_ticket.sla_response_deadline, self.owner), page)
            self.assertIn("Running", page)
            self.assertIn("left", page)
            self.assertNotIn("INTERNAL-NOTE-TEXT", page)
            self.assertNotIn("INTERNAL-CHATTER-NOTE", page)
        self._login("sla_other")
        refused = self.url_open(url, allow_redirects=False)
        self.assertEqual(refused.status_code, 303)
        self.assertTrue(refused.headers["Location"].endswith("/my"))
        self.logout()
        self.assertNotIn("Scheduler down", self.url_open(url).text)
        # A shared link shows the deadline in the ticket's zone, but offers no action.
        token = self.owner_ticket._portal_ensure_token()
        page = self.url_open(f"{url}?access_token={token}").text
        self.assertIn(self._local(self.owner_ticket.sla_response_deadline, self.owner), page)
        self.assertNotIn('id="support_sla_ticket_actions"', page)

    def test_page_asks_neither_the_reading_nor_the_tiers_again(self):
        # The page without a token comes after the portal's own check that the visitor
        # may read the ticket; whether the tier takes calls is kept by the registry.
        ticket = self.owner_ticket.with_user(self.owner)
        self.assertTrue(ticket._sla_customer_may_act())
        self.assertTrue(ticket._sla_callback_offered())  # Premium includes the phone
        with self.assertQueryCount(0):
            self.assertTrue(ticket._sla_customer_may_act(read_checked=True))
            self.assertTrue(ticket._sla_callback_offered())
        # A contact of another customer never acts on it, whatever was checked.
        as_other = self.owner_ticket.with_user(self.other)
        self.assertFalse(as_other._sla_customer_may_act(read_checked=True))

    def test_page_says_paused_while_waiting_for_the_customer(self):
        self.owner_ticket.stage_id = self.stage_waiting
        self._login("sla_owner")
        page = self.url_open(f"/my/ticket/{self.owner_ticket.id}").text
        self.assertIn('data-status="paused"', page)
        self.assertIn("Paused while waiting for you", page)

    def test_page_best_effort(self):
        ticket = self._make_ticket(self.community_contact, "Community question", "low")
        self._login("sla_community")
        page = self.url_open(f"/my/ticket/{ticket.id}").text
        self.assertIn("No response time applies", page)
        self.assertRegex(page, r'<strong class="d-block">No support contract</strong>')
        self.assertNotIn("First response due", page)


class TestPortalOverride(PortalCase):
    def test_owner_overrides_with_reason(self):
        matrix_deadline = self.owner_ticket.sla_response_deadline
        self._login("sla_owner")
        response = self._post(
            f"/my/ticket/{self.owner_ticket.id}/priority",
            {"priority": "3", "reason": "  The whole plant is stopped  "},
        )
        self.assertEqual(response.status_code, 303)
        ticket = self.owner_ticket
        ticket.invalidate_recordset()
        self.assertEqual(ticket.priority, "3")
        self.assertTrue(ticket.priority_overridden)
        self.assertEqual(ticket.priority_override_reason, "The whole plant is stopped")
        self.assertEqual(ticket.priority_override_user_id, self.owner)
        self.assertEqual(ticket.matrix_priority, "1")
        # Deadlines follow: P1 within 15 minutes of creation instead of 4 hours.
        self.assertEqual(
            ticket.sla_response_deadline, ticket.sla_start_date + timedelta(minutes=15)
        )
        self.assertNotEqual(ticket.sla_response_deadline, matrix_deadline)
        self._end_request()
        tracked = ticket.message_ids.tracking_value_ids.filtered(
            lambda v: v.field_id.name == "priority"
        )
        self.assertTrue(tracked)
        self.assertEqual(tracked[:1].mail_message_id.author_id, self.tokyo_contact)
        page = self.url_open(response.headers["Location"]).text
        self.assertEqual(
            said_outcome(page),
            ("success", "The priority is changed; the support team sees your reason."),
        )
        self.assertIn("Changed by you", page)
        self.assertIn("→ P3", page)  # the matrix priority stays visible
        # Said once: a reload, or a crafted URL, says nothing.
        for url in (response.headers["Location"], f"/my/ticket/{ticket.id}?sla_done=priority"):
            self.assertNotIn("The priority is changed", self.url_open(url).text)

    def test_internal_override_author_stays_internal(self):
        agent = new_test_user(
            self.env, "sla_agent_x", groups="helpdesk_mgmt.group_helpdesk_user", name="Secretname"
        )
        self.owner_ticket.with_user(agent).write(
            {"priority": "3", "priority_overridden": True, "priority_override_reason": "Down"}
        )
        self._end_request()
        self._login("sla_owner")
        page = self.url_open(f"/my/ticket/{self.owner_ticket.id}").text
        self.assertIn("Changed by the support team", page)
        self.assertNotIn("Secretname", page)

    def test_colleague_overrides_the_company_ticket(self):
        self._login("sla_colleague")
        response = self._post(
            f"/my/ticket/{self.owner_ticket.id}/priority", {"priority": "2", "reason": "Payroll"}
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.owner_ticket.priority, "2")

    def test_bad_overrides_change_nothing(self):
        url = f"/my/ticket/{self.owner_ticket.id}/priority"
        self._login("sla_owner")
        say_why = "Say why the priority should change: the support team reads it."
        for data, message in (
            ({"priority": "3", "reason": "   "}, say_why),
            ({"priority": "3"}, say_why),
            ({"priority": "9", "reason": "Because"}, "Choose a priority between P1 and P4."),
            ({"reason": "Because"}, "Choose a priority between P1 and P4."),
        ):
            response = self._post(url, data)
            self.assertRefused(response, 400, message)
            # The form that was refused stays open.
            self.assertIn("<details open", response.text)
        self.assertEqual(self.owner_ticket.priority, "1")
        self.assertFalse(self.owner_ticket.priority_overridden)
        self.assertEqual(self._post("/my/ticket/abc/priority", {"priority": "3"}).status_code, 404)
        self.assertEqual(self.url_open(url).status_code, 405)  # GET
        with self.assertLogs("odoo.http", "WARNING"):
            self.assertEqual(
                self._post(url, {"priority": "3", "reason": "x"}, token=False).status_code, 400
            )
        self.assertFalse(self.owner_ticket.priority_overridden)

    def test_others_and_anonymous_cannot_override(self):
        url = f"/my/ticket/{self.owner_ticket.id}/priority"
        self._login("sla_other")
        response = self._post(url, {"priority": "3", "reason": "Mine now"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self._post("/my/ticket/999999/priority", {}).status_code, 404)
        self.logout()
        self.assertRedirectsToLogin(self._post(url, {"priority": "3", "reason": "Anonymous"}))
        self.assertFalse(self.owner_ticket.priority_overridden)


class TestPortalCallback(PortalCase):
    def test_callback_queues_an_activity_for_the_team(self):
        self._login("sla_owner")
        url = f"/my/ticket/{self.owner_ticket.id}/callback"
        response = self._post(url, {"mode": "asap"})
        self.assertEqual(response.status_code, 303)
        ticket = self.owner_ticket
        ticket.invalidate_recordset()
        activity = ticket.sla_callback_activity_id
        self.assertEqual(activity.user_id, self.leader)  # no assignee: the team leader
        self.assertIn("+81 90 5555 0176", activity.summary)
        self.assertIn("Call me when you can", activity.summary)
        self.assertEqual(ticket.sla_callback_mode, "asap")
        self.assertTrue(ticket.sla_callback_pending)
        page = self.url_open(response.headers["Location"]).text
        self.assertEqual(said_outcome(page), ("success", "Your call-back request is registered."))
        self.assertIn('name="sla_callback_pending"', page)
        self.assertIn(self._local(ticket.sla_callback_date, self.owner), page)
        # A second request while the first is pending: refused politely, nothing added.
        again = self._post(url, {"mode": "now"})
        self.assertRefused(
            again,
            400,
            "We already have your call-back request: we will call you as soon as we can, "
            "no need to ask again.",
        )
        self.assertEqual(len(ticket.activity_ids), 1)
        self.assertEqual(ticket.sla_callback_mode, "asap")
        # Once called back, the customer may ask again; requests queue in arrival order.
        activity.action_feedback("Called")
        ticket.invalidate_recordset()
        self.assertFalse(ticket.sla_callback_pending)
        second = self._make_ticket(self.tokyo_contact, "Second", "low")
        second.user_id = self.leader
        self.assertEqual(self._post(url, {"mode": "now"}).status_code, 303)
        self._post(f"/my/ticket/{second.id}/callback", {"mode": "asap"})
        queue = self.env["mail.activity"].search(
            [("user_id", "=", self.leader.id), ("activity_type_id.category", "=", "phonecall")]
        )
        self.assertEqual(queue.mapped("res_id"), [ticket.id, second.id])
        self.assertIn("Call me now", queue[0].summary)

    def test_colleague_asks_a_callback_on_the_company_ticket(self):
        self.colleague_contact.phone = "+81 90 5555 0177"
        self._login("sla_colleague")
        response = self._post(f"/my/ticket/{self.owner_ticket.id}/callback", {"mode": "now"})
        self.assertEqual(response.status_code, 303)
        ticket = self.owner_ticket
        ticket.invalidate_recordset()
        self.assertEqual(ticket.sla_callback_mode, "now")
        # The colleague who asks is called back, on their own number.
        self.assertIn("+81 90 5555 0177", ticket.sla_callback_activity_id.summary)

    def test_callback_only_with_phone_in_the_tier(self):
        self._login("sla_other")  # Basic: web and e-mail only
        page = self.url_open(f"/my/ticket/{self.other_ticket.id}").text
        self.assertNotIn('value="asap"', page)
        self.assertIn("Devis illisibles", page)  # the ticket page, which offers no call-back
        response = self._post(f"/my/ticket/{self.other_ticket.id}/callback", {"mode": "asap"})
        self.assertRefused(
            response, 400, "Call-back is not included in the support plan of this ticket."
        )
        self.assertFalse(self.other_ticket.sla_callback_mode)

    def test_bad_callbacks(self):
        url = f"/my/ticket/{self.owner_ticket.id}/callback"
        self._login("sla_owner")
        for mode in ("later", ""):
            response = self._post(url, {"mode": mode})
            self.assertRefused(response, 400, "Choose whether we call you now or when we can.")
        self.tokyo_contact.phone = False
        self.tokyo.phone = False
        response = self._post(url, {"mode": "asap"})
        self.assertRefused(
            response, 400, "Add a phone number to your account so that we can call you back."
        )
        self.assertFalse(self.owner_ticket.activity_ids)
        self._login("sla_other")
        self.assertEqual(self._post(url, {"mode": "asap"}).status_code, 404)
        self.logout()
        self.assertRedirectsToLogin(self._post(url, {"mode": "asap"}))
        self.assertFalse(self.owner_ticket.sla_callback_mode)


class TestPortalClose(PortalCase):
    """helpdesk_mgmt's /ticket/close, closed to attackers."""

    def _close(self, ticket, stage, token=True, **extra):
        data = {"ticket_id": ticket.id, "stage_id": stage.id, **extra}
        return self._post("/ticket/close", data, token=token)

    def test_owner_closes_with_post_and_token(self):
        self.stage_done.close_from_portal = True
        self._login("sla_owner")
        page = self.url_open(f"/my/ticket/{self.owner_ticket.id}").text
        form = page.split('action="/ticket/close"')[0].rsplit("<form", 1)[1]
        self.assertIn('method="POST"', form)
        self.assertIn('name="csrf_token"', page.split('action="/ticket/close"')[1][:400])
        response = self._close(self.owner_ticket, self.stage_done)
        self.assertEqual(response.status_code, 302)  # as helpdesk_mgmt answers
        self.assertEqual(self.owner_ticket.stage_id, self.stage_done)
        self.assertTrue(self.owner_ticket.closed_date)
        again = self._close(
            self.owner_ticket, self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        )
        self.assertIn("already closed", self.url_open(again.headers["Location"]).text)
        self.assertEqual(self.owner_ticket.stage_id, self.stage_done)

    def test_colleague_closes_the_company_ticket(self):
        self.stage_done.close_from_portal = True
        self._login("sla_colleague")
        response = self._close(self.owner_ticket, self.stage_done)
        self.assertEqual(response.status_code, 302)  # as helpdesk_mgmt answers
        self.assertTrue(response.headers["Location"].endswith(f"/my/ticket/{self.owner_ticket.id}"))
        self.owner_ticket.invalidate_recordset()
        self.assertEqual(self.owner_ticket.stage_id, self.stage_done)

    def test_attacks_change_nothing(self):
        self.stage_done.close_from_portal = True
        self.stage_waiting.close_from_portal = False
        self._login("sla_other")
        # Another company's ticket.
        self.assertEqual(self._close(self.owner_ticket, self.stage_done).status_code, 404)
        # A GET, as helpdesk_mgmt's form sent it.
        get = self.url_open(
            f"/ticket/close?ticket_id={self.other_ticket.id}&stage_id={self.stage_done.id}",
            allow_redirects=False,
        )
        self.assertEqual(get.status_code, 405)
        # A POST without the CSRF token.
        with self.assertLogs("odoo.http", "WARNING"):
            self.assertEqual(
                self._close(self.other_ticket, self.stage_done, token=False).status_code, 400
            )
        # A stage that does not allow closing from the portal.
        response = self._close(self.other_ticket, self.stage_waiting)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.headers["Location"].endswith(f"/my/ticket/{self.other_ticket.id}"))
        page = self.url_open(response.headers["Location"]).text
        self.assertIn("cannot be closed in that stage", page)
        self.assertNotIn("cannot be closed", self.url_open(response.headers["Location"]).text)
        # Ids that are not numbers.
        response = self._post("/ticket/close", {"ticket_id": "1 OR 1=1", "stage_id": "x"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.owner_ticket.stage_id, self.stage_new)
        self.assertEqual(self.other_ticket.stage_id, self.stage_new)
        self.logout()
        self.assertRedirectsToLogin(self._close(self.owner_ticket, self.stage_done))
        self.assertEqual(self.owner_ticket.stage_id, self.stage_new)


class TestPortalTour(PortalCase):
    def test_portal_customer_tour(self):
        """Preview, submit, deadline, override, call-back, in a real browser."""
        self.env.company.support_portal_team_id = self.team
        self.start_tour("/new/ticket", "support_sla_portal_tour", login="sla_owner")
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "No backup since Monday")])
        self.assertEqual(
            (ticket.impact, ticket.urgency, ticket.matrix_priority, ticket.priority),
            ("high", "high", "3", "2"),
        )
        self.assertTrue(ticket.priority_overridden)
        self.assertIn("workaround", ticket.priority_override_reason)
        self.assertEqual(ticket.sla_callback_mode, "asap")
        # The company's portal team receives it: its leader takes the call-back.
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.sla_callback_activity_id.user_id, self.leader)
