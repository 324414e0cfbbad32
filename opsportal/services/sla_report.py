"""Service-level breaches per month, for the support team: counted per organization and per agent, and listed.

A breach belongs to the month (UTC) its target fell due in:
- first response: the first staff reply came after the target, or none has come and the target has passed;
- resolution: the target passed while the resolution clock ran (before the ticket was solved or paused; a pause
  begun after the target does not undo it).
The counts are aggregated in SQL (served by the due-date indexes); the list holds one page of tickets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import and_, case, func, or_
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import sla as rules
from opsportal.models import Organization, Ticket, User
from opsportal.services import plan_store
from opsportal.services.authz import Actor, require_staff
from opsportal.services.errors import InvalidInput
from opsportal.services.sla import clock_of

LIST_LIMIT = 100
UNASSIGNED = "Unassigned"


@dataclass(frozen=True)
class BreachCount:
    name: str
    first_response: int
    resolution: int


@dataclass(frozen=True)
class Breach:
    ticket_id: int
    title: str
    organization: str
    agent: str
    target: str  # "First response" | "Resolution"
    due_at: datetime
    late_by: str  # "2 h 10 min" of the ticket's clock


@dataclass(frozen=True)
class BreachReport:
    month: str  # "2026-12"
    month_label: str  # "December 2026"
    first_response: int
    resolution: int
    by_organization: list[BreachCount]
    by_agent: list[BreachCount]
    breaches: list[Breach]  # the first LIST_LIMIT, earliest due first
    listed_all: bool


def month_bounds(month: str | None, now: datetime) -> tuple[date, datetime, datetime]:
    """``YYYY-MM`` (default: the month of ``now``, UTC) -> its first day and its [start, end) in UTC."""
    if month:
        try:
            first = datetime.strptime(month.strip(), "%Y-%m").date()
        except ValueError:
            raise InvalidInput(f"Give the month as YYYY-MM (e.g. 2026-12), not {month!r}.") from None
    else:
        first = now.astimezone(UTC).date().replace(day=1)
    after = first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)
    return first, datetime(first.year, first.month, 1, tzinfo=UTC), datetime(after.year, after.month, 1, tzinfo=UTC)


def _conditions(start: datetime, end: datetime, now: datetime):
    first = and_(Ticket.first_response_due_at >= start, Ticket.first_response_due_at < end,
                 or_(Ticket.first_responded_at > Ticket.first_response_due_at,
                     and_(Ticket.first_responded_at.is_(None), Ticket.first_response_due_at < now)))
    resolution = and_(Ticket.resolution_due_at >= start, Ticket.resolution_due_at < end,
                      Ticket.resolution_due_at < func.coalesce(Ticket.sla_paused_at, now))
    return first, resolution


def breach_report(actor: Actor, month: str | None = None, *, at: datetime | None = None) -> BreachReport:
    require_staff(actor)
    now = at or clock.now()
    first_day, start, end = month_bounds(month, now)
    first, resolution = _conditions(start, end, now)
    counts = (func.coalesce(func.sum(case((first, 1), else_=0)), 0),
              func.coalesce(func.sum(case((resolution, 1), else_=0)), 0))
    with unit_of_work(write=False) as session:
        by_org = session.exec(
            select(Organization.name, *counts).join(Organization, Organization.id == Ticket.organization_id)
            .where(or_(first, resolution)).group_by(Organization.name).order_by(Organization.name)).all()
        by_agent = session.exec(
            select(User.full_name, User.email, *counts).select_from(Ticket)
            .outerjoin(User, User.id == Ticket.assigned_agent_id)
            .where(or_(first, resolution)).group_by(User.id, User.full_name, User.email)
            .order_by(User.full_name)).all()
        rows = session.exec(
            select(Ticket, Organization.name, User.full_name, first, resolution)
            .join(Organization, Organization.id == Ticket.organization_id)
            .outerjoin(User, User.id == Ticket.assigned_agent_id)
            .where(or_(first, resolution)).order_by(Ticket.id.asc())
            .limit(LIST_LIMIT + 1)).all()
        regions = plan_store.regions(session)
        breaches = []
        for ticket, org_name, agent, first_hit, resolution_hit in rows[:LIST_LIMIT]:
            found = clock_of(ticket)
            for hit, label, due, done in (
                    (first_hit, "First response", ticket.first_response_due_at, ticket.first_responded_at),
                    (resolution_hit, "Resolution", ticket.resolution_due_at, ticket.sla_paused_at)):
                if hit and found is not None:
                    late = rules.business_minutes_between(found, regions, due, done or now)
                    breaches.append(Breach(ticket.id, ticket.title, org_name, agent or UNASSIGNED, label, due,
                                           formats.duration(late)))
    breaches.sort(key=lambda b: (b.due_at, b.ticket_id))
    return BreachReport(
        month=first_day.isoformat()[:7], month_label=formats.month(first_day),
        first_response=sum(int(r[1]) for r in by_org), resolution=sum(int(r[2]) for r in by_org),
        by_organization=[BreachCount(n, int(f), int(r)) for n, f, r in by_org],
        by_agent=[BreachCount(n or e or UNASSIGNED, int(f), int(r)) for n, e, f, r in by_agent],
        breaches=breaches, listed_all=len(rows) <= LIST_LIMIT)
