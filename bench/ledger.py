#!/usr/bin/env python
"""Credit ledger benchmark: balance / summary latency and consumption throughput at scale.

    .venv/bin/python bench/ledger.py                       # both databases, defaults (1M entries)
    .venv/bin/python bench/ledger.py --database sqlite --entries 200000 --big-org-entries 20000

For each database it creates a fresh one (a temporary SQLite file, or a new PostgreSQL database
``opsportal_bench_<random>`` that is dropped at the end), migrates it with Alembic, bulk-loads a
synthetic but consistent ledger, runs ANALYZE and then measures through the real services:

* ``credit_views.balance`` (including the expiry schedule) and ``credit_views.summary`` for one big
  organization (~``--big-org-entries`` entries) and for one small organization;
* ``credits.consume`` from ``--threads`` concurrent writers against the big organization.

Every figure is printed; nothing is asserted (apart from the generated data being consistent).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, insert, text  # noqa: E402

from bench.common import fmt, load_average, measure_interleaved, scratch_database, server_version  # noqa: E402
from opsportal import db as app_db  # noqa: E402
from opsportal.domain.ledger.lots import end_of_day  # noqa: E402
from opsportal.migrations import upgrade  # noqa: E402
from opsportal.models import CreditHold, CreditLot, LedgerEntry, Organization, Ticket  # noqa: E402
from opsportal.services import credit_views, credits  # noqa: E402
from opsportal.services.errors import Conflict  # noqa: E402
from opsportal.services.operator import OPERATOR  # noqa: E402

DAY = 86_400.0
PRODUCTS = ("support_hours", "service_credits")
CATEGORIES = ("Network", "Endpoint", "Email & Collaboration", "Security incident", "Backup & Recovery",
              "Cloud infrastructure", "Identity & Access", "Printing", "Onboarding", "Offboarding",
              "Line-of-business apps", "Consulting")
REASONS = {
    "consume": "1st choice: own credit; expires soonest; purchased; granted earlier",
    "allocate": "1st choice: own credit; held for the ticket",
    "release": "not needed when the ticket closed",
    "settle": "used on the ticket it was held for",
    "grant": "granted",
    "expire": "expired unused",
}
TABLE_ORDER = ("organization", "ticket", "credit_lot", "credit_hold", "ledger_entry")

ORG_COLS = ("id", "name", "name_key", "parent_id", "created_at")
TICKET_COLS = ("id", "organization_id", "title", "category", "status", "created_at", "updated_at", "closed_at")
LOT_COLS = ("id", "product_code", "holder_org_id", "kind", "origin", "quantity", "granted_at", "expires_at",
            "scope", "assigned_org_id", "remaining", "held", "note", "created_by", "created_at")
HOLD_COLS = ("id", "lot_id", "ticket_id", "org_id", "product_code", "category", "quantity")
ENTRY_COLS = ("id", "lot_id", "org_id", "product_code", "kind", "quantity", "delta_remaining", "delta_held", "at",
              "ticket_id", "category", "reason", "actor_user_id", "created_at")
TABLES = {
    "organization": (Organization.__table__, ORG_COLS),
    "ticket": (Ticket.__table__, TICKET_COLS),
    "credit_lot": (CreditLot.__table__, LOT_COLS),
    "credit_hold": (CreditHold.__table__, HOLD_COLS),
    "ledger_entry": (LedgerEntry.__table__, ENTRY_COLS),
}


# --------------------------------------------------------------------------------------------- data


@dataclass
class Dataset:
    now: datetime
    big_org: int
    small_org: int
    rows: dict[str, list[tuple]] = field(default_factory=dict)


def _orgs(n: int, rng: random.Random, now: datetime) -> tuple[list[tuple], dict[int, list[int]]]:
    """Organizations: fixed big and small groups first, then standalone customers and small trees."""
    orgs: list[tuple] = []
    children: dict[int, list[int]] = defaultdict(list)

    def add(name: str, parent: int | None = None) -> int:
        oid = len(orgs) + 1
        created = now - timedelta(days=400 + rng.uniform(0, 1500))
        orgs.append((oid, name, name.casefold(), parent, created))
        if parent is not None:
            children[parent].append(oid)
        return oid

    big_group = add("Bench Big Group")
    add("Bench Big Org", big_group)  # 2
    add("Bench Big Sibling", big_group)
    small_group = add("Bench Small Group")
    add("Bench Small Org", small_group)  # 5
    add("Bench Small Sibling", small_group)
    while len(orgs) < n:
        if rng.random() < 0.12 and n - len(orgs) >= 3:
            root = add(f"Group {len(orgs) + 1:05d}")
            for _ in range(rng.randint(2, 4)):
                if len(orgs) >= n:
                    break
                child = add(f"Group {root:05d} member {len(orgs) + 1:05d}", root)
                if rng.random() < 0.3 and len(orgs) < n:
                    add(f"Group {root:05d} unit {len(orgs) + 1:05d}", child)
        else:
            add(f"Customer {len(orgs) + 1:05d}")
    return orgs, children


def _subtree(org: int, children: dict[int, list[int]]) -> list[int]:
    out, frontier = [org], [org]
    while frontier:
        frontier = [c for f in frontier for c in children.get(f, ())]
        out.extend(frontier)
    return out


def generate(args: argparse.Namespace) -> Dataset:
    rng = random.Random(args.seed)
    now = datetime.now(UTC).replace(microsecond=0)
    orgs, children = _orgs(args.orgs, rng, now)
    big, small = 2, 5
    org_ids = [o[0] for o in orgs]

    # Entry budgets: the big organization gets its share; the two fixed groups get fixed budgets,
    # so that they (and the big and small organizations' figures) do not depend on --orgs and
    # --entries; the rest is spread unevenly over the other organizations.
    rest = max(0, args.entries - args.big_org_entries)
    fixed = {1: 2000, 3: 1000, 4: 400, small: 800, 6: 400}
    scale = min(1.0, rest / (2 * sum(fixed.values())))
    budget = {o: int(n * scale) for o, n in fixed.items()}
    budget[big] = args.big_org_entries
    others = [o for o in org_ids if o not in budget]
    weights = [rng.lognormvariate(0, 0.8) for _ in others]
    spread = rest - sum(budget.values()) + args.big_org_entries
    total_w = sum(weights) or 1.0
    budget.update({o: int(round(spread * w / total_w)) for o, w in zip(others, weights, strict=True)})

    # Lot specs per organization: (holder, product, scope, assigned, kind, granted_at, expires_at, n_entries,
    # random seed of the lot). Every organization and every lot draws from a generator of its own.
    specs = []
    for org in org_ids:
        rng = random.Random(f"{args.seed}:{org}")
        left = budget[org]
        kids = children.get(org, [])
        seq = 0
        while left > 0:
            seq += 1
            n = rng.randint(40, 160) if org == big else rng.randint(5, 60)
            if left - n < 5:
                n = left
            left -= n
            product = PRODUCTS[0] if rng.random() < 0.6 else PRODUCTS[1]
            assigned = None
            r = rng.random()
            if kids:
                if r < 0.5:
                    scope = "shared"
                elif r < 0.75:
                    scope = "org"
                else:
                    scope, assigned = "org", rng.choice(kids)
            else:
                scope = "shared" if r < 0.15 else "org"
            kind = "complimentary" if rng.random() < 0.2 else "purchased"
            granted = now - timedelta(seconds=rng.uniform(0, 365 * DAY))
            age_days = (now - granted).total_seconds() / DAY
            r = rng.random()
            if r < 0.15:
                expires = None
            elif r < 0.35 and age_days > 3:
                first = granted.date() + timedelta(days=1)
                last = now.date() - timedelta(days=1)
                expires = end_of_day(first + timedelta(days=rng.randint(0, (last - first).days)))
            else:
                expires = end_of_day(now.date() + timedelta(days=rng.randint(0, 400)))
            specs.append((org, product, scope, assigned, kind, granted, expires, n, f"{args.seed}:{org}:{seq}"))
    specs.sort(key=itemgetter(5))  # lot ids in grant order, as in real life

    subtrees: dict[int, list[int]] = {}
    lots, tickets, holds, raw_entries = [], [], [], []
    for lot_id, (holder, product, scope, assigned, kind, granted, expires, n, lot_seed) in enumerate(specs, start=1):
        rng = random.Random(lot_seed)
        if scope == "org":
            spenders = [assigned or holder]
        else:
            spenders = subtrees.get(holder) or subtrees.setdefault(holder, _subtree(holder, children))
        hours = product == "support_hours"

        def qty(hours: bool = hours, rng: random.Random = rng) -> int:
            return rng.choice((15, 15, 30, 30, 30, 45, 60, 60, 90, 120, 240)) if hours else rng.randint(1, 20)

        past_expired = expires is not None and expires <= now
        live = not past_expired
        window_end = expires if past_expired else now
        # Operations: (kind, quantity, d_remaining, d_held, ticket_slot, category, spender, reason_key)
        ops: list[list] = []
        lot_tickets: list[list] = []  # [ticket_id, org, category, status, first_op, last_op]
        consumed = 0
        target = n - 1 - (1 if past_expired else 0)
        while len(ops) < target:
            spender = spenders[0] if len(spenders) == 1 else rng.choice(spenders)
            cat = rng.choice(CATEGORIES)
            q = qty()
            r = rng.random()
            if r < 0.6 or target - len(ops) < 3:
                t = None
                if lot_tickets and rng.random() < 0.5 and lot_tickets[-1][1] == spender:
                    t = lot_tickets[-1][0]
                ops.append(["consume", q, -q, 0, t, cat, spender, "consume"])
                consumed += q
            else:
                tid = len(tickets) + len(lot_tickets) + 1
                lot_tickets.append([tid, spender, cat, "closed", len(ops), None])
                ops.append(["allocate", q, 0, q, tid, cat, spender, "allocate"])
                used = 0 if r > 0.92 else rng.randint(0, q)
                if used:
                    ops.append(["consume", used, -used, -used, tid, cat, spender, "settle"])
                    consumed += used
                if q - used:
                    ops.append(["release", q - used, 0, -(q - used), tid, cat, spender, "release"])
                lot_tickets[-1][5] = len(ops) - 1
        open_held = 0
        if live and rng.random() < 0.1:
            spender = rng.choice(spenders)
            cat = rng.choice(CATEGORIES)
            q = qty()
            tid = len(tickets) + len(lot_tickets) + 1
            lot_tickets.append([tid, spender, cat, "open", len(ops), len(ops)])
            ops.append(["allocate", q, 0, q, tid, cat, spender, "allocate"])
            holds.append((len(holds) + 1, lot_id, tid, spender, product, cat, q))
            open_held = q

        age_days = (now - granted).total_seconds() / DAY
        p_spent = 0.7 if age_days > 180 else 0.3 if age_days > 60 else 0.05
        if rng.random() < p_spent:
            leftover = 0
        elif consumed:
            leftover = max(1, int(consumed * rng.uniform(0.1, 1.5)))
        else:
            leftover = qty() * rng.randint(5, 50)
        quantity = consumed + open_held + leftover
        if quantity <= 0:
            quantity = leftover = qty()

        # Times: the operations spread over the lot's usable window, in order.
        span = max(1.0, (window_end - granted).total_seconds())
        times = sorted(rng.uniform(1.0, span) for _ in ops)
        raw_entries.append((granted, lot_id, holder, product, "grant", quantity, quantity, 0, None, None,
                            REASONS["grant"]))
        for (k, q, dr, dh, t, cat, spender, why), secs in zip(ops, times, strict=True):
            raw_entries.append((granted + timedelta(seconds=secs), lot_id, spender, product, k, q, dr, dh, t, cat,
                                REASONS[why]))
        if past_expired and leftover:
            raw_entries.append((expires, lot_id, holder, product, "expire", leftover, -leftover, 0, None, None,
                                REASONS["expire"]))
            remaining = open_held  # 0: no open holds on expired lots
        else:
            remaining = leftover + open_held
        for tid, org, cat, status, first, last in lot_tickets:
            created = granted + timedelta(seconds=times[first])
            closed = granted + timedelta(seconds=times[last]) if status == "closed" else None
            tickets.append((tid, org, f"Ticket {tid}: {cat.lower()} request", cat, status, created, closed or created,
                            closed))
        origin = ("complimentary_grant" if kind == "complimentary"
                  else "hour_block" if hours else rng.choice(("purchase", "plan_period")))
        lots.append((lot_id, product, holder, kind, origin, quantity, granted, expires, scope, assigned, remaining,
                     open_held, "", None, granted))

    raw_entries.sort(key=itemgetter(0))  # entry ids in time order, as in real life
    entries = [(i, lot, org, prod, kind, q, dr, dh, at, t, cat, why, None, at)
               for i, (at, lot, org, prod, kind, q, dr, dh, t, cat, why) in enumerate(raw_entries, start=1)]
    del raw_entries
    return Dataset(now=now, big_org=big, small_org=small, rows={
        "organization": orgs, "ticket": tickets, "credit_lot": lots, "credit_hold": holds, "ledger_entry": entries,
    })


# ------------------------------------------------------------------------------------------ loading


def _pg_conninfo(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def load_postgresql(url: str, data: Dataset) -> None:
    import psycopg

    with psycopg.connect(_pg_conninfo(url)) as conn:
        with conn.cursor() as cur:
            for name in TABLE_ORDER:
                _table, cols = TABLES[name]
                with cur.copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in data.rows[name]:
                        copy.write_row(row)
            for name in TABLE_ORDER:  # explicit ids were loaded: move the sequences past them
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT COALESCE(MAX(id), 1) FROM {name}))")
        conn.commit()


def load_sqlite(url: str, data: Dataset, batch: int = 50_000) -> None:
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA synchronous=OFF")
        dbapi_conn.execute("PRAGMA cache_size=-262144")  # 256 MiB
        dbapi_conn.execute("PRAGMA temp_store=MEMORY")
        dbapi_conn.execute("PRAGMA foreign_keys=OFF")  # checked with one query after loading instead

    try:
        with engine.begin() as conn:  # one big transaction
            for name in TABLE_ORDER:
                table, cols = TABLES[name]
                rows = data.rows[name]
                stmt = insert(table)
                for start in range(0, len(rows), batch):
                    conn.execute(stmt, [dict(zip(cols, r, strict=True)) for r in rows[start:start + batch]])
    finally:
        engine.dispose()


CONSISTENCY_SQL = """
SELECT
  (SELECT COUNT(*) FROM credit_lot l
     LEFT JOIN (SELECT lot_id, SUM(delta_remaining) AS r, SUM(delta_held) AS h
                FROM ledger_entry GROUP BY lot_id) e ON e.lot_id = l.id
     LEFT JOIN (SELECT lot_id, SUM(quantity) AS q FROM credit_hold GROUP BY lot_id) o ON o.lot_id = l.id
   WHERE l.remaining <> COALESCE(e.r, 0) OR l.held <> COALESCE(e.h, 0) OR l.held <> COALESCE(o.q, 0))
  AS bad_lots,
  (SELECT COUNT(*) FROM ledger_entry e
   WHERE NOT EXISTS (SELECT 1 FROM credit_lot l WHERE l.id = e.lot_id)
      OR NOT EXISTS (SELECT 1 FROM organization o WHERE o.id = e.org_id)
      OR (e.ticket_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ticket t WHERE t.id = e.ticket_id)))
  AS dangling_entries
"""


def consistency(url: str) -> tuple[int, int]:
    with app_db.get_engine(url).connect() as conn:
        bad, dangling = conn.execute(text(CONSISTENCY_SQL)).one()
    return int(bad), int(dangling)


def analyze(url: str, postgres: bool) -> None:
    engine = app_db.get_engine(url)
    if postgres:
        # VACUUM as well as ANALYZE: the visibility map a settled database has (autovacuum would
        # otherwise start on the fresh rows in the middle of the measurements).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()


def table_counts(url: str) -> dict[str, int]:
    with app_db.get_engine(url).connect() as conn:
        return {name: conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one() for name in TABLE_ORDER}


def org_profile(url: str, org_id: int) -> tuple[int, int, int]:
    """(entries on the organization's behalf, lots it holds, entries on lots it holds)."""
    with app_db.get_engine(url).connect() as conn:
        on_behalf = conn.execute(text("SELECT COUNT(*) FROM ledger_entry WHERE org_id = :o"), {"o": org_id}).scalar()
        held = conn.execute(text("SELECT COUNT(*) FROM credit_lot WHERE holder_org_id = :o"), {"o": org_id}).scalar()
        on_lots = conn.execute(text("SELECT COUNT(*) FROM ledger_entry e JOIN credit_lot l ON l.id = e.lot_id "
                                    "WHERE l.holder_org_id = :o"), {"o": org_id}).scalar()
    return int(on_behalf), int(held), int(on_lots)


# ---------------------------------------------------------------------------------------- measuring










def measure_reads(data: Dataset, samples: int) -> None:
    calls = {
        "balance  big org (support_hours)": lambda: credit_views.balance(OPERATOR, data.big_org,
                                                                        product="support_hours"),
        "summary  big org": lambda: credit_views.summary(OPERATOR, data.big_org),
        "balance  small org (support_hours)": lambda: credit_views.balance(OPERATOR, data.small_org,
                                                                          product="support_hours"),
        "summary  small org": lambda: credit_views.summary(OPERATOR, data.small_org),
    }
    measure_interleaved("Read latency", calls, samples, warm=5)
    b = credit_views.balance(OPERATOR, data.big_org, product="support_hours")
    print(f"  big org balance: available {b.available:,} min, in play {b.in_play:,} min, "
          f"{len(b.lots)} lots shown, schedule {b.expiry_schedule}")
    s = credit_views.balance(OPERATOR, data.small_org, product="support_hours")
    print(f"  small org balance: available {s.available:,} min, in play {s.in_play:,} min, "
          f"{len(s.lots)} lots shown, schedule {s.expiry_schedule}")


def measure_consume(data: Dataset, threads: int, seconds: float, max_ops: int, seed: int) -> None:
    counts = {"ok": 0, "conflict": 0, "error": 0, "drawn": 0}
    errors: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    barrier = threading.Barrier(threads)

    def worker(n: int) -> None:
        rng = random.Random(seed * 100 + n)
        barrier.wait()
        while time.perf_counter() < stop_at:
            with lock:
                if max_ops and counts["ok"] + counts["conflict"] + counts["error"] >= max_ops:
                    return
            q = rng.choice((15, 30, 45, 60))
            start = time.perf_counter()
            try:
                draws = credits.consume(OPERATOR, org_id=data.big_org, product="support_hours", quantity=q,
                                        category=rng.choice(CATEGORIES))
                kind, drawn = "ok", sum(d.quantity for d in draws)
            except Conflict:
                kind, drawn = "conflict", 0
            except Exception as exc:  # printed below: the benchmark never hides a failure
                kind, drawn = "error", 0
                with lock:
                    errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                counts[kind] += 1
                counts["drawn"] += drawn
                latencies.append(elapsed)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - t0
    total = counts["ok"] + counts["conflict"] + counts["error"]
    print(f"Consumption ({threads} writer threads, credits.consume against the big org, {wall:.1f} s; "
          f"{load_average()}):")
    print(f"  {counts['ok'] / wall:8.1f} consumes/s committed   ({counts['ok']} ok, {counts['conflict']} Conflict, "
          f"{counts['error']} other errors, {total} calls, {counts['drawn']:,} minutes drawn)")
    if latencies:
        print(fmt("consume latency", latencies))
    for line in sorted(set(errors))[:5]:
        print(f"  error: {line}")


def explain(url: str, data: Dataset, postgres: bool) -> None:
    """EXPLAIN every statement one balance and one summary call run, for the big and the small organization.

    PostgreSQL: EXPLAIN (ANALYZE, BUFFERS), and the sum of the statements' execution times.
    """
    engine = app_db.get_engine(url)
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    for label, org in (("big", data.big_org), ("small", data.small_org)):
        for call in ("balance", "summary"):
            captured: list[tuple[str, object]] = []

            def capture(_conn, _cursor, statement, parameters, _context, _executemany, captured=captured):
                captured.append((statement, parameters))

            event.listen(engine, "before_cursor_execute", capture)
            try:
                if call == "balance":
                    credit_views.balance(OPERATOR, org, product="support_hours")
                else:
                    credit_views.summary(OPERATOR, org)
            finally:
                event.remove(engine, "before_cursor_execute", capture)
            print("=" * 40 + f" {call} of the {label} org: {len(captured)} statements")
            server_ms = 0.0
            with engine.connect() as conn:
                for statement, parameters in captured:
                    print("-" * 100)
                    print(" ".join(statement.split())[:600])
                    for row in conn.exec_driver_sql(prefix + statement, parameters).all():
                        line = " | ".join(str(c) for c in row)
                        if line.startswith(("Planning Time:", "Execution Time:")):
                            server_ms += float(line.split(":")[1].split()[0])
                        print("    " + line)
                conn.rollback()
            if postgres:
                print(f"==> {call} of the {label} org: planning + execution {server_ms:.2f} ms in the server "
                      f"(EXPLAIN ANALYZE, warm cache)")


# --------------------------------------------------------------------------------------------- runs




def run(kind: str, args: argparse.Namespace, data: Dataset) -> None:
    postgres = kind == "postgresql"
    print("=" * 100)
    print(f"{kind}: {args.entries:,} entries requested, {args.orgs:,} organizations, big org "
          f"{args.big_org_entries:,} entries, {args.samples} samples")
    with scratch_database(kind, args.pg_admin, keep=args.keep) as url:
        print(f"database: {url}")
        print(f"machine: {load_average()}")
        t0 = time.perf_counter()
        upgrade(url)
        t1 = time.perf_counter()
        app_db.dispose_engines()
        if postgres:
            load_postgresql(url, data)
        else:
            load_sqlite(url, data)
        t2 = time.perf_counter()
        bad, dangling = consistency(url)
        t3 = time.perf_counter()
        analyze(url, postgres)
        t4 = time.perf_counter()
        print(f"Load: migrate {t1 - t0:.1f} s, bulk insert {t2 - t1:.1f} s ({'COPY' if postgres else 'executemany'}), "
              f"consistency check {t3 - t2:.1f} s, {'VACUUM ANALYZE' if postgres else 'ANALYZE'} {t4 - t3:.1f} s; "
              f"total {t4 - t0:.1f} s")
        print(f"Consistency: {bad} lots whose remaining/held differ from their entries or holds, "
              f"{dangling} entries with a dangling reference")
        if bad or dangling:
            raise SystemExit("generated data is inconsistent: the figures would mean nothing")
        print(f"Server: {server_version(url)}")
        counts = table_counts(url)
        print("Rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        for label, org in (("big", data.big_org), ("small", data.small_org)):
            behalf, lots, on_lots = org_profile(url, org)
            print(f"  {label} org (id {org}): {behalf:,} entries on its behalf, holds {lots:,} lots "
                  f"carrying {on_lots:,} entries")
        app_db.dispose_engines()
        if args.explain:
            explain(url, data, postgres)
        measure_reads(data, args.samples)
        measure_consume(data, args.threads, args.consume_seconds, args.consume_ops, args.seed)
        bad, dangling = consistency(url)
        print(f"Consistency after the writers: {bad} inconsistent lots, {dangling} dangling entries")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--entries", type=int, default=1_000_000, help="ledger entries in total")
    p.add_argument("--orgs", type=int, default=1000, help="organizations (at least 6)")
    p.add_argument("--big-org-entries", type=int, default=100_000, help="entries on the big organization's lots")
    p.add_argument("--samples", type=int, default=200, help="timed calls per read measurement")
    p.add_argument("--threads", type=int, default=4, help="concurrent consume writers")
    p.add_argument("--consume-seconds", type=float, default=5.0, help="how long the writers run")
    p.add_argument("--consume-ops", type=int, default=0, help="stop the writers after this many calls (0: no cap)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pg-admin", default=os.environ.get("OPSPORTAL_BENCH_PG_ADMIN",
                                                        "postgresql://postgres@127.0.0.1:5432/postgres"),
                   help="libpq URL of a database to run CREATE/DROP DATABASE from")
    p.add_argument("--explain", action="store_true", help="print the query plans of balance and summary")
    p.add_argument("--keep", action="store_true", help="keep the database (prints its URL) instead of dropping it")
    args = p.parse_args(argv)
    if args.orgs < 6:
        p.error("--orgs must be at least 6")
    if not 0 < args.big_org_entries <= args.entries:
        p.error("--big-org-entries must be between 1 and --entries")

    started = time.perf_counter()
    t0 = time.perf_counter()
    data = generate(args)
    # The generated rows stay in memory for the second database: keep the garbage collector from
    # walking them (a full collection over ~2M objects would show up as 100+ ms "latency").
    gc.collect()
    gc.freeze()
    print(f"Generated in {time.perf_counter() - t0:.1f} s (seed {args.seed}): "
          + ", ".join(f"{k} {len(v):,}" for k, v in data.rows.items()))
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    for kind in kinds:
        run(kind, args, data)
    print("=" * 100)
    print(f"Done in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
