"""The outbox, for the staff Mail page: every message the portal sent or failed to send (``mailer.send_mail``
records each), newest first, a page at a time, and one message with its bodies. Staff only: the messages are
addressed to many organizations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.models import Organization, OutboxMessage
from opsportal.models.outbox import OUTBOX_STATUSES
from opsportal.services.authz import Actor, require_staff
from opsportal.services.errors import InvalidInput, NotFound
from opsportal.services.pagination import Page, clamp

NOT_FOUND = "That message was not found."
MAX_RECIPIENT_FILTER = 320


@dataclass(frozen=True)
class OutboxRow:
    id: int
    sent_at: datetime  # when the mail server answered (took it, or refused it)
    kind: str
    organization: str  # "" when the message belongs to no organization (e.g. a staff member's password reset)
    recipients: str
    subject: str
    status: str  # "sent" | "failed"
    error: str


@dataclass(frozen=True)
class OutboxDetail(OutboxRow):
    sender: str
    message_id: str
    text: str
    # Untrusted markup: show it sandboxed (an iframe with ``sandbox`` and ``srcdoc``), never inline.
    html: str


def _filters(recipient: str, status: str) -> list:
    status = (status or "").strip()
    if status and status not in OUTBOX_STATUSES:
        raise InvalidInput("Show sent or failed messages, or all of them.")
    recipient = (recipient or "").strip().lower()
    if len(recipient) > MAX_RECIPIENT_FILTER:
        raise InvalidInput(f"A recipient filter is at most {MAX_RECIPIENT_FILTER} characters.")
    where = []
    if status:
        where.append(OutboxMessage.status == status)
    if recipient:
        where.append(func.lower(OutboxMessage.recipients).contains(recipient, autoescape=True))
    return where


def list_outbox(actor: Actor, *, recipient: str = "", status: str = "", page: int = 1,
                page_size: int = 25) -> Page[OutboxRow]:
    """The page's messages, newest first, optionally only those to addresses containing ``recipient`` or with
    ``status`` (sent / failed). The bodies are not read."""
    require_staff(actor)
    page, page_size = clamp(page, page_size)
    where = _filters(recipient, status)
    with unit_of_work(write=False) as session:
        total = session.exec(select(func.count()).select_from(OutboxMessage).where(*where)).one()
        rows = session.exec(
            select(OutboxMessage.id, OutboxMessage.created_at, OutboxMessage.kind, Organization.name,
                   OutboxMessage.recipients, OutboxMessage.subject, OutboxMessage.status, OutboxMessage.error)
            .join(Organization, Organization.id == OutboxMessage.organization_id, isouter=True)
            .where(*where)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .offset((page - 1) * page_size).limit(page_size)).all()
    items = [OutboxRow(id=i, sent_at=at, kind=kind, organization=org or "", recipients=to, subject=subject,
                       status=status_, error=error) for i, at, kind, org, to, subject, status_, error in rows]
    return Page(items=items, page=page, page_size=page_size, total=total)


def read_outbox_message(actor: Actor, message_id: int | str) -> OutboxDetail:
    require_staff(actor)
    try:
        key = int(str(message_id).strip())
    except ValueError:
        raise NotFound(NOT_FOUND) from None
    with unit_of_work(write=False) as session:
        found = session.exec(select(OutboxMessage, Organization.name)
                             .join(Organization, Organization.id == OutboxMessage.organization_id, isouter=True)
                             .where(OutboxMessage.id == key)).first()
        if found is None:
            raise NotFound(NOT_FOUND)
        m, org = found
        return OutboxDetail(id=m.id, sent_at=m.created_at, kind=m.kind, organization=org or "",
                            recipients=m.recipients, subject=m.subject, status=m.status, error=m.error,
                            sender=m.sender, message_id=m.message_id or "", text=m.text, html=m.html)
