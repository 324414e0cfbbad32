"""Phone support and the support terms in the browser: a customer's numbers with whether each line is open now,
in their own time zone; the public terms page; the staff page for numbers, hours and terms.

The portal's coverage clock is fixed at a Saturday 03:00 UTC (tests/e2e/plans_clock.py): every region is outside
business hours, so only an organization with Everyday After-Hours (Fabrikam Clinics, AMER) may call now.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import OTHER_CUSTOMER, OWNER, STAFF, sign_in
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_plans import LOGISTICS_OWNER, look_at


def test_a_gold_customer_sees_their_regions_numbers_closed_at_the_weekend_with_the_next_opening(
        page: Page, base_url):
    sign_in(page, base_url, OWNER)  # Northwind Holdings: Gold in EMEA, a team in AMER without Multi-Regional
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contact support").click()
    expect(page.get_by_role("heading", name="Phone support")).to_be_visible()
    emea = page.locator("#phone-region-EMEA")
    expect(emea).to_contain_text("+44 20 7946 0321")  # written for people; the link dials E.164
    expect(emea.get_by_role("link", name="Main line +44 20 7946 0321")).to_have_attribute(
        "href", "tel:+442079460321")
    expect(page.locator("#phone-status-EMEA")).to_contain_text(
        re.compile(r"Closed — opens Monday at 08:00 (GMT|BST)"))
    expect(emea).to_contain_text("Mon-Fri 08:00-18:00")
    expect(page.locator("#phone-region-AMER")).to_have_count(0)  # AMER's own line needs Multi-Regional
    expect(page.locator("#phone-support")).to_contain_text("Your teams in AMER call your home region's numbers")
    look_at(page, "support-closed")
    assert axe_violations(page) == [], "contact support"

    page.get_by_role("link", name="Submit a ticket").first.click()  # the new-ticket page repeats the lines
    expect(page.locator("#phone-status-EMEA")).to_contain_text("Closed — opens Monday at 08:00")


def test_a_customer_with_everyday_after_hours_may_call_their_home_region_at_the_weekend(page: Page, base_url):
    sign_in(page, base_url, OTHER_CUSTOMER)  # Fabrikam Clinics: Gold and Everyday After-Hours in AMER
    page.goto(base_url + "/support")
    amer = page.locator("#phone-region-AMER")
    expect(amer).to_contain_text("+1 202-555-0143")
    expect(amer).to_contain_text("Toll-free (US and Canada)")
    expect(page.locator("#phone-status-AMER")).to_contain_text("Open now — around the clock")
    expect(page.locator("#phone-status-AMER")).to_contain_text("Everyday After-Hours")
    expect(page.locator("#phone-support")).to_contain_text(re.compile(r"America/New_York \((EST|EDT)\)"))


def test_without_gold_no_number_is_given_and_gold_is_offered(page: Page, base_url):
    sign_in(page, base_url, LOGISTICS_OWNER)  # Northwind Logistics: EMEA, no Gold Support
    page.goto(base_url + "/support")
    expect(page.locator("#phone-needs-gold")).to_contain_text("Phone support comes with Gold Support")
    expect(page.locator("#phone-support")).not_to_contain_text("+44")
    page.get_by_role("link", name="Buy Gold Support on the Support plan page").click()
    expect(page.locator("#offer-gold")).to_be_visible()


def test_the_support_terms_are_readable_without_signing_in(page: Page, base_url):
    page.goto(base_url + "/terms")
    expect(page.get_by_role("heading", name="Terms and conditions for K2 support and maintenance")).to_be_visible()
    expect(page.locator("#terms-version")).to_contain_text("Version 1")
    expect(page.get_by_role("heading", name="2. Premier Support add-ons")).to_be_visible()
    assert axe_violations(page) == [], "terms"


def test_staff_see_the_numbers_and_reject_a_number_that_is_not_international(page: Page, base_url):
    sign_in(page, base_url, STAFF)
    page.goto(base_url + "/staff/support")
    region = page.locator("#staff-region-APAC")
    expect(region).to_contain_text("+852 3001 2345")
    region.get_by_label("Label").fill("Second line")
    region.get_by_label("Number (international, with +)").fill("3001 9999")
    region.get_by_role("button", name="Add number to APAC").click()
    expect(page.get_by_role("alert")).to_contain_text("is not an international phone number")
    expect(region).not_to_contain_text("Second line")
    region.get_by_label("Number (international, with +)").fill("+852 3001 23")
    region.get_by_role("button", name="Add number to APAC").click()
    expect(page.get_by_role("alert")).to_contain_text("+852 3001 23 is not a valid Hong Kong number (+852)")
    expect(region).not_to_contain_text("Second line")
    expect(page.locator("#terms-acceptances")).to_contain_text("Northwind Holdings")  # the demo's Gold purchase
    assert axe_violations(page) == [], "staff phones and terms"


def test_a_staff_edit_of_the_numbers_shows_on_an_open_contact_support_page_without_a_reload(
        page: Page, browser: Browser, base_url):
    sign_in(page, base_url, OTHER_CUSTOMER)  # Fabrikam Clinics calls AMER's lines
    page.goto(base_url + "/support")
    amer = page.locator("#phone-region-AMER")
    expect(amer).to_contain_text("+1 202-555-0143")
    page.evaluate("window.__not_reloaded = true")

    staff = browser.new_context().new_page()
    try:
        sign_in(staff, base_url, STAFF)
        staff.goto(base_url + "/staff/support")
        region = staff.locator("#staff-region-AMER")
        region.get_by_label("Label").fill("Night desk")
        region.get_by_label("Number (international, with +)").fill("001 (202) 555-0188")
        region.get_by_role("button", name="Add number to AMER").click()
        expect(staff.locator("main")).to_contain_text("Added Night desk, +1 202-555-0188, to AMER.")
        expect(region).to_contain_text("Night desk: +1 202-555-0188")

        expect(amer.get_by_role("link", name="Night desk +1 202-555-0188")).to_have_attribute(
            "href", "tel:+12025550188")  # on the customer's open page, within seconds
        assert page.evaluate("window.__not_reloaded") is True
        look_at(page, "support-live-number")

        region.get_by_role("button", name="Remove Night desk +1 202-555-0188").click()  # leave AMER as it was
        expect(region).not_to_contain_text("Night desk")
        expect(amer).not_to_contain_text("Night desk")
    finally:
        staff.context.close()
