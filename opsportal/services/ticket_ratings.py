"""Satisfaction ratings: a customer rates a solved ticket (``domain.ticket_actions``); staff read them per agent
and month, with the latest comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, select

from opsportal.db import unit_of_work
from opsportal.domain.roles import Role
from opsportal.domain.ticket_actions import RATING_COMMENT_MAX, Satisfaction, may_rate, rating_problem, satisfied_bp
from opsportal.models import Organization, Ticket, TicketRating, User
from opsportal.services import changes
from opsportal.services.authz import Actor, require_staff
from opsportal.services.errors import Conflict, InvalidInput, PermissionDenied
from opsportal.services.pagination import Page, clamp
from opsportal.settings import get_settings

MONTH_LENGTH = 7  # "YYYY-MM"
SCORES = frozenset(s.value for s in Satisfaction)


@dataclass(frozen=True)
class RatingView:
    score: str
    comment: str
    rated_by: str
    rated_at: datetime


@dataclass(frozen=True)
class AgentMonthRow:
    month: str  # YYYY-MM
    agent_id: int | None
    agent: str
    ratings: int
    good: int
    bad: int
    satisfied_bp: int


@dataclass(frozen=True)
class RatingComment:
    ticket_id: int
    ticket_title: str
    organization: str
    score: str
    comment: str
    agent: str
    rated_at: datetime


def month_key(at: datetime) -> str:
    """The month a rating given at ``at`` counts in (UTC), as ``YYYY-MM``."""
    return f"{at.year:04d}-{at.month:02d}"


def window_days() -> int:
    return get_settings().reopen_window_days


def rating_of(session: Session, ticket_id: int) -> RatingView | None:
    row = session.exec(select(TicketRating, User.full_name, User.email)
                       .outerjoin(User, User.id == TicketRating.rated_by_user_id)
                       .where(TicketRating.ticket_id == ticket_id)).first()
    if row is None:
        return None
    rating, name, email = row
    return RatingView(score=rating.score, comment=rating.comment, rated_by=name or email or "a former user",
                      rated_at=rating.rated_at)


def rater_allowed(session: Session, actor: Actor, ticket: Ticket) -> bool:
    """``domain.ticket_actions.may_rate`` with the requester's standing read from the database."""
    requester = session.get(User, ticket.created_by_user_id) if ticket.created_by_user_id else None
    requester_active = (requester is not None and requester.is_active and not Role(requester.role).is_staff
                        and requester.organization_id == ticket.organization_id)
    requester_id = requester.id if requester is not None and not Role(requester.role).is_staff else None
    return may_rate(actor.role, actor.user_id, requester_id, requester_active)


def rate(session: Session, actor: Actor, ticket: Ticket, score: str, comment: str, at: datetime) -> RatingView:
    """In the caller's transaction (``ticket_actions.rate`` locks and checks the ticket): gives or changes the
    ticket's one rating, stored with the agent assigned now."""
    if not rater_allowed(session, actor, ticket):
        raise PermissionDenied("Only the person who opened this ticket can rate it.")
    existing = session.exec(select(TicketRating).where(TicketRating.ticket_id == ticket.id)
                            .with_for_update()).first()
    score = (score or "").strip().lower()
    problem = rating_problem(score, comment, ticket.status, ticket.closed_at, at, window_days(),
                             already_rated=existing is not None)
    if problem:
        bad_input = score not in SCORES or len((comment or "").strip()) > RATING_COMMENT_MAX
        raise (InvalidInput if bad_input else Conflict)(problem)
    rating = existing or TicketRating(ticket_id=ticket.id, organization_id=ticket.organization_id, score=score,
                                      month=month_key(at), created_at=at)
    rating.score, rating.comment = score, (comment or "").strip()
    rating.rated_by_user_id, rating.agent_user_id = actor.user_id, ticket.assigned_agent_id
    rating.rated_at, rating.month = at, month_key(at)
    session.add(rating)
    session.flush()
    changes.mark(session, changes.task_topic(ticket.id))
    return RatingView(score=rating.score, comment=rating.comment, rated_by=actor.full_name or actor.email,
                      rated_at=at)


def _month_filter(month: str) -> list:
    month = (month or "").strip()
    if not month:
        return []
    if len(month) != MONTH_LENGTH or month[4] != "-" or not (month[:4] + month[5:]).isdigit():
        raise InvalidInput("Choose a month such as 2026-12.")
    return [TicketRating.month == month]


def rated_months(actor: Actor, *, limit: int = 36) -> list[str]:
    """The months that have ratings, newest first (at most ``limit``)."""
    require_staff(actor)
    with unit_of_work(write=False) as session:
        return list(session.exec(select(TicketRating.month).distinct().order_by(TicketRating.month.desc())
                                 .limit(limit)).all())


def ratings_by_agent(actor: Actor, *, month: str = "", page: int = 1, page_size: int = 20) -> Page[AgentMonthRow]:
    """Ratings counted per month and agent (newest month first, then the agent's name), aggregated in SQL."""
    require_staff(actor)
    filters = _month_filter(month)
    page, page_size = clamp(page, page_size)
    good = func.sum(case((TicketRating.score == Satisfaction.good.value, 1), else_=0))
    with unit_of_work(write=False) as session:
        groups = select(TicketRating.month, TicketRating.agent_user_id).where(*filters).group_by(
            TicketRating.month, TicketRating.agent_user_id).subquery()
        total = session.exec(select(func.count()).select_from(groups)).one()
        rows = session.exec(
            select(TicketRating.month, TicketRating.agent_user_id, User.full_name, User.email, func.count(), good)
            .outerjoin(User, User.id == TicketRating.agent_user_id)
            .where(*filters)
            .group_by(TicketRating.month, TicketRating.agent_user_id, User.full_name, User.email)
            .order_by(TicketRating.month.desc(), case((TicketRating.agent_user_id.is_(None), 1), else_=0),
                      User.full_name.asc(), TicketRating.agent_user_id.asc())
            .offset((page - 1) * page_size).limit(page_size)).all()
    items = [AgentMonthRow(month=m, agent_id=a, agent=(n or e) if a else "Unassigned", ratings=int(c),
                           good=int(g or 0), bad=int(c) - int(g or 0), satisfied_bp=satisfied_bp(int(g or 0), int(c)))
             for m, a, n, e, c, g in rows]
    return Page(items=items, page=page, page_size=page_size, total=int(total))


def latest_comments(actor: Actor, *, month: str = "", page: int = 1, page_size: int = 10) -> Page[RatingComment]:
    """Ratings with a comment, newest first."""
    require_staff(actor)
    filters = [*_month_filter(month), TicketRating.comment != ""]
    page, page_size = clamp(page, page_size)
    with unit_of_work(write=False) as session:
        total = session.exec(select(func.count()).select_from(TicketRating).where(*filters)).one()
        rows = session.exec(
            select(TicketRating, Ticket.title, Organization.name, User.full_name, User.email)
            .join(Ticket, Ticket.id == TicketRating.ticket_id)
            .join(Organization, Organization.id == TicketRating.organization_id)
            .outerjoin(User, User.id == TicketRating.agent_user_id)
            .where(*filters).order_by(TicketRating.rated_at.desc(), TicketRating.id.desc())
            .offset((page - 1) * page_size).limit(page_size)).all()
    items = [RatingComment(ticket_id=r.ticket_id, ticket_title=title, organization=org, score=r.score,
                           comment=r.comment, agent=(n or e) if r.agent_user_id else "Unassigned", rated_at=r.rated_at)
             for r, title, org, n, e in rows]
    return Page(items=items, page=page, page_size=page_size, total=int(total))
