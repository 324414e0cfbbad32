"""The change feed's writing side: every committed change of what open pages show becomes a ``change_event`` row.

Session hooks collect, from what a transaction flushes, the organizations and tasks it touched (``org:<id>``,
``task:<id>``) and the users whose notification list changed (``user:<id>``), and write them in the same
transaction, so the feed carries exactly what committed, whichever process committed it (a backend worker,
another host, the CLI, cron). Each backend process follows the table from one watcher (``state.feed``) and wakes
only the tabs that show a changed topic; a commit in the process itself pokes its watcher at once (``on_commit``),
and with Redis configured every commit is announced on the
``POKE_CHANNEL`` so the other processes' watchers read at once too instead of at their next poll.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from itertools import chain

import redis
from sqlalchemy import delete, event, func, insert, inspect, select
from sqlalchemy.orm import Session

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.models import (
    ChangeEvent,
    CreditHold,
    CreditLot,
    IncidentRequest,
    Invoice,
    LedgerEntry,
    Organization,
    OrgExtraRegion,
    OrgSupportProfile,
    Payment,
    PlanEntitlement,
    PortalNotification,
    ProductLicence,
    ProductRelease,
    ProductVersion,
    ServiceSubscription,
    SoftwareProduct,
    Ticket,
    TicketComment,
    TimeEntry,
    TimeReview,
    User,
)
from opsportal.settings import get_settings

log = logging.getLogger(__name__)
POKE_CHANNEL = "opsportal:changes"

# How long rows stay: a process that falls further behind than this has restarted, and a restarted process
# starts from the newest row (its tabs read their pages afresh when they reconnect).
KEEP = timedelta(minutes=10)
_FOUND = "opsportal_changes"
_WRITTEN = "opsportal_changes_written"
# What open pages show of each table: the rows' organizations and tasks. Other tables (sessions, deliveries,
# audit) change nothing a customer's open page shows.
_ORG_FIELDS = {
    Ticket: ("organization_id",), TicketComment: (), TimeEntry: ("organization_id",),
    LedgerEntry: ("org_id",), CreditHold: ("org_id",), CreditLot: ("holder_org_id", "assigned_org_id"),
    Invoice: ("organization_id",), Payment: ("organization_id",), PlanEntitlement: ("organization_id",),
    IncidentRequest: ("organization_id",), OrgSupportProfile: ("organization_id",),
    OrgExtraRegion: ("organization_id",), ServiceSubscription: ("organization_id",),
    Organization: ("id", "parent_id"),  # a parent's page lists its subsidiaries
    TimeReview: ("organization_id",),  # time sign-off
    ProductLicence: ("organization_id",),  # its Products and Downloads pages
}
# The software catalog every open Products and Downloads page shows (a new release, a renamed version, new
# lifecycle days): one topic all of them follow.
CATALOG_TOPIC = "catalog"
_CATALOG = (SoftwareProduct, ProductVersion, ProductRelease)
# A user row changes what an organization's pages show (its members by role) only through these; a sign-in, which
# writes the user's last sign-in time, changes nothing shown.
_MEMBERSHIP = ("role", "organization_id", "is_active", "full_name")
_committed_listeners: list[Callable[[frozenset[str]], None]] = []


# The support team's dispute queue (``/staff/disputes``): a time entry was disputed, answered or corrected.
DISPUTES_TOPIC = "disputes"
# Support phone numbers and regions' business hours (``/staff/support``): every customer's Contact support page.
SUPPORT_LINES_TOPIC = "support-lines"


def org_topic(org_id: int) -> str:
    return f"org:{org_id}"


def task_topic(task_id: int) -> str:
    return f"task:{task_id}"


def user_topic(user_id: int) -> str:
    """One user's own things (their notification list): only that user's tabs follow it."""
    return f"user:{user_id}"


def topics_of(row: object, *, added_or_deleted: bool = True) -> set[str]:
    """The topics a changed row belongs to (empty for tables no open page shows)."""
    if isinstance(row, User):
        return _membership_topics(row, added_or_deleted)
    if isinstance(row, PortalNotification):  # the user's badge, never the organization's or the task's pages
        return {user_topic(row.user_id)} if row.user_id else set()
    if isinstance(row, _CATALOG):
        return {CATALOG_TOPIC}
    fields = _ORG_FIELDS.get(type(row))
    if fields is None:
        return set()
    found = {org_topic(v) for v in (getattr(row, f, None) for f in fields) if v}
    task_id = row.id if isinstance(row, Ticket) else getattr(row, "ticket_id", None)
    if task_id:
        found.add(task_topic(task_id))
    return found


def _membership_topics(user: User, added_or_deleted: bool) -> set[str]:
    state = inspect(user)
    if not added_or_deleted and not any(state.attrs[name].history.has_changes() for name in _MEMBERSHIP):
        return set()
    orgs = {user.organization_id, *state.attrs.organization_id.history.deleted}
    return {org_topic(o) for o in orgs if o}


def on_commit(listener: Callable[[frozenset[str]], None]) -> None:
    """Calls ``listener(topics)`` (from the committing thread) after each commit in this process that changed
    ``topics``."""
    _committed_listeners.append(listener)


@cache
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def _poke_other_processes(_topics: frozenset[str] = frozenset()) -> None:
    url = get_settings().redis_url
    if not url:
        return
    try:
        _redis(url).publish(POKE_CHANNEL, b"1")
    except redis.RedisError:  # the watchers' own polling still finds the change
        log.debug("change feed: could not announce a commit on Redis", exc_info=True)


on_commit(_poke_other_processes)


def mark(session: Session, *topics: str) -> None:
    """Records ``topics`` as changed by the session's transaction: for writes that bypass the ORM's unit of work
    (``update()``/``insert()`` statements), which the flush hook cannot see."""
    session.info.setdefault(_FOUND, set()).update(topics)


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _flush_context) -> None:
    found = session.info.setdefault(_FOUND, set())
    for row in chain(session.new, session.deleted):
        found |= topics_of(row)
    for row in session.dirty:
        found |= topics_of(row, added_or_deleted=False)


@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    session.flush()  # what is still pending is collected too
    found = session.info.pop(_FOUND, None)
    if found:
        at = clock.now()
        session.connection().execute(insert(ChangeEvent), [{"topic": t, "at": at} for t in sorted(found)])
        session.info[_WRITTEN] = frozenset(found)


@event.listens_for(Session, "after_commit")
def _announce(session: Session) -> None:
    topics = session.info.pop(_WRITTEN, None)
    if topics:
        for listener in _committed_listeners:
            listener(topics)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_FOUND, None)
    session.info.pop(_WRITTEN, None)


# --- the reading side (one watcher per process calls these) ----------------------------------------------------------


def newest_id() -> int:
    """The id of the newest change (0 when there is none): a watcher that starts follows from here."""
    with unit_of_work(write=False) as session:
        return session.execute(select(func.max(ChangeEvent.id))).scalar() or 0


def since(after_id: int, *, limit: int = 5000) -> list[tuple[int, str]]:
    """Changes after ``after_id``, oldest first, at most ``limit`` of them: (id, topic)."""
    with unit_of_work(write=False) as session:
        rows = session.execute(select(ChangeEvent.id, ChangeEvent.topic).where(ChangeEvent.id > after_id)
                               .order_by(ChangeEvent.id).limit(limit)).all()
    return [(row.id, row.topic) for row in rows]


def prune(*, now: datetime | None = None) -> int:
    """Deletes changes older than ``KEEP``; returns how many."""
    cutoff = (now or clock.now()) - KEEP
    with unit_of_work() as session:
        return session.execute(delete(ChangeEvent).where(ChangeEvent.at < cutoff)).rowcount or 0
