"""E-mail: rendering (Jinja2 templates, an HTML part and a plain-text part) and sending over SMTP.

Templates live in ``opsportal/templates/email``: ``NAME.txt`` and ``NAME.html`` per message, both
extending a layout. HTML is autoescaped; every figure arrives formatted (domain.formats: instants in the
recipient's zone with the zone named).

Sending uses the SMTP settings (``OPSPORTAL_SMTP_*``). ``send`` raises ``MailError`` only when the
server did not accept the message, so a caller may safely try again later; once ``send`` returns,
the message is the server's.

``send_mail`` records every attempt in the outbox (``outbox_message``: recipients, subject, kind,
organization, when, sent or failed with the error, and both bodies), which staff read under Mail. The
stored bodies keep no one-time link's secret (password reset, invitation): whoever holds such a link can
use it, and reading the outbox must not let anyone reset a password or join an organization.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime, make_msgid, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from opsportal import clock, routes
from opsportal.db import unit_of_work
from opsportal.models import OutboxMessage
from opsportal.services import outbox
from opsportal.settings import Settings, get_settings

log = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "email"
# Headers are folded at SMTP's own limit, not 78 characters: the List-Unsubscribe URL must stay one
# unbroken <...> (folding would turn it into RFC 2047 encoded words no mail client reads as a link).
_MESSAGE_POLICY = policy.SMTP.clone(max_line_length=998)
# Bodies are quoted-printable with the 76-character lines RFC 2045 asks for.
_BODY_POLICY = policy.SMTP.clone(max_line_length=76)
# The secret of a one-time link, as the templates write it (text and HTML); the outbox keeps the link without it.
_ONE_TIME_SECRET = re.compile("(" + "|".join(re.escape(path) for path in (routes.RESET_PASSWORD, routes.INVITATION))
                              + r")\?token=[^\s\"'<>&]+")
SECRET_REMOVED = "removed-in-the-outbox"


class MailError(Exception):
    """The SMTP server did not take the message (unreachable, refused, timed out); nothing was sent."""


@dataclass(frozen=True)
class Mail:
    to_address: str
    to_name: str
    subject: str
    text: str
    html: str
    # One-click unsubscribe (RFC 8058): the URL a mail client POSTs to; None for transactional mail.
    unsubscribe_url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # For the outbox: what the message is (a notification kind or the template's name) and whose it is.
    kind: str = "other"
    organization_id: int | None = None


@lru_cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(name: str, **context: Any) -> tuple[str, str]:
    """(text, html) of template ``name`` with ``context`` plus the portal's name, URL and sender."""
    settings = get_settings()
    base = {"portal_name": "OpsPortal", "vendor_name": settings.vendor_name,
            "public_url": settings.public_url.rstrip("/")}
    env = _environment()
    text = env.get_template(f"{name}.txt").render(**base, **context)
    html = env.get_template(f"{name}.html").render(**base, **context)
    return _tidy_text(text), html


def _tidy_text(text: str) -> str:
    """No runs of blank lines (templates with conditional sections leave some), one final newline."""
    lines, blank = [], 0
    for line in text.splitlines():
        blank = blank + 1 if not line.strip() else 0
        if blank <= 1:
            lines.append(line.rstrip())
    return "\n".join(lines).strip("\n") + "\n"


def _one_line(value: str) -> str:
    return " ".join((value or "").split())


def build_message(mail: Mail, *, settings: Settings | None = None, now: datetime | None = None) -> EmailMessage:
    """The MIME message: multipart/alternative with the text part first, the HTML part preferred."""
    settings = settings or get_settings()
    msg = EmailMessage(policy=_MESSAGE_POLICY)
    sender_domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "opsportal.example"
    msg["Subject"] = _one_line(mail.subject)
    msg["From"] = settings.mail_from
    local, _, domain = mail.to_address.rpartition("@")
    msg["To"] = Address(display_name=_one_line(mail.to_name), username=local, domain=domain)
    msg["Date"] = format_datetime(now or clock.now())
    # A caller may give a stable Message-ID (ticket e-mails thread on theirs); otherwise a fresh one.
    msg["Message-ID"] = mail.headers.get("Message-ID") or make_msgid(domain=sender_domain)
    msg["MIME-Version"] = "1.0"
    # RFC 3834: no vacation auto-replies to notices.
    msg["Auto-Submitted"] = "auto-generated"
    if mail.unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in mail.headers.items():
        if name != "Message-ID":
            msg[name] = _one_line(value)
    msg.make_alternative()
    for content, subtype in ((mail.text, "plain"), (mail.html, "html")):
        part = MIMEPart(policy=_BODY_POLICY)
        part.set_content(content, subtype=subtype, cte="quoted-printable")
        msg.attach(part)
    return msg


def _describe(exc: BaseException, settings: Settings) -> str:
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = "; ".join(f"{rcpt}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                          for rcpt, (code, msg) in exc.recipients.items())
        return f"the mail server at {where} refused the recipient ({codes})"
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"the mail server at {where} answered {exc.smtp_code} {_one_line(text)}"
    if isinstance(exc, TimeoutError):
        return f"the mail server at {where} did not answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return f"could not connect to the mail server at {where}: connection refused"
    return f"sending through {where} failed: {_one_line(str(exc)) or type(exc).__name__}"


def send(message: EmailMessage, *, settings: Settings | None = None) -> str:
    """Hands ``message`` to the SMTP server; returns its Message-ID. MailError if the server did not take it."""
    settings = settings or get_settings()
    if settings.smtp_ssl and settings.smtp_starttls:
        raise MailError("OPSPORTAL_SMTP_SSL and OPSPORTAL_SMTP_STARTTLS exclude each other: choose one")
    timeout = settings.smtp_timeout_seconds
    try:
        if settings.smtp_ssl:
            smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(_describe(exc, settings)) from None
    try:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        smtp.close()
        raise MailError(_describe(exc, settings)) from None
    # Accepted: whatever happens while saying goodbye, the message is on its way.
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
    return str(message["Message-ID"])


def without_secrets(body: str) -> str:
    """``body`` with every one-time link's token replaced by ``SECRET_REMOVED`` (the rest of the link stays)."""
    return _ONE_TIME_SECRET.sub(rf"\1?token={SECRET_REMOVED}", body)


def _record(mail: Mail, message: EmailMessage, *, message_id: str | None, error: str) -> None:
    """The attempt's outbox row, in a transaction of its own. A failure to write it is logged, never raised: the
    server's answer is what counts (a caller must not send again because the record could not be written)."""
    try:
        with unit_of_work() as session:
            outbox.add_message(session, OutboxMessage(
                created_at=clock.now(), kind=mail.kind[:40], organization_id=mail.organization_id,
                sender=str(message["From"] or "")[:320], recipients=mail.to_address[:1000],
                subject=_one_line(mail.subject)[:300], status="failed" if error else "sent", error=error[:500],
                message_id=message_id, text=without_secrets(mail.text), html=without_secrets(mail.html)))
    except Exception:  # noqa: BLE001 (the mail's fate is decided; the record is best effort)
        log.exception("could not record the %s e-mail to %s in the outbox", mail.kind, mail.to_address)


def send_mail(mail: Mail) -> str:
    """Builds and sends one message and records it in the outbox; returns its Message-ID (MailError if it was
    not accepted, recorded as failed)."""
    message = build_message(mail)
    try:
        message_id = send(message)
    except MailError as exc:
        _record(mail, message, message_id=None, error=str(exc))
        raise
    _record(mail, message, message_id=message_id, error="")
    return message_id
