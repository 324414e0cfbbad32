"""The credit notices end to end through a real SMTP server: the weekly expiry notice, the monthly statement,
and each job's at-most-once sending (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsportal.services import credit_notices, mailer
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW, day, grant
from tests.utils.mail import MONTHLY, PUBLIC_URL, WEEKLY, deliveries, demo_credits, html_of, subscribe, text_of, to

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
