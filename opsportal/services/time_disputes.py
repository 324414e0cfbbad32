"""Time sign-off, the support team's side: the queue of disputed time entries across organizations, and each
dispute resolved (kept, corrected or written off) with an answer the customer reads (``domain.time_signoff``).

A correction goes through the time correction's own path (``agent_work.correct_in_session``: the audit trail,
and the entry's and the task's later entries' ledger draws again); a write-off gives back what the entry drew
(``agent_work.write_off_in_session``). The answer reaches the ticket's requester and followers (the one who
disputed follows it) in the same transaction (``ticket_updates.announce``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import time_signoff as rules
from opsportal.domain.ticket_updates import UpdateKind
from opsportal.domain.time_signoff import Resolution, ReviewState
from opsportal.models import Organization, Ticket, TimeEntry, TimeReview
from opsportal.services import agent_work, changes, ticket_updates
from opsportal.services.authz import Actor, require_staff
from opsportal.services.errors import InvalidInput, NotFound
from opsportal.services.pagination import Page, clamp

NOT_DISPUTED = "That time entry is not disputed."


@dataclass(frozen=True)
class DisputeRow:
    entry_id: int
    ticket_id: int
    ticket_title: str
    organization: str
    work_date: date
    agent_name: str
    minutes: int
    payg_minutes: int
    payg_amount_minor: int
    currency: str
    note: str
    reason: str
    disputed_by: str
    disputed_at: datetime
    state: ReviewState
    answer: str
    resolved_by: str
    resolved_at: datetime | None


def change_topics(actor: Actor) -> list[str]:
    """What an open dispute queue follows on the change feed (staff only)."""
    require_staff(actor)
    return [changes.DISPUTES_TOPIC]


def disputes(actor: Actor, *, open_only: bool = True, page: int = 1, page_size: int = 20) -> Page[DisputeRow]:
    """Disputed entries of every organization, oldest dispute first (``open_only``), else newest first with the
    resolved ones."""
    require_staff(actor)
    page, page_size = clamp(page, page_size)
    if open_only:
        where = TimeReview.state == ReviewState.disputed.value
        order = (TimeReview.disputed_at, TimeReview.id)
    else:
        where = TimeReview.disputed_at.is_not(None)
        order = (TimeReview.disputed_at.desc(), TimeReview.id.desc())
    with unit_of_work(write=False) as session:
        total = session.exec(select(func.count()).select_from(TimeReview).where(where)).one()
        rows = session.exec(
            select(TimeReview, TimeEntry, Ticket.title, Organization.name)
            .join(TimeEntry, TimeEntry.id == TimeReview.time_entry_id)
            .join(Ticket, Ticket.id == TimeEntry.ticket_id)
            .join(Organization, Organization.id == TimeEntry.organization_id)
            .where(where).order_by(*order).offset((page - 1) * page_size).limit(page_size)).all()
    return Page([_row(r, e, t, o) for r, e, t, o in rows], page, page_size, int(total))


def _row(review: TimeReview, e: TimeEntry, title: str, org: str) -> DisputeRow:
    written_off = review.state == ReviewState.written_off.value
    _prepaid, payg = rules.counted_split(e.prepaid_minutes, e.payg_minutes, written_off)
    return DisputeRow(entry_id=e.id, ticket_id=e.ticket_id, ticket_title=title, organization=org,
                      work_date=e.work_date, agent_name=e.agent_name, minutes=e.minutes, payg_minutes=payg,
                      payg_amount_minor=0 if written_off else e.payg_amount_minor, currency=e.currency, note=e.note,
                      reason=review.dispute_reason, disputed_by=review.disputed_by_name,
                      disputed_at=review.disputed_at, state=ReviewState(review.state), answer=review.answer,
                      resolved_by=review.resolved_by_name, resolved_at=review.resolved_at)


def resolve(actor: Actor, entry_id: int, resolution: str, answer: str, *, minutes: int | None = None,
            work_date: date | None = None, note: str | None = None, at: datetime | None = None) -> DisputeRow:
    """Resolves a disputed entry: ``kept`` as it is, ``corrected`` to ``minutes``/``work_date``/``note`` (the
    correction's audit trail names the dispute), or ``written_off``; the customer reads ``answer``."""
    require_staff(actor)
    try:
        how = Resolution(resolution)
    except ValueError:
        raise InvalidInput("Choose how the dispute is resolved: kept, corrected or written off.") from None
    answer = rules.clean_text(answer)
    problem = rules.answer_problem(answer)
    if problem:
        raise InvalidInput(problem)
    at = at or clock.now()
    with unit_of_work() as session:
        found = session.get(TimeEntry, entry_id)
        if found is None:
            raise NotFound(NOT_DISPUTED)
        # The organization first, as the customer's dispute and the billing run lock it: no deadlock with them.
        session.exec(select(Organization.id).where(Organization.id == found.organization_id).with_for_update()).one()
        review = session.exec(select(TimeReview).where(TimeReview.time_entry_id == entry_id).with_for_update()
                              .execution_options(populate_existing=True)).first()
        if review is None:
            raise NotFound(NOT_DISPUTED)
        problem = rules.resolve_problem(ReviewState(review.state))
        if problem:
            raise InvalidInput(problem)
        if how is Resolution.corrected:
            current = session.get(TimeEntry, entry_id)
            if minutes is None:
                raise InvalidInput("Give the corrected minutes.")
            agent_work.correct_in_session(
                session, actor, entry_id, minutes=minutes, work_date=work_date or current.work_date,
                note=current.note if note is None else note, at=at,
                reason=f"Dispute by {review.disputed_by_name}: {review.dispute_reason}"[:500])
        elif how is Resolution.written_off:
            agent_work.write_off_in_session(session, actor, entry_id, at=at)
        review.state, review.resolution, review.answer = how.state.value, how.value, answer
        review.resolved_by_user_id, review.resolved_by_name = actor.user_id or None, actor.full_name or actor.email
        review.resolved_at = at
        session.add(review)
        entry = session.get(TimeEntry, entry_id)
        ticket = session.get(Ticket, entry.ticket_id)
        ticket_updates.announce(session, ticket, kind=UpdateKind.dispute_answer, text=answer,
                                actor_user_id=actor.user_id or None, actor_name=actor.full_name or actor.email,
                                from_staff=True, at=at, time_entry_id=entry_id)
        changes.mark(session, changes.org_topic(entry.organization_id), changes.task_topic(entry.ticket_id),
                     changes.DISPUTES_TOPIC)
        session.flush()
        org = session.get(Organization, entry.organization_id)
        return _row(review, entry, ticket.title, org.name)
