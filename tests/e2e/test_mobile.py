"""The main pages on a phone (390 x 844): nothing scrolls sideways, tables keep their key columns in view, and
the navigation opens from a named menu button, by keyboard too.

Set ``OPSPORTAL_E2E_SHOTS`` to a directory to keep a screenshot of every page (to look at them).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from opsportal import routes
from opsportal.services import invoice_views, kb, tasks
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import list_organizations
from tests.e2e.browser import OWNER, STAFF, sign_in
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_notices import FABRIKAM_OWNER, _delivery

PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("OPSPORTAL_E2E_SHOTS", "")


@dataclass(frozen=True)
class Screen:
    path: str
    heading: str | re.Pattern
    # Column headers that must be on screen (not scrolled off or hidden) at 390 px.
    key_columns: tuple[str, ...] = ()
    ready: str = ""  # a CSS selector that is there once the page's data has loaded
    # Controls (CSS selectors) that must fit on the screen whole.
    inside: tuple[str, ...] = ()
    # Tables (CSS selectors) that must fit the screen, not scroll sideways inside their own box; one the page does
    # not show (e.g. no rows to list) is skipped.
    fits: tuple[str, ...] = ()


@pytest.fixture(scope="module")
def ids(portal) -> dict[str, object]:
    northwind = list_organizations(OPERATOR, search="Northwind Holdings").items[0].id
    task = tasks.list_tasks(OPERATOR, northwind, tab="closed", sort="time").items[0].id  # one with time entries
    invoice = invoice_views.list_invoices(OPERATOR, northwind).page.items[0].id
    article = kb.search(OPERATOR, "").items[0].slug
    return {"org": northwind, "task": task, "invoice": invoice, "article": article}


def _customer_screens(ids) -> list[Screen]:
    return [
        Screen(routes.DASHBOARD, "Dashboard", ready="#org-name"),
        Screen(routes.TASKS, "Tasks", key_columns=("Task", "Status"), ready="table"),
        Screen(routes.NEW_TICKET, re.compile("ticket", re.I), ready="form"),
        Screen(routes.task(ids["task"]), re.compile(r"^Task #\d+"), key_columns=("Date", "Time", "Paid by"),
               ready="#time-entries table"),
        Screen(routes.CREDITS, "Hours & Credits", ready="table", inside=("#product-select",)),
        Screen(routes.PLANS, re.compile("plan", re.I), key_columns=("Plan", "Last day", "Renews on"),
               ready="table"),
        Screen(routes.INCIDENT_REQUEST, re.compile("incident", re.I)),
        Screen(routes.INVOICES, "My Invoices", key_columns=("Invoice", "Outstanding", "Status"), ready="table"),
        Screen(routes.invoice(ids["invoice"]), re.compile(r"^Invoice INV-"), ready="#invoice-status"),
        Screen(routes.BUY_HOURS, "Buy hours and credits", key_columns=("Bought", "Amount", "Status"),
               ready="#hour-block-purchases", fits=("#hour-block-purchases",)),
        Screen(routes.organization(ids["org"]), "Organization", ready="#organization-name"),
        # The colleagues' matrix (one column per notice) turns into one card per colleague.
        Screen(routes.NOTIFICATIONS, "Notifications", ready="#organization-subscriptions-cards",
               fits=("#organization-subscriptions-cards",)),
        Screen(routes.KB, "Knowledge base"),
        Screen(routes.kb_article(ids["article"]), re.compile(".")),
        Screen(routes.ACCOUNT, "Account"),
        Screen(routes.ACTIVITY, "Activity", key_columns=("When", "Who", "What"), ready="#activity-list",
               fits=("#activity-list",)),
    ]


def _staff_screens(ids) -> list[Screen]:
    return [
        Screen(routes.STAFF, "Customers", ready="table"),
        Screen(routes.STAFF_QUEUE, "Queue", key_columns=("Task", "Status"), ready="table"),
        Screen(routes.staff_task(ids["task"]), re.compile(r"^Task"), key_columns=("Day", "Time", "Paid by"),
               ready="#time-entries table"),
        Screen(routes.STAFF_BILLING, "Billing", key_columns=("Number", "Outstanding", "Status"), ready="table"),
        Screen(routes.staff_invoice(ids["invoice"]), re.compile(r"^Invoice")),
        Screen(routes.STAFF_HOUR_BLOCKS, "Hour blocks", key_columns=("Name", "On sale", "Actions"), ready="table",
               fits=("table",)),
        Screen(routes.STAFF_PLANS, re.compile("plan", re.I), key_columns=("Offering", "Status", "Bundle", "Discount"),
               ready="#plan-catalog", fits=("#plan-catalog", "#plan-bundles", "#plans-entitlements", "#plans-audit")),
        Screen(routes.STAFF_NOTICES, re.compile("notice", re.I), key_columns=("Notice", "Status", "Action"),
               ready="#notices-list", fits=("#notices-list",)),
        Screen(routes.STAFF_MAIL, re.compile("mail", re.I)),
        Screen(routes.organization(ids["org"]), "Organization", ready="#organization-name"),
        Screen(f"{routes.CREDITS}?org={ids['org']}", "Hours & Credits", ready="table", inside=("#product-select",)),
        Screen(f"{routes.ACTIVITY}?org={ids['org']}", "Activity", key_columns=("When", "Who", "What"),
               ready="#activity-list", fits=("#activity-list",)),
    ]


def _scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _check(page: Page, base_url: str, screen: Screen, who: str) -> list[str]:
    """What is wrong with one page at phone width ([] when nothing)."""
    page.goto(base_url + screen.path)
    expect(page.get_by_role("heading", level=1, name=screen.heading)).to_be_visible()
    if screen.ready:
        expect(page.locator(screen.ready).first).to_be_attached()
    page.wait_for_timeout(300)  # late rows and fonts settle
    problems = []
    if (width := _scroll_width(page)) > PHONE["width"]:
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > limit + 1 && e.offsetParent !== null)
                 .slice(-3).map(e => e.tagName + '.' + (e.id || e.className))""", PHONE["width"])
        problems.append(f"{screen.path} scrolls sideways ({width} px): {wide}")
    for name in screen.key_columns:
        header = page.get_by_role("columnheader", name=name, exact=True).first
        box = header.bounding_box() if header.is_visible() else None
        if box is None or box["x"] < 0 or box["x"] + box["width"] > PHONE["width"] + 1:
            problems.append(f"{screen.path}: the {name!r} column is not on screen")
    for selector in screen.fits:
        for n in range(page.locator(selector).count()):
            box = page.locator(selector).nth(n).bounding_box()
            if box is not None and (box["x"] < 0 or box["x"] + box["width"] > PHONE["width"] + 1):
                problems.append(f"{screen.path}: {selector} is wider than the screen ({box})")
    for selector in screen.inside:
        box = page.locator(selector).bounding_box()
        if box is None or box["x"] < 0 or box["x"] + box["width"] > PHONE["width"] + 1:
            problems.append(f"{screen.path}: {selector} does not fit on the screen ({box})")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", screen.path.lower()).strip("-") or "dashboard"
        height = page.evaluate("document.documentElement.scrollHeight")
        for n, top in enumerate(range(0, min(height, 6 * PHONE["height"]), PHONE["height"])):
            clip = {"x": 0, "y": top, "width": PHONE["width"], "height": min(PHONE["height"], height - top)}
            page.screenshot(path=str(Path(SHOTS) / f"{who}-{slug}-{n}.png"), full_page=True, clip=clip)
    return problems


@pytest.mark.scale_out
def test_no_customer_page_scrolls_sideways_on_a_phone_and_tables_keep_their_key_columns(page: Page, base_url, ids):
    page.set_viewport_size(PHONE)
    sign_in(page, base_url, OWNER)
    problems = [p for screen in _customer_screens(ids) for p in _check(page, base_url, screen, "customer")]
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def unconfirmed(portal) -> None:
    """A notice a crashed run left unconfirmed, so that the notices page has a row with actions."""
    _delivery(FABRIKAM_OWNER, status="sending", attempts=1, error="", period="2018-11")


@pytest.mark.scale_out
def test_no_staff_page_scrolls_sideways_on_a_phone_and_tables_keep_their_key_columns(page: Page, base_url, ids,
                                                                                      unconfirmed):
    page.set_viewport_size(PHONE)
    sign_in(page, base_url, STAFF)
    problems = [p for screen in _staff_screens(ids) for p in _check(page, base_url, screen, "staff")]
    assert not problems, "\n".join(problems)


def test_on_a_phone_the_named_menu_button_opens_the_navigation_by_keyboard(page: Page, base_url):
    page.set_viewport_size(PHONE)
    sign_in(page, base_url, OWNER)
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    navigation = page.get_by_role("navigation", name="Main")
    tasks_link = navigation.get_by_role("link", name="Tasks")
    expect(tasks_link).to_be_visible()
    assert axe_violations(page) == [], "the open menu"
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "customer-menu-open.png"))
    tasks_link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Tasks")).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")


def test_on_a_phone_a_row_s_actions_open_from_its_named_menu_by_keyboard(page: Page, base_url):
    page.set_viewport_size(PHONE)
    sign_in(page, base_url, STAFF)
    page.goto(base_url + routes.STAFF_HOUR_BLOCKS)
    menu = page.get_by_role("button", name="Actions for Standard block (USD)")
    expect(menu).to_be_visible()
    expect(page.get_by_role("button", name="Edit Standard block (USD)")).to_be_hidden()  # the wide screens' buttons
    menu.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menuitem", name="Edit")).to_be_visible()
    expect(page.get_by_role("menuitem", name="Take off sale")).to_be_visible()
    page.keyboard.press("Enter")  # the first item has the focus
    expect(page.get_by_role("dialog")).to_contain_text("Standard block")
