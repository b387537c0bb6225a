"""What agents and managers see and do in the back office (issue 8)."""

from datetime import timedelta
from unittest.mock import patch

from lxml import etree

from odoo.exceptions import ValidationError
from odoo.tests import Form, HttpCase, freeze_time, new_test_user, tagged
from odoo.tools import format_date, format_datetime, mute_logger

from ..tools.display import duration_text
from .common import SlaCase

PARIS = "Europe/Paris"
NEW_YORK = "America/New_York"
TOKYO = "Asia/Tokyo"
BRUSSELS = "Europe/Brussels"


class TestFormFollows(SlaCase):
    """The ticket form: priority from the matrix as you type, overrides with a reason."""

    def _new_form(self):
        form = Form(self.env["helpdesk.ticket"])
        form.name = "Backups fail"
        form.description = "Nothing works"
        form.partner_id = self.ny_contact
        form.team_id = self.team
        return form

    def test_priority_follows_impact_and_urgency_before_saving(self):
        form = self._new_form()
        self.assertEqual((form.matrix_priority, form.priority), ("1", "1"))  # medium x medium
        form.impact = "high"
        form.urgency = "high"
        self.assertEqual((form.matrix_priority, form.priority), ("3", "3"))
        self.assertFalse(form.priority_overridden)
        form.urgency = "low"
        self.assertEqual(form.priority, "1")
        ticket = form.save()
        self.assertEqual(ticket.priority, "1")
        self.assertFalse(ticket.priority_overridden)

    def test_editing_impact_on_a_saved_ticket_is_not_an_override(self):
        ticket = self._ticket(self.ny_contact, impact="low", urgency="low")
        with Form(ticket) as form:
            form.impact = "high"
            form.urgency = "high"
            self.assertEqual(form.priority, "3")
        self.assertEqual(ticket.priority, "3")
        self.assertFalse(ticket.priority_overridden)

    def test_choosing_another_priority_asks_for_the_reason(self):
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact, impact="medium", urgency="medium")
            self._end_request()
            form = Form(ticket)
            form.priority = "3"  # a star clicked on the form
            self.assertTrue(form.priority_overridden)
            with self.assertRaisesRegex(AssertionError, "priority_override_reason"):
                form.save()
            form.priority_override_reason = "Production line stopped"
            form.save()
        self.assertEqual((ticket.priority, ticket.matrix_priority), ("3", "1"))
        self.assertTrue(ticket.priority_overridden)
        self.assertEqual(ticket.priority_override_reason, "Production line stopped")
        self.assertEqual(ticket.priority_override_user_id, self.env.user)
        self.assertEqual(ticket.priority_override_date, self.local(NEW_YORK, 2025, 6, 2, 10, 0))
        self.assertEqual(ticket.sla_response_deadline, self.local(NEW_YORK, 2025, 6, 2, 11, 0))
        # An overridden priority stays when impact and urgency change.
        with Form(ticket) as form:
            form.impact = "low"
            self.assertEqual(form.priority, "3")
        self.assertEqual(ticket.priority, "3")

    def test_unticking_the_override_returns_to_the_matrix_on_the_form(self):
        ticket = self._ticket(self.ny_contact, impact="low", urgency="low")
        ticket.write(
            {"priority": "3", "priority_overridden": True, "priority_override_reason": "VIP"}
        )
        with Form(ticket) as form:
            form.priority_overridden = False
            self.assertEqual(form.priority, "0")
        self.assertEqual(ticket.priority, "0")
        self.assertFalse(ticket.priority_override_reason)

    def test_override_written_by_the_portal_is_tracked(self):
        ticket = self._ticket(self.ny_contact, impact="low", urgency="low")
        self._end_request()
        ticket.write(
            {"priority": "2", "priority_overridden": True, "priority_override_reason": "Urgent"}
        )
        self._end_request()
        self.assertEqual(ticket.priority, "2")
        self.assertEqual(ticket.priority_override_user_id, self.env.user)
        self.assertTrue(ticket.priority_override_date)
        tracked = ticket.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("priority", tracked)
        self.assertIn("priority_override_reason", tracked)
        ticket.write({"priority_overridden": False})
        self.assertEqual(ticket.priority, "0")
        self.assertFalse(ticket.priority_override_user_id)


class TestVisibleState(SlaCase):
    """Breach, risk, pause and coverage said where agents look."""

    def test_state_and_time_left_as_the_clock_runs(self):
        # Premium is 24x7: P2 answers within 60 minutes, the team is warned at 80 %.
        start = self.local(TOKYO, 2025, 6, 7, 3, 0)
        with freeze_time(start):
            ticket = self._ticket(self.tokyo_contact, impact="high", urgency="medium")
        expected = {
            10: ("on_track", "50 min"),
            50: ("at_risk", "10 min"),
            100: ("breached", "overdue by 40 min"),
        }
        for minutes, (state, left) in expected.items():
            with freeze_time(self.local(TOKYO, 2025, 6, 7, 3 + minutes // 60, minutes % 60)):
                ticket.invalidate_recordset()
                self.assertEqual((ticket.sla_state, ticket.sla_response_left), (state, left))
        self.assertFalse(ticket.sla_resolve_left)  # no resolution target

    def test_page_of_tickets_agrees_with_the_alert_filters(self):
        # Premium 24x7, P2: respond within 60 minutes, warned at 80 %. Opened 100, 50
        # and 10 minutes ago, and one overdue whose response is stored but not written.
        start = self.local(TOKYO, 2025, 6, 7, 3, 0)
        tickets = self.env["helpdesk.ticket"]
        for minutes in (100, 50, 10, 100):
            with freeze_time(start - timedelta(minutes=minutes)):
                tickets |= self._ticket(self.tokyo_contact, impact="high", urgency="medium")
        answered = tickets[-1]
        with freeze_time(start):
            self.env.flush_all()
            answered._sla_store(
                {answered: {"sla_response_status": "met", "sla_first_response_date": start}}
            )
            tickets.invalidate_recordset(["sla_alert", "sla_state"])
            # One page, computed together, as the list computes it.
            shown = dict(zip(tickets, tickets.mapped("sla_alert"), strict=True))
            self.assertEqual(list(shown.values()), ["danger", "warning", "ok", False])
            for level in ("ok", "warning", "danger", False):
                found = tickets.search([("id", "in", tickets.ids), ("sla_alert", "=", level)])
                self.assertEqual(found, tickets.filtered(lambda t, lv=level: shown[t] == lv))

    def test_time_left_reads_in_hours_and_minutes(self):
        env = self.env
        self.assertEqual(duration_text(env, 135), "2 h 15 min")
        self.assertEqual(duration_text(env, 180), "3 h")
        self.assertEqual(duration_text(env, -40), "40 min")
        self.env["res.lang"]._activate_lang("nl_NL")
        self.assertEqual(duration_text(env(context={"lang": "nl_NL"}), 135), "2 u 15 min")

    def test_paused_ticket_says_it_waits_on_the_customer(self):
        with freeze_time(self.local(TOKYO, 2025, 6, 7, 3, 0)):
            ticket = self._ticket(self.tokyo_contact, impact="high", urgency="medium")
        with freeze_time(self.local(TOKYO, 2025, 6, 7, 3, 55)):  # would be at risk
            ticket.stage_id = self.stage_waiting
            ticket.invalidate_recordset()
            self.assertEqual(ticket.sla_state, "paused")
            self.assertEqual(ticket.sla_pause_ids.duration_text, "0 min")

    def test_met_and_uncovered_states(self):
        ticket = self._ticket(self.tokyo_contact)
        ticket.message_post(
            body="On it",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=self.env.ref("base.partner_admin").id,
        )
        self.assertEqual(ticket.sla_state, "met")
        phone = self._ticket(self.paris_contact, channel=self.phone)  # not in Basic
        self.assertEqual(phone.sla_state, "out_of_entitlement")
        _company, contact = self._customer("Community User", PARIS)
        self.assertEqual(self._ticket(contact).sla_state, "no_contract")

    def test_coverage_says_tier_target_calendar_and_zone(self):
        ticket = self._ticket(self.ny_contact, impact="high", urgency="medium")  # P2
        self.assertEqual(
            ticket.sla_coverage_text,
            "Standard · P2 · respond within 3 h · Support: Monday-Friday 08:00-17:00 "
            "(hours of the tier) · America/New_York",
        )
        regional = self._calendar("US East 08-17", NEW_YORK, [(d, 8, 17) for d in range(5)])
        self.ny_contract.calendar_id = regional
        self.standard._target_for("2").resolve_minutes = 24 * 60
        ticket.invalidate_recordset()
        self.assertEqual(
            ticket.sla_coverage_text,
            "Standard · P2 · respond within 3 h, resolve within 24 h · US East 08-17 "
            "(regional calendar of the contract) · America/New_York",
        )
        premium = self._ticket(self.tokyo_contact)
        self.assertIn("24x7 (hours of the tier) · Asia/Tokyo", premium.sla_coverage_text)
        self.assertFalse(self._ticket(self.paris_contact, channel=self.phone).sla_coverage_text)

    def test_deadlines_in_customer_time_name_their_zone(self):
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            ticket = self._ticket(self.ny_contact, impact="medium", urgency="medium")
        # Tuesday 09:00 in New York, as the reader's language writes it, and the zone.
        tuesday_nine = format_datetime(
            self.env, self.local(NEW_YORK, 2025, 6, 3, 9, 0), tz=NEW_YORK, dt_format="short"
        )
        self.assertEqual(ticket.sla_response_deadline_customer, f"{tuesday_nine} ({NEW_YORK})")
        self.assertFalse(ticket.sla_resolve_deadline_customer)

    def test_expired_or_cancelled_contract_says_so(self):
        customer, contact = self._customer("Former Customer", PARIS)
        contract = self._entitlement(
            customer, self.standard, date_start="2024-01-01", date_end="2024-12-31"
        )
        with freeze_time("2025-01-06 09:00:00"):
            contract._cron_update_states()
            ticket = self._ticket(contact)
        self.assertEqual(ticket.sla_coverage, "no_contract")
        self.assertEqual(
            ticket.sla_note,
            f"Contract {contract.name} expired on {format_date(self.env, contract.date_end)}.",
        )
        contract.action_cancel()
        ticket.invalidate_recordset(["sla_note"])
        self.assertEqual(ticket.sla_note, f"No support contract: {contract.name} was cancelled.")

    def test_customer_without_time_zone_gets_the_companys_and_is_told(self):
        self.env.company.partner_id.tz = BRUSSELS
        customer = self.env["res.partner"].create({"name": "Zoneless", "is_company": True})
        contact = self.env["res.partner"].create({"name": "Zoneless Contact",
                                                  "parent_id": customer.id})  # fmt: skip
        contract = self._entitlement(customer, self.standard)
        self.assertEqual(contract.tz, BRUSSELS)
        # Monday 16:30 in Brussels, P1 (1 h): 30 min today, 30 min on Tuesday from 08:00.
        with freeze_time(self.local(BRUSSELS, 2025, 6, 2, 16, 30)):
            ticket = self._ticket(contact)
        self.assertEqual((ticket.sla_tz, ticket.sla_tz_assumed), (BRUSSELS, True))
        self.assertEqual(ticket.sla_response_deadline, self.local(BRUSSELS, 2025, 6, 3, 8, 30))
        self.assertIn(
            "Europe/Brussels (time zone of the company: the customer has none)",
            ticket.sla_coverage_text,
        )
        known = self._ticket(self.paris_contact)
        self.assertEqual((known.sla_tz, known.sla_tz_assumed), (PARIS, False))


class TestLabels(SlaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(["helpdesk_mgmt", "support_sla"], ["fr_FR"])

    def test_priorities_of_targets_and_matrix_in_the_users_language(self):
        for model in ("support.tier.target", "support.priority.rule", "helpdesk.ticket"):
            field = "matrix_priority" if model == "helpdesk.ticket" else "priority"
            selection = dict(
                self.env[model].with_context(lang="fr_FR").fields_get([field])[field]["selection"]
            )
            self.assertEqual(selection["3"], "P1", model)  # P1..P4, as everywhere

    def test_creation_message_in_the_users_language(self):
        customer, _contact = self._customer("Client Français", PARIS)
        contract = (
            self.env["support.entitlement"]
            .with_context(lang="fr_FR")
            .create({"partner_id": customer.id, "tier_id": self.basic.id})
        )
        self._end_request()
        self.assertIn("Contrat de support créé", contract.message_ids.mapped("body")[-1])

    def test_no_technical_labels_left(self):
        Ticket = self.env["helpdesk.ticket"]
        fields = Ticket.fields_get(["sla_resolve_warned", "sla_response_warning_date"])
        self.assertEqual(fields["sla_resolve_warned"]["string"], "Team Warned (Resolution)")
        self.assertEqual(fields["sla_response_warning_date"]["string"], "Response Warning")
        for view_type in ("pivot", "graph"):
            view = self.env.ref(f"support_sla.helpdesk_ticket_view_{view_type}_sla")
            arch = etree.fromstring(Ticket.get_view(view.id, view_type)["arch"])
            self.assertEqual(arch.xpath("//field[@name='color']/@invisible"), ["1"], view_type)
        Entitlement = self.env["support.entitlement"].with_context(lang="fr_FR")
        arch = etree.fromstring(Entitlement.get_view(view_type="form")["arch"])
        self.assertEqual(
            arch.xpath("//button[@name='action_ask_cancel']/@string"), ["Annuler le contrat"]
        )
        # Its confirmation says what each button does, in French.
        Cancel = self.env["support.entitlement.cancel"].with_context(lang="fr_FR")
        arch = etree.fromstring(Cancel.get_view(view_type="form")["arch"])
        self.assertEqual(
            arch.xpath("//footer/button/@string"), ["Annuler le contrat", "Conserver le contrat"]
        )

    def test_failed_contract_save_uses_up_no_number(self):
        sequence = self.env.ref("support_sla.seq_support_entitlement")
        expected = sequence.get_next_char(sequence.number_next_actual)
        form = Form(self.env["support.entitlement"])
        form.partner_id = self.paris
        form.tier_id = self.basic
        form.date_start = "2025-01-01"
        form.date_end = "2024-01-01"
        with self.assertRaises(ValidationError), mute_logger("odoo.sql_db"):
            form.save()
        form.date_end = "2025-12-31"
        self.assertEqual(form.save().name, expected)

    def test_targets_are_entered_as_hours_and_minutes(self):
        with Form(self.standard) as form, form.target_ids.edit(0) as line:
            line.response_time = 2.25  # 02:15
        self.assertEqual(self.standard.target_ids[0].response_minutes, 135)
        self.assertEqual(self.standard._target_for("2").response_time, 3.0)  # 180 minutes


@tagged("post_install", "-at_install")
class TestAgentTour(HttpCase):
    def test_agent_path_on_a_new_ticket(self):
        customer = self.env["res.partner"].create(
            {"name": "Tour Customer", "is_company": True, "tz": PARIS}
        )
        self.env["res.partner"].create({"name": "Tour Contact", "parent_id": customer.id})
        self.env["support.entitlement"].create(
            {
                "name": "SUP-TOUR",
                "partner_id": customer.id,
                "tier_id": self.env.ref("support_sla.tier_premium").id,
                "date_start": "2020-01-01",
                "state": "active",
            }
        )
        self.start_tour(
            "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/new",
            "support_sla_agent_tour",
            login="admin",
        )
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "Label printer down")])
        self.assertEqual((ticket.priority, ticket.matrix_priority), ("1", "3"))
        self.assertEqual(ticket.priority_override_reason, "Only one printer of ten is affected")
        self.assertEqual(ticket.sla_response_status, "met")


class TestListQueries(SlaCase):
    """The back-office list with the SLA columns costs the same queries for a page of a
    few tickets as for a full page of 80 (and the count of the rest)."""

    def _list_spec(self):
        """What the web client asks for the fields of the ticket list view."""
        Ticket = self.env["helpdesk.ticket"]
        arch = etree.fromstring(Ticket.get_views([(False, "list")])["views"]["list"]["arch"])
        spec = {}
        for node in arch.xpath("/list/field"):
            name = node.get("name")
            relational = Ticket._fields[name].type == "many2one"
            spec[name] = {"fields": {"display_name": {}}} if relational else {}
        return spec

    def _list_queries(self, count, contacts=None):
        """Open ``count`` tickets of ``contacts`` (default: three customers in three
        zones), two agents; read the first page of the list as the web client does:
        (records, queries)."""
        contacts = contacts or [self.paris_contact, self.ny_contact, self.tokyo_contact]
        page = f"{count}_{len(contacts)}"
        agents = [
            new_test_user(
                self.env, f"sla_list_{page}_{n}", groups="helpdesk_mgmt.group_helpdesk_user"
            )
            for n in range(2)
        ]
        team = self.env["helpdesk.ticket.team"].create({"name": f"List {page}"})
        self.env["helpdesk.ticket"].create(
            [
                {
                    "name": f"Request {n}",
                    "description": "x",
                    "partner_id": contacts[n % len(contacts)].id,
                    "user_id": agents[n % 2].id,
                    "team_id": team.id,
                    "channel_id": self.web.id,
                    "impact": ("high", "medium", "low")[n % 3],
                    "urgency": "high",
                }
                for n in range(count)
            ]
        )
        spec = self._list_spec()
        self.assertIn("sla_alert", spec)
        domain = [("team_id", "=", team.id), ("stage_id.closed", "=", False)]
        # The web client's context: the reader's language, zone and companies.
        Ticket = self.env["helpdesk.ticket"].with_context(
            lang="en_US", tz="Europe/Brussels", allowed_company_ids=self.env.company.ids
        )
        Ticket.web_search_read(domain, spec, limit=80)  # the registry's caches, warm
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        result = Ticket.web_search_read(domain, spec, limit=80)
        return len(result["records"]), self.cr.sql_log_count - before

    def test_list_with_sla_columns_costs_at_most_20_queries(self):
        few, few_queries = self._list_queries(6)
        full, full_queries = self._list_queries(90)
        self.assertEqual((few, full), (6, 80))
        self.assertLessEqual(full_queries, 20)
        self.assertLessEqual(few_queries, 20)

    def test_list_costs_the_same_queries_whatever_the_number_of_contracts(self):
        """A page's coverage reads its customers' contracts in one query."""
        customers = [
            self._customer(f"Customer {n} Ltd", ("Europe/Paris", "Asia/Tokyo")[n % 2])
            for n in range(12)
        ]
        for company, _contact in customers:
            self._entitlement(company, self.standard)
        three, three_queries = self._list_queries(30)
        twelve, twelve_queries = self._list_queries(30, [c for _, c in customers])
        self.assertEqual((three, twelve), (30, 30))
        self.assertEqual(twelve_queries, three_queries)

    def test_time_left_reuses_the_stored_warning_moments(self):
        """The list's time left and alert evaluate the clocks without working out
        their warning moments again: stored, they are what the alert reads."""
        ticket = self._ticket(self.ny_contact)
        ticket.invalidate_recordset()
        Ticket = self.registry["helpdesk.ticket"]
        with patch.object(Ticket, "_sla_warning_share", side_effect=AssertionError):
            self.assertGreater(ticket.sla_response_remaining, 0)
            self.assertEqual(ticket.sla_alert, "ok")
        self.assertTrue(ticket.sla_response_warning_date)

    def test_time_left_is_read_from_the_stored_deadlines(self):
        """A page's time left is the business time to the deadlines it shows: the
        promise is not worked out again, except for a ticket on hold, whose
        deadline moves while the pause lasts."""
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):
            late = self._ticket(self.ny_contact)  # P1: 1 h
            risky = self._ticket(self.ny_contact, impact="medium", urgency="high")  # P2: 3 h
            waiting = self._ticket(self.ny_contact, impact="medium", urgency="high")
            waiting.stage_id = self.stage_waiting
        tickets = late | risky | waiting
        Ticket = self.registry["helpdesk.ticket"]
        plans = patch.object(Ticket, "_sla_plans", autospec=True, side_effect=Ticket._sla_plans)
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 12, 30)), plans as worked_out:
            tickets.invalidate_recordset()
            left = [ticket.sla_response_remaining for ticket in tickets]
            evaluated = [call.args[0].ids for call in worked_out.call_args_list]
        self.assertEqual(evaluated, [waiting.ids])
        self.assertEqual(left, [-1.5, 0.5, 3.0])
        self.assertEqual(waiting.sla_paused_text, duration_text(self.env, 150))

    def test_coverage_hours_read_once_and_again_after_a_holiday(self):
        """The hours and holidays of a calendar are read once, not per page; a new
        public holiday is read again at once (and moves the deadline)."""
        calendar = self._calendar("Cached Hours", NEW_YORK, [(d, 9, 17) for d in range(5)])
        self.ny_contract.calendar_id = calendar
        with freeze_time(self.local(NEW_YORK, 2025, 6, 2, 10, 0)):  # a Monday
            ticket = self._ticket(self.ny_contact, impact="low", urgency="low")
            self.assertEqual(ticket.sla_calendar_id, calendar)
            deadline = ticket.sla_resolve_deadline or ticket.sla_response_deadline
            Calendar = self.registry["resource.calendar"]
            reads = patch.object(
                Calendar, "_sla_closures", autospec=True, side_effect=Calendar._sla_closures
            )
            with reads as closures:
                ticket.invalidate_recordset()
                self.assertGreater(ticket.sla_response_remaining, 0)
                self.assertEqual(closures.call_count, 0)
                self._holidays(calendar, ["2025-06-02", "2025-06-03", "2025-06-04"])
                self.assertGreater(closures.call_count, 0)
            ticket.invalidate_recordset()
            self.assertGreater(
                ticket.sla_resolve_deadline or ticket.sla_response_deadline, deadline
            )
