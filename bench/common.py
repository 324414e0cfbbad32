"""What the benchmarks share: a scratch database, pointing the app at it, and printing figures."""

from __future__ import annotations

import argparse
import math
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from opsportal import db as app_db
from opsportal.settings import get_settings


@contextmanager
def scratch_database(kind: str, pg_admin: str, *, keep: bool = False) -> Iterator[str]:
    """A fresh empty database (a temporary SQLite file, or a new PostgreSQL database created from
    ``pg_admin``) that the app points at; dropped afterwards unless ``keep``."""
    tmpdir = admin = name = None
    if kind == "postgresql":
        import psycopg

        name = f"opsportal_bench_{uuid.uuid4().hex[:10]}"
        admin = psycopg.connect(pg_admin, autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        base = pg_admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        url = f"{base}/{name}"
    else:
        tmpdir = tempfile.mkdtemp(prefix="opsportal-bench-")
        url = f"sqlite:///{tmpdir}/bench.db"
    try:
        point_app_at(url)
        yield url
    finally:
        app_db.dispose_engines()
        get_settings.cache_clear()
        if keep:
            print(f"kept: {url}")
        elif admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            shutil.rmtree(tmpdir, ignore_errors=True)
        if admin is not None:
            admin.close()


def point_app_at(url: str) -> None:
    os.environ["OPSPORTAL_DATABASE_URL"] = url
    get_settings.cache_clear()
    app_db.dispose_engines()


def server_version(url: str) -> str:
    with app_db.get_engine(url).connect() as conn:
        if conn.dialect.name == "sqlite":
            return "SQLite " + conn.exec_driver_sql("SELECT sqlite_version()").scalar_one()
        return conn.exec_driver_sql("SELECT version()").scalar_one().split(" on ")[0]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def fmt(label: str, values: list[float], cpu: list[float] | None = None, *, width: int = 34) -> str:
    line = (f"  {label:<{width}} p50 {pct(values, 50):7.2f} ms   p95 {pct(values, 95):7.2f} ms   "
            f"max {max(values):7.2f} ms")
    if cpu:
        line += f"   (client CPU p50 {pct(cpu, 50):5.2f} ms)"
    return line + f"   n={len(values)}"


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) / {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def measure_interleaved(title: str, calls: dict[str, Callable[[], object]], samples: int, *,
                        warm: int = 3, width: int = 34) -> None:
    """Time each call ``samples`` times, interleaved, after ``warm`` untimed rounds, and print p50/p95/max.

    Besides wall time, the CPU time of the calling thread: the service's own cost apart from waiting
    for the database and, on a busy machine, for a CPU (SQLite runs in this thread, so it is included).
    """
    for fn in calls.values():  # warm the pool, the statement caches and the database's buffers
        for _ in range(warm):
            fn()
    timings: dict[str, list[float]] = {k: [] for k in calls}
    cpu: dict[str, list[float]] = {k: [] for k in calls}
    print(f"{title}: {samples} samples each, interleaved; {load_average()} at start")
    for _ in range(samples):
        for label, fn in calls.items():
            start, start_cpu = time.perf_counter(), time.thread_time()
            fn()
            timings[label].append((time.perf_counter() - start) * 1000)
            cpu[label].append((time.thread_time() - start_cpu) * 1000)
    for label, values in timings.items():
        print(fmt(label, values, cpu[label], width=width))
    print(f"  ({load_average()} at end; each call is one unit of work through the service)")


def add_database_options(p: argparse.ArgumentParser, *, explain: str) -> None:
    """The options every database benchmark takes: which database(s), the seed, where to create scratch
    PostgreSQL databases, whether to print query plans and whether to keep the database afterwards."""
    p.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pg-admin", default=os.environ.get("OPSPORTAL_BENCH_PG_ADMIN",
                                                        "postgresql://postgres@127.0.0.1:5432/postgres"),
                   help="libpq URL of a database to run CREATE/DROP DATABASE from")
    p.add_argument("--explain", action="store_true", help=explain)
    p.add_argument("--keep", action="store_true", help="keep the database (prints its URL) instead of dropping it")


def database_kinds(choice: str) -> tuple[str, ...]:
    return ("sqlite", "postgresql") if choice == "both" else (choice,)
