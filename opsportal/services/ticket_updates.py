"""Telling the people on a ticket what happened on it, inside the transaction that made it happen.

``announce`` is called by every use case that changes what a customer follows on a ticket (an agent's reply,
a status change, a dispute answer). It works out the audience (the requester and the followers who are still
active members of the ticket's organization, never the actor: ``domain.ticket_updates.audience``) and hands
the update to each channel: the in-portal notification list (``portal_notifications.record``) and e-mail
(``ticket_mail.enqueue``, which honours each user's subscription). Both write rows in the caller's session,
so an update that rolls back tells nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from opsportal import routes
from opsportal.domain.ticket_updates import UpdateKind, audience, excerpt
from opsportal.models import Ticket, TicketFollower, User


@dataclass(frozen=True)
class TicketUpdate:
    ticket_id: int
    organization_id: int
    kind: UpdateKind
    ticket_title: str
    text: str  # the reply, "Resolved", the dispute answer: one excerpt line
    actor_user_id: int | None
    actor_name: str
    from_staff: bool
    at: datetime
    comment_id: int | None = None
    time_entry_id: int | None = None

    @property
    def link(self) -> str:
        return routes.task(self.ticket_id)


def follower_ids(session: Session, ticket_id: int) -> list[int]:
    return list(session.exec(select(TicketFollower.user_id).where(TicketFollower.ticket_id == ticket_id)
                             .order_by(TicketFollower.id)).all())


def recipients(session: Session, ticket: Ticket, actor_user_id: int | None) -> list[User]:
    """Active users of the ticket's organization who hear of an update by ``actor_user_id``, requester first."""
    ids = audience(ticket.created_by_user_id, follower_ids(session, ticket.id), actor_user_id)
    if not ids:
        return []
    users = {u.id: u for u in session.exec(select(User).where(User.id.in_(ids))).all()}
    return [users[i] for i in ids
            if i in users and users[i].is_active and users[i].organization_id == ticket.organization_id]


def announce(session: Session, ticket: Ticket, *, kind: UpdateKind, text: str, actor_user_id: int | None,
             actor_name: str, from_staff: bool, at: datetime, comment_id: int | None = None,
             time_entry_id: int | None = None) -> TicketUpdate:
    """Records ``kind`` on ``ticket`` for its audience in every channel, in the caller's transaction."""
    from opsportal.services import portal_notifications, ticket_mail

    update = TicketUpdate(ticket_id=ticket.id, organization_id=ticket.organization_id, kind=UpdateKind(kind),
                          ticket_title=ticket.title, text=excerpt(text), actor_user_id=actor_user_id,
                          actor_name=actor_name, from_staff=from_staff, at=at, comment_id=comment_id,
                          time_entry_id=time_entry_id)
    users = recipients(session, ticket, actor_user_id)
    if users:
        portal_notifications.record(session, update, users)
        ticket_mail.enqueue(session, update, users)
    return update
