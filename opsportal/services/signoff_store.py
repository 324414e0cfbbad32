"""Time sign-off's SQL, shared by the customer's review, the staff's disputes, the billing run and the scheduled
job: which entries are billable, and approving automatically what nobody disputed by the deadline."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import insert, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import time_signoff as rules
from opsportal.models import TimeEntry, TimeReview
from opsportal.services.authz import Actor, require_staff
from opsportal.settings import get_settings


def signoff_days() -> int:
    return get_settings().signoff_days


def billable_entry_ids():
    """A subquery: the ids of time entries whose review makes them billable (``domain.time_signoff.BILLABLE``)."""
    return select(TimeReview.time_entry_id).where(TimeReview.state.in_([s.value for s in rules.BILLABLE]))


def auto_approve_in_session(session: Session, today: date, at: datetime, *, organization_id: int | None = None,
                            days: int | None = None) -> int:
    """Stores ``auto_approved`` for every entry nobody reviewed whose sign-off deadline passed before ``today``
    (one organization's, or all); returns how many. Running it again, or twice at once, adds nothing."""
    cutoff = rules.auto_approval_cutoff(today, signoff_days() if days is None else days)
    if cutoff is None:  # pragma: no cover - see auto_approval_cutoff
        return 0
    unreviewed = (select(TimeEntry.id, TimeEntry.organization_id, literal(rules.ReviewState.auto_approved.value),
                         literal(at, TimeReview.__table__.c.reviewed_at.type))
                  .where(TimeEntry.work_date <= cutoff,
                         TimeEntry.id.not_in(select(TimeReview.time_entry_id))))
    if organization_id is not None:
        unreviewed = unreviewed.where(TimeEntry.organization_id == organization_id)
    columns = ["time_entry_id", "organization_id", "state", "reviewed_at"]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt = pg_insert(TimeReview).from_select(columns, unreviewed).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite_insert(TimeReview).from_select(columns, unreviewed).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported databases
        stmt = insert(TimeReview).from_select(columns, unreviewed)
    return len(session.execute(stmt.returning(TimeReview.id)).all())


def run_auto_approval(actor: Actor, *, at: datetime | None = None) -> int:
    """The scheduled job: every organization's unreviewed time past its deadline is approved automatically."""
    require_staff(actor)
    at = at or clock.now()
    with unit_of_work() as session:
        return auto_approve_in_session(session, at.date(), at)
