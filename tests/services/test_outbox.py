"""The outbox (``outbox_message``): the mailer records every message it sends or fails to send, and staff read
them under Mail, a page at a time and filtered; customers are refused (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import socket
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from opsportal.devtools.smtp_sink import SmtpSink
from opsportal.services import account_links, mailer, outbox
from opsportal.services.errors import InvalidInput, NotFound, PermissionDenied, Unavailable
from opsportal.settings import get_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A local SMTP server on a free port; its folder is the test's business only (the outbox never reads it)."""
    port = _free_port()
    sink = SmtpSink(tmp_path / "caught", port=port).start()
    monkeypatch.setenv("OPSPORTAL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("OPSPORTAL_SMTP_PORT", str(port))
    monkeypatch.setenv("OPSPORTAL_SMTP_TIMEOUT_SECONDS", "5")
    monkeypatch.setenv("OPSPORTAL_MAIL_DIR", str(tmp_path / "nowhere"))
    get_settings.cache_clear()
    yield sink
    sink.stop()
    get_settings.cache_clear()


def _mail(to: str, subject: str, *, kind: str = "other", organization_id: int | None = None) -> mailer.Mail:
    return mailer.Mail(to_address=to, to_name="", subject=subject, text=f"Text of {subject}\n",
                       html=f"<p>HTML of {subject}</p>", kind=kind, organization_id=organization_id)


def test_a_sent_message_is_in_the_outbox_with_its_recipient_kind_organization_and_bodies(world, smtp):
    message_id = mailer.send_mail(_mail("olivia@northwind.example", "Hello", kind="monthly_statement",
                                        organization_id=world.holdings.id))

    [row] = outbox.list_outbox(world.actor("agent")).items
    detail = outbox.read_outbox_message(world.actor("agent"), row.id)

    assert (row.recipients, row.subject, row.kind, row.organization, row.status, row.error) == (
        "olivia@northwind.example", "Hello", "monthly_statement", "Northwind Holdings", "sent", "")
    assert (detail.message_id, detail.text, detail.html) == (message_id, "Text of Hello\n", "<p>HTML of Hello</p>")
    assert detail.sender == get_settings().mail_from
    assert not (Path(get_settings().mail_directory)).exists()  # nothing of it comes from the sink's folder


def test_a_message_the_server_refused_is_in_the_outbox_as_failed_with_the_error(world, smtp):
    smtp.stop()

    with pytest.raises(mailer.MailError) as raised:
        mailer.send_mail(_mail("olivia@northwind.example", "Nobody listens"))

    [row] = outbox.list_outbox(world.actor("agent")).items
    assert (row.status, row.error) == ("failed", str(raised.value))
    assert "connection refused" in row.error
    assert outbox.read_outbox_message(world.actor("agent"), row.id).message_id == ""


def test_password_resets_and_invitations_are_in_the_outbox_under_their_kind_and_organization(world, smtp):
    account_links.request_password_reset("mark@northwind.example")
    account_links.invite_user(world.actor("holdings_owner"), email="new.person@northwind.example", role="member",
                              organization_id=world.holdings.id)

    rows = outbox.list_outbox(world.actor("staff_admin")).items

    assert [(r.kind, r.recipients, r.organization, r.status) for r in rows] == [
        ("invitation", "new.person@northwind.example", "Northwind Holdings", "sent"),
        ("password_reset", "mark@northwind.example", "Northwind Holdings", "sent")]


def test_the_outbox_keeps_no_secret_of_a_password_reset_or_invitation_link(world, smtp):
    account_links.request_password_reset("mark@northwind.example")
    account_links.invite_user(world.actor("holdings_owner"), email="new.person@northwind.example", role="member",
                              organization_id=world.holdings.id)
    caught = "".join(BytesParser(policy=policy.default).parsebytes(path.read_bytes())
                     .get_body(preferencelist=("plain",)).get_content() for path in smtp.files())
    tokens = set(re.findall(r"/(?:reset-password|invitation)\?token=([A-Za-z0-9_-]{20,})", caught))
    staff = world.actor("staff_admin")

    stored = [outbox.read_outbox_message(staff, r.id) for r in outbox.list_outbox(staff).items]

    assert len(tokens) == 2  # the e-mails themselves carry the working links
    for message in stored:
        for body in (message.text, message.html):
            assert f"?token={mailer.SECRET_REMOVED}" in body
            assert not any(token in body for token in tokens)


def test_a_failed_invitation_is_in_the_outbox_as_failed(world, smtp):
    smtp.stop()

    with pytest.raises(Unavailable):
        account_links.invite_user(world.actor("holdings_owner"), email="late@northwind.example", role="member",
                                  organization_id=world.holdings.id)

    [row] = outbox.list_outbox(world.actor("agent"), status="failed").items
    assert (row.kind, row.recipients) == ("invitation", "late@northwind.example")


def test_the_outbox_filters_by_part_of_a_recipient_and_by_status(world, smtp):
    for address in ("a.one@contoso.example", "b.two@fabrikam.example", "c.three@CONTOSO.example"):
        mailer.send_mail(_mail(address, f"To {address}"))
    smtp.stop()
    with pytest.raises(mailer.MailError):
        mailer.send_mail(_mail("d.four@contoso.example", "Refused"))
    staff = world.actor("agent")

    contoso = outbox.list_outbox(staff, recipient="Contoso")
    failed = outbox.list_outbox(staff, status="failed")
    sent_to_contoso = outbox.list_outbox(staff, recipient="contoso", status="sent")

    assert [r.recipients for r in contoso.items] == [
        "d.four@contoso.example", "c.three@CONTOSO.example", "a.one@contoso.example"]
    assert [r.subject for r in failed.items] == ["Refused"]
    assert sent_to_contoso.total == 2
    assert outbox.list_outbox(staff, recipient="100%_").total == 0  # wildcards are plain characters
    with pytest.raises(InvalidInput):
        outbox.list_outbox(staff, status="bounced")


def test_the_outbox_is_read_a_page_at_a_time_newest_first(world, smtp):
    for n in range(5):
        mailer.send_mail(_mail(f"n{n}@contoso.example", f"Message {n}"))

    first = outbox.list_outbox(world.actor("agent"), page=1, page_size=2)
    last = outbox.list_outbox(world.actor("agent"), page=3, page_size=2)

    assert (first.total, first.pages) == (5, 3)
    assert [r.subject for r in first.items] == ["Message 4", "Message 3"]
    assert [r.subject for r in last.items] == ["Message 0"]


def test_customers_are_refused_the_outbox_and_its_messages(world, smtp):
    mailer.send_mail(_mail("olivia@northwind.example", "Hello", organization_id=world.holdings.id))
    [row] = outbox.list_outbox(world.actor("agent")).items

    for name in ("holdings_owner", "holdings_admin", "fabrikam_owner"):
        with pytest.raises(PermissionDenied):
            outbox.list_outbox(world.actor(name))
        with pytest.raises(PermissionDenied):
            outbox.read_outbox_message(world.actor(name), row.id)


def test_an_unknown_message_is_not_found(world, smtp):
    with pytest.raises(NotFound):
        outbox.read_outbox_message(world.actor("agent"), 999_999)
    with pytest.raises(NotFound):
        outbox.read_outbox_message(world.actor("agent"), "not-a-number")
