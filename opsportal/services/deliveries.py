"""The notices the portal sent or tried to send, for the support team: what failed, what was given up on, what
a crashed run left unconfirmed; and the two decisions only a person can take about them.

Reading is for staff; changing a delivery is for staff administrators. Each change is one compare-and-set
transaction on the delivery row, so it cannot race a job run that is sending the same notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, update
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import notifications as rules
from opsportal.domain.notifications import DeliveryState, NotificationKind, delivery_state
from opsportal.models import NotificationDelivery, Organization, User
from opsportal.services.authz import Actor, require_staff, require_staff_admin
from opsportal.services.errors import Conflict, InvalidInput, NotFound
from opsportal.services.pagination import Page, clamp

SHOW = ("attention", "all")
DELIVERY_NOT_FOUND = "That notice was not found."


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    kind: str
    notice: str  # "Monthly statement"
    period_key: str
    subject: str
    to_address: str
    user_name: str
    organization: str
    state: DeliveryState
    attempts: int
    last_error: str
    created_at: datetime
    last_attempt_at: datetime | None
    sent_at: datetime | None


@dataclass(frozen=True)
class DeliveryList:
    page: Page[DeliveryRow]
    retrying: int
    gave_up: int
    unconfirmed: int

    @property
    def needing_attention(self) -> int:
        return self.retrying + self.gave_up + self.unconfirmed


def _attention(now: datetime):
    stale = now - rules.UNCONFIRMED_AFTER
    return or_(NotificationDelivery.status == "failed",
               and_(NotificationDelivery.status == "sending",
                    or_(NotificationDelivery.last_attempt_at.is_(None), NotificationDelivery.last_attempt_at <= stale)))


def _notice(kind: str) -> str:
    try:
        return NotificationKind(kind).label
    except ValueError:
        return kind


def list_deliveries(actor: Actor, *, show: str = "attention", page: int = 1, page_size: int = 25,
                    now: datetime | None = None) -> DeliveryList:
    """One page of deliveries, latest attempt first, and how many need attention (staff only).

    ``show``: "attention" (failed, given up, unconfirmed) or "all".
    """
    require_staff(actor)
    if show not in SHOW:
        raise InvalidInput("Show the notices needing attention or all notices.")
    now = now or clock.now()
    page, page_size = clamp(page, page_size)
    conditions = [_attention(now)] if show == "attention" else []
    gave_up = and_(NotificationDelivery.status == "failed", NotificationDelivery.attempts >= rules.MAX_ATTEMPTS)
    with unit_of_work(write=False) as session:
        failed, given_up, unconfirmed = session.exec(select(
            func.count().filter(NotificationDelivery.status == "failed"),
            func.count().filter(gave_up),
            func.count().filter(and_(NotificationDelivery.status == "sending", _attention(now))),
        ).select_from(NotificationDelivery)).one()
        total = session.exec(select(func.count()).select_from(NotificationDelivery).where(*conditions)).one()
        latest = func.coalesce(NotificationDelivery.last_attempt_at, NotificationDelivery.created_at)
        rows = session.exec(
            select(NotificationDelivery, User.full_name, Organization.name)
            .join(User, User.id == NotificationDelivery.user_id)
            .outerjoin(Organization, Organization.id == NotificationDelivery.organization_id)
            .where(*conditions).order_by(latest.desc(), NotificationDelivery.id.desc())
            .offset((page - 1) * page_size).limit(page_size)).all()
    items = [DeliveryRow(d.id, d.kind, _notice(d.kind), d.period_key, d.subject, d.to_address, name or "",
                         org or "", delivery_state(d.status, d.attempts, d.last_attempt_at, now), d.attempts,
                         d.last_error, d.created_at, d.last_attempt_at, d.sent_at)
             for d, name, org in rows]
    return DeliveryList(Page(items, page, page_size, int(total)), int(failed) - int(given_up), int(given_up),
                        int(unconfirmed))


def _decide(actor: Actor, delivery_id: int, expected: DeliveryState, values: dict, refusal: str,
            now: datetime | None) -> None:
    require_staff_admin(actor)
    now = now or clock.now()
    with unit_of_work() as session:
        row = session.get(NotificationDelivery, delivery_id)
        if row is None:
            raise NotFound(DELIVERY_NOT_FOUND)
        if delivery_state(row.status, row.attempts, row.last_attempt_at, now) is not expected:
            raise Conflict(refusal)
        # Compare-and-set on what was read: a run that claimed or finished the row meanwhile wins.
        changed = session.execute(
            update(NotificationDelivery).where(NotificationDelivery.id == delivery_id,
                                               NotificationDelivery.status == row.status,
                                               NotificationDelivery.attempts == row.attempts)
            .values(**values)).rowcount
        if changed != 1:
            raise Conflict(refusal)


def allow_retry(actor: Actor, delivery_id: int, *, now: datetime | None = None) -> None:
    """A notice given up on gets a fresh set of attempts: the next run of its job sends it if still due."""
    _decide(actor, delivery_id, DeliveryState.gave_up, {"attempts": 0},
            "Only a notice the portal gave up on can be tried again; reload to see where it stands.", now)


def mark_unconfirmed(actor: Actor, delivery_id: int, *, was_sent: bool, now: datetime | None = None) -> None:
    """Settle a notice a crashed run left unconfirmed, after checking the mail server's log: sent (never sent
    again) or not sent (the next run of its job sends it)."""
    who = actor.full_name or actor.email
    values = ({"status": "sent", "sent_at": now or clock.now(), "last_error": f"Marked as sent by {who}"[:500]}
              if was_sent else {"status": "failed", "last_error": f"Marked as not sent by {who}"[:500]})
    _decide(actor, delivery_id, DeliveryState.unconfirmed, values,
            "Only an unconfirmed notice can be settled; reload to see where it stands.", now)
