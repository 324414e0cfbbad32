"""The services catalog in Chromium: a customer requests a service with service credits (in play under its
category), staff complete the task (used); members browse without a request button; staff keep the catalog."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from opsportal import routes
from opsportal.domain import formats
from opsportal.services import credit_views, services_catalog
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import resolve_id
from tests.e2e.browser import MEMBER, OTHER_CUSTOMER, STAFF, path_is
from tests.e2e.browser import sign_in as _sign_in
from tests.e2e.test_accessibility import axe_violations

SC = "service_credits"


def _category_value(org_id: int, category: str, *, used: bool) -> int:
    read = credit_views.used_by_category if used else credit_views.in_play_by_category
    return next((c.quantity for c in read(OPERATOR, org_id, product=SC) if c.category == category), 0)


def _credits_row(page: Page, section: str, category: str):
    return page.locator(f"#{section}").get_by_role("row").filter(
        has=page.get_by_role("button", name=re.compile(f"{category}$")))


def sign_in(page: Page, base_url: str, email: str) -> None:
    """Another user in the same tab: the previous user's session cookie goes first (the login page would
    otherwise send a signed-in tab on to its landing page while the form is being filled)."""
    page.context.clear_cookies()
    _sign_in(page, base_url, email)


def test_a_customer_requests_a_health_check_and_sees_it_in_play_then_used_once_staff_complete_it(page: Page,
                                                                                                   base_url):
    org_id = resolve_id(OPERATOR, "Fabrikam Clinics")
    in_play_before = _category_value(org_id, "Infrastructure", used=False)
    used_before = _category_value(org_id, "Infrastructure", used=True)
    available = next(s.available for s in credit_views.summary(OPERATOR, org_id) if s.product == SC)

    sign_in(page, base_url, OTHER_CUSTOMER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Services", exact=True).click()
    expect(page.get_by_role("heading", name="Services", exact=True)).to_be_visible()
    expect(page.locator("#services-available")).to_have_text(formats.credits(available))
    health = page.locator(".catalog-service").filter(has=page.get_by_role("heading", name="Health check"))
    expect(health).to_contain_text("12 credits")
    assert axe_violations(page) == [], "services"

    health.get_by_role("button", name="Request Health check").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Available now: {formats.credits(available)}; after this request: "
                                   f"{formats.credits(available - 12)}.")
    assert axe_violations(page) == [], "request dialog"
    dialog.get_by_label("Notes for the support team (optional)").fill("The file servers first, please.")
    dialog.get_by_role("button", name="Request service").click()
    notice = page.locator("#services-notice")
    expect(notice).to_contain_text(re.compile(r"Requested Health check: task #\d+ is open and 12 credits are in play "
                                              r"for it under Infrastructure\."))
    expect(page.locator("#services-available")).to_have_text(formats.credits(available - 12))
    requests = page.get_by_role("table", name="Your organization's service requests")
    expect(requests.get_by_role("row").nth(1)).to_contain_text("In play")
    task_id = int(re.search(r"#(\d+)", notice.inner_text()).group(1))

    page.get_by_role("link", name="See them on Hours & Credits").click()
    path_is(page, base_url, routes.CREDITS)
    expect(page.locator("#product-select")).to_have_value(SC)
    expect(_credits_row(page, "in-play", "Infrastructure")).to_contain_text(
        formats.credits(in_play_before + 12))

    sign_in(page, base_url, STAFF)
    page.goto(base_url + routes.staff_task(task_id))
    expect(page.locator("#task-status")).to_have_text("Open")
    page.get_by_label("Status", exact=True).select_option("resolved")
    page.get_by_role("button", name="Change status").click()
    settle = page.get_by_role("dialog")
    expect(settle.get_by_label(re.compile("^Service credits used"))).to_have_value("12")
    settle.get_by_role("button", name="Change status and settle").click()
    expect(page.locator("#task-status")).to_have_text("Resolved")

    sign_in(page, base_url, OTHER_CUSTOMER)
    page.goto(base_url + routes.CREDITS + "?product=service_credits")
    expect(_credits_row(page, "used", "Infrastructure")).to_contain_text(formats.credits(used_before + 12))
    if in_play_before:
        expect(_credits_row(page, "in-play", "Infrastructure")).to_contain_text(formats.credits(in_play_before))
    else:
        expect(_credits_row(page, "in-play", "Infrastructure")).to_have_count(0)
    page.get_by_role("link", name="Spend service credits: the services catalog →").click()
    path_is(page, base_url, routes.SERVICES)
    expect(page.get_by_role("table", name="Your organization's service requests").get_by_role("row").nth(1)
           ).to_contain_text("Used")


def test_a_member_reads_the_catalog_without_a_request_button(page: Page, base_url):
    sign_in(page, base_url, MEMBER)
    page.goto(base_url + routes.SERVICES)
    expect(page.get_by_text("your organization's owners and administrators request services")).to_be_visible()
    expect(page.locator(".catalog-service").first).to_be_visible()
    expect(page.locator("main").get_by_role("button", name=re.compile("^Request "))).to_have_count(0)
    expect(page.locator("main").get_by_role("button", name=re.compile("^Ask to buy"))).to_have_count(0)


def test_staff_add_a_service_refusing_bad_input_and_a_customer_short_of_credits_is_told_so(page: Page, base_url):
    sign_in(page, base_url, STAFF)
    page.get_by_role("link", name="Services catalog").click()
    expect(page.get_by_role("heading", name="Services catalog")).to_be_visible()
    page.get_by_role("button", name="Add a service").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("Disaster recovery rehearsal")
    dialog.get_by_label("Price (service credits)").fill("lots")
    dialog.get_by_label("Description").fill("short")
    dialog.get_by_role("button", name="Save service").click()
    expect(dialog).to_contain_text("The price is a whole number of credits from 1 to 10,000.")
    expect(dialog).to_contain_text("Describe the service in 10 to 1,000 characters.")
    assert axe_violations(page) == [], "catalog dialog with errors"
    dialog.get_by_label("Category (the task's)").select_option("Backup & recovery")
    dialog.get_by_label("Price (service credits)").fill("9000")
    dialog.get_by_label("Description").fill("A full rehearsal of your disaster recovery plan with our engineers.")
    dialog.get_by_role("button", name="Save service").click()
    expect(page.locator("#services-notice")).to_have_text(
        "Added Disaster recovery rehearsal: 9,000 credits, Backup & recovery, on offer.")

    sign_in(page, base_url, OTHER_CUSTOMER)
    page.goto(base_url + routes.SERVICES)
    card = page.locator(".catalog-service").filter(has=page.get_by_role("heading",
                                                                        name="Disaster recovery rehearsal"))
    expect(card).to_contain_text("Not enough service credits:")
    expect(card.get_by_role("button", name=re.compile("^Request"))).to_have_count(0)
    card.get_by_role("button", name=re.compile("^Ask to buy .* for Disaster recovery rehearsal$")).click()
    expect(page.locator("#services-notice")).to_contain_text("Asked the support team for more service credits")

    sign_in(page, base_url, STAFF)
    page.goto(base_url + routes.STAFF_SERVICES)
    page.get_by_role("button", name="Retire: Disaster recovery rehearsal").click()
    expect(page.locator("#services-notice")).to_contain_text("Disaster recovery rehearsal is retired")
    assert not any(s.name == "Disaster recovery rehearsal"
                   for s in services_catalog.catalog_for(OPERATOR, resolve_id(OPERATOR, "Fabrikam Clinics")).services)
