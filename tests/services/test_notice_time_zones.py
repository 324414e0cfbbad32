"""Notices read times in the recipient's zone, else their organization's home region's, with the zone named
(SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import event

from opsportal.db import get_engine, unit_of_work
from opsportal.domain.notifications import NotificationKind
from opsportal.services import account_links, credit_notices, notice_mail, plan_catalog
from opsportal.services.operator import OPERATOR
from opsportal.services.plan_catalog import seed_defaults
from tests.utils.ledger import NOW
from tests.utils.mail import MONTHLY, WINTER_AFTERNOON, demo_credits, html_of, set_zone, subscribe, text_of, to


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
