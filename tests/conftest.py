"""Fixtures shared by the whole suite: a clean database per test, on SQLite and PostgreSQL.

The app reads its database URL from ``get_settings()`` (cached) and keeps one engine per
URL, so a database fixture points the environment at its database, clears the settings
cache and disposes the engines both before the test and after it.

- ``empty_database_url``: a brand-new database without tables (SQLite file or a uniquely
  named PostgreSQL database, dropped afterwards). Tests that change the schema use this.
- ``demo_database_url``: the whole demo, loaded once per test module and backend at the ledger tests'
  clock (``tests.utils.ledger.NOW``), for tests that only read it.
- ``database_url``: a database just as the migrations leave it (schema at head plus any rows
  they seed). On SQLite it is a new file per test, copied from a file migrated once per
  session. On PostgreSQL, ``CREATE DATABASE`` costs 0.1-0.2 s, so each test module migrates
  one database and every test starts by putting its rows back to what the migrations left.

PostgreSQL runs when 127.0.0.1:5432 answers; otherwise its cases are skipped, unless
``OPSPORTAL_REQUIRE_POSTGRES=1`` (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Table, select
from sqlmodel import SQLModel

import opsportal.models  # noqa: F401  (registers the tables)
from opsportal.db import dispose_engines, get_engine
from opsportal.migrations import upgrade
from opsportal.settings import get_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:  # lets test modules import ``tests.utils``
    sys.path.insert(0, str(PROJECT_ROOT))

# Deterministic property tests: the same examples on every run, no example database.
hypothesis_settings.register_profile("opsportal", derandomize=True, database=None, deadline=None,
                                     print_blob=True)
hypothesis_settings.load_profile("opsportal")

POSTGRES_HOST = os.environ.get("OPSPORTAL_TEST_POSTGRES_HOST", "127.0.0.1")
POSTGRES_PORT = int(os.environ.get("OPSPORTAL_TEST_POSTGRES_PORT", "5432"))
POSTGRES_USER = os.environ.get("OPSPORTAL_TEST_POSTGRES_USER", "postgres")
# Databases the admin connection may use to run CREATE/DROP DATABASE, in order of preference.
POSTGRES_ADMIN_DATABASES = ("postgres", "test")


def _postgres_required() -> bool:
    return os.environ.get("OPSPORTAL_REQUIRE_POSTGRES") == "1"


def _admin_connect():
    import psycopg

    last_error: Exception | None = None
    for dbname in POSTGRES_ADMIN_DATABASES:
        try:
            return psycopg.connect(host=POSTGRES_HOST, port=POSTGRES_PORT, user=POSTGRES_USER, dbname=dbname,
                                   autocommit=True, connect_timeout=3)
        except psycopg.OperationalError as exc:
            last_error = exc
    raise ConnectionError(f"PostgreSQL at {POSTGRES_HOST}:{POSTGRES_PORT} is not reachable: {last_error}")


@pytest.fixture(scope="session")
def postgres_admin():
    """An autocommit connection that creates and drops the per-test databases."""
    try:
        conn = _admin_connect()
    except ConnectionError as exc:
        if _postgres_required():
            pytest.fail(f"{exc} (OPSPORTAL_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(str(exc))
    yield conn
    conn.close()


def _point_app_at(url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dispose_engines()
    monkeypatch.setenv("OPSPORTAL_DATABASE_URL", url)
    monkeypatch.setenv("OPSPORTAL_DATA_DIR", str(data_dir))
    monkeypatch.setenv("OPSPORTAL_ENV", "development")
    # The real clock: the end-to-end portal's fixed coverage clock (set for the whole session once an e2e
    # test has run in this process) must not leak into tests that give their instants explicitly.
    monkeypatch.delenv("OPSPORTAL_CLOCK_OVERRIDE", raising=False)
    get_settings.cache_clear()


def _release_app() -> None:
    dispose_engines()
    get_settings.cache_clear()


_CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
_CHEAP_DUMMY_HASH = _CHEAP_HASHER.hash("no such account")


@pytest.fixture
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with minimal cost, for tests about rules rather than hashing strength.

    Every sign-in verifies a password (about 0.1 s and four threads at production cost), so
    the service and CLI tests would spend most of their time in argon2. The code path is the
    same; only the cost parameters differ. ``tests/unit/test_security.py`` and the console
    script test keep the real parameters.
    """
    from opsportal.auth import security

    monkeypatch.setattr(security, "_hasher", _CHEAP_HASHER)
    monkeypatch.setattr(security, "_DUMMY_HASH", _CHEAP_DUMMY_HASH)


@pytest.fixture
def empty_sqlite_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh SQLite file with no tables, which the app is configured to use."""
    url = f"sqlite:///{tmp_path / 'opsportal-test.db'}"
    _point_app_at(url, tmp_path, monkeypatch)
    yield url
    _release_app()


# pytest-xdist runs tests in worker processes gw0, gw1, ...; every database name carries the worker's name and
# process id, so parallel workers (and parallel pytest runs) never share a database.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


@contextmanager
def _postgres_database(admin) -> Iterator[str]:
    name = f"opsportal_test_{XDIST_WORKER}_{os.getpid()}_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{name}"
    finally:
        dispose_engines()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_postgres_database_url(postgres_admin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, uniquely named PostgreSQL database with no tables, dropped after the test."""
    with _postgres_database(postgres_admin) as url:
        _point_app_at(url, tmp_path, monkeypatch)
        try:
            yield url
        finally:
            _release_app()


Baseline = list[tuple[Table, list[dict]]]


def _read_baseline(url: str) -> Baseline:
    """Every table with the rows the migrations seeded into it."""
    with get_engine(url).connect() as conn:
        return [(table, [dict(row._mapping) for row in conn.execute(select(table))])
                for table in SQLModel.metadata.sorted_tables]


def _restore_baseline(url: str, baseline: Baseline) -> None:
    with get_engine(url).begin() as conn:
        # A connection leaked by an earlier test must fail this loudly, not hang the run.
        conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
        for table, _rows in reversed(baseline):
            conn.execute(table.delete())
        for table, rows in baseline:
            if rows:
                conn.execute(table.insert(), rows)


@pytest.fixture(scope="module")
def _postgres_module_database(postgres_admin) -> Iterator[tuple[str, Baseline]]:
    """One migrated PostgreSQL database for a test module (tests must not change its schema)."""
    with _postgres_database(postgres_admin) as url:
        upgrade(url)
        yield url, _read_baseline(url)


@pytest.fixture
def postgres_database_url(_postgres_module_database: tuple[str, Baseline], tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The module's migrated PostgreSQL database, with only the seeded rows; the app points at it."""
    url, baseline = _postgres_module_database
    _point_app_at(url, tmp_path, monkeypatch)
    _restore_baseline(url, baseline)
    yield url
    _release_app()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest) -> str:
    """A new database without tables on each backend (the test runs once per backend)."""
    if request.param == "sqlite":
        return request.getfixturevalue("empty_sqlite_database_url")
    return request.getfixturevalue("empty_postgres_database_url")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """A database migrated to head and holding no rows, on each backend; the app points at it."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_database_url")
    return request.getfixturevalue("postgres_database_url")


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated to head once; each test gets a copy (migrating costs ~0.1 s)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "migrated.db"
    upgrade(f"sqlite:///{path}")
    dispose_engines()  # closing the last connection folds the WAL back into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def sqlite_database_url(_sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh SQLite database migrated to head (for tests where the backend does not matter)."""
    path = tmp_path / "opsportal-test.db"
    shutil.copyfile(_sqlite_template, path)
    url = f"sqlite:///{path}"
    _point_app_at(url, tmp_path, monkeypatch)
    yield url
    _release_app()


@contextmanager
def _migrated_database(backend: str, request: pytest.FixtureRequest, data_dir: Path) -> Iterator[str]:
    if backend == "sqlite":
        path = data_dir / "opsportal-test.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    with _postgres_database(request.getfixturevalue("postgres_admin")) as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def _demo_module_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database per module and backend holding the whole demo, loaded as ``opsportal demo load`` does."""
    from opsportal.services.demo import load_demo
    from opsportal.services.demo_billing import load_demo_billing
    from opsportal.services.demo_credits import load_demo_credits
    from opsportal.services.demo_plans import load_demo_plans
    from opsportal.services.demo_tasks import load_demo_tasks
    from opsportal.services.operator import OPERATOR
    from tests.utils.ledger import NOW

    data_dir = tmp_path_factory.mktemp("demo")
    with _migrated_database(request.param, request, data_dir) as url, pytest.MonkeyPatch.context() as patch:
        _point_app_at(url, data_dir, patch)
        load_demo(OPERATOR, now=NOW)
        load_demo_credits(OPERATOR, now=NOW)
        load_demo_tasks(OPERATOR, now=NOW)
        load_demo_billing(OPERATOR, now=NOW)
        load_demo_plans(OPERATOR, at=NOW)
        _release_app()
        yield url


@pytest.fixture
def demo_database_url(_demo_module_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The module's demo database (see ``_demo_module_database``); the app points at it. Tests must not change it."""
    _point_app_at(_demo_module_database, tmp_path, monkeypatch)
    yield _demo_module_database
    _release_app()
