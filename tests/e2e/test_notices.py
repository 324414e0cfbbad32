"""Staff see the notices that did not reach their reader and settle them, in Chromium."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain.notifications import MAX_ATTEMPTS
from opsportal.models import NotificationDelivery, User
from tests.e2e.browser import MEMBER, OWNER, STAFF, sign_in
from tests.e2e.test_accessibility import axe_violations

AGENT = "alex.kim@opsportal.example"
FABRIKAM_OWNER = "fiona.walsh@fabrikam.example"


def _delivery(email: str, *, status: str, attempts: int, error: str, period: str) -> int:
    with unit_of_work() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        row = NotificationDelivery(user_id=user.id, organization_id=user.organization_id, kind="monthly_statement",
                                   period_key=period, status=status, attempts=attempts, last_error=error,
                                   to_address=email, subject=f"Your credit statement for {period}",
                                   created_at=clock.now() - timedelta(hours=3),
                                   last_attempt_at=clock.now() - timedelta(hours=2))
        session.add(row)
        session.flush()
        return row.id


@pytest.fixture(scope="module")
def troubled(portal) -> None:
    """Statements given up on and one a crashed run left unconfirmed, for months long past."""
    _delivery(OWNER, status="failed", attempts=MAX_ATTEMPTS, error="550 5.1.1 Mailbox unavailable",
              period="2019-01")
    _delivery(FABRIKAM_OWNER, status="sending", attempts=1, error="", period="2019-02")
    _delivery(MEMBER, status="failed", attempts=MAX_ATTEMPTS, error="552 Mailbox full", period="2019-03")


def test_a_staff_administrator_lets_a_given_up_notice_be_retried_and_settles_an_unconfirmed_one(
        page: Page, base_url, troubled):
    sign_in(page, base_url, STAFF)
    page.get_by_role("link", name="Notices").click()
    listing = page.locator("#notices-list")
    expect(listing).to_contain_text("550 5.1.1 Mailbox unavailable")
    counts = {name: int(page.locator(f"#count-{name}").inner_text()) for name in ("retrying", "gave-up", "unconfirmed")}
    assert counts["gave-up"] >= 2 and counts["unconfirmed"] >= 1  # ours, and any other test's
    assert axe_violations(page) == [], "notices"

    page.get_by_role("button", name=f"Try again: Your credit statement for 2019-01 to {OWNER}").click()
    expect(page.locator("#notices-notice")).to_contain_text("next run of its job")
    expect(page.locator("#count-gave-up")).to_have_text(str(counts["gave-up"] - 1))
    expect(page.locator("#count-retrying")).to_have_text(str(counts["retrying"] + 1))

    page.get_by_role("button", name=f"It was sent: Your credit statement for 2019-02 to {FABRIKAM_OWNER}").click()
    expect(page.locator("#notices-notice")).to_contain_text("Marked as sent")
    expect(page.locator("#count-unconfirmed")).to_have_text(str(counts["unconfirmed"] - 1))
    expect(listing).not_to_contain_text("Your credit statement for 2019-02")  # settled: off the list

    page.get_by_label("Show").select_option(label="All notices")  # the sent ones too
    expect(listing.get_by_text("Sent", exact=True).first).to_be_visible()


def test_an_agent_sees_the_notices_but_cannot_change_them(page: Page, base_url, troubled):
    sign_in(page, base_url, AGENT)
    page.goto(base_url + "/staff/notices")
    expect(page.locator("#notices-list")).to_contain_text("552 Mailbox full")  # the member's given-up statement
    expect(page.locator("#notices-list").get_by_role("button")).to_have_count(0)


def test_a_customer_cannot_open_the_notices_page(page: Page, base_url):
    sign_in(page, base_url, OWNER)
    page.goto(base_url + "/staff/notices")
    expect(page.get_by_role("alert")).to_have_text("This area is for the support team only.")
    expect(page.locator("#notices-list")).to_have_count(0)
