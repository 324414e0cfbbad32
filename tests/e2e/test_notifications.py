"""Notifications in the browser: the last subscriber's warning, the e-mail's unsubscribe link signed out, a password
reset and an invitation read from the mail the portal sent (a local SMTP server, see conftest), the staff outbox,
and the low support-hours alert threshold.

What the tests e-mail and change happens in an organization of their own (Contoso Labs), so that other end-to-end
tests' counts and credits do not matter here and these tests change none of theirs."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.devtools.smtp_sink import SmtpSink
from opsportal.domain.identity import email_key
from opsportal.models import User
from opsportal.services import account_links, credit_notices, credits, subscriptions
from opsportal.services.demo import DEMO_PASSWORD
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import create_organization
from opsportal.services.users import create_user
from tests.e2e.browser import OWNER, STAFF, path_is, sign_in, submit_login

pytestmark = pytest.mark.scale_out  # mail sent from the backend and links that sign in: run again on PostgreSQL + Redis

WEEKLY = "weekly_expiry"
CONTOSO = "Contoso Labs"
CONTOSO_OWNER = "carla.owner@contoso.example"
CONTOSO_MEMBER = "dave.member@contoso.example"


@pytest.fixture(scope="module")
def contoso(portal) -> str:
    """A new customer: its owner (the primary contact, so subscribed to the credit notices when created), a member,
    and complimentary service credits that expire in ten days (so this week's expiry notice has something to say)."""
    org = create_organization(OPERATOR, name=CONTOSO)
    create_user(OPERATOR, email=CONTOSO_OWNER, role="owner", organization_name=CONTOSO, password=DEMO_PASSWORD,
                full_name="Carla Owner")
    create_user(OPERATOR, email=CONTOSO_MEMBER, role="member", organization_name=CONTOSO, password=DEMO_PASSWORD,
                full_name="Dave Member")
    credits.grant(OPERATOR, org_id=org.id, product="service_credits", quantity=40, kind="complimentary",
                  expires=(datetime.now(UTC) + timedelta(days=10)).date())
    return CONTOSO


def user_id(email: str) -> int:
    with unit_of_work(write=False) as session:
        return session.exec(select(User.id).where(User.email_key == email_key(email))).one()


def subscribed(email: str, kind: str) -> bool:
    statuses = subscriptions.list_subscriptions(OPERATOR, user_id=user_id(email))
    return {s.kind: s.subscribed for s in statuses}[kind]


def mail_to(sink: SmtpSink, address: str, subject: str, timeout: float = 15) -> EmailMessage:
    """The newest message to ``address`` whose subject contains ``subject`` (waits for it to arrive)."""
    deadline = time.monotonic() + timeout
    while True:
        for path in reversed(sink.files()):
            msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            if address in str(msg["To"]) and subject in str(msg["Subject"]):
                return msg
        assert time.monotonic() < deadline, f"no mail to {address} about {subject!r}"
        time.sleep(0.2)


def text_of(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def link_path(msg: EmailMessage, path: str) -> str:
    """The path and query of the message's link to ``path`` (the portal's public URL differs under the harness)."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"\?token=\S+)", text_of(msg))
    assert match, text_of(msg)
    return match.group(1)


def signed_out_page(browser: Browser) -> Page:
    return browser.new_context().new_page()


def test_the_last_subscriber_is_warned_that_nobody_will_receive_the_notice_before_unsubscribing(page: Page, base_url):
    assert subscribed(OWNER, WEEKLY)  # the primary contact, and no one else in Northwind Holdings
    sign_in(page, base_url, OWNER)
    page.get_by_role("link", name="Notifications").click()
    path_is(page, base_url, "/notifications")
    switch = page.get_by_role("switch", name="Weekly credit expiry notice")
    expect(switch).to_be_checked()

    switch.click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Nobody in Northwind Holdings will receive the weekly credit expiry notice")
    expect(dialog).to_contain_text("lead to loss of credits")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(switch).to_be_checked()
    assert subscribed(OWNER, WEEKLY)

    switch.click()
    page.get_by_role("alertdialog").get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("alertdialog")).to_be_hidden()
    expect(switch).not_to_be_checked()
    expect(page.locator("#notifications-message")).to_contain_text(
        "You will no longer receive the weekly credit expiry notice. No one in Northwind Holdings receives it")
    assert not subscribed(OWNER, WEEKLY)

    switch.click()  # subscribing needs no confirmation
    expect(switch).to_be_checked()
    assert subscribed(OWNER, WEEKLY)


def test_an_owner_sees_who_receives_what_and_changes_a_colleagues_subscription(page: Page, base_url):
    sign_in(page, base_url, OWNER)
    page.goto(f"{base_url}/notifications")
    table = page.locator("#organization-subscriptions")
    for colleague in ("Adam Reyes", "Bianca Novak", "Mark Osei", "Olivia Hart (you)"):
        expect(table).to_contain_text(colleague)
    adam = table.get_by_role("checkbox", name="Monthly credit statement for Adam Reyes")
    expect(adam).not_to_be_checked()
    expect(table.get_by_role("checkbox", name="Overdue invoice reminders for Mark Osei")).to_have_count(0)

    adam.click()
    expect(adam).to_be_checked()
    assert subscribed("adam.reyes@northwind.example", "monthly_statement")
    adam.click()
    expect(adam).not_to_be_checked()
    assert not subscribed("adam.reyes@northwind.example", "monthly_statement")


def test_the_unsubscribe_link_of_a_real_notice_works_signed_out_and_can_be_undone(browser: Browser, base_url,
                                                                                   mail_sink, contoso):
    credit_notices.run_weekly(OPERATOR)
    msg = mail_to(mail_sink, CONTOSO_OWNER, f"Credits expiring in the next 30 days at {contoso}")
    page = signed_out_page(browser)

    page.goto(base_url + link_path(msg, "/unsubscribe"))

    expect(page.locator("#unsubscribe-detail")).to_have_text(
        f"You will no longer receive the weekly credit expiry notice for {contoso} ({CONTOSO_OWNER}).")
    expect(page.locator("#unsubscribe-warning")).to_contain_text(f"No one in {contoso} receives")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert not subscribed(CONTOSO_OWNER, WEEKLY)

    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#unsubscribe-headline")).to_have_text("You are subscribed again")
    assert subscribed(CONTOSO_OWNER, WEEKLY)
    page.context.close()


def test_a_tampered_unsubscribe_link_says_it_is_not_valid_and_changes_nothing(browser: Browser, base_url, contoso):
    token = subscriptions.unsubscribe_token(user_id(CONTOSO_OWNER), WEEKLY)
    page = signed_out_page(browser)

    page.goto(f"{base_url}/unsubscribe?token={token[:-4]}AAAA")

    expect(page.get_by_role("alert")).to_have_text(subscriptions.UNSUBSCRIBE_INVALID)
    assert subscribed(CONTOSO_OWNER, WEEKLY)
    page.context.close()


def test_a_forgotten_password_is_reset_through_the_e_mailed_link_which_works_once(browser: Browser, base_url,
                                                                                  mail_sink, contoso):
    page = signed_out_page(browser)
    page.goto(f"{base_url}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    path_is(page, base_url, "/forgot-password")
    page.get_by_label("E-mail address").fill(CONTOSO_MEMBER)
    page.get_by_role("button", name="E-mail me a link").click()
    expect(page.locator("#forgot-answer")).to_have_text(account_links.RESET_ANSWER)

    reset_path = link_path(mail_to(mail_sink, CONTOSO_MEMBER, "Reset your OpsPortal password"), "/reset-password")
    page.goto(base_url + reset_path)
    expect(page.locator("#reset-account")).to_contain_text(CONTOSO_MEMBER)
    page.get_by_label("New password", exact=True).fill("a-brand-new-password")
    page.get_by_label("Repeat the new password").fill("a-brand-new-password")
    page.get_by_role("button", name="Set the new password").click()

    path_is(page, base_url, "/login")
    expect(page.locator("#login-notice")).to_contain_text("Your password was changed")
    sign_in(page, base_url, CONTOSO_MEMBER, "a-brand-new-password")

    again = signed_out_page(browser)
    again.goto(base_url + reset_path)  # the used link says so at once, before anything is typed
    expect(again.get_by_role("alert")).to_have_text(account_links.LINK_USED)
    expect(again.get_by_role("link", name="Ask for a new link")).to_be_visible()
    expect(again.get_by_label("New password", exact=True)).to_have_count(0)
    again.context.close()
    page.context.close()


def test_an_owner_invites_a_user_who_accepts_from_the_e_mail_and_then_signs_in(page: Page, browser: Browser, base_url,
                                                                                mail_sink, contoso):
    sign_in(page, base_url, CONTOSO_OWNER)
    page.get_by_role("link", name="Organization").click()
    page.get_by_role("button", name="Invite a user").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("E-mail address").fill("nina.new@contoso.example")
    dialog.get_by_label("Role").select_option("billing")
    dialog.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#invitations-notice")).to_contain_text("Invitation e-mailed to nina.new@contoso.example")
    expect(page.get_by_role("button", name="Revoke the invitation to nina.new@contoso.example")).to_be_visible()

    invited = signed_out_page(browser)
    invited.goto(base_url + link_path(mail_to(mail_sink, "nina.new@contoso.example", "invites you"), "/invitation"))
    expect(invited.locator("#invite-offer")).to_contain_text("invites nina.new@contoso.example to join as Billing")
    invited.get_by_label("Full name").fill("Nina New")
    invited.get_by_label("Password", exact=True).fill("ninas-own-password")
    invited.get_by_label("Repeat the password").fill("ninas-own-password")
    invited.get_by_role("button", name="Create my account").click()
    # Sessions are opened only by the sign-in route (HttpOnly cookie): the new user signs in with their password.
    expect(invited.locator("#login-notice")).to_contain_text("Your account is ready.")
    submit_login(invited, "nina.new@contoso.example", "ninas-own-password")

    expect(invited.get_by_role("button", name="Sign out")).to_be_visible()
    expect(invited.get_by_role("banner")).to_contain_text("Nina New")
    expect(invited.get_by_role("banner")).to_contain_text("Billing contact")
    invited.context.close()
    page.reload()
    expect(page.get_by_role("button", name="Revoke the invitation to nina.new@contoso.example")).to_have_count(0)


def test_a_revoked_invitation_link_no_longer_works(page: Page, browser: Browser, base_url, mail_sink, contoso):
    sign_in(page, base_url, CONTOSO_OWNER)
    page.get_by_role("link", name="Organization").click()
    page.get_by_role("button", name="Invite a user").click()
    page.get_by_role("dialog").get_by_label("E-mail address").fill("omar.gone@contoso.example")
    page.get_by_role("dialog").get_by_role("button", name="Send invitation").click()
    revoke = page.get_by_role("button", name="Revoke the invitation to omar.gone@contoso.example")
    revoke.click()
    expect(revoke).to_have_count(0)

    invited = signed_out_page(browser)
    invited.goto(base_url + link_path(mail_to(mail_sink, "omar.gone@contoso.example", "invites you"), "/invitation"))
    expect(invited.get_by_role("alert")).to_have_text(account_links.LINK_USED)
    expect(invited.get_by_label("Full name")).to_have_count(0)  # nothing to fill in for a dead link
    invited.context.close()


def test_staff_find_a_sent_message_in_the_outbox_by_recipient_and_read_it_with_its_html_sandboxed(
        page: Page, base_url, mail_sink, contoso):
    credit_notices.run_monthly(OPERATOR)
    mail_to(mail_sink, CONTOSO_OWNER, "Credit statement")
    sign_in(page, base_url, STAFF)
    page.get_by_role("link", name="Mail").click()
    path_is(page, base_url, "/staff/mail")
    page.get_by_label("Recipient").fill(CONTOSO_OWNER)
    page.get_by_label("Status").select_option("sent")
    rows = page.locator("#mail-list tbody tr")
    expect(rows.filter(has_not_text=CONTOSO_OWNER)).to_have_count(0)
    expect(rows.filter(has_not_text="Sent")).to_have_count(0)
    expect(rows).not_to_have_count(0)
    page.get_by_role("link", name=re.compile(f"Credit statement for .*: {contoso}")).first.click()

    expect(page.locator("#mail-subject")).to_contain_text(contoso)
    frame = page.locator("iframe#mail-html")
    expect(frame).to_have_attribute("sandbox", "")
    expect(page.frame_locator("iframe#mail-html").get_by_text("Unsubscribe from this notification")).to_be_visible()
    page.get_by_role("tab", name="Text").click()
    expect(page.locator("#mail-text").get_by_role("link", name=re.compile(r"unsubscribe\?token="))).to_be_visible()


def test_customers_cannot_open_the_staff_outbox(page: Page, base_url):
    sign_in(page, base_url, OWNER)
    page.goto(f"{base_url}/staff/mail")
    expect(page.get_by_role("alert")).to_have_text("This area is for the support team only.")
    expect(page.locator("#mail-list")).to_have_count(0)


def test_an_owner_sets_the_low_support_hours_alert_in_hours_and_minutes(page: Page, base_url, contoso):
    sign_in(page, base_url, CONTOSO_OWNER)
    page.get_by_role("link", name="Organization").click()
    page.get_by_label("Alert below").fill("7:3O")
    page.get_by_role("button", name="Save alert").click()
    expect(page.get_by_role("alert")).to_have_text("Alert below: enter hours such as 10, 7:30 or 45m.")
    page.get_by_label("Alert below").fill("7:3")  # the message answered what was sent: it goes once it is edited
    expect(page.get_by_role("alert")).to_have_count(0)

    page.get_by_label("Alert below").fill("5:30")
    page.get_by_role("button", name="Save alert").click()
    expect(page.locator("#threshold-label")).to_have_text("Alert below 5 h 30 min of available support hours.")

    page.get_by_role("button", name="Turn the alert off").click()
    expect(page.locator("#threshold-label")).to_have_text("No alert is set.")

