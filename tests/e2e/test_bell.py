"""The bell in the header in Chromium: an agent's reply raises the badge live on any open page, the list shows it,
following it opens the task and the badge drops; the Updates page; no accessibility violations, light and dark."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from opsportal import routes
from opsportal.services import tasks
from tests.e2e.browser import path_is, sign_in
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_tasks_customer import LIVE, agent, assert_not_reloaded, new_customer, new_task, remember_page

__all__ = ["agent"]  # the module-scoped fixture, shared
SHOTS = os.environ.get("OPSPORTAL_SCREENSHOT_DIR", "")


def snap(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"bell-{name}.png"))


def force_dark(page: Page) -> None:
    """The portal's theme is light (rxconfig): switch Radix to its dark appearance to check the bell's colours
    are tokens that hold AA there too."""
    page.evaluate("""() => {
        for (const el of [document.documentElement, ...document.querySelectorAll('.radix-themes')]) {
            el.classList.remove('light', 'light-theme');
            el.classList.add('dark');
        }
    }""")


def test_an_agents_reply_raises_the_badge_live_and_following_its_line_opens_the_task_and_clears_it(
        page: Page, base_url, agent):
    customer = new_customer("Bell Co")
    printer = new_task(customer, "Printer offline on floor 2")
    vpn = new_task(customer, "VPN drops every hour")
    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}/tasks/{vpn}")
    expect(page.locator("#task-title")).to_have_text("VPN drops every hour")
    bell = page.locator("#bell-button")
    expect(bell).to_have_accessible_name("Notifications, none unread")
    expect(page.locator("#bell-badge")).to_have_count(0)
    remember_page(page)

    tasks.add_comment(agent, printer, "Please switch the printer off and on again, then tell us what it shows.")
    expect(bell).to_have_accessible_name("Notifications, 1 unread", timeout=LIVE)
    expect(page.locator("#bell-badge")).to_have_text("1")
    assert_not_reloaded(page)
    snap(page, "badge-light")

    bell.click()
    line = page.locator("#bell-list .bell-line")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("New reply: Printer offline on floor 2")
    expect(line).to_contain_text("Please switch the printer off and on again")
    expect(line).to_contain_text("New:")  # still marked new while the list that showed it is open
    snap(page, "list-light")
    assert axe_violations(page) == [], "open list, light"
    # Shown, so read: the badge drops while the list stays open.
    expect(bell).to_have_accessible_name("Notifications, none unread", timeout=LIVE)

    line.click()
    path_is(page, base_url, routes.task(printer))
    expect(page.locator("#task-title")).to_have_text("Printer offline on floor 2")
    expect(page.locator(".comment-support")).to_contain_text("Please switch the printer off and on again")
    expect(page.locator("#bell-badge")).to_have_count(0)
    assert_not_reloaded(page)


def test_opening_the_task_clears_its_lines_and_the_updates_page_lists_them_all(page: Page, base_url, agent):
    customer = new_customer("Updates Co")
    printer = new_task(customer, "Printer offline on floor 2")
    vpn = new_task(customer, "VPN drops every hour")
    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}{routes.UPDATES}")
    expect(page.locator("main h1")).to_have_text("Updates")
    bell = page.locator("#bell-button")
    expect(bell).to_have_accessible_name("Notifications, none unread")

    tasks.add_comment(agent, printer, "We are on it.")
    tasks.add_comment(agent, vpn, "Which office are you in?")
    expect(bell).to_have_accessible_name("Notifications, 2 unread", timeout=LIVE)
    rows = page.locator("#updates-list li")
    expect(rows).to_have_count(2, timeout=LIVE)  # the page follows the list too
    expect(rows.first).to_contain_text("New reply: VPN drops every hour")
    expect(rows.first).to_contain_text("New")
    snap(page, "updates-light")
    assert axe_violations(page) == [], "updates page"

    page.get_by_role("button", name="Mark as read: New reply: VPN drops every hour").click()
    expect(bell).to_have_accessible_name("Notifications, 1 unread", timeout=LIVE)
    page.get_by_role("link", name="New reply: Printer offline on floor 2").click()
    expect(page.locator("#task-title")).to_have_text("Printer offline on floor 2")
    expect(bell).to_have_accessible_name("Notifications, none unread", timeout=LIVE)

    tasks.add_comment(agent, vpn, "Thanks, the tunnel is fixed.")
    expect(bell).to_have_accessible_name("Notifications, 1 unread", timeout=LIVE)
    bell.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#bell-list .bell-line").first).to_contain_text("Thanks, the tunnel is fixed.")
    force_dark(page)
    snap(page, "list-dark")
    assert axe_violations(page) == [], "open list, dark"
    page.keyboard.press("Escape")
    expect(page.locator("#bell-list")).to_have_count(0)
    expect(bell).to_be_focused()
    # A reply on the task on the screen is seen as it arrives: its line is read at once.
    tasks.add_comment(agent, printer, "The printer is back online.")
    expect(page.locator(".comment-support").last).to_contain_text("The printer is back online.", timeout=LIVE)
    expect(bell).to_have_accessible_name("Notifications, none unread", timeout=LIVE)
    tasks.add_comment(agent, vpn, "Closing this one tomorrow.")
    expect(bell).to_have_accessible_name("Notifications, 1 unread", timeout=LIVE)
    force_dark(page)
    snap(page, "badge-dark")
    assert axe_violations(page) == [], "badge, dark"
