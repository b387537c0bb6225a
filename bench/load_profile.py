"""The shared requests of bench/load.py replayed in one process, without the load: per
request type, the SQL queries and the CPU time of the server's work, on helpdesk_mgmt alone,
with the OCA modules the escalation requires (no SLA addon) and with the SLA addons. To find
where the addons' time goes, not to measure latency.

    python3 bench/load_profile.py                       # 4,000 tickets, 15 rounds
    python3 bench/load_profile.py --profile "agent: ticket list (80)"

The three databases are made as bench/load.py makes them (``--keep`` keeps them). Each side
runs in its own process, through Odoo's WSGI application as the load test's users call it:
the portal over HTTP (signed in), the agents over JSON-RPC, the mail gateway over XML-RPC.
A first round warms the caches and is not counted. CPU time is ``time.process_time`` of
the process (e-mails go to a sink in another process); ``--profile KIND`` prints cProfile's
top entries for that request type.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xmlrpc.client
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from load_users import CSRF
from retime import drop_database, odoo_args, odoo_locations, read_spec

HERE = Path(__file__).resolve().parent
SLA_MODULES = ("support_sla", "support_sla_escalation")
# helpdesk_mgmt alone; the OCA modules the escalation requires, without the SLA addons
# (bench/load.py's --base side); and the addons.
SIDES = (
    ("without", "helpdesk_mgmt"),
    ("base", "helpdesk_mgmt_timesheet_sale"),
    ("with", "support_sla_escalation"),
)
SINK = (
    "import sys; sys.path.insert(0, sys.argv[1]); import load_server; "
    "s = load_server.SmtpSink(); print(s.port, flush=True); s.serve_forever()"
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--tickets", type=int, default=4000)
    add("--customers", type=int, default=50)
    add("--agents", type=int, default=4)
    add("--rounds", type=int, default=15, help="requests of each type counted")
    add("--profile", help="a request type to profile, e.g. 'portal: /my/tickets'")
    add("--lines", type=int, default=40, help="cProfile entries printed")
    add(
        "--by-module",
        action="store_true",
        help="then, with the addons, the list and the form read with the fields of each "
        "group of modules added in turn (helpdesk_mgmt's, the modules the escalation "
        "requires, support_sla, support_sla_escalation)",
    )
    add("--keep", action="store_true", help="keep the databases")
    add("--prefix", default="sla_load_profile")
    add("--odoo-root")
    add("--extra-addons")
    add("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    add("--db-port", type=int, default=int(os.environ.get("PGPORT", "5432")))
    add("--db-user", default=os.environ.get("PGUSER", "odoo"))
    add("--db-password", default=os.environ.get("PGPASSWORD", "odoo"))
    add("--http-port", type=int, default=8069, help="only for installing the modules")
    add("--replay", nargs=2, metavar=("DB", "PLAN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    root, extra = odoo_locations()
    args.odoo_root = args.odoo_root or root
    args.extra_addons = args.extra_addons if args.extra_addons is not None else extra
    args.template = None
    return args


class Replay:
    """The load test's users, one of each, on ``db`` in this process."""

    def __init__(self, args, db, plan):
        from werkzeug.test import Client

        import odoo

        odoo.modules.registry.Registry(db)
        root = odoo.http.root

        def app(environ, start_response):
            environ.setdefault("REMOTE_ADDR", "127.0.0.1")
            return root(environ, start_response)

        self.args, self.db, self.plan = args, db, plan
        self.portal, self.agent, self.mailer = (Client(app, use_cookies=True) for _ in "pam")
        self.rng = random.Random(1)
        self.count = iter(range(1, 10**9))
        self.results, self.profiles = {}, []
        self.context = {"lang": "en_US", "tz": "Europe/Paris"}

    def timed(self, kind, call):
        profile = cProfile.Profile() if kind == self.args.profile else None
        began = time.process_time()
        if profile:
            profile.enable()
        response = call()
        if profile:
            profile.disable()
            self.profiles.append(profile)
        seconds = time.process_time() - began
        text = response.get_data(as_text=True)
        failed = '"error"' in text[:200] if text.startswith('{"jsonrpc"') else "<fault>" in text
        if response.status_code >= 400 or failed:
            raise RuntimeError(f"{kind}: {response.status_code} {text[:500]}")
        queries = threading.current_thread().query_count
        self.results.setdefault(kind, []).append((seconds, queries))
        return text

    def rpc(self, client, path, params):
        payload = {"jsonrpc": "2.0", "method": "call", "id": next(self.count), "params": params}
        return client.post(path, json=payload)

    def call_kw(self, model, method, args, kwargs):
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs}
        return self.rpc(self.agent, f"/web/dataset/call_kw/{model}/{method}", params)

    def sign_in(self):
        plan = self.plan
        self.login = min(plan["customers"])
        token = CSRF.search(self.portal.get("/web/login").get_data(as_text=True)).group(1)
        data = {"login": self.login, "password": plan["password"], "csrf_token": token}
        self.portal.post("/web/login", data={**data, "redirect": "/my/tickets"})
        self.token = token
        credentials = {"db": self.db, "login": plan["agents"][0], "password": plan["password"]}
        self.rpc(self.agent, "/web/session/authenticate", credentials)
        self.specs = {}
        for view_type in ("list", "form"):
            views = self.call_kw(
                "helpdesk.ticket", "get_views", [], {"views": [[False, view_type]]}
            )
            models = json.loads(views.get_data(as_text=True))["result"]["models"]
            self.specs[view_type] = read_spec(models["helpdesk.ticket"]["fields"])

    def round(self, with_sla):
        plan, rng = self.plan, self.rng
        page = self.timed("portal: /my/tickets", lambda: self.portal.get("/my/tickets"))
        found = CSRF.search(page)
        self.token = found.group(1) if found else self.token
        ticket = rng.choice(plan["customers"][self.login])
        self.timed("portal: ticket page", lambda: self.portal.get(f"/my/ticket/{ticket}"))
        form = {
            "csrf_token": self.token,
            "subject": f"Portal request {next(self.count)}",
            "description": "The invoice report shows no totals since this morning.",
            **({"impact": "medium", "urgency": "high"} if with_sla else {}),
        }
        self.timed(
            "portal: submit a ticket", lambda: self.portal.post("/submitted/ticket", data=form)
        )
        listing = {
            "domain": [["stage_id.closed", "=", False]],
            "specification": self.specs["list"],
            "offset": 0,
            "limit": 80,
            "order": "",
            "count_limit": 10001,
            "context": self.context,
        }
        self.timed(
            "agent: ticket list (80)",
            lambda: self.call_kw("helpdesk.ticket", "web_search_read", [], listing),
        )
        ticket = rng.choice(plan["open_tickets"][:: len(plan["agents"])][:200])
        read = {"specification": self.specs["form"], "context": self.context}
        self.timed(
            "agent: open a form",
            lambda: self.call_kw("helpdesk.ticket", "web_read", [[ticket]], read),
        )
        reply = {
            "body": "We are looking into it and come back to you within the hour.",
            "message_type": "comment",
            "subtype_xmlid": "mail.mt_comment",
            "context": self.context,
        }
        self.timed(
            "agent: post a reply",
            lambda: self.call_kw("helpdesk.ticket", "message_post", [[ticket]], reply),
        )
        self.timed("e-mail: message_process", lambda: self.mailer.post(
            "/xmlrpc/2/object", data=self.email(), content_type="text/xml"
        ))  # fmt: skip

    def email(self):
        plan = self.plan
        message = EmailMessage()
        message["From"] = f"Contact <{self.rng.choice(sorted(plan['customers']))}>"
        message["To"] = plan["alias"]
        message["Subject"] = f"Mailed request {next(self.count)}"
        message["Message-Id"] = make_msgid(domain="customer.example.com")
        message.set_content("Our users cannot sign in since the update.\n")
        raw = xmlrpc.client.Binary(message.as_bytes())
        params = (self.db, plan["admin_uid"], plan["password"], "mail.thread", "message_process")
        return xmlrpc.client.dumps((*params, [False, raw], {}), "execute_kw", allow_none=True)


def views_by_module(db, plan, rounds):
    """The list of 80 and a form read as an agent with the view's fields of helpdesk_mgmt
    and the modules it depends on, then adding those of the modules the escalation
    requires, of support_sla and of support_sla_escalation: ``{view: [[group, fields,
    median CPU ms]]}``. What each group of modules adds to the same read."""
    import odoo

    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        agent = env["res.users"].search([("login", "=", plan["agents"][0])])
        # helpdesk_mgmt and what it depends on: the modules of the side without the addons.
        upstream, todo = {"helpdesk_mgmt"}, ["helpdesk_mgmt"]
        while todo:
            modules = env["ir.module.module"].search([("name", "in", todo)])
            todo = [name for name in modules.dependencies_id.mapped("name") if name not in upstream]
            upstream.update(todo)
        env = env(
            user=agent.id, context={"lang": "en_US", "allowed_company_ids": agent.company_ids.ids}
        )
        tickets = env["helpdesk.ticket"]
        # A field is of every module that defines it (helpdesk_mgmt's priority, which
        # support_sla redefines, is read on the side without the addons too).
        groups = (
            ("helpdesk_mgmt", lambda modules: bool(upstream & modules)),
            ("+ what the escalation requires", lambda modules: bool(modules - {*SLA_MODULES})),
            ("+ support_sla", lambda modules: "support_sla" in modules),
            ("+ support_sla_escalation", lambda modules: True),
        )
        domain = [("stage_id.closed", "=", False)]
        open_ids = plan["open_tickets"][:rounds]
        reads = {
            "list": lambda spec, n: tickets.web_search_read(domain, spec, limit=80),
            "form": lambda spec, n: tickets.browse(open_ids[n % len(open_ids)]).web_read(spec),
        }
        result = {}
        for view_type, read in reads.items():
            spec = read_spec(
                tickets.get_views([(False, view_type)])["models"][tickets._name]["fields"]
            )
            chosen = {}
            result[view_type] = []
            for label, belongs in groups:
                chosen.update({
                    name: value for name, value in spec.items()
                    if belongs(set(tickets._fields[name]._modules))
                })  # fmt: skip
                read(dict(chosen), 0)  # warms the caches
                times = []
                for n in range(rounds):
                    env.invalidate_all()
                    began = time.process_time()
                    read(dict(chosen), n)
                    times.append((time.process_time() - began) * 1000)
                result[view_type].append([label, len(chosen), statistics.median(times)])
        cr.rollback()
    return result


def replay(args):
    """One side, in this process: ``{kind: [median CPU ms, median queries]}`` as JSON."""
    from odoo.tools import config

    db, plan_file = args.replay
    plan = json.loads(Path(plan_file).read_text())
    sink = subprocess.Popen(
        [sys.executable, "-c", SINK, str(HERE)], stdout=subprocess.PIPE, text=True
    )
    try:
        port = sink.stdout.readline().strip()
        config.parse_config([
            *odoo_args(args), "-d", db, "--db-filter", f"^{db}$", "--log-level=warn",
            "--smtp", "127.0.0.1", "--smtp-port", port,
        ])  # fmt: skip
        users = Replay(args, db, plan)
        users.sign_in()
        with_sla = bool(plan["escalation_reasons"])
        users.round(with_sla)  # warms the caches
        users.results = {}
        for _round in range(args.rounds):
            users.round(with_sla)
        by_module = views_by_module(db, plan, args.rounds) if args.by_module and with_sla else {}
    finally:
        sink.terminate()
    figures = {
        kind: [
            statistics.median(seconds for seconds, _queries in values) * 1000,
            statistics.median(queries for _seconds, queries in values),
        ]
        for kind, values in users.results.items()
    }
    if users.profiles:
        text = io.StringIO()
        stats = pstats.Stats(*users.profiles, stream=text)
        stats.sort_stats("cumulative").print_stats(args.lines)
        print(text.getvalue(), file=sys.stderr)
    print(json.dumps({"figures": figures, "by_module": by_module}))


def main():
    args = parse_args()
    if args.replay:
        return replay(args)
    import load

    from odoo.tools import config

    config.parse_config([*odoo_args(args), "--log-level=warn"])
    names = {side: f"{args.prefix}_{side}" for side, _module in SIDES}
    figures = {}
    by_module = {}
    try:
        for side, module in SIDES:
            plan = load.prepare(args, side, names[side], module)
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
                json.dump(plan, handle)
            command = [sys.executable, __file__, *sys.argv[1:], "--replay", names[side],
                       handle.name]  # fmt: skip
            answer = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
            os.unlink(handle.name)
            answer = json.loads(answer.stdout.strip().splitlines()[-1])
            figures[side] = answer["figures"]
            by_module = answer["by_module"] or by_module
    finally:
        if not args.keep:
            for name in names.values():
                drop_database(args, name)
    print(
        f"\n== median of {args.rounds} requests: CPU ms of the process, SQL queries; the CPU "
        "ratios of the addons to helpdesk_mgmt alone and to the modules they require"
    )
    print(f"   {'request':28} {'alone':>14} {'required':>14} {'with the addons':>18} "
          f"{'/ alone':>8} {'/ required':>10}")  # fmt: skip
    for kind in sorted(figures["without"]):
        alone, base, sla = (figures[side][kind] for side in ("without", "base", "with"))
        print(f"   {kind:28} {alone[0]:6.1f} ms {alone[1]:3.0f} q "
              f"{base[0]:6.1f} ms {base[1]:3.0f} q "
              f"{sla[0]:9.1f} ms {sla[1]:3.0f} q {sla[0] / alone[0]:7.2f}x "
              f"{sla[0] / base[0]:9.2f}x")  # fmt: skip
    for view_type, rows in by_module.items():
        print(f"\n== with the addons, the {view_type} read with the fields of each group of "
              f"modules in turn (CPU ms, median of {args.rounds})")  # fmt: skip
        first = rows[0][2]
        for label, count, milliseconds in rows:
            ratio = milliseconds / first
            print(f"   {label:32} {count:3} fields {milliseconds:7.1f} ms {ratio:6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
