"""The credit ledger's history as a customer reads it: every entry on the organization's behalf or on its lots,
a page at a time (Hours & Credits) or all of it in batches (the CSV download)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.models import CreditLot, LedgerEntry
from opsportal.services import orgtree
from opsportal.services.authz import Actor, require_view_organization
from opsportal.services.pagination import Page, clamp


@dataclass(frozen=True)
class EntryRow:
    id: int
    at: datetime
    kind: str
    product: str
    quantity: int
    lot_id: int
    holder: str
    organization: str
    ticket_id: int | None
    category: str | None
    reason: str


def _history_where(org_id: int):
    held_lots = select(CreditLot.id).where(CreditLot.holder_org_id == org_id)
    return or_(LedgerEntry.org_id == org_id, LedgerEntry.lot_id.in_(held_lots))


def history(actor: Actor, org_id: int, *, page: int = 1, page_size: int = 25,
            product: str | None = None) -> Page[EntryRow]:
    """Every entry on the organization's behalf or on its lots, newest first."""
    require_view_organization(actor, org_id)
    page, page_size = clamp(page, page_size)
    filters = [_history_where(org_id)] + ([LedgerEntry.product_code == product] if product else [])
    with unit_of_work(write=False) as session:
        total = session.exec(select(func.count()).select_from(LedgerEntry).where(*filters)).one()
        rows = session.exec(select(LedgerEntry, CreditLot.holder_org_id)
                            .join(CreditLot, CreditLot.id == LedgerEntry.lot_id)
                            .where(*filters).order_by(LedgerEntry.at.desc(), LedgerEntry.id.desc())
                            .offset((page - 1) * page_size).limit(page_size)).all()
        names = orgtree.names(session, {h for _e, h in rows} | {e.org_id for e, _h in rows})
        return Page(items=[_entry_row(e, h, names) for e, h in rows], page=page, page_size=page_size, total=int(total))


def history_batches(actor: Actor, org_id: int, *, product: str | None = None, batch: int = 2000):
    """All of the organization's entries, oldest first, in batches (for the CSV download)."""
    require_view_organization(actor, org_id)
    filters = [_history_where(org_id)] + ([LedgerEntry.product_code == product] if product else [])
    after = 0
    while True:
        with unit_of_work(write=False) as session:
            rows = session.exec(select(LedgerEntry, CreditLot.holder_org_id)
                                .join(CreditLot, CreditLot.id == LedgerEntry.lot_id)
                                .where(*filters, LedgerEntry.id > after)
                                .order_by(LedgerEntry.id).limit(batch)).all()
            names = orgtree.names(session, {h for _e, h in rows} | {e.org_id for e, _h in rows})
            out = [_entry_row(e, h, names) for e, h in rows]
        if not out:
            return
        yield out
        after = out[-1].id


def _entry_row(e: LedgerEntry, holder_id: int, names: dict[int, str]) -> EntryRow:
    return EntryRow(id=e.id, at=e.at, kind=e.kind, product=e.product_code, quantity=e.quantity, lot_id=e.lot_id,
                    holder=names.get(holder_id, "?"), organization=names.get(e.org_id, "?"), ticket_id=e.ticket_id,
                    category=e.category, reason=e.reason)
