"""Time sign-off in Chromium: a billing contact disputes one entry and approves a task's time, the agent corrects
the disputed entry from the Disputes queue with an answer, and the billing run bills only signed-off time: the
approved entry at once, the corrected one (with its corrected minutes) once resolved, the unreviewed one not yet."""

from __future__ import annotations

import dataclasses
import os
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.models import TimeEntry
from opsportal.services import agent_work, billing_run, prepaid, tasks, time_disputes
from opsportal.services import auth as auth_service
from opsportal.services.authz import Actor
from opsportal.services.demo import DEMO_PASSWORD
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import create_organization
from opsportal.services.users import create_user
from tests.e2e.browser import sign_in
from tests.e2e.test_accessibility import axe_violations

AGENT_EMAIL = "alex.kim@opsportal.example"
SHOTS = os.environ.get("OPSPORTAL_SCREENSHOT_DIR", "")


def snap(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


@pytest.fixture(scope="module")
def agent(portal) -> Actor:
    actor = auth_service.sign_in(email=AGENT_EMAIL, password=DEMO_PASSWORD).actor
    # The work date is today's UTC date: judged on a UTC calendar it is never "in the future".
    return dataclasses.replace(actor, time_zone="UTC")


def _billed_to(entry_id: int) -> int | None:
    with unit_of_work(write=False) as session:
        return session.get(TimeEntry, entry_id).billed_invoice_id


def test_a_billing_contact_disputes_an_entry_the_agent_corrects_it_and_the_run_bills_only_signed_off_time(
        page: Page, browser: Browser, base_url, agent):
    suffix = uuid.uuid4().hex[:8]
    org = create_organization(OPERATOR, name=f"Contoso Dental {suffix}")
    prepaid.set_hourly_rate(OPERATOR, org.id, hourly_rate_minor=12_000, currency="USD")
    email = f"bianca.{suffix}@contoso.example"
    create_user(OPERATOR, email=email, role="billing", organization_name=org.name, password=DEMO_PASSWORD,
                full_name="Bianca Novak")
    customer = auth_service.sign_in(email=email, password=DEMO_PASSWORD).actor

    def task(subject: str) -> int:
        return tasks.create_ticket(customer, subject=subject, category="End-user support", priority="normal",
                                   description=f"{subject}: it started this morning and blocks the front desk.").id

    printer, vpn, backup = task("Printer offline"), task("VPN drops"), task("Backup failed")
    today = clock.now().date()
    period = f"{today:%Y-%m}"
    month_label = today.strftime("%B %Y")
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)

    def log(ticket: int, minutes: int, note: str) -> int:
        return agent_work.log_time(agent, ticket, minutes=minutes, work_date=today, note=note).id

    approved = log(printer, 60, "Replaced the fuser")
    disputed = log(vpn, 45, "Tunnel renegotiation")
    unreviewed = log(backup, 30, "Re-ran the backup job")

    # The billing contact reviews this month's time.
    sign_in(page, base_url, email)
    page.get_by_role("link", name="Time sign-off").first.click()
    expect(page.get_by_role("heading", name="Time sign-off", exact=True)).to_be_visible()
    page.get_by_role("combobox", name="Month").click()
    page.get_by_role("option", name=month_label).click()
    main = page.locator("main")
    expect(main.locator(f"#entry-{disputed}")).to_contain_text("Awaiting review")
    main.get_by_role("button", name=re.compile(rf"Dispute the entry of .* on task #{vpn}$")).click()
    main.get_by_label("Why is this entry wrong?").fill("We had no VPN trouble that day")
    main.get_by_role("button", name="Send dispute").click()
    expect(main.locator(f"#entry-{disputed}")).to_contain_text("Disputed")
    expect(main.locator(f"#entry-{disputed}")).to_contain_text("Your reason: We had no VPN trouble that day")
    main.get_by_role("button", name=f"Approve task #{printer} Printer offline").click()
    expect(main.get_by_text("Approved 1 entry.")).to_be_visible()
    expect(main.locator(f"#entry-{approved}")).to_contain_text("Approved")
    expect(main.locator(f"#entry-{unreviewed}")).to_contain_text("Awaiting review")
    snap(page, "timesheet")
    assert axe_violations(page) == []

    # A run now bills the approved hour only: the dispute is open, the backup time not signed off yet.
    [first] = billing_run.run_billing(OPERATOR, period, today=next_month, organization_id=org.id).invoices
    assert (first.entries, first.total_minor) == (1, 12_000)
    assert _billed_to(disputed) is None and _billed_to(unreviewed) is None

    # The agent corrects the disputed entry from the queue, with an answer.
    staff = browser.new_context(viewport=page.viewport_size).new_page()
    sign_in(staff, base_url, AGENT_EMAIL)
    staff.get_by_role("link", name="Disputes").first.click()
    card = staff.locator(f"#dispute-{disputed}")
    expect(card).to_contain_text("We had no VPN trouble that day")
    card.get_by_role("button", name=re.compile("Resolve the dispute of")).click()
    card.get_by_text("Correct", exact=True).click()
    card.get_by_label("Minutes").fill("15")
    card.get_by_label("Answer to the customer").fill("You are right: the tunnel check took 15 minutes.")
    snap(staff, "disputes")
    assert axe_violations(staff) == []
    card.get_by_role("button", name="Resolve dispute").click()
    expect(staff.get_by_text("Resolved: the customer sees your answer")).to_be_visible()
    expect(staff.locator(f"#dispute-{disputed}")).to_have_count(0)
    staff.context.close()

    # The next run bills the corrected 15 minutes; the unreviewed entry still waits for its deadline.
    [second] = billing_run.run_billing(OPERATOR, period, today=next_month, organization_id=org.id).invoices
    assert (second.entries, second.total_minor) == (1, 3_000)
    assert _billed_to(disputed) == second.invoice_id and _billed_to(unreviewed) is None
    assert billing_run.run_billing(OPERATOR, period, today=next_month, organization_id=org.id).invoices == []

    # The customer reads the answer on the sign-off page.
    page.goto(f"{base_url}/timesheet?month={period}")
    row = page.locator(f"main #entry-{disputed}")
    expect(row).to_contain_text("Dispute answered: corrected")
    expect(row).to_contain_text("Support's answer: You are right: the tunnel check took 15 minutes.")
    expect(row).to_contain_text("15 min")
    expect(row).to_contain_text("Billed")
    snap(page, "timesheet-answered")


def test_open_sign_off_tabs_and_the_dispute_queue_follow_disputes_answers_and_corrections_without_reload(
        page: Page, browser: Browser, base_url, agent):
    suffix = uuid.uuid4().hex[:8]
    org = create_organization(OPERATOR, name=f"Tailspin Toys {suffix}")
    prepaid.set_hourly_rate(OPERATOR, org.id, hourly_rate_minor=12_000, currency="USD")
    email = f"bruno.{suffix}@tailspin.example"
    create_user(OPERATOR, email=email, role="billing", organization_name=org.name, password=DEMO_PASSWORD,
                full_name="Bruno Costa")
    customer = auth_service.sign_in(email=email, password=DEMO_PASSWORD).actor
    ticket = tasks.create_ticket(customer, subject="Label printer jams", category="End-user support",
                                 priority="normal", description="The label printer jams on every second label.").id
    today = clock.now().date()
    period = f"{today:%Y-%m}"
    entry = agent_work.log_time(agent, ticket, minutes=40, work_date=today, note="Cleaned the rollers").id

    # The support team's queue is open before anything is disputed.
    staff = browser.new_context(viewport=page.viewport_size).new_page()
    sign_in(staff, base_url, AGENT_EMAIL)
    staff.goto(f"{base_url}/staff/disputes")
    expect(staff.get_by_role("heading", name="Disputes", exact=True)).to_be_visible()
    expect(staff.locator(f"#dispute-{entry}")).to_have_count(0)

    # The billing contact has the month open in two tabs; the first disputes the entry.
    sign_in(page, base_url, email)
    page.goto(f"{base_url}/timesheet?month={period}")
    other = page.context.new_page()
    other.goto(f"{base_url}/timesheet?month={period}")
    second = other.locator(f"main #entry-{entry}")
    expect(second).to_contain_text("Awaiting review")
    main = page.locator("main")
    main.get_by_role("button", name=re.compile(rf"Dispute the entry of .* on task #{ticket}$")).click()
    main.get_by_label("Why is this entry wrong?").fill("The printer was replaced, not cleaned")
    main.get_by_role("button", name="Send dispute").click()
    expect(second).to_contain_text("Disputed")  # the other tab, never reloaded
    expect(staff.locator(f"#dispute-{entry}")).to_contain_text("The printer was replaced, not cleaned")

    # Support answers (from another process): both the tab and the queue follow.
    time_disputes.resolve(agent, entry, "kept", "The rollers were cleaned before the swap.")
    expect(second).to_contain_text("Dispute answered: kept")
    expect(second).to_contain_text("Support's answer: The rollers were cleaned before the swap.")
    expect(staff.locator(f"#dispute-{entry}")).to_have_count(0)

    # A later correction outside the dispute sends the entry back to review, live too, with a bell line.
    agent_work.correct_time(agent, entry, minutes=25, work_date=today, note="Cleaned the rollers",
                            reason="Logged the swap's time by mistake")
    expect(second).to_contain_text("Awaiting review")
    expect(second).to_contain_text("25 min")
    # The answer and the correction: two lines in the bell of the billing contact (the task's requester).
    expect(other.locator("#bell-button").first).to_have_attribute("aria-label", "Notifications, 2 unread")
    staff.context.close()
