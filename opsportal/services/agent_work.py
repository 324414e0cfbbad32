"""What agents do: the queue across organizations, assigning, statuses, and logging time.

Logged time draws ``support_hours`` in the consumption order; what prepaid hours do not cover is
pay-as-you-go at the organization's hourly rate. A correction gives the drawn minutes back to
their lots and draws again, with an audit trail; a billed entry cannot change.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain.billing_time import payg_amount, split_time
from opsportal.domain.ledger import entries as rules
from opsportal.domain.ledger.order import explain
from opsportal.domain.ledger.plan import available as available_to
from opsportal.domain.roles import Role
from opsportal.domain.tasks import NOTE_MAX, TaskStatus, minutes_problem
from opsportal.models import (
    CreditHold,
    CreditLot,
    LedgerEntry,
    Organization,
    Ticket,
    TimeEntry,
    TimeEntryRevision,
    User,
)
from opsportal.models.types import utcnow
from opsportal.services import ledger_store as store
from opsportal.services import orgtree
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
        ticket.updated_at = at or utcnow()
        if agent_id is not None and ticket.status == TaskStatus.open.value:
            ticket.status = TaskStatus.in_progress.value
        session.add(ticket)


def set_status(actor: Actor, ticket_id: int, status: str, *, credits_used: dict[str, int] | None = None,
               at: datetime | None = None) -> None:
    """Change a task's status. Closing it turns its held credits into used ones (``credits_used`` per
    product; by default all held service credits, and no held support hours since time entries already
    drew on them) and releases the rest; a closed task cannot be reopened."""
    require_staff(actor)
    try:
        new = TaskStatus(status)
    except ValueError:
        raise InvalidInput("Unknown status.") from None
    now = at or utcnow()
    with unit_of_work() as session:
        ticket = _lock_ticket(session, ticket_id)
        old = TaskStatus(ticket.status)
        if old is TaskStatus.closed and new is not TaskStatus.closed:
            raise Conflict("A closed task cannot be reopened; open a new one.")
        if old.is_open and not new.is_open:
            _settle_holds(session, actor, ticket, credits_used, now)
            ticket.closed_at = now
        if not old.is_open and new.is_open:
            ticket.closed_at = None
        ticket.status = new.value
        ticket.updated_at = now
        session.add(ticket)


def _settle_holds(session: Session, actor: Actor, ticket: Ticket, credits_used: dict[str, int] | None,
                  at: datetime) -> None:
    holds = list(session.exec(select(CreditHold).where(CreditHold.ticket_id == ticket.id,
                                                       CreditHold.quantity > 0)).all())
    # A product the task does not hold is refused, not ignored: a misspelt code would otherwise
    # leave the held product at its default (all of it used).
    unknown = sorted(set(credits_used or {}) - {h.product_code for h in holds})
    if unknown:
        raise InvalidInput(f"Task {ticket.id} holds no {', '.join(unknown)}.")
    if not holds:
        return
    lot_ids = sorted({h.lot_id for h in holds})
    rows = {r.id: r for r in session.exec(select(CreditLot).where(CreditLot.id.in_(lot_ids))
                                          .order_by(CreditLot.id).with_for_update()).all()}
    chain = orgtree.ancestors(session, ticket.organization_id)
    specs = []
    for code in sorted({h.product_code for h in holds}):
        product_holds = {h.lot_id: h.quantity for h in holds if h.product_code == code}
        held = sum(product_holds.values())
        # Support hours held for a task were already drawn by its time entries (they use the hold
        # first), so by default what is still held is released; other credits are used in full.
        default = 0 if code == HOURS else held
        used = default if credits_used is None or code not in credits_used else credits_used[code]
        if isinstance(used, bool) or not isinstance(used, int) or not 0 <= used <= held:
            raise InvalidInput(f"Credits used for {code} must be between 0 and {held}.")
        specs += rules.settle_holds({i: store.to_domain(rows[i]) for i in product_holds}, product_holds,
                                    org_id=ticket.organization_id, ancestors=chain, used=used, at=at,
                                    ticket_id=ticket.id, category=ticket.category)
    store.write_entries(session, rows, specs, actor.user_id)


def _lock_hours(session: Session, org_id: int, chain: list[int], at: datetime,
                also: Collection[int] = ()) -> list[CreditLot]:
    """The support-hours lots a draw for ``org_id`` may use at ``at``, and the lots ``also`` (those a
    correction gives back to), locked by one statement in id order.

    Every writer locks lots in id order, so two never wait for each other (PostgreSQL); a second
    statement for the give-back lots would break the order and deadlock against a concurrent draw.
    On SQLite the writing unit of work already holds the database's write lock.
    """
    usable = and_(CreditLot.product_code == HOURS, store.usable_lots_filter(org_id, chain),
                  CreditLot.remaining > CreditLot.held, CreditLot.granted_at <= at,
                  or_(CreditLot.expires_at.is_(None), CreditLot.expires_at > at))
    where = or_(usable, CreditLot.id.in_(sorted(also))) if also else usable
    return list(session.exec(select(CreditLot).where(where).order_by(CreditLot.id).with_for_update()
                             .execution_options(populate_existing=True)).all())


def _hours_held(session: Session, ticket_id: int) -> dict[int, int]:
    """Lot id -> support hours held for the ticket."""
    return dict(session.exec(select(CreditHold.lot_id, CreditHold.quantity).where(
        CreditHold.ticket_id == ticket_id, CreditHold.product_code == HOURS, CreditHold.quantity > 0)).all())


def _draw_hours(session: Session, actor: Actor, ticket: Ticket, entry: TimeEntry, minutes: int, at: datetime,
                rows: list[CreditLot], holds: dict[int, int]) -> None:
    """Draws what prepaid hours cover of ``minutes`` for ``entry``; sets its split and price.

    The ticket's own held hours come first, then free hours in the consumption order. ``rows``: the
    lots locked by ``_lock_hours`` (including the held ones).
    """
    org = session.get(Organization, ticket.organization_id)
    chain = orgtree.ancestors(session, org.id)
    by_id = {r.id: r for r in rows}
    from_holds = rules.use_holds({i: store.to_domain(by_id[i]) for i in holds}, holds, org_id=org.id,
                                 ancestors=chain, quantity=minutes, at=at, ticket_id=ticket.id,
                                 category=ticket.category)
    store.write_entries(session, by_id, from_holds, actor.user_id, time_entry_id=entry.id)
    held_used = sum(spec.quantity for spec in from_holds)
    lots = [store.to_domain(r) for r in rows]
    available = available_to(lots, org_id=org.id, ancestors=chain, product=HOURS, at=at)
    split = split_time(minutes - held_used, available)
    if split.prepaid_minutes:
        names = orgtree.names(session, {r.holder_org_id for r in rows})
        specs = rules.consume(lots, org_id=org.id, ancestors=chain, product=HOURS, quantity=split.prepaid_minutes,
                              at=at, category=ticket.category, ticket_id=ticket.id,
                              explain=lambda c: explain(c, names.get(c.lot.holder_org_id)))
        store.write_entries(session, by_id, specs, actor.user_id, time_entry_id=entry.id)
    entry.minutes = minutes
    entry.prepaid_minutes = held_used + split.prepaid_minutes
    entry.payg_minutes = split.payg_minutes
    entry.hourly_rate_minor = org.hourly_rate_minor
    entry.currency = org.currency
    entry.payg_amount_minor = payg_amount(split.payg_minutes, org.hourly_rate_minor)


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
    at = at or utcnow()
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
        session.add(entry)
        session.flush()
        holds = _hours_held(session, ticket.id)
        chain = orgtree.ancestors(session, ticket.organization_id)
        rows = _lock_hours(session, ticket.organization_id, chain, at, also=holds)
        _draw_hours(session, actor, ticket, entry, minutes, at, rows, holds)
        session.add(entry)
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
    at = at or utcnow()
    note = _validate(minutes, note, work_date, formats.local_date(at, actor.time_zone))
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("Say why the entry is corrected (it is kept in the audit trail).")
    with unit_of_work() as session:
        entry = session.exec(select(TimeEntry).where(TimeEntry.id == entry_id).with_for_update()
                             .execution_options(populate_existing=True)).first()
        if entry is None:
            raise NotFound(f"Unknown time entry {entry_id}.")
        if entry.billed_invoice_id is not None:
            raise Conflict("This time entry is billed and can no longer change.")
        ticket = _lock_ticket(session, entry.ticket_id)
        session.add(TimeEntryRevision(time_entry_id=entry.id, changed_by_user_id=actor.user_id or None,
                                      changed_by_name=actor.full_name or actor.email, changed_at=at,
                                      reason=reason[:500], old_work_date=entry.work_date, old_minutes=entry.minutes,
                                      old_note=entry.note, new_work_date=work_date, new_minutes=minutes,
                                      new_note=note))
        owed = _owed(session, entry)
        holds = _hours_held(session, ticket.id)
        rows = _lock_hours(session, ticket.organization_id, orgtree.ancestors(session, ticket.organization_id), at,
                           also=set(owed) | set(holds))
        _give_back(session, actor, ticket, entry, owed, {r.id: r for r in rows}, at)
        ticket.minutes_logged += minutes - entry.minutes
        _draw_hours(session, actor, ticket, entry, minutes, at, rows, holds)
        entry.work_date, entry.note, entry.updated_at = work_date, note, at
        ticket.updated_at = at
        session.add_all([entry, ticket])
        session.flush()
        return time_entry_public(entry, revisions=_revision_count(session, entry.id))


def _revision_count(session: Session, entry_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(TimeEntryRevision)
                            .where(TimeEntryRevision.time_entry_id == entry_id)).one())


def _owed(session: Session, entry: TimeEntry) -> dict[int, int]:
    """Lot id -> what the entry drew from it and has not had back yet."""
    taken = dict(session.exec(select(LedgerEntry.lot_id, func.sum(LedgerEntry.quantity))
                              .where(LedgerEntry.time_entry_id == entry.id, LedgerEntry.kind == "consume")
                              .group_by(LedgerEntry.lot_id)).all())
    returned = dict(session.exec(select(LedgerEntry.lot_id, func.sum(LedgerEntry.quantity))
                                 .where(LedgerEntry.time_entry_id == entry.id, LedgerEntry.kind == "refund")
                                 .group_by(LedgerEntry.lot_id)).all())
    owed = {lot_id: int(q) - int(returned.get(lot_id, 0)) for lot_id, q in taken.items()}
    return {lot_id: q for lot_id, q in owed.items() if q > 0}


def _give_back(session: Session, actor: Actor, ticket: Ticket, entry: TimeEntry, owed: dict[int, int],
               rows: dict[int, CreditLot], at: datetime) -> None:
    """Refunds, lot by lot, what the entry drew and has not had back yet (``rows``: locked lots)."""
    if not owed:
        return
    specs = []
    for lot_id, quantity in sorted(owed.items()):
        specs += rules.refund(store.to_domain(rows[lot_id]), quantity, org_id=ticket.organization_id, at=at,
                              ticket_id=ticket.id, category=ticket.category,
                              reason=f"given back: time entry #{entry.id} corrected")
    store.write_entries(session, rows, specs, actor.user_id, time_entry_id=entry.id)
