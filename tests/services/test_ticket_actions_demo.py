"""The demo shows customers acting on their tickets: followers, ratings on solved tickets and a follow-up pair,
each written after what it follows (services.demo_ticket_actions, SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.models import Ticket, TicketFollower, TicketRating, User
from opsportal.services import ticket_ratings
from opsportal.services.operator import OPERATOR


def test_the_demo_has_colleagues_following_open_tickets_of_their_own_organization(demo_database_url):
    with unit_of_work(write=False) as session:
        rows = session.exec(select(TicketFollower, Ticket, User).join(Ticket, Ticket.id == TicketFollower.ticket_id)
                            .join(User, User.id == TicketFollower.user_id)).all()
    assert len(rows) >= 3
    assert all(user.organization_id == ticket.organization_id and user.id != ticket.created_by_user_id
               for _follower, ticket, user in rows)


def test_the_demo_ratings_are_given_by_the_requester_after_the_ticket_was_solved(demo_database_url):
    with unit_of_work(write=False) as session:
        rows = session.exec(select(TicketRating, Ticket).join(Ticket, Ticket.id == TicketRating.ticket_id)).all()
    assert len(rows) >= 5
    assert {r.score for r, _t in rows} == {"good", "bad"}
    assert all(t.status in ("resolved", "closed") and r.rated_at >= t.closed_at
               and r.rated_by_user_id == t.created_by_user_id and r.agent_user_id == t.assigned_agent_id
               for r, t in rows)
    assert ticket_ratings.ratings_by_agent(OPERATOR).total >= 2


def test_the_demo_has_one_follow_up_opened_after_its_old_ticket_was_closed(demo_database_url):
    with unit_of_work(write=False) as session:
        pairs = session.exec(select(Ticket).where(Ticket.follow_up_of_id.is_not(None))).all()
        [follow_up] = pairs
        old = session.get(Ticket, follow_up.follow_up_of_id)
    assert follow_up.title == f"Re: {old.title}" and follow_up.category == old.category
    assert follow_up.created_at > old.closed_at and follow_up.organization_id == old.organization_id
