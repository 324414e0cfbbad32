"""The staff console in Chromium: the queue, a task's page (assign, log and correct time, close), and the
organization's billing terms. Each test works in an organization of its own, so the demo data stays out of it."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text as sql

from opsportal import routes
from opsportal.db import get_engine
from opsportal.domain import formats
from opsportal.services import agent_work, credit_views, credits, prepaid, tasks, ticket_actions
from opsportal.services import auth as auth_service
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import create_organization
from opsportal.services.users import create_user
from tests.e2e.browser import STAFF, path_is, sign_in
from tests.e2e.test_accessibility import axe_violations

AGENT = "alex.kim@opsportal.example"
CUSTOMER_PASSWORD = "customer-password-2026"


@pytest.fixture
def org():
    """A fresh customer organization."""
    return create_organization(OPERATOR, name=f"Console Test {uuid.uuid4().hex[:8]}")


def open_task(org, subject: str) -> int:
    return tasks.create_ticket(OPERATOR, subject=subject, category="End-user support", priority="normal",
                               description="Something is wrong and we would like it fixed, please.",
                               organization_id=org.id).id


def open_task_page(page: Page, base_url: str, task_id: int, email: str = AGENT) -> None:
    sign_in(page, base_url, email)
    page.goto(base_url + routes.staff_task(task_id))
    expect(page.locator("#task-title")).to_contain_text(f"#{task_id}")


def log_time(page: Page, text: str, *, day: str | None = None) -> None:
    form = page.get_by_role("form", name="Log time")
    if day is not None:
        form.get_by_label("Day of the work").fill(day)
    form.get_by_label("Time spent").fill(text)
    form.get_by_role("button", name="Log time").click()


@pytest.mark.scale_out
def test_an_agent_filters_the_queue_to_one_organization_takes_a_task_and_logs_time_paid_by_prepaid_hours(
        page: Page, base_url, org):
    prepaid.set_hourly_rate(OPERATOR, org.id, hourly_rate_minor=12_000, currency="USD")
    credits.grant(OPERATOR, org_id=org.id, product="support_hours", quantity=60, kind="purchased")
    title = f"Printer offline {uuid.uuid4().hex[:6]}"
    task_id = open_task(org, title)

    sign_in(page, base_url, AGENT)
    path_is(page, base_url, routes.STAFF)
    page.get_by_role("link", name="Queue").click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    page.get_by_label("Find organization").fill(org.name[-8:])
    page.get_by_label("Organization", exact=True).select_option(label=org.name)
    expect(page.locator("#queue-total")).to_have_text("1 task")
    page.get_by_role("table", name="Tasks").get_by_role("link", name=title).click()

    path_is(page, base_url, routes.staff_task(task_id))
    expect(page.locator("#task-title")).to_have_text(f"#{task_id} · {title}")
    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator("#task-agent")).to_have_text("Alex Kim")
    expect(page.locator("#task-status")).to_have_text("In progress")

    log_time(page, "1:30")
    expect(page.get_by_role("status")).to_have_text("Logged 1 h 30 min: prepaid hours + pay-as-you-go.")
    row = page.get_by_role("table", name="Time entries").get_by_role("row").nth(1)
    for text in ("Alex Kim", "1 h 30 min", "Prepaid hours + pay-as-you-go", "prepaid 1 h",
                 "pay-as-you-go 30 min", "USD 60.00"):
        expect(row).to_contain_text(text)
    expect(page.locator("#task-time")).to_have_text("1 h 30 min")
    [entry] = agent_work.task_for_staff(OPERATOR, task_id).time_entries
    assert (entry.minutes, entry.prepaid_minutes, entry.payg_minutes, entry.payg_amount_minor) == (90, 60, 30, 6000)


def test_negative_time_a_future_day_and_a_task_closed_meanwhile_are_refused_with_the_services_message(
        page: Page, base_url, org):
    task_id = open_task(org, "VPN drops every hour")
    open_task_page(page, base_url, task_id)
    form = page.get_by_role("form", name="Log time")

    log_time(page, "-5")
    expect(form.get_by_role("alert")).to_have_text("Time must be a positive number of minutes.")
    log_time(page, "1:75")
    expect(form.get_by_role("alert")).to_have_text("Minutes must be below 60.")
    expect(page.locator("#log-date-words")).to_have_text(formats.picked_day(form.get_by_label("Day of the work")
                                                                            .input_value()))  # today, in words
    log_time(page, "1:00", day="2999-01-01")
    expect(form.get_by_role("alert")).to_have_text("Time cannot be logged for a future date.")
    expect(page.locator("#log-date-words")).to_have_text("Tuesday 1 January 2999")  # the picker's day, in words

    agent_work.set_status(OPERATOR, task_id, "closed")  # closed by a colleague while this page was open
    log_time(page, "0:30", day=date.today().isoformat())
    expect(form.get_by_role("alert")).to_have_text(f"Task {task_id} is closed: time can no longer be logged on it.")
    assert agent_work.task_for_staff(OPERATOR, task_id).time_entries == []


def test_correcting_a_time_entry_requires_a_reason_and_then_marks_the_entry_corrected(page: Page, base_url, org):
    task_id = open_task(org, "Mailbox full")
    agent_work.log_time(OPERATOR, task_id, minutes=90, note="cleaned the archive")
    open_task_page(page, base_url, task_id)
    entries = page.get_by_role("table", name="Time entries")

    entries.get_by_role("button", name=re.compile("^Correct the entry")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Time spent")).to_have_value("1:30")
    day = agent_work.task_for_staff(OPERATOR, task_id).time_entries[0].work_date
    expect(dialog.locator("#correct-date-words")).to_have_text(formats.picked_day(day.isoformat()))
    dialog.get_by_label("Day of the work").fill("2026-01-01")
    expect(dialog.locator("#correct-date-words")).to_have_text("Thursday 1 January 2026")
    dialog.get_by_label("Day of the work").fill(day.isoformat())
    dialog.get_by_label("Time spent").fill("1:00")
    dialog.get_by_role("button", name="Save correction").click()
    expect(dialog.get_by_role("alert")).to_have_text("Say why the entry is corrected (it is kept in the audit trail).")
    assert agent_work.task_for_staff(OPERATOR, task_id).time_entries[0].minutes == 90

    dialog.get_by_label("Reason for the correction").fill("Logged the lunch break too")
    dialog.get_by_role("button", name="Save correction").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    row = entries.get_by_role("row").nth(1)
    expect(row).to_contain_text("1 h")
    expect(row).not_to_contain_text("1 h 30 min")
    expect(row).to_contain_text("Corrected (1 revision)")
    [entry] = agent_work.task_for_staff(OPERATOR, task_id).time_entries
    assert (entry.minutes, entry.revisions) == (60, 1)


def test_an_entry_on_the_second_page_of_time_entries_can_be_corrected_and_earlier_messages_shown(
        page: Page, base_url, org):
    task_id = open_task(org, "Patch every workstation")
    for n in range(1, 27):
        agent_work.log_time(OPERATOR, task_id, minutes=10, note=f"Workstation {n}")
    for n in range(1, 53):
        tasks.add_comment(OPERATOR, task_id, f"Update {n}")
    open_task_page(page, base_url, task_id)
    entries = page.locator("#time-entries")
    expect(entries.get_by_role("table").locator("tbody tr")).to_have_count(25)
    expect(page.locator("#conversation").get_by_text(re.compile(r"^Update \d+$"))).to_have_count(50)

    page.get_by_role("button", name="Show earlier messages (2 more)").click()
    expect(page.locator("#conversation").get_by_text(re.compile(r"^Update \d+$"))).to_have_count(52)
    entries.get_by_role("button", name="Next page").click()
    expect(entries).to_contain_text("Page 2 of 2")
    entries.get_by_role("button", name=re.compile("^Correct the entry")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Note")).to_have_value("Workstation 1")
    dialog.get_by_label("Time spent").fill("0:20")
    dialog.get_by_label("Reason for the correction").fill("Took longer than logged")
    dialog.get_by_role("button", name="Save correction").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(entries.get_by_role("row").filter(has_text="Workstation 1")).to_contain_text("Corrected (1 revision)")
    expect(entries).to_contain_text("Page 2 of 2")
    assert agent_work.task_for_staff(OPERATOR, task_id, entry_page=2).time_entries[0].minutes == 20


def test_a_customer_cannot_open_the_queue_nor_a_task_of_their_own_organization_in_the_staff_console(
        page: Page, base_url, org):
    title = f"Secret staff notes {uuid.uuid4().hex[:6]}"
    task_id = open_task(org, title)
    email = f"member-{uuid.uuid4().hex[:8]}@example.com"
    create_user(OPERATOR, email=email, role="member", organization_name=org.name, password=CUSTOMER_PASSWORD)

    sign_in(page, base_url, email, CUSTOMER_PASSWORD)
    expect(page.get_by_role("link", name="Queue")).to_have_count(0)
    page.goto(base_url + routes.STAFF_QUEUE)
    expect(page.get_by_role("alert")).to_have_text("This area is for the support team only.")
    expect(page.get_by_role("table")).to_have_count(0)
    expect(page.get_by_text(title)).to_have_count(0)

    page.goto(base_url + routes.staff_task(task_id))
    expect(page.get_by_role("alert")).to_have_text("This area is for the support team only.")
    expect(page.get_by_text(title)).to_have_count(0)
    expect(page.locator("main").get_by_role("form")).to_have_count(0)  # the header keeps its Sign out form


@pytest.mark.scale_out
def test_closing_a_task_turns_the_credits_held_for_it_into_used_credits(page: Page, base_url, org):
    credits.grant(OPERATOR, org_id=org.id, product="service_credits", quantity=10, kind="purchased")
    credits.grant(OPERATOR, org_id=org.id, product="support_hours", quantity=120, kind="purchased")
    task_id = open_task(org, "Migrate the file share")
    credits.hold_for_ticket(OPERATOR, ticket_id=task_id, product="service_credits", quantity=5)
    credits.hold_for_ticket(OPERATOR, ticket_id=task_id, product="support_hours", quantity=60)
    open_task_page(page, base_url, task_id)
    expect(page.locator("#task-held")).to_contain_text("Service credits 5 credits")

    page.get_by_label("Status", exact=True).select_option("closed")
    page.get_by_role("button", name="Change status").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Support hours used")).to_have_value("1:00")
    expect(dialog.get_by_label("Service credits used")).to_have_value("5")
    dialog.get_by_label("Service credits used").fill("7")
    dialog.get_by_role("button", name="Change status and settle").click()
    expect(dialog.get_by_role("alert")).to_have_text("Credits used for service_credits must be between 0 and 5.")
    assert credit_views.ticket_snapshot(OPERATOR, task_id).held == {"service_credits": 5, "support_hours": 60}

    dialog.get_by_label("Service credits used").fill("3")
    dialog.get_by_role("button", name="Change status and settle").click()
    expect(page.locator("#task-status")).to_have_text("Closed")
    snapshot = credit_views.ticket_snapshot(OPERATOR, task_id)
    assert (snapshot.held, snapshot.used) == ({}, {"service_credits": 3, "support_hours": 60})
    expect(page.get_by_text("This task is closed: time can no longer be logged on it.")).to_be_visible()

    # Staff reopen a closed task at any time; the customer is told as of any status change.
    expect(page.locator("#reopen-hint")).to_contain_text("Choose an open status to reopen it")
    page.get_by_label("Status", exact=True).select_option("in_progress")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("#task-status")).to_have_text("In progress")
    expect(page.get_by_role("status").filter(has_text="Task reopened")).to_contain_text(
        "the requester and followers are told")
    expect(page.get_by_role("form", name="Log time")).to_be_visible()


def test_a_staff_administrator_sets_the_hourly_rate_and_adds_a_subscription_on_the_organization_page(
        page: Page, base_url, org):
    sign_in(page, base_url, STAFF)
    page.goto(base_url + routes.organization(org.id))
    rate = page.get_by_role("form", name="Pay-as-you-go rate")
    rate.get_by_label("Hourly rate").fill("95.555")
    rate.get_by_label("Currency").fill("eur")
    rate.get_by_role("button", name="Save rate").click()
    expect(rate.get_by_role("alert")).to_have_text("Hourly rate: Use at most two decimal places.")
    rate.get_by_label("Hourly rate").fill("95.50")
    rate.get_by_role("button", name="Save rate").click()
    expect(rate.get_by_role("status")).to_have_text("Pay-as-you-go rate set to EUR 95.50 per hour.")
    terms = prepaid.billing_terms(OPERATOR, org.id)
    assert (terms.hourly_rate_minor, terms.currency) == (9550, "EUR")

    sub = page.get_by_role("form", name="Add a subscription")
    sub.get_by_label("Plan name").fill("Managed Gold")
    sub.get_by_label("Hours per period").fill("10")
    sub.get_by_label("Period", exact=True).select_option("quarterly")
    sub.get_by_role("button", name="Add subscription").click()
    expect(sub.get_by_role("alert")).to_have_text("Enter the first day of the subscription as a date (YYYY-MM-DD).")
    sub.get_by_label("First day").fill("2026-01-01")
    expect(sub.locator("#sub-starts-words")).to_have_text("Thursday 1 January 2026")  # not the browser's 01/01/2026
    sub.get_by_text("Unused hours roll over once").click()
    sub.get_by_role("button", name="Add subscription").click()
    expect(sub.get_by_role("status")).to_contain_text("Added Managed Gold: 10 h quarterly from 1 Jan 2026.")
    expect(page.get_by_role("table", name="Subscriptions").get_by_role("row").nth(1)).to_contain_text("Quarterly")
    [added] = prepaid.billing_terms(OPERATOR, org.id).subscriptions
    assert (added.minutes_per_period, added.period, added.rolls_over_once, added.starts_on) == (
        600, "quarterly", True, date(2026, 1, 1))


def test_the_staff_console_pages_and_dialogs_have_no_accessibility_violations(page: Page, base_url, org):
    task_id = open_task(org, "Accessibility check task")
    agent_work.log_time(OPERATOR, task_id, minutes=45, note="first look", after_hours=True)
    tasks.add_comment(OPERATOR, task_id, "We are looking into it.")
    credits.grant(OPERATOR, org_id=org.id, product="service_credits", quantity=10, kind="purchased")
    credits.hold_for_ticket(OPERATOR, ticket_id=task_id, product="service_credits", quantity=2)
    sign_in(page, base_url, AGENT)
    page.get_by_role("link", name="Queue").click()
    expect(page.get_by_role("table", name="Tasks").get_by_role("row").nth(1)).to_be_visible()
    assert axe_violations(page) == [], "queue"

    page.goto(base_url + routes.staff_task(task_id))
    expect(page.get_by_role("table", name="Time entries").get_by_role("row").nth(1)).to_be_visible()
    assert axe_violations(page) == [], "task"
    page.get_by_role("button", name=re.compile("^Correct the entry")).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert axe_violations(page) == [], "correction dialog"
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.get_by_label("Status", exact=True).select_option("resolved")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert axe_violations(page) == [], "settle dialog"


def test_the_queue_pages_forward_and_back_one_page_of_rows_at_a_time(page: Page, base_url):
    from tests.e2e.browser import STAFF, sign_in

    sign_in(page, base_url, STAFF)
    page.goto(f"{base_url}/staff/queue")
    pager_text = page.get_by_text(re.compile(r"^Page 1 of \d+$"))
    expect(pager_text).to_be_visible()
    first_rows = page.get_by_role("table").get_by_role("link").all_inner_texts()
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_text(re.compile(r"^Page 2 of \d+$"))).to_be_visible()
    assert page.get_by_role("table").get_by_role("link").all_inner_texts() != first_rows
    page.get_by_role("button", name="Previous page").click()
    expect(pager_text).to_be_visible()


def test_a_staff_member_in_new_york_reads_the_tasks_times_in_eastern_time_with_the_zone_named(
        page: Page, base_url, org):
    email = f"tz-agent-{uuid.uuid4().hex[:8]}@opsportal.example"
    create_user(OPERATOR, email=email, role="agent", organization_name=None, password=CUSTOMER_PASSWORD,
                full_name="Nora Zone")
    with get_engine().begin() as conn:
        conn.execute(sql("UPDATE user_account SET time_zone = 'America/New_York' WHERE email = :email"),
                     {"email": email})
    task_id = open_task(org, "Clock on the wall is wrong")
    tasks.add_comment(OPERATOR, task_id, "We have checked the NTP server.")
    detail = agent_work.task_for_staff(OPERATOR, task_id)
    opened = formats.instant(detail.created_at, "America/New_York")
    commented = formats.instant(detail.comments[0].created_at, "America/New_York")
    assert re.search(r" E[SD]T$", opened)

    sign_in(page, base_url, email, CUSTOMER_PASSWORD)
    page.goto(base_url + routes.staff_task(task_id))
    expect(page.get_by_text(f"{opened} by", exact=False)).to_be_visible()
    expect(page.get_by_text(commented).first).to_be_visible()
    expect(page.locator("#task-status")).to_have_text("Open")

    page.goto(base_url + routes.STAFF_QUEUE + f"?org={org.id}")
    row = page.get_by_role("row").filter(has_text="Clock on the wall is wrong")
    expect(row).to_contain_text(re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d E[SD]T"))
    expect(row).not_to_contain_text("UTC")


def test_an_agent_sees_the_follow_up_links_and_the_customers_rating_and_manages_the_followers(
        page: Page, base_url, org):
    owner = create_user(OPERATOR, email=f"owner.{uuid.uuid4().hex[:8]}@console.example", role="owner",
                        organization_name=org.name, password=CUSTOMER_PASSWORD, full_name="Olga Owner")
    member = create_user(OPERATOR, email=f"mo.{uuid.uuid4().hex[:8]}@console.example", role="member",
                         organization_name=org.name, password=CUSTOMER_PASSWORD, full_name="Milo Member")
    customer = auth_service.sign_in(email=owner.user.email, password=CUSTOMER_PASSWORD).actor
    first = tasks.create_ticket(customer, subject="VPN drops", category="End-user support", priority="normal",
                                description="The VPN drops every ten minutes since Monday.").id
    ticket_actions.close(customer, first)
    ticket_actions.rate(customer, first, "good", "Fixed quickly, thank you.")
    follow_up = ticket_actions.open_follow_up(customer, first, "It drops again since this morning.")

    open_task_page(page, base_url, first)
    expect(page.locator("#follow-ups")).to_contain_text(f"#{follow_up}")
    expect(page.locator("#ticket-rating")).to_contain_text("Good, I'm satisfied")
    expect(page.locator("#ticket-rating")).to_contain_text("Fixed quickly, thank you.")
    page.locator("#follow-ups").get_by_role("link", name=f"#{follow_up}").click()
    expect(page.locator("#task-title")).to_contain_text(f"#{follow_up}")
    assert page.url.endswith(routes.staff_task(follow_up))
    expect(page.locator("#follow-up-of").get_by_role("link", name=f"#{first}")).to_have_attribute(
        "href", routes.staff_task(first))

    followers = page.locator("#ticket-followers")
    followers.get_by_label("Add someone from the organization").select_option(str(member.user.id))
    followers.get_by_role("button", name="Add follower").click()
    expect(page.locator("#ticket-action-notice")).to_have_text("Milo Member now follows this ticket.")
    expect(followers.get_by_role("list", name="Followers")).to_contain_text("Milo Member")
    assert axe_violations(page) == []
    followers.get_by_role("button", name="Remove Milo Member from the followers").click()
    expect(page.locator("#ticket-action-notice")).to_have_text("Milo Member no longer follows this ticket.")
    expect(followers).to_contain_text("Nobody else follows this ticket yet.")
