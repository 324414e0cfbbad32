"""The portal's dark appearance holds WCAG AA on whole pages with filter selects, for staff and customers:
controls take their colours from the theme's tokens, never a hard-coded light background."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.browser import OWNER, STAFF, sign_in
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_bell import force_dark


def look_dark(page: Page) -> list[str]:
    force_dark(page)
    page.wait_for_timeout(300)  # the colours' transitions
    return axe_violations(page)


def test_the_staff_queue_with_its_filter_selects_has_no_accessibility_violations_in_dark(page: Page, base_url):
    sign_in(page, base_url, STAFF)
    page.goto(f"{base_url}/staff/queue")
    expect(page.locator("#queue-status")).to_be_visible()
    violations = look_dark(page)
    page.screenshot(path="/tmp/dark-queue.png", full_page=True)
    assert violations == []


def test_a_customers_task_list_with_its_filter_selects_has_no_accessibility_violations_in_dark(
        page: Page, base_url):
    sign_in(page, base_url, OWNER)
    page.goto(f"{base_url}/tasks")
    expect(page.locator("#task-status")).to_be_visible()
    violations = look_dark(page)
    page.screenshot(path="/tmp/dark-tasks.png", full_page=True)
    assert violations == []
