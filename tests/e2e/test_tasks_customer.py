"""The customer's side of support tasks and time in Chromium: the task list, a task's page, and the
dashboard's prepaid hours and pay-as-you-go view following what an agent logs, without a reload."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from opsportal.services import agent_work, credits, prepaid, tasks
from opsportal.services import auth as auth_service
from opsportal.services.authz import Actor
from opsportal.services.demo import DEMO_PASSWORD
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import create_organization
from opsportal.services.tasks import TASK_NOT_FOUND
from opsportal.services.users import create_user
from opsportal.state import live
from tests.e2e.browser import STAFF, path_is, sign_in
from tests.e2e.test_accessibility import axe_violations

AGENT_EMAIL = "alex.kim@opsportal.example"
# Pages poll every 2 s; the margin is for a loaded CI machine.
LIVE = 10_000


@dataclass(frozen=True)
class Customer:
    org_id: int
    org_name: str
    email: str
    actor: Actor


def new_customer(label: str) -> Customer:
    """A fresh organization with an owner, so demo data and other tests cannot interfere."""
    suffix = uuid.uuid4().hex[:8]
    org = create_organization(OPERATOR, name=f"{label} {suffix}")
    email = f"casey.{suffix}@customers.example"
    create_user(OPERATOR, email=email, role="owner", organization_name=org.name, password=DEMO_PASSWORD,
                full_name="Casey Jones")
    actor = auth_service.sign_in(email=email, password=DEMO_PASSWORD).actor
    return Customer(org_id=org.id, org_name=org.name, email=email, actor=actor)


def new_task(customer: Customer, subject: str, category: str = "End-user support", priority: str = "normal") -> int:
    return tasks.create_ticket(customer.actor, subject=subject, category=category, priority=priority,
                               description=f"{subject}: it started this morning and blocks the team.").id


@pytest.fixture(scope="module")
def agent(portal) -> Actor:
    return auth_service.sign_in(email=AGENT_EMAIL, password=DEMO_PASSWORD).actor


def grant_hours(customer: Customer, minutes: int) -> None:
    credits.grant(OPERATOR, org_id=customer.org_id, product="support_hours", quantity=minutes, kind="purchased",
                  expires=datetime.now(UTC).date() + timedelta(days=90))


def remember_page(page: Page) -> None:
    """Marks the loaded document: a reload would lose the mark."""
    page.evaluate("window.__no_reload = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__no_reload === true"), "the page was reloaded"


def open_tasks(page: Page, base_url: str, email: str) -> None:
    sign_in(page, base_url, email)
    page.get_by_role("link", name="Tasks", exact=True).click()
    expect(page.get_by_role("heading", name="Tasks", exact=True)).to_be_visible()


def task_link(page: Page, task_id: int):
    return page.get_by_role("link", name=re.compile(rf"^#{task_id} "))


def test_customer_sees_their_open_task_in_the_list_and_not_another_organizations(page: Page, base_url):
    customer, other = new_customer("List Co"), new_customer("Other Co")
    mine = new_task(customer, "Printer on floor 3 is offline", priority="high")
    theirs = new_task(other, "Other company's confidential outage")

    open_tasks(page, base_url, customer.email)

    row = page.get_by_role("row").filter(has=task_link(page, mine))
    expect(row).to_contain_text("Printer on floor 3 is offline")
    for cell in ("Open", "End-user support", "High", "Unassigned", "0 min"):
        expect(row).to_contain_text(cell)
    expect(page.get_by_text("Other company's confidential outage")).to_have_count(0)
    page.get_by_label("Search").fill(f"#{theirs}")
    expect(page.get_by_text("No tasks match these filters.")).to_be_visible()
    task_link(page, mine).wait_for(state="detached")


def test_search_filters_and_the_closed_tab_narrow_the_task_list(page: Page, base_url, agent):
    customer = new_customer("Filter Co")
    vpn = new_task(customer, "VPN drops every hour", category="Networking")
    mailbox = new_task(customer, "Shared mailbox is full", category="Email & collaboration")
    waiting = new_task(customer, "Laptop for the new starter")
    done = new_task(customer, "Reset the boardroom display")
    agent_work.set_status(agent, waiting, "waiting_on_customer")
    agent_work.set_status(agent, done, "closed")
    all_open = (vpn, mailbox, waiting)

    open_tasks(page, base_url, customer.email)
    for task_id in all_open:
        expect(task_link(page, task_id)).to_be_visible()
    expect(task_link(page, done)).to_have_count(0)

    page.get_by_label("Search").fill("vpn")
    expect(task_link(page, mailbox)).to_have_count(0)
    expect(task_link(page, vpn)).to_be_visible()
    page.get_by_label("Search").fill("")
    expect(task_link(page, mailbox)).to_be_visible()

    page.get_by_label("Category").select_option("Email & collaboration")
    expect(task_link(page, vpn)).to_have_count(0)
    expect(task_link(page, mailbox)).to_be_visible()
    page.get_by_label("Category").select_option("")

    page.get_by_label("Status").select_option(label="Waiting on you")
    expect(task_link(page, vpn)).to_have_count(0)
    expect(task_link(page, waiting)).to_be_visible()

    page.get_by_role("tab", name="Closed").click()
    expect(task_link(page, done)).to_be_visible()
    for task_id in all_open:
        expect(task_link(page, task_id)).to_have_count(0)
    expect(page.get_by_label("Status")).to_have_value("")


def test_opening_another_organizations_task_shows_not_found_or_no_access(page: Page, base_url):
    customer, other = new_customer("Snoop Co"), new_customer("Victim Co")
    theirs = new_task(other, "Payroll server credentials rotated")
    sign_in(page, base_url, customer.email)

    page.goto(f"{base_url}/tasks/{theirs}")

    expect(page.get_by_role("alert")).to_have_text(TASK_NOT_FOUND)
    expect(page.get_by_text("Payroll server credentials rotated")).to_have_count(0)
    assert axe_violations(page) == []
    page.goto(f"{base_url}/tasks/99999999")
    expect(page.get_by_role("alert")).to_have_text(TASK_NOT_FOUND)


def test_staff_opening_the_customer_task_pages_are_sent_to_the_support_teams_pages(page: Page, base_url):
    task_id = new_task(new_customer("Staff View Co"), "Projector in room 2")
    sign_in(page, base_url, STAFF)
    page.goto(f"{base_url}/tasks")
    path_is(page, base_url, "/staff/queue")
    page.goto(f"{base_url}/tasks/{task_id}")
    path_is(page, base_url, f"/staff/tasks/{task_id}")


@pytest.mark.scale_out
def test_customer_comments_on_a_task_and_the_agents_reply_arrives_without_a_reload(page: Page, base_url, agent):
    customer = new_customer("Chat Co")
    task_id = new_task(customer, "Scanner not sending e-mails")
    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}/tasks/{task_id}")
    expect(page.locator("#task-title")).to_have_text("Scanner not sending e-mails")
    remember_page(page)

    page.get_by_label("Add a comment").fill("It is the Ricoh on the second floor.")
    page.get_by_role("button", name="Send comment").click()
    mine = page.locator(".comment-customer")
    expect(mine).to_contain_text("It is the Ricoh on the second floor.")
    expect(mine).to_contain_text("Casey Jones")
    expect(page.get_by_label("Add a comment")).to_have_value("")

    tasks.add_comment(agent, task_id, "Thanks, I am connecting to it now.")
    reply = page.locator(".comment-support")
    expect(reply).to_contain_text("Thanks, I am connecting to it now.", timeout=LIVE)
    expect(reply).to_contain_text("Support team")
    assert_not_reloaded(page)


@pytest.mark.scale_out
def test_time_an_agent_logs_appears_on_the_open_task_page_and_the_dashboard_without_a_reload(
        page: Page, base_url, agent):
    customer = new_customer("Live Co")
    grant_hours(customer, 120)
    task_id = new_task(customer, "Wi-Fi drops in the warehouse")
    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}/tasks/{task_id}")
    expect(page.get_by_text("No time has been logged on this task yet.")).to_be_visible()
    remember_page(page)

    agent_work.log_time(agent, task_id, minutes=90, note="Replaced the access point in aisle 4")

    entries = page.locator("#time-entries")
    row = entries.get_by_role("row").filter(has_text="Replaced the access point in aisle 4")
    expect(row).to_contain_text("1 h 30 min", timeout=LIVE)
    expect(row).to_contain_text("Alex Kim")
    expect(row).to_contain_text("Prepaid hours")
    expect(page.locator("#task-time")).to_have_text("1 h 30 min")
    expect(page.locator("#task-status")).to_have_text("In progress")
    assert_not_reloaded(page)

    page.get_by_role("link", name="Dashboard").click()
    remaining = page.locator("#remaining-hours")
    expect(remaining).to_have_text("30 min")
    expect(page.locator("#used-period")).to_have_text("1 h 30 min")
    remember_page(page)

    agent_work.log_time(agent, task_id, minutes=20, note="Checked the signal again")

    expect(remaining).to_have_text("10 min", timeout=LIVE)
    expect(page.locator("#used-period")).to_have_text("1 h 50 min")
    assert prepaid.hours_overview(customer.actor, customer.org_id).remaining_minutes == 10
    assert_not_reloaded(page)


@pytest.mark.scale_out
def test_time_beyond_the_prepaid_hours_shows_as_pay_as_you_go_on_the_task_and_the_dashboard(
        page: Page, base_url, agent):
    customer = new_customer("Payg Co")
    grant_hours(customer, 60)
    prepaid.set_hourly_rate(OPERATOR, customer.org_id, hourly_rate_minor=12_000, currency="USD")
    task_id = new_task(customer, "Migrate the file share")
    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}/tasks/{task_id}")
    expect(page.locator("#task-title")).to_have_text("Migrate the file share")

    agent_work.log_time(agent, task_id, minutes=90, note="Copied the first half")

    row = page.locator("#time-entries").get_by_role("row").filter(has_text="Copied the first half")
    expect(row).to_contain_text("Prepaid hours 1 h + pay-as-you-go 30 min", timeout=LIVE)
    expect(row).to_contain_text("USD 60.00")

    page.get_by_role("link", name="Dashboard").click()
    payg = page.locator("#payg")
    expect(payg.get_by_role("row").filter(has=task_link(page, task_id))).to_contain_text("30 min")
    expect(page.locator("#payg-total-value")).to_have_text("USD 60.00")
    expect(page.locator("#remaining-hours")).to_have_text("0 min")
    expect(page.locator("#forecast")).to_contain_text("No prepaid hours left")
    remember_page(page)

    agent_work.log_time(agent, task_id, minutes=15, note="Copied the rest")

    expect(page.locator("#payg-total-time")).to_have_text("45 min", timeout=LIVE)
    expect(page.locator("#payg-total-value")).to_have_text("USD 90.00")
    assert_not_reloaded(page)

    task_link(page, task_id).first.click()
    expect(page.locator("#time-entries").get_by_role("row").filter(has_text="Copied the rest")) \
        .to_contain_text("Pay-as-you-go")
    expect(page.locator("#time-totals")).to_contain_text("USD 90.00")


def test_a_long_conversation_shows_its_latest_fifty_messages_and_earlier_ones_on_request(page: Page, base_url, agent):
    customer = new_customer("Long Chat Co")
    task_id = new_task(customer, "Intermittent VPN drops")
    for n in range(1, 61):
        tasks.add_comment(agent if n % 2 else customer.actor, task_id, f"Message number {n}.")
    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}/tasks/{task_id}")
    messages = page.locator("#conversation .comment")
    expect(messages).to_have_count(50)
    expect(messages.first).to_contain_text("Message number 11.")
    expect(messages.last).to_contain_text("Message number 60.")
    remember_page(page)

    earlier = page.get_by_role("button", name="Show earlier messages (10 more)")
    earlier.focus()
    page.keyboard.press("Enter")  # a real button: the keyboard works it

    expect(messages).to_have_count(60)
    expect(messages.first).to_contain_text("Message number 1.")
    expect(page.get_by_role("button", name=re.compile("^Show earlier messages"))).to_have_count(0)
    tasks.add_comment(agent, task_id, "Message number 61.")
    expect(messages.last).to_contain_text("Message number 61.", timeout=LIVE)
    expect(messages).to_have_count(61)  # the refresh keeps the widened window
    assert_not_reloaded(page)


def test_time_entries_come_a_page_at_a_time_and_the_totals_cover_them_all(page: Page, base_url, agent):
    customer = new_customer("Many Entries Co")
    prepaid.set_hourly_rate(OPERATOR, customer.org_id, hourly_rate_minor=12_000, currency="USD")
    task_id = new_task(customer, "Rebuild the file server")
    for n in range(1, 31):
        agent_work.log_time(agent, task_id, minutes=10, note=f"Step {n} done")
    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}/tasks/{task_id}")
    entries = page.locator("#time-entries")
    rows = entries.locator("tbody tr")
    expect(rows).to_have_count(25)
    expect(rows.first).to_contain_text("Step 30 done")
    expect(entries).to_contain_text("Page 1 of 2")
    totals = page.locator("#time-totals")
    expect(totals).to_contain_text("5 h")  # all 30 entries, not the 25 shown
    expect(totals).to_contain_text("USD 600.00")

    entries.get_by_role("button", name="Next page").click()

    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("Step 5 done")
    expect(entries).to_contain_text("Page 2 of 2")
    expect(entries.get_by_role("button", name="Next page")).to_be_disabled()
    expect(totals).to_contain_text("USD 600.00")
    entries.get_by_role("button", name="Previous page").focus()
    page.keyboard.press("Enter")
    expect(rows).to_have_count(25)
    expect(entries).to_contain_text("Page 1 of 2")
    assert axe_violations(page) == []


def loops_on(path: str) -> int:
    return sum(1 for lease in list(live.RUNNING.values()) if lease.path == path)


def wait_for_loops(path: str, count: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while loops_on(path) != count:
        assert time.monotonic() < deadline, f"{loops_on(path)} refresh loops on {path}, expected {count}"
        time.sleep(0.2)


@pytest.mark.scale_out
def test_a_task_page_refreshes_with_one_loop_that_stops_when_the_customer_leaves_or_closes_the_browser(
        page: Page, base_url):
    customer = new_customer("Loop Co")
    task_id = new_task(customer, "Monitor flickers")
    path = f"/tasks/{task_id}"
    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}{path}")
    expect(page.locator("#task-title")).to_have_text("Monitor flickers")
    wait_for_loops(path, 1)

    page.get_by_role("link", name="All tasks").click()
    expect(page.get_by_role("heading", name="Tasks", exact=True)).to_be_visible()
    wait_for_loops(path, 0)

    task_link(page, task_id).click()
    expect(page.locator("#task-title")).to_have_text("Monitor flickers")
    page.reload()
    expect(page.locator("#task-title")).to_have_text("Monitor flickers")
    time.sleep(2 * live.POLL_SECONDS + 1)
    wait_for_loops(path, 1)

    page.close()
    wait_for_loops(path, 0)


def test_task_pages_and_the_dashboard_have_no_accessibility_violations(page: Page, base_url, agent):
    customer = new_customer("Axe Co")
    grant_hours(customer, 30)
    prepaid.set_hourly_rate(OPERATOR, customer.org_id, hourly_rate_minor=9_000, currency="EUR")
    task_id = new_task(customer, "Keyboard shortcuts stopped working", priority="urgent")
    tasks.add_comment(customer.actor, task_id, "Since the last update.")
    tasks.add_comment(agent, task_id, "Could you send a screenshot?")
    agent_work.log_time(agent, task_id, minutes=45, note="Remote session")
    closed = new_task(customer, "Old request")
    agent_work.set_status(agent, closed, "closed")

    open_tasks(page, base_url, customer.email)
    expect(task_link(page, task_id)).to_be_visible()
    assert axe_violations(page) == [], "task list"
    page.get_by_role("tab", name="Closed").click()
    expect(task_link(page, closed)).to_be_visible()
    assert axe_violations(page) == [], "closed tab"

    task_link(page, closed).click()
    expect(page.get_by_text("This task is closed.")).to_be_visible()
    page.goto(f"{base_url}/tasks/{task_id}")
    expect(page.locator(".comment-support")).to_be_visible()
    expect(page.locator("#time-entries").get_by_role("row").nth(1)).to_be_visible()
    assert axe_violations(page) == [], "task page"

    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("#payg-total-value")).to_have_text("EUR 22.50")
    assert axe_violations(page) == [], "dashboard"
