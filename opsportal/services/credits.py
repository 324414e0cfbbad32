"""Credit ledger use cases that change balances: grant, allocate, hold, consume, settle, expire."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain.ledger import entries as rules
from opsportal.domain.ledger import split as split_rules
from opsportal.domain.ledger.credit_list import (
    ALL_ORGANIZATIONS,
    UsagePeriod,
    credit_holder,
    needs_allocation,
    offers,
    usage_period,
)
from opsportal.domain.ledger.lots import LotKind, Origin, Scope, end_of_day
from opsportal.domain.ledger.order import explain
from opsportal.domain.ledger.plan import InsufficientBalance
from opsportal.domain.ledger.products import Product, Unit
from opsportal.domain.ledger.sharing import allocated_scope, allocation_problem
from opsportal.domain.tasks import TaskStatus
from opsportal.models import CreditHold, CreditLot, ProductRow, Ticket
from opsportal.services import audit, changes, orgtree
from opsportal.services import ledger_store as store
from opsportal.services.authz import (
    Actor,
    require_manage_organization,
    require_staff,
    require_staff_admin,
    require_view_organization,
    require_visible,
)
from opsportal.services.errors import Conflict, InvalidInput, NotFound, sentence

MAX_QUANTITY = 10_000_000
LOT_NOT_FOUND = "That credit lot was not found or you do not have access to it."


@dataclass(frozen=True)
class LotPublic:
    id: int
    product: str
    product_name: str
    unit: str
    holder_id: int
    holder: str
    kind: str
    scope: str
    allocated_to: str  # "All organizations" or one organization's name
    granted_at: datetime
    expires_at: datetime | None
    quantity: int
    remaining: int
    held: int
    # Usable now: remaining less held, nothing once expired (reads treat a lot as expired at its instant).
    free: int = 0
    # The one organization the lot serves, None when allocated to all organizations.
    serves_org_id: int | None = None
    # Holds a paid pay-per-incident window's prepaid hours for its open task: not re-allocated meanwhile.
    held_for_window: bool = False
    # The product may be re-allocated at all (Kaizen platform credits are always shared).
    allocatable: bool = True
    # The credit list's "Credit holder": "All organizations" for credits never allocated (Kaizen platform
    # credits), else the holder's name (``domain.ledger.credit_list``).
    credit_holder: str = ""
    # The service usage period (None: the product does not show one, Kaizen Platform Jumpstart).
    usage_period: UsagePeriod | None = None
    # The offers (tokens) the lot carries: its granted and its free credits' (None: its product carries none).
    tokens_per_credit: int = 0
    offers: int | None = None
    offers_free: int | None = None


@dataclass(frozen=True)
class Allocation:
    """What an allocation did: ``quantity`` of lot ``source_id`` is now ``lot`` (the same lot when all of it moved)."""
    source_id: int
    quantity: int
    lot: LotPublic

    @property
    def split(self) -> bool:
        return self.lot.id != self.source_id


@dataclass(frozen=True)
class DrawPublic:
    lot_id: int
    holder: str
    quantity: int
    reason: str


def _positive(quantity: int) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise InvalidInput("Quantity must be a positive whole number.")
    if quantity > MAX_QUANTITY:
        raise InvalidInput(f"Quantity must be at most {MAX_QUANTITY:,}.")
    return quantity


def _category(category: str) -> str:
    cleaned = " ".join((category or "").split())
    if not cleaned or len(cleaned) > 60:
        raise InvalidInput("Give a service category of 1 to 60 characters.")
    return cleaned


def product_labels(session: Session) -> dict[str, Product]:
    """code -> product for every product (a handful of rows)."""
    return {p.code: store.product_of(p) for p in session.exec(select(ProductRow)).all()}


def lot_public(session: Session, row: CreditLot, names: dict[int, str] | None = None,
               products: dict[str, Product] | None = None, *, window_lots: set[int] | None = None,
               at: datetime | None = None) -> LotPublic:
    """``window_lots``: the ids among the caller's rows that hold an incident window (read here if not given)."""
    names = names or orgtree.names(session, {row.holder_org_id, row.assigned_org_id or row.holder_org_id})
    if window_lots is None:
        window_lots = store.lots_held_for_windows(session, [row])
    lot = store.to_domain(row)
    prod = (products or product_labels(session)).get(row.product_code) or Product(
        row.product_code, row.product_code, Unit.credit, allocatable=False)
    if row.scope == Scope.shared.value or not prod.allocatable:
        allocated = ALL_ORGANIZATIONS
    else:
        allocated = names.get(row.assigned_org_id or row.holder_org_id, "?")
    holder = names.get(row.holder_org_id, "?")
    free = 0 if lot.is_expired(at or clock.now()) else lot.free
    return LotPublic(id=row.id, product=row.product_code, product_name=prod.name, unit=prod.unit.value,
                     holder_id=row.holder_org_id,
                     holder=holder, kind=row.kind, scope=row.scope,
                     allocated_to=allocated, granted_at=row.granted_at, expires_at=row.expires_at,
                     quantity=row.quantity, remaining=row.remaining, held=row.held,
                     free=free, serves_org_id=lot.usable_by(),
                     held_for_window=row.id in window_lots, allocatable=needs_allocation(prod),
                     credit_holder=credit_holder(prod, holder),
                     usage_period=usage_period(prod, row.granted_at, row.expires_at),
                     tokens_per_credit=prod.tokens_per_credit, offers=offers(prod, row.quantity),
                     offers_free=offers(prod, free))


def grant(actor: Actor, *, org_id: int, product: str, quantity: int, kind: str, expires: date | None = None,
          shared: bool = False, origin: str | None = None, note: str = "", at: datetime | None = None) -> LotPublic:
    """A staff admin grants a lot (purchased or complimentary, optionally expiring)."""
    require_staff_admin(actor)
    at = at or clock.now()
    _positive(quantity)
    try:
        lot_kind = LotKind(kind)
    except ValueError:
        raise InvalidInput("Type must be purchased or complimentary.") from None
    expires_at = end_of_day(expires) if expires else None
    if expires_at is not None and expires_at <= at:
        raise InvalidInput("The expiry date must not be in the past.")
    origin_value = origin or (Origin.complimentary_grant if lot_kind is LotKind.complimentary else Origin.purchase)
    with unit_of_work() as session:
        orgtree.require_org(session, org_id)
        row = grant_in_session(session, org_id=org_id, product=product, quantity=quantity, kind=lot_kind,
                               expires_at=expires_at, shared=shared, origin=str(origin_value), note=note, at=at,
                               user_id=actor.user_id or None)
        return lot_public(session, row)


def grant_in_session(session: Session, *, org_id: int, product: str, quantity: int, kind: LotKind,
                     expires_at: datetime | None, shared: bool, origin: str, note: str, at: datetime,
                     user_id: int | None) -> CreditLot:
    """Write a lot and its grant entry in the caller's transaction (inputs already checked)."""
    prod = store.product(session, product)
    # Products that may not be allocated are shared with all organizations from the start.
    scope = Scope.shared if (shared or not prod.allocatable) else Scope.org
    row = CreditLot(product_code=prod.code, holder_org_id=org_id, kind=kind.value, origin=origin,
                    quantity=quantity, granted_at=at, expires_at=expires_at, scope=scope.value,
                    remaining=0, held=0, note=note[:300], created_by=user_id)
    session.add(row)
    session.flush()
    store.write_entries(session, {row.id: row}, [rules.grant(store.to_domain(row).with_balance(remaining=0), at)],
                        user_id)
    return row


def _lot_to_allocate(session: Session, actor: Actor, lot_id: int) -> CreditLot:
    """The lot, locked, if the actor manages its holder (another organization's lot is "not found")."""
    row = session.exec(select(CreditLot).where(CreditLot.id == lot_id).with_for_update()
                       .execution_options(populate_existing=True)).first()
    require_visible(actor, row.holder_org_id if row is not None else None, LOT_NOT_FOUND)
    require_manage_organization(actor, row.holder_org_id)
    return row


def _allocation_check(session: Session, row: CreditLot, to_org_id: int | None) -> None:
    problem = allocation_problem(store.to_domain(row), store.product(session, row.product_code), to_org_id,
                                 orgtree.subtree(session, row.holder_org_id),
                                 held_for_window=bool(store.lots_held_for_windows(session, [row])))
    if problem:
        raise InvalidInput(sentence(problem))


def _rescope(session: Session, row: CreditLot, to_org_id: int | None) -> None:
    before = row.assigned_org_id
    scope, assigned = allocated_scope(to_org_id, row.holder_org_id)
    row.scope, row.assigned_org_id = scope.value, assigned
    session.add(row)
    session.flush()
    if before:  # the change feed sees the new assignee on the row; the one losing the lot must hear too
        changes.mark(session, changes.org_topic(before))


def _audit_allocation(session: Session, actor: Actor, source_id: int, quantity: int, lot: LotPublic,
                      at: datetime) -> None:
    part = "" if lot.id == source_id else f", now lot {lot.id}"
    audit.record(session, actor_user_id=actor.user_id, organization_id=lot.holder_id,
                 action=audit.AuditAction.credits_allocated, at=at,
                 target=f"{formats.quantity(quantity, lot.unit)} of {lot.product_name} (lot {source_id}{part}) "
                        f"to {lot.allocated_to}")


def allocate(actor: Actor, *, lot_id: int, to_org_id: int | None) -> LotPublic:
    """Allocate a lot to all organizations of its holder's tree (None) or to one organization of it."""
    with unit_of_work() as session:
        row = _lot_to_allocate(session, actor, lot_id)
        _allocation_check(session, row, to_org_id)
        _rescope(session, row, to_org_id)
        lot = lot_public(session, row)
        _audit_allocation(session, actor, row.id, lot.remaining, lot, clock.now())
        return lot


def allocate_part(actor: Actor, *, lot_id: int, to_org_id: int | None, quantity: int,
                  at: datetime | None = None) -> Allocation:
    """Allocate ``quantity`` of a lot's free quantity to all organizations (None) or one organization.

    All of an unheld lot moves the lot itself; a part becomes a new lot (same product, type, grant, expiry and
    origin) and the lot keeps the rest and its holds: one transaction, two ``adjust`` entries.
    """
    at = at or clock.now()
    with unit_of_work() as session:
        row = _lot_to_allocate(session, actor, lot_id)
        _allocation_check(session, row, to_org_id)
        lot, prod = store.to_domain(row), store.product(session, row.product_code)
        problem = split_rules.part_problem(lot, prod, quantity, to_org_id, at=at)
        if problem:
            raise InvalidInput(sentence(problem))
        if split_rules.takes_whole_lot(lot, quantity):
            _rescope(session, row, to_org_id)
            moved = lot_public(session, row, at=at)
            _audit_allocation(session, actor, row.id, quantity, moved, at)
            return Allocation(source_id=row.id, quantity=quantity, lot=moved)
        part = split_rules.part_of(lot, quantity, to_org_id)
        new = CreditLot(product_code=row.product_code, holder_org_id=row.holder_org_id, kind=row.kind,
                        origin=row.origin, quantity=part.quantity, granted_at=row.granted_at,
                        expires_at=row.expires_at, scope=part.scope.value, assigned_org_id=part.assigned_org_id,
                        remaining=0, held=0, note=f"Split from lot {row.id}. {row.note}".strip()[:300],
                        created_by=actor.user_id or None)
        session.add(new)
        session.flush()
        target = "All organizations" if to_org_id is None else orgtree.names(session, {to_org_id}).get(to_org_id, "?")
        specs = split_rules.split_entries(lot, replace(part, id=new.id), at=at, target_name=target)
        store.write_entries(session, {row.id: row, new.id: new}, specs, actor.user_id or None)
        moved = lot_public(session, new, window_lots=set(), at=at)
        _audit_allocation(session, actor, row.id, quantity, moved, at)
        return Allocation(source_id=row.id, quantity=quantity, lot=moved)


def _draw(session: Session, actor: Actor, kind: str, *, org_id: int, product: str, quantity: int, category: str,
          ticket_id: int | None, at: datetime) -> list[DrawPublic]:
    chain, names = orgtree.lineage(session, org_id)
    prod = store.product(session, product)
    args = dict(org_id=org_id, ancestors=chain, product=prod.code, quantity=quantity, at=at, ticket_id=ticket_id,
                category=category, explain=lambda c: explain(c, names.get(c.lot.holder_org_id)))

    def plan(lots):
        return rules.hold(lots, **args) if kind == "hold" else rules.consume(lots, **args)

    try:
        specs, holders = store.draw(session, org_id, chain, prod.code, at, plan, actor.user_id)
    except InsufficientBalance as exc:
        raise Conflict(
            f"Not enough {prod.name.lower()} available for {names[org_id]}: requested "
            f"{formats.quantity(exc.requested, prod.unit)}, available {formats.quantity(exc.available, prod.unit)}."
        ) from None
    missing = set(holders.values()) - names.keys()
    if missing:  # a lot held outside the organization's ancestry (the tree changed after it was allocated)
        names = {**names, **orgtree.names(session, missing)}
    return [DrawPublic(lot_id=s.lot_id, holder=names.get(holders[s.lot_id], "?"), quantity=s.quantity,
                       reason=s.reason) for s in specs]


def consume(actor: Actor, *, org_id: int, product: str, quantity: int, category: str,
            ticket_id: int | None = None, at: datetime | None = None) -> list[DrawPublic]:
    """Staff record usage: drawn at once from free balances in the consumption order."""
    require_staff(actor)
    _positive(quantity)
    category = _category(category)
    with unit_of_work() as session:
        if ticket_id is not None:
            _open_ticket_of(session, ticket_id, org_id)
        return _draw(session, actor, "consume", org_id=org_id, product=product, quantity=quantity,
                     category=category, ticket_id=ticket_id, at=at or clock.now())


def hold_for_ticket(actor: Actor, *, ticket_id: int, product: str, quantity: int,
                    at: datetime | None = None) -> list[DrawPublic]:
    """Reserve credits for an open ticket ("in play"), shown under the ticket's category."""
    require_staff(actor)
    _positive(quantity)
    with unit_of_work() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFound(f"Unknown ticket {ticket_id}.")
        _open_ticket_of(session, ticket_id, ticket.organization_id)
        return _draw(session, actor, "hold", org_id=ticket.organization_id, product=product, quantity=quantity,
                     category=ticket.category, ticket_id=ticket_id, at=at or clock.now())


def hold_in_session(session: Session, actor: Actor, ticket: Ticket, *, product: str, quantity: int,
                    at: datetime) -> list[DrawPublic]:
    """In the caller's transaction (which decided who may spend): hold ``quantity`` for the open ``ticket`` in the
    consumption order, under its category; ``Conflict`` (naming what is available) when there is not enough."""
    _positive(quantity)
    return _draw(session, actor, "hold", org_id=ticket.organization_id, product=product, quantity=quantity,
                 category=ticket.category, ticket_id=ticket.id, at=at)


def _open_ticket_of(session: Session, ticket_id: int, org_id: int) -> Ticket:
    # populate_existing: the caller may already have loaded the ticket in this session, and the
    # identity map would otherwise hand back that copy as it was before the lock was granted (on
    # PostgreSQL a concurrent settle may have closed the ticket meanwhile).
    ticket = session.exec(select(Ticket).where(Ticket.id == ticket_id).with_for_update()
                          .execution_options(populate_existing=True)).first()
    if ticket is None or ticket.organization_id != org_id:
        raise NotFound(f"Ticket {ticket_id} does not belong to that organization.")
    if not TaskStatus(ticket.status).is_open:
        raise Conflict(f"Ticket {ticket_id} is closed.")
    return ticket


def settle_holds(session: Session, actor: Actor, ticket: Ticket, used: Mapping[str, int] | None, at: datetime, *,
                 default: Callable[[str, int], int]) -> list[DrawPublic]:
    """In the caller's transaction, as a task closes: of each product the task holds, ``used[code]`` (else
    ``default(code, held)``) becomes used credits and the rest is released. A product the task does not hold is
    refused, not ignored: a misspelt code would otherwise leave the held product at its default."""
    holds = list(session.exec(select(CreditHold).where(CreditHold.ticket_id == ticket.id,
                                                       CreditHold.quantity > 0)).all())
    unknown = sorted(set(used or {}) - {h.product_code for h in holds})
    if unknown:
        raise InvalidInput(f"Task {ticket.id} holds no {', '.join(unknown)}.")
    if not holds:
        return []
    lot_ids = sorted({h.lot_id for h in holds})
    rows = {r.id: r for r in session.exec(select(CreditLot).where(CreditLot.id.in_(lot_ids))
                                          .order_by(CreditLot.id).with_for_update()).all()}
    chain = orgtree.ancestors(session, ticket.organization_id)
    specs = []
    for code in sorted({h.product_code for h in holds}):
        product_holds = {h.lot_id: h.quantity for h in holds if h.product_code == code}
        held = sum(product_holds.values())
        quantity = used[code] if used and code in used else default(code, held)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 <= quantity <= held:
            raise InvalidInput(f"Credits used for {code} must be between 0 and {held}.")
        specs += rules.settle_holds({i: store.to_domain(rows[i]) for i in product_holds}, product_holds,
                                    org_id=ticket.organization_id, ancestors=chain, used=quantity, at=at,
                                    ticket_id=ticket.id, category=ticket.category)
    store.write_entries(session, rows, specs, actor.user_id)
    names = orgtree.names(session, {r.holder_org_id for r in rows.values()})
    return [DrawPublic(lot_id=s.lot_id, holder=names.get(rows[s.lot_id].holder_org_id, "?"),
                       quantity=s.quantity, reason=f"{s.kind.value}: {s.reason}") for s in specs]


def settle_ticket(actor: Actor, *, ticket_id: int, used: dict[str, int],
                  at: datetime | None = None) -> list[DrawPublic]:
    """Close a ticket: ``used`` (per product) of its holds become used credits, the rest is released (a product
    not named is released in full)."""
    require_staff(actor)
    at = at or clock.now()
    with unit_of_work() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFound(f"Unknown ticket {ticket_id}.")
        ticket = _open_ticket_of(session, ticket_id, ticket.organization_id)
        drawn = settle_holds(session, actor, ticket, used, at, default=lambda _code, _held: 0)
        ticket.status, ticket.closed_at = TaskStatus.closed.value, at
        session.add(ticket)
        return drawn


def expire_due(actor: Actor, *, at: datetime | None = None) -> int:
    """The expiry job: expires every lot's free remainder past its expiry. Running it twice changes nothing."""
    require_staff_admin(actor)
    at = at or clock.now()
    with unit_of_work() as session:
        rows = list(session.exec(
            select(CreditLot).where(CreditLot.expires_at.is_not(None), CreditLot.expires_at <= at,
                                    CreditLot.remaining > CreditLot.held)
            .order_by(CreditLot.id).with_for_update()
        ).all())
        specs = rules.expire_due([store.to_domain(r) for r in rows], at)
        store.write_entries(session, {r.id: r for r in rows}, specs, actor.user_id)
        return sum(s.quantity for s in specs)


def open_ticket(actor: Actor, *, org_id: int, title: str, category: str) -> int:
    """A minimal ticket (the tasks issue builds the full one); staff or the organization's own users."""
    require_view_organization(actor, org_id)
    title = " ".join((title or "").split())
    if not title or len(title) > 200:
        raise InvalidInput("Give the ticket a title of 1 to 200 characters.")
    with unit_of_work() as session:
        orgtree.require_org(session, org_id)
        ticket = Ticket(organization_id=org_id, title=title, category=_category(category))
        session.add(ticket)
        session.flush()
        return ticket.id
