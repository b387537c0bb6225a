"""Benchmark: SLA deadlines per second, and the ratio against Odoo's plan_hours.

    python3 bench/engine.py                  # engine alone
    python3 bench/engine.py --odoo-db NAME   # also plan_hours, in the same run

The realistic mix: requests spread over 2025-2026 at any hour, targets from
15 minutes to 2 weeks of business time (log-uniform), customers in three time
zones, Monday-Friday 08:00-17:00, 15 public holidays a year.

With ``--odoo-db`` (Odoo importable, PostgreSQL reachable) the database is created
with the ``resource`` addon if it does not exist; the calendars and holidays of
the run are created in a transaction that is rolled back. Figures are printed,
never asserted.
"""

import argparse
import math
import random
import subprocess
import sys
import time
import types
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if "support_sla" not in sys.modules:
    # The engine without the addon's Odoo models (see tests/conftest.py).
    _package = types.ModuleType("support_sla")
    _package.__path__ = [str(ROOT / "support_sla")]
    sys.modules["support_sla"] = _package

from support_sla.engine import Schedule, deadline_with_pauses

ZONES = ("Europe/Paris", "America/New_York", "Asia/Tokyo")
HOLIDAYS_PER_YEAR = 15
YEARS = (2025, 2026, 2027)  # 2027: deadlines of late-2026 requests land there


def holidays_for(rng):
    """15 distinct weekdays a year, as public holidays."""
    days = []
    for year in YEARS:
        picked = set()
        while len(picked) < HOLIDAYS_PER_YEAR:
            day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
            if day.weekday() < 5:
                picked.add(day)
        days.extend(sorted(picked))
    return days


def make_cases(count, seed=2025):
    rng = random.Random(seed)
    holidays = {tz: holidays_for(rng) for tz in ZONES}
    first = datetime(2025, 1, 1, tzinfo=timezone.utc)
    span = 730 * 86400
    low, high = math.log(15), math.log(14 * 24 * 60)
    cases = [
        (
            rng.choice(ZONES),
            first + timedelta(seconds=rng.randrange(span)),
            round(math.exp(rng.uniform(low, high))),
        )
        for _n in range(count)
    ]
    return cases, holidays


def engine_schedules(holidays):
    windows = [(weekday, 8, 17) for weekday in range(5)]
    return {tz: Schedule(windows, tz, holidays[tz]) for tz in ZONES}


def run_engine(schedules, cases):
    """Seconds to compute every case, grouped by schedule as the models do.

    Each deadline is the call the models make for a clock (``deadline_with_pauses``).
    """
    by_zone = {tz: [] for tz in ZONES}
    for tz, start, minutes in cases:
        by_zone[tz].append((start, minutes))
    began = time.perf_counter()
    results = {
        tz: [deadline_with_pauses(schedules[tz], start, minutes) for start, minutes in items]
        for tz, items in by_zone.items()
    }
    return time.perf_counter() - began, results


def run_odoo(db, cases, holidays, db_args):
    import odoo
    from odoo import SUPERUSER_ID, api

    check = subprocess.run(
        ["psql", *db_args["psql"], "-lqt"], capture_output=True, text=True, check=False
    )
    if db not in {line.split("|")[0].strip() for line in check.stdout.splitlines()}:
        print(f"creating database {db} with the resource addon ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "odoo", "-d", db, *db_args["odoo"], "-i", "resource",
             "--without-demo=all", "--stop-after-init", "--log-level=warn"],
            check=True,
        )  # fmt: skip
    odoo.tools.config.parse_config(["-d", db, *db_args["odoo"]])
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        calendars = {}
        for tz in ZONES:
            calendar = env["resource.calendar"].create(
                {
                    "name": f"Bench {tz}",
                    "tz": tz,
                    "attendance_ids": [(5, 0, 0)]
                    + [
                        (0, 0, {"name": f"d{d}", "dayofweek": str(d), "hour_from": 8,
                                "hour_to": 17, "day_period": "morning"})
                        for d in range(5)
                    ],
                }
            )  # fmt: skip
            env["resource.calendar.leaves"].create(
                [_leave_values(calendar, day) for day in holidays[tz]]
            )
            calendars[tz] = calendar
        env.flush_all()
        began = time.perf_counter()
        results = [
            calendars[tz].plan_hours(minutes / 60, start, compute_leaves=True)
            for tz, start, minutes in cases
        ]
        elapsed = time.perf_counter() - began
        cr.rollback()
    return elapsed, results


def _leave_values(calendar, day):
    import pytz

    zone = pytz.timezone(calendar.tz)
    start = zone.localize(datetime(day.year, day.month, day.day))
    end = zone.localize(datetime(day.year, day.month, day.day, 23, 59, 59))
    return {
        "name": f"Holiday {day}",
        "calendar_id": calendar.id,
        "date_from": start.astimezone(pytz.utc).replace(tzinfo=None),
        "date_to": end.astimezone(pytz.utc).replace(tzinfo=None),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200_000, help="engine cases")
    parser.add_argument("--odoo-db", help="database for the plan_hours comparison")
    parser.add_argument("--odoo-cases", type=int, default=2_000, help="plan_hours cases")
    parser.add_argument("--db-host", default="127.0.0.1")
    parser.add_argument("--db-user", default="odoo")
    parser.add_argument("--db-password", default="odoo")
    args = parser.parse_args()

    cases, holidays = make_cases(args.cases)
    schedules = engine_schedules(holidays)
    cold, _results = run_engine(schedules, cases)
    warm, _results = run_engine(schedules, cases)
    out = sys.stdout.write
    out(f"engine: {len(cases)} deadlines, 3 time zones, 15 holidays/year\n")
    out(f"  first pass (builds yearly tables): {len(cases) / cold:12,.0f} deadlines/s\n")
    out(f"  steady state:                      {len(cases) / warm:12,.0f} deadlines/s\n")
    if not args.odoo_db:
        out("plan_hours: not measured (give --odoo-db NAME where Odoo is importable)\n")
        return
    sample = cases[: args.odoo_cases]
    db_args = {
        "odoo": ["--db_host", args.db_host, "--db_user", args.db_user,
                 "--db_password", args.db_password],
        "psql": ["-h", args.db_host, "-U", args.db_user],
    }  # fmt: skip
    odoo_time, odoo_results = run_odoo(args.odoo_db, sample, holidays, db_args)
    engine_time, engine_results = run_engine(engine_schedules(holidays), sample)
    ours = iter_results(sample, engine_results)
    differ = sum(
        1
        for mine, theirs in zip(ours, odoo_results, strict=True)
        if not theirs or abs((mine - theirs).total_seconds()) > 1
    )
    odoo_rate = len(sample) / odoo_time
    same_rate = len(sample) / engine_time
    out(f"plan_hours (compute_leaves=True) on {len(sample)} of the same cases:\n")
    out(f"  plan_hours:                        {odoo_rate:12,.0f} deadlines/s\n")
    out(f"  engine, same cases, cold tables:   {same_rate:12,.0f} deadlines/s\n")
    out(f"  ratio engine steady / plan_hours:  {len(cases) / warm / odoo_rate:12,.0f} x\n")
    out(f"  ratio engine cold / plan_hours:    {same_rate / odoo_rate:12,.0f} x\n")
    out(f"  results differing by more than 1 s: {differ}\n")


def iter_results(sample, results_by_zone):
    """Engine results back in the order of ``sample``."""
    positions = dict.fromkeys(ZONES, 0)
    for tz, _start, _minutes in sample:
        yield results_by_zone[tz][positions[tz]]
        positions[tz] += 1


if __name__ == "__main__":
    main()
