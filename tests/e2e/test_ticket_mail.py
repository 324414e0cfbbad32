"""Conversation by e-mail in Chromium: an agent's reply typed in the staff console reaches the requester and the
followers by e-mail; the requester answers that e-mail through SMTP, as a mail client would, and the answer
appears on the task page they have open, without a reload. The SMTP sink hands mail for the support address to
the portal exactly as the production mail server does (tests/e2e/conftest.py)."""

from __future__ import annotations

import os
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from opsportal.db import unit_of_work
from opsportal.models import TicketFollower
from opsportal.services.demo import DEMO_PASSWORD
from opsportal.services.operator import OPERATOR
from opsportal.services.users import create_user
from opsportal.settings import get_settings
from tests.e2e.browser import STAFF, sign_in
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_notifications import mail_to
from tests.e2e.test_tasks_customer import (
    AGENT_EMAIL,
    LIVE,
    assert_not_reloaded,
    new_customer,
    new_task,
    remember_page,
)

SHOTS = os.environ.get("OPSPORTAL_SCREENSHOT_DIR", "")
SUPPORT_DOMAIN = get_settings().support_address.rpartition("@")[2]


def snap(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def agent_replies_in_the_console(browser: Browser, base_url: str, task_id: int, text: str) -> None:
    context = browser.new_context()
    try:
        agent = context.new_page()
        sign_in(agent, base_url, AGENT_EMAIL)
        agent.goto(f"{base_url}/staff/tasks/{task_id}")
        agent.get_by_label("Comment (visible to the customer)").fill(text)
        agent.get_by_role("button", name="Add comment").click()
        expect(agent.get_by_text(text)).to_be_visible()
    finally:
        context.close()


def reply_by_smtp(sink, original: EmailMessage, sender: str, text: str,
                  attach: tuple[str, bytes] | None = None) -> None:
    """What a mail client sends when its user answers ``original``: to its Reply-To, the original quoted below
    (and ``attach``, a text file's name and bytes, attached)."""
    quoted = "\n".join("> " + line for line in original.get_body(("plain",)).get_content().splitlines())
    reply = EmailMessage()
    reply["From"] = f"Casey Jones <{sender}>"
    reply["To"] = original["Reply-To"]
    reply["Subject"] = "Re: " + original["Subject"]
    reply["In-Reply-To"] = reply["References"] = original["Message-ID"]
    reply["Message-ID"] = f"<{uuid.uuid4().hex}@mail.customers.example>"
    reply.set_content(f"{text}\n\nOn Thu, 3 Dec 2026 at 14:05, OpsPortal <no-reply@opsportal.example> wrote:\n"
                      f"{quoted}\n")
    if attach is not None:
        reply.add_attachment(attach[1], maintype="text", subtype="plain", filename=attach[0])
    with smtplib.SMTP(sink.host, sink.port, timeout=10) as smtp:
        smtp.send_message(reply, from_addr=sender, to_addrs=[parseaddr(str(original["Reply-To"]))[1]])


@pytest.mark.scale_out
def test_a_customer_answers_the_agents_email_and_the_comment_appears_on_the_open_task_page(
        page: Page, browser: Browser, base_url, mail_sink):
    customer = new_customer("Mail Reply Co")
    task_id = new_task(customer, "Shared mailbox not syncing")
    sign_in(page, base_url, customer.email)
    page.goto(f"{base_url}/tasks/{task_id}")
    expect(page.locator("#task-title")).to_have_text("Shared mailbox not syncing")
    remember_page(page)

    agent_replies_in_the_console(browser, base_url, task_id, "Please remove and add the mailbox again.")
    mail = mail_to(mail_sink, customer.email, f"[Task #{task_id}] Shared mailbox not syncing")
    assert "Please remove and add the mailbox again." in mail.get_body(("plain",)).get_content()
    reply_by_smtp(mail_sink, mail, customer.email, "Done, it syncs again. Thank you!",
                  attach=("sync.log", b"12:01 sync ok\n12:02 sync ok\n"))

    mine = page.locator(".comment-customer")
    expect(mine).to_contain_text("Done, it syncs again. Thank you!", timeout=LIVE)
    expect(mine).to_contain_text("Casey Jones")
    expect(mine).not_to_contain_text("wrote:")
    expect(mine).not_to_contain_text("Please remove and add the mailbox again.")
    expect(mine.get_by_role("link", name="sync.log")).to_be_visible(timeout=LIVE)  # the e-mail's file, kept
    assert_not_reloaded(page)
    snap(page, "task-comment-by-email")


@pytest.mark.scale_out
def test_a_follower_gets_the_agents_reply_by_email(page: Page, browser: Browser, base_url, mail_sink):
    customer = new_customer("Mail Follow Co")
    task_id = new_task(customer, "Printer queue stuck")
    follower_email = f"fran.{uuid.uuid4().hex[:8]}@customers.example"
    follower = create_user(OPERATOR, email=follower_email, role="member", organization_name=customer.org_name,
                           password=DEMO_PASSWORD, full_name="Fran Follower")
    with unit_of_work() as session:
        session.add(TicketFollower(ticket_id=task_id, user_id=follower.user.id))

    agent_replies_in_the_console(browser, base_url, task_id, "I cleared the queue; please try again.")

    mail = mail_to(mail_sink, follower_email, f"[Task #{task_id}] Printer queue stuck")
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Alex Kim replied on task" in text and "I cleared the queue; please try again." in text
    assert f"/tasks/{task_id}\n" in text
    assert parseaddr(str(mail["Reply-To"]))[1].startswith(f"support+t{task_id}-")
    page.set_content(mail.get_body(("html",)).get_content())
    expect(page.get_by_role("link", name=f"Open task #{task_id}")).to_be_visible()
    snap(page, "ticket-update-email")


def test_staff_read_what_the_support_mailbox_received_and_why_a_message_was_refused(page: Page, base_url, mail_sink):
    stranger = EmailMessage()
    stranger["From"], stranger["To"], stranger["Subject"] = "someone@nowhere.example", "support@" + SUPPORT_DOMAIN, \
        "Please call me"
    stranger["Message-ID"] = f"<{uuid.uuid4().hex}@nowhere.example>"
    stranger.set_content("I would like a quote for your services.")
    with smtplib.SMTP(mail_sink.host, mail_sink.port, timeout=10) as smtp:
        smtp.send_message(stranger)

    sign_in(page, base_url, STAFF)
    page.goto(f"{base_url}/staff/mail")
    page.get_by_role("link", name="Received").click()
    expect(page.locator("#received-list")).to_contain_text("Please call me")
    page.get_by_label("Outcome").select_option("refused")
    rows = page.locator("#received-list tbody tr")
    expect(rows.filter(has_text="Please call me")).to_contain_text(
        "Unknown sender: no active portal user has this address.")
    expect(page.locator("#received-list")).not_to_contain_text("Added as a comment")
    assert axe_violations(page) == []
    page.get_by_label("Outcome").select_option("")
    expect(page.locator("#received-list")).to_contain_text("Added as a comment")  # the demo's reply
    snap(page, "staff-mail-received")
