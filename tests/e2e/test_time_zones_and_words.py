"""Times in the reader's own zone, named; words instead of status codes; form messages that go as the field is
fixed (Chromium)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from opsportal import routes
from opsportal.domain import formats
from opsportal.services import account_links, agent_work, tasks, users
from opsportal.services import auth as auth_service
from opsportal.services.demo import DEMO_PASSWORD
from opsportal.services.operator import OPERATOR
from tests.e2e.browser import MEMBER, sign_in
from tests.e2e.test_tasks_customer import AGENT_EMAIL, new_customer, new_task

NEW_YORK = "America/New_York"
LOS_ANGELES = "America/Los_Angeles"
CODES = re.compile(r"in_progress|waiting_on_customer|In_progress|Waiting_on_customer")
# Set to a directory to keep screenshots of the pages these tests visit (desktop and 390 px wide).
SHOTS = os.environ.get("OPSPORTAL_SCREENSHOT_DIR", "")


def snap(page: Page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(Path(SHOTS) / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


def test_a_user_in_new_york_reads_a_tasks_times_in_est_and_sees_them_follow_a_new_zone(page: Page, base_url):
    customer = new_customer("Zone Readers")
    users.set_time_zone(customer.actor, NEW_YORK)
    task_id = new_task(customer, "Printer offline on floor 2")
    said = tasks.add_comment(customer.actor, task_id, "Still offline after a restart.")
    detail = tasks.get_task(OPERATOR, task_id)

    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}/tasks/{task_id}")
    opened = formats.instant(detail.created_at, NEW_YORK)
    assert opened.endswith(" EST")
    expect(page.locator("#task-opened")).to_contain_text(opened)
    expect(page.locator("#task-updated")).to_have_text(formats.instant(detail.row.updated_at, NEW_YORK))
    expect(page.locator("#conversation")).to_contain_text(formats.instant(said.created_at, NEW_YORK))
    expect(page.locator("#page-time-zone")).to_have_text("America/New_York (EST)")
    snap(page, "task")

    page.get_by_role("link", name="Account").click()
    choice = page.get_by_label("Time zone", exact=True)
    expect(choice).to_have_value(NEW_YORK)
    expect(choice.locator("option").first).to_have_text("Organization default: UTC (UTC)")
    choice.select_option(LOS_ANGELES)
    page.get_by_role("button", name="Save time zone").click()
    expect(page.locator("#time-zone-result")).to_have_text(
        re.compile(r"Saved\. Times are now shown in America/Los_Angeles \(PST\)\."))
    expect(page.locator("#page-time-zone")).to_have_text("America/Los_Angeles (PST)")
    snap(page, "account")

    page.goto(f"{base_url}/tasks/{task_id}")
    expect(page.locator("#task-updated")).to_have_text(formats.instant(detail.row.updated_at, LOS_ANGELES))
    expect(page.locator("#task-opened")).to_contain_text(" PST")
    page.goto(f"{base_url}/tasks")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Printer offline on floor 2"))
    expect(row).to_contain_text(formats.instant(detail.row.updated_at, LOS_ANGELES))


def test_going_back_to_the_organization_default_is_offered_and_saved(page: Page, base_url):
    customer = new_customer("Zone Default")
    users.set_time_zone(customer.actor, NEW_YORK)
    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}/account")
    choice = page.get_by_label("Time zone", exact=True)
    expect(choice).to_have_value(NEW_YORK)
    choice.select_option("")
    page.get_by_role("button", name="Save time zone").click()
    expect(page.locator("#time-zone-result")).to_contain_text("Times are now shown in UTC (UTC)")
    expect(page.locator("#page-time-zone")).to_have_text("UTC (UTC)")
    assert users.time_zone_setting(customer.actor).chosen is None


def test_a_new_ticket_field_message_goes_as_soon_as_that_field_is_fixed(page: Page, base_url):
    sign_in(page, base_url, MEMBER)
    page.goto(f"{base_url}/tasks/new")
    page.get_by_role("button", name="Submit ticket").click()
    summary = page.get_by_role("alert")
    # Each message names its field by the field's label.
    expect(summary.get_by_role("link")).to_have_text([re.compile(r"^Subject: "), re.compile(r"^Category: "),
                                                      re.compile(r"^Description: ")])
    subject, category = page.get_by_label("Subject"), page.get_by_label("Category")
    description = page.get_by_label("Description", exact=True)
    expect(page.locator("#ticket-subject-error")).to_have_text("Give the ticket a subject.")
    snap(page, "new-ticket-refused")

    subject.fill("Monitor flickers")
    expect(page.locator("#ticket-subject-error")).to_have_text("")
    expect(subject).to_have_attribute("aria-invalid", "false")
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(page.locator("#ticket-category-error")).to_have_text("Choose a category.")  # others stay until fixed

    category.select_option("End-user support")
    expect(page.locator("#ticket-category-error")).to_have_text("")
    expect(category).to_have_attribute("aria-invalid", "false")

    description.fill("short")  # still too short: the message stays
    expect(page.locator("#ticket-description-error")).to_contain_text("at least 10 characters")
    description.fill("The monitor flickers every few seconds since this morning.")
    expect(page.locator("#ticket-description-error")).to_have_text("")
    expect(page.get_by_role("alert")).to_have_count(0)


def test_a_password_field_message_names_the_field_and_goes_when_it_is_edited(page: Page, base_url):
    customer = new_customer("Password Words")
    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}/account")
    page.get_by_label("Current password").fill(DEMO_PASSWORD)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Repeat new password").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#new_password-error")).to_have_text("New password must be at least 10 characters.")
    expect(page.get_by_label("New password", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Current password")).to_have_value(DEMO_PASSWORD)  # nothing typed is thrown away
    page.get_by_label("New password", exact=True).fill("a-long-enough-password")
    expect(page.locator("#new_password-error")).to_have_text("")
    expect(page.get_by_role("alert")).to_have_count(0)


@pytest.mark.parametrize("width", [1280, 390])
def test_no_customer_page_shows_a_status_code_instead_of_words(page: Page, base_url, width):
    customer = new_customer("Status Words")
    agent = auth_service.sign_in(email=AGENT_EMAIL, password=DEMO_PASSWORD).actor
    working, waiting = new_task(customer, "Mail delivery delayed"), new_task(customer, "New starter laptop")
    agent_work.set_status(agent, working, "in_progress")
    agent_work.set_status(agent, waiting, "waiting_on_customer")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, base_url, customer.email)
    shown = {
        "dashboard": routes.DASHBOARD, "tasks": routes.TASKS, "task-in-progress": routes.task(working),
        "task-waiting": routes.task(waiting), "new-ticket": routes.NEW_TICKET, "invoices": routes.INVOICES,
        "buy-hours": routes.BUY_HOURS, "organization": f"/organizations/{customer.org_id}",
        "notifications": routes.NOTIFICATIONS, "kb": routes.KB, "account": routes.ACCOUNT,
    }
    for name, path in shown.items():
        page.goto(base_url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.locator("#page-time-zone")).to_have_text("UTC (UTC)")
        text = page.locator("main").inner_text()
        assert not CODES.search(text), f"{path} shows a status code: {CODES.search(text).group(0)}"
        snap(page, name)
    page.goto(f"{base_url}/tasks/{working}")
    expect(page.locator("#task-status")).to_have_text("In progress")


@pytest.mark.parametrize("width", [1280, 390])
def test_an_invoices_payments_are_timed_in_the_organizations_zone_and_its_figures_read_one_way(
        page: Page, base_url, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, base_url, "bianca.novak@northwind.example")  # no zone of her own: Northwind's home region's
    page.goto(base_url + routes.INVOICES)
    expect(page.locator("#page-time-zone")).to_have_text(re.compile(r"^Europe/London \((GMT|BST)\)$"))
    page.get_by_role("tab", name="Paid").click()
    first = page.get_by_role("row").filter(has=page.get_by_role("link", name=re.compile(r"^INV-"))).first
    expect(first).to_contain_text("Paid")
    days = first.get_by_role("cell", name=re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4}$"))  # "1 Dec 2026", not "01 Dec"
    # Issued and due; on a phone the list keeps status and amount due, and the dates wait for the invoice.
    expect(days).to_have_count(2 if width > 480 else 0)
    snap(page, "invoices-paid")
    first.get_by_role("link", name=re.compile(r"^INV-\d{4}-\d+$")).click()
    payments = page.locator("#invoice-payments")
    expect(payments).to_contain_text(re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d (GMT|BST)"))
    expect(payments).not_to_contain_text("UTC")
    expect(page.locator("#invoice-outstanding")).to_have_text(re.compile(r"^[A-Z]{3} 0\.00$"))
    snap(page, "invoice-paid")


def test_the_invitation_form_names_its_fields_by_their_labels_and_its_message_goes_when_a_field_is_edited(
        page: Page, base_url, mail_sink):
    from tests.e2e.test_notifications import link_path, mail_to

    customer = new_customer("Invite Words")
    address = f"new.{customer.org_id}@customers.example"
    account_links.invite_user(customer.actor, email=address, role="member", organization_id=customer.org_id)
    page.goto(base_url + link_path(mail_to(mail_sink, address, "invites you"), "/invitation"))
    page.get_by_label("Full name").fill("Nia New")
    page.get_by_label("Password", exact=True).fill("one-long-password")
    page.get_by_label("Repeat the password").fill("another-password")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("alert")).to_have_text("Repeat the password does not match Password.")
    page.get_by_label("Repeat the password").fill("one-long-password")
    expect(page.get_by_role("alert")).to_have_count(0)
    page.get_by_label("Full name").fill("   ")  # passes the browser's "required", not the portal's rule
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("alert")).to_have_text("Full name: enter your name (1 to 200 characters).")
    page.get_by_label("Full name").fill("Nia New")
    expect(page.get_by_role("alert")).to_have_count(0)
