"""Payment history: an organization's hour-block purchases, and the confirmed payments staff must look at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain.invoices import PaymentStatus
from opsportal.models import Payment
from opsportal.services.authz import Actor, require_staff_admin
from opsportal.services.invoice_views import require_invoice_reader


@dataclass(frozen=True)
class PaymentRow:
    id: int
    purpose: str
    description: str
    status: str
    amount_minor: int
    currency: str
    created_at: datetime
    completed_at: datetime | None
    invoice_id: int | None
    last_error: str

    @property
    def amount(self) -> str:
        return formats.money(self.amount_minor, self.currency)


def hour_block_purchases(actor: Actor, organization_id: int, *, limit: int = 10) -> list[PaymentRow]:
    """The organization's latest block checkouts (hours and credit packs), newest first (for the Buy page)."""
    require_invoice_reader(actor, organization_id)
    with unit_of_work(write=False) as session:
        rows = session.exec(select(Payment).where(Payment.organization_id == organization_id,
                                                  Payment.purpose == "hour_block",
                                                  Payment.status != PaymentStatus.creating)
                            .order_by(Payment.id.desc()).limit(max(1, min(limit, 50)))).all()
        return [PaymentRow(p.id, p.purpose, p.description, p.status, p.amount_minor, p.currency, p.created_at,
                           p.completed_at, p.invoice_id, p.last_error) for p in rows]


def payments_needing_attention(actor: Actor, *, limit: int = 20) -> list[PaymentRow]:
    """Confirmed payments we could not apply as asked (staff: refund or apply them by hand)."""
    require_staff_admin(actor)
    with unit_of_work(write=False) as session:
        rows = session.exec(select(Payment).where(Payment.problem != "").order_by(Payment.id.desc())
                            .limit(limit)).all()
        return [PaymentRow(p.id, p.purpose, p.description, p.status, p.amount_minor, p.currency, p.created_at,
                           p.completed_at, p.invoice_id, p.problem) for p in rows]
