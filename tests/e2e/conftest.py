"""End-to-end fixtures: the real app (production build) through Reflex's AppHarnessProd, in Chromium.

The app starts once per test session on a fresh database holding the demo data. It runs on
SQLite with Reflex's local state manager by default; with ``OPSPORTAL_E2E_DATABASE=postgresql``
and ``OPSPORTAL_REDIS_URL`` set (scripts/test.sh does this in a second pytest process, as
Reflex keeps one config per process) it runs on PostgreSQL with state in Redis.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from opsportal.db import dispose_engines
from opsportal.migrations import upgrade
from opsportal.services.demo import load_demo
from opsportal.services.demo_credits import load_demo_credits
from opsportal.services.demo_kb import load_demo_kb
from opsportal.services.demo_tasks import load_demo_tasks
from opsportal.services.operator import OPERATOR
from opsportal.settings import PROJECT_ROOT, get_settings
from tests.e2e.browser import E2E_DATABASE

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]

# The app answers in tens of milliseconds; the margin is for a loaded 2-core CI machine.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup.sh --browser", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _create_postgres_database() -> tuple[str, callable]:
    import psycopg

    name = f"opsportal_e2e_{uuid.uuid4().hex[:10]}"
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


@pytest.fixture(scope="session")
def portal(tmp_path_factory) -> Iterator:
    """The running portal (an AppHarnessProd) on a fresh database with the demo data."""
    from reflex.testing import AppHarnessProd

    data_dir = tmp_path_factory.mktemp("e2e-data")
    drop = None
    if E2E_DATABASE == "postgresql":
        url, drop = _create_postgres_database()
    else:
        url = f"sqlite:///{data_dir / 'e2e.db'}"
    saved = {k: os.environ.get(k) for k in ("OPSPORTAL_DATABASE_URL", "OPSPORTAL_DATA_DIR")}
    os.environ["OPSPORTAL_DATABASE_URL"] = url
    os.environ["OPSPORTAL_DATA_DIR"] = str(data_dir)
    get_settings.cache_clear()
    dispose_engines()
    upgrade(url)
    load_demo(OPERATOR)
    load_demo_credits(OPERATOR)
    load_demo_tasks(OPERATOR)
    load_demo_kb(OPERATOR)
    harness = AppHarnessProd.create(root=PROJECT_ROOT, app_name="opsportal")
    try:
        harness.start()
        yield harness
    finally:
        harness.stop()
        dispose_engines()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
        if drop:
            drop()


@pytest.fixture(scope="session")
def base_url(portal) -> str:
    return portal.frontend_url.rstrip("/")


@pytest.fixture(scope="session")
def backend_url(portal) -> str:
    """Where the plain HTTP routes answer (the harness runs the backend on its own port)."""
    from reflex.config import get_config

    return get_config().api_url.rstrip("/")
