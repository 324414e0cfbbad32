"""The outbox, for the staff Mail page: every message the portal sent or failed to send (``mailer.send_mail``
records each, ``add_message``), newest first, a page at a time, and one message with its bodies. Staff only: the
messages are addressed to many organizations.

Retention (``prune_outbox``, run by the scheduler at every tick): a sent message is deleted once it is older than
``OPSPORTAL_OUTBOX_RETENTION_DAYS`` (180), a failed one once older than ``OPSPORTAL_OUTBOX_FAILED_RETENTION_DAYS``
(365: a refusal is what someone looks into later, and there are few); 0 keeps them for ever. At most
``PRUNE_BATCH`` messages of each status go per run, so a first run on a large outbox keeps its transactions short
and the next ticks finish the work. No open page follows the outbox, so the bulk delete marks no change topic."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.models import Organization, OutboxMessage, OutboxRecipient
from opsportal.models.outbox import OUTBOX_STATUSES, recipient_addresses
from opsportal.services.authz import Actor, require_staff
from opsportal.services.errors import InvalidInput, NotFound
from opsportal.services.pagination import Page, clamp
from opsportal.settings import get_settings

NOT_FOUND = "That message was not found."
MAX_RECIPIENT_FILTER = 320
PRUNE_BATCH = 5000
# A filter that is a whole address is first looked up in the recipients' index (exactly that address).
_WHOLE_ADDRESS = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;.]+")


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


@dataclass(frozen=True)
class PruneReport:
    sent: int  # sent messages deleted
    failed: int  # failed messages deleted

    def summary(self) -> str:
        return f"outbox retention: deleted {self.sent} sent and {self.failed} failed message(s)"


def add_message(session: Session, message: OutboxMessage) -> None:
    """Records ``message`` and one ``outbox_recipient`` row per address, in the caller's transaction."""
    session.add(message)
    session.flush()
    session.add_all(OutboxRecipient(message_id=message.id, address=a) for a in recipient_addresses(message.recipients))


def _check(recipient: str, status: str) -> tuple[str, str]:
    status = (status or "").strip()
    if status and status not in OUTBOX_STATUSES:
        raise InvalidInput("Show sent or failed messages, or all of them.")
    recipient = (recipient or "").strip().lower()
    if len(recipient) > MAX_RECIPIENT_FILTER:
        raise InvalidInput(f"A recipient filter is at most {MAX_RECIPIENT_FILTER} characters.")
    return recipient, status


def _filters(recipient: str, status: str, *, exact: bool) -> list:
    """``exact``: messages to exactly the address ``recipient`` (the index); else those to any address containing
    it (a scan, for part of an address such as a domain)."""
    where = []
    if status:
        where.append(OutboxMessage.status == status)
    if recipient and exact:
        where.append(OutboxMessage.id.in_(select(OutboxRecipient.message_id)
                                          .where(OutboxRecipient.address == recipient)))
    elif recipient:
        where.append(func.lower(OutboxMessage.recipients).contains(recipient, autoescape=True))
    return where


def list_outbox(actor: Actor, *, recipient: str = "", status: str = "", page: int = 1,
                page_size: int = 25) -> Page[OutboxRow]:
    """The page's messages, newest first, optionally only those to ``recipient`` (a whole address: exactly it, when
    any; else every address containing it) or with ``status`` (sent / failed). The bodies are not read."""
    require_staff(actor)
    page, page_size = clamp(page, page_size)
    recipient, status = _check(recipient, status)
    with unit_of_work(write=False) as session:
        # A whole address finds that recipient's messages through the index; when it finds none (an address still
        # being typed, say "ann@contoso.co" for "ann@contoso.com"), it is taken as part of an address.
        where = _filters(recipient, status, exact=bool(_WHOLE_ADDRESS.fullmatch(recipient)))
        total = session.exec(select(func.count()).select_from(OutboxMessage).where(*where)).one()
        if not total and recipient and _WHOLE_ADDRESS.fullmatch(recipient):
            where = _filters(recipient, status, exact=False)
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


def prune_outbox(actor: Actor, *, at: datetime | None = None) -> PruneReport:
    """The retention job: deletes sent messages older than ``outbox_retention_days`` and failed ones older than
    ``outbox_failed_retention_days`` at ``at`` (default now), at most ``PRUNE_BATCH`` of each, oldest first, with
    their recipient rows. Idempotent: run it as often as you like."""
    require_staff(actor)
    at = at or clock.now()
    settings = get_settings()
    deleted = {}
    with unit_of_work() as session:
        for status, days in (("sent", settings.outbox_retention_days),
                             ("failed", settings.outbox_failed_retention_days)):
            ids = [] if not days else session.exec(
                select(OutboxMessage.id)
                .where(OutboxMessage.status == status, OutboxMessage.created_at < at - timedelta(days=days))
                .order_by(OutboxMessage.created_at, OutboxMessage.id).limit(PRUNE_BATCH)).all()
            if ids:  # the recipients explicitly too: SQLite enforces the cascade only with foreign keys on
                session.execute(delete(OutboxRecipient).where(OutboxRecipient.message_id.in_(ids)))
                session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
            deleted[status] = len(ids)
    return PruneReport(sent=deleted["sent"], failed=deleted["failed"])
