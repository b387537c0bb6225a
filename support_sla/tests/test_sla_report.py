"""SLA reports: the figures of a known month, the portal page and its PDF for each
person around a customer, the back-office report's access and the monthly job."""

from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo.exceptions import AccessError
from odoo.tests import freeze_time, new_test_user, tagged
from odoo.tools import mute_logger

from .common_portal import PortalCase


class SlaReportCase(PortalCase):
    """Premium (24x7) Tokyo tickets of a known month: P1 met in 10 min and resolved in
    2 h, P1 breached (30 min for 15), P2 met after waiting an hour on the customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.people = cls._setup_portal_people("slarep", customer=cls.tokyo, other_company=True)
        cls.other_company_contact = cls.env["res.partner"].create(
            {"name": "Contact elsewhere", "parent_id": cls.people.other_customer.id}
        )
        cls.other_company_user = cls._new_portal_user("slarep_elsewhere", cls.other_company_contact)
        # The month before the running one, so that the portal shows it whatever today.
        cls.month = date.today().replace(day=1) - relativedelta(months=1)
        cls.known = cls._known_month(cls.month)

    @classmethod
    def _at(cls, moment, **delta):
        return freeze_time(moment + timedelta(**delta))

    @classmethod
    def _known_month(cls, month):
        """The four known tickets of ``month`` (and one of Paris, one of next month)."""
        start = datetime(month.year, month.month, 2, 1, 0)
        tickets = cls.env["helpdesk.ticket"]
        with cls._at(start):
            met = cls._report_ticket(cls.tokyo_contact, "Met P1", "high")
        with cls._at(start, minutes=10):
            met._sla_record_first_response(start + timedelta(minutes=10))
        with cls._at(start, hours=2):
            met.stage_id = cls.stage_done
        breached_at = start + timedelta(days=1)
        with cls._at(breached_at):
            breached = cls._report_ticket(cls.tokyo_contact, "Late P1", "high")
        with cls._at(breached_at, minutes=30):
            breached._sla_record_first_response(breached_at + timedelta(minutes=30))
        paused_at = start + timedelta(days=2)
        with cls._at(paused_at):
            paused = cls._report_ticket(cls.tokyo_contact, "Waiting P2", "medium")
        with cls._at(paused_at, minutes=10):
            paused.stage_id = cls.stage_waiting
        with cls._at(paused_at, minutes=70):
            paused.stage_id = cls.stage_new
        with cls._at(paused_at, minutes=80):
            paused._sla_record_first_response(paused_at + timedelta(minutes=80))
        with cls._at(start, days=3):
            cls._report_ticket(cls.paris_contact, "Someone else's", "high")
        with cls._at(start, days=40):
            cls._report_ticket(cls.tokyo_contact, "Next month", "high")
        return tickets | met | breached | paused

    @classmethod
    def _report_ticket(cls, contact, name, impact):
        """A web ticket of high urgency: P1 with high impact, P2 with medium."""
        return cls.env["helpdesk.ticket"].create(
            {
                "name": name,
                "description": "<p>Known month</p>",
                "partner_id": contact.id,
                "user_id": False,
                "team_id": cls.team.id,
                "stage_id": cls.stage_new.id,
                "channel_id": cls.web.id,
                "impact": impact,
                "urgency": "high",
            }
        )


@tagged("post_install", "-at_install")
class TestSlaReport(SlaReportCase):
    """The figures, the portal page and PDF, the back-office report."""

    def test_stored_business_minutes(self):
        met, breached, paused = self.known
        self.assertEqual(
            (met.sla_response_status, breached.sla_response_status, paused.priority),
            ("met", "breached", "2"),
        )
        self.assertEqual(met.sla_response_business_minutes, 10)
        self.assertEqual(met.sla_resolve_business_minutes, 120)
        self.assertEqual(breached.sla_response_business_minutes, 30)
        self.assertEqual(paused.sla_response_business_minutes, 20)
        self.assertEqual(paused.sla_paused_minutes, 60)
        self.assertEqual(
            (met | breached | paused).mapped("sla_response_compliance"), [100.0, 0.0, 100.0]
        )

    def test_upgrade_measures_tickets_stored_before_the_figures(self):
        met, breached, paused = self.known
        columns = ("sla_response_business_minutes", "sla_resolve_business_minutes")
        before = (met | breached | paused).read(list(columns))
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET sla_response_business_minutes = NULL, "
            "sla_resolve_business_minutes = NULL WHERE id IN %s",
            [tuple(self.known.ids)],
        )
        self.env.invalidate_all()
        self.assertFalse(any(met.read(list(columns))[0][name] for name in columns))
        statuses = (met | breached | paused).mapped("sla_response_status")
        measured = self.env["helpdesk.ticket"]._sla_backfill_figures(batch=2)
        self.assertEqual(measured & self.known, self.known)
        self.assertEqual((met | breached | paused).read(list(columns)), before)
        # Only the figures were written: the clocks stay as they were.
        self.assertEqual((met | breached | paused).mapped("sla_response_status"), statuses)
        self.assertFalse(self.env["helpdesk.ticket"]._sla_backfill_figures() & self.known)

    def test_figures_of_the_known_month(self):
        Report = self.env["support.sla.report"]
        figures = Report._sla_report_figures(
            self.tokyo, self.month, self.month + relativedelta(months=1)
        )
        p1 = figures[self.month, "3"]
        self.assertEqual((p1["received"], p1["met"], p1["breached"]), (2, 1, 1))
        self.assertEqual((p1["response_p50"], p1["response_p90"]), (20.0, 28.0))
        self.assertEqual((p1["resolve_p50"], p1["paused"]), (120.0, 0))
        # Median of 10/15 and 30/15 of the target.
        self.assertEqual(p1["response_share"], 133.33333333333331)
        p2 = figures[self.month, "2"]
        self.assertEqual((p2["received"], p2["met"], p2["response_p50"]), (1, 1, 20.0))
        self.assertEqual(p2["paused"], 60)
        total = figures[self.month, None]
        self.assertEqual((total["received"], total["met"], total["breached"]), (3, 2, 1))
        self.assertEqual(set(figures), {(self.month, "3"), (self.month, "2"), (self.month, None)})
        line = Report._sla_report_data(self.tokyo, [self.month])["months"][0]
        self.assertEqual(line["total"]["share"], 67)
        self.assertEqual(line["total"]["paused"], "1 h")
        self.assertEqual([p["label"] for p in line["priorities"]], ["P1", "P2"])
        self.assertEqual(line["priorities"][0]["response_p50"], "20 min")

    def test_portal_page_for_owner_and_colleague(self):
        key = self.month.strftime("%Y-%m")
        for login in ("sla_owner", "slarep_colleague"):
            self._login(login)
            response = self.url_open(f"/my/sla?month={key}")
            self.assertEqual(response.status_code, 200)
            page = response.text
            self.assertIn("Sakura Robotics", page)
            self.assertIn("20 min / 28 min", page)  # P1: median / 90th percentile
            self.assertIn("67%", page)
            self.assertIn(f'href="/my/sla/pdf?month={key}"', page)
            self.assertIn("<svg", page)

    def test_portal_page_for_everybody_else(self):
        key = self.month.strftime("%Y-%m")
        for login in ("slarep_follower", "sla_other", "slarep_elsewhere"):
            self._login(login)
            page = self.url_open(f"/my/sla?month={key}").text
            self.assertNotIn("Sakura Robotics", page)
            self.assertNotIn("20 min / 28 min", page)
            self.assertNotIn("67%", page)
        self.authenticate(None, None)
        self.assertRedirectsToLogin(self.url_open("/my/sla", allow_redirects=False))
        self.assertRedirectsToLogin(self.url_open("/my/sla/pdf", allow_redirects=False))

    def test_portal_pdf_is_the_users_company_only(self):
        key = self.month.strftime("%Y-%m")
        self._login("slarep_colleague")
        response = self.url_open(f"/my/sla/pdf?month={key}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        # Test mode renders the report's HTML instead of calling wkhtmltopdf.
        self.assertIn("Sakura Robotics", response.text)
        self.assertIn("20 min / 28 min", response.text)
        self._login("slarep_follower")
        response = self.url_open(f"/my/sla/pdf?month={key}")
        self.assertNotIn("Sakura Robotics", response.text)
        self.assertNotIn("20 min / 28 min", response.text)

    @mute_logger("odoo.http")
    def test_bad_months_are_refused(self):
        self._login("sla_owner")
        for month in ("2026-13", "march", "2026-3-1", "99999-01"):
            for url in ("/my/sla", "/my/sla/pdf"):
                response = self.url_open(f"{url}?month={month}")
                self.assertEqual(response.status_code, 400, (url, month))
                self.assertIn("YYYY-MM", response.text)
        future = (date.today() + relativedelta(months=1)).strftime("%Y-%m")
        response = self.url_open(f"/my/sla?month={future}")
        self.assertEqual(response.status_code, 400)
        self.assertIn("has not started yet", response.text)

    def test_backoffice_report_needs_a_helpdesk_user(self):
        report = self.env.ref("support_sla.action_report_sla_month")
        key = self.month.strftime("%Y-%m")
        Reports = self.env["ir.actions.report"]
        html = Reports.with_user(self.leader)._render_qweb_html(
            report, [self.tokyo.id], data={"month": key}
        )[0]
        self.assertIn(b"20 min / 28 min", html)
        for user in (self.owner, self.people.follower):
            with self.assertRaises(AccessError):
                Reports.with_user(user)._render_qweb_html(
                    report, [self.tokyo.id], data={"month": key}
                )

    def test_portal_tour(self):
        self.start_tour("/my", "support_sla_report_tour", login="sla_owner")


@tagged("post_install", "-at_install")
class TestSlaMonthlyReport(SlaReportCase):
    """The monthly job: each customer once, in its language, and the managers' digest."""

    def test_monthly_job_sends_once(self):
        self.tokyo_contract.sla_report_monthly = True
        self.tokyo.email = "it@sakura.example.com"
        manager = new_test_user(
            self.env,
            "slarep_manager",
            groups="helpdesk_mgmt.group_helpdesk_manager",
            email="manager@example.com",
        )
        Mail = self.env["mail.mail"]
        first_day = self.month + relativedelta(months=1)
        with freeze_time(datetime(first_day.year, first_day.month, 1, 5, 0)):
            for _run in range(2):
                self.env["support.entitlement"]._cron_sla_monthly_report()
        sent = Mail.search(
            [("model", "=", "support.entitlement"), ("res_id", "=", self.tokyo_contract.id)]
        )
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent.recipient_ids, self.tokyo)
        self.assertIn("67%", sent.body_html)
        self.assertEqual(sent.attachment_ids.mimetype, "application/pdf")
        self.assertEqual(self.tokyo_contract.sla_report_sent_month, self.month.strftime("%Y-%m"))
        digest = Mail.search(
            [("model", "=", "res.company"), ("recipient_ids", "in", manager.partner_id.ids)]
        )
        self.assertEqual(len(digest), 1)
        self.assertIn("Sakura Robotics", digest.body_html)
        self.assertNotIn("Boulangerie Dupont", digest.body_html)  # no response measured
