"""Time sign-off's SQL, shared by the customer's review, the staff's disputes, the billing run and the scheduled
job: which entries are billable, and approving automatically what nobody disputed by the deadline."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import case, exists, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import time_signoff as rules
from opsportal.models import TimeEntry, TimeReview
from opsportal.services import changes
from opsportal.services.authz import Actor, require_staff
from opsportal.settings import get_settings


def signoff_days() -> int:
    return get_settings().signoff_days


def billable_entry_ids():
    """A subquery: the ids of time entries whose review makes them billable (``domain.time_signoff.BILLABLE``)."""
    return select(TimeReview.time_entry_id).where(TimeReview.state.in_([s.value for s in rules.BILLABLE]))


def written_off_clause():
    """SQL condition on ``TimeEntry``: the entry was written off (it counts as neither prepaid nor pay-as-you-go)."""
    return exists(select(TimeReview.id).where(TimeReview.time_entry_id == TimeEntry.id,
                                              TimeReview.state == rules.ReviewState.written_off.value))


def counted_payg_minutes():
    """SQL: the entry's pay-as-you-go minutes as totals count them (none when written off)."""
    return case((written_off_clause(), 0), else_=TimeEntry.payg_minutes)


def counted_payg_amount():
    """SQL: the entry's pay-as-you-go value as totals count it (none when written off)."""
    return case((written_off_clause(), 0), (TimeEntry.payg_minutes > 0, TimeEntry.payg_amount_minor), else_=0)


def written_off_among(session: Session, entry_ids: list[int]) -> set[int]:
    """Which of ``entry_ids`` were written off."""
    if not entry_ids:
        return set()
    return set(session.execute(select(TimeReview.time_entry_id).where(
        TimeReview.time_entry_id.in_(entry_ids), TimeReview.state == rules.ReviewState.written_off.value)).scalars())


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
    approved = list(session.execute(stmt.returning(TimeReview.organization_id)).scalars().all())
    # Entries a staff correction returned to review: their own deadline runs from the correction.
    days = signoff_days() if days is None else days
    reopened = (update(TimeReview).where(TimeReview.state == rules.ReviewState.pending.value,
                                         TimeReview.reopened_on.is_not(None),
                                         TimeReview.reopened_on < today - timedelta(days=days),
                                         TimeReview.time_entry_id.in_(
                                             select(TimeEntry.id).where(TimeEntry.work_date <= cutoff)))
                .values(state=rules.ReviewState.auto_approved.value, reviewed_at=at))
    if organization_id is not None:
        reopened = reopened.where(TimeReview.organization_id == organization_id)
    approved += session.execute(reopened.returning(TimeReview.organization_id)).scalars().all()
    if approved:  # the statements bypass the ORM: open sign-off pages learn of it here
        changes.mark(session, *(changes.org_topic(o) for o in sorted(set(approved))))
    return len(approved)


def run_auto_approval(actor: Actor, *, at: datetime | None = None) -> int:
    """The scheduled job: every organization's unreviewed time past its deadline is approved automatically."""
    require_staff(actor)
    at = at or clock.now()
    with unit_of_work() as session:
        return auto_approve_in_session(session, at.date(), at)
