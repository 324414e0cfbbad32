"""E-mail received at the support address (``services/inbound_mail.py``): a reply to a ticket e-mail becomes the
sender's comment, mail to the plain address from a customer opens a ticket, and everything else is refused and
logged (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain import reply_address
from opsportal.models import InboundMail, Ticket, TicketComment
from opsportal.services import changes, inbound_mail, tasks, ticket_mail
from opsportal.services.errors import PermissionDenied
from opsportal.settings import get_settings
from tests.utils.mail import compose_mail
from tests.utils.tasks import new_task, set_ticket_status

GMAIL_REPLY = """Restarted it, works now.

On Thu, 3 Dec 2026 at 14:05, OpsPortal <no-reply@opsportal.example> wrote:
> ##- Please type your reply above this line -##
> Alex Kim replied on task #1
"""


def _reply_to(ticket_id: int) -> str:
    return reply_address.reply_address(ticket_id, ticket_mail.support_address(), get_settings().secret_key)


def _support() -> str:
    return get_settings().support_address


def _send(raw: bytes, to: str, sender: str = "client@mail.example") -> inbound_mail.InboundResult:
    return inbound_mail.receive(raw, envelope_from=sender, rcpt_tos=[to])


def _comments(ticket_id: int) -> list[tuple[str, str, bool]]:
    with unit_of_work(write=False) as session:
        rows = session.exec(select(TicketComment).where(TicketComment.ticket_id == ticket_id)
                            .order_by(TicketComment.id)).all()
    return [(c.author_name, c.body, c.from_staff) for c in rows]


def _log() -> list[tuple]:
    with unit_of_work(write=False) as session:
        rows = session.exec(select(InboundMail).order_by(InboundMail.id)).all()
    return [(r.from_address, r.outcome, r.reason, r.ticket_id) for r in rows]


def test_a_reply_to_a_ticket_email_adds_the_senders_comment_without_the_quoted_text(world):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    before = changes.newest_id()

    result = _send(compose_mail(sender="Mark Osei <Mark@Northwind.example>", to=_reply_to(ticket),
                                body=GMAIL_REPLY), _reply_to(ticket))

    assert result.outcome == "comment_added" and result.ticket_id == ticket and result.comment_id
    assert _comments(ticket) == [("Mark Osei", "Restarted it, works now.", False)]
    assert _log() == [("Mark@Northwind.example", "comment_added", "Added as Mark Osei's comment.", ticket)]
    # Open task pages hear of it through the change feed.
    assert f"task:{ticket}" in {topic for _id, topic in changes.since(before)}


def test_a_reply_from_an_unknown_sender_is_refused_and_logged(world):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))

    result = _send(compose_mail(sender="stranger@spam.example", to=_reply_to(ticket)), _reply_to(ticket))

    assert result.outcome == "refused" and not result.accepted and _comments(ticket) == []
    assert _log() == [("stranger@spam.example", "refused",
                       "Unknown sender: no active portal user has this address.", ticket)]


def test_a_user_of_another_organization_cannot_comment_on_a_ticket_even_with_its_genuine_address(world):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))

    for sender in ("fiona@fabrikam.example", "rita@retail.northwind.example"):
        result = _send(compose_mail(sender=sender, to=_reply_to(ticket)), _reply_to(ticket))
        assert result.reason == "The sender does not belong to the task's organization."

    assert _comments(ticket) == [] and [r[1] for r in _log()] == ["refused", "refused"]


def test_a_reply_address_with_a_forged_or_missing_signature_is_refused(world):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    domain = _support().split("@")[1]
    forged = _reply_to(ticket + 1).replace(f"+t{ticket + 1}-", f"+t{ticket}-")

    for address in (forged, f"support+t{ticket}@{domain}"):
        result = _send(compose_mail(sender="olivia@northwind.example", to=address), address)
        assert result.reason == "The reply address is not one the portal signed (forged, altered or cut)."

    assert _comments(ticket) == []


def test_a_reply_naming_a_missing_ticket_is_refused(world):
    address = _reply_to(999_999)
    result = _send(compose_mail(sender="olivia@northwind.example", to=address), address)
    assert (result.outcome, result.reason) == ("refused", "No such task.")


def test_a_reply_to_a_closed_ticket_is_refused_with_the_tasks_own_reason(world):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    set_ticket_status(ticket, "closed")

    result = _send(compose_mail(sender="olivia@northwind.example", to=_reply_to(ticket)), _reply_to(ticket))

    assert result.outcome == "refused" and "This task is closed" in result.reason and _comments(ticket) == []


@pytest.mark.parametrize("raw", [
    b"",
    b"\xff\xfe\x00garbage without headers",
    b"Subject: no sender\r\n\r\nHello",
    b"From: olivia@northwind.example\r\nSubject: x\r\nContent-Type: text/plain; charset=no-such-charset\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64",
])
def test_malformed_mail_is_refused_and_logged_without_a_trace_in_the_ticket(world, raw):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))

    result = _send(raw, _reply_to(ticket))

    assert result.outcome == "refused" and result.reason.startswith("Malformed message")
    assert _comments(ticket) == [] and len(_log()) == 1


def test_a_message_over_the_size_limit_is_refused(world, monkeypatch):
    monkeypatch.setenv("OPSPORTAL_INBOUND_MAIL_MAX_BYTES", "10000")
    get_settings.cache_clear()
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    try:
        result = _send(compose_mail(sender="olivia@northwind.example", to=_reply_to(ticket), body="x" * 20_000),
                       _reply_to(ticket))
    finally:
        get_settings.cache_clear()
    assert result.outcome == "refused" and result.reason.startswith("Too large")


def test_automatic_replies_are_ignored_so_no_mail_loop_starts(world):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    raw = compose_mail(sender="olivia@northwind.example", to=_reply_to(ticket), body="I am out of office.",
                       headers={"Auto-Submitted": "auto-replied"})

    result = _send(raw, _reply_to(ticket))

    assert result.reason.startswith("Automatic reply") and _comments(ticket) == []


def test_the_same_message_delivered_twice_is_added_once(world):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    raw = compose_mail(sender="olivia@northwind.example", to=_reply_to(ticket))

    first, second = _send(raw, _reply_to(ticket)), _send(raw, _reply_to(ticket))

    assert (first.outcome, second.outcome) == ("comment_added", "duplicate") and len(_comments(ticket)) == 1


def test_mail_to_the_support_address_from_a_customer_opens_a_ticket(world):
    raw = compose_mail(sender="Adam Reyes <adam@northwind.example>", to=_support(), subject="Scanner jams",
                       body="The scanner on floor 2 jams on every page.\n\n-- \nAdam Reyes\nNorthwind")

    result = _send(raw, _support())

    assert result.outcome == "ticket_opened"
    with unit_of_work(write=False) as session:
        ticket = session.get(Ticket, result.ticket_id)
    assert (ticket.organization_id, ticket.title, ticket.description, ticket.category, ticket.priority,
            ticket.created_by_user_id) == (world.holdings.id, "Scanner jams",
                                          "The scanner on floor 2 jams on every page.", "Other", "normal",
                                          world.users["holdings_admin"].id)
    assert _log()[0][1:] == ("ticket_opened", f"Opened task #{ticket.id} for Adam Reyes.", ticket.id)


def test_mail_to_the_support_address_from_an_unknown_sender_opens_nothing(world):
    result = _send(compose_mail(sender="someone@else.example", to=_support(), subject="Hi",
                                body="Please call me back about a quote."), _support())
    assert result.outcome == "refused"
    with unit_of_work(write=False) as session:
        assert session.exec(select(Ticket)).all() == []


def test_a_new_ticket_too_short_to_describe_anything_is_refused_with_the_forms_reason(world):
    result = _send(compose_mail(sender="adam@northwind.example", to=_support(), subject="Help", body="help"),
                   _support())
    assert result.outcome == "refused" and "at least 10 characters" in result.reason


def test_mail_not_for_the_support_mailbox_is_refused(world):
    result = _send(compose_mail(sender="adam@northwind.example", to="sales@elsewhere.example"),
                   "sales@elsewhere.example")
    assert (result.outcome, result.reason) == ("refused", "Not addressed to the support mailbox.")


def test_only_staff_read_the_received_mail_log(world):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    _send(compose_mail(sender="olivia@northwind.example", to=_reply_to(ticket)), _reply_to(ticket))
    _send(compose_mail(sender="stranger@spam.example", to=_reply_to(ticket)), _reply_to(ticket))

    with pytest.raises(PermissionDenied):
        inbound_mail.list_inbound(world.actor("holdings_owner"))
    listing = inbound_mail.list_inbound(world.actor("agent"))
    refused = inbound_mail.list_inbound(world.actor("agent"), outcome="refused")

    assert listing.total == 2 and {r.outcome for r in listing.items} == {"comment_added", "refused"}
    assert [r.from_address for r in refused.items] == ["stranger@spam.example"]
    assert [r.organization for r in listing.items if r.outcome == "comment_added"] == ["Northwind Holdings"]


def test_a_comment_by_email_is_the_same_as_one_typed_in_the_portal(world):
    """It goes through tasks.add_comment: a task waiting on the customer is open again."""
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    set_ticket_status(ticket, "waiting_on_customer")

    _send(compose_mail(sender="olivia@northwind.example", to=_reply_to(ticket)), _reply_to(ticket))

    assert tasks.get_task(world.actor("holdings_owner"), ticket).row.status == "open"


def _authenticated_by(monkeypatch, server: str):
    monkeypatch.setenv("OPSPORTAL_INBOUND_MAIL_AUTHSERV_ID", server)
    get_settings.cache_clear()


def test_with_sender_authentication_on_mail_the_server_authenticated_opens_a_ticket(world, monkeypatch):
    _authenticated_by(monkeypatch, "mx.opsportal.example")
    try:
        result = _send(compose_mail(sender="mark@northwind.example", to=_support(), subject="Printer jam",
                                    body="The second-floor printer jams on every job.",
                                    headers={"Authentication-Results":
                                             "mx.opsportal.example; dmarc=pass header.from=northwind.example"}),
                       _support())
    finally:
        get_settings.cache_clear()

    assert result.outcome == "ticket_opened" and result.ticket_id


def test_with_sender_authentication_a_forged_from_is_refused_and_nothing_is_written(world, monkeypatch):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    _authenticated_by(monkeypatch, "mx.opsportal.example")
    try:
        forged = {"Authentication-Results": "mx.spammer.example; dmarc=pass header.from=northwind.example"}
        new = _send(compose_mail(sender="mark@northwind.example", to=_support(), subject="Wire the money",
                                 body="Please pay the attached invoice today.", headers=forged), _support())
        reply = _send(compose_mail(sender="mark@northwind.example", to=_reply_to(ticket), headers=forged),
                      _reply_to(ticket))
    finally:
        get_settings.cache_clear()

    assert new.outcome == reply.outcome == "refused" and _comments(ticket) == []
    with unit_of_work(write=False) as session:
        assert len(session.exec(select(Ticket)).all()) == 1
    assert all(reason.startswith("Unauthenticated sender: the receiving server mx.opsportal.example")
               for _from, _outcome, reason, _ticket in _log())


def test_in_production_without_sender_authentication_no_received_mail_is_believed():
    from email import message_from_bytes, policy
    from types import SimpleNamespace

    message = message_from_bytes(compose_mail(sender="mark@northwind.example", to="support@x.example"),
                                 policy=policy.default)
    production = SimpleNamespace(inbound_mail_authserv_id="", is_production=True)
    development = SimpleNamespace(inbound_mail_authserv_id="", is_production=False)

    assert "OPSPORTAL_INBOUND_MAIL_AUTHSERV_ID" in inbound_mail._authentication_problem(
        message, "mark@northwind.example", production)
    assert inbound_mail._authentication_problem(message, "mark@northwind.example", development) is None
