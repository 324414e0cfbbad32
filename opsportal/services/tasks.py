"""Support tasks as customers see them: open a ticket, follow it, comment on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Boolean, case, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import time_signoff as signoff_rules
from opsportal.domain.tasks import (
    CLOSED_STATUSES,
    COMMENT_MAX,
    OPEN_STATUSES,
    Priority,
    TaskStatus,
    ticket_problems,
)
from opsportal.domain.ticket_updates import UpdateKind
from opsportal.models import Ticket, TicketComment, TimeEntry, User
from opsportal.services import portal_notifications, signoff_store, sla, ticket_updates
from opsportal.services.authz import Actor, require_view_organization, require_visible
from opsportal.services.changes import task_topic
from opsportal.services.errors import Conflict, InvalidInput
from opsportal.services.orgtree import require_org
from opsportal.services.pagination import Page, clamp

# Runs inside a use case's transaction with the new ticket (and comment): stores what comes with it.
Attach = Callable[[Session, Ticket, TicketComment | None], None]
TASK_NOT_FOUND = "That task was not found or you do not have access to it."
MAX_TASK_ID = 2**31 - 1  # ticket.id is a 32-bit integer
# A task page holds a window, not the whole task: the latest comments (widened a step at a time, up to a bound)
# and one page of time entries.
COMMENT_WINDOW = 50
MAX_COMMENT_WINDOW = 500
ENTRY_PAGE_SIZE = 25
SORTS = {
    "updated": lambda: (Ticket.updated_at.desc(), Ticket.id.desc()),
    "created": lambda: (Ticket.created_at.desc(), Ticket.id.desc()),
    "oldest": lambda: (Ticket.created_at.asc(), Ticket.id.asc()),
    "time": lambda: (Ticket.minutes_logged.desc(), Ticket.id.desc()),
    "title": lambda: (Ticket.title.asc(), Ticket.id.asc()),
    # Time to breach: the next running service-level target first (ix_ticket_sla_due), untimed tickets last.
    "breach": lambda: (Ticket.sla_due_at.asc().nulls_last(), Ticket.id.asc()),
}


class InvalidTicket(InvalidInput):
    """A ticket form with problems; ``problems`` maps each field to its message."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(" ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class TaskRow:
    id: int
    organization: str
    title: str
    status: str
    status_label: str
    category: str
    priority: str
    agent: str | None
    minutes_logged: int
    updated_at: datetime


@dataclass(frozen=True)
class CommentPublic:
    id: int
    author: str
    from_staff: bool
    body: str
    created_at: datetime


@dataclass(frozen=True)
class TimeEntryPublic:
    id: int
    work_date: date
    agent: str
    minutes: int
    prepaid_minutes: int
    payg_minutes: int
    payg_amount_minor: int
    currency: str
    after_hours: bool
    note: str
    billed: bool
    paid_by: str  # "Prepaid hours", "Pay-as-you-go", "Prepaid hours + pay-as-you-go" or "Written off"
    revisions: int
    # Written off after a dispute: counts as neither prepaid nor pay-as-you-go time (its split reads 0 and 0).
    written_off: bool = False


@dataclass(frozen=True)
class TimeTotals:
    """A task's logged time over all its entries, summed in SQL; pay-as-you-go value per currency."""

    minutes: int = 0
    prepaid_minutes: int = 0
    payg_minutes: int = 0
    payg_amount_by_currency: tuple[tuple[str, int], ...] = ()  # (currency, minor units), by currency
    written_off_minutes: int = 0  # counted in ``minutes``, in neither prepaid nor pay-as-you-go


@dataclass(frozen=True)
class TaskDetail:
    """A task with a bounded window of it: the latest ``comments`` (oldest of the window first) and one page of
    ``time_entries`` (newest first); the counts and ``totals`` cover the whole task."""

    row: TaskRow
    organization_id: int
    description: str
    created_at: datetime
    created_by: str | None
    comments: list[CommentPublic]
    time_entries: list[TimeEntryPublic]
    assigned_agent_id: int | None = None
    comment_count: int = 0
    entry_page: int = 1
    entry_pages: int = 1
    entry_total: int = 0
    totals: TimeTotals = TimeTotals()


def paid_by(prepaid: int, payg: int, written_off: bool = False) -> str:
    return signoff_rules.paid_by(prepaid, payg, written_off)


def _row(ticket: Ticket, agent: str | None, organization: str) -> TaskRow:
    status = TaskStatus(ticket.status)
    return TaskRow(id=ticket.id, organization=organization, title=ticket.title, status=status.value,
                   status_label=status.label, category=ticket.category, priority=ticket.priority, agent=agent,
                   minutes_logged=ticket.minutes_logged, updated_at=ticket.updated_at)


def create_ticket(actor: Actor, *, subject: str, category: str, priority: str, description: str,
                  organization_id: int | None = None, at: datetime | None = None,
                  attach: Attach | None = None) -> TaskRow:
    """Any user of an organization (or staff, for one) opens a ticket.

    ``attach(session, ticket, None)`` runs in the same transaction once the ticket has its id (services.attachments
    stores the files sent with it there)."""
    org_id = organization_id if organization_id is not None else actor.organization_id
    if org_id is None:
        raise InvalidInput("Choose the organization the ticket is for.")
    require_view_organization(actor, org_id)
    problems = ticket_problems(subject, category, priority, description)
    if problems:
        raise InvalidTicket(problems)
    now = at or clock.now()
    with unit_of_work() as session:
        org = require_org(session, org_id)
        ticket = Ticket(organization_id=org_id, title=" ".join(subject.split()), category=category,
                        priority=Priority(priority).value, description=description.strip(),
                        created_by_user_id=actor.user_id or None, status=TaskStatus.open.value,
                        created_at=now, updated_at=now)
        session.add(ticket)
        session.flush()
        sla.start(session, ticket, now)
        if attach is not None:
            attach(session, ticket, None)
        return _row(ticket, None, org.name)


def task_filters(*, organization_id: int | None, tab: str, search: str, status: str, category: str) -> list:
    filters = []
    if organization_id is not None:
        filters.append(Ticket.organization_id == organization_id)
    if tab == "open":
        filters.append(Ticket.status.in_([s.value for s in OPEN_STATUSES]))
    elif tab == "closed":
        filters.append(Ticket.status.in_([s.value for s in CLOSED_STATUSES]))
    if status:
        filters.append(Ticket.status == TaskStatus(status).value)
    if category:
        filters.append(Ticket.category == category)
    text = search.strip()
    if text:
        number = text.lstrip("#")
        condition = contains_ignoring_case(Ticket.title, f"%{_escape_like(text)}%")
        # ASCII digits only ("²" is a digit int() refuses), and no more than an id column holds.
        if number.isascii() and number.isdigit() and int(number) <= MAX_TASK_ID:
            condition = or_(condition, Ticket.id == int(number))
        filters.append(condition)
    return filters


class contains_ignoring_case(FunctionElement):  # noqa: N801 - used like a SQL function
    """``column`` matches the LIKE ``pattern`` (escaped with backslashes) in any case.

    PostgreSQL: ILIKE (served by the trigram index on ticket titles). SQLite: plain LIKE, which
    already ignores the case of ASCII letters, exactly as the ``lower(x) LIKE lower(y)`` SQLAlchemy
    writes for ILIKE does (SQLite's lower() folds ASCII only), at less than half the cost per row.
    """

    type = Boolean()
    inherit_cache = True
    name = "contains_ignoring_case"


@compiles(contains_ignoring_case)
def _contains_ignoring_case(element, compiler, **kw):
    column, pattern = element.clauses
    return compiler.process(column.ilike(pattern, escape="\\"), **kw)


@compiles(contains_ignoring_case, "sqlite")
def _contains_ignoring_case_sqlite(element, compiler, **kw):
    column, pattern = element.clauses
    return compiler.process(column.like(pattern, escape="\\"), **kw)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# One named alias for every query: a new anonymous alias per call would make each statement new to
# SQLAlchemy's compiled-statement cache, and compiling the SELECT again cost more than running it.
_AGENT = aliased(User, name="assigned_agent")


def page_of_tasks(session: Session, filters: list, *, sort: str, page: int, page_size: int) -> Page[TaskRow]:
    from opsportal.models import Organization

    page, page_size = clamp(page, page_size)
    order = SORTS.get(sort, SORTS["updated"])()
    agent = _AGENT
    total = session.exec(select(func.count()).select_from(Ticket).where(*filters)).one()
    # The page's ids first (from an index alone for the default order, however late the page), then
    # only those rows: an OFFSET over whole rows would read every skipped task (bench/tasks.py).
    ids = (select(Ticket.id).where(*filters).order_by(*order).offset((page - 1) * page_size).limit(page_size)
           .subquery())
    rows = session.exec(
        select(Ticket, agent.full_name, Organization.name)
        .join(ids, ids.c.id == Ticket.id)
        .outerjoin(agent, agent.id == Ticket.assigned_agent_id)
        .join(Organization, Organization.id == Ticket.organization_id)
        .order_by(*order)
    ).all()
    return Page(items=[_row(t, a, o) for t, a, o in rows], page=page, page_size=page_size, total=int(total))


def list_tasks(actor: Actor, organization_id: int, *, tab: str = "open", search: str = "", status: str = "",
               category: str = "", sort: str = "updated", page: int = 1, page_size: int = 20) -> Page[TaskRow]:
    """One page of an organization's tasks, filtered and sorted."""
    require_view_organization(actor, organization_id)
    try:
        filters = task_filters(organization_id=organization_id, tab=tab, search=search[:100], status=status,
                               category=category)
    except ValueError:
        raise InvalidInput("Unknown status.") from None
    with unit_of_work(write=False) as session:
        return page_of_tasks(session, filters, sort=sort, page=page, page_size=page_size)


def _load_visible(session: Session, actor: Actor, ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    require_visible(actor, ticket.organization_id if ticket is not None else None, TASK_NOT_FOUND)
    return ticket


def time_entry_public(entry: TimeEntry, revisions: int = 0, *, written_off: bool = False) -> TimeEntryPublic:
    prepaid, payg = signoff_rules.counted_split(entry.prepaid_minutes, entry.payg_minutes, written_off)
    return TimeEntryPublic(id=entry.id, work_date=entry.work_date, agent=entry.agent_name, minutes=entry.minutes,
                           prepaid_minutes=prepaid, payg_minutes=payg,
                           payg_amount_minor=0 if written_off else entry.payg_amount_minor, currency=entry.currency,
                           after_hours=entry.after_hours, note=entry.note,
                           billed=entry.billed_invoice_id is not None,
                           paid_by=paid_by(prepaid, payg, written_off), revisions=revisions, written_off=written_off)


def comment_window(size: int) -> int:
    """How many of the latest comments a page may ask for: 1..MAX_COMMENT_WINDOW."""
    return min(MAX_COMMENT_WINDOW, max(1, int(size)))


def _time_totals(session: Session, ticket_id: int) -> tuple[TimeTotals, int]:
    """The task's time over all its entries and how many there are: one aggregate query."""
    written_off = signoff_store.written_off_clause()
    rows = session.exec(
        select(TimeEntry.currency, func.count(), func.sum(TimeEntry.minutes), func.sum(TimeEntry.prepaid_minutes),
               func.sum(signoff_store.counted_payg_minutes()), func.sum(signoff_store.counted_payg_amount()),
               func.sum(case((written_off, TimeEntry.minutes), else_=0)))
        .where(TimeEntry.ticket_id == ticket_id).group_by(TimeEntry.currency).order_by(TimeEntry.currency)).all()
    totals = TimeTotals(minutes=sum(int(r[2] or 0) for r in rows), prepaid_minutes=sum(int(r[3] or 0) for r in rows),
                        payg_minutes=sum(int(r[4] or 0) for r in rows),
                        payg_amount_by_currency=tuple((r[0], int(r[5] or 0)) for r in rows if r[5]),
                        written_off_minutes=sum(int(r[6] or 0) for r in rows))
    return totals, sum(int(r[1]) for r in rows)


def get_task(actor: Actor, ticket_id: int, *, comments: int = COMMENT_WINDOW, entry_page: int = 1,
             entry_page_size: int = ENTRY_PAGE_SIZE, load=None) -> TaskDetail:
    """A task with its latest ``comments`` comments and one page of its time entries (newest first).

    ``load(session, actor, ticket_id)`` finds the task and decides who may read it (default: its own organization
    and staff; ``services.rollup`` passes the parent-company roll-up's read-only rule).

    Out-of-range windows and pages are clamped (a page past the end is the last page), never refused.
    """
    from opsportal.models import Organization, TimeEntryRevision

    window = comment_window(comments)
    entry_page, entry_page_size = clamp(entry_page, entry_page_size)
    with unit_of_work(write=False) as session:
        ticket = (load or _load_visible)(session, actor, ticket_id)
        org = session.get(Organization, ticket.organization_id)
        names = dict(session.exec(select(User.id, User.full_name).where(
            User.id.in_([i for i in (ticket.assigned_agent_id, ticket.created_by_user_id) if i]))).all())
        comment_count = session.exec(select(func.count()).select_from(TicketComment)
                                     .where(TicketComment.ticket_id == ticket_id)).one()
        latest = session.exec(select(TicketComment).where(TicketComment.ticket_id == ticket_id)
                              .order_by(TicketComment.id.desc()).limit(window)).all()
        totals, entry_total = _time_totals(session, ticket_id)
        shape = Page(items=[], page=entry_page, page_size=entry_page_size, total=entry_total)
        entry_page = min(entry_page, shape.pages)
        entries = session.exec(select(TimeEntry).where(TimeEntry.ticket_id == ticket_id)
                               .order_by(TimeEntry.work_date.desc(), TimeEntry.id.desc())
                               .offset((entry_page - 1) * entry_page_size).limit(entry_page_size)).all()
        revisions = dict(session.exec(
            select(TimeEntryRevision.time_entry_id, func.count())
            .where(TimeEntryRevision.time_entry_id.in_([e.id for e in entries]))
            .group_by(TimeEntryRevision.time_entry_id)).all()) if entries else {}
        written_off = signoff_store.written_off_among(session, [e.id for e in entries])
        return TaskDetail(
            row=_row(ticket, names.get(ticket.assigned_agent_id), org.name),
            organization_id=ticket.organization_id,
            description=ticket.description,
            created_at=ticket.created_at,
            created_by=names.get(ticket.created_by_user_id),
            comments=[CommentPublic(id=c.id, author=c.author_name, from_staff=c.from_staff, body=c.body,
                                    created_at=c.created_at) for c in reversed(latest)],
            time_entries=[time_entry_public(e, revisions.get(e.id, 0), written_off=e.id in written_off)
                          for e in entries],
            assigned_agent_id=ticket.assigned_agent_id,
            comment_count=int(comment_count),
            entry_page=entry_page,
            entry_pages=shape.pages,
            entry_total=entry_total,
            totals=totals,
        )


def change_topics(actor: Actor, ticket_id: int) -> list[str]:
    """What an open page of the task follows on the change feed (refused like the task itself)."""
    with unit_of_work(write=False) as session:
        return [task_topic(_load_visible(session, actor, ticket_id).id)]


def add_comment(actor: Actor, ticket_id: int, body: str, *, at: datetime | None = None,
                attach: Attach | None = None) -> CommentPublic:
    """``attach(session, ticket, comment)``: as in ``create_ticket``; a comment with files may have no text."""
    text = (body or "").strip()
    if not text and attach is None:
        raise InvalidInput("Write a comment first.")
    if len(text) > COMMENT_MAX:
        raise InvalidInput(f"Keep a comment under {COMMENT_MAX:,} characters.")
    now = at or clock.now()
    with unit_of_work() as session:
        ticket = _load_visible(session, actor, ticket_id)
        if ticket.status == TaskStatus.closed.value:
            raise Conflict("This task is closed: submit a new ticket to continue.")
        comment = TicketComment(ticket_id=ticket.id, author_user_id=actor.user_id or None,
                                author_name=actor.full_name or actor.email, from_staff=actor.is_staff, body=text,
                                created_at=now)
        session.add(comment)
        ticket.updated_at = now
        if not actor.is_staff and ticket.status == TaskStatus.waiting_on_customer.value:
            ticket.status = TaskStatus.open.value  # the customer answered
            sla.sync_status(session, ticket, now)
        session.add(ticket)
        session.flush()
        if attach is not None:
            attach(session, ticket, comment)
        if actor.is_staff:
            sla.record_reply(session, ticket, now)
            ticket_updates.announce(session, ticket, kind=UpdateKind.reply, text=text, actor_user_id=actor.user_id,
                                    actor_name=comment.author_name, from_staff=True, at=now,
                                    comment_id=comment.id)
        else:  # the assigned agent's bell
            portal_notifications.tell_assigned_agent(session, ticket, text=text, author_name=comment.author_name,
                                                     actor_user_id=actor.user_id, at=now)
        return CommentPublic(id=comment.id, author=comment.author_name, from_staff=comment.from_staff,
                             body=comment.body, created_at=comment.created_at)
