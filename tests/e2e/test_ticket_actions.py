"""Customers act on their tickets in Chromium: solve and rate one (and staff read the rating on the ratings page),
and copy a colleague on one.

Set ``OPSPORTAL_SCREENSHOT_DIR`` to a directory to keep screenshots of the task page and the ratings page.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from opsportal.services import agent_work
from opsportal.services import auth as auth_service
from opsportal.services.demo import DEMO_PASSWORD
from opsportal.services.operator import OPERATOR
from opsportal.services.users import create_user
from tests.e2e.browser import STAFF, sign_in
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_tasks_customer import AGENT_EMAIL, new_customer, new_task

SHOTS = os.environ.get("OPSPORTAL_SCREENSHOT_DIR")
LIVE = 10_000


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def main(page: Page):
    return page.locator("main")


def test_a_customer_solves_and_rates_a_ticket_and_staff_see_the_rating_per_agent(page: Page, base_url,
                                                                                browser: Browser):
    customer = new_customer("Rating Co")
    task_id = new_task(customer, "Label printer prints blank pages")
    agent = auth_service.sign_in(email=AGENT_EMAIL, password=DEMO_PASSWORD).actor
    agent_work.assign(agent, task_id, agent.user_id)
    comment = f"Sorted within the hour, thanks ({uuid.uuid4().hex[:6]})"

    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}/tasks/{task_id}")
    body = main(page)
    expect(body.get_by_role("heading", name="Manage this ticket")).to_be_visible()
    shot(page, "task-open-with-actions")
    body.get_by_role("button", name="Mark as solved").click()

    expect(body.locator("#task-status")).to_have_text("Resolved", timeout=LIVE)
    expect(body.get_by_text("Marked as solved. Tell us how we did below.")).to_be_visible()
    expect(body.get_by_role("button", name="Reopen")).to_be_visible()
    expect(body.locator("#reopen-note")).to_contain_text("You can reopen it until")
    rating = body.get_by_role("group", name="How satisfied are you with the support you received?")
    rating.get_by_label("Good, I'm satisfied").check()
    body.get_by_label("Comment (optional)").fill(comment)
    body.get_by_role("button", name="Submit rating").click()

    expect(body.get_by_text("Thank you: your rating was saved.")).to_be_visible(timeout=LIVE)
    expect(body.locator("#rating-given")).to_contain_text("Rated Good, I'm satisfied by Casey Jones")
    expect(body.locator("#rating-given")).to_contain_text(comment)
    expect(body.get_by_role("button", name="Change rating")).to_be_visible()
    assert axe_violations(page) == [], "task page, solved and rated"
    shot(page, "task-solved-and-rated")

    staff = browser.new_context().new_page()
    try:
        sign_in(staff, base_url, STAFF)
        staff.get_by_role("link", name="Ratings", exact=True).click()
        expect(staff.get_by_role("heading", name="Satisfaction ratings")).to_be_visible()
        comments = staff.locator("#rating-comments")
        expect(comments).to_contain_text(comment, timeout=LIVE)
        expect(comments.get_by_role("listitem").filter(has_text=comment)).to_contain_text("agent Alex Kim")
        row = staff.get_by_role("row").filter(has=staff.get_by_role("rowheader", name="Alex Kim")).first
        expect(row).to_contain_text(re.compile(r"\d+%"))
        assert axe_violations(staff) == [], "staff ratings page"
        shot(staff, "staff-ratings")
    finally:
        staff.context.close()


def test_a_customer_adds_a_colleague_as_follower_and_removes_them_again(page: Page, base_url):
    customer = new_customer("Follow Co")
    colleague = f"jamie.{uuid.uuid4().hex[:8]}@customers.example"
    create_user(OPERATOR, email=colleague, role="member", organization_name=customer.org_name,
                password=DEMO_PASSWORD, full_name="Jamie Lee")
    task_id = new_task(customer, "Shared drive mapping is missing")

    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}/tasks/{task_id}")
    body = main(page)
    expect(body.get_by_text("Nobody else follows this ticket yet.")).to_be_visible()
    body.get_by_label("Add a colleague").select_option(label=f"Jamie Lee ({colleague})")
    body.get_by_role("button", name="Add follower").click()

    followers = body.get_by_role("list", name="Followers")
    expect(followers).to_contain_text("Jamie Lee", timeout=LIVE)
    expect(body.get_by_text("Jamie Lee now follows this ticket.")).to_be_visible()
    expect(body.get_by_text("Every active colleague already follows this ticket.")).to_be_visible()
    shot(page, "task-with-follower")

    body.get_by_role("button", name="Remove Jamie Lee from the followers").click()
    expect(body.get_by_text("Jamie Lee no longer follows this ticket.")).to_be_visible(timeout=LIVE)
    expect(body.get_by_text("Nobody else follows this ticket yet.")).to_be_visible()


def test_after_the_reopen_window_a_customer_opens_a_follow_up_linked_both_ways_and_sets_its_priority(page: Page,
                                                                                                     base_url):
    customer = new_customer("Follow-up Co")
    old = new_task(customer, "Scanner drops the network")
    agent = auth_service.sign_in(email=AGENT_EMAIL, password=DEMO_PASSWORD).actor
    # Closed more than the 7-day window ago (a day's margin either side of the real clock).
    agent_work.set_status(agent, old, "closed", at=datetime.now(UTC) - timedelta(days=8))

    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}/tasks/{old}")
    body = main(page)
    expect(body.locator("#reopen-note")).to_contain_text("to continue, open a follow-up ticket")
    expect(body.get_by_role("button", name="Reopen")).to_have_count(0)
    body.get_by_role("button", name="Open a follow-up ticket").click()
    body.get_by_label("What do you still need?").fill("Too short")
    body.get_by_role("button", name="Open follow-up ticket").click()
    expect(body.get_by_text("Describe the problem in a sentence or two")).to_be_visible(timeout=LIVE)
    body.get_by_label("What do you still need?").fill("The scanner dropped off the network again this morning.")
    body.get_by_role("button", name="Open follow-up ticket").click()

    expect(page).to_have_url(re.compile(r"/tasks/(\d+)/?$"), timeout=LIVE)
    expect(body.locator("#task-title")).to_have_text("Re: Scanner drops the network", timeout=LIVE)
    new_id = int(re.search(r"/tasks/(\d+)", page.url).group(1))
    assert new_id != old
    expect(body.locator("#follow-up-of")).to_have_text(f"Follow-up of #{old}")
    body.get_by_label("Priority", exact=True).select_option("high")
    body.get_by_role("button", name="Change priority").click()
    expect(body.get_by_text("Priority set to High.")).to_be_visible(timeout=LIVE)
    expect(body.get_by_label("Priority", exact=True)).to_have_value("high")
    assert axe_violations(page) == [], "follow-up task page"
    shot(page, "task-follow-up")

    body.get_by_role("link", name=f"#{old}", exact=True).click()
    expect(body.locator("#follow-ups")).to_contain_text(f"#{new_id}", timeout=LIVE)
