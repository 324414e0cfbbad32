"""Service levels on tickets: setting the targets, keeping them as the ticket moves, and showing where they stand.

The rules (targets, the clock, pauses) are ``domain.sla``. The hooks here run inside the caller's transaction:
- ``start``: a ticket is opened (``tasks.create_ticket``);
- ``reschedule``: its priority changed (agent or customer): targets recomputed from the opening instant;
- ``record_reply``: a staff comment; the first one ends the first-response clock;
- ``sync_status``: after any status change: the resolution clock pauses while the ticket waits on the customer
  or is solved, and resumes when it is open again.
``ticket.sla_due_at`` is the next target still running (the queue's "time to breach" order, from an index).

Reads: ``task_sla`` (the customer's or agent's task page; another organization's ticket reads as missing) and
``queue_marks`` (the staff queue's near-breach and breached flags for one page of rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import sla as rules
from opsportal.domain.regions import Region
from opsportal.domain.sla import ClockMode, SlaClock, Standing
from opsportal.domain.sla_live import LiveTarget, capture
from opsportal.domain.tasks import TaskStatus
from opsportal.models import Ticket
from opsportal.services import plan_store
from opsportal.services.authz import Actor, require_staff, require_visible

TASK_NOT_FOUND = "That task was not found or you do not have access to it."
BEST_EFFORT = "Best effort: service-level targets come with Gold Support."


def _regions(session: Session) -> dict[str, Region]:
    return plan_store.regions(session)


def clock_of(ticket: Ticket) -> SlaClock | None:
    return SlaClock.parse(ticket.sla_clock) if ticket.sla_clock else None


def _refresh_next_due(ticket: Ticket) -> None:
    pending = []
    if ticket.first_response_due_at is not None and ticket.first_responded_at is None:
        pending.append(ticket.first_response_due_at)
    if ticket.resolution_due_at is not None and ticket.sla_paused_at is None:
        pending.append(ticket.resolution_due_at)
    ticket.sla_due_at = min(pending) if pending else None


def _set_targets(session: Session, ticket: Ticket, at: datetime) -> None:
    regions = _regions(session)
    plan = plan_store.org_plan(session, ticket.organization_id, at)
    found = rules.clock_for(plan, regions, ticket.priority, at) if plan is not None else None
    if found is not None and any(code not in regions for code in found.regions):
        found = None  # a region staff removed: no clock to count on
    ticket.sla_clock = found.key if found else None
    if found is None:
        ticket.first_response_due_at = ticket.resolution_due_at = None
    else:
        target = rules.target_for(ticket.priority)
        ticket.first_response_due_at = rules.add_business_minutes(found, regions, ticket.created_at,
                                                                  target.first_response)
        ticket.resolution_due_at = rules.resolution_due(found, regions, ticket.created_at, ticket.priority,
                                                        ticket.sla_paused_minutes)
    _refresh_next_due(ticket)
    session.add(ticket)


def start(session: Session, ticket: Ticket, at: datetime) -> None:
    """Sets a new ticket's targets from its organization's plan at ``at`` (its opening)."""
    ticket.sla_paused_minutes = 0
    ticket.sla_paused_at = None
    _set_targets(session, ticket, at)
    sync_status(session, ticket, at)


def reschedule(session: Session, ticket: Ticket, at: datetime) -> None:
    """After a priority change at ``at``: the targets of the new priority, counted from the ticket's opening on the
    plan in force now (a first response already given stays given; pauses so far still count)."""
    _set_targets(session, ticket, at)


def record_reply(session: Session, ticket: Ticket, at: datetime) -> None:
    """A staff comment at ``at``: the first one is the first response."""
    if ticket.first_responded_at is None:
        ticket.first_responded_at = at
        _refresh_next_due(ticket)
        session.add(ticket)


def sync_status(session: Session, ticket: Ticket, at: datetime) -> None:
    """After a status change at ``at``: pause the resolution clock while waiting on the customer or solved;
    resume it (its due instant pushed back by the paused business time) when the ticket is open again."""
    pausing = TaskStatus(ticket.status) in rules.PAUSED_STATUSES
    if pausing and ticket.sla_paused_at is None:
        ticket.sla_paused_at = at
    elif not pausing and ticket.sla_paused_at is not None:
        found = clock_of(ticket)
        if found is not None and ticket.resolution_due_at is not None:
            regions = _regions(session)
            # A pause that began after the target had passed does not undo the breach.
            if ticket.resolution_due_at > ticket.sla_paused_at:
                ticket.sla_paused_minutes += rules.business_minutes_between(found, regions, ticket.sla_paused_at, at)
            ticket.resolution_due_at = rules.resolution_due(found, regions, ticket.created_at, ticket.priority,
                                                            ticket.sla_paused_minutes)
        ticket.sla_paused_at = None
    _refresh_next_due(ticket)
    session.add(ticket)


# --- reading ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaLine:
    text: str  # "First response due by Tue 8 Dec, 10:00 CET", "Responded in 1 h 12 min"
    tone: str  # a Standing value: due, near, breached, paused, met, missed
    live: LiveTarget | None = None  # while the target runs: how the words follow the clock (domain.sla_live)


@dataclass(frozen=True)
class SlaView:
    ticket_id: int
    has_targets: bool
    policy: str  # "Targets for urgent tickets (Gold Support, EMEA business hours): ..." or the best-effort note
    first_response: SlaLine | None
    resolution: SlaLine | None


def _policy(found: SlaClock, priority: str) -> str:
    target = rules.target_for(priority)
    where = "around the clock" if found.mode is ClockMode.always else (
        f"{' + '.join(found.regions)} {found.mode.label}")
    return (f"Targets for {formats.label(priority).lower()} tickets, counted {where}: first response within "
            f"{rules.target_text(target.first_response, found)}, resolution within "
            f"{rules.target_text(target.resolution, found)}.")


def _minutes(found: SlaClock, regions: Mapping[str, Region], start: datetime, end: datetime) -> int:
    return rules.business_minutes_between(found, regions, start, end)


def view_of(ticket: Ticket, regions: Mapping[str, Region], now: datetime, time_zone: str | None, *,
            staff: bool = False) -> SlaView:
    """Where a ticket's targets stand at ``now``, worded for a reader in ``time_zone`` (the customer, or staff)."""
    found = clock_of(ticket)
    if found is None or ticket.first_response_due_at is None or ticket.resolution_due_at is None:
        first = None
        if ticket.first_responded_at is not None:
            minutes = max(0, int((ticket.first_responded_at - ticket.created_at).total_seconds()) // 60)
            first = SlaLine(f"Responded in {formats.duration(minutes)}", Standing.met.value)
        return SlaView(ticket.id, False, BEST_EFFORT, first, None)

    def due_text(what: str, due: datetime) -> str:
        return f"{what} due by {formats.weekday_clock(due, time_zone)}"

    # First response.
    due = ticket.first_response_due_at
    done = ticket.first_responded_at
    left = _minutes(found, regions, now, due)
    state = rules.standing(due, done, now=now, left_minutes=left)
    if done is not None:
        text = f"Responded in {formats.duration(_minutes(found, regions, ticket.created_at, done))}"
        if state is Standing.missed:
            text += f", {formats.duration(_minutes(found, regions, due, done))} after the target"
    elif state is Standing.breached:
        text = f"First response overdue by {formats.duration(_minutes(found, regions, due, now))}"
    else:
        text = due_text("First response", due)
    first = SlaLine(text, state.value, None if done is not None else capture(
        found, regions, what="First response", style="by", due=due, since=now,
        due_words=due_text("First response", due)))

    # Resolution.
    due = ticket.resolution_due_at
    solved = TaskStatus(ticket.status) in rules.SOLVED_STATUSES
    done = ticket.sla_paused_at if solved else None
    paused = ticket.sla_paused_at if not solved else None
    left = _minutes(found, regions, now, due)
    state = rules.standing(due, done, now=now, paused_at=paused, left_minutes=left)
    if done is not None:
        took = _minutes(found, regions, ticket.created_at, done) - ticket.sla_paused_minutes
        text = f"Resolved in {formats.duration(max(0, took))}"
        if state is Standing.missed:
            text += f", {formats.duration(_minutes(found, regions, due, done))} after the target"
    elif state is Standing.breached:
        text = f"Resolution overdue by {formats.duration(_minutes(found, regions, due, paused or now))}"
    elif state is Standing.paused:
        text = (f"Resolution clock paused while waiting on {'the customer' if staff else 'you'} "
                f"({formats.duration(_minutes(found, regions, paused, due))} left)")
    else:
        text = due_text("Resolution", due)
    live = None if done is not None or paused is not None else capture(
        found, regions, what="Resolution", style="by", due=due, since=now, due_words=due_text("Resolution", due))
    return SlaView(ticket.id, True, _policy(found, ticket.priority), first, SlaLine(text, state.value, live))


def task_sla(actor: Actor, ticket_id: int, *, at: datetime | None = None) -> SlaView:
    """A ticket's service levels for its task page (another organization's ticket reads as missing)."""
    now = at or clock.now()
    with unit_of_work(write=False) as session:
        ticket = session.get(Ticket, ticket_id)
        require_visible(actor, ticket.organization_id if ticket is not None else None, TASK_NOT_FOUND)
        return view_of(ticket, _regions(session), now, actor.time_zone, staff=actor.is_staff)


@dataclass(frozen=True)
class QueueMark:
    text: str  # "Response due in 40 min", "Resolution overdue by 2 h", "" when nothing runs
    tone: str  # "due", "near", "breached", "paused" or "" (no targets)
    live: LiveTarget | None = None  # while a target runs: how the words follow the clock (domain.sla_live)


def mark_of(ticket: Ticket, regions: Mapping[str, Region], now: datetime) -> QueueMark:
    """The queue's word on a ticket: its next running target and how far it is from breach."""
    found = clock_of(ticket)
    if found is None:
        return QueueMark("No SLA", "")
    due = ticket.sla_due_at
    if due is None:
        if ticket.sla_paused_at is not None and TaskStatus(ticket.status) not in rules.SOLVED_STATUSES:
            return QueueMark("Resolution paused", Standing.paused.value)
        return QueueMark("", "")
    what = "Response" if due == ticket.first_response_due_at and ticket.first_responded_at is None else "Resolution"
    live = capture(found, regions, what=what, style="in", due=due, since=now)
    if due <= now:
        return QueueMark(f"{what} overdue by {formats.duration(_minutes(found, regions, due, now))}",
                         Standing.breached.value, live)
    left = _minutes(found, regions, now, due)
    tone = Standing.near if left < rules.NEAR_BREACH_MINUTES else Standing.due
    return QueueMark(f"{what} due in {formats.duration(left)}", tone.value, live)


def queue_marks(actor: Actor, ticket_ids: list[int], *, at: datetime | None = None) -> dict[int, QueueMark]:
    """Ticket id -> its mark, for one page of the staff queue."""
    require_staff(actor)
    now = at or clock.now()
    if not ticket_ids:
        return {}
    with unit_of_work(write=False) as session:
        regions = _regions(session)
        tickets = session.exec(select(Ticket).where(Ticket.id.in_(ticket_ids[:200]))).all()
        return {t.id: mark_of(t, regions, now) for t in tickets}
