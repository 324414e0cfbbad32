"""The sidebar's navigation in labelled groups: one "Main" navigation landmark whose groups are lists under
headings, the current page marked ``aria-current="page"``, links in reading order, no accessibility
violations in light and dark, for an owner, a member and staff."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.browser import MEMBER, OWNER, STAFF, sign_in
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_bell import force_dark

SHOTS = os.environ.get("OPSPORTAL_E2E_SCREENSHOTS", "")

OWNER_GROUPS = {
    "Support": ["Dashboard", "Tasks", "Contact support", "Knowledge base", "K2 Community"],
    "Hours & billing": ["Hours & Credits", "Buy hours and credits", "My Invoices", "Time sign-off", "Services"],
    "Software": ["Support plan", "Products", "Downloads"],
    "Organization": ["Organization", "Subsidiaries", "Activity", "Notifications", "Account"],
}
STAFF_GROUPS = {
    "Support desk": ["Customers", "Queue", "Service levels", "Ratings"],
    "Billing": ["Billing", "Disputes", "Hour blocks", "Services catalog"],
    "Plans & software": ["Plans", "Products", "Phones & terms"],
    "Content & mail": ["Knowledge base", "K2 Community", "Notices", "Mail"],
    "Records & account": ["Activity", "Account"],
}


def groups(page: Page) -> dict[str, list[str]]:
    """Each section of the main navigation by its heading, with its links' names in order."""
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("heading", level=2).first).to_be_visible()
    found = {}
    for heading in nav.get_by_role("heading", level=2).all():
        section = heading.locator("xpath=..")
        found[heading.text_content().strip()] = [a.text_content().strip() for a in section.get_by_role("link").all()]
    return found


def shoot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"nav-{name}.png"))


def look_light_and_dark(page: Page, name: str) -> None:
    """The whole page passes axe in the portal's light theme and in the dark one."""
    assert axe_violations(page) == [], f"{name}, light"
    shoot(page, f"{name}-light")
    force_dark(page)
    page.wait_for_timeout(300)  # the colours' transitions
    assert axe_violations(page) == [], f"{name}, dark"
    shoot(page, f"{name}-dark")


def test_an_owner_sees_the_navigation_in_four_labelled_groups_with_the_current_page_marked(page: Page, base_url):
    sign_in(page, base_url, OWNER)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    assert groups(page) == OWNER_GROUPS
    expect(nav.get_by_role("heading", name="Hours & billing", level=2)).to_be_visible()  # screen readers jump to it
    nav.get_by_role("link", name="Support plan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Support plan")
    expect(nav.get_by_role("link", name="Support plan")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "false")
    page.goto(base_url + "/plans/incident")  # a page below it keeps its section marked
    expect(nav.get_by_role("link", name="Support plan")).to_have_attribute("aria-current", "page")
    look_light_and_dark(page, "owner")


def test_the_navigation_is_walked_by_keyboard_in_reading_order(page: Page, base_url):
    sign_in(page, base_url, OWNER)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Dashboard").focus()
    order = []
    for _ in range(7):
        order.append(page.evaluate("document.activeElement.textContent.trim()"))
        page.keyboard.press("Tab")
    assert order == ["Dashboard", "Tasks", "Contact support", "Knowledge base", "K2 Community", "Hours & Credits",
                     "Buy hours and credits"]


def test_a_member_sees_the_same_groups_without_billing_and_records(page: Page, base_url):
    sign_in(page, base_url, MEMBER)
    expected = {**OWNER_GROUPS, "Hours & billing": ["Hours & Credits", "Services"],
                "Organization": ["Organization", "Notifications", "Account"]}
    assert groups(page) == expected
    look_light_and_dark(page, "member")


def test_staff_see_their_navigation_in_labelled_groups(page: Page, base_url):
    sign_in(page, base_url, STAFF)
    nav = page.get_by_role("navigation", name="Main")
    assert groups(page) == STAFF_GROUPS
    expect(nav.get_by_role("link", name="Customers")).to_have_attribute("aria-current", "page")
    nav.get_by_role("link", name="Queue").click()
    expect(nav.get_by_role("link", name="Queue")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Customers")).to_have_attribute("aria-current", "false")
    look_light_and_dark(page, "staff")
