"""What the staff task page shows beside the work: the ticket's followers (staff add and remove any active customer
user of the ticket's organization), its follow-up links and the customer's satisfaction rating.

The customers' side of the same things is ``services.ticket_actions`` (their rules in ``domain.ticket_actions``);
the people, the links and the rating are read the same way. Each use case is one transaction and refuses anyone
but staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.models import Ticket, TicketFollower
from opsportal.services import changes, ticket_ratings, ticket_updates
from opsportal.services.authz import Actor, require_staff
from opsportal.services.errors import Conflict, InvalidInput, NotFound
from opsportal.services.ticket_actions import Follower, Person, colleague_of, people_of
from opsportal.services.ticket_ratings import RatingView

REQUESTER_HEARS = "The person who opened the ticket already hears of everything on it."


@dataclass(frozen=True)
class StaffTicketPanel:
    ticket_id: int
    followers: tuple[Follower, ...]  # every follower is removable by staff
    candidates: tuple[Person, ...]  # active customer users of the organization not on the ticket yet
    follow_up_of: int | None
    follow_ups: tuple[int, ...]
    rating: RatingView | None


def _ticket(session: Session, ticket_id: int, *, lock: bool = False) -> Ticket:
    query = select(Ticket).where(Ticket.id == ticket_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    ticket = session.exec(query).first()
    if ticket is None:
        raise NotFound(f"Unknown task {ticket_id}.")
    return ticket


def panel(actor: Actor, ticket_id: int) -> StaffTicketPanel:
    require_staff(actor)
    with unit_of_work(write=False) as session:
        ticket = _ticket(session, ticket_id)
        followers, colleagues = people_of(session, ticket)
        follow_ups = tuple(session.exec(select(Ticket.id).where(Ticket.follow_up_of_id == ticket.id)
                                        .order_by(Ticket.id).limit(20)).all())
        return StaffTicketPanel(ticket_id=ticket.id, followers=tuple(Follower(p, True) for p in followers),
                                candidates=tuple(colleagues), follow_up_of=ticket.follow_up_of_id,
                                follow_ups=follow_ups, rating=ticket_ratings.rating_of(session, ticket.id))


def add_follower(actor: Actor, ticket_id: int, user_id: int, *, at: datetime | None = None) -> Person:
    """Staff copy an active customer user of the ticket's own organization on it."""
    require_staff(actor)
    now = at or clock.now()
    with unit_of_work() as session:
        ticket = _ticket(session, ticket_id, lock=True)
        user = colleague_of(session, ticket, user_id)
        if user.id == ticket.created_by_user_id:
            raise InvalidInput(REQUESTER_HEARS)
        if user.id in ticket_updates.follower_ids(session, ticket.id):
            raise Conflict(f"{user.full_name or user.email} already follows this ticket.")
        session.add(TicketFollower(ticket_id=ticket.id, user_id=user.id, added_by_user_id=actor.user_id or None,
                                   created_at=now))
        changes.mark(session, changes.task_topic(ticket.id))
        return Person(id=user.id, name=user.full_name or user.email, email=user.email)


def remove_follower(actor: Actor, ticket_id: int, user_id: int) -> None:
    require_staff(actor)
    with unit_of_work() as session:
        ticket = _ticket(session, ticket_id, lock=True)
        row = session.exec(select(TicketFollower).where(TicketFollower.ticket_id == ticket.id,
                                                        TicketFollower.user_id == user_id)).first()
        if row is None:
            raise InvalidInput("That person does not follow this ticket.")
        session.delete(row)
        changes.mark(session, changes.task_topic(ticket.id))
