"""Real Odoo servers for the benches (servers.py, load.py): how to start one, its processes,
their database sessions, JSON-RPC."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import retime


def odoo_command(odoo_root):
    """How to start an Odoo server: its ``odoo-bin``. In workers mode the server starts its
    websocket (gevent) process with its own ``sys.argv[0]``, which must then be a script,
    not ``python -m odoo``'s module file."""
    script = Path(odoo_root) / "odoo-bin"
    if script.is_file():
        return [sys.executable, str(script)]
    installed = shutil.which("odoo")
    return [installed] if installed else [sys.executable, "-m", "odoo"]


class Database:
    """An autocommit connection of the harness, outside Odoo's transactions."""

    def __init__(self, args, name):
        import psycopg2

        self.cnx = psycopg2.connect(
            dbname=name,
            host=args.db_host,
            port=args.db_port,
            user=args.db_user,
            password=args.db_password,
            application_name="bench-servers",
        )
        self.cnx.autocommit = True

    def rows(self, query, params=None):
        with self.cnx.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()

    def value(self, query, params=None):
        return self.rows(query, params)[0][0]

    def cron_id(self, xmlid):
        module, name = xmlid.split(".")
        return self.value(
            "SELECT res_id FROM ir_model_data WHERE module = %s AND name = %s", (module, name)
        )


class Server:
    """One Odoo server (master, HTTP, cron and gevent workers), its own process group."""

    def __init__(self, args, label, index):
        self.label = label
        self.port = args.http_port + index
        self.log = Path(args.logdir) / f"server-{label}.log"
        env = dict(
            os.environ,
            # Its sessions say which server and worker they come from.
            ODOO_PGAPPNAME=f"srv{label}-{{pid}}",
            ODOO_NOTIFY_CRON_CHANGES="1",
            # gevent's own deprecation notice, printed by each websocket process.
            PYTHONWARNINGS="ignore:pkg_resources is deprecated:UserWarning",
        )
        command = [
            *odoo_command(args.odoo_root), *retime.odoo_args(args), "-d", args.live_db,
            "--db-filter", f"^{args.live_db}$", "--workers", "2",
            "--max-cron-threads", str(args.cron_threads), "--http-port", str(self.port),
            "--gevent-port", str(args.gevent_port + index), "--limit-time-cpu", "600",
            "--limit-time-real", "1200", "--limit-time-real-cron", "600",
            "--logfile", str(self.log), "--log-level", "info",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, env=env, start_new_session=True)

    def wait_ready(self, timeout=180):
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"server {self.label} exited, see {self.log}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/web/health", timeout=5):
                    return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"server {self.label} not ready after {timeout} s, see {self.log}")

    def kill(self, sig=signal.SIGKILL):
        """``sig`` to the master and all its workers at once; whether any survived."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        import psutil

        for _attempt in range(50):  # a process being killed takes a moment to exit
            alive = [
                f"{p.pid} {p.info['status']} {' '.join(p.info['cmdline'] or [])[:80]}"
                for p in psutil.process_iter(["status", "cmdline"])
                if p.info["status"] != psutil.STATUS_ZOMBIE and _group(p.pid) == self.process.pid
            ]
            if not alive:
                break
            time.sleep(0.1)
        return alive

    def errors(self):
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return [line for line in text.splitlines() if " ERROR " in line or " CRITICAL " in line]


def _group(pid):
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def rpc(port, service, method, *params):
    payload = {"service": service, "method": method, "args": list(params)}
    body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": payload}
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/jsonrpc",
        json.dumps(body).encode(),
        {"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        data = json.load(response)
    if "error" in data:
        raise RuntimeError(data["error"].get("data", {}).get("message", data["error"]))
    return data["result"]
