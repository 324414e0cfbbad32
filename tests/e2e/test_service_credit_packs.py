"""Service credits bought by card in Chromium: a customer short of credits on /services follows the offer to the
pack that covers them, pays on Stripe's checkout, requests the service with the credits, cancels the request and
sees them come back; an open /services page follows staff and purchases made elsewhere without a reload."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from opsportal import routes
from opsportal.services import auth as auth_service
from opsportal.services import credits, prepaid, services_catalog
from opsportal.services.demo import DEMO_PASSWORD
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import create_organization
from opsportal.services.users import create_user
from tests.e2e.browser import path_is, sign_in
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_billing import CONFIRMED, pay_on_checkout
from tests.utils.stripe_sandbox import SUCCEEDS

HEALTH_CHECK = "Health check"  # the demo catalog's, 12 credits


@pytest.fixture
def owner(portal) -> str:
    """A new USD organization of its own holding 4 service credits, and its owner's e-mail address."""
    suffix = uuid.uuid4().hex[:8]
    org = create_organization(OPERATOR, name=f"Adatum Labs {suffix}")
    prepaid.set_hourly_rate(OPERATOR, org.id, hourly_rate_minor=12_000, currency="USD")
    email = f"ada.{suffix}@adatum.example"
    create_user(OPERATOR, email=email, role="owner", organization_name=org.name, password=DEMO_PASSWORD,
                full_name="Ada Lindqvist")
    credits.grant(OPERATOR, org_id=org.id, product="service_credits", quantity=4, kind="complimentary",
                  expires=None, shared=False)
    return email


def _card(page: Page, name: str):
    return page.locator(".catalog-service").filter(has=page.get_by_role("heading", name=name))


def test_a_customer_short_of_credits_buys_the_covering_pack_by_card_requests_the_service_and_cancels_it(
        page: Page, base_url, owner):
    sign_in(page, base_url, owner)
    page.goto(base_url + routes.SERVICES)
    expect(page.locator("#services-available")).to_have_text("4 credits")
    health = _card(page, HEALTH_CHECK)
    expect(health).to_contain_text("Not enough service credits: 4 credits available, this service costs 12 credits "
                                   "— 8 credits missing.")
    page.screenshot(path="/tmp/credits-services-short.png", full_page=True)

    health.get_by_role("link", name=f"Buy 25 credits for {HEALTH_CHECK}").click()
    path_is(page, base_url, routes.BUY_HOURS)
    expect(page.locator("#credits-needed")).to_have_text(
        "You are 8 credits short for the service you chose: the highlighted pack covers them.")
    pack = page.locator(".hour-block").filter(has=page.get_by_role("heading", name="Credit pack 25"))
    expect(pack).to_contain_text("Covers what you are missing")
    expect(pack).to_contain_text("USD 100.00 per credit")
    page.screenshot(path="/tmp/credits-buy-page.png", full_page=True)
    assert axe_violations(page) == [], "buy page with a pack picked"

    pack.get_by_role("button", name="Buy 25 credits").click()
    pay_on_checkout(page, SUCCEEDS)
    expect(page.locator("#hours-added")).to_contain_text("25 credits added", timeout=CONFIRMED)

    page.get_by_role("link", name="Services catalog").click()
    path_is(page, base_url, routes.SERVICES)
    expect(page.locator("#services-available")).to_have_text("29 credits")
    _card(page, HEALTH_CHECK).get_by_role("button", name=f"Request {HEALTH_CHECK}").click()
    page.get_by_role("dialog").get_by_role("button", name="Request service").click()
    expect(page.locator("#services-notice")).to_contain_text(f"Requested {HEALTH_CHECK}")
    expect(page.locator("#services-available")).to_have_text("17 credits")

    requests = page.get_by_role("table", name="Your organization's service requests")
    requests.get_by_role("button", name=re.compile(rf"^Cancel request #\d+ for {HEALTH_CHECK}")).click()
    expect(page.locator("#services-notice")).to_contain_text(
        re.compile(rf"Cancelled your request for {HEALTH_CHECK}: task #\d+ is closed and its 12 credits are "
                   r"available again\."))
    expect(page.locator("#services-available")).to_have_text("29 credits")
    expect(requests.get_by_role("row").nth(1)).to_contain_text("Cancelled")
    expect(requests.get_by_role("button", name=re.compile("^Cancel request"))).to_have_count(0)
    assert axe_violations(page) == [], "services after a cancel"
    page.screenshot(path="/tmp/credits-services-after.png", full_page=True)


def test_an_open_services_page_follows_a_staff_cancel_and_credits_granted_elsewhere_without_reload(
        page: Page, base_url, owner):
    customer = auth_service.sign_in(email=owner, password=DEMO_PASSWORD).actor
    health = next(s for s in services_catalog.catalog_for(customer, customer.organization_id).services
                  if s.name == HEALTH_CHECK)
    sign_in(page, base_url, owner)
    page.goto(base_url + routes.SERVICES)
    expect(page.locator("#services-available")).to_have_text("4 credits")

    credits.grant(OPERATOR, org_id=customer.organization_id, product="service_credits", quantity=20,
                  kind="purchased", expires=None, shared=False)
    expect(page.locator("#services-available")).to_have_text("24 credits")
    expect(_card(page, HEALTH_CHECK).get_by_role("button", name=f"Request {HEALTH_CHECK}")).to_be_visible()

    made = services_catalog.request_service(customer, service_id=health.id)
    expect(page.locator("#services-available")).to_have_text("12 credits")
    requests = page.get_by_role("table", name="Your organization's service requests")
    expect(requests.get_by_role("row").nth(1)).to_contain_text("In play")

    services_catalog.cancel_request(OPERATOR, made.id, reason="Booked twice.")
    expect(requests.get_by_role("row").nth(1)).to_contain_text("Cancelled")
    expect(page.locator("#services-available")).to_have_text("24 credits")
