"""Support plans in the browser: coverage on the dashboard, an emergency incident paid before it is scheduled,
and the plan pages' accessibility.

The portal's coverage clock is fixed at a Saturday 03:00 UTC (``OPSPORTAL_CLOCK_OVERRIDE``, see
tests/e2e/plans_clock.py): outside business hours in every region, whenever the tests run.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain.plan_catalog import DEFAULT_CATALOG, OfferingCode
from opsportal.services import plan_catalog, support_terms
from opsportal.services.operator import OPERATOR
from opsportal.services.orgtree import require_by_name
from tests.e2e.browser import OWNER, STAFF, path_is, sign_in
from tests.e2e.plans_clock import CLOCK_OVERRIDE
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_billing import pay_on_checkout
from tests.utils.stripe_sandbox import SUCCEEDS

# Northwind Retail's owner: EMEA, Gold Support only (granted here), no after-hours cover; its own tasks and
# invoices, so the other tests' Northwind Holdings figures are untouched.
RETAIL_OWNER = "rita.alvarez@retail.northwind.example"
LOGISTICS_OWNER = "lena.fischer@logistics.northwind.example"
CONFIRMED = 30_000


def price(code: OfferingCode) -> int:
    """The demo catalog's price per 12 months (the demo loads DEFAULT_CATALOG)."""
    return DEFAULT_CATALOG.offering(code).price_minor


@pytest.fixture(scope="module")
def retail_on_gold(portal) -> None:
    with unit_of_work(write=False) as session:
        org_id = require_by_name(session, "Northwind Retail").id
    held = plan_catalog.org_entitlements(OPERATOR, org_id).entitlements
    if not any(e.code == "gold" and not e.revoked for e in held):
        plan_catalog.grant_entitlement(OPERATOR, org_id, "gold", CLOCK_OVERRIDE.date() - timedelta(days=30),
                                       note="End-to-end test: Gold only")


@pytest.mark.scale_out
def test_an_owner_without_after_hours_cover_pays_an_emergency_incident_and_the_task_is_scheduled(
        page: Page, base_url, retail_on_gold):
    sign_in(page, base_url, RETAIL_OWNER)
    headline = page.locator("#coverage-headline")
    expect(headline).to_contain_text("Not covered")
    expect(page.locator("#emergency-rate")).to_contain_text(re.compile(r"[A-Z]{3} [\d,]+\.\d\d per hour"))
    expect(page.locator("#coverage")).to_contain_text("Closed now")

    page.get_by_role("link", name="Request emergency support").click()
    path_is(page, base_url, "/plans/incident")
    expect(page.get_by_label("Emergency support now")).to_be_checked()
    expect(page.locator("#incident-price")).to_contain_text("=")
    page.get_by_label("Title").fill("Order database down after the weekend patch")
    page.get_by_label("Description").fill("The order service cannot reach its database since 02:40; "
                                          "shops cannot take orders.")
    page.get_by_role("button", name="Request and pay").click()  # without the terms accepted: refused, said why
    expect(page.locator("main").get_by_role("alert")).to_contain_text("I accept the support terms (version")
    look_at(page, "incident-terms-refused")
    accept_terms(page)
    page.get_by_role("button", name="Request and pay").click()

    pay_on_checkout(page, SUCCEEDS)
    expect(page.get_by_role("heading", name="Payment received")).to_be_visible(timeout=CONFIRMED)

    page.goto(base_url + "/plans")
    incident = page.locator("#incident-requests")
    expect(incident).to_contain_text("Order database down after the weekend patch")
    incident.get_by_role("link", name=re.compile("Order database down")).click()
    expect(page.locator("#task-title")).to_have_text("Order database down after the weekend patch")
    expect(page.locator("#incident-status")).to_contain_text("Scheduled", timeout=CONFIRMED)
    expect(page.locator("#incident-text")).to_contain_text("Scheduled for")

    task_id = re.search(r"/tasks/(\d+)", page.url).group(1)

    page.goto(base_url + "/")  # the paid emergency covers the organization now (the test clock stands still)
    expect(headline).to_contain_text("After-hours covered by Pay-Per-Incident Emergency After-Hours")
    expect(page.get_by_role("link", name="Request emergency support")).to_have_count(0)

    page.context.clear_cookies()  # the agent sees on their task page that the work is paid and scheduled
    sign_in(page, base_url, STAFF)
    page.goto(f"{base_url}/staff/tasks/{task_id}")
    expect(page.locator("#incident-status")).to_contain_text("Emergency After-Hours: Scheduled")
    expect(page.locator("#incident-invoice")).to_have_attribute("href", re.compile(r"/staff/invoices/\d+$"))
    page.goto(base_url + "/staff/support")  # the acceptance was written with the request, naming what was bought
    expect(page.locator("#terms-acceptances")).to_contain_text(
        re.compile(rf"Northwind Retail.*Pay-Per-Incident Emergency After-Hours for task #{task_id}"))


def accept_terms(page: Page) -> None:
    """Ticks "I accept the support terms (version N)" on the pay-per-incident form, linked to the terms page."""
    box = page.locator("#terms-acceptance")
    expect(box.get_by_role("link", name="Read the terms")).to_have_attribute("href", "/terms")
    accept = box.get_by_label(re.compile(r"^I accept the support terms \(version \d+\)"))
    accept.click()  # a controlled checkbox: checked once the server has it
    expect(accept).to_be_checked()


def test_the_plan_pages_have_no_accessibility_violations(page: Page, base_url, retail_on_gold):
    sign_in(page, base_url, OWNER)
    page.goto(base_url + "/plans")
    expect(page.locator("#plan")).to_be_visible()
    expect(page.locator("#offers")).to_be_visible()
    assert axe_violations(page) == [], "plans"
    page.goto(base_url + "/plans/incident")
    expect(page.get_by_role("button", name="Request and pay")).to_be_visible()
    assert axe_violations(page) == [], "incident request"
    page.goto(base_url + "/")
    expect(page.locator("#coverage-headline")).to_contain_text("Not covered")
    assert axe_violations(page) == [], "dashboard with coverage"


def test_staff_plans_page_has_no_accessibility_violations(page: Page, base_url):
    sign_in(page, base_url, STAFF)
    page.goto(base_url + "/staff/plans")
    expect(page.locator("#plan-catalog")).to_contain_text("Gold Support")
    assert axe_violations(page) == [], "staff plans"


@pytest.mark.scale_out
def test_an_add_on_that_outlives_gold_is_offered_with_the_gold_renewal_and_both_are_bought_in_one_checkout(
        page: Page, base_url, retail_on_gold):
    sign_in(page, base_url, RETAIL_OWNER)  # Retail's Gold ends in 11 months: a 12-month add-on outlives it
    page.goto(base_url + "/plans")
    expect(page.locator("#current-terms")).to_contain_text("Gold Support")
    card = page.locator("#offer-business_day_after_hours")
    expect(card.locator("#offer-business_day_after_hours-with-gold")).to_contain_text(
        "Gold Support is renewed for 12 months")
    summary = card.get_by_role("group", name="Order summary")
    gold, addon = price(OfferingCode.gold), price(OfferingCode.business_day_after_hours)
    expect(summary).to_contain_text(re.compile(r"Gold Support \(renewal\).*" + re.escape(formats.money(gold, "USD"))))
    expect(summary).to_contain_text(re.compile(r"Business-Day After-Hours.*" + re.escape(formats.money(addon, "USD"))))
    expect(summary).to_contain_text(re.compile(r"Subtotal\s*" + re.escape(formats.money(gold + addon, "USD"))))
    total = card.locator("#offer-business_day_after_hours-total").inner_text()  # tax included, as invoiced

    buy = card.get_by_role("button", name="Renew Gold Support and add Business-Day After-Hours")
    buy.click()  # without accepting the support terms nothing is ordered
    expect(card.get_by_role("alert")).to_contain_text("Tick “I accept the support terms (version 1)” to buy.")
    accept = page.locator("#terms-acceptance").get_by_label("I accept the support terms (version 1)")
    accept.click()  # a controlled checkbox: checked once the state has it
    expect(accept).to_be_checked()
    buy.click()
    expect(page.get_by_role("button", name=re.compile(r"^Pay "))).to_contain_text(  # one checkout for both lines
        total.split(" ")[1])
    pay_on_checkout(page, SUCCEEDS)
    expect(page.get_by_role("heading", name="Payment received")).to_be_visible(timeout=CONFIRMED)
    page.goto(base_url + "/plans")
    expect(page.locator("#current-terms")).to_contain_text("Business-Day After-Hours", timeout=CONFIRMED)
    expect(page.locator("#upcoming-terms")).to_contain_text("Gold Support")
    orders = page.locator("#plan-orders")
    expect(orders).to_contain_text("Gold Support, Business-Day After-Hours")
    expect(orders).to_contain_text(total)
    expect(orders).to_contain_text("Active")
    expect(orders.get_by_role("row")).to_have_count(2)  # the header and one order: one checkout for both
    with unit_of_work(write=False) as session:
        retail_id = require_by_name(session, "Northwind Retail").id
    accepted = support_terms.acceptances(OPERATOR, organization_id=retail_id).items
    bought = [(a.version, a.user) for a in accepted if a.plan_order_id is not None]  # not the incidents' (this file)
    assert bought == [(1, "Rita Alvarez")]  # recorded with the order
    assert "Business-Day After-Hours" in accepted[0].purchase


def test_without_gold_pay_per_incident_is_not_offered_and_the_page_says_why_and_offers_gold(page: Page, base_url):
    sign_in(page, base_url, LOGISTICS_OWNER)  # Northwind Logistics: EMEA, no Gold Support
    page.goto(base_url + "/plans")
    for kind in ("scheduled", "emergency"):
        option = page.locator(f"#incident-option-{kind}")
        expect(option).to_contain_text("Not available now")
        expect(option).to_contain_text("there is no active Gold Support in EMEA")
    expect(page.get_by_role("link", name="Request support")).to_have_count(0)
    look_at(page, "plans-without-gold")
    assert axe_violations(page) == [], "plans without Gold"
    expect(page.locator("#offer-gold-summary")).to_contain_text(formats.money(price(OfferingCode.gold), "USD"))
    total = page.locator("#offer-gold-total").inner_text()
    expect(page.locator("#incident-buy-gold")).to_have_text(f"Buy Gold Support ({total})")

    page.goto(base_url + "/plans/incident")  # the request page explains it too, instead of a form
    expect(page.locator("#incident-unavailable")).to_contain_text("no active Gold Support in EMEA")
    expect(page.get_by_role("button", name="Request and pay")).to_have_count(0)
    look_at(page, "incident-without-gold")
    assert axe_violations(page) == [], "incident request without Gold"
    page.get_by_role("link", name="Buy Gold Support").click()
    expect(page.locator("#offer-gold")).to_be_visible()

    page.locator("#accept-terms-incident").click()  # the terms box next to this button (a controlled checkbox)
    expect(page.locator("#accept-terms-incident")).to_be_checked()
    page.locator("#incident-buy-gold").click()  # straight to paying for Gold
    expect(page.get_by_label("Card number")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Pay "))).to_contain_text(total.split(" ")[1])


def test_a_bundle_card_shows_its_price_and_the_saving_against_buying_its_add_ons_separately(page: Page, base_url):
    sign_in(page, base_url, OWNER)
    page.goto(base_url + "/plans")
    bundle = next(b for b in DEFAULT_CATALOG.bundles if b.code == "everyday_global")
    separately = sum(price(code) for code in bundle.addons)
    saving = separately * bundle.discount_bp // 10_000
    card = page.locator("#offer-everyday_global")
    expect(card.locator("#offer-everyday_global-price")).to_contain_text(
        f"{formats.money(separately - saving, 'USD')} per 12 months (with one additional region) instead of "
        f"{formats.money(separately, 'USD')}")
    expect(card).to_contain_text(f"Save {formats.money(saving, 'USD')} ({formats.percent_bp(bundle.discount_bp)})")
    expect(card).to_contain_text("Choose at least one additional region.")
    order = card.get_by_role("button", name=re.compile("this bundle"))
    expect(order).to_be_disabled()
    card.get_by_label("AMER").click()  # a controlled checkbox: checked once the service has priced the choice
    expect(card.get_by_label("AMER")).to_be_checked()
    expect(card).not_to_contain_text("Choose at least one additional region.")
    summary = card.get_by_role("group", name="Order summary")
    expect(summary).to_contain_text(f"Bundle discount ({formats.percent_bp(bundle.discount_bp)})")
    expect(summary).to_contain_text("−" + formats.money(saving, "USD"))
    expect(order).to_be_enabled()
    card.get_by_label("Term").select_option("24")  # the order is repriced for two years before anything is filled
    expect(summary).to_contain_text("−" + formats.money(2 * saving, "USD"))
    expect(summary).to_contain_text(re.compile(r"Everyday After-Hours\s*24 months"))

    look_at(page, "plans-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base_url + "/plans")
    expect(page.locator("#offer-everyday_global")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the plans page scrolls sideways"
    look_at(page, "plans-390")


def look_at(page: Page, name: str) -> None:
    """A full-page screenshot for a person to look at, when OPSPORTAL_E2E_SCREENSHOTS names a directory."""
    if shots := os.environ.get("OPSPORTAL_E2E_SCREENSHOTS"):
        page.screenshot(path=f"{shots}/{name}.png", full_page=True)


def test_staff_grant_and_revoke_an_entitlement_and_both_are_audited(page: Page, base_url):
    sign_in(page, base_url, STAFF)
    page.goto(base_url + "/staff/plans")
    page.get_by_label("Organization", exact=True).select_option(label="Northwind Logistics")
    expect(page.locator("#plans-org-regions")).to_contain_text("EMEA")

    page.get_by_role("button", name="Grant an entitlement").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Offering").select_option(label="Gold Support")
    dialog.get_by_label("Note (e.g. the contract)").fill("Contract 2026-118")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    entitlements = page.locator("#plans-entitlements")
    expect(entitlements).to_contain_text("Gold Support")
    expect(entitlements).to_contain_text("Active")
    expect(page.locator("#plans-audit")).to_contain_text("Entitlement granted")

    page.get_by_role("button", name=re.compile("^Revoke Gold Support")).first.click()
    dialog.get_by_label(re.compile("Reason")).fill("Contract cancelled")
    dialog.get_by_role("button", name="Revoke").click()
    expect(dialog).to_be_hidden()
    expect(entitlements).to_contain_text("Revoked")
    expect(page.locator("#plans-audit")).to_contain_text("Entitlement revoked")
    expect(page.locator("#plans-audit")).to_contain_text("Contract cancelled")

    audit_filter = page.get_by_label("Show changes of")
    audit_filter.select_option(label="Fabrikam Clinics")  # another organization's changes only
    expect(page.get_by_text("Contract cancelled")).to_have_count(0)
    audit_filter.select_option(label="Northwind Logistics")
    expect(page.locator("#plans-audit")).to_contain_text("Contract cancelled")


def test_an_owner_books_a_scheduled_after_hours_window_in_local_time_and_is_sent_to_pay_for_it(
        page: Page, base_url, retail_on_gold):
    sign_in(page, base_url, RETAIL_OWNER)
    page.goto(base_url + "/plans/incident")
    page.get_by_label("Scheduled after-hours window").check()
    expect(page.get_by_label(re.compile(r"^Start time \(.*Europe/London\)"))).to_be_visible()
    saturday = (CLOCK_OVERRIDE + timedelta(days=7)).date()  # a week after the test clock's Saturday
    page.get_by_label("Date").fill(saturday.isoformat())
    page.get_by_label(re.compile("^Start time")).fill("20:00")
    page.get_by_label("Expected time units (hours)").fill("3")
    expect(page.locator("#incident-price")).to_contain_text("3 ×")
    page.get_by_label("Title").fill("Upgrade the order database to 16")
    page.get_by_label("Description").fill("Planned upgrade of the order database cluster, with a rollback plan.")
    accept_terms(page)
    page.get_by_role("button", name="Request and pay").click()

    expect(page.get_by_label("Card number")).to_be_visible()  # Stripe Checkout for the pre-service invoice
    page.goto(base_url + "/plans")
    requests = page.locator("#incident-requests")
    expect(requests).to_contain_text("Upgrade the order database to 16")
    expect(requests).to_contain_text("Awaiting payment")


@pytest.mark.usefixtures("retail_on_gold")
def test_the_scheduled_window_picker_repeats_the_chosen_start_in_the_portals_own_words(page: Page, base_url):
    # Native date and time pickers write the day the browser's way (12/12/2026 in an American browser): the
    # form says the chosen start as every page does, in the region's zone, zone named.
    sign_in(page, base_url, RETAIL_OWNER)
    page.goto(base_url + "/plans/incident?kind=scheduled")
    day = CLOCK_OVERRIDE.date() + timedelta(days=7)
    page.locator("#incident-day").fill(day.isoformat())
    page.locator("#incident-time").fill("21:30")
    words = formats.day(day).split()  # ["12", "Dec", "2026"]
    expect(page.locator("#incident-when")).to_have_text(
        re.compile(rf"^Starts {day:%a} {words[0]} {words[1]}, 21:30 [A-Z][A-Za-z0-9+:]+"))
    expect(page.locator("#incident-day")).to_have_attribute("aria-describedby", "incident-when")
