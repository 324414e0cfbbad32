"""The scale-out configuration: PostgreSQL as database and Redis as Reflex's state manager.

Reflex keeps one config per process, so scripts/test.sh runs this module in a pytest process
of its own with OPSPORTAL_E2E_DATABASE=postgresql and OPSPORTAL_REDIS_URL set.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from opsportal.db import get_engine
from tests.e2e.browser import E2E_DATABASE, OWNER, sign_in

pytestmark = [
    pytest.mark.scale_out,
    pytest.mark.skipif(
        not (E2E_DATABASE == "postgresql" and os.environ.get("OPSPORTAL_REDIS_URL")),
        reason="scale-out run only: scripts/test.sh runs it with PostgreSQL and Redis",
    ),
]


def test_owner_signs_in_on_postgresql_with_state_kept_in_redis(page: Page, portal, base_url):
    from reflex.istate.manager.redis import StateManagerRedis

    assert isinstance(portal.app_instance.state_manager, StateManagerRedis)
    assert get_engine().dialect.name == "postgresql"
    sign_in(page, base_url, OWNER)
    expect(page.locator("#org-name")).to_have_text("Northwind Holdings")
    page.reload()
    expect(page.locator("#org-name")).to_have_text("Northwind Holdings")
