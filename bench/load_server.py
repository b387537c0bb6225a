"""The server side of bench/load.py: ``odoo --workers`` on a database, the work queued for
its scheduled jobs, what they did, the errors it logged, and a sink for its e-mails."""

import signal
import socketserver
import subprocess
import threading
import time

import psycopg2
import requests
from load_users import TIMEOUT, call_kw, rpc
from odoo_processes import odoo_command
from retime import odoo_args

# Seconds between two wake-ups of the SLA check asked during the run (Odoo's cron workers
# see a trigger due later than now at their next poll, about once a minute).
CHECK_EVERY = 15


def start(args, db, smtp_port, log):
    """``odoo --workers`` serving ``db`` only, its cron workers on; returns when it answers."""
    command = [
        *odoo_command(args.odoo_root), "-d", db, "--db-filter", f"^{db}$", *odoo_args(args),
        "--workers", str(args.workers), "--max-cron-threads", str(args.cron_workers),
        "--http-port", str(args.http_port), "--gevent-port", str(args.gevent_port),
        "--smtp", "127.0.0.1", "--smtp-port", str(smtp_port),
        "--logfile", str(log), "--log-handler", "werkzeug:WARNING",
    ]  # fmt: skip
    # What the server's processes print outside its log (its gevent process's start-up).
    with open(log.with_suffix(".out"), "wb") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{args.http_port}/web/login"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"odoo exited ({server.returncode}): see {log}")
        try:
            if requests.get(url, timeout=10).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(1)
    stop(server)
    raise RuntimeError(f"odoo did not answer on {url} within 3 minutes: see {log}")


def stop(server):
    """Stop the server as an operator does: gracefully, then forcibly."""
    for sent in (signal.SIGTERM, signal.SIGINT, signal.SIGKILL):
        if server.poll() is not None:
            return
        server.send_signal(sent)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            continue


def log_errors(log):
    """The ERROR and CRITICAL lines the server logged, and a line for the tracebacks its
    processes printed outside the log (e.g. a gevent process that cannot start).

    A query refused by PostgreSQL for a concurrent update is logged by Odoo as an error
    before Odoo runs the request again (``SERIALIZATION_FAILURE, N tries left``): counted
    apart, as ``retried``. A request that fails all its tries is an error of the request
    itself, counted by the users."""
    lines, retried = [], 0
    if log.exists():
        with open(log, errors="replace") as handle:
            logged = [line.rstrip() for line in handle]
        for index, line in enumerate(logged):
            if " ERROR " not in line and " CRITICAL " not in line:
                continue
            following = " ".join(logged[index + 1 : index + 3])
            if "odoo.sql_db: bad query" in line and "could not serialize access" in following:
                retried += 1
            else:
                lines.append(line)
    output = log.with_suffix(".out")
    printed = output.read_text(errors="replace").count("Traceback") if output.exists() else 0
    if printed:
        lines.append(f"{printed} traceback(s) printed outside the log: see {output}")
    return lines, retried


def connect(args, db):
    return psycopg2.connect(
        host=args.db_host, port=args.db_port, user=args.db_user, password=args.db_password,
        dbname=db,
    )  # fmt: skip


def cron_id(cr, xmlid):
    module, name = xmlid.split(".")
    cr.execute(
        "SELECT res_id FROM ir_model_data WHERE module = %s AND name = %s AND model = 'ir.cron'",
        (module, name),
    )
    return cr.fetchone()[0]


def queue_sla_work(args, db, window, due):
    """Running response clocks of ``due`` open tickets fall due one after the other over
    the next ``window`` seconds (each warning a minute before), and the SLA check is
    woken every CHECK_EVERY seconds, as the clocks' own triggers would."""
    connection = connect(args, db)
    with connection, connection.cursor() as cr:
        cr.execute(
            """
            WITH picked AS (
                SELECT id, row_number() OVER (ORDER BY id) AS k
                  FROM helpdesk_ticket
                 WHERE sla_response_status = 'running'
                 ORDER BY id LIMIT %(due)s
            )
            UPDATE helpdesk_ticket t
               SET sla_response_deadline = now() at time zone 'UTC'
                       + picked.k * %(step)s * interval '1 second',
                   sla_response_warning_date = now() at time zone 'UTC'
                       + picked.k * %(step)s * interval '1 second' - interval '1 minute',
                   sla_response_warned = FALSE
              FROM picked WHERE t.id = picked.id
            """,
            {"due": due, "step": (window + 30) / max(due, 1)},
        )
        cr.execute(
            """
            INSERT INTO ir_cron_trigger (cron_id, call_at)
            SELECT %s, now() at time zone 'UTC' + s * interval '1 second'
              FROM generate_series(0, %s, %s) AS s
            """,
            (cron_id(cr, "support_sla.ir_cron_sla_check"), window + 30, CHECK_EVERY),
        )
    connection.close()


def sla_counts(args, db):
    """Breached and warned response clocks, tickets queued for re-timing, now."""
    connection = connect(args, db)
    with connection, connection.cursor() as cr:
        cr.execute(
            """
            SELECT count(*) FILTER (WHERE sla_response_status = 'breached'),
                   count(*) FILTER (WHERE sla_response_warned),
                   (SELECT count(*) FROM support_sla_retime_queue),
                   now() at time zone 'UTC'
              FROM helpdesk_ticket
            """
        )
        counts = cr.fetchone()
    connection.close()
    return counts


def sla_jobs(args, db, before):
    """What the SLA check and the re-timing did during the run, in words."""
    breached, warned, queued, _at = sla_counts(args, db)
    connection = connect(args, db)
    with connection, connection.cursor() as cr:
        runs = {}
        for name in ("ir_cron_sla_check", "ir_cron_sla_retime"):
            cr.execute(
                "SELECT lastcall >= %s FROM ir_cron WHERE id = %s",
                (before[3], cron_id(cr, f"support_sla.{name}")),
            )
            runs[name] = "ran" if cr.fetchone()[0] else "did NOT run"
    connection.close()
    return (
        f"SLA check {runs['ir_cron_sla_check']} ({breached - before[0]} breaches marked, "
        f"{warned - before[1]} warnings); re-timing {runs['ir_cron_sla_retime']} "
        f"({queued} tickets still queued at the end)"
    )


def change_target(run, _number=0):
    """A manager changes the Standard tier's P3 response target a third into the run:
    the open tickets it applies to are queued for the re-timing job. The manager signs in
    at the start, as the agents do (the first sign-in of the database's administrator
    makes Odoo clear every worker's caches: it fell in the measured time)."""
    session = requests.Session()
    params = {"db": run.db, "login": "admin", "password": run.plan["password"]}
    rpc(session, run, "/web/session/authenticate", params)
    time.sleep(max(run.measure_from + (run.stop_at - run.measure_from) / 3 - time.monotonic(), 0))
    target = run.plan["target_id"]
    read = call_kw(session, run, "support.tier.target", "read", [[target], ["response_minutes"]])
    minutes = read.json()["result"][0]["response_minutes"]
    run.timed(
        "manager: change a tier target (SLA)",
        lambda: call_kw(
            session,
            run,
            "support.tier.target",
            "write",
            [[target], {"response_minutes": minutes + 30}],
        ),
    )


class SmtpSink(socketserver.ThreadingTCPServer):
    """Accepts every e-mail and counts it, so that the servers send as in production."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SmtpHandler)
        self.port = self.server_address[1]
        self.messages = 0
        self.lock = threading.Lock()


class SmtpHandler(socketserver.StreamRequestHandler):
    timeout = TIMEOUT

    def reply(self, text):
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self):
        self.reply("220 sink ESMTP")
        in_data = False
        for line in self.rfile:
            if in_data:
                if line.rstrip(b"\r\n") == b".":
                    in_data = False
                    with self.server.lock:
                        self.server.messages += 1
                    self.reply("250 queued")
                continue
            verb = line[:4].upper()
            if verb == b"DATA":
                in_data = True
                self.reply("354 go on")
            elif verb == b"QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")
