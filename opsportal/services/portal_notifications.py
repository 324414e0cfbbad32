"""Each user's in-portal notification list (the bell in the header, and the Updates page).

Lines are written by ``record`` (customers: ``ticket_updates.announce``) and ``tell_assigned_agent`` (staff: a
customer's reply on a task assigned to them), in the transaction of what happened. A user only ever reads and
marks their own lines; a customer sees only the lines of the organization they belong to now (a user moved to
another organization no longer sees the old one's tasks). When a line is read is the rule written in
``domain.notification_list``. Every write marks the user's change-feed topic (``changes.user_topic``), so the
user's open tabs update their badge without a reload.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, select

from opsportal import clock, routes
from opsportal.db import unit_of_work
from opsportal.domain.notification_list import DROPDOWN_SIZE, PAGE_SIZE, PRUNE_BATCH, prune_cutoff
from opsportal.domain.roles import BILLING_ROLES, Role
from opsportal.domain.ticket_updates import UpdateKind, excerpt
from opsportal.models import PortalNotification, Ticket, User
from opsportal.services import changes
from opsportal.services.authz import Actor
from opsportal.services.errors import NotFound
from opsportal.services.pagination import Page, clamp
from opsportal.settings import get_settings

NOT_FOUND = "That notification was not found."


@dataclass(frozen=True)
class NotificationLine:
    id: int
    kind: str
    title: str
    text: str
    link: str
    created_at: datetime
    unread: bool


@dataclass(frozen=True)
class Bell:
    """What the header shows: the unread count and, when the list is open, its newest lines."""

    unread: int
    lines: list[NotificationLine]


def record(session: Session, update, users: list[User]) -> None:
    """One unread line per user for ``update`` (a ``ticket_updates.TicketUpdate``), in the caller's transaction."""
    for user in users:
        session.add(PortalNotification(user_id=user.id, organization_id=update.organization_id,
                                       ticket_id=update.ticket_id, kind=update.kind.value,
                                       title=f"{update.kind.label}: {update.ticket_title}"[:200],
                                       text=update.text, link=update.link, created_at=update.at))


def tell_signers(session: Session, ticket: Ticket, *, kind: UpdateKind, text: str, link: str,
                 actor_user_id: int | None, at: datetime) -> int:
    """One unread line for each active owner, administrator and billing contact of the ticket's organization (who
    sign off its time), in the caller's transaction. Returns how many lines were written."""
    users = session.exec(select(User.id).where(
        User.organization_id == ticket.organization_id, User.is_active,
        User.role.in_([r.value for r in BILLING_ROLES]))).all()
    for user_id in users:
        if user_id == actor_user_id:
            continue
        session.add(PortalNotification(user_id=user_id, organization_id=ticket.organization_id, ticket_id=ticket.id,
                                       kind=kind.value, title=f"{kind.label}: {ticket.title}"[:200],
                                       text=excerpt(text), link=link, created_at=at))
    return len([u for u in users if u != actor_user_id])


def tell_assigned_agent(session: Session, ticket: Ticket, *, text: str, author_name: str, actor_user_id: int | None,
                        at: datetime) -> bool:
    """A customer replied on ``ticket``: one unread line for its assigned agent (if any, active and not the author),
    in the caller's transaction. Returns whether a line was written."""
    agent_id = ticket.assigned_agent_id
    if not agent_id or agent_id == actor_user_id:
        return False
    agent = session.get(User, agent_id)
    if agent is None or not agent.is_active or not Role(agent.role).is_staff:
        return False
    session.add(PortalNotification(user_id=agent_id, organization_id=ticket.organization_id, ticket_id=ticket.id,
                                   kind=UpdateKind.reply.value,
                                   title=f"Customer reply: {ticket.title}"[:200],
                                   text=excerpt(f"{author_name}: {text}"), link=routes.staff_task(ticket.id),
                                   created_at=at))
    return True


def _own(actor: Actor):
    """The actor's own lines: by user, and for a customer only those of their organization now."""
    conditions = [PortalNotification.user_id == actor.user_id]
    if not actor.is_staff:
        conditions.append(or_(PortalNotification.organization_id.is_(None),
                              PortalNotification.organization_id == actor.organization_id))
    return conditions


def _unread(actor: Actor):
    return [*_own(actor), PortalNotification.read_at.is_(None)]


def _line(row: PortalNotification) -> NotificationLine:
    return NotificationLine(id=row.id, kind=row.kind, title=row.title, text=row.text, link=row.link,
                            created_at=row.created_at, unread=row.read_at is None)


def _count_unread(session: Session, actor: Actor) -> int:
    return session.exec(select(func.count()).select_from(PortalNotification).where(*_unread(actor))).one()


def unread_count(actor: Actor) -> int:
    with unit_of_work(write=False) as session:
        return _count_unread(session, actor)


def bell(actor: Actor, *, with_lines: bool = False, limit: int = DROPDOWN_SIZE) -> Bell:
    """The unread count and, ``with_lines``, the newest ``limit`` lines (newest first), in one read."""
    with unit_of_work(write=False) as session:
        unread = _count_unread(session, actor)
        lines = []
        if with_lines:
            rows = session.exec(select(PortalNotification).where(*_own(actor))
                                .order_by(PortalNotification.id.desc()).limit(max(1, min(limit, 50)))).all()
            lines = [_line(r) for r in rows]
    return Bell(unread=unread, lines=lines)


def history(actor: Actor, page: int = 1, page_size: int = PAGE_SIZE) -> Page[NotificationLine]:
    """One page of the actor's lines, newest first (the Updates page)."""
    page, page_size = clamp(page, page_size)
    with unit_of_work(write=False) as session:
        total = session.exec(select(func.count()).select_from(PortalNotification).where(*_own(actor))).one()
        pages = max(1, -(-total // page_size))
        page = min(page, pages)
        rows = session.exec(select(PortalNotification).where(*_own(actor)).order_by(PortalNotification.id.desc())
                            .offset((page - 1) * page_size).limit(page_size)).all()
    return Page(items=[_line(r) for r in rows], page=page, page_size=page_size, total=total)


def _mark(actor: Actor, *conditions, at: datetime | None) -> int:
    with unit_of_work() as session:
        result = session.execute(update(PortalNotification).where(*_unread(actor), *conditions)
                                 .values(read_at=at or clock.now()))
        marked = result.rowcount or 0
        if marked:
            changes.mark(session, changes.user_topic(actor.user_id))
    return marked


def mark_read(actor: Actor, notification_id: int, *, at: datetime | None = None) -> int:
    """Marks one of the actor's lines read (0 when it already was). Another user's line: ``NotFound``."""
    with unit_of_work(write=False) as session:
        found = session.exec(select(PortalNotification.id).where(*_own(actor),
                                                                 PortalNotification.id == notification_id)).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return _mark(actor, PortalNotification.id == notification_id, at=at)


def mark_shown_read(actor: Actor, notification_ids: Iterable[int], *, at: datetime | None = None) -> int:
    """Marks the lines just shown to the actor read; ids of other users' lines change nothing."""
    ids = sorted({int(i) for i in notification_ids})[:100]
    if not ids:
        return 0
    return _mark(actor, PortalNotification.id.in_(ids), at=at)


def mark_all_read(actor: Actor, *, at: datetime | None = None) -> int:
    return _mark(actor, at=at)


def mark_task_seen(actor: Actor, ticket_id: int, *, at: datetime | None = None) -> int:
    """The actor opened task ``ticket_id``: their lines about it are read. Asks first (a read), so opening a task
    with nothing unread about it writes nothing."""
    with unit_of_work(write=False) as session:
        pending = session.exec(select(PortalNotification.id).where(
            *_unread(actor), PortalNotification.ticket_id == ticket_id).limit(1)).first()
    if pending is None:
        return 0
    return _mark(actor, PortalNotification.ticket_id == ticket_id, at=at)


def prune_read(*, now: datetime | None = None, retention_days: int | None = None, limit: int = PRUNE_BATCH) -> int:
    """Deletes at most ``limit`` lines read before the retention (oldest first); unread lines stay. Returns how many.
    Nothing a badge counts changes, so no page is woken."""
    days = get_settings().portal_notification_retention_days if retention_days is None else retention_days
    cutoff = prune_cutoff(now or clock.now(), days)
    with unit_of_work() as session:
        ids = session.exec(select(PortalNotification.id).where(PortalNotification.read_at.is_not(None),
                                                               PortalNotification.read_at < cutoff)
                           .order_by(PortalNotification.id).limit(max(1, limit))).all()
        if not ids:
            return 0
        return session.execute(delete(PortalNotification).where(PortalNotification.id.in_(ids))).rowcount or 0


def read_demo_history(now: datetime, *, unread_days: int = 3) -> int:
    """Demo data: lines older than ``unread_days`` count as read when they were written, so each demo user's badge
    shows the last few days' updates, as after months of use. Returns how many."""
    cutoff = now - timedelta(days=unread_days)
    with unit_of_work() as session:
        return session.execute(update(PortalNotification).where(PortalNotification.read_at.is_(None),
                                                                 PortalNotification.created_at < cutoff)
                               .values(read_at=PortalNotification.created_at)).rowcount or 0
