"""Billing in the browser: paying invoices and buying hours through the local Stripe sandbox's Checkout page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from opsportal.db import unit_of_work
from opsportal.services import prepaid
from opsportal.services.operator import OPERATOR
from opsportal.services.orgtree import require_by_name
from opsportal.state.task_views import hours
from tests.e2e.browser import MEMBER, OWNER, path_is, sign_in
from tests.utils.stripe_sandbox import DECLINED, SUCCEEDS

BILLING = "bianca.novak@northwind.example"
# Stripe confirms by webhook a second or two after the card is accepted.
CONFIRMED = 30_000


def _northwind_id() -> int:
    with unit_of_work(write=False) as session:
        return require_by_name(session, "Northwind Holdings").id


def open_first_invoice(page: Page, base_url: str, tab: str) -> str:
    """Opens the first invoice of a status tab on My Invoices; its number."""
    page.get_by_role("link", name="My Invoices").click()
    path_is(page, base_url, "/billing/invoices")
    page.get_by_role("tab", name=tab).click()
    # The tab's filter has applied once the first row shows that status (the list answers asynchronously).
    first_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=re.compile(r"^INV-"))).first
    expect(first_row).to_contain_text(tab)
    first_row.get_by_role("link", name=re.compile(r"^INV-\d{4}-\d+$")).click()
    heading = page.get_by_role("heading", name=re.compile(r"^Invoice INV-\d{4}-\d+$"), level=1)
    expect(heading).to_be_visible()
    expect(page.locator("#invoice-status")).to_contain_text(tab)
    return heading.inner_text().removeprefix("Invoice ").strip()


def pay_on_checkout(page: Page, card: str) -> None:
    """Fills Stripe's (the sandbox's) hosted card form and submits it."""
    expect(page.get_by_label("Card number")).to_be_visible()
    page.get_by_label("Card number").fill(card)
    page.get_by_label("Expiry date").fill("12 / 34")
    page.get_by_label("CVC").fill("123")
    page.get_by_label("Name on card").fill("Bianca Novak")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


@pytest.mark.scale_out
def test_the_billing_contact_pays_an_overdue_invoice_with_a_test_card_and_sees_it_paid(page: Page, base_url):
    sign_in(page, base_url, BILLING)
    number = open_first_invoice(page, base_url, "Overdue")
    expect(page.locator("#invoice-status")).to_contain_text("Overdue")
    outstanding = page.locator("#invoice-outstanding").inner_text()

    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    pay_on_checkout(page, SUCCEEDS)

    expect(page.get_by_role("heading", name="Payment received")).to_be_visible(timeout=CONFIRMED)
    page.get_by_role("link", name=re.compile(re.escape(number))).first.click()
    expect(page.locator("#invoice-status")).to_contain_text("Paid", timeout=CONFIRMED)
    expect(page.locator("#invoice-payments")).to_contain_text("Paid")
    assert outstanding.split()[-1] != "0.00"
    expect(page.locator("#invoice-outstanding")).to_contain_text("0.00")


@pytest.mark.scale_out
def test_a_declined_card_shows_stripes_reason_and_the_invoice_stays_open(page: Page, base_url):
    sign_in(page, base_url, OWNER)
    open_first_invoice(page, base_url, "Pending")
    invoice_url = page.url

    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    pay_on_checkout(page, DECLINED)

    expect(page.get_by_role("alert")).to_contain_text("Your card was declined.")
    page.goto(invoice_url)
    history = page.locator("#invoice-payments")
    expect(history).to_contain_text("Declined", timeout=CONFIRMED)
    expect(history).to_contain_text("Your card was declined.")
    expect(page.locator("#invoice-status")).to_contain_text("Pending")


@pytest.mark.scale_out
def test_buying_a_ten_hour_block_raises_the_remaining_hours_by_exactly_600_minutes(page: Page, base_url):
    org_id = _northwind_id()
    before = prepaid.hours_overview(OPERATOR, org_id).remaining_minutes
    sign_in(page, base_url, OWNER)
    expect(page.locator("#remaining-hours")).to_have_text(hours(before))
    page.get_by_role("link", name="Buy hours").click()
    path_is(page, base_url, "/billing/hours")
    page.get_by_role("button", name="Buy 10 hours").click()
    pay_on_checkout(page, SUCCEEDS)

    expect(page.locator("#hours-added")).to_contain_text("10 hours added", timeout=CONFIRMED)
    assert prepaid.hours_overview(OPERATOR, org_id).remaining_minutes == before + 600
    page.get_by_role("link", name="Dashboard").click()
    path_is(page, base_url, "/")
    expect(page.locator("#remaining-hours")).to_have_text(hours(before + 600))


def test_a_member_is_told_invoices_are_for_owners_administrators_and_billing_contacts(page: Page, base_url):
    sign_in(page, base_url, MEMBER)
    expect(page.get_by_role("link", name="My Invoices")).to_have_count(0)
    page.goto(f"{base_url}/billing/invoices")
    expect(page.locator("#billing-refused")).to_contain_text("owners, administrators and billing contacts")
    expect(page.get_by_role("link", name=re.compile(r"^INV-"))).to_have_count(0)


def test_a_staff_administrator_reprices_a_block_and_takes_it_off_sale_and_customers_see_it(page: Page, base_url):
    from tests.e2e.browser import STAFF

    sign_in(page, base_url, STAFF)
    page.goto(base_url + "/staff/hour-blocks")
    page.get_by_role("button", name="Edit Enterprise block (EUR)").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Price (e.g. 1140.00)").fill("3990.00")
    dialog.get_by_role("checkbox", name="On sale").click()
    dialog.get_by_role("button", name="Save block").click()
    expect(dialog).to_have_count(0)
    row = page.get_by_role("row").filter(has_text="Enterprise block").filter(has_text="EUR")
    expect(row).to_contain_text("Not on sale")
    expect(row).to_contain_text("EUR 3,990.00")

    customer = page.context.browser.new_page()
    sign_in(customer, base_url, "fiona.walsh@fabrikam.example")  # Fabrikam pays in EUR
    customer.goto(base_url + "/billing/hours")
    expect(customer.get_by_role("button", name="Buy 10 hours")).to_be_visible()
    expect(customer.get_by_role("button", name="Buy 40 hours")).to_have_count(0)

    page.get_by_role("button", name="Put on sale: Enterprise block (EUR)").click()
    expect(row).to_contain_text("On sale")
    customer.reload()
    expect(customer.get_by_role("button", name="Buy 40 hours")).to_be_visible()
    expect(customer.locator("body")).to_contain_text("EUR 3,990.00")
    customer.close()


@pytest.mark.scale_out
def test_a_staff_administrator_follows_a_billing_run_in_progress_then_runs_a_month_and_sees_the_result(
        page: Page, base_url):
    from datetime import date

    from opsportal.services import jobs
    from tests.e2e.browser import STAFF
    from tests.utils.builders import make_org
    from tests.utils.tasks import log, new_task, set_rate

    # Two organizations of their own with pay-as-you-go time in January 2025 that nobody billed yet.
    for n in (1, 2):
        org = make_org(f"Billing Run Example {n}")
        set_rate(org)
        log(new_task(org), 90, work_date=date(2025, 1, 15))
    # Another worker (or the command line) is billing December 2024.
    other = jobs.start(OPERATOR, "billing", "billing:2024-12", 3)
    jobs.progress(other.id, 1)

    sign_in(page, base_url, STAFF)
    page.goto(base_url + "/staff/billing")
    bar = page.get_by_role("progressbar", name="Billing December 2024: 1 of 3 organizations")
    expect(bar).to_be_visible()
    expect(bar).to_have_attribute("aria-valuenow", "1")
    expect(bar).to_have_attribute("aria-valuemax", "3")
    expect(page.locator("#run-started")).to_contain_text("Started by Operator at ")
    page.get_by_label("Month").fill("2024-12")
    page.get_by_role("button", name="Run billing").click()
    expect(page.get_by_role("alert").filter(has_text="already running")).to_have_text(re.compile(
        r"^A billing run for December 2024 is already running, started by Operator at \d\d:\d\d UTC; "
        r"it is 33% done\.$"))
    jobs.progress(other.id, 2)
    expect(page.get_by_role("progressbar", name="Billing December 2024: 2 of 3 organizations")).to_be_visible()
    jobs.finish(other.id, "Billed 2024-12: 3 invoice(s).")
    expect(page.get_by_role("status").filter(has_text="Billed 2024-12: 3 invoice(s).")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_count(0)
    expect(page.get_by_role("alert").filter(has_text="already running")).to_have_count(0)

    page.get_by_label("Month").fill("2025-01")
    page.get_by_role("button", name="Run billing").click()

    result = page.get_by_role("status").filter(has_text="Billed 2025-01: 2 invoice(s)")
    expect(result).to_contain_text("Billing Run Example 1")
    expect(result).to_contain_text("Billing Run Example 2")
    expect(page.get_by_role("button", name="Run billing")).to_be_enabled()
    latest = jobs.latest(OPERATOR, "billing")
    assert (latest.key, latest.status, latest.done, latest.total) == ("billing:2025-01", "succeeded", 2, 2)
    assert latest.started_by == "Sam Taylor"
