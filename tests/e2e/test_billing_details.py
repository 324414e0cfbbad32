"""Billing details in Chromium: a billing contact fixes the organization's billing address and tax ID on the
organization page (a bad tax ID is answered under its field, and the message clears once it is fixed), then
downloads the PDF of an invoice issued after the edit, which shows them under Bill to."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from opsportal import routes
from opsportal.db import unit_of_work
from opsportal.services import invoice_staff
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from opsportal.services.orgtree import require_by_name
from tests.e2e.browser import sign_in
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_billing import BILLING
from tests.e2e.test_plans import RETAIL_OWNER, retail_on_gold  # noqa: F401 (a fixture)
from tests.utils.pdf import pdf_text

ADDRESS = "Northwind Holdings Ltd\nAttn: Accounts Payable\n1 Quay Street\nLondon EC1A 1AA\nUnited Kingdom"
TAX_ID = "GB 123 4567 89"
SHOTS = Path(os.environ.get("OPSPORTAL_E2E_SCREENSHOTS", "/tmp/opsportal-e2e-shots"))


def _shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#billing-details").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_a_billing_contact_edits_the_billing_details_and_the_invoice_pdf_shows_them(page: Page, base_url):
    sign_in(page, base_url, BILLING)
    page.get_by_role("link", name="Organization").first.click()
    expect(page).to_have_url(re.compile(r"/organizations/\d+/?$"))
    expect(page.get_by_role("heading", name="Billing details")).to_be_visible()

    address = page.get_by_label("Billing address")
    tax_id = page.get_by_label("Tax ID")
    address.fill(ADDRESS)
    tax_id.fill("GB#123")
    page.get_by_role("button", name="Save billing details").click()
    problem = page.locator("#billing-tax-id-error")
    expect(problem).to_have_text("Tax ID: use letters, digits, spaces and - . / only.")
    expect(tax_id).to_have_attribute("aria-invalid", "true")
    assert axe_violations(page) == [], "billing details with a field's message"
    tax_id.fill(TAX_ID)
    expect(problem).to_have_text("")  # cleared as the field is fixed, before saving again

    page.get_by_role("button", name="Save billing details").click()
    expect(page.locator("#billing-details-message")).to_contain_text("Billing details saved")
    _shoot(page, "billing-details-desktop.png")
    page.set_viewport_size({"width": 390, "height": 844})
    _shoot(page, "billing-details-390.png")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    page.set_viewport_size({"width": 1280, "height": 800})

    page.reload()
    expect(page.get_by_label("Tax ID")).to_have_value(TAX_ID)
    expect(page.get_by_label("Billing address")).to_have_value(ADDRESS)

    # An invoice keeps the details it was issued with: the next one issued carries the new ones.
    with unit_of_work(write=False) as session:
        org_id = require_by_name(session, "Northwind Holdings").id
    issued = invoice_staff.create_pre_service_invoice(OPERATOR, org_id, [ItemInput("Network review", 1, 10_000)])
    page.goto(base_url + routes.invoice(issued.id))
    expect(page.locator("#invoice-status")).to_contain_text("Pending")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    body = Path(info.value.path()).read_bytes()
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "invoice.pdf").write_bytes(body)
    text = pdf_text(body)
    bill_to = text[text.index("BILL TO"):].splitlines()[1:8]
    assert bill_to == ["Northwind Holdings", *ADDRESS.splitlines(), f"Tax ID: {TAX_ID}"]
    assert "by bank transfer" in " ".join(text.split()) and "BANK TRANSFER" in text


# Northwind Logistics: 8.25 % tax in the demo, no plan yet (the plan tests use Northwind Retail).
LOGISTICS_OWNER = "lena.fischer@logistics.northwind.example"


def test_a_plan_term_shown_with_tax_is_exactly_what_checkout_asks_for(page: Page, base_url):
    sign_in(page, base_url, LOGISTICS_OWNER)
    page.goto(base_url + "/plans")
    gold = page.locator("#offer-gold")
    expect(gold.get_by_text("Tax (8.25%)")).to_be_visible()
    total = re.search(r"USD ([\d,]+\.\d\d)", gold.locator("#offer-gold-total").inner_text()).group(1)
    SHOTS.mkdir(parents=True, exist_ok=True)
    gold.screenshot(path=str(SHOTS / "plan-offer-desktop.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    gold.screenshot(path=str(SHOTS / "plan-offer-390.png"))
    page.set_viewport_size({"width": 1280, "height": 800})

    accept = page.locator("#terms-acceptance").get_by_label(re.compile(r"^I accept the support terms"))
    accept.click()  # every purchase accepts the current support terms (a controlled checkbox)
    expect(accept).to_be_checked()
    gold.get_by_role("button", name="Buy Gold Support").click()
    expect(page.get_by_role("button", name=re.compile(r"^Pay "))).to_contain_text(total)


@pytest.mark.usefixtures("retail_on_gold")
def test_the_incident_form_prices_the_expected_units_with_the_tax_its_invoice_carries(page: Page, base_url):
    # Pay-per-incident is offered only with Gold in force: Northwind Retail (8.25 % tax) on Gold.
    sign_in(page, base_url, RETAIL_OWNER)
    page.goto(base_url + "/plans/incident")
    price = page.locator("#incident-price")
    expect(price).to_contain_text(re.compile(r"= USD [\d,]+\.\d\d \+ 8\.25% tax USD [\d,]+\.\d\d = USD [\d,]+\.\d\d$"))
    page.get_by_label("Expected time units (hours)").fill("3")
    expect(price).to_contain_text("3 × ")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    price.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "incident-price-390.png"))
