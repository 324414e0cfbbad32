#!/usr/bin/env python
"""Task list benchmark: the customer's task list and the staff queue over 100,000 tasks.

    .venv/bin/python bench/tasks.py                        # both databases, defaults (100k tasks)
    .venv/bin/python bench/tasks.py --database postgresql --explain

For each database it creates a fresh one (a temporary SQLite file, or a new PostgreSQL database
``opsportal_bench_<random>`` that is dropped at the end), migrates it with Alembic, bulk-loads the
tasks with SQLAlchemy Core ``insert()`` executemany (one transaction), runs ANALYZE, and then
measures through the real services:

* ``tasks.list_tasks`` for the big organization (most of the tasks): the open tab with the default
  sort, the closed tab, a search, a category filter, and a late page of the closed tab;
* ``agent_work.queue`` for staff: the open queue of every organization, and an agent's own tasks.

Every figure is printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, insert, text  # noqa: E402

from bench.common import (  # noqa: E402
    add_database_options,
    database_kinds,
    load_average,
    measure_interleaved,
    scratch_database,
    server_version,
)
from opsportal import db as app_db  # noqa: E402
from opsportal.domain.roles import Role  # noqa: E402
from opsportal.domain.tasks import CATEGORIES  # noqa: E402
from opsportal.migrations import upgrade  # noqa: E402
from opsportal.models import Organization, Ticket, User  # noqa: E402
from opsportal.services import agent_work, tasks  # noqa: E402
from opsportal.services.authz import Actor  # noqa: E402

DAY = 86_400.0
BIG_ORG = 1
AGENTS = 12
SUBJECTS = (
    "Printer on floor {n} offline", "VPN disconnects every hour", "Wi-Fi drops at store {n}",
    "New starter account for {name}", "Leaver: disable account of {name}", "Password reset for {name}",
    "Laptop will not start for {name}", "Outlook crashes on start-up", "Restore a deleted folder",
    "Backup job failed on SRV{n}", "Disk space low on SRV{n}", "Firewall rule for the new ERP",
    "Phishing e-mail reported by {name}", "Teams camera not working", "Second monitor not detected",
    "SharePoint permissions for project {n}", "Certificate expires on the web portal", "Slow internet at branch {n}",
    "Set up a new iPhone for {name}", "Mail stuck in the outbox", "Switch port flapping in rack {n}",
    "Azure cost alert", "Quote for {n} new laptops", "MFA reset for {name}",
)
NAMES = ("Priya", "Jonas", "Maria", "Tom", "Aisha", "Lukas", "Chen", "Sofia", "Omar", "Elena", "Ravi", "Nina")
OPEN = ("open", "in_progress", "waiting_on_customer")
PRIORITIES = ("low", "normal", "normal", "normal", "high", "urgent")
TICKET_COLS = ("id", "organization_id", "title", "category", "status", "priority", "description",
               "created_by_user_id", "assigned_agent_id", "minutes_logged", "created_at", "updated_at", "closed_at")


# --------------------------------------------------------------------------------------------- data


def generate(args: argparse.Namespace, now: datetime) -> dict[str, list[dict]]:
    rng = random.Random(args.seed)
    orgs = [{"id": i, "name": n, "name_key": n.casefold(), "parent_id": None, "created_at": now - timedelta(days=1500)}
            for i, n in enumerate(["Bench Big Org"] + [f"Bench Customer {k:04d}" for k in range(2, args.orgs + 1)],
                                  start=1)]
    users = [{"id": i, "email": f"agent{i}@opsportal.example", "email_key": f"agent{i}@opsportal.example",
              "full_name": f"Agent {i:02d}", "password_hash": None, "role": "agent", "organization_id": None,
              "is_active": True, "failed_logins": 0, "created_at": now - timedelta(days=1500)}
             for i in range(1, AGENTS + 1)]
    big = int(args.tasks * args.big_share)
    # The other organizations' tasks: log-normal weights, so a few are busy and most are quiet.
    weights = [rng.lognormvariate(0, 1) for _ in range(args.orgs - 1)]
    total_weight = sum(weights)
    owners = [BIG_ORG] * big
    for org_id, w in enumerate(weights, start=2):
        owners += [org_id] * int((args.tasks - big) * w / total_weight)
    while len(owners) < args.tasks:
        owners.append(rng.randint(2, args.orgs))
    span = 3 * 365 * DAY
    created = sorted(now - timedelta(seconds=span * rng.random() ** 0.8) for _ in range(args.tasks))
    rng.shuffle(owners)
    tickets = []
    for tid, (org_id, at) in enumerate(zip(owners, created, strict=True), start=1):
        age = (now - at).total_seconds() / DAY
        p_open = 0.6 if age < 7 else 0.25 if age < 30 else 0.05 if age < 120 else 0.005
        if rng.random() < p_open:
            status = rng.choice(OPEN)
            updated = at + timedelta(seconds=rng.uniform(0, min(age, 10) * DAY))
            closed = None
        else:
            status = "closed" if rng.random() < 0.85 else "resolved"
            updated = at + timedelta(seconds=rng.uniform(0.02, min(age, 20)) * DAY)
            closed = updated
        agent = None if status == "open" and rng.random() < 0.6 else rng.randint(1, AGENTS)
        title = rng.choice(SUBJECTS).format(n=rng.randint(1, 60), name=rng.choice(NAMES))
        tickets.append({
            "id": tid, "organization_id": org_id, "title": title, "category": rng.choice(CATEGORIES),
            "status": status, "priority": rng.choice(PRIORITIES),
            "description": f"{title}. Reported by the customer; details in the conversation.",
            "created_by_user_id": None, "assigned_agent_id": agent,
            "minutes_logged": 0 if status == "open" else rng.choice((0, 15, 30, 45, 60, 90, 120, 240)),
            "created_at": at, "updated_at": min(updated, now), "closed_at": closed,
        })
    return {"organization": orgs, "user_account": users, "ticket": tickets}


# ------------------------------------------------------------------------------------------ loading


def load(url: str, rows: dict[str, list[dict]], batch: int = 10_000) -> None:
    """SQLAlchemy Core insert() executemany, one transaction (psycopg pipelines it on PostgreSQL)."""
    engine = create_engine(url)
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _fast(dbapi_conn, _record):  # the load only: the measurements use the app's engine
            dbapi_conn.execute("PRAGMA synchronous=OFF")
    tables = {"organization": Organization.__table__, "user_account": User.__table__, "ticket": Ticket.__table__}
    try:
        with engine.begin() as conn:
            for name in ("organization", "user_account", "ticket"):
                data = rows[name]
                for start in range(0, len(data), batch):
                    conn.execute(insert(tables[name]), data[start:start + batch])
            if conn.dialect.name == "postgresql":
                for name in tables:  # explicit ids were loaded: move the sequences past them
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                      f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"))
    finally:
        engine.dispose()


def analyze(url: str) -> None:
    engine = app_db.get_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()


# ---------------------------------------------------------------------------------------- measuring








def calls(big_total_closed_pages: int) -> dict:
    customer = Actor(user_id=10_000, role=Role.owner, organization_id=BIG_ORG, session_id="bench",
                     email="owner@big.example", full_name="Big Owner")
    staff = Actor(user_id=1, role=Role.agent, organization_id=None, session_id="bench",
                  email="agent1@opsportal.example", full_name="Agent 01")
    late = max(1, big_total_closed_pages * 3 // 4)
    return {
        "list_tasks  open tab, default sort": lambda: tasks.list_tasks(customer, BIG_ORG),
        "list_tasks  closed tab": lambda: tasks.list_tasks(customer, BIG_ORG, tab="closed"),
        'list_tasks  search "printer" (all tabs)': lambda: tasks.list_tasks(customer, BIG_ORG, tab="all",
                                                                           search="printer"),
        "list_tasks  category Networking (closed)": lambda: tasks.list_tasks(customer, BIG_ORG, tab="closed",
                                                                            category="Networking"),
        f"list_tasks  closed tab, page {late:,}": lambda: tasks.list_tasks(customer, BIG_ORG, tab="closed",
                                                                           page=late),
        "queue       open, all organizations": lambda: agent_work.queue(staff),
        "queue       open, mine": lambda: agent_work.queue(staff, mine=True),
    }


def _closed_pages() -> int:
    return calls(0)["list_tasks  closed tab"]().pages


def measure(samples: int) -> None:
    fns = calls(_closed_pages())
    measure_interleaved("Latency", fns, samples, width=42)
    for label, fn in fns.items():
        page = fn()
        print(f"  {label}: {page.total:,} tasks, {len(page.items)} on the page")


def explain(url: str) -> None:
    """The plan of every statement the measured calls run."""
    engine = app_db.get_engine(url)
    postgres = engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    for label, fn in calls(_closed_pages()).items():
        captured: list[tuple[str, object]] = []

        def capture(_conn, _cursor, statement, parameters, _context, _executemany, captured=captured):
            if statement.lstrip().upper().startswith("SELECT"):
                captured.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", capture)
        try:
            fn()
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        print("=" * 40 + f" {label}")
        server_ms = 0.0
        with engine.connect() as conn:
            for statement, parameters in captured:
                print("-" * 100)
                print(" ".join(statement.split())[:400])
                for row in conn.exec_driver_sql(prefix + statement, parameters).all():
                    line = " | ".join(str(c) for c in row)
                    if line.startswith(("Planning Time:", "Execution Time:")):
                        server_ms += float(line.split(":")[1].split()[0])
                    print("    " + line)
            conn.rollback()
        if postgres:
            print(f"==> {label}: planning + execution {server_ms:.2f} ms in the server (EXPLAIN ANALYZE, warm cache)")


# --------------------------------------------------------------------------------------------- runs






def run(kind: str, args: argparse.Namespace, rows: dict[str, list[dict]]) -> None:
    postgres = kind == "postgresql"
    print("=" * 100)
    with scratch_database(kind, args.pg_admin, keep=args.keep) as url:
        print(f"{kind}: {url}")
        t0 = time.perf_counter()
        upgrade(url)
        t1 = time.perf_counter()
        app_db.dispose_engines()
        load(url, rows)
        t2 = time.perf_counter()
        analyze(url)
        t3 = time.perf_counter()
        print(f"Load: migrate {t1 - t0:.1f} s, Core insert {t2 - t1:.1f} s, "
              f"{'VACUUM ANALYZE' if postgres else 'ANALYZE'} {t3 - t2:.1f} s; server {server_version(url)}")
        with app_db.get_engine(url).connect() as conn:
            counts = dict(conn.execute(text("SELECT organization_id = :b, COUNT(*) FROM ticket "
                                            "GROUP BY organization_id = :b"), {"b": BIG_ORG}).all())
        print(f"Tasks: big organization {counts.get(True, 0):,}, the {args.orgs - 1} others {counts.get(False, 0):,}")
        app_db.dispose_engines()
        if args.explain:
            explain(url)
        measure(args.samples)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", type=int, default=100_000, help="tasks in total")
    p.add_argument("--big-share", type=float, default=0.8, help="share of the tasks held by the big organization")
    p.add_argument("--orgs", type=int, default=200, help="organizations (the big one included)")
    p.add_argument("--samples", type=int, default=100, help="timed calls per measurement")
    add_database_options(p, explain="print the query plan of every measured statement")
    args = p.parse_args(argv)
    if args.orgs < 2 or not 0 < args.big_share < 1:
        p.error("--orgs must be at least 2 and --big-share between 0 and 1")
    started = time.perf_counter()
    now = datetime.now(UTC).replace(microsecond=0)
    rows = generate(args, now)
    print(f"Generated {len(rows['ticket']):,} tasks over {args.orgs} organizations in "
          f"{time.perf_counter() - started:.1f} s (seed {args.seed}); {load_average()}")
    for kind in database_kinds(args.database):
        run(kind, args, rows)
    print("=" * 100)
    print(f"Done in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
