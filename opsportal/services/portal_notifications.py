"""Each user's in-portal notification list (the bell in the header)."""

from __future__ import annotations

from sqlmodel import Session

from opsportal.models import PortalNotification, User


def record(session: Session, update, users: list[User]) -> None:
    """One unread line per user for ``update`` (a ``ticket_updates.TicketUpdate``), in the caller's transaction."""
    for user in users:
        session.add(PortalNotification(user_id=user.id, organization_id=update.organization_id,
                                       ticket_id=update.ticket_id, kind=update.kind.value,
                                       title=f"{update.kind.label}: {update.ticket_title}"[:200],
                                       text=update.text, link=update.link, created_at=update.at))
