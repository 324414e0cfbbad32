"""The billing pages and dialogs pass axe-core's WCAG 2.1 A/AA rules."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.browser import STAFF, path_is, sign_in
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_billing import BILLING


def test_customer_billing_pages_have_no_accessibility_violations(page: Page, base_url):
    sign_in(page, base_url, BILLING)
    page.get_by_role("link", name="My Invoices").click()
    path_is(page, base_url, "/billing/invoices")
    expect(page.locator("#invoices-outstanding")).to_be_visible()
    assert axe_violations(page) == [], "my invoices"
    page.get_by_role("link", name=re.compile(r"^INV-\d{4}-\d+$")).first.click()
    expect(page.locator("#invoice-lines")).to_be_visible()
    assert axe_violations(page) == [], "invoice page"
    page.get_by_role("link", name="Buy hours").click()
    expect(page.get_by_role("button", name="Buy 10 hours")).to_be_visible()
    assert axe_violations(page) == [], "buy hours"


def test_staff_billing_pages_and_dialogs_have_no_accessibility_violations(page: Page, base_url):
    sign_in(page, base_url, STAFF)
    page.get_by_role("link", name="Billing", exact=True).click()
    path_is(page, base_url, "/staff/billing")
    expect(page.get_by_role("link", name=re.compile(r"^INV-\d{4}-\d+$")).first).to_be_visible()
    assert axe_violations(page) == [], "staff billing"
    page.get_by_role("button", name=re.compile("pre-service invoice", re.I)).first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert axe_violations(page) == [], "new pre-service invoice dialog"
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.get_by_role("link", name=re.compile(r"^INV-\d{4}-\d+$")).first.click()
    expect(page.get_by_role("heading", name=re.compile(r"INV-\d{4}-\d+"))).to_be_visible()
    assert axe_violations(page) == [], "staff invoice page"
    page.get_by_role("link", name="Hour blocks").click()
    path_is(page, base_url, "/staff/hour-blocks")
    expect(page.get_by_text("Standard block").first).to_be_visible()
    assert axe_violations(page) == [], "hour blocks"
