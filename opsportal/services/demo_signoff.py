"""Demo time sign-off: in the month whose sign-off is open, Northwind Holdings' billing contact approved one task's
time, disputed an entry the support team has not answered yet, and disputed another that was answered (kept).

Idempotent: nothing is added when the organization already reviewed time of that month.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import time_signoff as rules
from opsportal.domain.roles import Role
from opsportal.models import TimeEntry, TimeReview, User
from opsportal.services import time_disputes, time_signoff
from opsportal.services.authz import Actor, require_staff_admin
from opsportal.services.orgtree import require_by_name
from opsportal.services.signoff_store import signoff_days

ORGANIZATION = "Northwind Holdings"
BILLING_CONTACT = "bianca.novak@northwind.example"
AGENT = "alex.kim@opsportal.example"
OPEN_DISPUTE = "This was a password reset our own IT desk handled; please check who asked for it."
ANSWERED_DISPUTE = "Two hours for a printer driver seems a lot."
ANSWER = ("The driver had to be rolled back on all 14 floor printers; the remote session log is on the task. "
          "We kept the entry as logged.")


def load_demo_signoff(actor: Actor, *, now: datetime | None = None) -> int:
    """Adds the demo's reviews; returns how many entries were reviewed (0 when already there or nothing to do)."""
    require_staff_admin(actor)
    now = (now or clock.now()).astimezone(UTC)
    period = rules.default_period(now.date(), signoff_days())
    if now.date() > rules.deadline(period, signoff_days()):
        return 0
    with unit_of_work(write=False) as session:
        org = require_by_name(session, ORGANIZATION)
        entries = session.exec(select(TimeEntry).where(
            TimeEntry.organization_id == org.id, TimeEntry.billed_invoice_id.is_(None),
            TimeEntry.work_date >= period.first_day, TimeEntry.work_date <= period.last_day)
            .order_by(TimeEntry.ticket_id, TimeEntry.id)).all()
        if not entries or session.exec(select(TimeReview.id).where(
                TimeReview.time_entry_id.in_([e.id for e in entries]))).first() is not None:
            return 0
        users = {u.email: u for u in session.exec(select(User).where(User.email.in_((BILLING_CONTACT, AGENT))))}
    if set(users) != {BILLING_CONTACT, AGENT}:
        return 0
    contact, agent = _actor(users[BILLING_CONTACT], ORGANIZATION), _actor(users[AGENT], None)
    by_task: dict[int, list[TimeEntry]] = {}
    for e in entries:
        by_task.setdefault(e.ticket_id, []).append(e)
    tasks = list(by_task.values())
    reviewed = 0
    time_signoff.dispute(contact, tasks[0][0].id, OPEN_DISPUTE, at=now - timedelta(hours=3))
    reviewed += 1
    if len(tasks) > 1:
        time_signoff.dispute(contact, tasks[1][0].id, ANSWERED_DISPUTE, at=now - timedelta(hours=5))
        time_disputes.resolve(agent, tasks[1][0].id, "kept", ANSWER, at=now - timedelta(hours=4))
        reviewed += 1
    if len(tasks) > 2:
        reviewed += time_signoff.approve(contact, org.id, period.key, ticket_id=tasks[2][0].ticket_id,
                                         at=now - timedelta(hours=2))
    return reviewed


def _actor(user: User, org_name: str | None) -> Actor:
    return Actor(user_id=user.id, role=Role(user.role), organization_id=user.organization_id, session_id="demo",
                 email=user.email, full_name=user.full_name, organization_name=org_name)
