"""The virtual users of bench/load.py: portal customers over HTTP, agents over JSON-RPC as
the web client calls it, and the mail gateway over XML-RPC as odoo-mailgate calls it.

Each user loops until the end of the run, pausing a random think time between requests;
every request is timed and recorded with its outcome.
"""

import itertools
import random
import re
import threading
import time
import xmlrpc.client
from email.message import EmailMessage
from email.utils import make_msgid

import requests
from retime import read_spec

TIMEOUT = 120
CSRF = re.compile(r'csrf_token(?:"\s+value="|["\']?\s*:\s*")([0-9a-f]+o[0-9]+)"')
# Rounds of portal visits a customer makes per sign-in.
PORTAL_ROUNDS = 5
LEVELS = ("high", "medium", "low")


class Stats:
    """Latencies and errors per request type, shared by the users' threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times = {}
        self.errors = {}
        self.samples = []
        # (wall-clock start, kind, seconds) of every request that succeeded
        self.began = []

    def record(self, kind, seconds, error=None, began=None):
        with self.lock:
            if error:
                self.errors[kind] = self.errors.get(kind, 0) + 1
                if len(self.samples) < 10:
                    self.samples.append(f"{kind}: {error}"[:400])
            else:
                self.times.setdefault(kind, []).append(seconds)
                self.began.append((began, kind, seconds))


class Run:
    """What the users share: the server, the plan, the clock, the figures."""

    def __init__(self, url, db, plan, stats, think, with_sla):
        self.url, self.db, self.plan, self.stats = url, db, plan, stats
        self.think, self.with_sla = think, with_sla
        self.measure_from = self.stop_at = 0.0
        self.counter = itertools.count(1)

    def running(self):
        return time.monotonic() < self.stop_at

    def pause(self, rng):
        time.sleep(rng.uniform(0.5, 1.5) * self.think)

    def timed(self, kind, call):
        """``call()`` timed; its error (an exception, a status >= 400, a JSON-RPC
        error) recorded, or None. Requests started before the warm-up ended are
        not counted."""
        began, wall = time.monotonic(), time.time()
        error = result = None
        try:
            result = call()
            error = outcome_error(result)
        except (requests.RequestException, xmlrpc.client.Error, OSError) as caught:
            error = repr(caught)
        if began >= self.measure_from:
            self.stats.record(kind, time.monotonic() - began, error, wall)
        return None if error else result


def outcome_error(result):
    if isinstance(result, requests.Response):
        if result.status_code >= 400:
            return f"HTTP {result.status_code} {result.url}"
        if result.headers.get("Content-Type", "").startswith("application/json"):
            body = result.json()
            if "error" in body:
                data = body["error"].get("data", {})
                return f"{data.get('name')}: {data.get('message')}"
    return None


def rpc(session, run, path, params):
    payload = {"jsonrpc": "2.0", "method": "call", "id": next(run.counter), "params": params}
    return session.post(run.url + path, json=payload, timeout=TIMEOUT)


def call_kw(session, run, model, method, args, kwargs=None):
    params = {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}
    return rpc(session, run, f"/web/dataset/call_kw/{model}/{method}", params)


# -- portal customers -----------------------------------------------------------------


def portal_customer(run, number):
    rng = random.Random(number)
    logins = sorted(run.plan["customers"])
    while run.running():
        login = rng.choice(logins)
        session = requests.Session()
        token = portal_login(run, session, login)
        tickets = run.plan["customers"][login]
        for _round in range(PORTAL_ROUNDS):
            if not (token and run.running()):
                break
            token = portal_round(run, session, token, rng, tickets)


def portal_login(run, session, login):
    """Sign in through the login form; the CSRF token of the signed-in session."""
    page = session.get(run.url + "/web/login", timeout=TIMEOUT)
    token = csrf_of(page.text)
    data = {"login": login, "password": run.plan["password"], "csrf_token": token}
    data["redirect"] = "/my/tickets"
    response = run.timed(
        "portal: log in",
        lambda: session.post(run.url + "/web/login", data=data, timeout=TIMEOUT),
    )
    return response is not None and csrf_of(response.text)


def csrf_of(html):
    found = CSRF.search(html)
    return found and found.group(1)


def portal_round(run, session, token, rng, tickets):
    """/my/tickets, a ticket, (the preview), a new ticket, (a priority change)."""
    url = run.url
    run.pause(rng)
    page = run.timed(
        "portal: /my/tickets", lambda: session.get(url + "/my/tickets", timeout=TIMEOUT)
    )
    token = (page is not None and csrf_of(page.text)) or token
    ticket = rng.choice(tickets)
    run.pause(rng)
    run.timed(
        "portal: ticket page",
        lambda: session.get(f"{url}/my/ticket/{ticket}", timeout=TIMEOUT),
    )
    levels = {"impact": rng.choice(LEVELS), "urgency": rng.choice(LEVELS)}
    if run.with_sla:
        run.pause(rng)
        run.timed(
            "portal: preview (SLA)", lambda: rpc(session, run, "/support_sla/preview", levels)
        )
    run.pause(rng)
    form = {
        "csrf_token": token,
        "subject": f"Portal request {next(run.counter)}",
        "description": "The invoice report shows no totals since this morning.",
        **(levels if run.with_sla else {}),
    }
    run.timed(
        "portal: submit a ticket",
        lambda: session.post(
            url + "/submitted/ticket", data=form, allow_redirects=False, timeout=TIMEOUT
        ),
    )
    if run.with_sla:
        run.pause(rng)
        change = {"csrf_token": token, "priority": rng.choice("0123"), "reason": "Month end."}
        run.timed(
            "portal: change priority (SLA)",
            lambda: session.post(
                f"{url}/my/ticket/{ticket}/priority",
                data=change,
                allow_redirects=False,
                timeout=TIMEOUT,
            ),
        )
    return token


# -- agents -----------------------------------------------------------------------------


def agent(run, number):
    rng = random.Random(1000 + number)
    login = run.plan["agents"][number % len(run.plan["agents"])]
    session = requests.Session()
    params = {"db": run.db, "login": login, "password": run.plan["password"]}
    if (
        run.timed("agent: log in", lambda: rpc(session, run, "/web/session/authenticate", params))
        is None
    ):
        return
    specs = agent_view_specs(run, session)
    # Each agent escalates and brings back its own tickets: no two agents on one ticket.
    mine = run.plan["open_tickets"][number :: len(run.plan["agents"])][:200]
    while run.running():
        agent_round(run, session, rng, specs, mine)


def agent_view_specs(run, session):
    """What the list and the form read, as the web client asks for them: each
    view's own fields (``get_views`` of several views gives their union)."""
    specs = {}
    for view_type in ("list", "form"):
        answer = call_kw(
            session, run, "helpdesk.ticket", "get_views", [], {"views": [[False, view_type]]}
        ).json()["result"]
        specs[view_type] = read_spec(answer["models"]["helpdesk.ticket"]["fields"])
    return specs


def agent_round(run, session, rng, specs, mine):
    """The ticket list, a form, a reply, (an escalation or its return)."""
    context = {"lang": "en_US", "tz": "Europe/Paris"}
    list_kwargs = {
        "domain": [["stage_id.closed", "=", False]],
        "specification": specs["list"],
        "offset": 0,
        "limit": 80,
        "order": "",
        "count_limit": 10001,
        "context": context,
    }
    run.pause(rng)
    run.timed(
        "agent: ticket list (80)",
        lambda: call_kw(session, run, "helpdesk.ticket", "web_search_read", [], list_kwargs),
    )
    ticket = rng.choice(mine)
    run.pause(rng)
    run.timed(
        "agent: open a form",
        lambda: call_kw(
            session,
            run,
            "helpdesk.ticket",
            "web_read",
            [[ticket]],
            {"specification": specs["form"], "context": context},
        ),
    )
    run.pause(rng)
    reply = {
        "body": "We are looking into it and come back to you within the hour.",
        "message_type": "comment",
        "subtype_xmlid": "mail.mt_comment",
        "context": context,
    }
    run.timed(
        "agent: post a reply",
        lambda: call_kw(session, run, "helpdesk.ticket", "message_post", [[ticket]], reply),
    )
    if run.plan["escalation_reasons"]:
        run.pause(rng)
        run.timed("agent: escalate (SLA, 3 calls)", lambda: escalate(run, session, ticket, context))


def escalate(run, session, ticket, context):
    """As the form's button and its wizard do: the action, the wizard saved, confirmed.
    A ticket at Level 2 goes back to Level 1 (the same path, its own reason)."""
    answer = rpc(
        session,
        run,
        "/web/dataset/call_button",
        {
            "model": "helpdesk.ticket",
            "method": "action_open_escalate_wizard",
            "args": [[ticket]],
            "kwargs": {"context": context},
        },
    )
    if outcome_error(answer):
        return answer
    wizard_context = {**context, **answer.json()["result"]["context"]}
    reason = run.plan["escalation_reasons"][wizard_context["default_to_level"]]
    saved = call_kw(
        session,
        run,
        "support.escalate.wizard",
        "web_save",
        [[], {"reason_id": reason, "note": "Needs the product team."}],
        {"specification": {}, "context": wizard_context},
    )
    if outcome_error(saved):
        return saved
    wizard = saved.json()["result"][0]["id"]
    return rpc(
        session,
        run,
        "/web/dataset/call_button",
        {
            "model": "support.escalate.wizard",
            "method": "action_confirm",
            "args": [[wizard]],
            "kwargs": {"context": wizard_context},
        },
    )


# -- e-mail -----------------------------------------------------------------------------


def mail_gateway(run, number):
    """New tickets by e-mail, handed over as odoo-mailgate does (XML-RPC message_process)."""
    rng = random.Random(2000 + number)
    proxy = xmlrpc.client.ServerProxy(run.url + "/xmlrpc/2/object", allow_none=True)
    logins = sorted(run.plan["customers"])
    admin, password = run.plan["admin_uid"], run.plan["password"]
    while run.running():
        run.pause(rng)
        message = EmailMessage()
        message["From"] = f"Contact <{rng.choice(logins)}>"
        message["To"] = run.plan["alias"]
        message["Subject"] = f"Mailed request {next(run.counter)}"
        message["Message-Id"] = make_msgid(domain="customer.example.com")
        message.set_content("Our users cannot sign in since the update.\n")
        raw = xmlrpc.client.Binary(message.as_bytes())
        run.timed(
            "e-mail: message_process",
            lambda raw=raw: proxy.execute_kw(
                run.db, admin, password, "mail.thread", "message_process", [False, raw], {}
            ),
        )
