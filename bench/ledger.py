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
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, text  # noqa: E402

from bench.common import (  # noqa: E402
    add_database_options,
    database_kinds,
    fmt,
    load_average,
    measure_interleaved,
    scratch_database,
    server_version,
)
from bench.ledger_data import CATEGORIES, TABLE_ORDER, Dataset, generate, load_postgresql, load_sqlite  # noqa: E402
from opsportal import db as app_db  # noqa: E402
from opsportal.migrations import upgrade  # noqa: E402
from opsportal.services import credit_views, credits  # noqa: E402
from opsportal.services.errors import Conflict  # noqa: E402
from opsportal.services.operator import OPERATOR  # noqa: E402

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
    p.add_argument("--entries", type=int, default=1_000_000, help="ledger entries in total")
    p.add_argument("--orgs", type=int, default=1000, help="organizations (at least 6)")
    p.add_argument("--big-org-entries", type=int, default=100_000, help="entries on the big organization's lots")
    p.add_argument("--samples", type=int, default=200, help="timed calls per read measurement")
    p.add_argument("--threads", type=int, default=4, help="concurrent consume writers")
    p.add_argument("--consume-seconds", type=float, default=5.0, help="how long the writers run")
    p.add_argument("--consume-ops", type=int, default=0, help="stop the writers after this many calls (0: no cap)")
    add_database_options(p, explain="print the query plans of balance and summary")
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
    for kind in database_kinds(args.database):
        run(kind, args, data)
    print("=" * 100)
    print(f"Done in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
