"""Small things a customer notices: a confirmation after submitting a ticket, task filters kept in the address,
subsidiaries as links only for those who may open them, and no link a member sees leads to a refusal."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from opsportal import routes
from opsportal.services import checkout_sessions, incidents, invoice_views, plans, subscriptions
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import list_organizations
from opsportal.state import buy_hours, incident_request
from opsportal.state import invoices as invoices_view
from tests.e2e.browser import MEMBER, OWNER, STAFF, path_is, sign_in
from tests.e2e.test_accessibility import axe_violations

# Everything a customer can be told instead of a page's content.
REFUSALS = (
    invoice_views.MEMBERS_REFUSED, checkout_sessions.PAYERS_ONLY, plans.BUYERS_ONLY, incidents.REQUESTERS_ONLY,
    subscriptions.USER_NOT_FOUND, "That organization was not found or you do not have access to it.",
    "Only the organization's owners and administrators may do this.", "This area is for the support team only.",
    "Only staff administrators may do this.", invoices_view.REFUSED, incident_request.REFUSED, buy_hours.REFUSED,
)
REFUSAL_MARKS = "#billing-refused, #incident-refused"


def _org_id(name: str) -> int:
    return list_organizations(OPERATOR, search=name).items[0].id


def _heading(page: Page):
    return page.get_by_role("heading", level=1)


# A confirmation after submitting a ticket


def test_a_submitted_ticket_opens_with_a_confirmation_announced_as_a_status(page: Page, base_url):
    sign_in(page, base_url, OWNER)
    page.goto(base_url + routes.NEW_TICKET)
    subject = f"Printer on floor 2 jams {uuid.uuid4().hex[:6]}"
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Category").select_option("End-user support")
    page.get_by_label("Description", exact=True).fill("Every second page jams since the toner was replaced.")
    page.get_by_role("button", name="Submit ticket").click()
    expect(page).to_have_url(re.compile(re.escape(base_url) + r"/tasks/\d+/?$"))
    ticket_id = re.search(r"/tasks/(\d+)", page.url).group(1)
    status = page.get_by_role("status").filter(has_text="submitted")
    expect(status).to_have_text(re.compile(rf"^Ticket #{ticket_id} submitted\. The support team replies"))
    expect(page.locator("#task-title")).to_have_text(subject)
    assert axe_violations(page) == []


def test_the_submitted_confirmation_is_not_shown_again_when_the_ticket_is_opened_later(page: Page, base_url):
    sign_in(page, base_url, OWNER)
    page.goto(base_url + routes.NEW_TICKET)
    page.get_by_label("Subject").fill(f"Monitor flickers {uuid.uuid4().hex[:6]}")
    page.get_by_label("Category").select_option("End-user support")
    page.get_by_label("Description", exact=True).fill("The left monitor flickers when the dock wakes up.")
    page.get_by_role("button", name="Submit ticket").click()
    expect(page.locator("#ticket-submitted")).to_be_visible()
    page.reload()
    expect(page.locator("#task-title")).to_be_visible()
    expect(page.locator("#ticket-submitted")).to_have_count(0)


# Task filters kept in the address


def test_task_filters_are_kept_in_the_address_through_reload_back_and_a_shared_link(page: Page, base_url, browser):
    sign_in(page, base_url, OWNER)
    page.goto(base_url + routes.TASKS)
    expect(page.get_by_role("table")).to_be_visible()
    page.get_by_role("tab", name="Closed").click()
    page.get_by_label("Sort by").select_option("title")
    page.get_by_label("Search").fill("a")
    expect(page).to_have_url(re.compile(r"/tasks\?tab=closed&q=a&sort=title$"))
    shared = page.url

    page.reload()
    expect(page.get_by_role("tab", name="Closed")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Search")).to_have_value("a")
    expect(page.get_by_label("Sort by")).to_have_value("title")

    page.get_by_role("table").get_by_role("link").first.click()
    expect(page.locator("#task-title")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(shared)
    expect(page.get_by_role("tab", name="Closed")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Search")).to_have_value("a")

    other = browser.new_page()
    try:
        sign_in(other, base_url, MEMBER)
        other.goto(shared)
        expect(other.get_by_role("tab", name="Closed")).to_have_attribute("aria-selected", "true")
        expect(other.get_by_label("Sort by")).to_have_value("title")
        expect(other.get_by_label("Search")).to_have_value("a")
    finally:
        other.close()


def test_clearing_the_task_filters_leaves_a_bare_address(page: Page, base_url):
    sign_in(page, base_url, OWNER)
    page.goto(base_url + routes.TASKS + "?q=zz-no-such-task")
    expect(page.get_by_text("No tasks match these filters.")).to_be_visible()
    page.get_by_role("button", name="Clear filters").click()
    expect(page.get_by_role("table")).to_be_visible()
    path_is(page, base_url, routes.TASKS)
    assert urlsplit(page.url).query == ""


# Subsidiaries


def test_staff_open_a_parents_subsidiaries_from_its_organization_page(page: Page, base_url):
    sign_in(page, base_url, STAFF)
    page.goto(base_url + routes.organization(_org_id("Northwind Holdings")))
    subsidiaries = page.get_by_role("list", name="Subsidiaries")
    expect(subsidiaries.get_by_role("link")).to_have_count(2)
    subsidiaries.get_by_role("link", name="Northwind Retail").click()
    path_is(page, base_url, routes.organization(_org_id("Northwind Retail")))
    expect(page.locator("#organization-name")).to_have_text("Northwind Retail")


def test_a_customer_sees_the_subsidiaries_names_without_links_they_could_not_open(page: Page, base_url):
    sign_in(page, base_url, OWNER)
    for path in (routes.DASHBOARD, routes.organization(_org_id("Northwind Holdings"))):
        page.goto(base_url + path)
        subsidiaries = page.get_by_role("list", name="Subsidiaries")
        expect(subsidiaries.get_by_role("listitem")).to_have_text(["Northwind Logistics", "Northwind Retail"])
        expect(subsidiaries.get_by_role("link")).to_have_count(0)


# No link a member sees leads to a refusal


def _refusal_on(page: Page) -> str:
    """The refusal the page shows instead of its content, "" when none."""
    marks = page.locator(REFUSAL_MARKS)
    if marks.count():
        return marks.first.inner_text()
    text = page.locator("main").inner_text()
    return next((message for message in REFUSALS if message in text), "")


def _links(page: Page, base_url: str, backend_url: str) -> tuple[set[str], set[str]]:
    """The app's pages the page links to (paths) and its downloads on the backend (full addresses)."""
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    app, backend = urlsplit(base_url), urlsplit(backend_url)
    pages, downloads = set(), set()
    for href in hrefs:
        url = urlsplit(href)
        if (url.scheme, url.netloc) == (app.scheme, app.netloc):
            pages.add((url.path.rstrip("/") or "/") + (f"?{url.query}" if url.query else ""))
        elif (url.scheme, url.netloc) == (backend.scheme, backend.netloc):
            downloads.add(href)
    return pages, downloads


def test_no_link_a_member_sees_leads_to_a_refusal(page: Page, base_url, backend_url):
    sign_in(page, base_url, MEMBER)
    seen_articles = seen_threads = 0
    to_visit, visited, refused, downloads = [routes.DASHBOARD], set(), {}, set()
    while to_visit and len(visited) < 60:
        path = to_visit.pop(0)
        if path in visited:
            continue
        visited.add(path)
        page.goto(base_url + path)
        expect(_heading(page)).to_be_visible()
        page.wait_for_timeout(700)  # the page's data (and any refusal) arrives after its heading
        if message := _refusal_on(page):
            refused[path] = message
            continue
        links, files = _links(page, base_url, backend_url)
        downloads |= files
        for link in sorted(links):
            if link.startswith("/kb/"):
                if seen_articles >= 3:
                    continue  # every article page is the same page
                seen_articles += 1
            if link.startswith("/community/questions/"):
                if seen_threads >= 2:
                    continue  # so is every community thread
                seen_threads += 1
            if link not in visited and link not in to_visit:
                to_visit.append(link)
    for href in sorted(downloads):
        if (status := page.request.get(href).status) != 200:
            refused[href] = f"HTTP {status}"
    assert len(visited) > 8, visited
    assert refused == {}
