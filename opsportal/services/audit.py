"""The customer audit log: ``record`` writes an event in the caller's transaction (so a change that rolls back leaves
no event); owners and administrators read their organization's events, staff every organization's, a page at a
time, filtered by action and person, and export them (``api/downloads.activity_csv``).

Where a change comes from: the Reflex state names the caller's address for the call it hands to a worker thread
(``from_address``, a context variable the offloaded call inherits), so services record it without passing it
through every signature; a service that knows the address passes ``client_address`` itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from opsportal.db import unit_of_work
from opsportal.domain.audit import (
    NO_PERSON,
    AuditAction,
    action_label,
    client_address_text,
    may_read_activity,
    parse_action,
    target_text,
)
from opsportal.models import AuditEvent, Organization, User
from opsportal.services.authz import Actor, require_staff, require_view_organization
from opsportal.services.errors import InvalidInput, PermissionDenied, sentence
from opsportal.services.pagination import Page, clamp

READ_REFUSED = "Only the organization's owners and administrators see its activity."
EXPORT_BATCH = 1000
MAX_PEOPLE = 200
MAX_ORGANIZATIONS = 500

CLIENT_ADDRESS: ContextVar[str] = ContextVar("opsportal_client_address", default="")


def set_client_address(address: str | None) -> None:
    """For the rest of the current task (a Reflex event runs in a task of its own) and the worker calls it starts,
    recorded events name ``address`` as where they came from."""
    CLIENT_ADDRESS.set(address or "")


@contextmanager
def from_address(address: str | None) -> Iterator[None]:
    """Within the block (and the worker calls it starts), recorded events name ``address`` as where they came from."""
    token = CLIENT_ADDRESS.set(address or "")
    try:
        yield
    finally:
        CLIENT_ADDRESS.reset(token)


# --- writing ------------------------------------------------------------------------------------------------------


def _actor_name(session: Session, user_id: int | None) -> str:
    if not user_id:
        return NO_PERSON
    user = session.get(User, user_id)
    return (user.full_name or user.email)[:200] if user is not None else NO_PERSON


def record(session: Session, *, actor_user_id: int | None, organization_id: int | None, action: AuditAction | str,
           target: str = "", client_address: str = "", at: datetime) -> AuditEvent:
    """Adds one event to the caller's transaction: it commits with the change it records, or not at all.

    ``actor_user_id`` None (or 0, the operator) records ``NO_PERSON``; ``organization_id`` None makes an event only
    staff see; ``client_address`` defaults to the one the state named (``from_address``)."""
    row = AuditEvent(occurred_at=at, organization_id=organization_id, actor_user_id=actor_user_id or None,
                     actor_name=_actor_name(session, actor_user_id), action=AuditAction(action).value,
                     target=target_text(target),
                     client_address=client_address_text(client_address or CLIENT_ADDRESS.get()))
    session.add(row)
    return row


def record_sign_in(session: Session, user: User, at: datetime, *, succeeded: bool,
                   client_address: str = "") -> AuditEvent:
    """A sign-in to ``user``'s account, or a failed one (a wrong password); a staff member's only staff see."""
    return record(session, actor_user_id=user.id, organization_id=user.organization_id, at=at,
                  action=AuditAction.signed_in if succeeded else AuditAction.sign_in_failed,
                  target="" if succeeded else "Wrong password", client_address=client_address)


def withdraw(session: Session, event_id: int) -> None:
    """Removes an event whose change a later transaction of the same use case undid before anyone could act on it
    (an invitation whose e-mail could not be sent: nothing was sent)."""
    row = session.get(AuditEvent, event_id)
    if row is not None:
        session.delete(row)


def record_mfa_change(session: Session, *, actor_user_id: int | None, organization_id: int | None,
                      action: AuditAction | str, target: str = "", client_address: str = "",
                      at: datetime) -> AuditEvent:
    """Two-step sign-in turned on, off or reset (``AuditAction.mfa_enabled``, ``mfa_disabled``, ``mfa_reset``),
    in the caller's transaction; ``target`` names whose, when someone else's (an administrator's reset)."""
    action = AuditAction(action)
    if action not in (AuditAction.mfa_enabled, AuditAction.mfa_disabled, AuditAction.mfa_reset):
        raise ValueError(f"{action.value} is not a two-step sign-in change")
    return record(session, actor_user_id=actor_user_id, organization_id=organization_id, action=action,
                  target=target, client_address=client_address, at=at)


# --- reading ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    """What to show: one action (its code; "" every action) and one person (a user id; None everyone)."""
    action: str = ""
    person_id: int | None = None


@dataclass(frozen=True)
class EventRow:
    id: int
    occurred_at: datetime
    organization: str  # "" for an event of no organization (staff only)
    actor_user_id: int | None
    actor_name: str
    action: str  # an ``AuditAction`` code
    action_label: str
    target: str
    client_address: str


def require_reader(actor: Actor, organization_id: int | None) -> None:
    """Every organization's activity (None) is for staff; one organization's for its owners and administrators
    too. Another organization reads as one that does not exist."""
    if organization_id is None:
        require_staff(actor)
        return
    require_view_organization(actor, organization_id)
    if not may_read_activity(actor.principal, organization_id):
        raise PermissionDenied(READ_REFUSED)


def _conditions(organization_id: int | None, filters: AuditFilters | None) -> list:
    filters = filters or AuditFilters()
    where = [] if organization_id is None else [AuditEvent.organization_id == organization_id]
    if filters.action:
        try:
            where.append(AuditEvent.action == parse_action(filters.action).value)
        except ValueError as exc:
            raise InvalidInput(sentence(str(exc))) from None
    if filters.person_id is not None:
        where.append(AuditEvent.actor_user_id == filters.person_id)
    return where


def _query(where: list):
    return (select(AuditEvent, Organization.name)
            .join(Organization, Organization.id == AuditEvent.organization_id, isouter=True).where(*where))


def _row(event: AuditEvent, organization: str | None) -> EventRow:
    return EventRow(id=event.id, occurred_at=event.occurred_at, organization=organization or "",
                    actor_user_id=event.actor_user_id, actor_name=event.actor_name, action=event.action,
                    action_label=action_label(event.action), target=event.target,
                    client_address=event.client_address)


def list_events(actor: Actor, organization_id: int | None, page: int = 1, filters: AuditFilters | None = None, *,
                page_size: int = 25) -> Page[EventRow]:
    """One page of the events, newest first (``organization_id`` None: every organization's, staff only)."""
    require_reader(actor, organization_id)
    page, page_size = clamp(page, page_size)
    where = _conditions(organization_id, filters)
    with unit_of_work(write=False) as session:
        total = session.exec(select(func.count()).select_from(AuditEvent).where(*where)).one()
        rows = session.exec(_query(where).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
                            .offset((page - 1) * page_size).limit(page_size)).all()
        items = [_row(event, org) for event, org in rows]
    return Page(items=items, page=page, page_size=page_size, total=int(total))


def export_rows(actor: Actor, organization_id: int | None, filters: AuditFilters | None = None, *,
                batch_size: int = EXPORT_BATCH) -> Iterator[list[EventRow]]:
    """Every matching event, newest first, a batch at a time (each batch its own short read). The caller is checked
    here, before the first batch is read: a refusal raises at the call, not when the body is being sent."""
    require_reader(actor, organization_id)
    where = _conditions(organization_id, filters)

    def batches() -> Iterator[list[EventRow]]:
        after: tuple[datetime, int] | None = None
        while True:
            keyset = [] if after is None else [or_(AuditEvent.occurred_at < after[0],
                                                   and_(AuditEvent.occurred_at == after[0], AuditEvent.id < after[1]))]
            with unit_of_work(write=False) as session:
                rows = session.exec(_query([*where, *keyset])
                                    .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
                                    .limit(batch_size)).all()
                batch = [_row(event, org) for event, org in rows]
            if not batch:
                return
            yield batch
            if len(batch) < batch_size:
                return
            after = (batch[-1].occurred_at, batch[-1].id)

    return batches()


@dataclass(frozen=True)
class FilterChoices:
    """What the Activity page's filters offer: the people who appear in the events, and (staff) the organizations."""
    people: list[tuple[int, str]]
    organizations: list[tuple[int, str]]


def filter_choices(actor: Actor, organization_id: int | None) -> FilterChoices:
    require_reader(actor, organization_id)
    where = [AuditEvent.actor_user_id.is_not(None)]
    if organization_id is not None:
        where.append(AuditEvent.organization_id == organization_id)
    with unit_of_work(write=False) as session:
        ids = session.exec(select(AuditEvent.actor_user_id).where(*where).distinct().limit(MAX_PEOPLE)).all()
        people = sorted(((u.id, u.full_name or u.email) for u in session.exec(select(User).where(User.id.in_(ids)))),
                        key=lambda p: (p[1].casefold(), p[0])) if ids else []
        organizations = []
        if actor.is_staff:
            organizations = [(i, n) for i, n in session.exec(select(Organization.id, Organization.name)
                                                             .order_by(Organization.name_key)
                                                             .limit(MAX_ORGANIZATIONS)).all()]
    return FilterChoices(people=people, organizations=organizations)
