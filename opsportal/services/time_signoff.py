"""Time sign-off, the customer's side: a month's time of the organization per task (pay-as-you-go and prepaid),
approved all at once or per task, or one entry disputed with a reason (``domain.time_signoff``).

Owners, administrators and billing contacts sign off; members and other organizations are refused. A dispute
locks the organization's row as the billing run does, so an entry is either disputed before the run reads it or
billed before the dispute is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import time_signoff as rules
from opsportal.domain.invoices.periods import BillingPeriod, parse_period
from opsportal.domain.time_signoff import ReviewState
from opsportal.models import Organization, Ticket, TicketFollower, TimeEntry, TimeReview
from opsportal.services import changes
from opsportal.services.authz import Actor, require_view_organization, require_visible
from opsportal.services.errors import InvalidInput, NotFound, PermissionDenied
from opsportal.services.pagination import Page, clamp
from opsportal.services.signoff_store import signoff_days

ENTRY_NOT_FOUND = "That time entry was not found or you do not have access to it."
SIGNERS_ONLY = "Time sign-off is for the organization's owners, administrators and billing contacts."


@dataclass(frozen=True)
class SheetEntry:
    id: int
    ticket_id: int
    ticket_title: str
    work_date: date
    agent_name: str
    minutes: int
    prepaid_minutes: int
    payg_minutes: int
    payg_amount_minor: int
    currency: str
    note: str
    state: ReviewState
    billed: bool
    dispute_reason: str
    answer: str
    may_approve: bool
    may_dispute: bool


@dataclass(frozen=True)
class StateTotal:
    state: ReviewState
    entries: int
    minutes: int


@dataclass(frozen=True)
class Timesheet:
    period: BillingPeriod
    deadline: date
    open: bool  # approvals and disputes are still taken
    entries: Page[SheetEntry]
    totals: list[StateTotal]

    @property
    def awaiting(self) -> int:
        return sum(t.entries for t in self.totals if t.state is ReviewState.pending)


def _period(text: str) -> BillingPeriod:
    try:
        return parse_period(text)
    except ValueError as exc:
        raise InvalidInput(str(exc)[:1].upper() + str(exc)[1:] + ".") from None


def _require_signer(actor: Actor, organization_id: int) -> None:
    require_view_organization(actor, organization_id)
    if actor.is_staff or not rules.may_sign_off(actor.role):
        raise PermissionDenied(SIGNERS_ONLY)


def change_topics(actor: Actor, organization_id: int) -> list[str]:
    """What an open sign-off page follows on the change feed: its organization (entries logged, corrected,
    approved, disputed, answered). Refused like the page itself."""
    _require_signer(actor, organization_id)
    return [changes.org_topic(organization_id)]


def _today(at: datetime) -> date:
    return at.date()  # the deadline is a UTC day, like the billing run's


def timesheet(actor: Actor, organization_id: int, period_text: str, *, page: int = 1, page_size: int = 25,
              at: datetime | None = None) -> Timesheet:
    """The period's time entries of the organization, ordered by task, one page of them, with totals by state."""
    _require_signer(actor, organization_id)
    period = _period(period_text)
    page, page_size = clamp(page, page_size)
    today, days = _today(at or clock.now()), signoff_days()
    in_period = (TimeEntry.organization_id == organization_id, TimeEntry.work_date >= period.first_day,
                 TimeEntry.work_date <= period.last_day)
    with unit_of_work(write=False) as session:
        total = session.exec(select(func.count()).select_from(TimeEntry).where(*in_period)).one()
        rows = session.exec(
            select(TimeEntry, Ticket.title, TimeReview)
            .join(Ticket, Ticket.id == TimeEntry.ticket_id)
            .outerjoin(TimeReview, TimeReview.time_entry_id == TimeEntry.id)
            .where(*in_period).order_by(TimeEntry.ticket_id, TimeEntry.work_date, TimeEntry.id)
            .offset((page - 1) * page_size).limit(page_size)).all()
        by_state = session.exec(
            select(TimeReview.state, TimeReview.reopened_on, func.count(),
                   func.coalesce(func.sum(TimeEntry.minutes), 0))
            .select_from(TimeEntry).outerjoin(TimeReview, TimeReview.time_entry_id == TimeEntry.id)
            .where(*in_period).group_by(TimeReview.state, TimeReview.reopened_on)).all()
    items = [_sheet_entry(e, title, r, today, days) for e, title, r in rows]
    totals: dict[ReviewState, list[int]] = {}
    for state, reopened_on, count, minutes in by_state:
        shown = rules.effective_state(state, period.last_day, today, days, reopened_on=reopened_on)
        got = totals.setdefault(shown, [0, 0])
        got[0], got[1] = got[0] + int(count), got[1] + int(minutes)
    end = rules.deadline(period, days)
    # Entries a correction returned to review keep the sign-off open for them after the month's deadline.
    end = max([end, *(rules.review_deadline(period.last_day, days, r) for s, r, _c, _m in by_state
                      if r is not None and rules.effective_state(s, period.last_day, today, days, reopened_on=r)
                      is ReviewState.pending)])
    return Timesheet(period=period, deadline=end, open=today <= end,
                     entries=Page(items, page, page_size, int(total)),
                     totals=[StateTotal(s, c, m) for s, (c, m) in sorted(totals.items(), key=lambda kv: list(
                         ReviewState).index(kv[0]))])


def _sheet_entry(e: TimeEntry, title: str, review: TimeReview | None, today: date, days: int) -> SheetEntry:
    state = rules.effective_state(review.state if review else None, e.work_date, today, days,
                                  reopened_on=review.reopened_on if review else None)
    billed = e.billed_invoice_id is not None
    written_off = state is ReviewState.written_off
    prepaid, payg = rules.counted_split(e.prepaid_minutes, e.payg_minutes, written_off)
    return SheetEntry(
        id=e.id, ticket_id=e.ticket_id, ticket_title=title, work_date=e.work_date, agent_name=e.agent_name,
        minutes=e.minutes, prepaid_minutes=prepaid, payg_minutes=payg,
        payg_amount_minor=0 if written_off else e.payg_amount_minor, currency=e.currency, note=e.note, state=state,
        billed=billed,
        dispute_reason=review.dispute_reason if review else "", answer=review.answer if review else "",
        may_approve=rules.review_problem(state, e.work_date, today, days, billed=billed, disputing=False,
                                         reopened_on=review.reopened_on if review else None) is None,
        may_dispute=rules.review_problem(state, e.work_date, today, days, billed=billed, disputing=True,
                                         reopened_on=review.reopened_on if review else None) is None)


def _lock_org(session: Session, organization_id: int) -> Organization:
    return session.exec(select(Organization).where(Organization.id == organization_id).with_for_update()).one()


def approve(actor: Actor, organization_id: int, period_text: str, *, ticket_id: int | None = None,
            at: datetime | None = None) -> int:
    """Approves the period's entries awaiting review (all, or one task's); returns how many were approved."""
    _require_signer(actor, organization_id)
    period = _period(period_text)
    at = at or clock.now()
    today, days = _today(at), signoff_days()
    end = rules.deadline(period, days)
    with unit_of_work() as session:
        _lock_org(session, organization_id)
        in_period = (TimeEntry.organization_id == organization_id, TimeEntry.work_date >= period.first_day,
                     TimeEntry.work_date <= period.last_day, TimeEntry.billed_invoice_id.is_(None))
        if ticket_id is not None:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None or ticket.organization_id != organization_id:
                raise NotFound("That task was not found or you do not have access to it.")
            in_period = (*in_period, TimeEntry.ticket_id == ticket_id)
        # Entries a staff correction returned to review, whose own deadline has not passed.
        reopened = session.exec(select(TimeReview).join(TimeEntry, TimeEntry.id == TimeReview.time_entry_id).where(
            *in_period, TimeReview.state == ReviewState.pending.value, TimeReview.reopened_on.is_not(None),
            true() if today <= end else TimeReview.reopened_on >= today - timedelta(days=days))
            .order_by(TimeReview.id).with_for_update(of=TimeReview)).all()
        if today > end and not reopened:
            raise InvalidInput(f"The sign-off for {period.label} closed on {formats.day(end)}: its time was "
                               "approved automatically.")
        ids = []
        if today <= end:  # entries nobody reviewed yet: the month's own deadline
            ids = session.exec(select(TimeEntry.id).where(
                *in_period, TimeEntry.id.not_in(select(TimeReview.time_entry_id))).order_by(TimeEntry.id)).all()
        for entry_id in ids:
            session.add(TimeReview(time_entry_id=entry_id, organization_id=organization_id,
                                   state=ReviewState.approved.value, reviewed_by_user_id=actor.user_id,
                                   reviewed_by_name=actor.full_name or actor.email, reviewed_at=at))
        for review in reopened:
            review.state, review.reviewed_by_user_id = ReviewState.approved.value, actor.user_id
            review.reviewed_by_name, review.reviewed_at = actor.full_name or actor.email, at
            session.add(review)
        changes.mark(session, changes.org_topic(organization_id))
        return len(ids) + len(reopened)


def dispute(actor: Actor, entry_id: int, reason: str, *, at: datetime | None = None) -> SheetEntry:
    """Disputes one entry with a reason: it is not billed until the support team resolves it. The one who
    disputes follows the task from then on, so they hear the answer."""
    at = at or clock.now()
    reason = rules.clean_text(reason)
    with unit_of_work() as session:
        found = session.get(TimeEntry, entry_id)
        require_visible(actor, found.organization_id if found else None, ENTRY_NOT_FOUND)
        _require_signer(actor, found.organization_id)
        problem = rules.reason_problem(reason)
        if problem:
            raise InvalidInput(problem)
        _lock_org(session, found.organization_id)
        entry = session.exec(select(TimeEntry).where(TimeEntry.id == entry_id).with_for_update()
                             .execution_options(populate_existing=True)).one()
        review = session.exec(select(TimeReview).where(TimeReview.time_entry_id == entry_id)
                              .with_for_update()).first()
        today, days = _today(at), signoff_days()
        reopened_on = review.reopened_on if review else None
        state = rules.effective_state(review.state if review else None, entry.work_date, today, days,
                                      reopened_on=reopened_on)
        problem = rules.review_problem(state, entry.work_date, today, days, billed=entry.billed_invoice_id is not None,
                                       disputing=True, reopened_on=reopened_on)
        if problem:
            raise InvalidInput(problem)
        review = review or TimeReview(time_entry_id=entry.id, organization_id=entry.organization_id, state="")
        review.state = ReviewState.disputed.value
        review.disputed_by_user_id, review.disputed_by_name = actor.user_id, actor.full_name or actor.email
        review.disputed_at, review.dispute_reason = at, reason
        session.add(review)
        _follow(session, entry.ticket_id, actor.user_id)
        changes.mark(session, changes.DISPUTES_TOPIC)
        session.flush()
        title = session.get(Ticket, entry.ticket_id).title
        return _sheet_entry(entry, title, review, today, days)


def _follow(session: Session, ticket_id: int, user_id: int) -> None:
    ticket = session.get(Ticket, ticket_id)
    if ticket.created_by_user_id == user_id:
        return
    values = {"ticket_id": ticket_id, "user_id": user_id, "added_by_user_id": user_id, "created_at": clock.now()}
    dialect = session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(make(TicketFollower).values(**values).on_conflict_do_nothing())
