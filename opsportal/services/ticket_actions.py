"""Customers acting on their tickets: solve, close, reopen, open a follow-up, followers (CC), priority and the
satisfaction rating. The rules are ``domain.ticket_actions``; each use case is one transaction, refuses staff
(they use the staff console) and answers another organization's ticket exactly like a missing one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain.roles import CUSTOMER_ROLES, Role, may_request_incident
from opsportal.domain.tasks import OPEN_STATUSES, Priority, TaskStatus, ticket_problems
from opsportal.domain.ticket_actions import (
    CUSTOMER_PRIORITIES,
    NOT_ON_TICKET,
    TARGET_STATUS,
    CustomerAction,
    follow_up_subject,
    follower_change_problem,
    may_act,
    may_manage_followers,
    offered_actions,
    priority_options,
    priority_problem,
    reopen_deadline,
    status_change_problem,
    within_window,
)
from opsportal.domain.ticket_updates import UpdateKind
from opsportal.models import Ticket, TicketFollower, User
from opsportal.services import changes, credits, sla, ticket_ratings, ticket_updates
from opsportal.services.authz import Actor, require_visible
from opsportal.services.errors import Conflict, InvalidInput, PermissionDenied
from opsportal.services.tasks import TASK_NOT_FOUND, InvalidTicket
from opsportal.services.ticket_ratings import RatingView

HOURS = "support_hours"
MAX_CANDIDATES = 100  # colleagues offered in the "add a follower" list, by name
STAFF_REFUSED = "The support team changes tickets from the staff console."
NOT_A_COLLEAGUE = "Choose an active colleague from your organization."


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class Follower:
    person: Person
    removable: bool


@dataclass(frozen=True)
class TicketPanel:
    """What the task page offers the reader on one ticket, worked out for them."""

    ticket_id: int
    status: str
    may_act: bool
    actions: tuple[CustomerAction, ...]
    reopen_until: datetime | None
    window_days: int
    priority: str
    priority_options: tuple[str, ...]
    may_change_priority: bool
    followers: tuple[Follower, ...]
    candidates: tuple[Person, ...]
    following: bool
    may_manage_followers: bool
    follow_up_of: int | None
    follow_ups: tuple[int, ...]
    rating: RatingView | None
    may_rate: bool
    rating_editable: bool
    # Whether the reader may ask for pay-per-incident emergency support (the priority hint links to it).
    may_request_incident: bool = False


def _require_customer(actor: Actor) -> None:
    if actor.is_staff:
        raise PermissionDenied(STAFF_REFUSED)


def _lock_visible(session: Session, actor: Actor, ticket_id: int) -> Ticket:
    ticket = session.exec(select(Ticket).where(Ticket.id == ticket_id).with_for_update()
                          .execution_options(populate_existing=True)).first()
    require_visible(actor, ticket.organization_id if ticket is not None else None, TASK_NOT_FOUND)
    return ticket


def _load_visible(session: Session, actor: Actor, ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    require_visible(actor, ticket.organization_id if ticket is not None else None, TASK_NOT_FOUND)
    return ticket


def _window() -> int:
    return ticket_ratings.window_days()


def _require_on_ticket(session: Session, actor: Actor, ticket: Ticket) -> None:
    if not may_act(actor.role, actor.user_id, ticket.created_by_user_id,
                   ticket_updates.follower_ids(session, ticket.id)):
        raise PermissionDenied(NOT_ON_TICKET)


def _announce_status(session: Session, actor: Actor, ticket: Ticket, status: TaskStatus, at: datetime) -> None:
    ticket_updates.announce(session, ticket, kind=UpdateKind.status, text=status.label, actor_user_id=actor.user_id,
                            actor_name=actor.full_name or actor.email, from_staff=False, at=at)


def change_status(actor: Actor, ticket_id: int, action: CustomerAction | str, *, at: datetime | None = None) -> str:
    """Marks a ticket solved, closes it or reopens it (``domain.ticket_actions``); returns the new status.

    Leaving the open statuses settles what the ticket holds exactly as an agent closing it does: held service
    credits become used, held support hours (already drawn by its time entries) are released."""
    _require_customer(actor)
    try:
        action = CustomerAction(action)
    except ValueError:
        raise InvalidInput("Unknown action.") from None
    if action is CustomerAction.follow_up:
        raise InvalidInput("A follow-up is a new ticket: use open_follow_up.")
    now = at or clock.now()
    with unit_of_work() as session:
        ticket = _lock_visible(session, actor, ticket_id)
        _require_on_ticket(session, actor, ticket)
        problem = status_change_problem(action, ticket.status, ticket.closed_at, now, _window())
        if problem:
            raise Conflict(problem)
        old, new = TaskStatus(ticket.status), TARGET_STATUS[action]
        if old.is_open and not new.is_open:
            credits.settle_holds(session, actor, ticket, None, now,
                                 default=lambda code, held: 0 if code == HOURS else held)
            ticket.closed_at = now
        if new.is_open:
            ticket.closed_at = None
        ticket.status, ticket.updated_at = new.value, now
        sla.sync_status(session, ticket, now)
        session.add(ticket)
        session.flush()
        _announce_status(session, actor, ticket, new, now)
        return new.value


def solve(actor: Actor, ticket_id: int, *, at: datetime | None = None) -> str:
    return change_status(actor, ticket_id, CustomerAction.solve, at=at)


def close(actor: Actor, ticket_id: int, *, at: datetime | None = None) -> str:
    return change_status(actor, ticket_id, CustomerAction.close, at=at)


def reopen(actor: Actor, ticket_id: int, *, at: datetime | None = None) -> str:
    return change_status(actor, ticket_id, CustomerAction.reopen, at=at)


def open_follow_up(actor: Actor, ticket_id: int, description: str, *, at: datetime | None = None) -> int:
    """A new ticket continuing a solved or closed one: subject "Re: ...", same category, the old priority (at most
    high), the reader as requester; the old ticket's requester and followers follow it. Returns its id."""
    _require_customer(actor)
    now = at or clock.now()
    with unit_of_work() as session:
        old = _lock_visible(session, actor, ticket_id)
        _require_on_ticket(session, actor, old)
        problem = status_change_problem(CustomerAction.follow_up, old.status, old.closed_at, now, _window())
        if problem:
            raise Conflict(problem)
        subject = follow_up_subject(old.title)
        priority = old.priority if old.priority in {p.value for p in CUSTOMER_PRIORITIES} else Priority.high.value
        problems = ticket_problems(subject, old.category, priority, description)
        if problems:
            raise InvalidTicket(problems)
        new = Ticket(organization_id=old.organization_id, title=subject, category=old.category, priority=priority,
                     description=description.strip(), created_by_user_id=actor.user_id,
                     status=TaskStatus.open.value, follow_up_of_id=old.id, created_at=now, updated_at=now)
        session.add(new)
        session.flush()
        sla.start(session, new, now)
        people = [old.created_by_user_id, *ticket_updates.follower_ids(session, old.id)]
        members = set(session.exec(select(User.id).where(
            User.id.in_([p for p in people if p]), User.organization_id == old.organization_id, User.is_active,
            User.role.in_([r.value for r in CUSTOMER_ROLES]))).all())
        for user_id in dict.fromkeys(p for p in people if p in members and p != actor.user_id):
            session.add(TicketFollower(ticket_id=new.id, user_id=user_id, added_by_user_id=actor.user_id,
                                       created_at=now))
        old.updated_at = now
        session.add(old)
        return new.id


def change_priority(actor: Actor, ticket_id: int, priority: str, *, at: datetime | None = None) -> str:
    """Sets the ticket's priority within the customer's limits (``domain.ticket_actions.priority_problem``)."""
    _require_customer(actor)
    value = (priority or "").strip().lower()
    now = at or clock.now()
    with unit_of_work() as session:
        ticket = _lock_visible(session, actor, ticket_id)
        _require_on_ticket(session, actor, ticket)
        problem = priority_problem(ticket.status, ticket.priority, value)
        if problem:
            raise (InvalidInput if value not in {p.value for p in Priority} else Conflict)(problem)
        if value != ticket.priority:
            ticket.priority, ticket.updated_at = value, now
            sla.reschedule(session, ticket, now)
            session.add(ticket)
        return value


def colleague_of(session: Session, ticket: Ticket, user_id: int) -> User:
    user = session.get(User, user_id) if isinstance(user_id, int) and not isinstance(user_id, bool) else None
    if (user is None or not user.is_active or user.organization_id != ticket.organization_id
            or Role(user.role).is_staff):
        raise InvalidInput(NOT_A_COLLEAGUE)
    return user


def add_follower(actor: Actor, ticket_id: int, user_id: int, *, at: datetime | None = None) -> Person:
    """Copies an active colleague of the ticket's organization on it (themselves, or anyone for the requester and
    the organization's owners and administrators)."""
    _require_customer(actor)
    now = at or clock.now()
    with unit_of_work() as session:
        ticket = _lock_visible(session, actor, ticket_id)
        user = colleague_of(session, ticket, user_id)
        problem = follower_change_problem(actor.role, actor.user_id, ticket.created_by_user_id, user.id)
        if problem:
            raise PermissionDenied(problem)
        if user.id in ticket_updates.follower_ids(session, ticket.id):
            raise Conflict(f"{user.full_name or user.email} already follows this ticket.")
        session.add(TicketFollower(ticket_id=ticket.id, user_id=user.id, added_by_user_id=actor.user_id,
                                   created_at=now))
        changes.mark(session, changes.task_topic(ticket.id))
        return Person(id=user.id, name=user.full_name or user.email, email=user.email)


def remove_follower(actor: Actor, ticket_id: int, user_id: int) -> None:
    """Takes a follower off the ticket (themselves, or anyone for the requester and owners and administrators)."""
    _require_customer(actor)
    with unit_of_work() as session:
        ticket = _lock_visible(session, actor, ticket_id)
        row = session.exec(select(TicketFollower).where(TicketFollower.ticket_id == ticket.id,
                                                        TicketFollower.user_id == user_id)).first()
        if row is None:
            raise InvalidInput("That person does not follow this ticket.")
        problem = follower_change_problem(actor.role, actor.user_id, ticket.created_by_user_id, row.user_id)
        if problem:
            raise PermissionDenied(problem)
        session.delete(row)
        changes.mark(session, changes.task_topic(ticket.id))


def rate(actor: Actor, ticket_id: int, score: str, comment: str = "", *, at: datetime | None = None) -> RatingView:
    """Gives or changes the ticket's satisfaction rating (``services.ticket_ratings.rate``)."""
    _require_customer(actor)
    now = at or clock.now()
    with unit_of_work() as session:
        ticket = _lock_visible(session, actor, ticket_id)
        return ticket_ratings.rate(session, actor, ticket, score, comment, now)


def people_of(session: Session, ticket: Ticket) -> tuple[list[Person], list[Person]]:
    """(followers in the order added, colleagues who could be added: active, not following, not the requester)."""
    follower_rows = session.exec(select(User).join(TicketFollower, TicketFollower.user_id == User.id)
                                 .where(TicketFollower.ticket_id == ticket.id).order_by(TicketFollower.id)).all()
    following = [u.id for u in follower_rows]
    excluded = [*following, *([ticket.created_by_user_id] if ticket.created_by_user_id else [])]
    colleagues = session.exec(
        select(User).where(User.organization_id == ticket.organization_id, User.is_active,
                           User.role.in_([r.value for r in CUSTOMER_ROLES]), User.id.not_in(excluded or [0]))
        .order_by(func.lower(User.full_name), User.id).limit(MAX_CANDIDATES)).all()

    def person(u: User) -> Person:
        return Person(id=u.id, name=u.full_name or u.email, email=u.email)

    return [person(u) for u in follower_rows], [person(u) for u in colleagues]


def _self_if_free(actor: Actor, ticket: Ticket, follower_ids: list[int]) -> list[Person]:
    """A user who manages no followers may add only themselves, when not on the ticket yet."""
    if actor.user_id in follower_ids or actor.user_id == ticket.created_by_user_id:
        return []
    return [Person(id=actor.user_id, name=actor.full_name or actor.email, email=actor.email)]


def panel(actor: Actor, ticket_id: int, *, at: datetime | None = None) -> TicketPanel:
    """What the reader may do on the ticket now, with its followers, follow-up links and rating."""
    _require_customer(actor)
    now, window = at or clock.now(), _window()
    with unit_of_work(write=False) as session:
        ticket = _load_visible(session, actor, ticket_id)
        followers, colleagues = people_of(session, ticket)
        follower_ids = [p.id for p in followers]
        acting = may_act(actor.role, actor.user_id, ticket.created_by_user_id, follower_ids)
        managing = may_manage_followers(actor.role, actor.user_id, ticket.created_by_user_id)
        is_open = TaskStatus(ticket.status) in OPEN_STATUSES
        follow_ups = tuple(session.exec(select(Ticket.id).where(Ticket.follow_up_of_id == ticket.id)
                                        .order_by(Ticket.id).limit(20)).all())
        rating = ticket_ratings.rating_of(session, ticket.id)
        rater = ticket_ratings.rater_allowed(session, actor, ticket)
        return TicketPanel(
            ticket_id=ticket.id, status=ticket.status, may_act=acting,
            actions=tuple(offered_actions(ticket.status, ticket.closed_at, now, window)) if acting else (),
            reopen_until=None if is_open else reopen_deadline(ticket.closed_at, window), window_days=window,
            priority=ticket.priority, priority_options=tuple(p.value for p in priority_options(ticket.priority)),
            may_change_priority=acting and is_open,
            followers=tuple(Follower(p, managing or p.id == actor.user_id) for p in followers),
            candidates=tuple(colleagues if managing else _self_if_free(actor, ticket, follower_ids)),
            following=actor.user_id in follower_ids, may_manage_followers=managing,
            follow_up_of=ticket.follow_up_of_id, follow_ups=follow_ups,
            rating=rating, may_rate=rater and not is_open,
            rating_editable=rater and not is_open and (rating is None or within_window(ticket.closed_at, now, window)),
            may_request_incident=may_request_incident(actor.role),
        )
