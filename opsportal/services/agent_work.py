"""What agents do: the queue across organizations, assigning, statuses, and logging time.

Logged time draws ``support_hours``: the hours held for its task first, then free hours in the
consumption order; what prepaid hours do not cover is pay-as-you-go at the organization's hourly rate.
A correction gives the drawn minutes back where they came from (the task's hold included) and draws
the entry and the task's later entries again (``domain.ledger.time_draws``), with an audit trail; a
billed entry cannot change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from opsportal import clock, routes
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain.billing_time import payg_amount
from opsportal.domain.ledger.lots import Lot
from opsportal.domain.ledger.order import explain
from opsportal.domain.ledger.time_draws import Drawn, EntryToDraw, TimeDraw, draw_time, drawn_from_entries
from opsportal.domain.roles import Role
from opsportal.domain.tasks import NOTE_MAX, TaskStatus, minutes_problem
from opsportal.domain.ticket_updates import UpdateKind
from opsportal.domain.time_signoff import (
    ReviewState,
    effective_state,
    period_of,
    reopens_on_correction,
    review_deadline,
)
from opsportal.models import (
    CreditHold,
    LedgerEntry,
    Organization,
    Ticket,
    TimeEntry,
    TimeEntryRevision,
    TimeReview,
    User,
)
from opsportal.services import changes, credits, orgtree, portal_notifications, signoff_store, sla, ticket_updates
from opsportal.services import ledger_store as store
from opsportal.services.authz import Actor, require_staff
from opsportal.services.errors import Conflict, InvalidInput, NotFound
from opsportal.services.pagination import Page
from opsportal.services.tasks import (
    COMMENT_WINDOW,
    TaskDetail,
    TaskRow,
    TimeEntryPublic,
    get_task,
    page_of_tasks,
    task_filters,
    time_entry_public,
)

HOURS = "support_hours"
WRITTEN_OFF = ReviewState.written_off.value
CLOSED_TO_RESOLVED = "A closed task is reopened to an open status, not marked solved again."


@dataclass(frozen=True)
class Agent:
    id: int
    name: str


def queue(actor: Actor, *, tab: str = "open", search: str = "", status: str = "", category: str = "",
          organization_id: int | None = None, mine: bool = False, unassigned: bool = False, sort: str = "updated",
          page: int = 1, page_size: int = 25) -> Page[TaskRow]:
    """All organizations' tasks for the support team, filtered."""
    require_staff(actor)
    try:
        filters = task_filters(organization_id=organization_id, tab=tab, search=search[:100], status=status,
                               category=category)
    except ValueError:
        raise InvalidInput("Unknown status.") from None
    if mine:
        filters.append(Ticket.assigned_agent_id == actor.user_id)
    if unassigned:
        filters.append(Ticket.assigned_agent_id.is_(None))
    with unit_of_work(write=False) as session:
        return page_of_tasks(session, filters, sort=sort, page=page, page_size=page_size)


def task_for_staff(actor: Actor, ticket_id: int, *, comments: int = COMMENT_WINDOW,
                   entry_page: int = 1) -> TaskDetail:
    """A task as the support team sees it (customers read theirs through ``tasks.get_task``): its latest
    ``comments`` comments and one page of its time entries, newest first."""
    require_staff(actor)
    return get_task(actor, ticket_id, comments=comments, entry_page=entry_page)


def agents(actor: Actor) -> list[Agent]:
    require_staff(actor)
    with unit_of_work(write=False) as session:
        rows = session.exec(select(User.id, User.full_name, User.email)
                            .where(User.role.in_([Role.agent.value, Role.staff_admin.value]), User.is_active)
                            .order_by(User.full_name)).all()
    return [Agent(id=i, name=n or e) for i, n, e in rows]


def _lock_ticket(session: Session, ticket_id: int) -> Ticket:
    ticket = session.exec(select(Ticket).where(Ticket.id == ticket_id).with_for_update()
                          .execution_options(populate_existing=True)).first()
    if ticket is None:
        raise NotFound(f"Unknown task {ticket_id}.")
    return ticket


def assign(actor: Actor, ticket_id: int, agent_id: int | None, *, at: datetime | None = None) -> None:
    require_staff(actor)
    with unit_of_work() as session:
        ticket = _lock_ticket(session, ticket_id)
        if agent_id is not None:
            agent = session.get(User, agent_id)
            if agent is None or not Role(agent.role).is_staff or not agent.is_active:
                raise InvalidInput("Assign the task to an active member of the support team.")
        ticket.assigned_agent_id = agent_id
        ticket.updated_at = at or clock.now()
        if agent_id is not None and ticket.status == TaskStatus.open.value:
            ticket.status = TaskStatus.in_progress.value
        session.add(ticket)


def set_status(actor: Actor, ticket_id: int, status: str, *, credits_used: dict[str, int] | None = None,
               at: datetime | None = None) -> None:
    """Change a task's status. Closing it turns its held credits into used ones (``credits_used`` per
    product; by default all held service credits, and no held support hours since time entries already
    drew on them) and releases the rest. Staff may reopen a closed task at any time (customers only within the
    reopen window): it goes to an open status, the resolution clock runs again as when a customer reopens, and
    the requester and followers are told as of any status change. A closed task is reopened, never solved again."""
    require_staff(actor)
    try:
        new = TaskStatus(status)
    except ValueError:
        raise InvalidInput("Unknown status.") from None
    now = at or clock.now()
    with unit_of_work() as session:
        ticket = _lock_ticket(session, ticket_id)
        old = TaskStatus(ticket.status)
        if old is TaskStatus.closed and new is TaskStatus.resolved:
            raise Conflict(CLOSED_TO_RESOLVED)
        if old.is_open and not new.is_open:
            # Support hours held for a task were already drawn by its time entries (they use the hold first),
            # so by default what is still held is released; other credits are used in full.
            credits.settle_holds(session, actor, ticket, credits_used, now,
                                 default=lambda code, held: 0 if code == HOURS else held)
            ticket.closed_at = now
        if not old.is_open and new.is_open:
            ticket.closed_at = None
        ticket.status = new.value
        ticket.updated_at = now
        sla.sync_status(session, ticket, now)
        session.add(ticket)
        if new is not old:
            ticket_updates.announce(session, ticket, kind=UpdateKind.status, text=new.label,
                                    actor_user_id=actor.user_id, actor_name=actor.full_name or actor.email,
                                    from_staff=True, at=now)


def _hours_held(session: Session, ticket_id: int) -> dict[int, int]:
    """Lot id -> support hours held for the ticket."""
    return dict(session.exec(select(CreditHold.lot_id, CreditHold.quantity).where(
        CreditHold.ticket_id == ticket_id, CreditHold.product_code == HOURS, CreditHold.quantity > 0)).all())


def _drawn(session: Session, entry_ids: list[int]) -> dict[int, Drawn]:
    """Time entry id -> what it drew and has not given back, by lot and source (hold or free)."""
    rows: dict[int, list[tuple[int, str, int, int]]] = {}
    for entry_id, lot_id, kind, quantity, delta_held in session.exec(
            select(LedgerEntry.time_entry_id, LedgerEntry.lot_id, LedgerEntry.kind, LedgerEntry.quantity,
                   LedgerEntry.delta_held)
            .where(LedgerEntry.time_entry_id.in_(entry_ids), LedgerEntry.kind.in_(("consume", "refund")))
            .order_by(LedgerEntry.id)).all():
        rows.setdefault(entry_id, []).append((lot_id, kind, quantity, delta_held))
    return {entry_id: drawn_from_entries(r) for entry_id, r in rows.items()}


def _draw_time(session: Session, actor: Actor, ticket: Ticket, entries: list[TimeEntry], at: datetime,
               minutes: dict[int, int] | None = None, written_off: int | None = None) -> None:
    """(Re)draws support hours for ``entries`` (the task's, in the order they were logged; ``minutes``: new
    minutes by entry id, set with the new split) as
    ``time_draws.draw_time`` decides: what they drew goes back where it came from, then each draws
    the task's hold first, then free hours in the consumption order; the rest is pay-as-you-go.
    Sets each entry's split and price. Only the lots drawn or given back to are locked. The ``written_off``
    entry draws nothing and costs nothing.
    """
    chain, names = orgtree.lineage(session, ticket.organization_id)
    task_open = TaskStatus(ticket.status).is_open
    holds = _hours_held(session, ticket.id) if task_open else {}
    drawn = _drawn(session, [e.id for e in entries])
    minutes = {e.id: e.minutes for e in entries} | (minutes or {})
    to_draw = [EntryToDraw(e.id, 0 if e.id == written_off else minutes[e.id], drawn.get(e.id, Drawn()))
               for e in entries]
    known = set(holds) | {lot_id for d in drawn.values() for lot_id in (*d.from_hold, *d.free)}

    def plan(lots: list[Lot]) -> TimeDraw:
        return draw_time(lots, holds, to_draw, org_id=ticket.organization_id, ancestors=chain, product=HOURS, at=at,
                         ticket_id=ticket.id, category=ticket.category, task_open=task_open,
                         explain=lambda c: explain(c, names.get(c.lot.holder_org_id)))

    def read() -> list[Lot]:
        # The head of the order (a few lots) decides as every lot would when the free hours drawn all
        # come from it and nothing is left to pay-as-you-go; otherwise every usable lot is read.
        extra = {lot.id: lot for lot in store.lots_by_ids(session, known)}
        head = {lot.id: lot for lot in store.head_of_order(session, ticket.organization_id, chain, HOURS, at)}
        lots = list((head | extra).values())
        if all(not o.payg_minutes and set(o.drawn.free) <= head.keys() for o in plan(lots).entries):
            return lots
        usable = store.usable_lots(session, ticket.organization_id, chain, HOURS, at)
        return list(({lot.id: lot for lot in usable} | extra).values())

    decided = store.write_plan(session, read, plan, lambda d: d.ledger, actor.user_id)
    for entry, outcome in zip(entries, decided.entries, strict=True):
        if (entry.prepaid_minutes, entry.payg_minutes) != (outcome.prepaid_minutes, outcome.payg_minutes):
            entry.updated_at = at
        entry.minutes = minutes[entry.id]
        if entry.id == written_off:
            entry.prepaid_minutes, entry.payg_minutes, entry.payg_amount_minor = 0, entry.minutes, 0
            continue
        entry.prepaid_minutes, entry.payg_minutes = outcome.prepaid_minutes, outcome.payg_minutes
        entry.payg_amount_minor = payg_amount(outcome.payg_minutes, entry.hourly_rate_minor)
        session.add(entry)


def _validate(minutes: int, note: str, work_date: date, today: date) -> str:
    problem = minutes_problem(minutes)
    if problem:
        raise InvalidInput(problem)
    if work_date > today:
        raise InvalidInput("Time cannot be logged for a future date.")
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"Keep the note under {NOTE_MAX} characters.")
    return note


def log_time(actor: Actor, ticket_id: int, *, minutes: int, work_date: date | None = None, note: str = "",
             after_hours: bool = False, at: datetime | None = None) -> TimeEntryPublic:
    """An agent logs time on an open task."""
    require_staff(actor)
    at = at or clock.now()
    today = formats.local_date(at, actor.time_zone)  # "future" is judged on the agent's own calendar
    work_date = work_date or today
    note = _validate(minutes, note, work_date, today)
    with unit_of_work() as session:
        ticket = _lock_ticket(session, ticket_id)
        status = TaskStatus(ticket.status)
        if status is TaskStatus.resolved:
            raise Conflict(f"Task {ticket_id} is resolved: reopen it before logging time.")
        if not status.is_open:
            raise Conflict(f"Task {ticket_id} is closed: time can no longer be logged on it.")
        entry = TimeEntry(ticket_id=ticket.id, organization_id=ticket.organization_id,
                          agent_user_id=actor.user_id or None, agent_name=actor.full_name or actor.email,
                          work_date=work_date, minutes=minutes, note=note, after_hours=after_hours,
                          payg_minutes=minutes, created_at=at, updated_at=at)
        org = session.get(Organization, ticket.organization_id)
        entry.hourly_rate_minor, entry.currency = org.hourly_rate_minor, org.currency
        session.add(entry)
        session.flush()
        _draw_time(session, actor, ticket, [entry], at)
        ticket.minutes_logged += minutes
        ticket.updated_at = at
        if ticket.status == TaskStatus.open.value:
            ticket.status = TaskStatus.in_progress.value
        session.add(ticket)
        session.flush()
        return time_entry_public(entry)


def correct_time(actor: Actor, entry_id: int, *, minutes: int, work_date: date, note: str, reason: str,
                 at: datetime | None = None) -> TimeEntryPublic:
    """Staff correct an unbilled entry: its minutes go back to their lots and are drawn again."""
    require_staff(actor)
    at = at or clock.now()
    with unit_of_work() as session:
        entry = correct_in_session(session, actor, entry_id, minutes=minutes, work_date=work_date, note=note,
                                   reason=reason, at=at)
        _reopen_review(session, actor, entry, at)
        return time_entry_public(entry, revisions=_revision_count(session, entry.id))


def _reopen_review(session: Session, actor: Actor, entry: TimeEntry, at: datetime) -> None:
    """A correction outside a dispute: an approved entry (by the customer, automatically, or by an answered
    dispute) awaits the customer's review again, with a deadline running from today; the customer's signers hear
    of it in the bell. A disputed entry keeps its dispute (staff answer it); an entry never reviewed stays so."""
    review = session.exec(select(TimeReview).where(TimeReview.time_entry_id == entry.id).with_for_update()
                          .execution_options(populate_existing=True)).first()
    today, days = at.date(), signoff_store.signoff_days()
    state = effective_state(review.state if review else None, entry.work_date, today, days,
                            reopened_on=review.reopened_on if review else None)
    if review is not None and review.state == ReviewState.disputed.value:
        changes.mark(session, changes.DISPUTES_TOPIC)  # the staff queue shows the entry's new time
    if not reopens_on_correction(state, billed=entry.billed_invoice_id is not None):
        return
    review = review or TimeReview(time_entry_id=entry.id, organization_id=entry.organization_id, state="")
    review.state, review.reopened_on = ReviewState.pending.value, today
    review.reviewed_by_user_id, review.reviewed_by_name, review.reviewed_at = None, "", None
    session.add(review)
    ticket = session.get(Ticket, entry.ticket_id)
    period = period_of(entry.work_date)
    portal_notifications.tell_signers(
        session, ticket, kind=UpdateKind.time_corrected, actor_user_id=actor.user_id or None, at=at,
        link=f"{routes.TIMESHEET}?month={period.key}",
        text=f"{formats.day(entry.work_date)}: now {formats.duration(entry.minutes)}. It awaits your approval again "
             f"on Time sign-off until {formats.day(review_deadline(entry.work_date, days, today))}.")
    changes.mark(session, changes.org_topic(entry.organization_id))


def _lock_entry_and_later(session: Session, entry_id: int) -> tuple[Ticket, TimeEntry, list[TimeEntry]]:
    """The entry's task, the entry and the task's later unbilled entries that still draw (not written off), locked.

    The task first, then its entries: every writer of a task's entries locks in that order. The later entries draw
    again after the entry, as they would have had it been logged so; one statement locks them in the billing run's
    order (no deadlock with it).
    """
    found = session.get(TimeEntry, entry_id)
    if found is None:
        raise NotFound(f"Unknown time entry {entry_id}.")
    ticket = _lock_ticket(session, found.ticket_id)
    written_off = select(TimeReview.time_entry_id).where(TimeReview.state == WRITTEN_OFF)
    locked = session.exec(select(TimeEntry).where(
        TimeEntry.ticket_id == ticket.id,
        or_(TimeEntry.id == entry_id, and_(TimeEntry.id > entry_id, TimeEntry.billed_invoice_id.is_(None),
                                           TimeEntry.id.not_in(written_off))))
        .order_by(TimeEntry.ticket_id, TimeEntry.work_date, TimeEntry.id).with_for_update()
        .execution_options(populate_existing=True)).all()
    entry = next(e for e in locked if e.id == entry_id)
    if entry.billed_invoice_id is not None:
        raise Conflict("This time entry is billed and can no longer change.")
    if session.exec(written_off.where(TimeReview.time_entry_id == entry_id)).first() is not None:
        raise Conflict("This time entry was written off and can no longer change.")
    return ticket, entry, sorted((e for e in locked if e.id != entry_id), key=lambda e: e.id)


def correct_in_session(session: Session, actor: Actor, entry_id: int, *, minutes: int, work_date: date, note: str,
                       reason: str, at: datetime) -> TimeEntry:
    """``correct_time`` in the caller's transaction (a dispute's resolution corrects through it)."""
    require_staff(actor)
    note = _validate(minutes, note, work_date, formats.local_date(at, actor.time_zone))
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("Say why the entry is corrected (it is kept in the audit trail).")
    ticket, entry, later = _lock_entry_and_later(session, entry_id)
    session.add(TimeEntryRevision(time_entry_id=entry.id, changed_by_user_id=actor.user_id or None,
                                  changed_by_name=actor.full_name or actor.email, changed_at=at,
                                  reason=reason[:500], old_work_date=entry.work_date, old_minutes=entry.minutes,
                                  old_note=entry.note, new_work_date=work_date, new_minutes=minutes,
                                  new_note=note))
    org = session.get(Organization, ticket.organization_id)
    ticket.minutes_logged += minutes - entry.minutes
    entry.hourly_rate_minor, entry.currency = org.hourly_rate_minor, org.currency
    _draw_time(session, actor, ticket, [entry, *later], at, minutes={entry.id: minutes})
    entry.work_date, entry.note, entry.updated_at = work_date, note, at
    ticket.updated_at = at
    session.add_all([entry, ticket])
    session.flush()
    return entry


def write_off_in_session(session: Session, actor: Actor, entry_id: int, *, at: datetime) -> TimeEntry:
    """An unbilled entry is written off, in the caller's transaction: what it drew goes back where it came from
    (as a correction gives it back), the task's later entries draw again, and the entry keeps its minutes but
    draws nothing and costs nothing (its time reads as pay-as-you-go at no charge, never billed)."""
    require_staff(actor)
    ticket, entry, later = _lock_entry_and_later(session, entry_id)
    _draw_time(session, actor, ticket, [entry, *later], at, written_off=entry.id)
    entry.updated_at = at
    ticket.updated_at = at
    session.add_all([entry, ticket])
    session.flush()
    return entry


def _revision_count(session: Session, entry_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(TimeEntryRevision)
                            .where(TimeEntryRevision.time_entry_id == entry_id)).one())
