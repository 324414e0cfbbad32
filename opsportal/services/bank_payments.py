"""Money that did not come through Stripe: staff admins mark an open invoice paid by bank transfer."""

from __future__ import annotations

from datetime import datetime

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import invoices as rules
from opsportal.domain.audit import AuditAction
from opsportal.domain.invoices import PaidThrough, PaymentStatus, Refused
from opsportal.models import Payment, PaymentAttempt
from opsportal.services import audit, invoice_events, orgtree
from opsportal.services.authz import Actor, require_staff_admin
from opsportal.services.errors import InvalidInput
from opsportal.services.invoice_issuing import apply, lock, refused, state_of
from opsportal.services.invoice_views import InvoiceRow, row_of

OFFLINE_SOURCE = "bank_transfer"


def record_offline_payment(actor: Actor, invoice_id: int, *, at: datetime | None = None,
                           reference: str = "") -> InvoiceRow:
    """Staff admins mark an open invoice paid by bank transfer (money that did not come through Stripe).

    What was owed is recorded as one succeeded payment with its attempt (who marked it, the bank reference),
    so the invoice's payment history says how it was paid.
    """
    require_staff_admin(actor)
    now = clock.now()
    at = at or now
    reference = " ".join((reference or "").split())
    if len(reference) > 100:
        raise InvalidInput("Give a bank reference of at most 100 characters.")
    if at > now:
        raise InvalidInput("The payment date cannot be in the future.")
    with unit_of_work() as session:
        inv = lock(session, invoice_id)
        before = state_of(inv)
        try:
            transition = rules.mark_paid(before, at=at, through=PaidThrough.bank_transfer)
        except Refused as exc:
            raise refused(exc) from None
        by = f"; marked paid by {actor.full_name or actor.email}" if actor.user_id else ""  # not the CLI operator
        payment = Payment(organization_id=inv.organization_id, purpose="invoice",
                          status=PaymentStatus.succeeded.value, invoice_id=inv.id, amount_minor=before.owed_minor,
                          currency=inv.currency,
                          description=("Bank transfer " + reference if reference else "Bank transfer")[:200],
                          idempotency_key=f"bank-transfer-invoice-{inv.id}",
                          created_by_user_id=actor.user_id or None, created_at=at, updated_at=now, completed_at=at)
        session.add(payment)
        session.flush()
        session.add(PaymentAttempt(payment_id=payment.id, outcome="succeeded", source=OFFLINE_SOURCE,
                                   message="Bank transfer received" + (f", reference {reference}" if reference else "")
                                           + by,
                                   occurred_at=at))
        events = apply(session, inv, transition).events
        invoice_events.dispatch(session, events)
        audit.record(session, actor_user_id=actor.user_id, organization_id=inv.organization_id,
                     action=AuditAction.bank_payment_recorded, at=now,
                     target=f"Invoice {inv.number}: {formats.money(before.owed_minor, inv.currency)}"
                            + (f", reference {reference}" if reference else ""))
        row = row_of(inv, orgtree.require_org(session, inv.organization_id).name, at.date())
    # A checkout the customer left open must not take the money a second time.
    invoice_events.after_commit(events, at=now)
    return row
