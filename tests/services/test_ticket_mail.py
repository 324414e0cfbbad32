"""Ticket update e-mails (``services/ticket_mail.py``): written with the update, sent after it commits to the
requester and followers who are subscribed, threaded per ticket, answered at a signed address (SQLite and
PostgreSQL)."""

from __future__ import annotations

import time
from email.utils import parseaddr

from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain import reply_address
from opsportal.models import NotificationDelivery, Ticket, TicketFollower
from opsportal.services import agent_work, subscriptions, tasks, ticket_mail, ticket_updates
from opsportal.services.operator import OPERATOR
from opsportal.settings import get_settings
from tests.utils.mail import PUBLIC_URL, WINTER_AFTERNOON, deliveries, html_of, set_zone, text_of, to
from tests.utils.tasks import new_task

TICKET_MAIL = "ticket_updates"


def _follow(ticket_id: int, *users) -> None:
    with unit_of_work() as session:
        for user in users:
            session.add(TicketFollower(ticket_id=ticket_id, user_id=user.id))


def _ticket_mail_rows() -> list[tuple]:
    return [d for d in deliveries() if d[1] == TICKET_MAIL]


def test_an_agents_reply_is_mailed_to_the_requester_after_commit_with_a_signed_reply_address(world, inbox):
    olivia = world.actor("holdings_owner")
    ticket = new_task(world.holdings, by=olivia, subject="VPN drops every hour")
    tasks.add_comment(world.actor("agent"), ticket, "Please restart the router.\nThen tell me.")
    assert inbox.new() == []  # nothing is sent inside the use case
    assert [d[0] for d in _ticket_mail_rows()] == ["olivia@northwind.example"]

    report = ticket_mail.send_pending()

    [mail] = inbox.new()
    support = get_settings().support_address.split("@")[1]
    assert [o.email for o in report.sent] == ["olivia@northwind.example"] and to(mail) == "olivia@northwind.example"
    assert mail["Subject"] == f"[Task #{ticket}] VPN drops every hour"
    reply_to = parseaddr(str(mail["Reply-To"]))[1]
    where = reply_address.destination(reply_to, ticket_mail.support_address(), get_settings().secret_key)
    assert where == reply_address.Destination("ticket", ticket, True)
    assert mail["References"] == f"<ticket-{ticket}@{support}>" == mail["In-Reply-To"]
    assert mail["Message-ID"].startswith(f"<ticket-{ticket}.update-")
    assert mail["List-Unsubscribe"].startswith(f"<{PUBLIC_URL}/api/unsubscribe?token=")
    body = text_of(mail)
    assert body.startswith("##- Please type your reply above this line -##")
    assert "Alex Kim replied on task" in body and "Please restart the router.\nThen tell me." in body
    assert f"{PUBLIC_URL}/tasks/{ticket}" in body and f'href="{PUBLIC_URL}/tasks/{ticket}"' in html_of(mail)
    assert "Unsubscribe from this notification:" in body
    assert _ticket_mail_rows() == [("olivia@northwind.example", TICKET_MAIL, f"ticket-{ticket}-update-1", "sent", 1)]


def test_followers_get_the_reply_too_but_never_the_one_who_wrote_it(world, inbox):
    olivia, mark = world.actor("holdings_owner"), world.users["holdings_member"]
    ticket = new_task(world.holdings, by=olivia)
    _follow(ticket, mark, world.users["holdings_admin"])

    tasks.add_comment(world.actor("agent"), ticket, "Fixed on our side.")
    ticket_mail.send_pending()

    assert sorted(to(m) for m in inbox.new()) == ["adam@northwind.example", "mark@northwind.example",
                                                  "olivia@northwind.example"]


def test_a_follower_from_another_organization_is_never_mailed(world, inbox):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    _follow(ticket, world.users["fabrikam_owner"], world.users["retail_owner"])

    tasks.add_comment(world.actor("agent"), ticket, "Fixed on our side.")
    ticket_mail.send_pending()

    assert [to(m) for m in inbox.new()] == ["olivia@northwind.example"]


def test_a_user_who_switched_ticket_updates_off_gets_no_mail(world, inbox):
    olivia = world.actor("holdings_owner")
    subscriptions.unsubscribe(olivia, TICKET_MAIL)
    ticket = new_task(world.holdings, by=olivia)
    _follow(ticket, world.users["holdings_member"])

    tasks.add_comment(world.actor("agent"), ticket, "Fixed on our side.")
    ticket_mail.send_pending()

    assert [to(m) for m in inbox.new()] == ["mark@northwind.example"]


def test_switching_off_after_the_update_but_before_sending_drops_the_mail(world, inbox):
    olivia = world.actor("holdings_owner")
    ticket = new_task(world.holdings, by=olivia)
    tasks.add_comment(world.actor("agent"), ticket, "Fixed on our side.")
    subscriptions.unsubscribe(olivia, TICKET_MAIL)

    ticket_mail.send_pending()

    assert inbox.new() == [] and _ticket_mail_rows() == []


def test_ticket_updates_are_on_by_default_for_every_customer_role(world):
    for name in ("holdings_owner", "holdings_admin", "holdings_billing", "holdings_member"):
        [status] = [s for s in subscriptions.list_subscriptions(world.actor(name)) if s.kind == TICKET_MAIL]
        assert status.subscribed and not status.chosen


def test_a_status_change_is_mailed_in_the_recipients_time_zone(world, inbox):
    set_zone("olivia@northwind.example", "America/New_York")
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))

    agent_work.set_status(world.actor("agent"), ticket, "resolved", at=WINTER_AFTERNOON)
    ticket_mail.send_pending()

    [mail] = inbox.new()
    assert mail["Subject"] == f"[Task #{ticket}] Printer offline"
    assert (f"Alex Kim changed the status of task #{ticket} \u201cPrinter offline\u201d to Resolved on "
            "3 Dec 2026, 09:05 EST.") in text_of(mail)


def test_a_customers_own_comment_mails_no_one(world, inbox):
    olivia = world.actor("holdings_owner")
    ticket = new_task(world.holdings, by=olivia)
    _follow(ticket, world.users["holdings_member"])

    tasks.add_comment(olivia, ticket, "Any news?")

    assert ticket_mail.send_pending().outcomes == [] and _ticket_mail_rows() == []


def test_each_update_is_mailed_at_most_once_and_a_failed_send_is_retried(world, inbox):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    tasks.add_comment(world.actor("agent"), ticket, "First answer.")
    inbox.down()
    failed = ticket_mail.send_pending()
    inbox.up()
    retried = ticket_mail.send_pending()
    again = ticket_mail.send_pending()

    assert len(failed.failed) == 1 and len(retried.sent) == 1 and again.outcomes == []
    assert len(inbox.new()) == 1
    assert [d[3:] for d in _ticket_mail_rows()] == [("sent", 2)]


def test_the_sender_thread_sends_as_soon_as_the_update_commits(world, inbox):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    assert ticket_mail.start_sender(interval_seconds=60)
    try:
        tasks.add_comment(world.actor("agent"), ticket, "On it.")
        for _ in range(100):
            if inbox.all():
                break
            time.sleep(0.05)
    finally:
        ticket_mail.stop_sender()
    assert [to(m) for m in inbox.new()] == ["olivia@northwind.example"]


def test_a_rolled_back_update_leaves_nothing_to_send(world, inbox):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    try:
        with unit_of_work() as session:
            row = session.exec(select(Ticket).where(Ticket.id == ticket)).one()
            ticket_updates.announce(session, row, kind="reply", text="never", actor_user_id=None,
                                    actor_name="Alex Kim", from_staff=True, at=WINTER_AFTERNOON)
            raise RuntimeError("the use case failed")
    except RuntimeError:
        pass
    with unit_of_work(write=False) as session:
        assert session.exec(select(NotificationDelivery)).all() == []
    assert ticket_mail.send_pending(OPERATOR).outcomes == []
