"""Files attached to received e-mail are kept by the portal's own limits, and a known customer replying to a closed
ticket is told once how to continue; nobody else is answered (services.inbound_mail; SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import reply_address
from opsportal.models import InboundMail, TicketComment
from opsportal.services import agent_work, attachments, inbound_mail, ticket_mail
from opsportal.services.errors import NotFound
from opsportal.services.operator import OPERATOR
from opsportal.settings import get_settings
from tests.utils.files import PDF, png_bytes
from tests.utils.mail import text_of, to
from tests.utils.tasks import new_task

OWNER = "olivia@northwind.example"


def _reply_to(ticket_id: int) -> str:
    return reply_address.reply_address(ticket_id, ticket_mail.support_address(), get_settings().secret_key)


def mail_with_files(*, sender: str, to: str, body: str = "Here is the screenshot.",
                    files: list[tuple[str, bytes, str]] = (), headers: dict[str, str] | None = None,
                    subject: str = "Re: your task") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Message-ID"] = f"<{abs(hash((sender, to, body, tuple(f[0] for f in files))))}@client.example>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    for name, data, mime in files:
        maintype, subtype = mime.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(msg)


def _send(raw: bytes, address: str) -> inbound_mail.InboundResult:
    return inbound_mail.receive(raw, envelope_from="client@mail.example", rcpt_tos=[address])


def _last_comment(ticket_id: int) -> TicketComment | None:
    with unit_of_work(write=False) as session:
        return session.exec(select(TicketComment).where(TicketComment.ticket_id == ticket_id)
                            .order_by(TicketComment.id.desc())).first()


def test_a_replys_attached_files_become_the_comments_attachments(world):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    png = png_bytes()

    result = _send(mail_with_files(sender=OWNER, to=_reply_to(ticket), files=[
        ("screen.png", png, "image/png"), ("report.pdf", PDF, "application/pdf")]), _reply_to(ticket))

    assert result.outcome == "comment_added"
    files = attachments.ticket_files(world.actor("agent"), ticket, [result.comment_id])
    assert [(f.comment_id, f.name, f.content_type, f.uploaded_by) for f in files] == [
        (result.comment_id, "screen.png", "image/png", "Olivia Hart"),
        (result.comment_id, "report.pdf", "application/pdf", "Olivia Hart")]
    assert b"".join(attachments.open_attachment(world.actor("holdings_owner"), files[0].id)[1]) == png
    assert result.reason == "Added as Olivia Hart's comment. 2 attached files kept."


def test_refused_files_are_dropped_and_named_in_the_log_and_the_comment_is_still_added(world, monkeypatch):
    monkeypatch.setenv("OPSPORTAL_ATTACHMENT_MAX_FILES", "2")
    get_settings.cache_clear()
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    try:
        result = _send(mail_with_files(sender=OWNER, to=_reply_to(ticket), files=[
            ("setup.exe", b"MZ\x90\x00" + b"\0" * 60, "application/octet-stream"),
            ("fake.png", b"not a png at all", "image/png"),
            ("a.log", b"ERR 1\n", "text/plain"), ("b.log", b"ERR 2\n", "text/plain"),
            ("c.log", b"ERR 3\n", "text/plain")]), _reply_to(ticket))
    finally:
        get_settings.cache_clear()

    assert result.outcome == "comment_added" and _last_comment(ticket).body == "Here is the screenshot."
    kept = attachments.ticket_files(world.actor("agent"), ticket, [result.comment_id])
    assert [f.name for f in kept] == ["a.log", "b.log"]
    assert "2 attached files kept. Files refused and dropped: setup.exe: this type of file is not accepted" in (
        result.reason)
    assert "fake.png is not a valid" in result.reason
    assert "c.log: more than 2 files in one message." in result.reason


def test_a_reply_of_files_alone_is_a_comment(world):
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    result = _send(mail_with_files(sender=OWNER, to=_reply_to(ticket), body="",
                                   files=[("trace.log", b"ERR 42\n", "text/plain")]), _reply_to(ticket))
    assert result.outcome == "comment_added"
    assert [f.name for f in attachments.ticket_files(world.actor("agent"), ticket, [result.comment_id])] == [
        "trace.log"]


def test_a_ticket_opened_by_email_keeps_the_files_sent_with_it(world):
    support = get_settings().support_address
    result = _send(mail_with_files(sender="adam@northwind.example", to=support, subject="Scanner jams",
                                   body="The scanner on floor 2 jams on every page.",
                                   files=[("jam.png", png_bytes(), "image/png")]), support)

    assert result.outcome == "ticket_opened"
    files = attachments.ticket_files(world.actor("holdings_admin"), result.ticket_id)
    assert [(f.comment_id, f.name, f.uploaded_by) for f in files] == [(None, "jam.png", "Adam Reyes")]
    with pytest.raises(NotFound):  # another organization reads it as missing
        attachments.open_attachment(world.actor("fabrikam_owner"), files[0].id)


def _closed_ticket(world) -> int:
    ticket = new_task(world.holdings, by=world.actor("holdings_owner"))
    agent_work.set_status(OPERATOR, ticket, "closed")
    return ticket


def test_a_known_customer_replying_to_a_closed_ticket_is_told_once_how_to_continue(world, inbox):
    ticket = _closed_ticket(world)
    raw = mail_with_files(sender=OWNER, to=_reply_to(ticket), body="It broke again.")

    result = _send(raw, _reply_to(ticket))

    assert result.outcome == "refused" and "This task is closed" in result.reason
    assert result.reason.endswith("The sender was e-mailed how to continue.")
    assert _last_comment(ticket) is None
    (answer,) = inbox.new()
    assert to(answer) == OWNER and answer["Subject"] == f"[Task #{ticket}] This task is closed"
    assert answer["Auto-Submitted"] == "auto-generated"
    body = text_of(answer)
    assert "was not added to it: the task is closed" in body and "You can reopen it in the portal until" in body
    assert f"/tasks/{ticket}" in body

    again = _send(mail_with_files(sender=OWNER, to=_reply_to(ticket), body="Hello? It is still broken."),
                  _reply_to(ticket))
    assert again.reason.endswith("already told today how to continue; not e-mailed again.")
    assert inbox.new() == []


def test_after_the_window_the_answer_points_to_a_follow_up(world, inbox):
    ticket = _closed_ticket(world)
    with unit_of_work() as session:
        from opsportal.models import Ticket
        row = session.get(Ticket, ticket)
        row.closed_at = clock.now() - timedelta(days=30)
        session.add(row)

    _send(mail_with_files(sender=OWNER, to=_reply_to(ticket), body="It broke again."), _reply_to(ticket))

    (answer,) = inbox.new()
    assert "choose “Open a follow-up ticket”" in text_of(answer)


@pytest.mark.parametrize(("sender", "headers"), [
    ("stranger@spam.example", {}),
    ("fiona@fabrikam.example", {}),
    (OWNER, {"Auto-Submitted": "auto-replied"}),
    (OWNER, {"Precedence": "bulk"}),
])
def test_unknown_senders_other_organizations_and_auto_replies_to_a_closed_ticket_get_no_answer(world, inbox, sender,
                                                                                              headers):
    ticket = _closed_ticket(world)

    result = _send(mail_with_files(sender=sender, to=_reply_to(ticket), body="Out of office", headers=headers),
                   _reply_to(ticket))

    assert result.outcome == "refused" and "e-mailed" not in result.reason
    assert inbox.new() == []
    with unit_of_work(write=False) as session:
        assert session.exec(select(InboundMail.outcome)).all() == ["refused"]
