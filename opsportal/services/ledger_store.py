"""Loading lots for a decision and writing the entries the domain decided on (inside one unit of work)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from opsportal.domain.ledger.entries import EntryKind, EntrySpec
from opsportal.domain.ledger.lots import Lot, LotKind, Scope
from opsportal.domain.ledger.products import Product, Unit
from opsportal.models import CreditHold, CreditLot, LedgerEntry, ProductRow
from opsportal.services.errors import NotFound


def to_domain(row: CreditLot) -> Lot:
    return Lot(id=row.id, product=row.product_code, holder_org_id=row.holder_org_id, kind=LotKind(row.kind),
               quantity=row.quantity, granted_at=row.granted_at, expires_at=row.expires_at, scope=Scope(row.scope),
               assigned_org_id=row.assigned_org_id, remaining=row.remaining, held=row.held)


def product(session: Session, code: str) -> Product:
    row = session.get(ProductRow, (code or "").strip())
    if row is None or not row.active:
        known = ", ".join(session.exec(select(ProductRow.code).where(ProductRow.active).order_by(ProductRow.code)))
        raise NotFound(f"Unknown product {code!r}; known products: {known}.")
    return Product(code=row.code, name=row.name, unit=Unit(row.unit), allocatable=row.allocatable)


def usable_lots_filter(org_id: int, ancestor_ids: list[int]):
    """SQL condition: lots organization ``org_id`` may draw from (expiry and balance not included)."""
    own_or_assigned = and_(CreditLot.scope == Scope.org.value,
                           or_(CreditLot.assigned_org_id == org_id,
                               and_(CreditLot.assigned_org_id.is_(None), CreditLot.holder_org_id == org_id)))
    shared = and_(CreditLot.scope == Scope.shared.value, CreditLot.holder_org_id.in_([org_id, *ancestor_ids]))
    return or_(own_or_assigned, shared)


def lock_usable_lots(session: Session, org_id: int, ancestor_ids: list[int], product_code: str,
                     at: datetime) -> list[CreditLot]:
    """The lots the organization may draw from now, locked in id order (PostgreSQL row locks).

    On SQLite the writing unit of work already holds the database's write lock (BEGIN IMMEDIATE).
    """
    stmt = (
        select(CreditLot)
        .where(CreditLot.product_code == product_code, usable_lots_filter(org_id, ancestor_ids),
               CreditLot.remaining > CreditLot.held,
               CreditLot.granted_at <= at, or_(CreditLot.expires_at.is_(None), CreditLot.expires_at > at))
        .order_by(CreditLot.id)
        .with_for_update()
    )
    return list(session.exec(stmt).all())


def write_entries(session: Session, rows_by_id: dict[int, CreditLot], specs: Iterable[EntrySpec],
                  actor_user_id: int | None, *, time_entry_id: int | None = None) -> list[LedgerEntry]:
    """Appends the entries, moves the cached balances and the per-ticket holds with them."""
    written = []
    for spec in specs:
        lot = rows_by_id[spec.lot_id]
        lot.remaining += spec.delta_remaining
        lot.held += spec.delta_held
        if lot.held < 0 or lot.remaining < lot.held:
            raise AssertionError(f"entry would break lot {lot.id}'s balance")  # the domain prevents this
        session.add(lot)
        entry = LedgerEntry(lot_id=spec.lot_id, org_id=spec.org_id, product_code=lot.product_code,
                            kind=spec.kind.value, quantity=spec.quantity, delta_remaining=spec.delta_remaining,
                            delta_held=spec.delta_held, at=spec.at, ticket_id=spec.ticket_id,
                            category=spec.category, reason=spec.reason[:300], actor_user_id=actor_user_id or None,
                            time_entry_id=time_entry_id)
        session.add(entry)
        written.append(entry)
        if spec.delta_held and spec.ticket_id is not None:
            _move_hold(session, lot, spec)
    session.flush()
    return written


def _move_hold(session: Session, lot: CreditLot, spec: EntrySpec) -> None:
    hold = session.exec(
        select(CreditHold).where(CreditHold.lot_id == lot.id, CreditHold.ticket_id == spec.ticket_id)
    ).first()
    if hold is None:
        hold = CreditHold(lot_id=lot.id, ticket_id=spec.ticket_id, org_id=spec.org_id, product_code=lot.product_code,
                          category=spec.category or "", quantity=0)
    hold.quantity += spec.delta_held
    if hold.quantity == 0 and spec.kind is not EntryKind.allocate:
        if hold.id is not None:
            session.delete(hold)
        return
    session.add(hold)
