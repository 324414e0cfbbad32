"""Notifications end to end through a real SMTP server (aiosmtpd, started per test): statements, expiry notices,
low-balance alerts, overdue reminders, subscriptions and one-click unsubscribe, password resets and
invitations, the outbox staff read under Mail, the CLI and the scheduler (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
import socket
from datetime import UTC, date, datetime, time, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from time import monotonic, sleep

import pytest
from sqlalchemy import event, text

from opsportal import clock
from opsportal.cli import main
from opsportal.db import get_engine, unit_of_work
from opsportal.devtools.smtp_sink import SmtpSink
from opsportal.domain.notifications import NotificationKind
from opsportal.services import (
    account_links,
    auth,
    bank_payments,
    credit_notices,
    credits,
    invoice_staff,
    low_balance,
    mailer,
    notice_mail,
    outbox,
    overdue_reminders,
    plan_catalog,
    scheduler,
    subscriptions,
)
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Unavailable
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import create_organization
from opsportal.services.plan_catalog import seed_defaults
from opsportal.services.users import create_user
from opsportal.settings import get_settings
from tests.utils.builders import PASSWORD
from tests.utils.db import row_counts
from tests.utils.ledger import NOW, consume, day, grant

PUBLIC_URL = "https://portal.test"
MONTHLY, WEEKLY = "monthly_statement", "weekly_expiry"
HOURS = "support_hours"


# --- a real SMTP server and what it caught --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """The messages the test's SMTP server saved, oldest first."""

    def __init__(self, sink: SmtpSink):
        self.sink = sink
        self._seen = 0

    def all(self) -> list[EmailMessage]:
        return [BytesParser(policy=policy.default).parsebytes(p.read_bytes()) for p in self.sink.files()]

    def new(self) -> list[EmailMessage]:
        """Messages caught since the previous call."""
        messages = self.all()
        fresh, self._seen = messages[self._seen:], len(messages)
        return fresh

    def down(self) -> None:
        self.sink.stop()

    def up(self) -> None:
        self.sink.start()


@pytest.fixture
def inbox(world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An SMTP server on a free port; the app's settings point at it (after the database fixture's)."""
    port = free_port()
    sink = SmtpSink(tmp_path / "mail", port=port).start()
    for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_TIMEOUT_SECONDS": "5",
                        "PUBLIC_URL": PUBLIC_URL, "MAIL_DIR": str(tmp_path / "mail")}.items():
        monkeypatch.setenv(f"OPSPORTAL_{name}", value)
    get_settings.cache_clear()
    yield Inbox(sink)
    sink.stop()
    get_settings.cache_clear()


def to(msg: EmailMessage) -> str:
    return msg["To"].addresses[0].addr_spec


def text_of(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html_of(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("html",)).get_content()


def link(msg: EmailMessage, label: str) -> str:
    match = re.search(rf"^{re.escape(label)}: (\S+)$", text_of(msg), re.MULTILINE)
    assert match, f"no {label!r} line in:\n{text_of(msg)}"
    return match.group(1)


def token_of(url: str) -> str:
    return url.split("token=", 1)[1]


def deliveries() -> list[tuple]:
    with get_engine().connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT u.email, d.kind, d.period_key, d.status, d.attempts FROM notification_delivery d "
            "JOIN user_account u ON u.id = d.user_id ORDER BY u.email, d.kind, d.period_key"))]


def subscribe(world, *names: str, kind: str) -> None:
    for name in names:
        subscriptions.subscribe(world.actor(name), kind)


# --- a demo-like organization ------------------------------------------------------------------------------------


def demo_credits(world) -> None:
    """Northwind Holdings at NOW (Monday 10 March 2025): hours and credits of both types expiring at different dates.

    Support hours: complimentary 385 min free, usable through 20 March; purchased 360 min through 30 March and
    2,400 min through 24 May. Service credits: complimentary 43 through 4 April, purchased 200 through 26 September;
    30 credits expired on 28 February. Used in the last 30 days: 3 h Infrastructure, 1 h 35 min Networking,
    7 credits Consulting (1 h of Networking 40 days ago is too old).
    """
    h = world.holdings
    grant(h, 600, product=HOURS, expires=day(20), at=NOW - timedelta(days=60))
    grant(h, 2400, product=HOURS, expires=day(75), at=NOW - timedelta(days=60))
    grant(h, 480, product=HOURS, kind="complimentary", expires=day(10), at=NOW - timedelta(days=20))
    grant(h, 50, kind="complimentary", expires=day(25), at=NOW - timedelta(days=30))
    grant(h, 200, expires=day(200), at=NOW - timedelta(days=90))
    grant(h, 40, expires=day(-10), at=NOW - timedelta(days=200))
    consume(h, 10, at=NOW - timedelta(days=150))
    credits.expire_due(OPERATOR, at=NOW)
    consume(h, 60, product=HOURS, category="Networking", at=NOW - timedelta(days=40))
    consume(h, 180, product=HOURS, category="Infrastructure", at=NOW - timedelta(days=25))
    consume(h, 95, product=HOURS, category="Networking", at=NOW - timedelta(days=12))
    consume(h, 7, category="Consulting", at=NOW - timedelta(days=3))


WEEKLY_HOURS_NOTE = ("Not all of the total expires on 20 March 2025: 6 h 25 min expire on that date and 6 h later "
                     "in the next 30 days.")


def test_the_weekly_expiry_notice_gives_each_subscriber_the_totals_by_type_and_the_nearest_date(world, inbox):
    demo_credits(world)
    subscribe(world, "holdings_owner", "holdings_admin", "retail_owner", "fabrikam_owner", kind=WEEKLY)

    report = credit_notices.run_weekly(OPERATOR, at=NOW)

    messages = inbox.new()
    assert sorted(to(m) for m in messages) == ["adam@northwind.example", "olivia@northwind.example"]
    assert (report.period, len(report.sent), len(report.failed)) == ("2025-W11", 2, 0)
    assert sorted(o.organization for o in report.skipped) == ["Fabrikam Clinics", "Northwind Retail"]
    msg = next(m for m in messages if to(m) == "olivia@northwind.example")
    assert msg["Subject"] == "Credits expiring in the next 30 days at Northwind Holdings (nearest 20 March 2025)"
    assert str(msg["To"]) == "Olivia Hart <olivia@northwind.example>"
    assert msg["From"] == "OpsPortal <no-reply@opsportal.example>"
    assert msg.get_content_type() == "multipart/alternative"
    body = text_of(msg)
    assert "Hello Olivia Hart," in body
    assert "Some credits of Northwind Holdings will expire in the next 30 days, by 9 April 2025" in body
    assert "  Purchased: 6 h, nearest expiry 30 March 2025." in body
    assert "  Complimentary: 6 h 25 min, nearest expiry 20 March 2025." in body
    assert "  Total: 12 h 25 min" in body
    assert f"  Nearest expiry: 20 March 2025. {WEEKLY_HOURS_NOTE}" in body
    assert "  Complimentary: 43 credits, nearest expiry 4 April 2025." in body
    assert "  Nearest expiry: 4 April 2025. All of it expires on 4 April 2025." in body
    assert "40 h" not in body and "200 credits" not in body  # those expire later than 30 days
    page = html_of(msg)
    for figure in ("6 h", "6 h 25 min", "12 h 25 min", "30 March 2025", "20 March 2025", "43 credits",
                   WEEKLY_HOURS_NOTE, f'href="{PUBLIC_URL}/credits"'):
        assert figure in page
    assert "Type of credit" in page and "Nearest expiry" in page


def test_the_monthly_statement_shows_use_by_category_active_credits_by_expiry_period_and_what_expired(world, inbox):
    demo_credits(world)
    subscribe(world, "holdings_owner", "retail_owner", kind=MONTHLY)

    report = credit_notices.run_monthly(OPERATOR, at=NOW)

    (msg,) = inbox.new()
    assert (report.period, [o.email for o in report.sent]) == ("2025-03", ["olivia@northwind.example"])
    assert [(o.organization, o.reason) for o in report.skipped] == [
        ("Northwind Retail", "nothing to report: no credits used in the past month and none active")]
    assert msg["Subject"] == "Credit statement for March 2025: Northwind Holdings"
    body = text_of(msg)
    assert "what was used from 8 Feb 2025, 09:30 UTC to 10 Mar 2025, 09:30 UTC" in body
    hours = body.split("Support hours\n-------------\n", 1)[1].split("Service credits\n", 1)[0]
    assert hours.split("Active credits")[0].split("Used in the last 30 days:\n")[1].splitlines()[:3] == [
        "  Infrastructure: 3 h", "  Networking: 1 h 35 min", "  Total used: 4 h 35 min"]
    for line in ("  Expire within 30 days: 12 h 25 min", "  Expire in 61 to 90 days: 40 h",
                 "  Total available: 52 h 25 min",
                 "  12 h 25 min will expire in the next 30 days if not used.", "Expired in the past month: nothing."):
        assert line in hours
    service = body.split("Service credits\n---------------\n", 1)[1]
    for line in ("  Consulting: 7 credits", "  Total used: 7 credits", "  Expire within 30 days: 43 credits",
                 "  Expire in more than 120 days: 200 credits", "  Total available: 243 credits",
                 "Expired in the past month: 30 credits."):
        assert line in service
    page = html_of(msg)
    for figure in ("Infrastructure", "3 h", "1 h 35 min", "4 h 35 min", "12 h 25 min", "40 h", "52 h 25 min",
                   "243 credits", "30 credits expired unused.", "Nothing expired in the past month."):
        assert figure in page


def test_every_notice_carries_a_signed_one_click_unsubscribe_link_that_works_without_signing_in(world, inbox):
    demo_credits(world)
    subscribe(world, "holdings_owner", "holdings_admin", kind=WEEKLY)
    credit_notices.run_weekly(OPERATOR, at=NOW)
    msg = next(m for m in inbox.new() if to(m) == "olivia@northwind.example")

    page_link = link(msg, "Unsubscribe from this notification")
    assert page_link.startswith(f"{PUBLIC_URL}/unsubscribe?token=")
    assert msg["List-Unsubscribe"] == f"<{PUBLIC_URL}/api/unsubscribe?token={token_of(page_link)}>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f'href="{page_link}"' in html_of(msg)
    assert link(msg, "Manage your notifications") == f"{PUBLIC_URL}/notifications"

    result = subscriptions.unsubscribe_by_token(token_of(page_link))
    again = subscriptions.unsubscribe_by_token(token_of(page_link))

    assert (result.email, result.kind, result.changed, result.nobody_left) == (
        "olivia@northwind.example", WEEKLY, True, False)
    assert result.message == "olivia@northwind.example will no longer receive the weekly credit expiry notice."
    assert (again.changed, again.subscribed) == (False, False)
    credit_notices.run_weekly(OPERATOR, at=NOW + timedelta(days=7))
    assert [to(m) for m in inbox.new()] == ["adam@northwind.example"]
    statuses = {s.kind: s.subscribed for s in subscriptions.list_subscriptions(world.actor("holdings_owner"))}
    assert statuses[WEEKLY] is False


def test_unsubscribing_the_last_subscriber_by_link_says_nobody_receives_it_and_undo_subscribes_again(world, inbox):
    subscribe(world, "holdings_owner", kind=MONTHLY)
    token = subscriptions.unsubscribe_token(world.users["holdings_owner"].id, MONTHLY)

    result = subscriptions.unsubscribe_by_token(token)
    undone = subscriptions.resubscribe_by_token(token)

    assert result.nobody_left is True
    assert "No one in Northwind Holdings receives it any more." in result.message
    assert (undone.subscribed, undone.changed) == (True, True)


def test_a_forged_expired_or_session_token_does_not_unsubscribe_anyone(world, inbox):
    subscribe(world, "holdings_owner", kind=MONTHLY)
    user_id = world.users["holdings_owner"].id
    good = subscriptions.unsubscribe_token(user_id, MONTHLY)
    expired = subscriptions.unsubscribe_token(user_id, MONTHLY, now=clock.now() - timedelta(days=61))
    session_token = auth.sign_in(email="olivia@northwind.example", password=PASSWORD).token

    with pytest.raises(InvalidInput, match="^This unsubscribe link has expired"):
        subscriptions.unsubscribe_by_token(expired)
    for bad in (good[:-4] + "AAAA", session_token, "", "not-a-token"):
        with pytest.raises(InvalidInput, match="^This unsubscribe link is not valid"):
            subscriptions.unsubscribe_by_token(bad)
    assert {s.kind: s.subscribed for s in subscriptions.list_subscriptions(world.actor("holdings_owner"))}[MONTHLY]


# --- at most once ------------------------------------------------------------------------------------------------


def test_running_a_job_again_for_the_same_period_sends_nothing_new(world, inbox):
    demo_credits(world)
    subscribe(world, "holdings_owner", "holdings_admin", kind=MONTHLY)
    subscribe(world, "holdings_owner", kind=WEEKLY)

    credit_notices.run_monthly(OPERATOR, at=NOW)
    credit_notices.run_weekly(OPERATOR, at=NOW)
    first = inbox.new()
    monthly_again = credit_notices.run_monthly(OPERATOR, at=NOW + timedelta(days=5))
    weekly_again = credit_notices.run_weekly(OPERATOR, at=NOW + timedelta(days=3))

    assert len(first) == 3
    assert inbox.new() == []
    assert {(o.outcome, o.reason) for o in monthly_again.outcomes + weekly_again.outcomes} == {
        ("skipped", "already sent")}
    assert deliveries() == [
        ("adam@northwind.example", MONTHLY, "2025-03", "sent", 1),
        ("olivia@northwind.example", MONTHLY, "2025-03", "sent", 1),
        ("olivia@northwind.example", WEEKLY, "2025-W11", "sent", 1),
    ]
    credit_notices.run_weekly(OPERATOR, at=NOW + timedelta(days=7))
    assert [m["Subject"] for m in inbox.new()] == [
        "Credits expiring in the next 30 days at Northwind Holdings (nearest 20 March 2025)"]


def test_an_organization_with_nothing_to_report_gets_nothing(world, inbox):
    grant(world.fabrikam, 40, expires=day(-5), at=NOW - timedelta(days=100))  # expired before the window
    grant(world.fabrikam, 100, expires=day(45), at=NOW - timedelta(days=10))  # active, but not within 30 days
    subscribe(world, "fabrikam_owner", kind=WEEKLY)
    subscribe(world, "retail_owner", kind=MONTHLY)

    weekly = credit_notices.run_weekly(OPERATOR, at=NOW)
    monthly = credit_notices.run_monthly(OPERATOR, at=NOW)

    assert inbox.new() == []
    assert deliveries() == []
    assert [(o.organization, o.reason) for o in weekly.skipped] == [
        ("Fabrikam Clinics", "nothing to report: no credits expire in the next 30 days")]
    assert [o.organization for o in monthly.skipped] == ["Northwind Retail"]


def test_a_dry_run_reports_who_would_get_a_notice_and_sends_and_records_nothing(world, inbox):
    demo_credits(world)
    subscribe(world, "holdings_owner", "holdings_admin", kind=WEEKLY)

    report = credit_notices.run_weekly(OPERATOR, at=NOW, dry_run=True)

    assert sorted(o.email for o in report.would_send) == ["adam@northwind.example", "olivia@northwind.example"]
    assert inbox.new() == [] and deliveries() == []


def test_a_send_that_fails_while_the_smtp_server_is_down_is_recorded_and_sent_by_the_next_run(world, inbox):
    demo_credits(world)
    subscribe(world, "holdings_owner", "holdings_admin", kind=WEEKLY)
    inbox.down()

    failed = credit_notices.run_weekly(OPERATOR, at=NOW)
    inbox.up()
    retried = credit_notices.run_weekly(OPERATOR, at=NOW + timedelta(hours=1))
    third = credit_notices.run_weekly(OPERATOR, at=NOW + timedelta(hours=2))

    assert [o.outcome for o in failed.outcomes] == ["failed", "failed"]
    assert "could not connect to the mail server at 127.0.0.1" in failed.failed[0].reason
    assert failed.failed[0].reason.endswith("it will be retried on the next run")
    assert sorted(o.email for o in retried.sent) == ["adam@northwind.example", "olivia@northwind.example"]
    assert [o.outcome for o in third.outcomes] == ["skipped", "skipped"]
    assert sorted(to(m) for m in inbox.new()) == ["adam@northwind.example", "olivia@northwind.example"]
    assert [(email, status, attempts) for email, _k, _p, status, attempts in deliveries()] == [
        ("adam@northwind.example", "sent", 2), ("olivia@northwind.example", "sent", 2)]


def test_a_job_that_crashes_half_way_sends_each_user_exactly_one_notice_once_run_again(world, inbox, monkeypatch):
    demo_credits(world)
    subscribe(world, "holdings_owner", "holdings_admin", "holdings_billing", kind=WEEKLY)
    real_send = mailer.send_mail

    def send_then_crash(mail):
        real_send(mail)  # the server has the message; the process dies before recording it
        raise RuntimeError("worker killed")

    monkeypatch.setattr(mailer, "send_mail", send_then_crash)
    with pytest.raises(RuntimeError, match="worker killed"):
        credit_notices.run_weekly(OPERATOR, at=NOW)
    monkeypatch.setattr(mailer, "send_mail", real_send)
    rerun = credit_notices.run_weekly(OPERATOR, at=NOW + timedelta(minutes=5))
    last = credit_notices.run_weekly(OPERATOR, at=NOW + timedelta(minutes=10))

    received = sorted(to(m) for m in inbox.new())
    assert received == ["adam@northwind.example", "bianca@northwind.example", "olivia@northwind.example"]
    (unconfirmed,) = rerun.unconfirmed
    assert unconfirmed.email == "olivia@northwind.example"  # the first recipient: sent, never recorded
    assert sorted(o.email for o in rerun.sent) == ["adam@northwind.example", "bianca@northwind.example"]
    assert len(last.unconfirmed) == 1 and last.sent == [] and inbox.new() == []


# --- subscriptions -----------------------------------------------------------------------------------------------


def test_a_new_organizations_primary_contact_is_subscribed_to_the_statement_and_the_expiry_notice(world, inbox):
    create_organization(OPERATOR, name="Contoso")
    first = create_user(OPERATOR, email="ann@contoso.example", role="owner", organization_name="Contoso",
                        password=PASSWORD).user
    second = create_user(OPERATOR, email="bob@contoso.example", role="owner", organization_name="Contoso",
                         password=PASSWORD).user
    staff = world.actor("staff_admin")

    mine = {s.kind: (s.subscribed, s.chosen) for s in subscriptions.list_subscriptions(staff, first.id)}
    theirs = {s.kind: s.subscribed for s in subscriptions.list_subscriptions(staff, second.id)}

    assert mine == {MONTHLY: (True, True), WEEKLY: (True, True), "low_balance": (True, False),
                    "overdue_reminder": (True, False)}
    assert (theirs[MONTHLY], theirs[WEEKLY]) == (False, False)


def test_a_user_subscribes_and_unsubscribes_and_members_are_not_offered_overdue_reminders(world, inbox):
    member = world.actor("holdings_member")

    on = subscriptions.subscribe(member, WEEKLY)
    subscriptions.subscribe(world.actor("holdings_owner"), WEEKLY)
    off = subscriptions.unsubscribe(member, WEEKLY)

    assert (on.subscribed, on.changed, on.message) == (True, True, "You will receive the weekly credit expiry notice.")
    assert (off.subscribed, off.changed, off.needs_confirmation) == (False, True, False)
    assert [s.kind for s in subscriptions.list_subscriptions(member)] == [MONTHLY, WEEKLY, "low_balance"]
    with pytest.raises(InvalidInput, match="goes to owners, administrators and billing contacts only"):
        subscriptions.subscribe(member, "overdue_reminder")


def test_unsubscribing_the_last_subscriber_asks_for_confirmation_first_and_changes_nothing_until_then(world, inbox):
    owner, admin = world.actor("holdings_owner"), world.actor("holdings_admin")
    subscribe(world, "holdings_owner", "holdings_admin", kind=MONTHLY)
    subscriptions.unsubscribe(admin, MONTHLY)

    asked = subscriptions.unsubscribe(owner, MONTHLY)
    still = {s.kind: s.subscribed for s in subscriptions.list_subscriptions(owner)}[MONTHLY]
    confirmed = subscriptions.unsubscribe(owner, MONTHLY, confirm=True)

    assert (asked.needs_confirmation, asked.changed, still) == (True, False, True)
    assert asked.message == (
        "You are the last subscriber of the monthly credit statement in Northwind Holdings. If you unsubscribe, no "
        "one in Northwind Holdings will receive it any more. This might cause you to miss an expiration date and "
        "lead to loss of credits.")
    assert (confirmed.subscribed, confirmed.changed) == (False, True)
    assert confirmed.message.endswith("No one in Northwind Holdings receives it any more.")


def test_owners_and_admins_manage_their_colleagues_subscriptions_and_nobody_else_does(world, inbox):
    member_id = world.users["holdings_member"].id
    owner_id = world.users["holdings_owner"].id

    change = subscriptions.subscribe(world.actor("holdings_admin"), MONTHLY, user_id=member_id)
    listing = subscriptions.organization_subscriptions(world.actor("holdings_owner"), world.holdings.id)

    assert change.message == "Mark Osei will receive the monthly credit statement."
    assert {m.email: m.subscriptions[MONTHLY] for m in listing.items}["mark@northwind.example"] is True
    with pytest.raises(PermissionDenied, match="^Only the organization's owners and administrators"):
        subscriptions.unsubscribe(world.actor("holdings_member"), MONTHLY, user_id=owner_id)
    for outsider in ("fabrikam_owner", "retail_owner"):
        with pytest.raises(PermissionDenied, match="^That user was not found or you do not have access to them.$"):
            subscriptions.list_subscriptions(world.actor(outsider), member_id)
        with pytest.raises(PermissionDenied, match="^That user was not found"):
            subscriptions.unsubscribe(world.actor(outsider), MONTHLY, user_id=member_id, confirm=True)
        with pytest.raises(PermissionDenied):
            subscriptions.organization_subscriptions(world.actor(outsider), world.holdings.id)
    with pytest.raises(InvalidInput, match="staff accounts have none"):
        subscriptions.list_subscriptions(world.actor("agent"))
    asked = subscriptions.unsubscribe(world.actor("holdings_owner"), MONTHLY, user_id=member_id)
    assert asked.needs_confirmation and asked.message.startswith("Mark Osei is the last subscriber")
    assert {s.kind: s.subscribed for s in subscriptions.list_subscriptions(world.actor("holdings_member"))}[MONTHLY]


def test_the_jobs_and_an_unknown_notification_are_refused_to_customers(world, inbox):
    for job in (credit_notices.run_monthly, credit_notices.run_weekly, low_balance.run_low_balance,
                overdue_reminders.run_overdue_reminders):
        with pytest.raises(PermissionDenied):
            job(world.actor("holdings_owner"), at=NOW)
    with pytest.raises(InvalidInput, match="^Unknown notification 'daily'"):
        subscriptions.subscribe(world.actor("holdings_owner"), "daily")


# --- low balance and overdue invoices ------------------------------------------------------------------------------


def test_a_low_balance_alert_goes_out_once_per_fall_below_the_threshold(world, inbox):
    owner = world.actor("holdings_owner")
    low_balance.set_low_balance_threshold(owner, world.holdings.id, 10 * 60)
    grant(world.holdings, 11 * 60, product=HOURS, at=NOW - timedelta(days=1))

    above = low_balance.run_low_balance(OPERATOR, at=NOW)
    consume(world.holdings, 3 * 60 + 30, product=HOURS, at=NOW + timedelta(hours=1))
    below = low_balance.run_low_balance(OPERATOR, at=NOW + timedelta(hours=2))
    still_below = low_balance.run_low_balance(OPERATOR, at=NOW + timedelta(hours=3))
    first = inbox.new()
    grant(world.holdings, 5 * 60, product=HOURS, at=NOW + timedelta(hours=4))
    recovered = low_balance.run_low_balance(OPERATOR, at=NOW + timedelta(hours=5))
    consume(world.holdings, 6 * 60, product=HOURS, at=NOW + timedelta(hours=6))
    again = low_balance.run_low_balance(OPERATOR, at=NOW + timedelta(hours=7))

    assert [o.reason for o in above.skipped] == ["not below the threshold: 11 h available, threshold 10 h"]
    assert sorted(o.email for o in below.sent) == ["adam@northwind.example", "olivia@northwind.example"]
    assert [o.reason for o in still_below.outcomes] == ["already sent", "already sent"]
    assert recovered.sent == [] and len(again.sent) == 2
    assert sorted(to(m) for m in first) == ["adam@northwind.example", "olivia@northwind.example"]
    assert first[0]["Subject"] == "Support hours running low at Northwind Holdings: 7 h 30 min left"
    assert ("At 10 Mar 2025, 11:30 UTC, Northwind Holdings had 7 h 30 min of support hours available, below its "
            "alert threshold of 10 h." in text_of(first[0]))
    assert f"{PUBLIC_URL}/billing/hours" in text_of(first[0]) and f'href="{PUBLIC_URL}/billing/hours"' in html_of(
        first[0])
    assert [m["Subject"] for m in inbox.new()] == [
        "Support hours running low at Northwind Holdings: 6 h 30 min left"] * 2


# --- the recipient's time zone -------------------------------------------------------------------------------------

WINTER_AFTERNOON = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)


def set_zone(email: str, zone: str | None) -> None:
    with get_engine().begin() as conn:
        conn.execute(text("UPDATE user_account SET time_zone = :zone WHERE email = :email"),
                     {"zone": zone, "email": email})


def home_region(world, code: str) -> None:
    with unit_of_work() as session:
        seed_defaults(session)
    plan_catalog.set_org_regions(OPERATOR, world.holdings.id, code)


def test_a_recipient_in_new_york_reads_the_statements_window_in_eastern_time_with_the_zone_named(world, inbox):
    demo_credits(world)
    subscribe(world, "holdings_owner", kind=MONTHLY)
    set_zone("olivia@northwind.example", "America/New_York")

    credit_notices.run_monthly(OPERATOR, at=NOW)

    (msg,) = inbox.new()
    # 09:30 UTC is 04:30 in New York in February (EST) and 05:30 once clocks went forward on 9 March (EDT).
    sentence = "what was used from 8 Feb 2025, 04:30 EST to 10 Mar 2025, 05:30 EDT"
    assert sentence in text_of(msg) and sentence in html_of(msg)


def test_each_recipient_reads_times_in_their_own_zone_else_their_organizations_home_region_zone(world, inbox):
    demo_credits(world)
    home_region(world, "AMER")
    subscribe(world, "holdings_owner", "holdings_admin", kind=MONTHLY)
    set_zone("adam@northwind.example", "Europe/London")

    credit_notices.run_monthly(OPERATOR, at=NOW)

    by_recipient = {to(m): text_of(m) for m in inbox.new()}
    assert "from 8 Feb 2025, 04:30 EST to 10 Mar 2025, 05:30 EDT" in by_recipient["olivia@northwind.example"]
    assert "from 8 Feb 2025, 09:30 GMT to 10 Mar 2025, 09:30 GMT" in by_recipient["adam@northwind.example"]


def test_recipients_zones_are_read_in_two_queries_however_many_recipients_and_organizations(world, inbox):
    home_region(world, "AMER")
    subscribe(world, "holdings_owner", "holdings_admin", "retail_owner", "fabrikam_owner", kind=MONTHLY)
    set_zone("adam@northwind.example", "Europe/London")
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    with unit_of_work(write=False) as session:
        event.listen(get_engine(), "before_cursor_execute", count)
        try:
            by_org = notice_mail.recipients(session, NotificationKind.monthly_statement)
        finally:
            event.remove(get_engine(), "before_cursor_execute", count)

    zones = {r.email: r.time_zone for recipients in by_org.values() for r in recipients}
    assert zones == {"olivia@northwind.example": "America/New_York", "adam@northwind.example": "Europe/London",
                     "rita@retail.northwind.example": "UTC", "fiona@fabrikam.example": "UTC"}
    assert len(statements) == 2


def test_the_low_balance_alert_says_when_the_balance_was_read_in_the_recipients_zone(world, inbox):
    set_zone("olivia@northwind.example", "America/New_York")
    low_balance.set_low_balance_threshold(world.actor("holdings_owner"), world.holdings.id, 2 * 60)
    grant(world.holdings, 90, product=HOURS, at=WINTER_AFTERNOON - timedelta(days=1))

    low_balance.run_low_balance(OPERATOR, at=WINTER_AFTERNOON)

    body = text_of(next(m for m in inbox.new() if to(m) == "olivia@northwind.example"))
    assert ("At 3 Dec 2026, 09:05 EST, Northwind Holdings had 1 h 30 min of support hours available, below its "
            "alert threshold of 2 h.") in body


def test_a_password_reset_link_says_when_it_expires_in_the_users_zone(world, inbox):
    set_zone("olivia@northwind.example", "America/New_York")

    account_links.request_password_reset("olivia@northwind.example", now=WINTER_AFTERNOON)

    (msg,) = inbox.new()
    assert "expires in 60 minutes, at 3 Dec 2026, 10:05 EST." in text_of(msg)
    assert "3 Dec 2026, 10:05 EST" in html_of(msg)


def test_an_invitation_says_when_it_expires_in_the_organizations_home_region_zone(world, inbox):
    home_region(world, "AMER")

    account_links.invite_user(world.actor("holdings_owner"), email="nina@northwind.example", role="member",
                              now=WINTER_AFTERNOON)

    (msg,) = inbox.new()
    assert "expires in 7 days, on 10 Dec 2026, 09:05 EST." in text_of(msg)


def test_only_owners_and_admins_set_the_low_balance_threshold_of_their_own_organization(world, inbox):
    with pytest.raises(PermissionDenied):
        low_balance.set_low_balance_threshold(world.actor("holdings_member"), world.holdings.id, 60)
    with pytest.raises(PermissionDenied):
        low_balance.set_low_balance_threshold(world.actor("fabrikam_owner"), world.holdings.id, 60)
    with pytest.raises(PermissionDenied):
        low_balance.low_balance_threshold(world.actor("fabrikam_owner"), world.holdings.id)
    with pytest.raises(InvalidInput, match="positive number of hours"):
        low_balance.set_low_balance_threshold(world.actor("holdings_admin"), world.holdings.id, 0)
    low_balance.set_low_balance_threshold(world.actor("holdings_admin"), world.holdings.id, 90)
    assert low_balance.low_balance_threshold(world.actor("holdings_member"), world.holdings.id) == 90


def test_an_unpaid_invoice_is_reminded_1_7_and_14_days_after_its_due_date_once_each_with_a_pay_link(world, inbox):
    issued = date(2025, 3, 1)
    invoice = invoice_staff.create_pre_service_invoice(OPERATOR, world.holdings.id,
                                                       [ItemInput("Emergency after-hours incident", 1, 45_000)],
                                                       today=issued)
    paid = invoice_staff.create_pre_service_invoice(OPERATOR, world.holdings.id, [ItemInput("Audit", 1, 10_000)],
                                                    today=issued)
    bank_payments.record_offline_payment(OPERATOR, paid.id, at=NOW)
    due = invoice.due_date
    sent_by_day = {}
    for days in (0, 1, 1, 3, 7, 8, 14, 20, 21, 30):
        report = overdue_reminders.run_overdue_reminders(OPERATOR, at=datetime.combine(due, time(9), UTC)
                                                     + timedelta(days=days))
        sent_by_day.setdefault(days, []).extend(sorted(o.email for o in report.sent))

    everyone = ["adam@northwind.example", "bianca@northwind.example", "olivia@northwind.example"]
    assert sent_by_day == {0: [], 1: everyone, 3: [], 7: everyone, 8: [], 14: everyone, 20: [], 21: [], 30: []}
    messages = inbox.new()
    assert len(messages) == 9 and "mark@northwind.example" not in {to(m) for m in messages}
    first = messages[0]
    assert first["Subject"] == f"Reminder: invoice {invoice.number} is 1 day overdue"
    assert messages[-1]["Subject"] == f"Reminder: invoice {invoice.number} is 14 days overdue"
    body = text_of(first)
    assert f"Invoice {invoice.number} of Northwind Holdings was due on 31 March 2025 and is now 1 day overdue." in body
    assert "  Amount due: USD 450.00" in body
    assert f"Pay it online: {PUBLIC_URL}/billing/invoices/{invoice.id}" in body
    assert f'href="{PUBLIC_URL}/billing/invoices/{invoice.id}"' in html_of(first)
    assert first["List-Unsubscribe"].startswith(f"<{PUBLIC_URL}/api/unsubscribe?token=")


# --- password reset and invitations ----------------------------------------------------------------------------


def test_a_password_reset_link_works_once_signs_out_everywhere_and_unknown_addresses_get_the_same_answer(
        world, inbox):
    old_session = auth.sign_in(email="olivia@northwind.example", password=PASSWORD)

    answer = account_links.request_password_reset("Olivia@Northwind.example")
    unknown = account_links.request_password_reset("nobody@northwind.example")
    malformed = account_links.request_password_reset("not an address")

    assert answer == unknown == malformed == account_links.RESET_ANSWER
    (msg,) = inbox.new()
    assert (to(msg), msg["Subject"]) == ("olivia@northwind.example", "Reset your OpsPortal password")
    assert msg["List-Unsubscribe"] is None
    url = link_in(text_of(msg), f"{PUBLIC_URL}/reset-password?token=")
    assert f'href="{url}"' in html_of(msg)
    assert "expires in 60 minutes" in text_of(msg)

    assert account_links.reset_password(token_of(url), "a-brand-new-password") == "olivia@northwind.example"
    with pytest.raises(InvalidInput, match="^This link has already been used"):
        account_links.reset_password(token_of(url), "yet-another-password")
    with pytest.raises(InvalidInput, match="^This link is not valid"):
        account_links.reset_password("made-up-token", "yet-another-password")
    with pytest.raises(Exception, match="session has ended"):
        auth.authenticate(old_session.token)
    assert auth.sign_in(email="olivia@northwind.example", password="a-brand-new-password").actor.email


def link_in(body: str, prefix: str) -> str:
    match = re.search(re.escape(prefix) + r"\S+", body)
    assert match, body
    return match.group(0)


def test_a_password_reset_link_expires_after_an_hour_and_weak_passwords_are_refused(world, inbox):
    account_links.request_password_reset("olivia@northwind.example")
    token = token_of(link_in(text_of(inbox.new()[0]), f"{PUBLIC_URL}/reset-password?token="))

    with pytest.raises(InvalidInput, match="at least 10 characters"):
        account_links.reset_password(token, "short")
    with pytest.raises(InvalidInput, match="^This link has expired"):
        account_links.reset_password(token, "a-brand-new-password", now=clock.now() + timedelta(minutes=61))
    assert auth.sign_in(email="olivia@northwind.example", password=PASSWORD).actor.email


def test_an_owner_or_admin_invites_a_user_by_e_mail_who_accepts_once_and_can_sign_in(world, inbox):
    invitation = account_links.invite_user(world.actor("holdings_admin"), email="Nina.Kovac@Northwind.example",
                                           role="billing")

    (msg,) = inbox.new()
    assert (to(msg), msg["Subject"]) == ("Nina.Kovac@northwind.example",
                                         "Adam Reyes invites you to Northwind Holdings on OpsPortal")
    body = text_of(msg)
    assert "Adam Reyes invites you to join Northwind Holdings on OpsPortal as Billing contact." in body
    url = link_in(body, f"{PUBLIC_URL}/invitation?token=")
    assert [i.email for i in account_links.pending_invitations(world.actor("holdings_owner"),
                                                               world.holdings.id)] == [invitation.email]

    accepted = account_links.accept_invitation(token_of(url), full_name="  Nina   Kovac ", password="nina-password-1")

    assert (accepted.email, accepted.full_name, accepted.role, accepted.organization) == (
        "Nina.Kovac@northwind.example", "Nina Kovac", "billing", "Northwind Holdings")
    assert auth.sign_in(email="nina.kovac@northwind.example", password="nina-password-1").actor.role == "billing"
    with pytest.raises(InvalidInput, match="^This link has already been used"):
        account_links.accept_invitation(token_of(url), full_name="Nina", password="nina-password-1")
    assert account_links.pending_invitations(world.actor("holdings_owner"), world.holdings.id) == []


def test_checking_a_link_tells_whose_it_is_without_using_it(world, inbox):
    account_links.request_password_reset("olivia@northwind.example")
    reset = token_of(link_in(text_of(inbox.new()[0]), f"{PUBLIC_URL}/reset-password?token="))
    account_links.invite_user(world.actor("holdings_admin"), email="nina@northwind.example", role="billing")
    invite = token_of(link_in(text_of(inbox.new()[0]), f"{PUBLIC_URL}/invitation?token="))
    before = row_counts()

    assert account_links.check_link(reset, "reset") == account_links.LinkCheck(email="olivia@northwind.example")
    assert account_links.check_link(invite, "invite") == account_links.LinkCheck(
        email="nina@northwind.example", organization="Northwind Holdings", role_label="Billing contact")
    assert row_counts() == before
    assert account_links.reset_password(reset, "a-brand-new-password")  # still works after the check


@pytest.mark.parametrize(("token", "purpose", "message"), [
    ("made-up-token", "reset", "^This link is not valid"),
    ("", "invite", "^This link is not valid"),
    ("anything", "unsubscribe", "^This link is not valid"),
])
def test_checking_a_link_that_does_not_exist_gives_the_forms_message(world, token, purpose, message):
    with pytest.raises(InvalidInput, match=message):
        account_links.check_link(token, purpose)


def test_checking_a_used_or_expired_link_gives_the_forms_message(world, inbox):
    account_links.request_password_reset("olivia@northwind.example")
    token = token_of(link_in(text_of(inbox.new()[0]), f"{PUBLIC_URL}/reset-password?token="))
    with pytest.raises(InvalidInput, match="^This link has expired"):
        account_links.check_link(token, "reset", now=clock.now() + timedelta(minutes=61))
    with pytest.raises(InvalidInput, match="^This link is not valid"):  # a reset link is no invitation
        account_links.check_link(token, "invite")
    account_links.reset_password(token, "a-brand-new-password")
    with pytest.raises(InvalidInput, match="^This link has already been used"):
        account_links.check_link(token, "reset")


def test_invitations_are_for_owners_and_admins_of_their_own_organization(world, inbox):
    with pytest.raises(PermissionDenied):
        account_links.invite_user(world.actor("holdings_member"), email="x@northwind.example", role="member")
    with pytest.raises(PermissionDenied):
        account_links.invite_user(world.actor("fabrikam_owner"), email="x@northwind.example", role="member",
                                  organization_id=world.holdings.id)
    with pytest.raises(PermissionDenied, match="^Only owners may invite another owner.$"):
        account_links.invite_user(world.actor("holdings_admin"), email="x@northwind.example", role="owner")
    with pytest.raises(Conflict, match="already exists"):
        account_links.invite_user(world.actor("holdings_owner"), email="mark@northwind.example", role="member")
    with pytest.raises(InvalidInput, match="Only customer roles"):
        account_links.invite_user(world.actor("holdings_owner"), email="x@northwind.example", role="agent")
    assert inbox.new() == []


def test_an_invitation_that_cannot_be_e_mailed_is_withdrawn_and_says_so(world, inbox):
    inbox.down()
    with pytest.raises(Unavailable, match="could not be e-mailed"):
        account_links.invite_user(world.actor("holdings_owner"), email="x@northwind.example", role="member")
    assert account_links.pending_invitations(world.actor("holdings_owner"), world.holdings.id) == []


def test_an_invited_owner_of_an_organization_without_one_becomes_its_primary_contact(world, inbox):
    create_organization(OPERATOR, name="Contoso")
    invitation = account_links.invite_user(world.actor("staff_admin"), email="ann@contoso.example", role="owner",
                                           organization_id=_org_id("Contoso"))
    url = link_in(text_of(inbox.new()[0]), f"{PUBLIC_URL}/invitation?token=")

    accepted = account_links.accept_invitation(token_of(url), full_name="Ann Lee", password="ann-password-1")

    assert invitation.organization == accepted.organization == "Contoso"
    choices = subscriptions.list_subscriptions(world.actor("staff_admin"), accepted.user_id)
    assert {s.kind: s.subscribed for s in choices}[MONTHLY] is True


def _org_id(name: str) -> int:
    from opsportal.services.organizations import resolve_id

    return resolve_id(OPERATOR, name)


# --- the outbox, the CLI and the scheduler -------------------------------------------------------------------------


def test_staff_read_what_the_portal_sent_newest_first_in_the_outbox_and_customers_cannot(world, inbox):
    demo_credits(world)
    subscribe(world, "holdings_owner", kind=WEEKLY)
    subscribe(world, "holdings_owner", kind=MONTHLY)
    credit_notices.run_weekly(OPERATOR, at=NOW)
    credit_notices.run_monthly(OPERATOR, at=NOW)
    staff = world.actor("agent")

    page = outbox.list_outbox(staff, page=1, page_size=1)
    detail = outbox.read_outbox_message(staff, page.items[0].id)

    assert (page.total, page.pages) == (2, 2)
    newest = page.items[0]
    assert newest.subject == "Credit statement for March 2025: Northwind Holdings"
    assert (newest.recipients, newest.kind, newest.organization, newest.status, newest.error) == (
        "olivia@northwind.example", MONTHLY, "Northwind Holdings", "sent", "")
    assert "Total available: 52 h 25 min" in detail.text and "52 h 25 min" in detail.html
    assert detail.message_id == str(inbox.all()[-1]["Message-ID"])
    with pytest.raises(NotFound):
        outbox.read_outbox_message(staff, "../../etc/passwd")
    with pytest.raises(PermissionDenied):
        outbox.list_outbox(world.actor("holdings_owner"))
    with pytest.raises(PermissionDenied):
        outbox.read_outbox_message(world.actor("holdings_owner"), newest.id)


def run_cli(*args: str) -> int:
    try:
        return main(list(args))
    except SystemExit as exc:
        return exc.code


def test_the_notify_command_prints_its_report_and_exits_1_while_sends_fail(world, inbox, capsys):
    demo_credits(world)
    subscribe(world, "holdings_owner", kind=WEEKLY)
    at = NOW.isoformat()

    dry = run_cli("notify", "weekly", "--at", at, "--dry-run")
    dry_out = capsys.readouterr().out
    inbox.down()
    down = run_cli("notify", "weekly", "--at", at, "--json")
    down_io = capsys.readouterr()
    inbox.up()
    sent = run_cli("notify", "weekly", "--at", at, "--json")
    sent_out = json.loads(capsys.readouterr().out)

    assert (dry, dry_out) == (0, "Weekly credit expiry notice for 2025-W11 (dry run): 1 would be sent, 0 skipped.\n")
    assert down == 1
    assert json.loads(down_io.out)["counts"]["failed"] == 1
    assert down_io.err == "opsportal: error: 1 notice(s) not sent; the next run retries them\n"
    assert (sent, sent_out["counts"]["sent"], sent_out["period"]) == (0, 1, "2025-W11")
    assert len(inbox.new()) == 1


def test_the_scheduler_runs_the_jobs_due_at_a_tick_and_stops_when_asked(world, inbox):
    demo_credits(world)
    subscribe(world, "holdings_owner", kind=WEEKLY)
    subscribe(world, "holdings_owner", kind=MONTHLY)

    early_monday = scheduler.run_due_jobs(NOW.replace(hour=6))
    later = scheduler.run_due_jobs(NOW)
    ticks = []
    assert scheduler.start_scheduler(interval_seconds=0.01, first_run_delay_seconds=0, tick=lambda: ticks.append(1))
    assert scheduler.start_scheduler(tick=lambda: None) is False
    deadline = monotonic() + 10
    while len(ticks) < 2 and monotonic() < deadline:
        sleep(0.01)
    scheduler.stop_scheduler()

    assert [r.kind for r in early_monday] == [MONTHLY, "low_balance", "overdue_reminder"]
    assert [r.kind for r in later] == [MONTHLY, WEEKLY, "low_balance", "overdue_reminder"]
    assert [len(r.sent) for r in later] == [0, 1, 0, 0]
    assert scheduler.is_running() is False
    assert sorted(m["X-OpsPortal-Notification"] for m in inbox.new()) == [MONTHLY, WEEKLY]
