"""End-to-end fixtures: the real app (production build) through Reflex's AppHarnessProd, in Chromium, under
the portal's security headers (tests/e2e/harness.py).

The app starts once per test session on a fresh database holding the demo data. It runs on
SQLite with Reflex's local state manager by default; with ``OPSPORTAL_E2E_DATABASE=postgresql``
and ``OPSPORTAL_REDIS_URL`` set (scripts/test.sh does this in a second pytest process, as
Reflex keeps one config per process) it runs on PostgreSQL with state in Redis.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from opsportal.db import dispose_engines
from opsportal.devtools.smtp_sink import Forward, SmtpSink
from opsportal.migrations import upgrade
from opsportal.services.demo import load_demo
from opsportal.services.demo_billing import load_demo_billing
from opsportal.services.demo_credits import load_demo_credits
from opsportal.services.demo_forum import load_demo_forum
from opsportal.services.demo_kb import load_demo_kb
from opsportal.services.demo_plans import load_demo_plans
from opsportal.services.demo_products import load_demo_products
from opsportal.services.demo_tasks import load_demo_tasks
from opsportal.services.operator import OPERATOR
from opsportal.settings import PROJECT_ROOT, get_settings
from tests.e2e.browser import E2E_DATABASE
from tests.e2e.harness import PortalHarness, free_port
from tests.e2e.plans_clock import CLOCK_OVERRIDE
from tests.utils.stripe_sandbox import SandboxHandle, start_stripe_sandbox

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]

# The app answers in tens of milliseconds; the margin is for a loaded 2-core CI machine.
expect.set_options(timeout=15_000)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            # With -n, one xdist worker runs every e2e test (pyproject: --dist=loadgroup): one portal, one .web build.
            item.add_marker(pytest.mark.xdist_group("e2e"))


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
def stripe_sandbox() -> Iterator[SandboxHandle]:
    """The local Stripe sandbox (Checkout Sessions, the card page, signed webhooks) the portal pays through."""
    with start_stripe_sandbox() as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def mail_sink(tmp_path_factory) -> Iterator[SmtpSink]:
    """A local SMTP server on a free port that saves what the portal sends (the staff mailbox reads it too)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with SmtpSink(tmp_path_factory.mktemp("e2e-mail"), port=port) as sink:
        yield sink


@pytest.fixture(scope="session")
def portal(tmp_path_factory, stripe_sandbox, mail_sink) -> Iterator:
    """The running portal (an AppHarnessProd) on a fresh database with the demo data, paying through the sandbox."""
    from reflex.config import get_config

    data_dir = tmp_path_factory.mktemp("e2e-data")
    drop = None
    if E2E_DATABASE == "postgresql":
        url, drop = _create_postgres_database()
    else:
        url = f"sqlite:///{data_dir / 'e2e.db'}"
    pages_port = free_port()
    environment = {
        # The page server's origin (tests/e2e/harness.py): the only one CORS and the websocket accept.
        "OPSPORTAL_ALLOWED_ORIGINS": f"http://127.0.0.1:{pages_port},http://localhost:{pages_port}",
        "OPSPORTAL_DATABASE_URL": url,
        "OPSPORTAL_DATA_DIR": str(data_dir),
        "OPSPORTAL_STRIPE_API_BASE": stripe_sandbox.api_base,
        "OPSPORTAL_STRIPE_SECRET_KEY": stripe_sandbox.secret_key,
        "OPSPORTAL_STRIPE_WEBHOOK_SECRET": stripe_sandbox.webhook_secret,
        "OPSPORTAL_SMTP_HOST": "127.0.0.1",
        "OPSPORTAL_SMTP_PORT": str(mail_sink.port),
        "OPSPORTAL_MAIL_DIR": str(mail_sink.directory),
        # Deterministic: no background notification jobs; tests send what they need.
        "OPSPORTAL_SCHEDULER": "off",
        # Support coverage at a fixed Saturday night (tests/e2e/plans_clock.py): "not covered" is deterministic.
        "OPSPORTAL_CLOCK_OVERRIDE": CLOCK_OVERRIDE.isoformat(),
    }
    saved = {k: os.environ.get(k) for k in environment}
    os.environ.update(environment)
    get_settings.cache_clear()
    dispose_engines()
    upgrade(url)
    load_demo(OPERATOR)
    load_demo_credits(OPERATOR)
    load_demo_tasks(OPERATOR)
    load_demo_kb(OPERATOR)
    load_demo_billing(OPERATOR)
    load_demo_plans(OPERATOR)
    load_demo_forum(OPERATOR)
    load_demo_products(OPERATOR)
    harness = PortalHarness.create(root=PROJECT_ROOT, app_name="opsportal")
    harness.frontend_port = pages_port
    try:
        harness.start()
        # Mail to the support address goes on to the portal, as the production MTA's would (ticket replies by e-mail).
        mail_sink.forward_to(Forward(url=get_config().api_url.rstrip("/") + "/api/mail/inbound",
                                     token=get_settings().inbound_token,
                                     support_domain=get_settings().support_address.rpartition("@")[2]))
        stripe_sandbox.set_webhook(get_config().api_url.rstrip("/") + "/api/stripe/webhook",
                                   stripe_sandbox.webhook_secret)
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
