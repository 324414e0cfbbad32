"""E-mail received at the support address: a reply to a ticket e-mail becomes a comment, a message to the plain
address from a customer user opens a ticket, and everything else is refused. Every message is logged
(``inbound_mail``: when, from, to, subject, what was done or why not), and staff read the log under Mail.

``receive`` is the one entry point, whatever carried the message: the HTTP route the MTA or the development SMTP
sink posts to (``api/inbound_mail.py``) or ``opsportal mail receive`` (an MTA's pipe). It never raises for a bad
message: a refusal is an answer, logged, and the sender gets no bounce (a bounce to a forged sender is spam).

Who may write: an active customer user whose address is the message's From, and, for a reply, only to a ticket of
their own organization named by a reply address whose signature is the portal's (``domain.reply_address``). The
comment or ticket is added through the same use cases as in the portal (``attachments.add_comment``,
``attachments.create_ticket``), as that user, with the message's attached files kept by the portal's own limits
(type, size, count): a refused file is dropped, named in the log entry, and the rest is still added. The log row is
written after it, in a transaction of its own. A known customer whose reply is refused because the ticket is
closed gets one short e-mail saying how to continue (``inbound_closed``); nobody else is ever answered.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from io import BytesIO

from sqlalchemy import func
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import mail_auth, reply_address
from opsportal.domain.identity import email_key
from opsportal.domain.mail_replies import strip_reply
from opsportal.domain.roles import Role
from opsportal.domain.tasks import Priority, TaskStatus
from opsportal.models import Organization, Ticket, User
from opsportal.models.ticket_mail import INBOUND_OUTCOMES, InboundMail
from opsportal.services import attachments, inbound_closed
from opsportal.services.attachments import IncomingFile
from opsportal.services.auth import user_time_zone
from opsportal.services.authz import Actor, require_staff
from opsportal.services.errors import InvalidInput, ServiceError
from opsportal.services.pagination import Page, clamp
from opsportal.settings import get_settings

log = logging.getLogger(__name__)

NEW_TICKET_CATEGORY = "Other"
CLOSED = "This task is closed: submit a new ticket to continue."  # tasks.add_comment's own refusal
_AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
_DAEMONS = ("mailer-daemon@", "postmaster@", "no-reply@", "noreply@")


@dataclass(frozen=True)
class InboundResult:
    outcome: str  # comment_added | ticket_opened | refused | duplicate
    reason: str
    ticket_id: int | None = None
    comment_id: int | None = None
    log_id: int | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome in ("comment_added", "ticket_opened", "duplicate")


@dataclass
class _Facts:
    """What the log records of a message, filled in as far as it could be read."""

    envelope_from: str
    size: int
    from_address: str = ""
    to_address: str = ""
    subject: str = ""
    message_id: str | None = None
    ticket_id: int | None = None
    user_id: int | None = None
    organization_id: int | None = None


class _Refused(Exception):
    pass


def _clip(value: str, limit: int) -> str:
    return " ".join((value or "").split())[:limit]


def _log(facts: _Facts, outcome: str, reason: str, comment_id: int | None = None) -> InboundResult:
    with unit_of_work() as session:
        row = InboundMail(received_at=clock.now(), envelope_from=_clip(facts.envelope_from, 320),
                          from_address=_clip(facts.from_address, 320), to_address=_clip(facts.to_address, 320),
                          subject=_clip(facts.subject, 300), message_id=_clip(facts.message_id or "", 255) or None,
                          size_bytes=facts.size, outcome=outcome, reason=_clip(reason, 500), ticket_id=facts.ticket_id,
                          user_id=facts.user_id, organization_id=facts.organization_id, comment_id=comment_id)
        session.add(row)
        session.flush()
        log_id = row.id
    if outcome == "refused":
        log.warning("inbound mail from %s to %s refused: %s", facts.from_address or facts.envelope_from,
                    facts.to_address, reason)
    return InboundResult(outcome, reason, facts.ticket_id, comment_id, log_id)


def _parse(raw: bytes) -> EmailMessage:
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception:  # noqa: BLE001 - the parser is lenient; anything it raises means unreadable mail
        raise _Refused("Malformed message: it could not be parsed.") from None
    if not raw.strip() or not message.keys():
        raise _Refused("Malformed message: it has no headers.")
    return message


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, "") or "")
    except Exception:  # noqa: BLE001 - a header the parser cannot decode reads as absent
        return ""


def _automatic(message: EmailMessage, envelope_from: str, sender: str) -> bool:
    """Auto-replies, bounces and list mail: answering them would loop, adding them would be noise."""
    auto = _header(message, "Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return True
    if _header(message, "Precedence").strip().lower() in _AUTOMATIC_PRECEDENCE:
        return True
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond") or _header(message, "List-Id"):
        return True
    envelope = parseaddr(envelope_from or "")[1].lower()
    return not envelope_from.strip("<> ") or any(a.startswith(_DAEMONS) for a in (envelope, sender.lower()))


def _html_text(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", "", markup)
    markup = re.sub(r"(?is)<blockquote\b.*?</blockquote>", "", markup)  # the quoted original, in HTML clients
    markup = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h[1-6])>", "\n", markup)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", markup))


def _body(message: EmailMessage) -> str:
    try:
        part = message.get_body(preferencelist=("plain", "html"))
        if part is None:
            raise _Refused("Malformed message: it has no text part.")
        content = part.get_content()
    except _Refused:
        raise
    except Exception:  # noqa: BLE001 - an unknown charset or broken encoding
        raise _Refused("Malformed message: its text could not be decoded.") from None
    if not isinstance(content, str):
        raise _Refused("Malformed message: its text could not be decoded.")
    return _html_text(content) if part.get_content_subtype() == "html" else content


def _authentication_problem(message: EmailMessage, from_address: str, settings) -> str | None:
    """Why the From address cannot be believed, or None (``domain.mail_auth``): a From header is only a claim."""
    server = settings.inbound_mail_authserv_id.strip()
    if server:
        if mail_auth.from_domain_authenticated(message.get_all("Authentication-Results") or [], authserv_id=server,
                                               from_address=from_address):
            return None
        return (f"Unauthenticated sender: the receiving server {server} did not confirm that the From domain sent "
                "it (DMARC, or aligned DKIM or SPF).")
    if settings.is_production:
        return ("Sender authentication is not configured: set OPSPORTAL_INBOUND_MAIL_AUTHSERV_ID to the receiving "
                "mail server's authserv-id.")
    return None


def _sender(session, address: str) -> User:
    try:
        key = email_key(address)
    except ValueError:
        raise _Refused("Malformed message: the From address is not an e-mail address.") from None
    user = session.exec(select(User).where(User.email_key == key)).first()
    if user is None or not user.is_active:
        raise _Refused("Unknown sender: no active portal user has this address.")
    if user.organization_id is None:
        raise _Refused("Staff accounts answer tickets in the portal, not by e-mail.")
    return user


def _actor(session, user: User) -> Actor:
    org = session.get(Organization, user.organization_id)
    return Actor(user_id=user.id, role=Role(user.role), organization_id=user.organization_id, session_id="e-mail",
                 email=user.email, full_name=user.full_name, organization_name=org.name if org else None,
                 time_zone=user_time_zone(session, user))


def _destination(rcpt_tos: list[str], message: EmailMessage, support, secret: str):
    """The first recipient that is the support mailbox: the envelope's, else (no envelope given) the headers'."""
    candidates = list(rcpt_tos) or [a for _, a in getaddresses([_header(message, "To"), _header(message, "Cc")])]
    for address in candidates:
        where = reply_address.destination(address, support, secret)
        if where.kind != "other":
            return address, where
    return (candidates[0] if candidates else ""), None


def receive(raw: bytes, *, envelope_from: str = "", rcpt_tos: list[str] | tuple[str, ...] = ()) -> InboundResult:
    """Handles one received message (RFC 5322 bytes) and logs what became of it; never raises for bad mail."""
    settings = get_settings()
    facts = _Facts(envelope_from=envelope_from or "", size=len(raw or b""))
    support = reply_address.SupportAddress.parse(settings.support_address)
    try:
        if facts.size > settings.inbound_mail_max_bytes:
            facts.to_address = ", ".join(rcpt_tos)
            raise _Refused(f"Too large: {facts.size:,} bytes, more than the {settings.inbound_mail_max_bytes:,} "
                           "accepted.")
        message = _parse(raw)
        facts.subject = _header(message, "Subject")
        facts.message_id = _header(message, "Message-ID").strip() or None
        facts.from_address = parseaddr(_header(message, "From"))[1]
        facts.to_address, where = _destination(list(rcpt_tos), message, support, settings.secret_key)
        if where is None:
            raise _Refused("Not addressed to the support mailbox.")
        facts.ticket_id = where.ticket_id
        if not facts.from_address:
            raise _Refused("Malformed message: it has no From address.")
        if _automatic(message, envelope_from, facts.from_address):
            raise _Refused("Automatic reply, bounce or list mail: ignored so that no mail loop starts.")
        if problem := _authentication_problem(message, facts.from_address, settings):
            raise _Refused(problem)
        if facts.message_id and _already_received(facts.message_id):
            return _log(facts, "duplicate", "This message was received before; it was not added again.")
        closed = False
        with unit_of_work(write=False) as session:
            user = _sender(session, facts.from_address)
            facts.user_id, facts.organization_id = user.id, user.organization_id
            actor = _actor(session, user)
            if where.kind == "ticket":
                closed = _check_ticket(session, where, user).status == TaskStatus.closed.value
        if closed:
            told = inbound_closed.tell_closed(user.id, where.ticket_id, in_reply_to=facts.message_id, now=clock.now())
            return _log(facts, "refused", f"Refused by the task: {CLOSED} {told}")
        text = strip_reply(_body(message))
        files, dropped = attachments.what_fits(_attached(message))
        if where.kind == "ticket":
            if not text and not files:
                raise _Refused("Nothing to add: the message has no text above the quoted e-mail.")
            comment = attachments.add_comment(actor, where.ticket_id, text, files)
            return _log(facts, "comment_added", f"Added as {user.full_name or user.email}'s comment."
                        + _kept(files, dropped), comment.id)
        row = attachments.create_ticket(actor, subject=_title(facts.subject, user), category=NEW_TICKET_CATEGORY,
                                        priority=Priority.normal.value, description=text, files=files)
        facts.ticket_id = row.id
        return _log(facts, "ticket_opened", f"Opened task #{row.id} for {user.full_name or user.email}."
                    + _kept(files, dropped))
    except _Refused as exc:
        return _log(facts, "refused", str(exc))
    except ServiceError as exc:  # the use case's own refusal: a closed task, a too long comment, a short description
        reason = " ".join(getattr(exc, "problems", {}).values()) or str(exc)
        return _log(facts, "refused", f"Refused by the task: {reason}")


def _attached(message: EmailMessage) -> list[IncomingFile]:
    """The message's attached files (not its text, nor images a signature embeds in the HTML part)."""
    found = []
    for part in message.iter_attachments():
        try:
            payload = part.get_payload(decode=True)
            name = part.get_filename() or ""
        except Exception:  # noqa: BLE001 - an undecodable part reads as an unnamed, empty file (refused as empty)
            payload, name = b"", ""
        if isinstance(payload, bytes):  # a forwarded message (message/rfc822) has no bytes of its own here
            found.append(IncomingFile(name=name or "attachment", stream=BytesIO(payload)))
    return found


def _kept(files: list[IncomingFile], dropped: list[str]) -> str:
    """What the log says of the message's files: how many were kept, and each refused one with why."""
    said = f" {len(files)} attached file{'s' if len(files) != 1 else ''} kept." if files else ""
    return said + (f" Files refused and dropped: {' '.join(dropped)}" if dropped else "")


def _check_ticket(session, where, user: User) -> Ticket:
    if where.ticket_id is None or not where.signed:
        raise _Refused("The reply address is not one the portal signed (forged, altered or cut).")
    ticket = session.get(Ticket, where.ticket_id)
    if ticket is None:
        raise _Refused("No such task.")
    if ticket.organization_id != user.organization_id:
        raise _Refused("The sender does not belong to the task's organization.")
    return ticket


def _title(subject: str, user: User) -> str:
    title = " ".join((subject or "").split())
    return title or f"E-mail from {user.full_name or user.email}"


def _already_received(message_id: str) -> bool:
    with unit_of_work(write=False) as session:
        return session.exec(select(InboundMail.id).where(
            InboundMail.message_id == message_id[:255],
            InboundMail.outcome.in_(("comment_added", "ticket_opened")))).first() is not None


# --- the log, for staff --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboundRow:
    id: int
    received_at: datetime
    from_address: str
    to_address: str
    subject: str
    outcome: str
    reason: str
    ticket_id: int | None
    organization: str | None


def list_inbound(actor: Actor, *, outcome: str = "", page: int = 1, page_size: int = 25) -> Page[InboundRow]:
    """Every message the support mailbox received, newest first, optionally of one outcome (staff only)."""
    require_staff(actor)
    if outcome and outcome not in INBOUND_OUTCOMES:
        raise InvalidInput("Unknown outcome.")
    page, page_size = clamp(page, page_size)
    where = [InboundMail.outcome == outcome] if outcome else []
    with unit_of_work(write=False) as session:
        total = session.exec(select(func.count()).select_from(InboundMail).where(*where)).one()
        rows = session.exec(select(InboundMail, Organization.name)
                            .outerjoin(Organization, Organization.id == InboundMail.organization_id)
                            .where(*where).order_by(InboundMail.received_at.desc(), InboundMail.id.desc())
                            .offset((page - 1) * page_size).limit(page_size)).all()
    items = [InboundRow(m.id, m.received_at, m.from_address, m.to_address, m.subject, m.outcome, m.reason,
                        m.ticket_id, org) for m, org in rows]
    return Page(items=items, page=page, page_size=page_size, total=int(total))
