"""Service levels in Chromium: a customer reads when the first response is due and, once an agent replies (without
a reload), how long it took; the staff queue sorted by time to breach flags breached and near-breach tasks in words;
the breach report lists the month's breaches.

The organizations here hold Gold with Everyday After-Hours, so an urgent ticket's clock runs around the clock and
nothing depends on the hour the tests run at. Set ``OPSPORTAL_SCREENSHOT_DIR`` to keep screenshots.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from opsportal.services import plan_catalog, tasks
from opsportal.services.operator import OPERATOR
from tests.e2e.browser import STAFF, sign_in
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_tasks_customer import LIVE, Customer, agent, assert_not_reloaded, new_customer, remember_page

SHOTS = os.environ.get("OPSPORTAL_SCREENSHOT_DIR")
__all__ = ["agent"]  # the module fixture, reused


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"sla-{name}.png"), full_page=True)


def covered_customer(label: str) -> Customer:
    customer = new_customer(label)
    start = datetime.now(UTC).date() - timedelta(days=2)
    plan_catalog.set_org_regions(OPERATOR, customer.org_id, "EMEA", ())
    for code in ("gold", "everyday_after_hours"):
        plan_catalog.grant_entitlement(OPERATOR, customer.org_id, code, start, note="E2E contract")
    return customer


def urgent_ticket(customer: Customer, subject: str, *, opened_ago: timedelta = timedelta(0),
                  priority: str = "urgent") -> int:
    return tasks.create_ticket(customer.actor, subject=subject, category="Infrastructure", priority=priority,
                               description=f"{subject}: the whole office is affected.",
                               at=datetime.now(UTC) - opened_ago).id


@pytest.mark.scale_out
def test_customer_sees_the_first_response_due_and_then_how_long_the_agents_reply_took(page: Page, base_url, agent):
    customer = covered_customer("SLA Co")
    task_id = urgent_ticket(customer, "Core switch down", opened_ago=timedelta(minutes=12))
    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}/tasks/{task_id}")
    box = page.locator("#task-sla")
    expect(box.locator("#sla-first")).to_have_text(re.compile(r"^First response due by \w{3} \d{1,2} \w{3}, "
                                                              r"\d{2}:\d{2} \S+$"))
    expect(box.locator("#sla-first-badge")).to_have_text("Due soon")  # under 1 business hour left
    expect(box.locator("#sla-resolution")).to_contain_text("Resolution due by")
    expect(box.locator("#sla-policy")).to_contain_text("first response within 1 hour")
    shot(page, "task-due")
    remember_page(page)

    tasks.add_comment(agent, task_id, "On my way to the server room.")

    expect(box.locator("#sla-first")).to_have_text(re.compile(r"^Responded in 1[2-9] min$"), timeout=LIVE)
    expect(box.locator("#sla-first-badge")).to_have_text("Met")
    assert_not_reloaded(page)
    assert axe_violations(page) == []
    shot(page, "task-responded")


def test_the_queue_sorted_by_time_to_breach_puts_a_breached_task_first_with_a_worded_badge(page: Page, base_url):
    customer = covered_customer("Breach Co")
    later = urgent_ticket(customer, "Printer jammed", priority="high")  # 4 h to answer
    near = urgent_ticket(customer, "Firewall failing over", opened_ago=timedelta(minutes=30))
    breached = urgent_ticket(customer, "Mail server down", opened_ago=timedelta(hours=2))
    sign_in(page, base_url, STAFF)
    page.goto(f"{base_url}/staff/queue?org={customer.org_id}")
    page.get_by_label("Sort by").select_option(label="Time to breach")
    rows = page.locator("main tbody tr")
    expect(rows.first).to_contain_text("Mail server down")
    expect(rows.nth(0)).to_contain_text("Breached")
    expect(rows.nth(0)).to_contain_text(re.compile(r"Response overdue by \d+ h?"))
    expect(rows.nth(1)).to_contain_text("Firewall failing over")
    expect(rows.nth(1)).to_contain_text("Due soon")
    expect(rows.nth(2)).to_contain_text("Printer jammed")
    expect(rows.nth(2)).not_to_contain_text("Due soon")
    assert axe_violations(page) == []
    shot(page, "queue")
    assert {later, near, breached}

    page.get_by_role("link", name="Service levels").click()
    expect(page.locator("#sla-summary")).to_contain_text("missed their target")
    expect(page.locator("#sla-breaches")).to_contain_text("Mail server down")
    expect(page.locator("#sla-by-org")).to_contain_text(customer.org_name)
    assert axe_violations(page) == []
    shot(page, "report")
